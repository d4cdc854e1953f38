#!/usr/bin/env python3
"""What a recheck costs (docs/live-state.md, "Stale views"): API reads per filter and latency added
to a filter that rejects every node, with rechecks on and off, side by side in one run.

Usage: bench/recheck_cost.py [--binary build/scheduler/epc-extender] [--nodes 500,5000]
                             [--filters 40]

Against test/fake_apiserver: N confidential nodes of 64Mi, each with a bound pod holding 48Mi,
so a 32Mi pod fits nowhere and every filter (NodeNames, all N names) rejects every node. Two
extenders watch the same server, one with the default --recheck-reads 16, one with 0; the filters
alternate between them, paced below --recheck-qps so no read is skipped for the rate limit. The
fake server is Python: its GETs are slower than a real API server's, so the added latency here is
an upper bound for the reads on loopback.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test/kube"))
from binary_harness import call, start_extender, start_fake_apiserver, stop, write_kubeconfig  # noqa: E402


def node(name):
    return {"kind": "Node", "apiVersion": "v1", "metadata": {"name": name},
            "status": {"allocatable": {"cpu": "8", "sgx.intel.com/epc": "64Mi"},
                       "conditions": [{"type": "Ready", "status": "True"}]}}


def pod(name, epc, node_name=None):
    spec = {"containers": [{"name": "c", "resources": {"requests": {"sgx.intel.com/epc": epc}}}]}
    if node_name:
        spec["nodeName"] = node_name
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "default", "uid": "uid-" + name},
            "spec": spec, "status": {"phase": "Running" if node_name else "Pending"}}


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(binary, nodes, filters):
    api, api_url = start_fake_apiserver(max_seconds=900)
    procs = [api]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            objects = []
            for i in range(nodes):
                objects += [node("n%d" % i), pod("holder-%d" % i, "48Mi", "n%d" % i)]
            for start in range(0, len(objects), 1000):
                call(api_url + "/_control/objects", {"objects": objects[start:start + 1000]}, 120)
            kubeconfig = write_kubeconfig(tmp, api_url)
            on, on_url = start_extender(binary, kubeconfig, "--recheck-reads", "16", ready_within=120)
            procs.append(on)
            off, off_url = start_extender(binary, kubeconfig, "--recheck-reads", "0", ready_within=120)
            procs.append(off)
            body = {"Pod": pod("waiting", "32Mi"), "Nodes": None,
                    "NodeNames": ["n%d" % i for i in range(nodes)]}
            latency = {"on": [], "off": []}
            gets = []
            for round_ in range(filters + 2):
                for label, url in (("on", on_url), ("off", off_url)):
                    call(api_url + "/_control/requests/clear", {})
                    started = time.perf_counter()
                    status, reply = call(url + "/filter", body)
                    took = time.perf_counter() - started
                    answer = json.loads(reply)
                    assert status == 200 and not answer.get("NodeNames"), reply[:200]
                    if round_ < 2:
                        continue  # warm-up
                    latency[label].append(took)
                    if label == "on":
                        log = json.loads(call(api_url + "/_control/requests")[1])["requests"]
                        gets.append(sum(1 for r in log if r["method"] == "GET" and not r.get("watch")
                                        and r["path"].startswith("/api/")))
                time.sleep(0.4)  # 16 reads per 0.4 s: below the default 50 reads/s
            return latency, gets
        finally:
            stop(procs)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/scheduler/epc-extender"))
    parser.add_argument("--nodes", default="500,5000")
    parser.add_argument("--filters", type=int, default=40)
    args = parser.parse_args()
    print("%-6s %-11s %9s %9s %14s" % ("nodes", "rechecks", "p50 ms", "p99 ms", "API GETs/filter"))
    for nodes in (int(n) for n in args.nodes.split(",")):
        latency, gets = measure(args.binary, nodes, args.filters)
        for label in ("off", "on"):
            values = latency[label]
            print("%-6d %-11s %9.2f %9.2f %14s" % (
                nodes, label, 1000 * statistics.median(values), 1000 * percentile(values, 0.99),
                "%.1f (max %d)" % (statistics.mean(gets), max(gets)) if label == "on" else "0"))
        added = statistics.median(latency["on"]) - statistics.median(latency["off"])
        print("%-6d added by the recheck (median): %.2f ms" % (nodes, 1000 * added))


if __name__ == "__main__":
    main()
