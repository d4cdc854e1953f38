#!/usr/bin/env python3
"""`epc-extender serve` consolidates on its own: two replicas of the binary against one fake API
server, consolidation enabled in their scoring config. Only the replica holding the Lease acts; the
planned pods are evicted exactly once each through the eviction subresource, behind the drain
taint; /metrics of both replicas say who acted; a replica that stops releases the Lease.

Usage: serve_consolidation_test.py BINARY. Bounded: the first run comes one interval (10 s) after
start, plus the 15 s pause before acting; the test gives up after 90 s.
"""
import json
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kube"))
from binary_harness import call, start_extender, start_fake_apiserver, stop, write_kubeconfig  # noqa: E402

BINARY = None
CONFIG = """apiVersion: epc-extender.io/v1alpha1
kind: ScoringConfig
consolidation:
  enabled: true
  interval: 10s
  maxDrainingNodes: 3
"""


def node(name):
    return {"kind": "Node", "apiVersion": "v1", "metadata": {"name": name},
            "status": {"allocatable": {"sgx.intel.com/epc": "8Gi"},
                       "conditions": [{"type": "Ready", "status": "True"}]}}


def pod(name, node_name, epc):
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "team", "labels": {"app": name},
                         "creationTimestamp": "2020-01-01T00:00:00Z",
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                              "name": name + "-rs", "uid": "rs-" + name,
                                              "controller": True}]},
            "spec": {"nodeName": node_name,
                     "containers": [{"name": "c", "resources": {"requests": {"sgx.intel.com/epc": epc}}}]},
            "status": {"phase": "Running"}}


def metric(url, name):
    _, text = call(url + "/metrics")
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


class ServeConsolidationTest(unittest.TestCase):
    def test_one_replica_evicts_the_plan_once_and_releases_the_lease(self):
        procs = []
        with tempfile.TemporaryDirectory() as tmp:
            try:
                api, api_url = start_fake_apiserver(max_seconds=180)
                procs.append(api)

                def ctl(path, body=None):
                    return json.loads(call(api_url + "/_control/" + path, body)[1])

                for name in ("a", "b", "c"):
                    ctl("objects", {"object": node(name)})
                for name, node_name, epc in (("p1", "a", "2Gi"), ("p2", "b", "2Gi"), ("p3", "c", "4Gi")):
                    ctl("objects", {"object": pod(name, node_name, epc)})
                kubeconfig = write_kubeconfig(tmp, api_url)
                config = os.path.join(tmp, "scoring.yaml")
                with open(config, "w") as f:
                    f.write(CONFIG)
                urls = []
                for replica in ("replica-0", "replica-1"):
                    os.environ["POD_NAME"] = replica
                    os.environ["POD_NAMESPACE"] = "epc"
                    proc, url = start_extender(BINARY, kubeconfig, "--config", config)
                    procs.append(proc)
                    urls.append(url)

                def pods():
                    return sorted(o["metadata"]["name"] for o in ctl("state")["objects"]
                                  if o.get("kind") == "Pod")

                deadline = time.monotonic() + 90
                while time.monotonic() < deadline and pods() != ["p3"]:
                    time.sleep(0.5)
                self.assertEqual(pods(), ["p3"])
                evictions = [r["path"] for r in ctl("requests")["requests"]
                             if r["method"] == "POST" and r["path"].endswith("/eviction")]
                self.assertEqual(sorted(evictions), ["/api/v1/namespaces/team/pods/p1/eviction",
                                                     "/api/v1/namespaces/team/pods/p2/eviction"])
                taints = {o["metadata"]["name"]: o.get("spec", {}).get("taints", [])
                          for o in ctl("state")["objects"] if o.get("kind") == "Node"}
                self.assertEqual([t["key"] for t in taints["a"]], ["epc-extender.io/consolidating"])
                self.assertEqual(taints["c"], [])

                leaders = [metric(url, "epc_extender_consolidation_leader") for url in urls]
                self.assertEqual(sorted(leaders), [0.0, 1.0])
                leader = leaders.index(1.0)
                self.assertEqual(metric(urls[leader], 'epc_extender_consolidation_evictions_total{result="evicted"}'), 2)
                self.assertEqual(metric(urls[1 - leader], 'epc_extender_consolidation_evictions_total{result="evicted"}'), 0)
                _, status = call(urls[1 - leader] + "/status")
                self.assertIn("holds the lease", status)

                # The leader stops: it releases the Lease on its way out.
                stop([procs[1 + leader]])
                lease = [o for o in ctl("state")["objects"] if o.get("kind") == "Lease"]
                self.assertEqual(len(lease), 1)
                self.assertEqual(lease[0]["spec"].get("holderIdentity", ""), "")
            finally:
                stop(procs)


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main()
