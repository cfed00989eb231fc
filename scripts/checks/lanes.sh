#!/usr/bin/env bash
# Runs two shell commands at once (the static checks: these 2 cores each take a lane), then prints
# each one's output whole, in order, and fails when either failed.
#   scripts/checks/lanes.sh COMMAND COMMAND
set -uo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bash -c "$1" >"$out/1" 2>&1 &
first=$!
bash -c "$2" >"$out/2" 2>&1 &
second=$!
rc=0
wait "$first" || rc=1
cat "$out/1"
wait "$second" || rc=1
cat "$out/2"
exit $rc
