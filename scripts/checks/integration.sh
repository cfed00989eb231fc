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
# a target that cannot run on this machine at all (the kernel target's probe) says so here
not_run=/var/tmp/netdevops-ovs_docker/not-run.txt
rm -f "$not_run"
rc=0
ansible-test integration --allow-destructive --color=no "$@" || rc=$?
if [ -s "$not_run" ]; then
  printf '\033[1m== targets NOT RUN on this machine:\033[0m\n'
  sed 's/^/   /' "$not_run"
fi
exit $rc
