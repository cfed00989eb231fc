#!/usr/bin/env bash
# Benchmark: the lab role's no-change play on one fleet node and on N (default 6) at once.
#   scripts/measure/lab_fleet.sh [N]        (after make install; root)
# Starts N fleet nodes (scripts/setup/fleet.sh: containers with their own OVS, Docker and sshd),
# gives each the seed's lab on a subnet of its own (198.18.N.0/24, in the node's own network
# stack), builds it, then times the play that changes nothing three times on vm1 alone and three
# times on all N (--forks N), pictures and ping matrix off. Prints figures; asserts nothing. The
# nodes and everything on them are removed at the end, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/../.."
nodes=${1:-6}
bin=$PWD/.venv/bin
work=$(mktemp -d)
export FLEET_DIR=$work/fleet
trap 'scripts/setup/fleet.sh down >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

scripts/setup/fleet.sh up "$nodes" >/dev/null
cp "$FLEET_DIR/inventory.ini" "$work/inventory.ini"
mkdir -p "$work/group_vars" "$work/host_vars"
printf '%s\n' 'lab_image: ovs-docker-test:busybox' 'lab_topology: false' 'lab_verify: false' > "$work/group_vars/fleet.yml"
for n in $(seq 1 "$nodes"); do
  printf '%s\n' "lab_bridges: [{name: br0, addresses: [198.18.$n.250/24]}]" \
    "lab_namespaces: [{name: ns1, bridge: br0, interface: veth1, host_interface: veth0, addresses: [198.18.$n.1/24], gateway: 198.18.$n.250}]" \
    "lab_containers: [{name: con1, bridge: br0, addresses: [198.18.$n.2/24], gateway: 198.18.$n.250}]" \
    > "$work/host_vars/vm$n.yml"
done

play() {  # play ARGS...: the wall time of one ansible-playbook run, in seconds
  local started; started=$(date +%s.%N)
  "$bin/ansible-playbook" -i "$work/inventory.ini" \
    "$@" >"$work/last.log" 2>&1 || { tail -30 "$work/last.log" >&2; exit 1; }
  echo "$(date +%s.%N) - $started" | bc
}

play tests/integration/targets/fleet/prepare.yml >/dev/null
play netdevops.ovs_docker.lab --forks "$nodes" >/dev/null
one=() all=()
for _round in 1 2 3; do
  one+=("$(play netdevops.ovs_docker.lab -l vm1)")
  all+=("$(play netdevops.ovs_docker.lab --forks "$nodes")")
done
printf 'lab play, no change, 1 node:            %s s\n' "$(printf '%.1f ' "${one[@]}")"
printf 'lab play, no change, %d nodes, forks %d: %s s\n' "$nodes" "$nodes" "$(printf '%.1f ' "${all[@]}")"
play netdevops.ovs_docker.teardown --forks "$nodes" >/dev/null
