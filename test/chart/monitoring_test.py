"""The chart's opt-in monitoring: the PrometheusRule (templates/prometheusrule.yaml) and the Grafana dashboard
ConfigMap (templates/grafana-dashboard.yaml, dashboards/epc-extender.json).

- The alerts are rendered with helm, checked with `promtool check rules`, and run with `promtool test rules` against
  synthetic series: every alert has a case where it fires (with its exact labels and annotations) and one where it
  does not.
- Every metric name and label name the alert expressions and the dashboard queries use must be one the real binary
  exports: the test runs epc-extender twice on loopback (with demo/cluster.json, and against
  test/fake_apiserver/fake_apiserver.py for the watch and Event families, which only exist with the Kubernetes API),
  sends it filter and bind calls, and parses its /metrics. Label names a Prometheus scrape adds (namespace, job, pod,
  ...) are allowed besides.

Run by run-monitoring-tests: monitoring_test.py HELM PROMTOOL [unittest args]. The binary comes from
EPC_EXTENDER_BINARY (CTest sets it), else build/scheduler/epc-extender.
"""

import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import yaml

import helm_support

HELM = ""
PROMTOOL = ""
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHART = os.path.join(REPO, "charts", "epc-extender")
BINARY = os.environ.get("EPC_EXTENDER_BINARY") or os.path.join(REPO, "build", "scheduler", "epc-extender")
FAKE_APISERVER = os.path.join(REPO, "test", "fake_apiserver", "fake_apiserver.py")
DEMO = os.path.join(REPO, "demo")
RELEASE = "rel"
NAMESPACE = "sched"
FULLNAME = "rel-epc-extender"
SELECTOR = {"job": FULLNAME, "namespace": NAMESPACE}
PROMTOOL_TIMEOUT_S = 60
HTTP_TIMEOUT_S = 5
START_TIMEOUT_S = 15

ALERTS = {"EpcExtenderPoolNearlyFull", "EpcExtenderPodsUnschedulable", "EpcExtenderNotReady",
          "EpcExtenderWatchStale", "EpcExtenderBindConflicts", "EpcExtenderBindRollbacks"}

# Labels a Prometheus scrape (prometheus-operator's ServiceMonitor, or a kubernetes_sd config) puts on every series
# of a target; expressions may match and group on them although the binary does not export them.
TARGET_LABELS = {"namespace", "job", "instance", "pod", "service", "container", "endpoint"}

PROMQL_KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                   "offset", "inf", "nan"}


# --------------------------------------------------------------------------------------------------------------
# Helm


def run_helm(*args, values=None):
    return helm_support.run_helm(HELM, *args, values=values)


def render(values=None):
    result = run_helm("template", RELEASE, CHART, "--namespace", NAMESPACE, values=values)
    if result.returncode != 0:
        raise AssertionError(f"helm template failed for {values}:\n{result.stderr}")
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def only(objects, kind, name=None):
    found = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    if len(found) != 1:
        raise AssertionError(f"expected one {kind} {name or ''}, found {len(found)}")
    return found[0]


def rendered_rules(values=None):
    """The rules of the rendered PrometheusRule, by alert name."""
    rule = only(render({"prometheusRule": {"enabled": True, **(values or {})}}), "PrometheusRule")
    return {r["alert"]: r for g in rule["spec"]["groups"] for r in g["rules"]}, rule


def rendered_dashboard(values=None):
    cm = only(render({"grafanaDashboard": {"enabled": True, **(values or {})}}), "ConfigMap",
              f"{FULLNAME}-dashboard")
    return cm, json.loads(cm["data"]["epc-extender.json"])


# --------------------------------------------------------------------------------------------------------------
# PromQL names


def promql_names(expr):
    """(metric names, [(metric or None, matcher label names)], grouping label names) of a PromQL expression.

    Not a parser: enough for the expressions the chart ships, which is what the assertions need. String literals
    (matcher values, Grafana's "$namespace") are blanked first, ranges ([5m], [$__rate_interval]) dropped."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\[[^\]]*\]", "", text)
    selectors = []
    for match in re.finditer(r"([A-Za-z_:][A-Za-z0-9_:]*)?\s*\{([^}]*)\}", text):
        labels = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)", match.group(2))
        selectors.append((match.group(1), labels))
    text = re.sub(r"\{[^}]*\}", " ", text)
    grouping = set()
    for match in re.finditer(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", text):
        grouping.update(x.strip() for x in match.group(1).split(",") if x.strip())
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\b\d+(\.\d+)?([eE][+-]?\d+)?\b", " ", text)
    metrics = set()
    for match in re.finditer(r"([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in PROMQL_KEYWORDS:
            continue
        metrics.add(name)
    return metrics, selectors, grouping


# --------------------------------------------------------------------------------------------------------------
# The binary's exposition


def http(port, path, body=None, timeout=HTTP_TIMEOUT_S):
    """(status, body text) of a request to 127.0.0.1:port."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method="POST" if body else "GET")
    if body:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Child:
    """A child process whose stderr (or stdout) lines are collected by a thread; stopped by stop()."""

    def __init__(self, argv, stdin=subprocess.DEVNULL):
        self.proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.cond = threading.Condition()
        self.readers = [threading.Thread(target=self._read, args=(stream,), daemon=True)
                        for stream in (self.proc.stdout, self.proc.stderr)]
        for reader in self.readers:
            reader.start()

    def _read(self, stream):
        for line in stream:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_for(self, pattern, timeout=START_TIMEOUT_S):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    match = re.search(pattern, line)
                    if match:
                        return match
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError(f"no line matching {pattern!r} within {timeout} s (exit status "
                                         f"{self.proc.poll()}) from {self.proc.args[0]}; output:\n"
                                         + "\n".join(self.lines[-40:]))
                self.cond.wait(min(left, 0.2))

    def stop(self):
        if self.proc.poll() is None:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for reader in self.readers:
            reader.join(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream and not stream.closed:
                stream.close()


def start_extender(*flags):
    child = Child([BINARY, "serve", "--listen", "127.0.0.1:0", "--config", os.path.join(DEMO, "scoring.yaml"),
                   *flags])
    port = int(child.wait_for(r"listening on https?://127\.0\.0\.1:(\d+)").group(1))
    return child, port


def parse_exposition(text):
    """{family name: (type, {label names})}; histogram and summary samples count for their family."""
    families = {}
    for line in text.splitlines():
        match = re.match(r"# TYPE ([A-Za-z_:][A-Za-z0-9_:]*) (\w+)", line)
        if match:
            families.setdefault(match.group(1), (match.group(2), set()))
            continue
        if not line or line.startswith("#"):
            continue
        match = re.match(r"([A-Za-z_:][A-Za-z0-9_:]*)(\{([^}]*)\})?\s", line)
        if not match:
            raise AssertionError(f"unparsable exposition line: {line!r}")
        name = match.group(1)
        family = name
        if name not in families:
            family = re.sub(r"_(bucket|sum|count)$", "", name)
        if family not in families:
            raise AssertionError(f"sample {name} without a # TYPE line")
        families[family][1].update(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=\"", match.group(3) or ""))
    return families


def exposition_from_cluster_file():
    child, port = start_extender("--cluster-file", os.path.join(DEMO, "cluster.json"))
    try:
        with open(os.path.join(DEMO, "filter-request.json"), "rb") as f:
            status, body = http(port, "/filter", f.read())
        assert status == 200, (status, body)
        with open(os.path.join(DEMO, "bind-request.json"), "rb") as f:
            status, body = http(port, "/bind", f.read())
        assert status == 200, (status, body)
        status, text = http(port, "/metrics")
        assert status == 200, (status, text)
        return text
    finally:
        child.stop()


def exposition_from_api(workdir):
    """The binary against the fake API server: adds the watch and Event families."""
    api = Child([sys.executable, FAKE_APISERVER, "--port", "0", "--exit-on-stdin-eof", "--max-seconds", "120",
                 "--objects", os.path.join(DEMO, "cluster.json")], stdin=subprocess.PIPE)
    extender = None
    try:
        api_port = int(api.wait_for(r"^LISTENING (\d+)").group(1))
        kubeconfig = os.path.join(workdir, "kubeconfig")
        with open(kubeconfig, "w", encoding="utf-8") as f:
            f.write("apiVersion: v1\nkind: Config\n"
                    f"clusters: [{{name: fake, cluster: {{server: \"http://127.0.0.1:{api_port}\"}}}}]\n"
                    "users: [{name: scheduler, user: {token: not-checked}}]\n"
                    "contexts: [{name: test, context: {cluster: fake, user: scheduler}}]\n"
                    "current-context: test\n")
        extender, port = start_extender("--kubeconfig", kubeconfig)
        deadline = time.monotonic() + START_TIMEOUT_S
        while http(port, "/readyz")[0] != 200:
            assert time.monotonic() < deadline, "the extender did not become ready against the fake API server"
            time.sleep(0.1)
        # A node change, so each watch has an event and epc_extender_watch_seconds_since_last_event exists.
        with open(os.path.join(DEMO, "cluster.json"), encoding="utf-8") as f:
            items = json.load(f)["items"]
        node = copy.deepcopy(next(i for i in items if i["kind"] == "Node"))
        node["metadata"]["labels"]["monitoring-test"] = "touched"
        pod = copy.deepcopy(next(i for i in items if i["kind"] == "Pod"))
        pod["metadata"].setdefault("labels", {})["monitoring-test"] = "touched"
        for obj in (node, pod):
            status, body = http(api_port, "/_control/objects", json.dumps({"object": obj}).encode())
            assert status == 200, (status, body)
        with open(os.path.join(DEMO, "filter-request.json"), "rb") as f:
            status, body = http(port, "/filter", f.read())
        assert status == 200, (status, body)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            status, text = http(port, "/metrics")
            assert status == 200, (status, text)
            if len(re.findall(r"^epc_extender_watch_seconds_since_last_event\{", text, re.M)) >= 2:
                return text
            assert time.monotonic() < deadline, "no watch event reached the extender:\n" + text
            time.sleep(0.1)
    finally:
        if extender:
            extender.stop()
        api.stop()


_EXPORTED = None
_EXPORTED_ERROR = None


def exported():
    """{family: (type, label names)} the binary exports, from both runs (computed once; a failure is kept too)."""
    global _EXPORTED, _EXPORTED_ERROR
    if _EXPORTED_ERROR:
        raise AssertionError(f"the binary's exposition could not be read (see the first failure): {_EXPORTED_ERROR}")
    if _EXPORTED is None:
        if not os.access(BINARY, os.X_OK):
            raise unittest.SkipTest(f"no epc-extender binary at {BINARY} (set EPC_EXTENDER_BINARY)")
        try:
            with tempfile.TemporaryDirectory() as workdir:
                families = parse_exposition(exposition_from_cluster_file())
                for name, (kind, labels) in parse_exposition(exposition_from_api(workdir)).items():
                    families.setdefault(name, (kind, set()))[1].update(labels)
        except Exception as e:
            _EXPORTED_ERROR = str(e).splitlines()[0]
            raise
        _EXPORTED = families
    return _EXPORTED


def series_names(families):
    """{series name: label names}: a histogram's _bucket (with le), _sum and _count instead of its own name."""
    names = {}
    for name, (kind, labels) in families.items():
        if kind == "histogram":
            names[name + "_bucket"] = labels | {"le"}
            names[name + "_sum"] = set(labels)
            names[name + "_count"] = set(labels)
        else:
            names[name] = set(labels)
    return names


class NamesCase(unittest.TestCase):
    maxDiff = None

    def assert_exported_names(self, where, expr):
        """Every metric and label name in `expr` is one the binary exports (labels: on that metric)."""
        names = series_names(exported())
        all_labels = set().union(*names.values()) | TARGET_LABELS
        metrics, selectors, grouping = promql_names(expr)
        self.assertTrue(metrics, f"{where}: no metric in {expr!r}")
        unknown = sorted(m for m in metrics if m not in names)
        self.assertEqual(unknown, [], f"{where}: metrics the binary does not export, in {expr!r}")
        for metric, labels in selectors:
            allowed = (names[metric] if metric else all_labels) | TARGET_LABELS
            self.assertEqual(sorted(set(labels) - allowed), [],
                             f"{where}: label matchers {metric} does not have, in {expr!r}")
        self.assertEqual(sorted(grouping - all_labels), [], f"{where}: grouping labels nobody exports, in {expr!r}")
        return metrics


# --------------------------------------------------------------------------------------------------------------
# The alerts


def series(name, values, **labels):
    labels = {**SELECTOR, **labels}
    return {"series": name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}",
            "values": values}


P0 = {"pod": "rel-epc-extender-0", "instance": "10.0.0.10:8888"}
P1 = {"pod": "rel-epc-extender-1", "instance": "10.0.0.11:8888"}


def annotations(rule, value, labels):
    """The rule's annotations as Prometheus expands them for an alert with these labels and humanized value."""
    out = {}
    for key, template in rule["annotations"].items():
        text = re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels.get(m.group(1), ""), template)
        text = re.sub(r"\{\{ \$value \| humanize(Percentage)? \}\}", value, text)
        assert "{{" not in text, f"unexpanded template in the test's model: {text}"
        out[key] = text
    return out


def alert(rules, name, value, **labels):
    rule = rules[name]
    alert_labels = {**rule["labels"], **labels}
    return {"exp_labels": alert_labels, "exp_annotations": annotations(rule, value, alert_labels)}


def rule_tests(rules):
    """promtool test groups: for every alert, series and times at which it fires and at which it does not."""
    ns = {"namespace": NAMESPACE}
    return [
        {   # Pool confpool: 95 % used on one replica (the other sees less reserved): one alert, after 10m.
            # Pool legacy: half used. Pool empty: no capacity (no division by zero).
            "name": "pool nearly full",
            "interval": "1m",
            "input_series": [
                series("epc_extender_pool_epc_capacity_bytes", "100x30", pool="confpool", **P0),
                series("epc_extender_pool_epc_free_bytes", "50x3 5x27", pool="confpool", **P0),
                series("epc_extender_pool_epc_capacity_bytes", "100x30", pool="confpool", **P1),
                series("epc_extender_pool_epc_free_bytes", "50x3 8x27", pool="confpool", **P1),
                series("epc_extender_pool_epc_capacity_bytes", "200x30", pool="legacy", **P0),
                series("epc_extender_pool_epc_free_bytes", "100x30", pool="legacy", **P0),
                series("epc_extender_pool_epc_capacity_bytes", "0x30", pool="empty", **P0),
                series("epc_extender_pool_epc_free_bytes", "0x30", pool="empty", **P0),
                # Another release's pool, full: not this release's alert.
                series("epc_extender_pool_epc_capacity_bytes", "100x30", pool="confpool", namespace="other"),
                series("epc_extender_pool_epc_free_bytes", "0x30", pool="confpool", namespace="other"),
            ],
            "alert_rule_test": [
                {"eval_time": "2m", "alertname": "EpcExtenderPoolNearlyFull", "exp_alerts": []},
                {"eval_time": "10m", "alertname": "EpcExtenderPoolNearlyFull", "exp_alerts": []},
                {"eval_time": "20m", "alertname": "EpcExtenderPoolNearlyFull",
                 "exp_alerts": [alert(rules, "EpcExtenderPoolNearlyFull", "95%", pool="confpool", **ns)]},
            ],
        },
        {   # One unschedulable filter call per second from 5m on, with nodes refused for insufficient_epc.
            "name": "pods unschedulable for EPC",
            "interval": "1m",
            "input_series": [
                series("epc_extender_requests_total", "0x5 0+60x40", verb="filter", outcome="unschedulable", **P0),
                series("epc_extender_nodes_rejected_total", "0x5 0+180x40", reason="insufficient_epc", **P0),
            ],
            "alert_rule_test": [
                {"eval_time": "12m", "alertname": "EpcExtenderPodsUnschedulable", "exp_alerts": []},
                {"eval_time": "30m", "alertname": "EpcExtenderPodsUnschedulable",
                 "exp_alerts": [alert(rules, "EpcExtenderPodsUnschedulable", "1", **ns)]},
            ],
        },
        {   # Unschedulable, but only for reasons that are not EPC (a node selector): no alert.
            "name": "pods unschedulable for other reasons",
            "interval": "1m",
            "input_series": [
                series("epc_extender_requests_total", "0+60x40", verb="filter", outcome="unschedulable", **P0),
                series("epc_extender_nodes_rejected_total", "0+180x40", reason="selector_mismatch", **P0),
                series("epc_extender_nodes_rejected_total", "0x40", reason="insufficient_epc", **P0),
                series("epc_extender_requests_total", "0+60x40", verb="filter", outcome="success", **P0),
            ],
            "alert_rule_test": [
                {"eval_time": "30m", "alertname": "EpcExtenderPodsUnschedulable", "exp_alerts": []},
            ],
        },
        {   # Replica 0 turns not ready at 2m; replica 1 stays ready.
            "name": "not ready",
            "interval": "1m",
            "input_series": [
                series("epc_extender_ready", "1 1 0x20", **P0),
                series("epc_extender_ready", "1x22", **P1),
            ],
            "alert_rule_test": [
                {"eval_time": "5m", "alertname": "EpcExtenderNotReady", "exp_alerts": []},
                {"eval_time": "10m", "alertname": "EpcExtenderNotReady",
                 "exp_alerts": [alert(rules, "EpcExtenderNotReady", "0", **SELECTOR, **P0)]},
            ],
        },
        {   # Replica 0's nodes watch stops seeing events at 0m (900 s passed at 15m); its pods watch too, which
            # alone does not count. Replica 1's pods watch closes at 2m. Everything else is fresh and open.
            "name": "watch stale or closed",
            "interval": "1m",
            "input_series": [
                series("epc_extender_watch_seconds_since_last_event", "0+60x30", resource="nodes", **P0),
                series("epc_extender_watch_seconds_since_last_event", "0+60x30", resource="pods", **P0),
                series("epc_extender_watch_open", "1x30", resource="nodes", **P0),
                series("epc_extender_watch_open", "1x30", resource="pods", **P0),
                series("epc_extender_watch_seconds_since_last_event", "30x30", resource="nodes", **P1),
                series("epc_extender_watch_seconds_since_last_event", "30x30", resource="pods", **P1),
                series("epc_extender_watch_open", "1x30", resource="nodes", **P1),
                series("epc_extender_watch_open", "1 1 0x28", resource="pods", **P1),
            ],
            "alert_rule_test": [
                {"eval_time": "5m", "alertname": "EpcExtenderWatchStale", "exp_alerts": []},
                {"eval_time": "10m", "alertname": "EpcExtenderWatchStale",
                 "exp_alerts": [alert(rules, "EpcExtenderWatchStale", "0", resource="pods", **SELECTOR, **P1)]},
                {"eval_time": "25m", "alertname": "EpcExtenderWatchStale",
                 "exp_alerts": [alert(rules, "EpcExtenderWatchStale", "1500", resource="nodes", **SELECTOR, **P0),
                                alert(rules, "EpcExtenderWatchStale", "0", resource="pods", **SELECTOR, **P1)]},
            ],
        },
        {   # A conflict a minute from 10m on: 15 in 15 minutes is above 3. Before, a few over a long time.
            "name": "bind conflicts",
            "interval": "1m",
            "input_series": [
                series("epc_extender_bind_conflicts_total", "0x3 1x3 2x4 2+1x40", **P0),
            ],
            "alert_rule_test": [
                {"eval_time": "10m", "alertname": "EpcExtenderBindConflicts", "exp_alerts": []},
                {"eval_time": "40m", "alertname": "EpcExtenderBindConflicts",
                 "exp_alerts": [alert(rules, "EpcExtenderBindConflicts", "15", **ns)]},
            ],
        },
        {   # One rollback at 11m: an alert while it is within the 15m window, none once it has left it.
            "name": "bind rollbacks",
            "interval": "1m",
            "input_series": [
                series("epc_extender_bind_rollbacks_total", "0x10 1x30", **P0),
            ],
            "alert_rule_test": [
                {"eval_time": "5m", "alertname": "EpcExtenderBindRollbacks", "exp_alerts": []},
                {"eval_time": "15m", "alertname": "EpcExtenderBindRollbacks",
                 "exp_alerts": [alert(rules, "EpcExtenderBindRollbacks", "1", **ns)]},
                {"eval_time": "35m", "alertname": "EpcExtenderBindRollbacks", "exp_alerts": []},
            ],
        },
    ]


def run_promtool(*args):
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=PROMTOOL_TIMEOUT_S,
                          check=False)


class PrometheusRuleTest(NamesCase):
    def test_disabled_by_default(self):
        kinds = {o["kind"] for o in render()}
        self.assertNotIn("PrometheusRule", kinds)

    def test_promtool_checks_and_unit_tests_every_alert(self):
        rules, rule = rendered_rules()
        self.assertEqual(set(rules), ALERTS)
        tests = rule_tests(rules)
        firing = {t["alertname"] for g in tests for t in g["alert_rule_test"] if t["exp_alerts"]}
        quiet = {t["alertname"] for g in tests for t in g["alert_rule_test"] if not t["exp_alerts"]}
        self.assertEqual((firing, quiet), (ALERTS, ALERTS), "every alert needs a firing and a quiet case")
        with tempfile.TemporaryDirectory() as workdir:
            rules_file = os.path.join(workdir, "rules.yaml")
            with open(rules_file, "w", encoding="utf-8") as f:
                yaml.safe_dump({"groups": rule["spec"]["groups"]}, f, sort_keys=False)
            checked = run_promtool("check", "rules", rules_file)
            self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
            test_file = os.path.join(workdir, "rules_test.yaml")
            with open(test_file, "w", encoding="utf-8") as f:
                yaml.safe_dump({"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": tests}, f,
                               sort_keys=False, width=1000)
            result = run_promtool("test", "rules", test_file)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_expressions_use_only_series_the_binary_exports(self):
        rules, _ = rendered_rules()
        used = set()
        for name, rule in rules.items():
            with self.subTest(alert=name):
                used |= self.assert_exported_names(name, rule["expr"])
                referenced = set(re.findall(r"\$labels\.(\w+)", json.dumps(rule["annotations"])))
                _, _, grouping = promql_names(rule["expr"])
                if grouping:  # an aggregated alert only has the labels it groups by
                    self.assertLessEqual(referenced, grouping, f"{name} annotations name labels it drops")
        self.assertIn("epc_extender_ready", used)

    def test_every_expression_selects_this_release(self):
        rules, _ = rendered_rules()
        for name, rule in rules.items():
            for metric, _ in promql_names(rule["expr"])[1]:
                count = rule["expr"].count(metric + '{job="rel-epc-extender",namespace="sched"')
                self.assertGreater(count, 0, f"{name}: {metric} without the release selector")
            self.assertEqual(len(re.findall(r"epc_extender_\w+\{", rule["expr"])),
                             rule["expr"].count('{job="rel-epc-extender",namespace="sched"'), name)

    def test_values_shape_the_rules(self):
        rules, rule = rendered_rules({
            "namespace": "monitoring", "labels": {"release": "kube-prometheus-stack"},
            "selector": 'namespace="sched",service="epc"', "alertLabels": {"team": "platform"},
            "runbookUrl": "https://runbooks.example/epc",
            "poolNearlyFull": {"ratio": 0.75, "for": "30m", "severity": "critical"},
            "podsUnschedulable": {"window": "15m", "reasons": ["insufficient_epc"]},
            "watchStale": {"resources": "nodes|pods", "staleSeconds": 3600},
            "bindConflicts": {"enabled": False},
            "bindRollbacks": {"threshold": 2, "window": "1h"},
        })
        self.assertEqual(rule["metadata"]["namespace"], "monitoring")
        self.assertEqual(rule["metadata"]["labels"]["release"], "kube-prometheus-stack")
        self.assertEqual(set(rules), ALERTS - {"EpcExtenderBindConflicts"})
        full = rules["EpcExtenderPoolNearlyFull"]
        self.assertTrue(full["expr"].endswith("> 0.75"), full["expr"])
        self.assertEqual((full["for"], full["labels"]), ("30m", {"severity": "critical", "team": "platform"}))
        self.assertIn("above 75%", full["annotations"]["description"])
        self.assertEqual(full["annotations"]["runbook_url"], "https://runbooks.example/epc#epcextenderpoolnearlyfull")
        self.assertNotIn("Runbook:", full["annotations"]["description"])
        self.assertIn('{namespace="sched",service="epc",reason=~"insufficient_epc"}[15m]',
                      rules["EpcExtenderPodsUnschedulable"]["expr"])
        self.assertIn('resource=~"nodes|pods"} > 3600', rules["EpcExtenderWatchStale"]["expr"])
        self.assertIn("[1h])) > 2", rules["EpcExtenderBindRollbacks"]["expr"])
        for r in rules.values():
            self.assertNotIn("job=", r["expr"])
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            yaml.safe_dump({"groups": rule["spec"]["groups"]}, f)
            f.flush()
            checked = run_promtool("check", "rules", f.name)
            self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)

    def test_schema_rejects_bad_values(self):
        for values, where in [
            ({"prometheusRule": {"poolNearlyFull": {"ratio": 1.5}}}, "ratio"),
            ({"prometheusRule": {"notReady": {"for": "5 minutes"}}}, "for"),
            ({"prometheusRule": {"podsUnschedulable": {"reasons": ["full"]}}}, "reasons"),
            ({"prometheusRule": {"notReady": {"severity": "critical", "sevrity": "x"}}}, "sevrity"),
            ({"prometheusRule": {"selector": '{namespace="x"}'}}, "selector"),
            ({"grafanaDashboard": {"sidecarLabelValue": 1}}, "sidecarLabelValue"),
            ({"grafanaDashboard": {"folder": "x"}}, "folder"),
        ]:
            with self.subTest(values=values):
                result = run_helm("template", RELEASE, CHART, "--namespace", NAMESPACE, values=values)
                self.assertNotEqual(result.returncode, 0, f"helm accepted {values}")
                self.assertIn(where, result.stderr)


# --------------------------------------------------------------------------------------------------------------
# The dashboard


def dashboard_panels(dashboard):
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


class GrafanaDashboardTest(NamesCase):
    def test_disabled_by_default(self):
        self.assertFalse([o for o in render() if o["metadata"]["name"] == f"{FULLNAME}-dashboard"])

    def test_configmap_carries_the_sidecar_label(self):
        cm, _ = rendered_dashboard()
        self.assertEqual(cm["metadata"]["namespace"], NAMESPACE)
        self.assertEqual(cm["metadata"]["labels"]["grafana_dashboard"], "1")
        cm, _ = rendered_dashboard({"namespace": "monitoring", "sidecarLabel": "dashboards.example/load",
                                    "sidecarLabelValue": "yes", "labels": {"team": "platform"},
                                    "annotations": {"grafana_folder": "Scheduling"}})
        self.assertEqual(cm["metadata"]["namespace"], "monitoring")
        self.assertEqual(cm["metadata"]["labels"]["dashboards.example/load"], "yes")
        self.assertNotIn("grafana_dashboard", cm["metadata"]["labels"])
        self.assertEqual(cm["metadata"]["labels"]["team"], "platform")
        self.assertEqual(cm["metadata"]["annotations"], {"grafana_folder": "Scheduling"})

    def test_dashboard_is_grafana_json_with_the_expected_panels(self):
        _, dashboard = rendered_dashboard()
        with open(os.path.join(CHART, "dashboards", "epc-extender.json"), encoding="utf-8") as f:
            self.assertEqual(dashboard, json.load(f), "the ConfigMap holds the file unchanged")
        self.assertGreaterEqual(dashboard["schemaVersion"], 36)
        self.assertEqual(dashboard["uid"], "epc-extender")
        variables = {v["name"]: v for v in dashboard["templating"]["list"]}
        self.assertEqual(set(variables), {"datasource", "namespace", "pool"})
        self.assertEqual(variables["datasource"]["type"], "datasource")
        ids, positions = [], []
        exprs = []
        for panel in dashboard_panels(dashboard):
            ids.append(panel["id"])
            if panel["type"] == "row":
                continue
            with self.subTest(panel=panel["title"]):
                self.assertTrue(panel["targets"], "a panel without a query")
                self.assertEqual(panel["datasource"]["uid"], "${datasource}")
                for target in panel["targets"]:
                    self.assertEqual(target["datasource"]["uid"], "${datasource}")
                    self.assertIn('namespace="$namespace"', target["expr"])
                    exprs.append(target["expr"])
                g = panel["gridPos"]
                self.assertLessEqual(g["x"] + g["w"], 24)
                positions.append((g["y"], g["x"]))
        self.assertEqual(len(ids), len(set(ids)), "panel ids must be unique")
        self.assertEqual(len(positions), len(set(positions)), "panels on top of each other")
        text = "\n".join(exprs)
        for needed in ("epc_extender_pool_epc_capacity_bytes", "epc_extender_pool_epc_committed_bytes",
                       "epc_extender_pool_epc_reserved_bytes", "epc_extender_pool_epc_free_bytes",
                       "epc_extender_node_epc_committed_bytes", "epc_extender_node_epc_free_bytes",
                       "epc_extender_requests_total", "histogram_quantile(0.5", "histogram_quantile(0.99",
                       "sum by (reason) (rate(epc_extender_nodes_rejected_total", "epc_extender_bind_conflicts_total",
                       "epc_extender_bind_rollbacks_total", "epc_extender_ready",
                       "epc_extender_watch_seconds_since_last_event"):
            self.assertIn(needed, text)

    def test_every_query_uses_only_series_the_binary_exports(self):
        _, dashboard = rendered_dashboard()
        names = series_names(exported())
        all_labels = set().union(*names.values()) | TARGET_LABELS
        for panel in dashboard_panels(dashboard):
            for target in panel.get("targets", []):
                with self.subTest(panel=panel["title"], ref=target["refId"]):
                    self.assert_exported_names(panel["title"], target["expr"])
                    legend = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", target.get("legendFormat", "")))
                    grouping = promql_names(target["expr"])[2] or all_labels
                    self.assertLessEqual(legend, grouping, "legend names a label the query drops")
        for variable in dashboard["templating"]["list"]:
            if variable["type"] != "query":
                continue
            with self.subTest(variable=variable["name"]):
                match = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", variable["query"]["query"])
                self.assertTrue(match, variable["query"])
                self.assert_exported_names(variable["name"], match.group(1))
                self.assertIn(match.group(2), all_labels)


class ExpositionTest(unittest.TestCase):
    def test_the_binary_exports_the_families_the_docs_list(self):
        families = exported()
        for name in ("epc_extender_ready", "epc_extender_watch_open", "epc_extender_watch_seconds_since_last_event",
                     "epc_extender_bind_conflicts_total", "epc_extender_bind_rollbacks_total",
                     "epc_extender_nodes_rejected_total", "epc_extender_pool_epc_free_bytes"):
            self.assertIn(name, families)
        self.assertEqual(families["epc_extender_request_duration_seconds"][0], "histogram")
        self.assertEqual(families["epc_extender_nodes_rejected_total"][1], {"reason"})

    def test_the_names_parser(self):
        metrics, selectors, grouping = promql_names(
            'histogram_quantile(0.99, sum by (verb, le) (rate(a_bucket{namespace="$x",verb=~"f|b"}[$__rate_interval])))'
            ' > 0 and on (namespace) b{c="}"} or vector(1)')
        self.assertEqual(metrics, {"a_bucket", "b"})
        self.assertEqual(selectors, [("a_bucket", ["namespace", "verb"]), ("b", ["c"])])
        self.assertEqual(grouping, {"verb", "le", "namespace"})


def main():
    global HELM, PROMTOOL
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit("usage: monitoring_test.py HELM PROMTOOL [unittest args]")
    HELM, PROMTOOL = args[0], args[1]
    unittest.main(argv=[sys.argv[0], *args[2:]], verbosity=2)


if __name__ == "__main__":
    main()
