#!/usr/bin/env bash
# HTTP throughput and latency of POST /filter at 100 candidate nodes (NodeNames mode, the recommended
# setting): the real extender against an empty cpprestsdk handler, and against the same empty
# handler padded to the extender's reply size (what cpprestsdk costs to send that reply). All three
# run one after the other with the same settings (see bench/http_bench_server.cc); the ratio of
# throughputs is the figure of merit (target: extender at least 80% of empty).
#   bench/http.sh
# Load: wrk -t2 -c32 -d10s -s bench/filter.lua, after a 2 s warm-up of each server. ROUNDS=N (default
# 3) repeats the three in turn and keeps each server's best round, since a shared machine's noise
# only ever slows a run down; WRK_DURATION overrides -d. Then the empty handler and the extender
# once more, one call at a time (-t1 -c1), for the latency a kube-scheduler call sees.
# Installs wrk (Debian package) when missing. Bodies come from gen_extender_args.py (see
# bench/run.sh); set EPC_BUILD_DIR to build elsewhere than ./build (see bench/build.sh). Exits 1
# when a server fails to start or a request fails.
set -euo pipefail
cd "$(dirname "$0")/.."
gen=${GEN_EXTENDER_ARGS:-../shared/tools/gen_extender_args.py}
data=${EPC_BENCH_DATA:-build/bench-data}
build_dir=${EPC_BUILD_DIR:-build}
duration=${WRK_DURATION:-10s}
rounds=${ROUNDS:-3}

if ! command -v wrk >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
bench/build.sh http_bench_server
mkdir -p "$data"
for mode in nodes nodenames; do
  out="$data/args-100-$mode.json"
  [ -s "$out" ] || python3 "$gen" --nodes 100 --mode "$mode" --seed 1 > "$out"
done
server_bin="$build_dir/bench/http_bench_server"
body="$data/args-100-nodenames.json"
work=$(mktemp -d)
server_pid=""

stop_server() {
  [ -n "$server_pid" ] || return 0
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# Starts the server with the given arguments; sets server_pid and, once it listens, server_url.
# (Not run in a subshell: the EXIT trap must see server_pid.)
start_server() {
  "$server_bin" "$@" > "$work/server.log" 2>&1 &
  server_pid=$!
  server_url=""
  for _ in $(seq 300); do
    server_url=$(sed -n 's/^listening on //p' "$work/server.log")
    [ -z "$server_url" ] || return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "http.sh: the server did not start:" >&2
  cat "$work/server.log" >&2
  exit 1
}

# Measures one server under wrk with THREADS threads and CONNECTIONS connections; sets `result` to
# wrk's RESULT line (see bench/filter.lua).
measure() {
  local name=$1 load=(-t"$2" -c"$3")
  shift 3
  start_server "$@"
  wrk "${load[@]}" -d2s -s bench/filter.lua "$server_url/filter" -- "$body" > /dev/null
  wrk "${load[@]}" -d"$duration" -s bench/filter.lua "$server_url/filter" -- "$body" > "$work/$name.wrk"
  stop_server
  result=$(grep '^RESULT ' "$work/$name.wrk")
  case "$result" in
    *" non2xx=0 socket_errors=0") ;;
    *) echo "http.sh: $name: failed requests: $result" >&2; cat "$work/$name.wrk" >&2; exit 1 ;;
  esac
}

# The extender's reply to this body, for the padded empty handler.
extender=(--mode extender --nodes-body "$data/args-100-nodes.json")
start_server "${extender[@]}"
reply_bytes=$(curl -sf -X POST -H 'Expect:' -H 'Content-Type: application/json' \
  --data-binary @"$body" "$server_url/filter" | wc -c)
stop_server

declare -A best=()
rps() { sed -n 's/.* rps=\([^ ]*\).*/\1/p' <<< "$1"; }
# Keeps `result` as NAME's best when its throughput is the highest so far.
keep_best() {
  local name=$1
  if [ -z "${best[$name]:-}" ] || awk -v a="$(rps "$result")" -v b="$(rps "${best[$name]}")" \
    'BEGIN { exit !(a > b) }'; then
    best[$name]=$result
  fi
}
for round in $(seq "$rounds"); do
  measure empty 2 32 --mode empty && keep_best empty
  measure empty-padded 2 32 --mode empty --reply-bytes "$reply_bytes" && keep_best empty-padded
  measure extender 2 32 "${extender[@]}" && keep_best extender
  echo "http.sh: round $round of $rounds done" >&2
done
# One call at a time, as kube-scheduler makes them: the latency a scheduling cycle waits for.
measure serial-empty 1 1 --mode empty && serial_empty=$result
measure serial-extender 1 1 "${extender[@]}" && serial_extender=$result

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$2"; }
echo "POST /filter, 100 candidate nodes (NodeNames mode, $(wc -c < "$body")-byte request," \
  "$reply_bytes-byte reply), wrk -t2 -c32 -d$duration, best round of $rounds"
printf '%-14s %12s %10s %10s\n' server 'requests/s' 'p50 ms' 'p99 ms'
for name in empty empty-padded extender; do
  printf '%-14s %12s %10s %10s\n' "$name" "$(field rps "${best[$name]}")" \
    "$(field p50_ms "${best[$name]}")" "$(field p99_ms "${best[$name]}")"
done
awk -v e="$(rps "${best[extender]}")" -v b="$(rps "${best[empty]}")" \
  -v p="$(rps "${best[empty-padded]}")" 'BEGIN {
    printf "extender/empty throughput: %.0f%% (target: at least 80%%)\n", 100 * e / b
    printf "extender/empty-padded throughput: %.0f%%\n", 100 * e / p
  }'
echo "one call at a time (wrk -t1 -c1 -d$duration): empty p50 $(field p50_ms "$serial_empty") ms," \
  "p99 $(field p99_ms "$serial_empty") ms; extender p50 $(field p50_ms "$serial_extender") ms," \
  "p99 $(field p99_ms "$serial_extender") ms"
