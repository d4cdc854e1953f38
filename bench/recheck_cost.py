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
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def call(url, body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read().decode()


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


def start_extender(binary, kubeconfig, reads):
    proc = subprocess.Popen([binary, "serve", "--kubeconfig", kubeconfig, "--listen", "127.0.0.1:0",
                             "--recheck-reads", str(reads)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    url = next(json.loads(line)["url"].rstrip("/") for line in proc.stderr if "listening on" in line)
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    return proc, url


def wait_ready(url, deadline):
    while time.monotonic() < deadline:
        try:
            if call(url + "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("extender at %s never became ready" % url)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(binary, nodes, filters):
    api = subprocess.Popen([sys.executable, os.path.join(ROOT, "test/fake_apiserver/fake_apiserver.py"),
                            "--port", "0", "--exit-on-stdin-eof", "--max-seconds", "900"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    api_url = "http://127.0.0.1:%d" % int(api.stdout.readline().split()[1])
    procs = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            objects = []
            for i in range(nodes):
                objects += [node("n%d" % i), pod("holder-%d" % i, "48Mi", "n%d" % i)]
            for start in range(0, len(objects), 1000):
                call(api_url + "/_control/objects", {"objects": objects[start:start + 1000]}, 120)
            kubeconfig = os.path.join(tmp, "kubeconfig")
            with open(kubeconfig, "w") as f:
                f.write("apiVersion: v1\nkind: Config\nclusters: [{name: f, cluster: {server: '%s'}}]\n"
                        "users: [{name: u, user: {token: t}}]\n"
                        "contexts: [{name: c, context: {cluster: f, user: u}}]\n"
                        "current-context: c\n" % api_url)
            on, on_url = start_extender(binary, kubeconfig, 16)
            off, off_url = start_extender(binary, kubeconfig, 0)
            procs += [on, off]
            deadline = time.monotonic() + 120
            wait_ready(on_url, deadline)
            wait_ready(off_url, deadline)
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
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)
            api.stdin.close()
            api.wait(timeout=10)


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
