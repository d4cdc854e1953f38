#!/usr/bin/env python3
"""Compare builds of one Google Benchmark binary side by side, on a shared and noisy machine.

  bench/compare_builds.py --filter 'BM_Filter/nodes:5000/mode:1' --rounds 8 \
      old=/path/to/old/build/bench/extender_bench new=build/bench/extender_bench

Each round runs every binary once (in turn, the order reversed every other round, so that neither
always runs right after the other), three short repetitions each, and keeps each binary's fastest
repetition of the round. A neighbour's burst then slows one round of every binary alike, and the
paired ratio of a round (this binary's time over the first binary's, in the same round) cancels it;
the median of those ratios is the comparison to read. The minimum over rounds is the time with the
least interference.

The time of a benchmark is its p50_us counter when it reports one (extender_bench's BM_Filter
does: the median call, which one slow call does not move), else its mean real time per iteration.
EPC_BENCH_DATA must point at the request bodies, as for bench/run.sh. Exit code 1 when a binary
fails or reports no runs.
"""
import argparse
import json
import statistics
import subprocess
import sys


def run_once(binary, benchmark_filter, min_time):
    """{benchmark name: fastest repetition's time in microseconds} of one run of `binary`."""
    done = subprocess.run(
        [binary, f"--benchmark_filter={benchmark_filter}", f"--benchmark_min_time={min_time}",
         "--benchmark_repetitions=3", "--benchmark_format=json"],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{binary} exited with {done.returncode}: {done.stderr.strip()[-500:]}")
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    fastest = {}
    for run in json.loads(done.stdout)["benchmarks"]:
        if run.get("run_type") != "iteration" or run.get("error_occurred"):
            continue
        took = run["p50_us"] if "p50_us" in run else run["real_time"] * scale[run["time_unit"]]
        name = run["run_name"]
        fastest[name] = min(took, fastest.get(name, took))
    return fastest


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filter", required=True, help="--benchmark_filter for every binary")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--min-time", type=float, default=0.15,
                        help="--benchmark_min_time of each repetition, in seconds")
    parser.add_argument("builds", nargs="+", metavar="LABEL=BINARY",
                        help="the first is the one the others are compared with")
    args = parser.parse_args()
    builds = []
    for build in args.builds:
        label, sep, binary = build.partition("=")
        if not sep or not label or not binary:
            parser.error(f"expected LABEL=BINARY, got {build!r}")
        builds.append((label, binary))
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")

    # times[label][benchmark] = [fastest of round 0, fastest of round 1, ...]
    times = {label: {} for label, _ in builds}
    for round_index in range(args.rounds):
        order = builds if round_index % 2 == 0 else builds[::-1]
        for label, binary in order:
            for name, took in run_once(binary, args.filter, args.min_time).items():
                times[label].setdefault(name, []).append(took)

    base_label = builds[0][0]
    if not times[base_label]:
        sys.exit(f"no benchmark matched {args.filter!r}")
    print(f"{'benchmark':44s} {'build':10s} {'min µs':>10s} {'median µs':>10s}  "
          f"÷ {base_label} (median of rounds)")
    for name, base in times[base_label].items():
        for label, _ in builds:
            mine = times[label].get(name)
            if mine is None or len(mine) != len(base):
                sys.exit(f"{label} did not report {name} in every round")
            ratio = statistics.median(m / b for m, b in zip(mine, base))
            print(f"{name:44s} {label:10s} {min(mine):10.1f} {statistics.median(mine):10.1f}  "
                  f"{ratio:.3f}")


if __name__ == "__main__":
    main()
