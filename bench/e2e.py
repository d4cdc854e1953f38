#!/usr/bin/env python3
"""End to end: a kube-scheduler stand-in placing pods through epc-extender, side by side with the
stand-in alone, all in one run (issue 16, first step).

Usage: bench/e2e.py [--binary [LABEL=]PATH[ FLAG...]]... [--nodes 500] [--pods 1000]
                    [--modes alone,filter,filter+prioritize,filter+prioritize+bind] [--rounds 1]
                    [--spinners 0] [--json]

--spinners N starts N busy processes (one CPU each) for the whole run, to show latency under
contention: on a control-plane node the extender shares its cores with kube-scheduler and the API
server.

--binary may be repeated to compare builds or flags side by side, e.g.
`--binary old=/tmp/old/epc-extender --binary "new=build/scheduler/epc-extender --threads 2"`; with
--rounds R every (mode, binary) pair runs R times, interleaved, and the medians are reported.

Each mode gets a fresh fake API server (test/fake_apiserver) with N confidential nodes and, for
the modes with an extender, a fresh `epc-extender serve` watching it (NodeNames mode). The
stand-in (test/kube/scheduler_standin.py) runs kube-scheduler's loop: one pod at a time, its own
filters, then the extender's filter and prioritize, a random pick among the top totals, and the
binding in flight on a worker (through the extender's bind verb, or the API when bind is not
delegated). All M pods are created at once; the clock runs from their creation to the last one
bound as the stand-in's watch sees it.

Reported per mode: pods per second, the stand-in's cycle latency (filter + prioritize + pick)
p50/p99, and the extender's CPU-seconds per 1000 pods from /proc/PID/stat (user + system, over the
whole placement), with each round's figure as well when there are several. The stand-in and the
fake API server are Python: their own costs bound the throughput of every mode, so the pods/s ratio
here is an upper bound on the extender's share, while its CPU per pod is its own. Also reported:
the extender's context switches per pod, summed over its threads from /proc/PID/task/*/status,
since thread hand-offs were its main cost (issue 16).
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test/kube"))
from binary_harness import call, start_extender, start_fake_apiserver, stop, write_kubeconfig  # noqa: E402
from scheduler_standin import SchedulerStandIn  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def context_switches(pid):
    """Voluntary plus involuntary context switches of every thread of the process so far."""
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, task)) as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass  # a thread that ended meanwhile
    return total


def node(name):
    return {"kind": "Node", "apiVersion": "v1",
            "metadata": {"name": name, "labels": {"agentpool": "confpool"}},
            "status": {"allocatable": {"cpu": "8", "sgx.intel.com/epc": "64Mi"},
                       "conditions": [{"type": "Ready", "status": "True"}]}}


def pod(name):
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "default", "uid": "uid-" + name},
            "spec": {"containers": [{"name": "c", "resources": {
                "requests": {"sgx.intel.com/epc": "16Mi"}, "limits": {"sgx.intel.com/epc": "16Mi"}}}]},
            "status": {"phase": "Pending"}}


def run_mode(binary, flags, mode, nodes, pods):
    api, api_url = start_fake_apiserver(max_seconds=1800)
    procs = [api]
    extender = None
    scheduler = None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            call(api_url + "/_control/objects", {"objects": [node("n%d" % i) for i in range(nodes)]})
            ext_url = None
            verbs = () if mode == "alone" else tuple(mode.split("+"))
            if verbs:
                extender, ext_url = start_extender(binary, write_kubeconfig(tmp, api_url), *flags)
                procs.append(extender)
            scheduler = SchedulerStandIn(api_url, ext_url, verbs=verbs)
            scheduler.start()
            time.sleep(1)  # the stand-in's watches have listed
            cpu_before = cpu_seconds(extender.pid) if extender else 0.0
            switches_before = context_switches(extender.pid) if extender else 0
            started = time.monotonic()
            objects = [pod("p%04d" % i) for i in range(pods)]
            for first in range(0, pods, 500):
                call(api_url + "/_control/objects", {"objects": objects[first:first + 500]})
            keys = ["default/p%04d" % i for i in range(pods)]
            last = None
            for key in keys:
                bound = scheduler.wait_bound(key, max(1.0, started + 600 - time.monotonic()))
                if bound is None:
                    raise SystemExit("%s: %s never bound" % (mode, key))
                last = bound[0] if last is None else max(last, bound[0])
            elapsed = last - started
            cpu = (cpu_seconds(extender.pid) - cpu_before) if extender else 0.0
            switches = (context_switches(extender.pid) - switches_before) if extender else 0
            cycles = sorted(scheduler.cycles)
            return {"mode": mode, "pods_per_second": pods / elapsed,
                    "cycle_p50_ms": 1000 * statistics.median(cycles),
                    "cycle_p99_ms": 1000 * cycles[min(len(cycles) - 1, int(0.99 * len(cycles)))],
                    "extender_cpu_s_per_1000_pods": 1000 * cpu / pods if extender else None,
                    "extender_switches_per_pod": switches / pods if extender else None}
        finally:
            if scheduler:
                scheduler.stop()
            stop(procs)


def parse_binary(text):
    """[LABEL=]PATH[ FLAG...] -> (label, path, flags)."""
    words = shlex.split(text)
    label, _, path = words[0].rpartition("=")
    return (label or path, path, words[1:])


def median_row(rows):
    """The median of each figure over rounds of one (mode, binary) pair."""
    row = dict(rows[0])
    for key in ("pods_per_second", "cycle_p50_ms", "cycle_p99_ms", "extender_cpu_s_per_1000_pods",
                "extender_switches_per_pod"):
        if row[key] is not None:
            row[key] = statistics.median(r[key] for r in rows)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", action="append",
                        help="[LABEL=]PATH[ FLAG...]; repeat to compare (default: this build)")
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--modes", default="alone,filter,filter+prioritize,filter+prioritize+bind")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--spinners", type=int, default=0,
                        help="busy processes running beside, for latency under contention")
    parser.add_argument("--json", action="store_true", help="print one JSON object per row")
    args = parser.parse_args()
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(args.spinners)]
    try:
        report(args)
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def report(args):
    binaries = [parse_binary(b) for b in
                (args.binary or [os.path.join(ROOT, "build/scheduler/epc-extender")])]
    runs = []  # (mode, label, path, flags): "alone" once, whatever the binaries
    for mode in args.modes.split(","):
        if mode == "alone":
            runs.append((mode, "-", None, []))
        else:
            runs.extend((mode, label, path, flags) for label, path, flags in binaries)
    measured = {}
    for _ in range(args.rounds):
        for mode, label, path, flags in runs:
            row = run_mode(path, flags, mode, args.nodes, args.pods)
            row["binary"] = label
            measured.setdefault((mode, label), []).append(row)
    results = [median_row(measured[(mode, label)]) for mode, label, _, _ in runs]
    for result in results:  # the spread behind each median: this machine's noise is as large
        result["extender_cpu_s_per_1000_pods_by_round"] = [
            r["extender_cpu_s_per_1000_pods"] for r in measured[(result["mode"], result["binary"])]]
    if args.json:
        for result in results:
            print(json.dumps(result))
        return
    alone = next((r["pods_per_second"] for r in results if r["mode"] == "alone"), None)
    print("%d nodes, %d pods, %d cores, %d busy spinners, %s of %d round(s)" % (
        args.nodes, args.pods, os.cpu_count(), args.spinners,
        "median" if args.rounds > 1 else "one", args.rounds))
    print("%-24s %-10s %9s %9s %11s %11s %22s %14s" % (
        "mode", "binary", "pods/s", "÷ alone", "cycle p50", "cycle p99",
        "extender CPU s/1000 pods", "switches/pod"))
    for r in results:
        print("%-24s %-10s %9.1f %9s %9.2f ms %8.2f ms %22s %14s" % (
            r["mode"], r["binary"][:10], r["pods_per_second"],
            "%.2f" % (r["pods_per_second"] / alone) if alone else "-",
            r["cycle_p50_ms"], r["cycle_p99_ms"],
            "-" if r["extender_cpu_s_per_1000_pods"] is None
            else "%.2f" % r["extender_cpu_s_per_1000_pods"],
            "-" if r["extender_switches_per_pod"] is None
            else "%.1f" % r["extender_switches_per_pod"]))
    if args.rounds > 1:
        print("extender CPU s/1000 pods, round by round:")
        for r in results:
            if r["extender_cpu_s_per_1000_pods"] is not None:
                print("  %-24s %-10s %s" % (r["mode"], r["binary"][:10], " ".join(
                    "%.2f" % v for v in r["extender_cpu_s_per_1000_pods_by_round"])))


if __name__ == "__main__":
    main()
