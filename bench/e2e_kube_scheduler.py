#!/usr/bin/env python3
"""End to end with a real kube-scheduler: pods/s with and without epc-extender, side by side
(issue 16, optional; never part of CI, since it needs a kube-scheduler binary the project does not
build or ship).

Usage: bench/e2e_kube_scheduler.py --kube-scheduler PATH [--binary build/scheduler/epc-extender]
                                   [--nodes 500] [--pods 1000]
                                   [--modes alone,filter,filter+prioritize,filter+prioritize+bind]
                                   [--percentage-of-nodes-to-score 100] [--timeout 600] [--json]

Each mode gets a fresh fake API server (test/fake_apiserver) with N confidential nodes (64Mi of
sgx.intel.com/epc each), for the modes with an extender a fresh `epc-extender serve` watching it,
and a fresh kube-scheduler (`--kube-scheduler`, v1.30; the binary's path is all this script needs)
with leader election off, JSON to the API server, a high client QPS, no serving port, and for those
modes an `extenders:` entry as docs/kube-scheduler.md recommends: nodeCacheCapable, weight 1, the
mode's verbs (filter, prioritize, bind), and managedResources sgx.intel.com/epc with
ignoredByScheduler: true, so the extender is the only EPC check. "alone" has no extender:
kube-scheduler's NodeResourcesFit checks EPC as an extended resource.

kube-scheduler is ready once it has bound a probe pod without EPC (its informers have synced and
its loop runs); the probe is then deleted. The clock runs from the creation of the M pods (16Mi of
EPC each, all at once) to the last binding seen on a watch of the fake API server.

Reported per mode: pods per second, and CPU-seconds per 1000 pods (user + system from
/proc/PID/stat, over the placement) of the extender, of kube-scheduler and of the fake API server,
with the fake's CPU as a share of one core. The fake is a single Python process (one core at most,
the GIL): when its share nears 1.0 it sets the pace of every mode, so the pods/s ratio is then a
bound on the extender's cost, not a measure of it; the extender's CPU per pod is its own.

Every child listens on 127.0.0.1 only, and all of them are stopped when a mode ends, on error too.
"""
import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test/kube"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from binary_harness import call, start_extender, start_fake_apiserver, stop, write_kubeconfig  # noqa: E402
import e2e  # noqa: E402  (node and pod shapes, /proc CPU reading)

cpu_seconds = e2e.cpu_seconds


def node(name):
    """e2e.py's node, plus what kube-scheduler's own filters read: a pod count (NodeResourcesFit
    rejects a node without allocatable pods), memory, capacity and the hostname label."""
    obj = e2e.node(name)
    obj["metadata"]["labels"]["kubernetes.io/hostname"] = name
    obj["status"]["allocatable"].update({"memory": "32Gi", "pods": "110"})
    obj["status"]["capacity"] = dict(obj["status"]["allocatable"])
    return obj


def pod(name):
    """e2e.py's pod, addressed to default-scheduler (the fake API server does no defaulting)."""
    obj = e2e.pod(name)
    obj["spec"]["schedulerName"] = "default-scheduler"
    obj["spec"]["containers"][0]["image"] = "registry.invalid/enclave:1"
    return obj


def probe_pod():
    obj = pod("probe")
    obj["metadata"]["uid"] = "uid-probe"
    del obj["spec"]["containers"][0]["resources"]
    return obj


def scheduler_config(path, kubeconfig, ext_url, verbs, percentage):
    lines = ["apiVersion: kubescheduler.config.k8s.io/v1",
             "kind: KubeSchedulerConfiguration",
             "leaderElection:",
             "  leaderElect: false",
             "clientConnection:",
             "  kubeconfig: %s" % json.dumps(kubeconfig),
             "  contentType: application/json",
             "  acceptContentTypes: application/json",
             "  qps: 5000",
             "  burst: 10000",
             "profiles:",
             "- schedulerName: default-scheduler"]
    if percentage is not None:
        lines.append("percentageOfNodesToScore: %d" % percentage)
    if verbs:
        lines += ["extenders:",
                  "- urlPrefix: %s" % json.dumps(ext_url),
                  "  weight: 1",
                  "  nodeCacheCapable: true",
                  "  httpTimeout: 5s",
                  "  ignorable: false",
                  "  managedResources:",
                  "  - name: sgx.intel.com/epc",
                  "    ignoredByScheduler: true"]
        lines += ["  %sVerb: %s" % (verb, verb) for verb in verbs]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


class BindingWatch:
    """A watch on the fake API server's pods that records when each pod is first seen bound."""

    def __init__(self, api_url, resource_version):
        self.url = urllib.parse.urlsplit(api_url)
        self.rv = resource_version
        self.bound = {}  # "namespace/name" -> monotonic time first seen with spec.nodeName
        self._open()

    def _open(self):
        # bookmarks every few seconds wake the reader up to look at its deadline
        self.conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=60)
        self.conn.request("GET", "/api/v1/pods?watch=1&allowWatchBookmarks=true"
                          "&timeoutSeconds=1800&resourceVersion=%s" % self.rv,
                          headers={"Accept": "application/json"})
        self.response = self.conn.getresponse()
        if self.response.status != 200:
            raise RuntimeError("pod watch: HTTP %d" % self.response.status)

    def wait_for(self, keys, deadline, children=()):
        """Reads events until every key is bound or the deadline passes; True when all are.
        Raises as soon as one of `children` has exited."""
        missing = set(keys) - set(self.bound)
        while missing and time.monotonic() < deadline:
            for child in children:
                if child.poll() is not None:
                    raise RuntimeError("%s exited early (code %s)"
                                       % (os.path.basename(child.args[0]), child.returncode))
            line = self.response.readline()
            if not line:  # the server ended the watch: go on from the last RV seen
                self.conn.close()
                self._open()
                continue
            event = json.loads(line)
            if event.get("type") == "ERROR":
                raise RuntimeError("pod watch: %s" % event["object"].get("message"))
            obj = event["object"]
            meta = obj.get("metadata") or {}
            self.rv = meta.get("resourceVersion", self.rv)
            if event["type"] in ("ADDED", "MODIFIED") and (obj.get("spec") or {}).get("nodeName"):
                key = "%s/%s" % (meta.get("namespace"), meta.get("name"))
                if key not in self.bound:
                    self.bound[key] = time.monotonic()
                    missing.discard(key)
        return not missing

    def close(self):
        self.conn.close()


def start_kube_scheduler(path, config, log_path):
    log = open(log_path, "w")
    try:
        return subprocess.Popen(
            [path, "--config", config, "--secure-port=0", "-v=1"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()


def log_tail(path, lines=25):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def run_mode(args, mode):
    verbs = () if mode == "alone" else tuple(mode.split("+"))
    if any(verb not in ("filter", "prioritize", "bind") for verb in verbs):
        raise SystemExit("unknown mode %r" % mode)
    api, api_url = start_fake_apiserver(max_seconds=args.timeout + 300)
    procs = [api]
    watch = None
    with tempfile.TemporaryDirectory(prefix="e2e-kube-scheduler-") as tmp:
        log_path = os.path.join(tmp, "kube-scheduler.log")
        try:
            # real apiservers end watches after 5 to 10 minutes; the fake's default is 60 s
            call(api_url + "/_control/config", {"watch_timeout": 1800})
            for first in range(0, args.nodes, 500):
                call(api_url + "/_control/objects", {"objects": [
                    node("n%d" % i) for i in range(first, min(args.nodes, first + 500))]})
            kubeconfig = write_kubeconfig(tmp, api_url)
            ext_url, extender = None, None
            if verbs:
                extender, ext_url = start_extender(args.binary, kubeconfig)
                procs.append(extender)
            config = scheduler_config(os.path.join(tmp, "scheduler.yaml"), kubeconfig, ext_url,
                                      verbs, args.percentage_of_nodes_to_score)
            scheduler = start_kube_scheduler(args.kube_scheduler, config, log_path)
            procs.append(scheduler)

            # Ready: a plain pod (no EPC, so no extender call) gets bound.
            out = json.loads(call(api_url + "/_control/objects", {"object": probe_pod()})[1])
            watch = BindingWatch(api_url, out["resourceVersion"])
            if not watch.wait_for(["default/probe"], time.monotonic() + 120, procs):
                raise RuntimeError("kube-scheduler bound no probe pod within 120 s")
            call(api_url + "/_control/delete", {"kind": "Pod", "name": "probe"})
            time.sleep(0.5)

            pids = {"extender": extender.pid if extender else None,
                    "kube_scheduler": scheduler.pid, "apiserver": api.pid}
            cpu_before = {k: cpu_seconds(p) for k, p in pids.items() if p}
            started = time.monotonic()
            objects = [pod("p%04d" % i) for i in range(args.pods)]
            for first in range(0, args.pods, 500):
                call(api_url + "/_control/objects", {"objects": objects[first:first + 500]})
            created = time.monotonic()
            keys = ["default/p%04d" % i for i in range(args.pods)]
            if not watch.wait_for(keys, started + args.timeout, procs):
                missing = sum(1 for k in keys if k not in watch.bound)
                raise RuntimeError("%s: %d of %d pods not bound within %d s"
                                   % (mode, missing, args.pods, args.timeout))
            last = max(watch.bound[k] for k in keys)
            cpu = {k: cpu_seconds(p) - cpu_before[k] for k, p in pids.items() if p}
            elapsed = last - started
            # Where they went (after the clock): nodes used, and any node given more EPC than it has.
            per_node = {}
            for item in json.loads(call(api_url + "/api/v1/pods")[1])["items"]:
                name = item["spec"].get("nodeName")
                per_node[name] = per_node.get(name, 0) + 1
            overfull = sum(1 for n in per_node.values() if n * 16 > 64)
            per_1000 = {k: 1000 * v / args.pods for k, v in cpu.items()}
            return {"mode": mode, "pods": args.pods, "nodes": args.nodes,
                    "seconds": elapsed, "create_seconds": created - started,
                    "pods_per_second": args.pods / elapsed,
                    "nodes_used": len(per_node), "nodes_over_epc": overfull,
                    "extender_cpu_s_per_1000_pods": per_1000.get("extender"),
                    "kube_scheduler_cpu_s_per_1000_pods": per_1000["kube_scheduler"],
                    "apiserver_cpu_s_per_1000_pods": per_1000["apiserver"],
                    "apiserver_cores": cpu["apiserver"] / elapsed}
        except BaseException:
            sys.stderr.write("%s: kube-scheduler log tail:\n%s\n" % (mode, log_tail(log_path)))
            raise
        finally:
            if watch:
                watch.close()
            stop(procs)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kube-scheduler", required=True, help="a kube-scheduler v1.30 binary")
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/scheduler/epc-extender"))
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--modes", default="alone,filter,filter+prioritize,filter+prioritize+bind")
    parser.add_argument("--percentage-of-nodes-to-score", type=int, default=100,
                        help="kube-scheduler's percentageOfNodesToScore (default 100, as the chart "
                             "sets it; 0 is kube-scheduler's adaptive default)")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds each mode may take to bind its pods")
    parser.add_argument("--json", action="store_true", help="print one JSON object per mode")
    args = parser.parse_args()
    if args.nodes * 4 < args.pods:
        raise SystemExit("%d pods of 16Mi do not fit on %d nodes of 64Mi" % (args.pods, args.nodes))
    # SIGTERM (e.g. timeout(1)) unwinds like Ctrl-C, so every child is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = []
    for mode in args.modes.split(","):
        try:
            results.append(run_mode(args, mode))
        except Exception as exc:  # noqa: BLE001  report it, go on with the next mode
            sys.stderr.write("%s failed: %s\n" % (mode, exc))
            results.append({"mode": mode, "error": str(exc)})
    if args.json:
        for result in results:
            print(json.dumps(result))
        return
    alone = next((r["pods_per_second"] for r in results
                  if r["mode"] == "alone" and "error" not in r), None)
    print("%d nodes, %d pods, %d cores, kube-scheduler %s" % (
        args.nodes, args.pods, os.cpu_count(), os.path.basename(args.kube_scheduler)))
    print("%-24s %8s %8s %16s %16s %16s %9s %6s" % (
        "mode", "pods/s", "÷ alone", "extender CPU s", "kube-sched CPU s", "fake API CPU s",
        "fake API", "nodes"))
    print("%-24s %8s %8s %16s %16s %16s %9s %6s" % ("", "", "", "per 1000 pods", "per 1000 pods",
                                                    "per 1000 pods", "cores", "used"))
    for r in results:
        if "error" in r:
            print("%-24s failed: %s" % (r["mode"], r["error"]))
            continue
        print("%-24s %8.1f %8s %16s %16.2f %16.2f %9.2f %6d%s" % (
            r["mode"], r["pods_per_second"],
            "%.2f" % (r["pods_per_second"] / alone) if alone else "-",
            "-" if r["extender_cpu_s_per_1000_pods"] is None
            else "%.2f" % r["extender_cpu_s_per_1000_pods"],
            r["kube_scheduler_cpu_s_per_1000_pods"], r["apiserver_cpu_s_per_1000_pods"],
            r["apiserver_cores"], r["nodes_used"],
            "  %d nodes over their EPC!" % r["nodes_over_epc"] if r["nodes_over_epc"] else ""))


if __name__ == "__main__":
    main()
