#!/usr/bin/env bash
# containerlab's FRR example (lab-examples/frr01's shape, files/frr01.clab.yml) as a containerlab
# user runs it, through the clab role: three FRR routers (an image made here from Debian's frr
# package, scripts/setup/frr.sh) in an OSPF triangle with their own daemons and frr.conf bound in,
# a PC on each given its address by exec. Looked at with docker exec and vtysh, never through the
# modules: every OSPF neighbour Full, every PC reaching every PC and every router's loopback, IPv6
# across the one link that declares it; the quartet; what zebra, exec and a user put on the nodes'
# interfaces kept by every re-run, a declared address removed by hand brought back; the image
# named by ${ROUTER_IMAGE} from the environment; failing exec commands named, each with its node,
# exit code and output, after the rest of the build; teardown leaves the machine as before.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=../lab/plays.sh
source ../lab/plays.sh
# shellcheck source=../lab/look.sh
source ../lab/look.sh

logs=$(mktemp -d /var/tmp/clab-frr-test.XXXXXX)
# shellcheck disable=SC2034  # (play() counts its runs in run_no)
run_no=0 changed=""  # what play() sets
files=$PWD/files
lab=$files/frr01.clab.yml
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
# No registry here: the PCs' image mapped to the local one; the routers' comes from the
# environment, as containerlab expands ${ROUTER_IMAGE} in the file
export ROUTER_IMAGE=ovs-docker-frr:bookworm
# (the lab's inventory, as containerlab writes it: on here, off by default)
plays_use "$logs" -i inventory -e '{"clab_images": {"wbitt/network-multitool:latest": "ovs-docker-test:busybox"}}' -e clab_inventory=true
clab() { play "$1" netdevops.ovs_docker.clab -e clab_topology="$2" "${@:3}"; }

cleanup() {
  set +e
  for file in "$lab" "$logs"/*.clab.yml; do
    [ -e "$file" ] && play cleanup netdevops.ovs_docker.clab_destroy -e clab_topology="$file" >/dev/null
  done
  docker ps -aq --filter label=netdevops.ovs_docker.clab | xargs -r docker rm -f >/dev/null
  docker network rm ovsd-frr01 >/dev/null 2>&1
  rm -rf "$logs"
}
trap cleanup EXIT

on() { docker exec "clab-frr01-$1" "${@:2}"; }
# full ROUTER: its two OSPF neighbours Full (vtysh's own JSON)
full() {
  on "$1" vtysh -c 'show ip ospf neighbor json' | python3 -c '
import json, sys
found = json.load(sys.stdin).get("neighbors", {})
states = [n["state"] if "state" in n else n.get("nbrState", "") for ns in found.values() for n in ns]
sys.exit(0 if len(states) == 2 and all(s.startswith("Full") for s in states) else 1)'
}
# converged: every router's neighbours Full, awaited (OSPF's own timers: hello 1 s, dead 4 s)
converged() {
  local deadline=$((SECONDS + 60)) r
  for r in router1 router2 router3; do
    until full "$r"; do
      [ $SECONDS -lt $deadline ] || { echo "LOOK FAILED: $r's OSPF neighbours not Full:" >&2; on "$r" vtysh -c 'show ip ospf neighbor' >&2; return 1; }
      sleep 0.5  # (the neighbours' state changes inside FRR: nothing to wait on from here)
    done
  done
}
# routes: every PC pings every other PC and every router's loopback
routes() {
  local pc to bad=""
  for pc in PC1 PC2 PC3; do
    for to in 198.18.111.2 198.18.112.2 198.18.113.2 198.18.100.1 198.18.100.2 198.18.100.3; do
      on "$pc" ping -c 1 -W 2 -q "$to" >/dev/null 2>&1 || bad="$bad $pc->$to"
    done
  done
  [ -z "$bad" ] || { echo "LOOK FAILED: no answer:$bad" >&2; return 1; }
}
# routed: routes, awaited (Full neighbours exchange their routes, then SPF runs and zebra installs
# them: a few seconds more)
routed() {
  local deadline=$((SECONDS + 30))
  until routes 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { routes; return 1; }
    sleep 0.5  # (the routes change inside the routers: nothing to wait on from here)
  done
}
# addresses NODE IFACE: the interface's global addresses, sorted
addresses() { on "$1" ip -o addr show dev "$2" scope global | awk '{print $4}' | sort | xargs; }
zebra_ones() {  # the routers' addresses are what their frr.conf says (zebra put them on)
  test "$(addresses router1 eth1)" = "198.18.101.1/30" &&
  test "$(addresses router2 eth2)" = "198.18.101.9/30" &&
  test "$(addresses router3 eth3)" = "198.18.113.1/24" &&
  test "$(addresses router1 eth3)" = "198.18.111.1/24 fdff:198:18:111::1/64"
}
# mgmt_pings: the host reaches every node at its management address (the engine's pick, as docker says it)
mgmt_pings() {
  local node address bad=""
  for node in router1 router2 router3 PC1 PC2 PC3; do
    address=$(docker inspect -f '{{(index .NetworkSettings.Networks "ovsd-frr01").IPAddress}}' "clab-frr01-$node" 2>/dev/null)
    [ -n "$address" ] && ping -c 1 -W 2 -q "$address" >/dev/null 2>&1 || bad="$bad $node($address)"
  done
  [ -z "$bad" ] || { echo "LOOK FAILED: not reached on the management network:$bad" >&2; return 1; }
}
snapshot > "$logs/before"

echo "### the look fails on a broken state (nothing built yet)"
expect "... full fails with no routers" fails full router1
expect "... routes fails with no PCs" fails routes
expect "... mgmt_pings fails with no nodes" fails mgmt_pings

echo "### frr01: check mode builds nothing"
expect "check mode runs" clab check "$lab" --check --diff
expect "... and reports what it would build" test "$changed" -gt 0
expect "... and wrote nothing" diff -u "$logs/before" <(snapshot)

echo "### the build: the routers route"
expect "the build" clab build "$lab"
expect "... changed things" test "$changed" -gt 0
expect "... said once that this host refuses privileged containers, and what the nodes got instead" \
  test "$(grep -c 'refuses privileged containers' "$logs/$run_no-build.log")" -eq 1
expect "... the routers' nodes have what FRR needs (CAP_SYS_ADMIN, IPv6 on)" \
  sh -c "docker inspect -f '{{.HostConfig.CapAdd}} {{.HostConfig.Sysctls}}' clab-frr01-router1 | grep -q SYS_ADMIN.*disable_ipv6:0"
expect "... every OSPF neighbour Full" converged
expect "... every PC reaches every PC and every loopback" routed
expect "... IPv6 across the link that declares it" on PC1 ping -c 1 -W 2 -q fdff:198:18:111::1
expect "... the routers' addresses are zebra's" zebra_ones
expect "... the host reaches every node on the management network" mgmt_pings
ids=$(docker ps -q --no-trunc --filter label=netdevops.ovs_docker.clab=frr01 | sort | xargs)
inventory=$files/clab-frr01/ansible-inventory.yml
expect "... the lab's inventory written, as containerlab writes it, the nodes grouped by kind" \
  test "$("$python" -c 'import sys, yaml; print(" ".join(sorted(yaml.safe_load(open(sys.argv[1]))["all"]["children"]["linux"]["hosts"])))' "$inventory")" \
  = "clab-frr01-PC1 clab-frr01-PC2 clab-frr01-PC3 clab-frr01-router1 clab-frr01-router2 clab-frr01-router3"
expect "... a play through it reaches every node (raw, over the docker connection)" \
  sh -c "ANSIBLE_NOCOLOR=1 ansible -i '$inventory' all -m raw -a 'cat /proc/sys/net/ipv6/conf/all/disable_ipv6' > '$logs/inventory.log' 2>&1"
expect "... six answers" test "$(grep -c ' | CHANGED | rc=0 >>' "$logs/inventory.log")" -eq 6
expect "... each with IPv6 on (disable_ipv6 0)" test "$(grep -cx 0 "$logs/inventory.log")" -eq 6

echo "### the repeat: nothing changes, and the routers' and PCs' own addresses stay"
snapshot > "$logs/built"
expect "the repeat" clab repeat "$lab"
expect "... changed nothing" test "$changed" -eq 0
expect "... the same containers" test "$(docker ps -q --no-trunc --filter label=netdevops.ovs_docker.clab=frr01 | sort | xargs)" = "$ids"
expect "... the machine as it was" diff -u "$logs/built" <(snapshot)
expect "... zebra's addresses there" zebra_ones
expect "... exec's address on PC2 there" test "$(addresses PC2 eth1)" = "198.18.112.2/24"
expect "... still converged" converged
expect "... still routing" routes
expect "the repeat in check mode" clab repeat-check "$lab" --check
expect "... changed nothing" test "$changed" -eq 0

echo "### addresses put on by hand stay; a declared one removed by hand comes back, alone"
on PC3 ip addr add 198.18.113.99/24 dev eth1
on router2 ip addr add 198.18.102.1/32 dev eth3
on PC1 ip -6 addr del fdff:198:18:111::2/64 dev eth1
expect "check mode shows the one declared address missing" clab mend-check "$lab" --check --diff
expect "... as one changed task" test "$changed" -eq 1
expect "... and puts nothing back" test "$(addresses PC1 eth1)" = "198.18.111.2/24"
expect "the run" clab mend "$lab"
expect "... changed one task" test "$changed" -eq 1
expect "... PC1's declared IPv6 address is back, beside exec's" test "$(addresses PC1 eth1)" = "198.18.111.2/24 fdff:198:18:111::2/64"
expect "... the hand-made ones are there" test "$(addresses PC3 eth1)" = "198.18.113.2/24 198.18.113.99/24"
expect "... on router2 too" test "$(addresses router2 eth3)" = "198.18.102.1/32 198.18.112.1/24"
expect "... and IPv6 answers again" on PC1 ping -c 1 -W 2 -q fdff:198:18:111::1
expect "... still routing" routes

echo "### an inventory file there that this role did not write: refused before anything is built, and kept"
failing=$logs/execs.clab.yml
cat > "$failing" <<'YAML'
name: execs
topology:
  nodes:
    a:
      kind: linux
      image: wbitt/network-multitool:latest
      exec: ["sh -c 'echo first > /ran'", "sh -c 'echo broken >&2; exit 3'"]
    b:
      kind: linux
      image: wbitt/network-multitool:latest
      exec: ["sh -c 'echo fine > /ran'", "no-such-command"]
  links:
    - endpoints: ["a:eth1", "b:eth1"]
      ipv4: ["198.18.103.1/30", "198.18.103.2/30"]
YAML
mkdir -p "$logs/clab-execs" && echo "# someone else's" > "$logs/clab-execs/ansible-inventory.yml"
# (no management network for it: its file gives none, and containerlab's default is no test subnet)
expect "the build is refused" fails clab execs-inventory "$failing" -e clab_mgmt=false
expect "... naming the file" grep -q "clab-execs/ansible-inventory.yml exists and this role did not write it" "$logs/$run_no-execs-inventory.log"
expect "... nothing built" test -z "$(docker ps -aq --filter label=netdevops.ovs_docker.clab=execs)"
expect "... and the file kept" grep -qx "# someone else's" "$logs/clab-execs/ansible-inventory.yml"
rm "$logs/clab-execs/ansible-inventory.yml"
echo "### exec commands that fail: each named, with its node, exit code and output; the rest is built"
expect "the build fails" fails clab execs "$failing" -e clab_mgmt=false
log=$logs/$run_no-execs.log
expect "... naming a's command, its exit code and what it printed" grep -q "node a: sh -c 'echo broken >&2; exit 3': exit 3: broken" "$log"
expect "... and b's command that could not run" grep -Eq "node b: no-such-command: (exit [0-9]+|did not run)" "$log"
expect "... after every node's other commands ran" sh -c 'docker exec clab-execs-a cat /ran && docker exec clab-execs-b cat /ran' >/dev/null
expect "... and the link was made" docker exec clab-execs-a ping -c 1 -W 2 -q 198.18.103.2
expect "its teardown" play execs-down netdevops.ovs_docker.clab_destroy -e clab_topology="$failing"

echo "### teardown: the machine as before"
expect "teardown" play down netdevops.ovs_docker.clab_destroy -e clab_topology="$lab"
expect "... changed things" test "$changed" -gt 0
expect "... the machine as before" diff -u "$logs/before" <(snapshot)
expect "... the lab's inventory removed with it" test ! -e "$inventory"
expect "teardown again" play down-again netdevops.ovs_docker.clab_destroy -e clab_topology="$lab"
expect "... changed nothing" test "$changed" -eq 0
echo "== clab_frr: all steps passed"
