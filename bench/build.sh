#!/usr/bin/env bash
# Builds benchmark targets for the bench/ scripts:  bench/build.sh TARGET...
# By default with ./dev/build (the ./build tree, installing missing packages first); with
# EPC_BUILD_DIR=DIR, in that tree instead (configured on first use, Ninja, RelWithDebInfo, -j2), so
# that several people can benchmark from one checkout without sharing a build tree.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${EPC_BUILD_DIR:-build}
if [ "$build_dir" = build ]; then
  exec ./dev/build "$@"
fi
[ -f "$build_dir/build.ninja" ] ||
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
exec ninja -C "$build_dir" -j2 "$@"
