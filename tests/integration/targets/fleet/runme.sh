#!/usr/bin/env bash
# The lab across a fleet: three Debian hosts as containers (scripts/setup/fleet.sh), each with its own
# kernel network stack, OVS, Docker engine and sshd, reached over SSH. Per-host labs on
# different subnets, joined by a VXLAN overlay, then the same subnet on every host; the quartet across the fleet (check
# mode writes nothing on any host); the seed's cross-machine ping (a container on vm1 reaches
# vm2's underlay address, routed and masqueraded by vm1); a rolling MTU change (serial: 1) that
# leaves every host converged; wall times of the play on one host and on all of them. Every host
# is looked at with `docker exec` from outside, independently of Ansible.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=../lab/look.sh
source ../lab/look.sh
# ansible-test runs a copy of this directory; the collection (with scripts/) is where
# ANSIBLE_COLLECTIONS_PATH points.
collection=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/netdevops/ovs_docker
fleet=$collection/scripts/setup/fleet.sh
HOSTS=(vm1 vm2 vm3)
PREFIX=100.127.250  # the underlay of scripts/setup/fleet.sh: vmN is $PREFIX.(10+N)

work=$(mktemp -d)
export FLEET_DIR=$work/fleet  # the fleet's SSH key and inventory, gone with the test
# shellcheck source=../lab/plays.sh
source ../lab/plays.sh
run_no=0 changed="" elapsed=""  # what play() sets
plays_use "$work" -i "$work/inventory.ini"
# matrix_of HOST LOG: what the play printed for HOST in its debug blocks (the ping matrix).
matrix_of() { awk -v h="$1" 'index($0, "ok: [" h "] => {") == 1 { on = 1 } on { print } on && /^}/ { on = 0 }' "$2"; }
# on HOST FUNCTION: runs a function of look.sh inside the node, through docker exec.
on() { docker exec -i "fleet-$1" bash -s <<<"$(declare -f snapshot fail has); $2"; }
snapshots() { local h; for h in "${HOSTS[@]}"; do echo "### $h"; on "$h" snapshot; done; }
same() { diff -u "$1" <(snapshots) >&2; }

cleanup() {
  set +e
  [ ! -f "$work/inventory.ini" ] || play cleanup netdevops.ovs_docker.teardown -e @same_subnet.yml >/dev/null
  "$fleet" down
  rm -rf "$work"
}
trap cleanup EXIT

"$fleet" up ${#HOSTS[@]}
# The fleet's inventory, with the test's variables beside it: per-host subnets 192.168.N.0/24,
# every other host as a remote of the ping matrix, the host's underlay address as its own.
cp "$FLEET_DIR/inventory.ini" "$work/inventory.ini"
mkdir -p "$work/group_vars" "$work/host_vars"
cat > "$work/group_vars/fleet.yml" <<YAML
lab_image: ovs-docker-test:busybox
lab_topology_dir: $work/topology
lab_verify: true
lab_verify_host_address: "{{ underlay_address }}"
YAML
for n in 1 2 3; do
  {
    echo "lab_bridges: [{name: br0, addresses: [192.168.$n.250/24]}, {name: ovl0, nat: false}]"
    echo "lab_namespaces: [{name: ns1, bridge: br0, interface: veth1, host_interface: veth0,"
    echo "                  addresses: [192.168.$n.1/24], gateway: 192.168.$n.250}]"
    echo "lab_containers:"
    echo "  - {name: con1, bridge: br0, addresses: [192.168.$n.2/24], gateway: 192.168.$n.250,"
    echo "     mtu: \"{{ fleet_mtu | default(1500) }}\"}"
    echo "  - {name: con2, bridge: ovl0, addresses: [10.42.0.$n/24], mtu: 1450}"
    echo "lab_verify_remotes:"
    for m in 1 2 3; do [ $m = $n ] || echo "  - {name: vm$m, address: $PREFIX.$((10 + m))}"; done
    # the overlay: ovl0 of the three hosts is one L2 segment, 10.42.0.0/24, over VXLAN 42
    echo "lab_overlay:"
    echo "  {bridge: ovl0, vni: 42, local: $PREFIX.$((10 + n)), mtu: 1450,"
    echo "   remotes: [$(for m in 1 2 3; do [ $m = $n ] || printf '%s, ' "$PREFIX.$((10 + m))"; done | sed 's/, $//')],"
    echo "   peers: [$(for m in 1 2 3; do [ $m = $n ] || printf '{name: vm%s-con2, address: 10.42.0.%s}, ' $m $m; done | sed 's/, $//')]}"
  } > "$work/host_vars/vm$n.yml"
done

echo "### the hosts: daemons started by the role, the test image"
expect "preparing the fleet works" play prepare prepare.yml
snapshots > "$work/before"

echo "### one host, fresh (without the overlay: its peers are not built yet)"
expect "the lab on vm1 alone works" play one-host netdevops.ovs_docker.lab -l vm1 -e '{"lab_overlay": {}}'
one_host=$elapsed
expect "it changed vm1" test "$changed" -gt 0
expect "teardown of vm1 works" play one-host-teardown netdevops.ovs_docker.teardown -l vm1 -e '{"lab_overlay": {}}'
expect "every host is as before" same "$work/before"

echo "### the quartet across the fleet, forks = hosts"
expect "check mode across the fleet runs" play check netdevops.ovs_docker.lab --check --diff --forks 3
expect "it reports what it would build" test "$changed" -gt 0
expect "and wrote nothing on any host" same "$work/before"
expect "the fleet build works" play build netdevops.ovs_docker.lab --forks 3
all_hosts=$elapsed
expect "it changed every host" test "$(grep -c 'changed=[1-9]' "$work/$run_no-build.log")" -eq 3
for n in 1 2 3; do
  expect "vm$n's matrix has every cell, the other hosts included" \
    grep -Eq "\"con1 +ok +ok +- +ok( +ok){2}( +-){2}\"" <(matrix_of "vm$n" "$work/$run_no-build.log")
  expect "vm$n: br0 has 192.168.$n.250/24" has "vm$n br0" "$(on "vm$n" 'ip -4 -o addr show dev br0')" " 192\.168\.$n\.250/24 "
  expect "vm$n: con1 has 192.168.$n.2/24" has "vm$n con1" "$(on "vm$n" 'docker exec con1 ip -4 addr show dev eth0')" "inet 192\.168\.$n\.2/24 "
done
for n in 1 2 3; do
  expect "vm$n's con2 reaches the con2 of both other hosts across the overlay (matrix)" \
    grep -Eq '"con2( +-)+ +ok +ok"' <(matrix_of "vm$n" "$work/$run_no-build.log")
done
expect "vm1's con2 reaches vm3's con2 on one L2 segment (no gateway, no route: only the VXLAN link)" \
  on vm1 "docker exec con2 ping -c 1 -W 2 10.42.0.3 >/dev/null && ! docker exec con2 ip route | grep -q default"
for h in "${HOSTS[@]}"; do
  expect "$h: the overlay link is on ovl0" has "$h vxlan42" "$(on "$h" 'ovs-vsctl port-to-br vxlan42')" '^ovl0$'
done
expect "vm1's con1 reaches vm2's underlay address through vm1 (the seed's cross-machine ping)" \
  on vm1 "docker exec con1 ping -c 1 -W 2 $PREFIX.12 >/dev/null"
expect "vm2 has no route back to vm1's lab: the answer came through vm1's masquerading" \
  fails on vm2 "ip route get 192.168.1.2 | grep -q 'via $PREFIX.11'"

echo "### what ovs_docker_info says on each host, against ovs-vsctl, ip, bridge and docker there"
# an answer without what differs from run to run (the invocation's arguments)
same='import json, sys; a = json.load(open(sys.argv[1])); a.pop("invocation", None); print(json.dumps(a, sort_keys=True))'
collections=${ANSIBLE_COLLECTIONS_PATH%%:*}
looks=$collection/tests/integration/targets/setup_quartet/files  # look_info.py and its looks.py
marks=$collection/plugins/module_utils/_core/marks.py  # what looks.py reads the marks from
for h in "${HOSTS[@]}"; do
  ANSIBLE_NOCOLOR=1 ansible -i "$work/inventory.ini" "$h" -o -m netdevops.ovs_docker.ovs_docker_info \
    | sed 's/^[^{]*//' > "$work/info-$h.json"
  docker cp "$looks/look_info.py" "fleet-$h:/tmp/look_info.py" && docker cp "$looks/looks.py" "fleet-$h:/tmp/looks.py" && docker cp "$marks" "fleet-$h:/tmp/marks.py" && docker cp "$work/info-$h.json" "fleet-$h:/tmp/info.json"
  expect "$h: ovs_docker_info agrees with the host's own tools" docker exec "fleet-$h" python3 /tmp/look_info.py /tmp/info.json --all
  expect "$h: and finds nothing stale" grep -q '"problems": \[\]' "$work/info-$h.json"
  docker exec "fleet-$h" rm -f /tmp/look_info.py /tmp/looks.py /tmp/marks.py /tmp/info.json
done
# A local socket is asked with the standard library; any other endpoint through the Docker SDK
# (Debian's python3-docker here): vm1's engine on TCP too, on vm1's own loopback, asked that way.
docker cp files/tcp_engine.py fleet-vm1:/tmp/tcp_engine.py
docker exec fleet-vm1 python3 /tmp/tcp_engine.py  # returns once it listens
ANSIBLE_NOCOLOR=1 ansible -i "$work/inventory.ini" vm1 -o -m netdevops.ovs_docker.ovs_docker_info -a docker_host=tcp://127.0.0.1:2375 \
  | sed 's/^[^{]*//' > "$work/info-vm1-tcp.json"
docker cp "$looks/look_info.py" fleet-vm1:/tmp/look_info.py && docker cp "$looks/looks.py" fleet-vm1:/tmp/looks.py && docker cp "$marks" fleet-vm1:/tmp/marks.py && docker cp "$work/info-vm1-tcp.json" fleet-vm1:/tmp/info.json
expect "vm1: ovs_docker_info through the Docker SDK (tcp://127.0.0.1:2375) agrees with the host's own tools" \
  docker exec fleet-vm1 python3 /tmp/look_info.py /tmp/info.json --all
expect "vm1: and says the same as through the socket" cmp -s <(python3 -c "$same" "$work/info-vm1.json") <(python3 -c "$same" "$work/info-vm1-tcp.json")
docker exec fleet-vm1 pkill -f /tmp/tcp_engine.py || true
docker exec fleet-vm1 rm -f /tmp/look_info.py /tmp/looks.py /tmp/marks.py /tmp/info.json /tmp/tcp_engine.py
# A look that cannot fail proves nothing: vm2 changed behind the answer's back must disagree with it.
docker cp "$looks/look_info.py" fleet-vm2:/tmp/look_info.py && docker cp "$looks/looks.py" fleet-vm2:/tmp/looks.py && docker cp "$marks" fleet-vm2:/tmp/marks.py && docker cp "$work/info-vm2.json" fleet-vm2:/tmp/info.json
on vm2 "ovs-vsctl set Port vxlan42 tag=7"
expect "vm2: the look fails on a VLAN tag set behind the answer's back" fails docker exec fleet-vm2 python3 /tmp/look_info.py /tmp/info.json --all
on vm2 "ovs-vsctl remove Port vxlan42 tag 7; rm -f /tmp/look_info.py /tmp/looks.py /tmp/marks.py /tmp/info.json"
echo "### the pictures: one per host, and the fleet's joining the three overlay links"
look_topology() { "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" ../lab/look_topology.py "$collections" "$@"; }
for h in "${HOSTS[@]}"; do
  expect "$h's picture shows its lab, its overlay link's remotes apart" look_topology "$work/topology/$h" br0 ovl0 con1 con2 ns1 vxlan42 --overlay 0
done
expect "the fleet's picture joins vm1, vm2 and vm3 across VXLAN" look_topology "$work/topology/fleet" vm1 vm2 vm3 vxlan42 --overlay 3
snapshots > "$work/built"
expect "the repeat works" play repeat netdevops.ovs_docker.lab --forks 3
no_op=$elapsed
expect "the repeat changed nothing" test "$changed" -eq 0
expect "the repeat in check mode works" play repeat-check netdevops.ovs_docker.lab --check --diff --forks 3
expect "and changed nothing" test "$changed" -eq 0
expect "every host is as built" same "$work/built"

echo "### a rolling MTU change, one host at a time"
expect "the rollout works" play rollout netdevops.ovs_docker.lab -e lab_serial=1 -e fleet_mtu=1400
rollout=$elapsed
expect "it went host by host" test "$(grep -c '^PLAY \[Build the ovs-docker lab\]' "$work/$run_no-rollout.log")" -eq 3
expect "it changed every host" test "$(grep -c 'changed=[1-9]' "$work/$run_no-rollout.log")" -eq 3
for n in 1 2 3; do
  expect "vm$n: con1's eth0 has MTU 1400" has "vm$n mtu" "$(on "vm$n" 'docker exec con1 ip link show dev eth0')" "mtu 1400 "
done
# (all hosts at once: serial changes the order of the runs, not what a repeat must find)
expect "the rollout again works" play rollout-again netdevops.ovs_docker.lab --forks 3 -e fleet_mtu=1400
expect "and changes nothing" test "$changed" -eq 0

echo "### the same subnet on every host"
expect "teardown across the fleet works" play teardown netdevops.ovs_docker.teardown --forks 3
expect "every host is as before" same "$work/before"
expect "the seed's subnet on every host works" play same-subnet netdevops.ovs_docker.lab -e @same_subnet.yml --forks 3
for n in 1 2 3; do
  expect "vm$n's matrix has every cell" \
    grep -Eq "\"con1 +ok +ok +- +ok( +ok){2}\"" <(matrix_of "vm$n" "$work/$run_no-same-subnet.log")
  expect "vm$n: con1 has 192.168.1.2/24" has "vm$n con1" "$(on "vm$n" 'docker exec con1 ip -4 addr show dev eth0')" "inet 192\.168\.1\.2/24 "
done

echo "### two labs of different names on one host keep apart"
snapshots > "$work/first-lab"
expect "a second lab naming the first lab's con1 is refused" \
  fails play second-refused netdevops.ovs_docker.lab -l vm1 -e @second_lab.yml -e '{"lab_containers": [{"name": "con1", "bridge": "br9"}]}'
expect "the refusal says whose con1 is" grep -q "a container called con1 already exists on this host and belongs to the lab seed" "$work/$run_no-second-refused.log"
expect "and nothing changed" same "$work/first-lab"
expect "the second lab on vm1 works" play second-build netdevops.ovs_docker.lab -l vm1 -e @second_lab.yml
# (columns br0 br9 host vm2 vm3: con9 is on br0, ns9 on br9)
expect "its matrix has every cell" grep -Eq "\"con9 +ok +- +ok( +ok){2}\"" <(matrix_of vm1 "$work/$run_no-second-build.log")
expect "its namespace's row too" grep -Eq "\"ns9 +- +ok +ok( +ok){2}\"" <(matrix_of vm1 "$work/$run_no-second-build.log")
expect "it shares br0 (its address beside the first lab's) and marked only what it made" \
  on vm1 "ip -4 -o addr show dev br0 | grep -q ' 198.18.22.250/24 ' && [ \$(ovs-vsctl get bridge br0 external_ids:netdevops.ovs_docker.lab | tr -d '\"') = seed ] && [ \$(ovs-vsctl get bridge br9 external_ids:netdevops.ovs_docker.lab | tr -d '\"') = second ]"
expect "the first lab still answers" on vm1 "docker exec con1 ping -c 1 -W 2 192.168.1.1 >/dev/null && ip netns exec ns1 ping -c 1 -W 2 192.168.1.2 >/dev/null"
expect "the second lab's repeat changes nothing" play second-repeat netdevops.ovs_docker.lab -l vm1 -e @second_lab.yml
expect "nothing" test "$changed" -eq 0
expect "the second lab's teardown works" play second-teardown netdevops.ovs_docker.teardown -l vm1 -e @second_lab.yml
expect "every host is as with the first lab alone (its forwarding too)" same "$work/first-lab"
expect "the first lab still answers" on vm1 "docker exec con1 ping -c 1 -W 2 192.168.1.1 >/dev/null"
expect "teardown works" play teardown-same netdevops.ovs_docker.teardown -e @same_subnet.yml --forks 3
expect "every host is as before" same "$work/before"

echo "### a containerlab chain spread over the three hosts: each link a VXLAN link of its own (clab role)"
# (no management network: the file gives none, containerlab's default subnet is no test subnet, and
# the clab target has its own)
chain=(-e clab_topology="$PWD/../clab/files/fleet-chain.clab.yml" -e '{"clab_images": {"alpine:3.20": "ovs-docker-test:busybox"}, "clab_mgmt": false}' --forks 3)
expect "check mode works" play chain-check netdevops.ovs_docker.clab "${chain[@]}" --check
expect "it would build on every host" test "$(grep -c 'changed=[1-9]' "$work/$run_no-chain-check.log")" -eq 3
expect "and wrote nothing" same "$work/before"
expect "the build works" play chain-build netdevops.ovs_docker.clab "${chain[@]}"
chain_build=$elapsed
for n in 1 2 3; do
  expect "vm$n has its node (the node's label host)" on "vm$n" "docker inspect -f '{{index .Config.Labels \"netdevops.ovs_docker.clab.node\"}}' clab-fchain-r$n | grep -qx r$n"
done
# each link from both ends, across hosts: r1 (vm1) - r2 (vm2) - r3 (vm3)
for ping in "vm1 r1 198.18.53.2" "vm2 r2 198.18.53.1" "vm2 r2 198.18.53.6" "vm3 r3 198.18.53.5"; do
  read -r h node address <<<"$ping"
  expect "$node on $h reaches $address across hosts" on "$h" "docker exec clab-fchain-$node ping -c 1 -W 2 $address >/dev/null"
done
expect "the pictures of the fleet" play chain-picture netdevops.ovs_docker.topology -e lab_topology_dir="$work/clab-topology" --forks 3
expect "... draw r1 - r2 - r3 joined by the two links' VXLAN links across hosts" \
  look_topology "$work/clab-topology/fleet" clab-fchain-r1 clab-fchain-r2 clab-fchain-r3 --overlay 2
expect "r2's eth2: MTU 1450 (room for VXLAN), its address, on a bridge with the link's VXLAN port" \
  on vm2 "docker exec clab-fchain-r2 ip -o addr show dev eth2 | grep -q 'inet 198.18.53.5/30' &&
          docker exec clab-fchain-r2 cat /sys/class/net/eth2/mtu | grep -qx 1450 &&
          ovs-vsctl list-br | grep -q '^clx' && ovs-vsctl list-ports \$(ovs-vsctl list-br | grep '^clx' | tail -1) | grep -q '^cvx'"
expect "the repeat changes nothing" play chain-repeat netdevops.ovs_docker.clab "${chain[@]}"
chain_repeat=$elapsed
expect "nothing" test "$changed" -eq 0
expect "its teardown works" play chain-destroy netdevops.ovs_docker.clab_destroy "${chain[@]}"
expect "every host is as before" same "$work/before"

echo "== fleet timings (wall time of ansible-playbook, this run):"
echo "   lab play, fresh, 1 host:                 ${one_host}s"
echo "   lab play, fresh, 3 hosts, forks 3:       ${all_hosts}s"
echo "   lab play, no change, 3 hosts, forks 3:   ${no_op}s"
echo "   MTU rollout, serial 1, 3 hosts:          ${rollout}s"
echo "   clab chain across 3 hosts, build:        ${chain_build}s"
echo "   clab chain across 3 hosts, no change:    ${chain_repeat}s"
echo "== fleet: all steps passed"
