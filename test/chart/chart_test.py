"""Offline tests of charts/epc-extender: helm lint, then helm template for both modes and several value sets,
parsed and checked for the wiring kube-scheduler depends on (the extender entry, leader election, the legacy
Policy's names and units, RBAC, security settings), plus the schema rejecting bad values.

Run by run-chart-tests (which finds helm and a python with PyYAML): chart_test.py HELM [unittest args].
PyYAML is needed because `helm template` only prints YAML and the scheduler configurations are YAML documents
embedded in ConfigMaps; a hand-written YAML subset parser would be the fragile part of the test.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import yaml

import helm_support

HELM = ""
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHART = os.path.join(REPO, "charts", "epc-extender")
RELEASE = "rel"
NAMESPACE = "sched"
FULLNAME = "rel-epc-extender"
# The Deployment of each mode: names differ so that switching mode never changes a Deployment's selector.
DEPLOYMENT = {"secondScheduler": f"{FULLNAME}-scheduler", "extenderOnly": f"{FULLNAME}-extender"}

# Keys each configuration format accepts (extender-protocol.md, sections 3.1 and 3.5). kube-scheduler decodes
# v1 strictly, so any other key (the legacy enableHttps included) would stop it from starting.
V1_EXTENDER_KEYS = {"urlPrefix", "filterVerb", "preemptVerb", "prioritizeVerb", "weight", "bindVerb",
                    "enableHTTPS", "tlsConfig", "httpTimeout", "nodeCacheCapable", "managedResources",
                    "ignorable"}
LEGACY_EXTENDER_KEYS = (V1_EXTENDER_KEYS - {"enableHTTPS"}) | {"enableHttps"}
EPC_RESOURCES = ["sgx.intel.com/epc", "kubernetes.azure.com/sgx_epc_mem_in_MiB", "alibabacloud.com/sgx_epc_MiB"]
WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection", "*"}


def run_helm(*args, values=None):
    return helm_support.run_helm(HELM, *args, values=values)


class Rendered:
    """The objects `helm template` printed, looked up by kind and name."""

    def __init__(self, text):
        self.objects = [d for d in yaml.safe_load_all(text) if d]

    def all(self, kind):
        return [o for o in self.objects if o["kind"] == kind]

    def get(self, kind, name):
        found = [o for o in self.all(kind) if o["metadata"]["name"] == name]
        if len(found) != 1:
            raise AssertionError(f"expected one {kind} {name}, found {len(found)}")
        return found[0]

    def has(self, kind, name):
        return any(o["metadata"]["name"] == name for o in self.all(kind))

    def deployment(self):
        """The chart's one Deployment, named after the mode's component (see DEPLOYMENT)."""
        found = self.all("Deployment")
        if len(found) != 1:
            raise AssertionError(f"expected one Deployment, found {len(found)}")
        return found[0]


def render(values=None, *extra):
    result = run_helm("template", RELEASE, CHART, "--namespace", NAMESPACE, *extra, values=values)
    if result.returncode != 0:
        raise AssertionError(f"helm template failed for {values}:\n{result.stderr}")
    return Rendered(result.stdout)


def pod_containers(pod_spec):
    """Every container of a pod spec, native sidecars (init containers) included."""
    return pod_spec.get("initContainers", []) + pod_spec["containers"]


def notes(values=None):
    """NOTES.txt as `helm install` prints it (helm template does not render it), for Helm's default cluster
    version: a client-side dry run reaches no cluster."""
    result = run_helm("install", RELEASE, CHART, "--namespace", NAMESPACE, "--dry-run=client", values=values)
    if result.returncode != 0:
        raise AssertionError(f"helm install --dry-run failed for {values}:\n{result.stderr}")
    return result.stdout.split("\nNOTES:\n", 1)[1]


def container(deployment, name):
    return next(c for c in pod_containers(deployment["spec"]["template"]["spec"]) if c["name"] == name)


def flag_value(args, flag):
    return args[args.index(flag) + 1]


class ChartCase(unittest.TestCase):
    maxDiff = None

    def scheduler_config(self, r):
        cm = r.get("ConfigMap", f"{FULLNAME}-scheduler")
        return yaml.safe_load(cm["data"]["config.yaml"])

    def snippets(self, r):
        data = r.get("ConfigMap", f"{FULLNAME}-scheduler-snippets")["data"]
        return yaml.safe_load(data["scheduler-extenders.yaml"]), yaml.safe_load(data["scheduler-policy.yaml"])

    def only_extender(self, config):
        self.assertEqual(len(config["extenders"]), 1)
        return config["extenders"][0]

    def assert_rejected(self, values, *expected_in_stderr):
        result = run_helm("template", RELEASE, CHART, "--namespace", NAMESPACE, values=values)
        self.assertNotEqual(result.returncode, 0, f"helm accepted {values}")
        for text in expected_in_stderr:
            self.assertIn(text, result.stderr)


class LintTest(ChartCase):
    def test_lint_is_clean_for_both_modes_and_tls(self):
        for values in ({}, {"mode": "extenderOnly"},
                       {"mode": "extenderOnly", "tls": {"enabled": True, "existingSecret": "ext-tls"}}):
            with self.subTest(values=values):
                result = run_helm("lint", "--strict", CHART, values=values)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


class SecondSchedulerTest(ChartCase):
    def test_extender_entry_calls_the_sidecar_over_loopback(self):
        r = render()
        config = self.scheduler_config(r)
        self.assertEqual(config["apiVersion"], "kubescheduler.config.k8s.io/v1")
        self.assertEqual(config["kind"], "KubeSchedulerConfiguration")
        self.assertEqual([p["schedulerName"] for p in config["profiles"]], ["epc-scheduler"])
        ext = self.only_extender(config)
        self.assertLessEqual(set(ext), V1_EXTENDER_KEYS)
        self.assertEqual(ext["urlPrefix"], "http://127.0.0.1:8888")
        self.assertEqual((ext["filterVerb"], ext["prioritizeVerb"], ext["preemptVerb"]),
                         ("filter", "prioritize", "preempt"))
        self.assertEqual(ext["bindVerb"], "bind", "extender.bind defaults to true")
        self.assertEqual(ext["weight"], 1)
        self.assertIs(ext["nodeCacheCapable"], True)
        self.assertIs(ext["ignorable"], False)
        self.assertIs(ext["enableHTTPS"], False)
        self.assertEqual(ext["httpTimeout"], "5s")
        self.assertNotIn("managedResources", ext, "steerNonEpcPods defaults to true")

    def test_sidecar_serves_the_verbs_on_loopback_at_the_port_kube_scheduler_calls(self):
        r = render({"extender": {"port": 9443, "monitoringPort": 9090, "pathPrefix": "sgx/"}})
        ext = self.only_extender(self.scheduler_config(r))
        self.assertEqual(ext["urlPrefix"], "http://127.0.0.1:9443/sgx")
        args = container(r.deployment(), "epc-extender")["args"]
        self.assertEqual(args[0], "serve")
        self.assertEqual(flag_value(args, "--listen"), "127.0.0.1:9443")
        self.assertEqual(flag_value(args, "--monitoring-listen"), "0.0.0.0:9090")
        self.assertEqual(flag_value(args, "--prefix"), "/sgx")
        self.assertNotIn("--tls-cert-file", args)
        self.assertNotIn("--cluster-file", args, "in-cluster state, not a demo file")

    def test_log_level_and_format_reach_the_extender(self):
        for mode in ("secondScheduler", "extenderOnly"):
            with self.subTest(mode=mode):
                args = container(render({"mode": mode}).deployment(), "epc-extender")["args"]
                self.assertEqual((flag_value(args, "--log-level"), flag_value(args, "--log-format")),
                                 ("info", "json"))
        r = render({"extender": {"logLevel": "debug", "logFormat": "text"}})
        args = container(r.deployment(), "epc-extender")["args"]
        self.assertEqual((flag_value(args, "--log-level"), flag_value(args, "--log-format")), ("debug", "text"))

    def test_connection_limits_and_shutdown_grace_reach_the_extender(self):
        flags = ("--read-timeout", "--idle-timeout", "--max-connections", "--shutdown-grace-period")
        for mode in ("secondScheduler", "extenderOnly"):
            with self.subTest(mode=mode):
                deployment = render({"mode": mode}).deployment()
                args = container(deployment, "epc-extender")["args"]
                self.assertEqual([flag_value(args, flag) for flag in flags], ["30s", "2m", "1000", "10s"])
                self.assertEqual(deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"], 30)
        limits = {"readTimeout": "10s", "idleTimeout": "3m", "maxConnections": 0, "shutdownGracePeriod": "1m"}
        deployment = render({"extender": limits}).deployment()
        args = container(deployment, "epc-extender")["args"]
        self.assertEqual([flag_value(args, flag) for flag in flags], ["10s", "3m", "0", "1m"])
        # A large count stays a whole number (a values file's numbers reach templates as floats).
        args = container(render({"extender": {"maxConnections": 2000000}}).deployment(), "epc-extender")["args"]
        self.assertEqual(flag_value(args, "--max-connections"), "2000000")
        # The pod gets the grace period and 5 s for the process to exit; kubelet kills it after that.
        self.assertEqual(deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"], 65)
        # kube-scheduler must give up on a call before the extender closes its connection.
        self.assert_rejected({"extender": {"readTimeout": "5s", "httpTimeout": "5s"}},
                             "extender.readTimeout (5s) must be longer than extender.httpTimeout (5s)")
        self.assert_rejected({"extender": {"readTimeout": "1m", "httpTimeout": "60001ms"}}, "extender.readTimeout")
        render({"extender": {"readTimeout": "5001ms", "httpTimeout": "5s"}})
        # A flag the chart renders from a value cannot come again through extraArgs: the binary would refuse it.
        self.assert_rejected({"extender": {"extraArgs": ["--read-timeout", "10s"]}},
                             "--read-timeout comes from extender.readTimeout")
        self.assert_rejected({"extender": {"extraArgs": ["--log-level=debug"]}}, "--log-level comes from extender.logLevel")
        args = container(render({"extender": {"extraArgs": ["--max-body-bytes", "128Mi"]}}).deployment(),
                         "epc-extender")["args"]
        self.assertEqual(flag_value(args, "--max-body-bytes"), "128Mi")
        for grace, seconds in (("40s", 45), ("25001ms", 31), ("1500ms", 30), ("0s", 30)):
            with self.subTest(shutdownGracePeriod=grace):
                spec = render({"extender": {"shutdownGracePeriod": grace}}).deployment()["spec"]
                self.assertEqual(spec["template"]["spec"]["terminationGracePeriodSeconds"], seconds)

    @unittest.skipUnless(os.environ.get("EPC_EXTENDER_BINARY"), "needs the built epc-extender")
    def test_the_binary_accepts_every_rendered_flag(self):
        # `serve ... --help` parses every flag before --help and exits 0 only when all are valid.
        for values in ({}, {"extender": {"logLevel": "warning", "logFormat": "text", "pathPrefix": "/sgx"}},
                       {"mode": "extenderOnly"},
                       {"extender": {"httpTimeout": "200ms", "readTimeout": "500ms", "idleTimeout": "3m",
                                     "maxConnections": 0, "shutdownGracePeriod": "0s", "startupWait": "150ms",
                                     "recheck": {"timeout": "100ms"}}},
                       {"extender": {"startupWait": "0s", "port": 9000, "monitoringPort": 9001}},
                       {"mode": "extenderOnly", "extender": {"httpTimeout": "1m", "startupWait": "59s",
                                                             "readTimeout": "2m"}},
                       {"extender": {"recheck": {"reads": 0, "timeout": "250ms", "qps": 1}}},
                       {"extender": {"recheck": {"reads": 1000000, "timeout": "4s", "qps": 1000000}}}):
            with self.subTest(values=values):
                args = container(render(values).deployment(), "epc-extender")["args"]
                result = subprocess.run([os.environ["EPC_EXTENDER_BINARY"], *args, "--help"], capture_output=True,
                                        text=True, timeout=30, check=False)
                self.assertEqual(result.returncode, 0, f"{args}: {result.stderr}")

    def test_single_replica_runs_without_leader_election_and_never_overlaps(self):
        r = render()
        election = self.scheduler_config(r)["leaderElection"]
        self.assertIs(election["leaderElect"], False)
        self.assertEqual(r.deployment()["spec"]["strategy"]["type"], "Recreate")

    def test_three_replicas_elect_a_leader_on_a_lease_named_after_the_release(self):
        r = render({"scheduler": {"replicas": 3}})
        election = self.scheduler_config(r)["leaderElection"]
        self.assertIs(election["leaderElect"], True)
        self.assertEqual(election["resourceLock"], "leases")
        self.assertEqual(election["resourceName"], FULLNAME)
        self.assertEqual(election["resourceNamespace"], NAMESPACE)
        deployment = r.deployment()
        self.assertEqual(deployment["spec"]["replicas"], 3)
        self.assertEqual(deployment["spec"]["strategy"]["type"], "RollingUpdate")
        role = r.get("Role", f"{FULLNAME}-leader-election")
        self.assertEqual(role["metadata"]["namespace"], NAMESPACE)
        named = [rule for rule in role["rules"] if rule.get("resourceNames")]
        self.assertEqual(len(named), 1)
        self.assertEqual(named[0]["resourceNames"], [election["resourceName"]])
        self.assertEqual(set(named[0]["verbs"]), {"get", "update"})
        for rule in role["rules"]:
            self.assertEqual((rule["apiGroups"], rule["resources"]), (["coordination.k8s.io"], ["leases"]))

    def test_leader_election_can_be_forced_on_for_one_replica(self):
        r = render({"scheduler": {"leaderElection": {"enabled": True}}})
        self.assertIs(self.scheduler_config(r)["leaderElection"]["leaderElect"], True)

    def test_in_tree_scoring_follows_the_strategy(self):
        def profile(values):
            return self.scheduler_config(render(values))["profiles"][0]

        def fit_strategy(p):
            fit = next(c for c in p["pluginConfig"] if c["name"] == "NodeResourcesFit")
            return fit["args"]["scoringStrategy"]["type"]

        binpack = profile({})
        self.assertEqual(fit_strategy(binpack), "MostAllocated")
        self.assertIn({"name": "NodeResourcesBalancedAllocation"}, binpack["plugins"]["score"]["disabled"])
        self.assertEqual(fit_strategy(profile({"scoring": {"strategy": "spread"}})), "LeastAllocated")
        weighted = profile({"scheduler": {"balancedAllocationWeight": 2}})
        self.assertEqual(weighted["plugins"]["score"]["enabled"],
                         [{"name": "NodeResourcesBalancedAllocation", "weight": 2}])
        self.assertNotIn("disabled", weighted["plugins"]["score"])
        no_fit = profile({"scheduler": {"nodeResourcesFitScoring": "disabled"}})
        self.assertIn({"name": "NodeResourcesFit"}, no_fit["plugins"]["score"]["disabled"])
        self.assertNotIn("pluginConfig", no_fit)

    def test_scheduler_rbac_uses_the_built_in_roles(self):
        r = render()
        roles = {b["roleRef"]["name"] for b in r.all("ClusterRoleBinding")}
        self.assertLessEqual({"system:kube-scheduler", "system:volume-scheduler"}, roles)
        for binding in r.all("ClusterRoleBinding") + r.all("RoleBinding"):
            self.assertEqual(binding["subjects"],
                             [{"kind": "ServiceAccount", "name": FULLNAME, "namespace": NAMESPACE}])

    def test_config_files_are_mounted_where_the_flags_point(self):
        r = render()
        deployment = r.deployment()
        pod = deployment["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        scheduler = container(deployment, "kube-scheduler")
        config_flag = next(a for a in scheduler["args"] if a.startswith("--config="))
        mount = next(m for m in scheduler["volumeMounts"] if m["name"] == "scheduler-config")
        self.assertEqual(config_flag, f"--config={mount['mountPath']}/config.yaml")
        self.assertEqual(volumes["scheduler-config"]["configMap"]["name"], f"{FULLNAME}-scheduler")
        extender = container(deployment, "epc-extender")
        mount = next(m for m in extender["volumeMounts"] if m["name"] == "scoring-config")
        self.assertEqual(flag_value(extender["args"], "--config"), f"{mount['mountPath']}/scoring.yaml")
        self.assertEqual(volumes["scoring-config"]["configMap"]["name"], f"{FULLNAME}-scoring")
        self.assertNotIn("subPath", mount, "a subPath mount never sees ConfigMap updates")

    def test_tls_is_refused_in_this_mode(self):
        self.assert_rejected({"tls": {"enabled": True, "existingSecret": "s"}}, "extenderOnly")

    def test_needs_kubernetes_1_25_for_the_v1_configuration(self):
        result = run_helm("template", RELEASE, CHART, "--kube-version", "1.24.0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("1.25", result.stderr)
        # 1.23 and 1.24 have no Policy file any more: the advice must be the v1beta3 stanza.
        self.assertIn("on 1.23 and 1.24 put its extenders: stanza", result.stderr)
        self.assertIn("v1beta3", result.stderr)
        self.assertIn("Policy file works only before 1.23", result.stderr)
        self.assertNotIn("its Policy file)", result.stderr)


class ExtenderEntryTest(ChartCase):
    """Values that shape the extender entry, checked in the second scheduler's configuration."""

    def test_the_extender_reads_its_state_writes_events_and_binds_unless_told_not_to(self):
        events = {"apiGroups": ["", "events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch"]}
        for mode in ("secondScheduler", "extenderOnly"):
            for bind in (None, False, True):  # None: the default, which binds
                with self.subTest(mode=mode, bind=bind):
                    r = render({"mode": mode} if bind is None else {"mode": mode, "extender": {"bind": bind}})
                    if bind is None:
                        bind = True
                    if mode == "secondScheduler":
                        ext = self.only_extender(self.scheduler_config(r))
                        self.assertEqual(ext.get("bindVerb"), "bind" if bind else None)
                    else:
                        stanza, policy = self.snippets(r)
                        for entry in (self.only_extender(stanza), self.only_extender(policy)):
                            self.assertEqual(entry.get("bindVerb"), "bind" if bind else None)
                    rules = r.get("ClusterRole", f"{NAMESPACE}-{FULLNAME}-extender")["rules"]
                    reads = [x for x in rules if set(x["verbs"]) <= {"get", "list", "watch"}]
                    writes = [x for x in rules if set(x["verbs"]) & WRITE_VERBS]
                    self.assertEqual(reads, [{"apiGroups": [""], "resources": ["nodes", "pods"],
                                              "verbs": ["get", "list", "watch"]}])
                    binding = {"apiGroups": [""], "resources": ["pods/binding"], "verbs": ["create"]}
                    self.assertEqual(writes, [events, binding] if bind else [events])
                    self.assertEqual(len(rules), len(reads) + len(writes))

    def test_no_role_of_the_chart_grants_other_writes(self):
        r = render({"extender": {"bind": True}, "scheduler": {"replicas": 3}})
        for role in r.all("ClusterRole") + r.all("Role"):
            for rule in role["rules"]:
                writes = set(rule["verbs"]) & WRITE_VERBS
                if not writes:
                    continue
                allowed = rule["resources"] in (["pods/binding"], ["leases"], ["events"])
                self.assertTrue(allowed, f"{role['metadata']['name']} writes {rule}")
                self.assertNotIn("*", rule["verbs"])
                if rule["resources"] == ["events"]:
                    self.assertEqual(set(writes), {"create", "patch"}, "Events are never updated or deleted")

    def test_without_steering_only_epc_pods_reach_the_extender(self):
        for ignored in (False, True):
            with self.subTest(ignoredByScheduler=ignored):
                r = render({"extender": {"steerNonEpcPods": False, "ignoredByScheduler": ignored,
                                         "acknowledgeNoEpcPreemption": True}})
                ext = self.only_extender(self.scheduler_config(r))
                self.assertEqual(ext["managedResources"],
                                 [{"name": n, "ignoredByScheduler": ignored} for n in EPC_RESOURCES])

    def test_ignored_by_scheduler_needs_managed_resources(self):
        self.assert_rejected({"extender": {"ignoredByScheduler": True, "acknowledgeNoEpcPreemption": True}},
                             "steerNonEpcPods")

    def test_ignored_by_scheduler_needs_the_loss_of_epc_preemption_acknowledged(self):
        # On kube-scheduler v1.30 a pod whose EPC only lower-priority pods hold then stays pending forever.
        for mode in ("secondScheduler", "extenderOnly"):
            with self.subTest(mode=mode):
                values = {"mode": mode, "extender": {"steerNonEpcPods": False, "ignoredByScheduler": True}}
                self.assert_rejected(values, "extender.acknowledgeNoEpcPreemption=true",
                                     "preemption dry run", "preempt verb is never asked")
                values["extender"]["acknowledgeNoEpcPreemption"] = True
                render(values)

    def test_other_entry_values_reach_the_entry(self):
        r = render({"extender": {"weight": 5, "nodeCacheCapable": False, "ignorable": True,
                                 "httpTimeout": "750ms", "startupWait": "500ms", "preempt": False,
                                 "recheck": {"timeout": "500ms"}}})
        ext = self.only_extender(self.scheduler_config(r))
        self.assertEqual((ext["weight"], ext["nodeCacheCapable"], ext["ignorable"], ext["httpTimeout"]),
                         (5, False, True, "750ms"))
        self.assertNotIn("preemptVerb", ext)

    def test_prioritize_off_allows_weight_zero(self):
        r = render({"extender": {"prioritize": False, "weight": 0}})
        ext = self.only_extender(self.scheduler_config(r))
        self.assertNotIn("prioritizeVerb", ext)
        self.assertEqual(ext["weight"], 0)

    def test_scoring_config_has_exactly_the_scoring_keys(self):
        r = render({"scoring": {"strategy": "spread",
                                "nonEpcPods": {"policy": "require-general", "confidentialNodeScore": 7}}})
        scoring = yaml.safe_load(r.get("ConfigMap", f"{FULLNAME}-scoring")["data"]["scoring.yaml"])
        self.assertEqual(scoring, {"apiVersion": "epc-extender.io/v1alpha1", "kind": "ScoringConfig",
                                   "strategy": "spread",
                                   "nonEpcPods": {"policy": "require-general", "confidentialNodeScore": 7},
                                   "extender": {"weight": 1, "verbs": ["filter", "prioritize", "preempt", "bind"]},
                                   "consolidation": {"enabled": False, "dryRun": False}})

    def test_consolidation_gets_its_section_and_only_then_its_rbac(self):
        r = render({"scoring": {"consolidation": {"enabled": True, "interval": "5m",
                                                  "quietHours": ["22:00-06:00"]}}})
        scoring = yaml.safe_load(r.get("ConfigMap", f"{FULLNAME}-scoring")["data"]["scoring.yaml"])
        self.assertEqual(scoring["consolidation"], {"enabled": True, "dryRun": False, "interval": "5m",
                                                    "quietHours": ["22:00-06:00"]})
        rules = r.get("ClusterRole", f"{NAMESPACE}-{FULLNAME}-extender")["rules"]
        for rule in ({"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]},
                     {"apiGroups": [""], "resources": ["nodes"], "verbs": ["patch"]},
                     {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": ["list"]}):
            self.assertIn(rule, rules)
        lease = r.get("Role", f"{FULLNAME}-consolidation")["rules"]
        self.assertIn({"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
                       "resourceNames": ["epc-extender-consolidation"], "verbs": ["get", "update"]}, lease)
        binding = r.get("RoleBinding", f"{FULLNAME}-consolidation")
        self.assertEqual(binding["roleRef"]["name"], f"{FULLNAME}-consolidation")
        # The lease names its holder by pod, in the pod's namespace.
        extender = [c for c in pod_containers(r.deployment()["spec"]["template"]["spec"])
                    if c["name"] == "epc-extender"][0]
        env = {e["name"]: e for e in extender.get("env", [])}
        self.assertEqual(env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name")
        self.assertEqual(env["POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.namespace")

        off = render({})
        off_rules = off.get("ClusterRole", f"{NAMESPACE}-{FULLNAME}-extender")["rules"]
        self.assertFalse([x for x in off_rules if x["resources"] in (["pods/eviction"], ["nodes"])
                          and set(x["verbs"]) & WRITE_VERBS])
        self.assertFalse([x for x in off.all("Role") if x["metadata"]["name"].endswith("-consolidation")])

    def test_scoring_config_tells_the_extender_the_weight_and_verbs_kube_scheduler_uses(self):
        r = render({"extender": {"weight": 3, "bind": True, "preempt": False}})
        scoring = yaml.safe_load(r.get("ConfigMap", f"{FULLNAME}-scoring")["data"]["scoring.yaml"])
        ext = self.only_extender(self.scheduler_config(r))
        self.assertEqual(scoring["extender"], {"weight": ext["weight"], "verbs": ["filter", "prioritize", "bind"]})
        self.assertEqual(ext["bindVerb"], "bind")
        self.assertNotIn("preemptVerb", ext)

    @unittest.skipUnless(os.environ.get("EPC_EXTENDER_BINARY"), "needs the built epc-extender")
    def test_default_scoring_config_means_the_repository_default(self):
        # The chart renders only the keys it has values for; what must agree is the effective config
        # the extender derives from it, as `epc-extender config print` shows it, verbs included (the chart
        # binds by default, and so does config/default.yaml's extender entry).
        binary = os.environ["EPC_EXTENDER_BINARY"]
        rendered = render().get("ConfigMap", f"{FULLNAME}-scoring")["data"]["scoring.yaml"]
        self.assertEqual(yaml.safe_load(rendered)["extender"]["verbs"], ["filter", "prioritize", "preempt", "bind"])
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            f.write(rendered)
            f.flush()
            from_chart = subprocess.run([binary, "config", "print", f.name], capture_output=True,
                                        text=True, timeout=30)
        from_repo = subprocess.run([binary, "config", "print", os.path.join(REPO, "config", "default.yaml")],
                                   capture_output=True, text=True, timeout=30)
        self.assertEqual(from_chart.returncode, 0, from_chart.stderr)
        self.assertEqual(from_repo.returncode, 0, from_repo.stderr)
        self.assertEqual(from_chart.stdout, from_repo.stdout)


class ExtenderOnlyTest(ChartCase):
    def test_extender_runs_alone_behind_a_service(self):
        r = render({"mode": "extenderOnly"})
        deployment = r.deployment()
        self.assertEqual([c["name"] for c in deployment["spec"]["template"]["spec"]["containers"]],
                         ["epc-extender"])
        service = r.get("Service", FULLNAME)
        self.assertEqual(service["spec"]["selector"], deployment["spec"]["selector"]["matchLabels"])
        self.assertEqual([p["targetPort"] for p in service["spec"]["ports"]], ["http", "monitoring"])
        self.assertFalse(r.has("ConfigMap", f"{FULLNAME}-scheduler"))
        self.assertEqual(r.all("Role"), [])
        roles = {b["roleRef"]["name"] for b in r.all("ClusterRoleBinding")}
        self.assertEqual(roles, {f"{NAMESPACE}-{FULLNAME}-extender"})

    def test_v1_stanza_and_legacy_policy_agree_in_their_own_dialects(self):
        r = render({"mode": "extenderOnly", "extender": {"httpTimeout": "3s", "startupWait": "2s", "weight": 2}})
        stanza, policy = self.snippets(r)
        ext = self.only_extender(stanza)
        self.assertLessEqual(set(ext), V1_EXTENDER_KEYS)
        self.assertEqual(ext["urlPrefix"], f"http://{FULLNAME}.{NAMESPACE}.svc:8888")
        self.assertEqual(ext["httpTimeout"], "3s")
        self.assertIs(ext["enableHTTPS"], False)
        self.assertEqual((policy["kind"], policy["apiVersion"]), ("Policy", "v1"))
        legacy = self.only_extender(policy)
        self.assertLessEqual(set(legacy), LEGACY_EXTENDER_KEYS)
        self.assertIs(legacy["enableHttps"], False)
        self.assertNotIn("enableHTTPS", legacy)
        self.assertEqual(legacy["httpTimeout"], 3_000_000_000)
        self.assertIsInstance(legacy["httpTimeout"], int)
        common = {k: v for k, v in ext.items() if k not in {"httpTimeout", "enableHTTPS"}}
        self.assertEqual({k: v for k, v in legacy.items() if k not in {"httpTimeout", "enableHttps"}}, common)

    def test_only_epc_pods_reach_the_extender_unless_steering_is_asked_for(self):
        ext = self.only_extender(self.snippets(render({"mode": "extenderOnly"}))[0])
        self.assertEqual([m["name"] for m in ext["managedResources"]],
                         ["sgx.intel.com/epc", "kubernetes.azure.com/sgx_epc_mem_in_MiB",
                          "alibabacloud.com/sgx_epc_MiB"])
        steering = render({"mode": "extenderOnly", "extender": {"steerNonEpcPods": True}})
        self.assertNotIn("managedResources", self.only_extender(self.snippets(steering)[0]))

    def test_policy_timeout_is_nanoseconds_for_every_unit(self):
        for text, nanos in (("750ms", 750_000_000), ("5s", 5_000_000_000), ("2m", 120_000_000_000)):
            with self.subTest(httpTimeout=text):
                # The read timeout must stay longer than the call timeout, the recheck timeout shorter.
                extender = {"httpTimeout": text, "readTimeout": "3m", "startupWait": "0s",
                            "recheck": {"timeout": "500ms"}}
                _, policy = self.snippets(render({"mode": "extenderOnly", "extender": extender}))
                self.assertEqual(self.only_extender(policy)["httpTimeout"], nanos)

    def test_pinned_cluster_ip_and_explicit_url(self):
        r = render({"mode": "extenderOnly", "service": {"clusterIP": "10.0.0.99"}})
        self.assertEqual(self.only_extender(self.snippets(r)[0])["urlPrefix"], "http://10.0.0.99:8888")
        self.assertEqual(r.get("Service", FULLNAME)["spec"]["clusterIP"], "10.0.0.99")
        r = render({"mode": "extenderOnly", "extenderOnly": {"urlPrefix": "http://10.1.2.3:30888/x"}})
        self.assertEqual(self.only_extender(self.snippets(r)[0])["urlPrefix"], "http://10.1.2.3:30888/x")

    def test_tls_from_an_existing_secret_with_client_auth(self):
        r = render({"mode": "extenderOnly",
                    "tls": {"enabled": True, "existingSecret": "ext-tls", "clientAuth": True,
                            "existingClientSecret": "sched-client"}})
        deployment = r.deployment()
        extender = container(deployment, "epc-extender")
        args = extender["args"]
        mount = next(m for m in extender["volumeMounts"] if m["name"] == "tls")["mountPath"]
        self.assertEqual(flag_value(args, "--tls-cert-file"), f"{mount}/tls.crt")
        self.assertEqual(flag_value(args, "--tls-private-key-file"), f"{mount}/tls.key")
        self.assertEqual(flag_value(args, "--client-ca-file"), f"{mount}/ca.crt")
        volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
        self.assertEqual(volumes["tls"]["secret"]["secretName"], "ext-tls")
        # Kubelet has no client certificate: the probes use the plain-HTTP monitoring listener.
        for probe in ("livenessProbe", "readinessProbe"):
            self.assertEqual(extender[probe]["httpGet"]["port"], "monitoring")
            self.assertEqual(extender[probe]["httpGet"]["scheme"], "HTTP")
        stanza, policy = self.snippets(r)
        ext = self.only_extender(stanza)
        self.assertTrue(ext["urlPrefix"].startswith("https://"), "enableHTTPS does not change the scheme")
        self.assertIs(ext["enableHTTPS"], True)
        self.assertEqual(ext["tlsConfig"], {"serverName": f"{FULLNAME}.{NAMESPACE}.svc",
                                            "caFile": "/etc/kubernetes/epc-extender/ca.crt",
                                            "certFile": "/etc/kubernetes/epc-extender/client.crt",
                                            "keyFile": "/etc/kubernetes/epc-extender/client.key"})
        legacy = self.only_extender(policy)
        self.assertIs(legacy["enableHttps"], True)
        self.assertEqual(legacy["tlsConfig"], ext["tlsConfig"])

    def test_tls_server_only_probes_the_plain_monitoring_listener(self):
        r = render({"mode": "extenderOnly", "tls": {"enabled": True, "existingSecret": "ext-tls"}})
        extender = container(r.deployment(), "epc-extender")
        self.assertEqual(extender["readinessProbe"]["httpGet"], {"path": "/readyz", "port": "monitoring",
                                                                  "scheme": "HTTP"})
        self.assertNotIn("--client-ca-file", extender["args"])
        self.assertNotIn("certFile", self.only_extender(self.snippets(r)[0])["tlsConfig"])

    def test_tls_from_cert_manager(self):
        r = render({"mode": "extenderOnly",
                    "tls": {"enabled": True, "clientAuth": True,
                            "certManager": {"enabled": True, "issuerRef": {"name": "ca-issuer"}}}})
        server = r.get("Certificate", FULLNAME)
        self.assertIn(f"{FULLNAME}.{NAMESPACE}.svc", server["spec"]["dnsNames"])
        volumes = {v["name"]: v for v in r.deployment()["spec"]["template"]["spec"]["volumes"]}
        self.assertEqual(volumes["tls"]["secret"]["secretName"], server["spec"]["secretName"])
        client = r.get("Certificate", f"{FULLNAME}-scheduler-client")
        self.assertIn("client auth", client["spec"]["usages"])
        self.assertEqual(client["spec"]["issuerRef"]["name"], "ca-issuer")

    def test_tls_needs_a_certificate_source(self):
        self.assert_rejected({"mode": "extenderOnly", "tls": {"enabled": True}}, "existingSecret")
        self.assert_rejected({"mode": "extenderOnly",
                              "tls": {"enabled": True, "existingSecret": "s", "clientAuth": True}},
                             "existingClientSecret")

    def test_bind_with_several_replicas_is_refused(self):
        self.assert_rejected({"mode": "extenderOnly", "extender": {"bind": True, "replicas": 2}},
                             "extender.replicas")
        # bind is the default, so several replicas need it turned off.
        self.assert_rejected({"mode": "extenderOnly", "extender": {"replicas": 2}}, "extender.replicas")
        r = render({"mode": "extenderOnly", "extender": {"bind": False, "replicas": 2}})
        self.assertEqual(r.deployment()["spec"]["replicas"], 2)
        self.assertNotIn("bindVerb", self.only_extender(self.snippets(r)[0]))

    def test_renders_for_pre_1_23_clusters(self):
        r = render({"mode": "extenderOnly"}, "--kube-version", "1.22.0")
        self.assertEqual(self.snippets(r)[1]["kind"], "Policy")


class ProductionDefaultsTest(ChartCase):
    def pods(self):
        for values in ({}, {"mode": "extenderOnly"}):
            r = render(values)
            yield values, r, r.deployment()["spec"]["template"]["spec"]
        # A kube-scheduler older than 1.29: the extender is an ordinary container.
        r = render({}, "--kube-version", "1.28.9")
        yield "1.28", r, r.deployment()["spec"]["template"]["spec"]

    def test_pods_are_locked_down(self):
        for values, _, pod in self.pods():
            with self.subTest(values=values):
                self.assertIs(pod["securityContext"]["runAsNonRoot"], True)
                self.assertEqual(pod["securityContext"]["runAsUser"], 65532)
                self.assertEqual(pod["securityContext"]["seccompProfile"], {"type": "RuntimeDefault"})
                for c in pod_containers(pod):
                    sc = c["securityContext"]
                    self.assertIs(sc["readOnlyRootFilesystem"], True, c["name"])
                    self.assertIs(sc["allowPrivilegeEscalation"], False, c["name"])
                    self.assertEqual(sc["capabilities"]["drop"], ["ALL"], c["name"])
                    self.assertEqual(set(c["resources"]), {"requests", "limits"}, c["name"])
                    self.assertIn("livenessProbe", c)
                    self.assertIn("readinessProbe", c)
                extender = next(c for c in pod_containers(pod) if c["name"] == "epc-extender")
                self.assertEqual(extender["livenessProbe"]["httpGet"]["path"], "/healthz")
                self.assertEqual(extender["readinessProbe"]["httpGet"]["path"], "/readyz")

    def test_every_object_has_the_recommended_labels(self):
        for values, r, _ in self.pods():
            for obj in r.objects:
                labels = obj["metadata"]["labels"]
                for key in ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
                            "app.kubernetes.io/managed-by", "app.kubernetes.io/component", "helm.sh/chart"):
                    self.assertIn(key, labels, f"{obj['kind']} {obj['metadata']['name']} ({values})")

    def test_default_image_is_what_the_dockerfile_builds(self):
        with open(os.path.join(CHART, "Chart.yaml"), encoding="utf-8") as f:
            app_version = yaml.safe_load(f)["appVersion"]
        with open(os.path.join(REPO, "CMakeLists.txt"), encoding="utf-8") as f:
            project_version = re.search(r"project\(epc-extender VERSION ([0-9.]+)", f.read()).group(1)
        self.assertEqual(app_version, project_version)
        r = render()
        extender = container(r.deployment(), "epc-extender")
        self.assertEqual(extender["image"], f"epc-extender:{app_version}")
        with open(os.path.join(REPO, "Dockerfile"), encoding="utf-8") as f:
            dockerfile = f.read()
        self.assertIn(f"docker build -t epc-extender:{app_version} .", dockerfile)
        self.assertIn('ENTRYPOINT ["/usr/local/bin/epc-extender"]', dockerfile)
        self.assertIn("USER 65532:65532", dockerfile)

    def test_image_digest_pins_the_image(self):
        digest = "sha256:" + "ab" * 32
        r = render({"image": {"digest": digest}, "scheduler": {"image": {"digest": digest}}})
        deployment = r.deployment()
        self.assertEqual(container(deployment, "epc-extender")["image"], f"epc-extender@{digest}")
        self.assertEqual(container(deployment, "kube-scheduler")["image"],
                         f"registry.k8s.io/kube-scheduler@{digest}")

    def test_optional_objects(self):
        r = render({"mode": "extenderOnly", "serviceMonitor": {"enabled": True},
                    "networkPolicy": {"enabled": False}, "priorityClassName": "system-cluster-critical",
                    "podDisruptionBudget": {"enabled": False}})
        self.assertEqual(r.all("NetworkPolicy"), [])
        self.assertEqual(r.all("PodDisruptionBudget"), [])
        pod = r.deployment()["spec"]["template"]["spec"]
        self.assertEqual(pod["priorityClassName"], "system-cluster-critical")
        default = render()
        self.assertEqual(default.get("PodDisruptionBudget", FULLNAME)["spec"]["maxUnavailable"], 1)
        self.assertEqual(default.all("ServiceMonitor"), [])
        self.assertEqual(len(default.all("NetworkPolicy")), 1, "on by default")

    def test_service_monitor_scrapes_the_plain_monitoring_port_in_both_modes(self):
        tls = {"enabled": True, "existingSecret": "ext-tls", "clientAuth": True, "existingClientSecret": "c"}
        for values in ({}, {"mode": "extenderOnly"}, {"mode": "extenderOnly", "tls": tls}):
            with self.subTest(values=values):
                r = render({**values, "serviceMonitor": {"enabled": True}})
                endpoint = r.get("ServiceMonitor", FULLNAME)["spec"]["endpoints"][0]
                self.assertEqual((endpoint["port"], endpoint["scheme"], endpoint["path"]),
                                 ("monitoring", "http", "/metrics"))
                self.assertNotIn("tlsConfig", endpoint)
                ports = {p["name"]: p for p in r.get("Service", FULLNAME)["spec"]["ports"]}
                self.assertEqual(ports["monitoring"]["targetPort"], "monitoring")

    def test_helm_test_pod_checks_readiness_and_posts_a_filter_where_the_verbs_are_reachable(self):
        for mode in ("secondScheduler", "extenderOnly"):
            with self.subTest(mode=mode):
                r = render({"mode": mode, "extender": {"pathPrefix": "/sgx"},
                            "helmTest": {"image": {"tag": "8.0.0"}}})
                pod = r.get("Pod", f"{FULLNAME}-test")
                self.assertEqual(pod["metadata"]["annotations"]["helm.sh/hook"], "test")
                # Not one of the extender's pods: the Service, PDB and NetworkPolicy must not select it.
                selector = r.get("Service", FULLNAME)["spec"]["selector"]
                self.assertFalse(selector.items() <= pod["metadata"]["labels"].items())
                self.assertEqual(pod["metadata"]["labels"]["app.kubernetes.io/component"], "helm-test")
                c = pod["spec"]["containers"][0]
                self.assertEqual(c["image"], "curlimages/curl:8.0.0")
                env = {e["name"]: e["value"] for e in c["env"]}
                self.assertEqual(env["MONITORING_URL"], f"http://{FULLNAME}.{NAMESPACE}.svc:8889")
                self.assertEqual(env["PREFIX"], "/sgx")
                script = c["args"][0]
                self.assertIn('"$MONITORING_URL/readyz"', script)
                self.assertIn('[ "$code" = 404 ]', script, "the monitoring port must serve no verbs")
                if mode == "extenderOnly":
                    self.assertEqual(env["VERBS_URL"], f"http://{FULLNAME}.{NAMESPACE}.svc:8888/sgx/filter")
                else:
                    self.assertEqual(env["VERBS_URL"], "", "the verbs are on loopback inside the scheduler's pod")
                request = json.loads(env["REQUEST"])
                self.assertEqual(set(request), {"Pod", "Nodes", "NodeNames"})
                self.assertIn("NodeNames|Error", script)
                self.assertIs(c["securityContext"]["readOnlyRootFilesystem"], True)


class ListenersTest(ChartCase):
    """Who can reach what: the verbs (and /status, /debug/state, which name pods) versus the monitoring port."""

    def test_second_scheduler_keeps_the_verbs_inside_the_pod(self):
        # Done when: with the defaults, a pod elsewhere in the cluster cannot reach the verbs.
        r = render()
        deployment = r.deployment()
        pod = deployment["spec"]["template"]["spec"]
        self.assertFalse(pod.get("hostNetwork", False), "loopback would be the node's")
        extender = container(deployment, "epc-extender")
        self.assertEqual(flag_value(extender["args"], "--listen"), "127.0.0.1:8888")
        self.assertEqual(flag_value(extender["args"], "--monitoring-listen"), "0.0.0.0:8889")
        self.assertEqual(self.only_extender(self.scheduler_config(r))["urlPrefix"], "http://127.0.0.1:8888")
        # Nothing declares or forwards the verbs port: not the containers, not the Service.
        declared = [p["containerPort"] for c in pod_containers(pod) for p in c.get("ports", [])]
        self.assertNotIn(8888, declared)
        self.assertEqual([p["name"] for p in extender["ports"]], ["monitoring"])
        service = r.get("Service", FULLNAME)
        self.assertEqual([(p["name"], p["port"], p["targetPort"]) for p in service["spec"]["ports"]],
                         [("monitoring", 8889, "monitoring")])
        # And the NetworkPolicy, on by default, opens the monitoring port only (kube-scheduler's 10259 stays shut).
        policy = r.get("NetworkPolicy", FULLNAME)
        self.assertEqual(policy["spec"]["podSelector"]["matchLabels"], deployment["spec"]["selector"]["matchLabels"])
        self.assertEqual(policy["spec"]["ingress"], [{"ports": [{"port": "monitoring", "protocol": "TCP"}]}])

    def test_probes_use_the_monitoring_port_in_both_modes(self):
        for mode in ("secondScheduler", "extenderOnly"):
            with self.subTest(mode=mode):
                extender = container(render({"mode": mode}).deployment(), "epc-extender")
                ports = {p["name"]: p["containerPort"] for p in extender["ports"]}
                self.assertEqual(ports["monitoring"], 8889)
                for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                    self.assertEqual(extender[probe]["httpGet"],
                                     {"path": path, "port": "monitoring", "scheme": "HTTP"})

    def test_extender_only_serves_the_verbs_on_the_pod_ip_behind_the_service(self):
        r = render({"mode": "extenderOnly", "extender": {"port": 9443, "monitoringPort": 9090},
                    "service": {"port": 443, "monitoringPort": 9091}})
        extender = container(r.deployment(), "epc-extender")
        self.assertEqual(flag_value(extender["args"], "--listen"), "0.0.0.0:9443")
        self.assertEqual(flag_value(extender["args"], "--monitoring-listen"), "0.0.0.0:9090")
        self.assertEqual({p["name"]: p["containerPort"] for p in extender["ports"]},
                         {"http": 9443, "monitoring": 9090})
        self.assertEqual([(p["name"], p["port"], p["targetPort"]) for p in r.get("Service", FULLNAME)["spec"]["ports"]],
                         [("http", 443, "http"), ("monitoring", 9091, "monitoring")])

    def test_extender_only_network_policy_admits_the_listed_callers_to_the_verbs(self):
        # Default: the verbs port is open to any source (NOTES warn, see below), the monitoring port too.
        r = render({"mode": "extenderOnly"})
        self.assertEqual(r.get("NetworkPolicy", FULLNAME)["spec"]["ingress"],
                         [{"ports": [{"port": "http", "protocol": "TCP"}]},
                          {"ports": [{"port": "monitoring", "protocol": "TCP"}]}])
        control_plane = {"ipBlock": {"cidr": "10.0.0.0/24"}}
        prometheus = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
        r = render({"mode": "extenderOnly",
                    "networkPolicy": {"verbsFrom": [control_plane], "monitoringFrom": [prometheus]}})
        verbs, monitoring = r.get("NetworkPolicy", FULLNAME)["spec"]["ingress"]
        self.assertEqual(verbs["ports"], [{"port": "http", "protocol": "TCP"}])
        self.assertEqual(verbs["from"][0], control_plane)
        # ... and this release's helm test pod, by its labels, from the release namespace only.
        self.assertEqual(len(verbs["from"]), 2)
        test_peer = verbs["from"][1]
        self.assertEqual(set(test_peer), {"podSelector"})
        test_labels = r.get("Pod", f"{FULLNAME}-test")["metadata"]["labels"]
        self.assertLessEqual(test_peer["podSelector"]["matchLabels"].items(), test_labels.items())
        self.assertEqual(monitoring, {"ports": [{"port": "monitoring", "protocol": "TCP"}], "from": [prometheus]})
        without_test = render({"mode": "extenderOnly", "helmTest": {"enabled": False},
                               "networkPolicy": {"verbsFrom": [control_plane]}})
        self.assertEqual(without_test.get("NetworkPolicy", FULLNAME)["spec"]["ingress"][0]["from"], [control_plane])

    def test_notes_warn_when_nothing_protects_the_verbs_in_extender_only_mode(self):
        tls = {"enabled": True, "existingSecret": "ext-tls"}
        verbs_from = {"verbsFrom": [{"ipBlock": {"cidr": "10.0.0.0/24"}}]}
        exposed = [{"mode": "extenderOnly"},
                   {"mode": "extenderOnly", "tls": tls},  # HTTPS alone authenticates nobody
                   {"mode": "extenderOnly", "networkPolicy": {"enabled": False, **verbs_from}}]
        protected = [{"mode": "extenderOnly",
                      "tls": {**tls, "clientAuth": True, "existingClientSecret": "client"}},
                     {"mode": "extenderOnly", "networkPolicy": verbs_from},
                     {}]
        for values in exposed:
            with self.subTest(values=values):
                text = notes(values)
                self.assertIn("WARNING: ANY pod in the cluster can call the extender's verbs port 8888", text)
                for path in ("/filter", "/prioritize", "/preempt", "/bind", "/status", "/debug/state"):
                    self.assertIn(path, text)
        self.assertIn("/sgx/bind", notes({"mode": "extenderOnly", "extender": {"pathPrefix": "/sgx"}}))
        self.assertNotIn("/bind", notes({"mode": "extenderOnly", "extender": {"bind": False}}))
        for values in protected:
            with self.subTest(values=values):
                self.assertNotIn("WARNING: ANY pod", notes(values))

    def test_notes_say_what_turning_bind_off_costs(self):
        for mode in ("secondScheduler", "extenderOnly"):
            with self.subTest(mode=mode):
                self.assertNotIn("extender.bind=false", notes({"mode": mode}))
                text = notes({"mode": mode, "extender": {"bind": False, "weight": 5}})
                self.assertIn("NOTE: extender.bind=false: kube-scheduler binds pods itself", text)
                self.assertIn("guessing kube-scheduler's pick and on extender.weight (5)", text)

    def test_notes_show_how_to_reach_the_status_page_in_second_scheduler_mode(self):
        text = notes()
        self.assertIn(f"kubectl -n {NAMESPACE} port-forward deployment/{DEPLOYMENT['secondScheduler']} 8888:8888",
                      text)
        self.assertIn("pods/portforward", text)

    def test_monitoring_port_must_differ_from_the_verbs_port(self):
        for mode in ("secondScheduler", "extenderOnly"):
            self.assert_rejected({"mode": mode, "extender": {"monitoringPort": 8888}},
                                 "extender.monitoringPort and extender.port are both 8888")
        for port in ("port", "monitoringPort"):
            self.assert_rejected({"extender": {port: 10259}}, "kube-scheduler listens there in the same pod")
        render({"mode": "extenderOnly", "extender": {"monitoringPort": 10259}})

    def test_listener_flags_come_only_from_values(self):
        self.assert_rejected({"extender": {"extraArgs": ["--monitoring-listen", "0.0.0.0:1"]}},
                             "--monitoring-listen comes from extender.monitoringPort")
        self.assert_rejected({"extender": {"extraArgs": ["--startup-wait=1s"]}},
                             "--startup-wait comes from extender.startupWait")


class StartupTest(ChartCase):
    """No pod stranded while the extender starts."""

    def test_startup_wait_reaches_the_extender_and_stays_below_the_call_timeout(self):
        for mode in ("secondScheduler", "extenderOnly"):
            with self.subTest(mode=mode):
                args = container(render({"mode": mode}).deployment(), "epc-extender")["args"]
                self.assertEqual(flag_value(args, "--startup-wait"), "3s")
        args = container(render({"extender": {"startupWait": "4999ms"}}).deployment(), "epc-extender")["args"]
        self.assertEqual(flag_value(args, "--startup-wait"), "4999ms")
        render({"extender": {"startupWait": "0s", "httpTimeout": "100ms", "readTimeout": "1s",
                             "recheck": {"timeout": "50ms"}}})
        self.assert_rejected({"extender": {"startupWait": "5s"}},
                             "extender.startupWait (5s) must be shorter than extender.httpTimeout (5s)")
        self.assert_rejected({"mode": "extenderOnly", "extender": {"startupWait": "1m", "httpTimeout": "30s"}},
                             "extender.startupWait (1m)")

    def test_from_1_29_kube_scheduler_starts_after_the_extender_is_ready(self):
        for version in ("1.29.0", "1.30.4+k3s1", "1.35.0"):
            with self.subTest(kube_version=version):
                pod = render({}, "--kube-version", version).deployment()["spec"]["template"]["spec"]
                self.assertEqual([c["name"] for c in pod["containers"]], ["kube-scheduler"])
                self.assertEqual([c["name"] for c in pod["initContainers"]], ["epc-extender"])
                sidecar = pod["initContainers"][0]
                self.assertEqual(sidecar["restartPolicy"], "Always")
                self.assertEqual(sidecar["startupProbe"]["httpGet"],
                                 {"path": "/readyz", "port": "monitoring", "scheme": "HTTP"})
                self.assertGreaterEqual(sidecar["startupProbe"]["periodSeconds"] *
                                        sidecar["startupProbe"]["failureThreshold"], 60)

    def test_before_1_29_or_when_turned_off_both_start_together(self):
        for version, values in (("1.28.9", {}), ("1.25.0", {}), ("1.30.0", {"scheduler": {"nativeSidecar": False}})):
            with self.subTest(kube_version=version, values=values):
                pod = render(values, "--kube-version", version).deployment()["spec"]["template"]["spec"]
                self.assertNotIn("initContainers", pod)
                self.assertEqual([c["name"] for c in pod["containers"]], ["kube-scheduler", "epc-extender"])
                extender = pod["containers"][1]
                self.assertNotIn("restartPolicy", extender)
                self.assertNotIn("startupProbe", extender)

    def test_native_sidecar_can_be_forced_on_1_28_but_not_earlier(self):
        pod = render({"scheduler": {"nativeSidecar": True}}, "--kube-version", "1.28.0").deployment()
        self.assertEqual(container(pod, "epc-extender")["restartPolicy"], "Always")
        result = run_helm("template", RELEASE, CHART, "--kube-version", "1.27.5",
                          values={"scheduler": {"nativeSidecar": True}})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("scheduler.nativeSidecar=true needs Kubernetes 1.28", result.stderr)

    def test_extender_only_has_no_init_container(self):
        pod = render({"mode": "extenderOnly"}, "--kube-version", "1.31.0").deployment()["spec"]["template"]["spec"]
        self.assertNotIn("initContainers", pod)
        self.assertNotIn("startupProbe", pod["containers"][0])


class RecheckTest(ChartCase):
    """Before filter turns a pod away on every node, the extender rereads what decided it from the API server."""

    FLAGS = ("--recheck-reads", "--recheck-timeout", "--recheck-qps")

    def recheck_args(self, values):
        args = container(render(values).deployment(), "epc-extender")["args"]
        return [flag_value(args, flag) for flag in self.FLAGS]

    def test_recheck_values_reach_the_extender_and_the_timeout_stays_below_the_call_timeout(self):
        for mode in ("secondScheduler", "extenderOnly"):
            with self.subTest(mode=mode):
                self.assertEqual(self.recheck_args({"mode": mode}), ["16", "1s", "50"])
        custom = {"reads": 4, "timeout": "4999ms", "qps": 5}
        for mode in ("secondScheduler", "extenderOnly"):
            with self.subTest(mode=mode, recheck=custom):
                self.assertEqual(self.recheck_args({"mode": mode, "extender": {"recheck": custom}}),
                                 ["4", "4999ms", "5"])
        # 0 turns rechecks off; it must still be rendered, or the binary would use its default of 16.
        self.assertEqual(self.recheck_args({"extender": {"recheck": {"reads": 0}}}), ["0", "1s", "50"])
        # Numbers from a values file are float64 in templates: a large one must still render as a whole number.
        self.assertEqual(self.recheck_args({"extender": {"recheck": {"reads": 2000000, "qps": 1000000}}}),
                         ["2000000", "1s", "1000000"])
        # The filter call waits for its reads, so kube-scheduler must not give up on it first.
        self.assert_rejected({"extender": {"recheck": {"timeout": "5s"}}},
                             "extender.recheck.timeout (5s) must be shorter than extender.httpTimeout (5s)",
                             "kube-scheduler would give up on a filter still waiting for them")
        self.assert_rejected({"mode": "extenderOnly", "extender": {"recheck": {"timeout": "1m"}, "httpTimeout": "30s"}},
                             "extender.recheck.timeout (1m) must be shorter than extender.httpTimeout (30s)")
        self.assert_rejected({"extender": {"httpTimeout": "900ms", "startupWait": "0s"}},
                             "extender.recheck.timeout (1s) must be shorter than extender.httpTimeout (900ms)")
        self.assertEqual(self.recheck_args({"extender": {"recheck": {"timeout": "99ms"}, "httpTimeout": "100ms",
                                                         "startupWait": "0s", "readTimeout": "1s"}}),
                         ["16", "99ms", "50"])

    def test_recheck_flags_come_only_from_values(self):
        # The binary refuses a flag given twice, so extraArgs may not repeat one the chart renders.
        for flag, value in zip(self.FLAGS, ("extender.recheck.reads", "extender.recheck.timeout",
                                            "extender.recheck.qps")):
            for extra in ([flag, "1"], [f"{flag}=1"]):
                with self.subTest(extraArgs=extra):
                    self.assert_rejected({"extender": {"extraArgs": extra}}, f"{flag} comes from {value}",
                                         "epc-extender refuses a flag given twice")


class KubernetesVersionTest(ChartCase):
    """The scheduler image follows the cluster's own version unless a tag is set."""

    def scheduler_image(self, values, *extra):
        return container(render(values, *extra).deployment(), "kube-scheduler")["image"]

    def test_scheduler_image_matches_the_cluster(self):
        for minor in range(31, 36):
            with self.subTest(minor=minor):
                self.assertEqual(self.scheduler_image({}, "--kube-version", f"1.{minor}.0"),
                                 f"registry.k8s.io/kube-scheduler:v1.{minor}.0")
        # Vendor builds name the upstream release they are built from; registry.k8s.io has only that.
        for version, tag in (("1.30.4+k3s1", "v1.30.4"), ("v1.29.2-gke.1217000", "v1.29.2"),
                             ("1.31.3-eks-4f4795d", "v1.31.3")):
            with self.subTest(kube_version=version):
                self.assertEqual(self.scheduler_image({}, "--kube-version", version),
                                 f"registry.k8s.io/kube-scheduler:{tag}")

    def test_a_set_tag_wins(self):
        self.assertEqual(self.scheduler_image({"scheduler": {"image": {"tag": "v1.30.14"}}}, "--kube-version", "1.33.1"),
                         "registry.k8s.io/kube-scheduler:v1.30.14")

    def test_notes_warn_when_the_set_tag_is_too_new_or_too_old(self):
        # NOTES are rendered only by install, which takes Helm's default cluster version: read it from the image.
        cluster = self.scheduler_image({}).rsplit(":", 1)[1]
        major, minor = (int(x) for x in cluster.lstrip("v").split(".")[:2])
        self.assertIn(f"registry.k8s.io/kube-scheduler:{cluster}", notes())
        for tag, warning in ((f"v{major}.{minor + 1}.0", "is newer than the cluster"),
                             (f"v{major}.{minor - 2}.9", "more than one minor release behind"),
                             ("latest", "cannot compare it")):
            with self.subTest(tag=tag):
                text = notes({"scheduler": {"image": {"tag": tag}}})
                self.assertIn(f"WARNING: scheduler.image.tag {tag}", text)
                self.assertIn(warning, text)
        for tag in (f"v{major}.{minor}.0", f"v{major}.{minor - 1}.3", f"{major}.{minor}.1"):
            with self.subTest(tag=tag):
                self.assertNotIn("WARNING", notes({"scheduler": {"image": {"tag": tag}}}))

    def test_every_node_is_scored_by_default(self):
        # The extender can only pack and steer among the nodes kube-scheduler hands it.
        self.assertEqual(self.scheduler_config(render())["percentageOfNodesToScore"], 100)
        self.assertNotIn("percentageOfNodesToScore",
                         self.scheduler_config(render({"scheduler": {"percentageOfNodesToScore": 0}})))
        self.assertEqual(self.scheduler_config(render({"scheduler": {"percentageOfNodesToScore": 30}}))
                         ["percentageOfNodesToScore"], 30)


class InstallDefectsTest(ChartCase):
    """Defects found by following the install docs (issue 13, point 5)."""

    def test_node_port_needs_an_explicit_url(self):
        self.assert_rejected({"mode": "extenderOnly", "service": {"type": "NodePort"}},
                             "service.type=NodePort needs extenderOnly.urlPrefix")
        r = render({"mode": "extenderOnly",
                    "service": {"type": "NodePort", "nodePort": 30888},
                    "extenderOnly": {"urlPrefix": "http://10.0.0.4:30888"}})
        self.assertEqual(self.only_extender(self.snippets(r)[0])["urlPrefix"], "http://10.0.0.4:30888")
        ports = {p["name"]: p for p in r.get("Service", FULLNAME)["spec"]["ports"]}
        self.assertEqual(ports["http"]["nodePort"], 30888)

    def test_leader_election_timings_kube_scheduler_would_refuse_are_refused(self):
        for election, message in (
                ({"leaseDuration": "10s", "renewDeadline": "10s"}, "leaseDuration (10s) must be longer than renewDeadline (10s)"),
                ({"leaseDuration": "15s", "renewDeadline": "1m"}, "leaseDuration (15s)"),
                ({"leaseDuration": "1m", "renewDeadline": "1m0.5s"}, "renewDeadline (1m0.5s)"),
                ({"renewDeadline": "2400ms", "retryPeriod": "2s"}, "renewDeadline (2400ms) must be longer than 1.2 x retryPeriod (2s)")):
            with self.subTest(election=election):
                self.assert_rejected({"scheduler": {"replicas": 2, "leaderElection": election}}, message)
        for election in ({"leaseDuration": "1m30s", "renewDeadline": "1m29.5s", "retryPeriod": "1s"},
                         {"renewDeadline": "2401ms", "retryPeriod": "2s"}):
            with self.subTest(election=election):
                config = self.scheduler_config(render({"scheduler": {"replicas": 2, "leaderElection": election}}))
                self.assertEqual(config["leaderElection"]["renewDeadline"], election["renewDeadline"])

    def test_cluster_scoped_names_include_the_namespace(self):
        def cluster_scoped(namespace):
            result = run_helm("template", RELEASE, CHART, "--namespace", namespace,
                              values={"extender": {"bind": True}})
            self.assertEqual(result.returncode, 0, result.stderr)
            r = Rendered(result.stdout)
            names = {(o["kind"], o["metadata"]["name"]) for o in r.all("ClusterRole") + r.all("ClusterRoleBinding")}
            # The RoleBinding in kube-system is shared by every release namespace too.
            names |= {(o["kind"], o["metadata"]["name"]) for o in r.all("RoleBinding")
                      if o["metadata"]["namespace"] == "kube-system"}
            for binding in r.all("ClusterRoleBinding"):
                ref = binding["roleRef"]["name"]
                self.assertTrue(ref.startswith("system:") or ("ClusterRole", ref) in names, ref)
            return names

        first, second = cluster_scoped("team-a"), cluster_scoped("team-b")
        self.assertEqual(len(first), 5)
        self.assertEqual(first & second, set())
        for _, name in first:
            self.assertTrue(name.startswith(f"team-a-{FULLNAME}-"), name)

    def test_switching_mode_never_changes_a_deployment_selector(self):
        # A Deployment's selector is immutable: each mode's Deployment has its own name, so helm upgrade
        # replaces one with the other instead of failing.
        seen = {}
        for mode in ("secondScheduler", "extenderOnly"):
            deployment = render({"mode": mode}).deployment()
            seen[mode] = (deployment["metadata"]["name"], deployment["spec"]["selector"]["matchLabels"])
            self.assertEqual(seen[mode][0], DEPLOYMENT[mode])
        self.assertNotEqual(seen["secondScheduler"][0], seen["extenderOnly"][0])
        self.assertNotEqual(seen["secondScheduler"][1], seen["extenderOnly"][1])
        # The suffix survives a full name at the 63-character limit.
        long_name = "x" * 63
        names = {render({"mode": mode, "fullnameOverride": long_name}).deployment()["metadata"]["name"]
                 for mode in ("secondScheduler", "extenderOnly")}
        self.assertEqual(len(names), 2)
        for name in names:
            self.assertLessEqual(len(name), 63)

    def test_kube_scheduler_doc_adds_a_profile_beside_the_default_scheduler(self):
        # Merged into a cluster's configuration, a profiles: list with only epc-scheduler would remove
        # default-scheduler.
        with open(os.path.join(REPO, "docs", "kube-scheduler.md"), encoding="utf-8") as f:
            blocks = re.findall(r"```yaml\n(.*?)```", f.read(), re.S)
        configs = [yaml.safe_load(b) for b in blocks]
        configs = [c for c in configs if isinstance(c, dict) and c.get("kind") == "KubeSchedulerConfiguration"]
        self.assertTrue(configs)
        for config in configs:
            if "profiles" in config:
                names = [p["schedulerName"] for p in config["profiles"]]
                self.assertIn("default-scheduler", names)

    def test_install_doc_defaults_match_values_yaml(self):
        with open(os.path.join(CHART, "values.yaml"), encoding="utf-8") as f:
            values = yaml.safe_load(f)
        with open(os.path.join(REPO, "docs", "install.md"), encoding="utf-8") as f:
            doc = f.read()
        # Rows of the form | `a.b.c` | default | meaning |, for keys of values.yaml that hold a single value.
        checked = 0
        for key, cell in re.findall(r"^\| `([A-Za-z.]+)` \| ([^|]*) \|", doc, re.M):
            value = values
            for part in key.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, (dict, list)) or key.split(".")[0] not in values:
                continue
            with self.subTest(key=key):
                written = {True: "true", False: "false", None: "null", "": '""'}
                expected = written[value] if isinstance(value, bool) or value in ("", None) else str(value)
                self.assertEqual(cell.strip().split(" ")[0].strip("`"), expected, cell)
                checked += 1
        self.assertGreater(checked, 15)

    def test_install_doc_commands_set_the_image(self):
        with open(os.path.join(REPO, "docs", "install.md"), encoding="utf-8") as f:
            doc = f.read()
        commands = [c for c in re.split(r"\n(?=helm install )", doc) if c.startswith("helm install ")]
        self.assertGreaterEqual(len(commands), 2)
        for command in commands:
            command = command.split("\n```", 1)[0]
            with self.subTest(command=command.splitlines()[0]):
                self.assertIn("image.repository=", command, "the default image is on no registry")


class SchemaTest(ChartCase):
    def test_rejects_bad_values(self):
        cases = [
            ({"extender": {"weight": -1}}, "/extender/weight"),
            ({"mode": "thirdScheduler"}, "/mode"),
            ({"extender": {"wieght": 2}}, "wieght"),
            ({"modee": "extenderOnly"}, "modee"),
            ({"scheduler": {"leaderElection": {"enable": True}}}, "enable"),
            ({"extender": {"weight": 0}}, "/extender/weight"),
            ({"extender": {"httpTimeout": "5 seconds"}}, "/extender/httpTimeout"),
            ({"extender": {"httpTimeout": 5}}, "/extender/httpTimeout"),
            ({"scoring": {"nonEpcPods": {"confidentialNodeScore": 11}}}, "confidentialNodeScore"),
            ({"scoring": {"strategy": "bnpack"}}, "/scoring/strategy"),
            ({"extender": {"resourceNames": ["epc"]}}, "/extender/resourceNames"),
            ({"image": {"digest": "latest"}}, "/image/digest"),
            ({"extender": {"logLevel": "verbose"}}, "/extender/logLevel"),
            ({"extender": {"logFormat": "yaml"}}, "/extender/logFormat"),
            ({"extender": {"readTimeout": "0s"}}, "/extender/readTimeout"),
            ({"extender": {"readTimeout": "1m30s"}}, "/extender/readTimeout"),
            ({"extender": {"idleTimeout": 120}}, "/extender/idleTimeout"),
            ({"extender": {"maxConnections": -1}}, "/extender/maxConnections"),
            ({"extender": {"maxConnections": "1000"}}, "/extender/maxConnections"),
            ({"extender": {"shutdownGracePeriod": "10"}}, "/extender/shutdownGracePeriod"),
            ({"extender": {"recheck": {"qps": 0}}}, "/extender/recheck/qps"),
            ({"extender": {"recheck": {"qps": "50"}}}, "/extender/recheck/qps"),
            ({"extender": {"recheck": {"reads": -1}}}, "/extender/recheck/reads"),
            ({"extender": {"recheck": {"reads": 1.5}}}, "/extender/recheck/reads"),
            ({"extender": {"recheck": {"timeout": "1 s"}}}, "/extender/recheck/timeout"),
            ({"extender": {"recheck": {"timeout": "1m30s"}}}, "/extender/recheck/timeout"),
            ({"extender": {"recheck": {"timeout": 1}}}, "/extender/recheck/timeout"),
            ({"extender": {"recheck": {"timeout": "0s"}}}, "/extender/recheck/timeout"),
            ({"extender": {"recheck": {"read": 4}}}, "read"),
        ]
        for values, where in cases:
            with self.subTest(values=values):
                self.assert_rejected(values, where)

    def test_every_object_in_the_schema_is_closed(self):
        with open(os.path.join(CHART, "values.schema.json"), encoding="utf-8") as f:
            schema = json.load(f)
        open_objects = []

        def walk(node, path):
            if isinstance(node, dict):
                if "properties" in node and node.get("additionalProperties") is not False:
                    open_objects.append(path)
                for key, child in node.items():
                    if key not in ("if", "then"):  # conditions on a closed object, not objects of their own
                        walk(child, f"{path}/{key}")
            elif isinstance(node, list):
                for i, child in enumerate(node):
                    walk(child, f"{path}/{i}")

        walk(schema, "")
        self.assertEqual(open_objects, [])

    def test_every_value_is_documented_by_a_comment_naming_it(self):
        with open(os.path.join(CHART, "values.yaml"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        undocumented = []
        for number, line in enumerate(lines):
            match = re.match(r"^(\s*)([A-Za-z][A-Za-z0-9]*):", line)
            if not match:
                continue
            indent, key = match.groups()
            previous = number - 1
            while previous >= 0 and lines[previous].strip().startswith("#") and \
                    not lines[previous].startswith(f"{indent}# {key} "):
                previous -= 1
            if previous < 0 or not lines[previous].startswith(f"{indent}# {key} --"):
                undocumented.append(f"line {number + 1}: {key}")
        self.assertEqual(undocumented, [])


def main():
    global HELM
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: chart_test.py HELM [unittest args]")
    HELM = args[0]
    unittest.main(argv=[sys.argv[0], *args[1:]], verbosity=2)


if __name__ == "__main__":
    main()
