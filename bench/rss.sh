#!/usr/bin/env bash
# Memory of the extender's cluster view at scale: 5000 AKS-like nodes and 100k pods listed into a
# ClusterState as the API source applies a list, RSS before and after (see bench/state_memory.cc).
#   bench/rss.sh [--nodes N] [--pods N]
# Set EPC_BUILD_DIR to build elsewhere than ./build (see bench/build.sh). Target: under 100 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${EPC_BUILD_DIR:-build}
bench/build.sh state_memory
exec "$build_dir/bench/state_memory" "$@"
