#!/usr/bin/env bash
# Runs every integration target on the real daemons, and fails when ansible-test would leave
# any target out (skipped, unsupported, disabled) or finds none.
#   scripts/checks/integration.sh STAGE_DIR [ansible-test options]
set -euo pipefail
stage=$1; shift
cd "$stage"
want=$(find tests/integration/targets -mindepth 1 -maxdepth 1 -type d ! -name 'setup_*' -printf '%f\n' | sort)
[ -n "$want" ] || { echo "no integration targets found"; exit 1; }
got=$(ansible-test integration --list-targets --allow-destructive "$@" 2>/dev/null | sort)
if [ "$want" != "$got" ]; then
  echo "ansible-test would not run every integration target:"
  diff <(echo "$want") <(echo "$got") || true
  exit 1
fi
echo "== ansible-test integration: $(echo "$want" | tr '\n' ' ')"
ansible-test integration --allow-destructive --color=no "$@"
