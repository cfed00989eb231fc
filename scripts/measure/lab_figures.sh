#!/usr/bin/env bash
# The lab play on localhost from a checkout: build, no change, teardown; wall time and module runs.
#   scripts/measure/lab_figures.sh [CHECKOUT] [LABEL]     (default: this checkout, "now")
# Module runs are counted by the interpreter Ansible is given, which logs each AnsiballZ run.
# Builds and removes the lab as `make lab` / `make teardown` do (the same variables).
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(realpath "${1:-.}")
label=${2:-now}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ansible_collections/netdevops"
rsync -a --exclude .venv --exclude .build --exclude .git "$src/" "$work/ansible_collections/netdevops/ovs_docker/"
cat >"$work/python" <<WRAP
#!/bin/bash
echo "\$*" >>"$work/runs.log"
exec $PWD/.venv/bin/python "\$@"
WRAP
chmod +x "$work/python"
export ANSIBLE_COLLECTIONS_PATH=$work:$HOME/.ansible/collections
for phase in build no-change teardown; do
  playbook=netdevops.ovs_docker.lab
  [ "$phase" != teardown ] || playbook=netdevops.ovs_docker.teardown
  : >"$work/runs.log"
  start=$(date +%s.%N)
  rc=0
  .venv/bin/ansible-playbook -i localhost, -c local -e ansible_python_interpreter="$work/python" \
    -e @playbooks/vars/single_host.yml -e lab_topology_dir="$work/topology" "$playbook" >"$work/$phase.log" 2>&1 || rc=$?
  end=$(date +%s.%N)
  runs=$(grep -c AnsiballZ "$work/runs.log" || true)
  ours=$(grep -o 'AnsiballZ_[a-z_0-9]*' "$work/runs.log" | sed 's/AnsiballZ_//' | sort | uniq -c | awk '{ printf "%s %s, ", $2, $1 }')
  echo "$label $phase: rc=$rc $(awk "BEGIN { printf \"%.1f\", $end - $start }") s, $runs module runs ($ours)"
done
