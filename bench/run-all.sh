#!/usr/bin/env bash
# Every service benchmark in one command, then a summary (see docs/benchmarks.md):
#   bench/run-all.sh [extender_bench flags, e.g. --benchmark_min_time=0.5]
# 1. bench/run.sh: decode + decide at 100, 500 and 5000 nodes, both request modes, against
#    simdjson's and nlohmann's bare parse of the same body (Google Benchmark);
# 2. bench/http.sh: wrk against POST /filter, the extender vs an empty cpprestsdk handler;
# 3. bench/rss.sh: memory with 5000 nodes and 100k pods.
# Full outputs go to $EPC_BUILD_DIR/bench-results (default build/bench-results). Takes about
# 3 minutes; set EPC_BUILD_DIR to build elsewhere than ./build (see bench/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
results=${EPC_BUILD_DIR:-build}/bench-results
mkdir -p "$results"

echo "== 1/3 extender_bench (bench/run.sh)"
bench/run.sh --benchmark_out="$results/extender_bench.json" --benchmark_out_format=json "$@" |
  tee "$results/extender_bench.txt"
echo "== 2/3 HTTP (bench/http.sh)"
bench/http.sh | tee "$results/http.txt"
echo "== 3/3 memory (bench/rss.sh)"
bench/rss.sh | tee "$results/rss.txt"

echo
echo "== Summary ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); full outputs in $results)"
python3 bench/extender_bench_summary.py "$results/extender_bench.json"
echo
sed -n '/^POST \/filter/,$p' "$results/http.txt"
echo
grep '^RSS\|^nodes ' "$results/rss.txt"
