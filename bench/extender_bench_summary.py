#!/usr/bin/env python3
"""Summarise extender_bench's JSON output (--benchmark_out=FILE --benchmark_out_format=json).

Prints, per candidate count, the time of one filter + prioritize cycle in both request modes, of one
Nodes-mode filter (and the median and p99 of single filter calls in both modes), and of the two bare parses of the same Nodes body (simdjson DOM: the practical
floor; nlohmann: what a naive decoder pays), with the ratio that issue 7's target is about
(Nodes-mode decode + decide within 2x of simdjson's bare parse).

  extender_bench_summary.py results.json
"""
import json, re, sys

def main():
    with open(sys.argv[1]) as f:
        runs = json.load(f)["benchmarks"]
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
    ms, tails = {}, {}
    for run in runs:
        if run.get("run_type", "iteration") != "iteration" or run.get("error_occurred"):
            continue
        name = run["name"]
        m = re.match(r"BM_(\w+)/(?:nodes:)?(\d+)(?:/mode:(\d))?", name)
        if not m:
            continue
        bench, nodes, mode = m.group(1), int(m.group(2)), m.group(3)
        key = bench + ({"0": ":nodes", "1": ":nodenames"}.get(mode, ""))
        ms[(key, nodes)] = run["real_time"] * scale[run["time_unit"]]
        if "p99_us" in run:
            tails[(key, nodes)] = (run["p50_us"] / 1e3, run["p99_us"] / 1e3)
    cols = [("NodeNames F+P", "FilterAndPrioritize:nodenames"), ("Nodes F+P", "FilterAndPrioritize:nodes"),
            ("Nodes filter", "Filter:nodes"), ("simdjson DOM", "SimdjsonDomParse"), ("nlohmann", "NlohmannParse")]
    print("extender_bench, ms per call (F+P: filter then prioritize of the same request)")
    print(f"{'nodes':>6} " + " ".join(f"{c:>14}" for c, _ in cols) + f" {'filter/simdjson':>16}")
    for nodes in sorted({n for _, n in ms}):
        cells = [ms.get((key, nodes)) for _, key in cols]
        text = " ".join(f"{c:14.3f}" if c is not None else f"{'-':>14}" for c in cells)
        ratio = cells[2] / cells[3] if cells[2] and cells[3] else None
        print(f"{nodes:>6} {text} {ratio:16.2f}" if ratio else f"{nodes:>6} {text} {'-':>16}")
    print("one filter call, ms: mean / p50 / p99")
    for mode in ("nodenames", "nodes"):
        for nodes in sorted({n for k, n in tails if k == "Filter:" + mode}):
            mean = ms[("Filter:" + mode, nodes)]
            p50, p99 = tails[("Filter:" + mode, nodes)]
            print(f"{mode:>10} {nodes:>5}: {mean:8.3f} / {p50:8.3f} / {p99:8.3f}")

if __name__ == "__main__":
    main()
