#!/usr/bin/env python3
"""How stale can epc-extender's view be? Measures, against the fake API server, the time from a
change in the API (a pod bound to a node by another writer) to the first filter decision that
sees it. Usage: bench/watch_staleness.py [--binary build/scheduler/epc-extender] [--samples 50]

Both processes run on loopback; the figure is the extender's own path (watch event → ledger →
snapshot → decision) plus one loopback HTTP round trip, not a real API server's fan-out delay."""
import argparse, json, os, statistics, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def start_api():
    api = subprocess.Popen([sys.executable, os.path.join(ROOT, "test/fake_apiserver/fake_apiserver.py"),
                            "--port", "0", "--exit-on-stdin-eof", "--max-seconds", "300"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(api.stdout.readline().split()[1])
    return api, f"http://127.0.0.1:{port}"

def call(url, body=None, method=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method or ("POST" if data else "GET"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as response:
        return response.status, response.read().decode()

def node(name):
    return {"kind": "Node", "apiVersion": "v1", "metadata": {"name": name},
            "status": {"allocatable": {"sgx.intel.com/epc": "128Mi"},
                       "conditions": [{"type": "Ready", "status": "True"}]}}

def pod(name, node_name):
    return {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": name, "namespace": "default"},
            "spec": {"nodeName": node_name, "containers": [{"name": "c", "resources": {
                "requests": {"sgx.intel.com/epc": "128Mi"}}}]}, "status": {"phase": "Running"}}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build/scheduler/epc-extender"))
    ap.add_argument("--samples", type=int, default=50)
    args = ap.parse_args()
    api, api_url = start_api()
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = os.path.join(tmp, "kubeconfig")
        with open(kubeconfig, "w") as f:
            f.write(f"apiVersion: v1\nkind: Config\nclusters: [{{name: f, cluster: {{server: '{api_url}'}}}}]\n"
                    "users: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: f, user: u}}]\n"
                    "current-context: c\n")
        ext = subprocess.Popen([args.binary, "serve", "--kubeconfig", kubeconfig, "--listen", "127.0.0.1:0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            # The extender logs JSON lines on stderr; the "listening on" one carries the URL.
            ext_url = next(json.loads(line)["url"] for line in ext.stderr if "listening on" in line)
            # Keep draining, so that a full pipe never blocks the extender's logging.
            threading.Thread(target=lambda: [None for _ in ext.stderr], daemon=True).start()
            for i in range(args.samples):
                call(api_url + "/_control/objects", {"object": node(f"n{i}")})
            deadline = time.time() + 10
            while time.time() < deadline:
                try:
                    if call(ext_url + "/readyz")[0] == 200:
                        break
                except Exception:
                    pass
                time.sleep(0.02)
            delays = []
            for i in range(args.samples):
                request = {"Pod": {"metadata": {"name": f"probe{i}", "namespace": "default", "uid": f"probe{i}"},
                                   "spec": {"containers": [{"name": "c", "resources": {"requests": {
                                       "sgx.intel.com/epc": "1Mi"}}}]}},
                           "Nodes": None, "NodeNames": [f"n{i}"]}
                start = time.perf_counter()
                call(api_url + "/_control/objects", {"object": pod(f"filler{i}", f"n{i}")})
                while True:
                    reply = json.loads(call(ext_url + "/filter", request)[1])
                    if f"n{i}" in reply["FailedNodes"]:
                        break
                delays.append((time.perf_counter() - start) * 1000)
            delays.sort()
            print(f"API change -> first decision that sees it, {len(delays)} samples (ms): "
                  f"p50 {statistics.median(delays):.1f}, p90 {delays[int(len(delays) * 0.9) - 1]:.1f}, "
                  f"max {delays[-1]:.1f}")
        finally:
            ext.terminate(); ext.wait(10)
            api.stdin.close(); api.wait(10)

if __name__ == "__main__":
    main()
