#!/usr/bin/env bash
# Runs the extender benchmarks on realistic request bodies.
#   bench/run.sh                       # all benchmarks
#   bench/run.sh --benchmark_filter=FilterAndPrioritize
# Bodies come from gen_extender_args.py (AKS-like nodes, ~9 KB each; half confidential), written once
# into build/bench-data. Set GEN_EXTENDER_ARGS to the generator's path if ../shared is elsewhere, and
# EPC_BUILD_DIR to build elsewhere than ./build (see bench/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
gen=${GEN_EXTENDER_ARGS:-../shared/tools/gen_extender_args.py}
data=build/bench-data
build_dir=${EPC_BUILD_DIR:-build}
bench/build.sh extender_bench
mkdir -p "$data"
for n in 100 500 5000; do
  for mode in nodes nodenames; do
    out="$data/args-$n-$mode.json"
    [ -s "$out" ] || python3 "$gen" --nodes "$n" --mode "$mode" --seed 1 > "$out"
  done
done
EPC_BENCH_DATA="$data" exec "$build_dir/bench/extender_bench" --benchmark_counters_tabular=true "$@"
