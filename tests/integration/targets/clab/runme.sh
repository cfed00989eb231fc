#!/usr/bin/env bash
# containerlab topology files (files/*.clab.yml, in containerlab's own format) through the clab
# role on this machine: for each shape - a chain of three nodes, a star on an ovs-bridge node,
# defaults/kinds/groups with the extended link form - the quartet, an independent look at every
# interface against the file (look_clab.py: peer, MAC, MTU, addresses, bridge port) and pings
# across every link; a change to each file builds only the difference; bad files and a container
# of someone else's are refused with nothing made; teardown leaves the machine as before.
# (The chain across three hosts is the fleet target's.)
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=../lab/plays.sh
source ../lab/plays.sh
# shellcheck source=../lab/look.sh
source ../lab/look.sh

logs=$(mktemp -d /var/tmp/clab-test.XXXXXX)
# shellcheck disable=SC2034  # (play() counts its runs in run_no)
run_no=0 changed=""  # what play() sets
files=$PWD/files
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
collections=${ANSIBLE_COLLECTIONS_PATH%%:*}  # (look_topology.py reads the unit tests' Mermaid checker there)
# No registry here: every image of the files is mapped to a local one (as users of private registries do).
# The management network is off but in its own section: the files give none, and containerlab's
# default subnet (172.20.20.0/24) is no test subnet.
plays_use "$logs" -i inventory -e '{"clab_images": {"alpine:3.20": "ovs-docker-test:busybox", "alpine:3.21": "ovs-docker-test:clab2"}}' \
  -e clab_mgmt=false

cleanup() {
  set +e
  for file in "$files"/*.clab.yml "$logs"/*.clab.yml; do
    [ -e "$file" ] && play cleanup netdevops.ovs_docker.clab_destroy -e clab_topology="$file" >/dev/null
  done
  # if even that failed: by hand
  docker ps -aq --filter label=netdevops.ovs_docker.clab | xargs -r docker rm -f >/dev/null
  docker rm -f clab-chain-r1 >/dev/null 2>&1
  ovs-vsctl --if-exists del-br sw1
  ip link del br-lbr 2>/dev/null
  ip link del t-own 2>/dev/null
  docker network rm ovsd-theirs ovsd-mgmt >/dev/null 2>&1
  while iptables -D FORWARD -i br-lbr -o br-lbr -j ACCEPT 2>/dev/null; do :; done
  while iptables -D FORWARD -i br-lbr -o br-lbr -m comment --comment "netdevops.ovs_docker clab lbr" -j ACCEPT 2>/dev/null; do :; done
  docker rmi ovs-docker-test:clab2 >/dev/null 2>&1
  ip netns list | awk '/^look-/ {print $1}' | xargs -r -n1 ip netns delete
  rm -rf "$logs"
}
trap cleanup EXIT

same() { diff -u "$1" <(state "$2") >&2; }
# state FILE: the machine (snapshot) and every interface of the topology's containers (look_clab.py)
state() { snapshot; "$python" look_clab.py "$1" | sed -n '/"interfaces"/,$p' || true; }
looks_right() { "$python" look_clab.py "$1" > "$logs/look.json" || { cat "$logs/look.json"; return 1; }; }
answers() { "$python" look_clab.py --pings "$1"; }
ids() { docker ps -q --no-trunc --filter label=netdevops.ovs_docker.clab="$1" | sort | xargs; }
clab() { play "$1" netdevops.ovs_docker.clab -e clab_topology="$2" "${@:3}"; }
# picture NAME: the topology playbook's pictures of this host; pictured NAME ARGS: look_topology.py
# on them (ARGS: names drawn, --edge A B LABEL: a node-to-node link drawn)
picture() { play "picture-$1" netdevops.ovs_docker.topology -e lab_topology_dir="$logs/pictures-$1"; }
pictured() { "$python" ../lab/look_topology.py "$collections" "$logs/pictures-$1/testhost" "${@:2}"; }
# edit FILE PYTHON: a copy of FILE changed by PYTHON (t: the topology), in the logs directory
edit() {
  local out
  out=$logs/$(basename "$1" .clab.yml)-changed.clab.yml
  "$python" -c "import sys, yaml; t = yaml.safe_load(open(sys.argv[1])); $2; yaml.safe_dump(t, open(sys.argv[2], 'w'))" "$1" "$out"
  echo "$out"
}

# A second image, the test image with a label of its own: a node's image changed.
cid=$(docker create ovs-docker-test:busybox)
docker commit --change 'LABEL netdevops.test=clab2' "$cid" ovs-docker-test:clab2 >/dev/null
docker rm "$cid" >/dev/null
snapshot > "$logs/before"

# quartet NAME FILE: check mode, build, repeat, repeat in check mode, each looked at
quartet() {
  local name=$1 file=$2
  state "$file" > "$logs/pre-$name"
  expect "$name: check mode runs" clab "$name-check" "$file" --check --diff
  expect "$name: check mode reports what it would build" test "$changed" -gt 0
  expect "$name: check mode wrote nothing" same "$logs/pre-$name" "$file"
  expect "$name: the build" clab "$name-build" "$file"
  expect "$name: it changed things" test "$changed" -gt 0
  expect "$name: every interface as the file says (peer, MAC, MTU, addresses, bridge port)" looks_right "$file"
  expect "$name: pings across every link" answers "$file"
  state "$file" > "$logs/built-$name"
  expect "$name: the repeat" clab "$name-repeat" "$file"
  expect "$name: the repeat changed nothing" test "$changed" -eq 0
  expect "$name: and left it as it was" same "$logs/built-$name" "$file"
  expect "$name: the repeat in check mode" clab "$name-repeat-check" "$file" --check
  expect "$name: changed nothing either" test "$changed" -eq 0
  expect "$name: and wrote nothing" same "$logs/built-$name" "$file"
}
# change NAME FILE WANT [CHECK]: the changed file in check mode (writes nothing; CHECK changed tasks,
# default WANT), then for real: WANT tasks changed
change() {
  local name=$1 file=$2 want=$3 check=${4:-$3}
  state "$file" > "$logs/pre-$name"
  expect "$name: check mode shows the change" clab "$name-check" "$file" --check --diff
  expect "$name: ... as $check changed task(s)" test "$changed" -eq "$check"
  expect "$name: ... and wrote nothing" same "$logs/pre-$name" "$file"
  expect "$name: the change" clab "$name" "$file"
  expect "$name: only the difference was built ($want task(s))" test "$changed" -eq "$want"
  expect "$name: every interface as the changed file says" looks_right "$file"
  expect "$name: pings across every link" answers "$file"
}

echo "### bad files: refused, naming the key and the node, nothing made"
refused() {  # refused NAME WORDS PYTHON
  local file; file=$(edit "$files/chain.clab.yml" "$3")
  expect "$1 is refused" fails clab "bad-$1" "$file"
  expect "... naming it ($2)" grep -qF "$2" "$logs/$run_no-bad-$1.log"
  expect "... with nothing made" diff -u "$logs/before" <(snapshot)
}
refused kind "node r2: kind nokia_srlinux is not supported" "t['topology']['nodes']['r2']['kind'] = 'nokia_srlinux'"
refused endpoint "endpoint r9:eth1 names node r9, which is not in topology.nodes" "t['topology']['links'][1]['endpoints'][1] = 'r9:eth1'"
refused twice "interface r2:eth1 is used by links[0] already" "t['topology']['links'][1]['endpoints'][0] = 'r2:eth1'"
refused key "node r1: key sysctl is not supported by this collection" "t['topology']['nodes']['r1']['sysctl'] = {}"

echo "### a container of someone else's under a node's name: refused, nothing changed"
docker run -d --name clab-chain-r1 --net=none ovs-docker-test:busybox >/dev/null
snapshot > "$logs/with-user"
expect "the build is refused" fails clab user "$files/chain.clab.yml"
expect "... naming the container and the fix" grep -qF "container clab-chain-r1: a container of this name exists that this collection did not make" "$logs/$run_no-user.log"
expect "... with nothing made" diff -u "$logs/with-user" <(snapshot)
docker rm -f clab-chain-r1 >/dev/null

echo "### the chain of three"
quartet chain "$files/chain.clab.yml"
echo "### ... the look fails on a broken state (an MTU changed by hand: the next build mends it)"
nsenter -t "$(docker inspect -f '{{.State.Pid}}' clab-chain-r2)" -n ip link set eth2 mtu 1400
expect "the look fails" fails looks_right "$files/chain.clab.yml"
echo "### ... the file as a picture (the topology playbook): r1 - r2 - r3, each link with its interfaces and addresses"
expect "the pictures are drawn" picture chain
expect "... each link an edge between its nodes" pictured chain clab-chain-r1 clab-chain-r2 clab-chain-r3 \
  --edge clab-chain-r1 clab-chain-r2 "eth1 - eth1 / 198.18.50.1/30 - 198.18.50.2/30" \
  --edge clab-chain-r2 clab-chain-r3 "eth2 - eth1 / 198.18.50.5/30 - 198.18.50.6/30"
r1_r3=(--edge clab-chain-r1 clab-chain-r3 "eth2 - eth2 / 198.18.50.9/30 - 198.18.50.10/30")
expect "... and no link that is not there (the look can fail)" fails pictured chain "${r1_r3[@]}"
echo "### ... a link added: only it is made (the containers are left as they were; the MTU mended)"
before=$(ids chain)
added=$(edit "$files/chain.clab.yml" "t['topology']['links'].append({'endpoints': ['r1:eth2', 'r3:eth2'], 'ipv4': ['198.18.50.9/30', '198.18.50.10/30']})")
change chain-link-added "$added" 1
expect "... the containers are the same" test "$(ids chain)" = "$before"
expect "... the picture draws it" picture chain-added
expect "... as an edge r1 - r3" pictured chain-added "${r1_r3[@]}"
echo "### ... and removed again: only it goes"
change chain-link-removed "$files/chain.clab.yml" 1
expect "... the containers are the same" test "$(ids chain)" = "$before"

echo "### the star on an ovs-bridge node (made: it was not there)"
quartet star "$files/star.clab.yml"
expect "sw1 is an OVS bridge marked as the topology's" test "$(ovs-vsctl get bridge sw1 external_ids:netdevops.ovs_docker.clab | tr -d '"')" = star
expect "... its ports named as the endpoints say" test "$(ovs-vsctl list-ports sw1 | sort | xargs)" = "p1 p2 p3"
echo "### ... an endpoint moved on the bridge (h1: sw1:p1 -> sw1:p4): only that port changes, the nodes are kept"
star_ids=$(ids star)
remapped=$(edit "$files/star.clab.yml" "t['topology']['links'][0]['endpoints'][1]['interface'] = 'p4'")
p2=$(cat /sys/class/net/p2/ifindex)
change star-remap "$remapped" 1
expect "... the ports are p2 p3 p4" test "$(ovs-vsctl list-ports sw1 | sort | xargs)" = "p2 p3 p4"
expect "... the same containers" test "$(ids star)" = "$star_ids"
expect "... p2 is the veth it was" test "$(cat /sys/class/net/p2/ifindex)" = "$p2"
change star-remap-back "$files/star.clab.yml" 1
expect "... and back" test "$(ovs-vsctl list-ports sw1 | sort | xargs)" = "p1 p2 p3"
echo "### ... a node's image changed: only that node is made again, and attached again"
h1=$(docker inspect -f '{{.Id}}' clab-star-h1) h2=$(docker inspect -f '{{.Id}}' clab-star-h2)
image=$(edit "$files/star.clab.yml" "t['topology']['nodes']['h2'] = {'image': 'alpine:3.21'}")
change star-image "$image" 1
expect "... h2 is a new container" test "$(docker inspect -f '{{.Id}}' clab-star-h2)" != "$h2"
expect "... of the new image" test "$(docker inspect -f '{{.Config.Image}}' clab-star-h2)" = ovs-docker-test:clab2
expect "... h1 is the same" test "$(docker inspect -f '{{.Id}}' clab-star-h1)" = "$h1"
echo "### ... a node's env changed: only it is made again (its ID changes, the others' do not)"
h2=$(docker inspect -f '{{.Id}}' clab-star-h2)
env=$(edit "$image" "t['topology']['nodes']['h1'] = {'env': {'SITE': 'two'}}")
change star-env "$env" 1
expect "... h1 is a new container" test "$(docker inspect -f '{{.Id}}' clab-star-h1)" != "$h1"
expect "... with the env" test "$(docker exec clab-star-h1 sh -c 'echo $SITE')" = two
expect "... h2 is the same" test "$(docker inspect -f '{{.Id}}' clab-star-h2)" = "$h2"
echo "### ... a run that fails part-way puts back what it did: h1's env changed again, h2 given a device that is not there"
h1=$(docker inspect -f '{{.Id}}' clab-star-h1)
broken=$(edit "$env" "t['topology']['nodes']['h1'] = {'env': {'SITE': 'three'}}; t['topology']['nodes']['h2']['devices'] = ['/dev/ovs-docker-test-none']")
state "$env" > "$logs/pre-broken"
expect "the build fails" fails clab star-broken "$broken"
expect "... naming the node's container and the device" grep -qE 'container clab-star-h2.*/dev/ovs-docker-test-none' "$logs/$run_no-star-broken.log"
expect "... h1 is the container it was (set aside, then put back)" test "$(docker inspect -f '{{.Id}}' clab-star-h1)" = "$h1"
expect "... nothing else changed either (every interface as it was)" same "$logs/pre-broken" "$env"

echo "### ten nodes, one of them of an image that is not here (pull never): refused, naming it, nothing made"
ten=$logs/ten.clab.yml
"$python" - "$ten" <<'EOF'
import sys, yaml
nodes = dict(('n%d' % i, {}) for i in range(1, 11))
nodes['n7'] = {'image': 'ovs-docker-test:not-here', 'image-pull-policy': 'never'}
links = [{'endpoints': ['n%d:eth1' % i, 'n%d:eth1' % (i + 1)]} for i in range(1, 11, 2)]
yaml.safe_dump({'name': 'ten', 'topology': {'defaults': {'kind': 'linux', 'image': 'alpine:3.20'}, 'nodes': nodes, 'links': links}},
               open(sys.argv[1], 'w'))
EOF
snapshot > "$logs/pre-ten"
expect "the build is refused" fails clab ten "$ten"
expect "... naming the node's container and the image" grep -qF 'container clab-ten-n7: image ovs-docker-test:not-here is not on this host' "$logs/$run_no-ten.log"
expect "... with nothing made" diff -u "$logs/pre-ten" <(snapshot)

echo "### two runs at once on one host: one waits for the other (the lock), one result"
both=$(edit "$files/chain.clab.yml" "t['name'] = 'both'")
clab both-a "$both" & first=$!
expect "a second run at the same time" clab both-b "$both"
expect "... and the first" wait "$first"
expect "... one topology as the file says" looks_right "$both"
expect "... three containers, not six" test "$(ids both | wc -w)" -eq 3
expect "its teardown" play destroy-both netdevops.ovs_docker.clab_destroy -e clab_topology="$both"

echo "### defaults, kinds and groups; the extended link form with MTU and MACs; a group's exec"
quartet inherit "$files/inherit.clab.yml"
expect "s1 has its group's env over the defaults'" test "$(docker exec inherit-s1 sh -c 'echo $ROLE $SITE')" = "spine lab"
expect "l1 has the defaults' env and its own" test "$(docker exec inherit-l1 sh -c 'echo $ROLE $SITE $RACK')" = "node lab 1"
expect "labels: the group's, the node's, the kind's" test "$(for n in s1 l1 l2; do docker inspect -f '{{index .Config.Labels "tier"}}' inherit-$n; done | xargs)" = "spine any leaf"
expect "s1's group exec ran (its address on lo)" bash -c "docker exec inherit-s1 ip -o addr show dev lo | grep -q 198.18.52.101/32"
echo "### ... a node removed: only it goes (its link with it)"
removed=$(edit "$files/inherit.clab.yml" "del t['topology']['nodes']['l2']; del t['topology']['links'][1]")
change inherit-node-removed "$removed" 1
expect "... l2 is gone" fails docker inspect inherit-l2

echo "### kind bridge: the user's Linux bridge, its ports named as the endpoints say; a host link"
lbr=$files/linuxbridge.clab.yml
# ports PATTERN: the Linux bridge's ports, as ip sees them ("NAME state" each, sorted)
ports() { ip -j link show master br-lbr | "$python" -c 'import json, sys; print(" ".join(sorted("%s %s" % (l["ifname"], l["operstate"].lower()) for l in json.load(sys.stdin))))'; }
# host_link: lbr-n2 in this host's namespace, no address, its peer n2's eth2
host_link() {
  local peer
  test -z "$(ip -o addr show dev lbr-n2 scope global)" &&
  peer=$(ip -j link show lbr-n2 2>/dev/null | "$python" -c 'import json, sys; print(json.load(sys.stdin)[0]["link_index"])' 2>/dev/null) &&
  test "$(docker exec clab-lbr-n2 cat /sys/class/net/eth2/ifindex)" = "$peer"
}
lbr_pings() { docker exec clab-lbr-n1 ping -c 1 -W 2 -q 198.18.54.2 >/dev/null; }
expect "... the looks fail with nothing built" fails host_link
expect "... and lbr_pings" fails lbr_pings
echo "### ... br-lbr not there: made and marked (containerlab cannot), with the forwarding across it"
# made_bridge: br-lbr a Linux bridge, up, described as the topology's; the FORWARD rule of its own
made_bridge() {
  ip -d -j link show br-lbr 2>/dev/null | "$python" -c '
import json, sys
link = json.load(sys.stdin)[0]
ok = link["linkinfo"]["info_kind"] == "bridge" and link.get("ifalias") == "netdevops.ovs_docker.bridge netdevops.ovs_docker.clab=lbr" and "UP" in link["flags"]
sys.exit(0 if ok else 1)' 2>/dev/null && iptables -S FORWARD | grep -q -- '-i br-lbr -o br-lbr -m comment --comment "netdevops.ovs_docker clab lbr" -j ACCEPT'
}
expect "... made_bridge fails with no bridge" fails made_bridge
state "$lbr" > "$logs/pre-lbr"
expect "check mode" clab lbr-check "$lbr" --check --diff
expect "... would change things" test "$changed" -gt 0
expect "... and wrote nothing" same "$logs/pre-lbr" "$lbr"
expect "the build" clab lbr "$lbr"
expect "... br-lbr made, marked, up, forwarding" made_bridge
expect "... the bridge's ports are e1 and e2, up" test "$(ports)" = "e1 up e2 up"
expect "... n1 reaches n2 across the bridge" lbr_pings
expect "... the host link: lbr-n2 here, no address, n2's eth2 its peer" host_link
expect "the repeat" clab lbr-repeat "$lbr"
expect "... changed nothing" test "$changed" -eq 0
expect "the repeat in check mode" clab lbr-repeat-check "$lbr" --check
expect "... changed nothing" test "$changed" -eq 0
expect "teardown" play lbr-made-down netdevops.ovs_docker.clab_destroy -e clab_topology="$lbr"
expect "... the bridge it made is gone, with its rule, and the host link (as before)" same "$logs/pre-lbr" "$lbr"
echo "### ... the user's br-lbr (made by hand, with the rule containerlab's docs ask for): used as it is, kept"
ip link add br-lbr type bridge && ip link set br-lbr up
iptables -I FORWARD -i br-lbr -o br-lbr -j ACCEPT
expect "the build" clab lbr-user "$lbr"
expect "... the bridge's ports are e1 and e2, up" test "$(ports)" = "e1 up e2 up"
expect "... n1 reaches n2 across the bridge" lbr_pings
expect "... said kept" grep -q "Linux bridge br-lbr is kept: not made by this collection" "$logs/$run_no-lbr-user.log"
lbr_ids=$(ids lbr)
moved=$(edit "$lbr" "t['topology']['links'][0]['endpoints'][1]['interface'] = 'e3'")
expect "n1:eth1 moved from br-lbr:e1 to br-lbr:e3" clab lbr-move "$moved"
expect "... the bridge's ports are e2 and e3" test "$(ports)" = "e2 up e3 up"
expect "... the nodes kept (the same containers)" test "$(ids lbr)" = "$lbr_ids"
expect "... and n1 still reaches n2" lbr_pings
taken=$(edit "$moved" "t['topology']['links'].append({'endpoints': ['n1:eth2', 'host:eth0']})")
state "$moved" > "$logs/pre-taken"
expect "a host link to a name the host has (host:eth0): refused" fails clab lbr-eth0 "$taken"
expect "... naming it" grep -q 'host:eth0: eth0 is there already' "$logs/$run_no-lbr-eth0.log"
expect "... with nothing changed" same "$logs/pre-taken" "$moved"
expect "teardown" play lbr-down netdevops.ovs_docker.clab_destroy -e clab_topology="$moved"
expect "... the user's bridge is kept, with no port of the topology's" test -z "$(ports)"
expect "... and the user's rule" iptables -C FORWARD -i br-lbr -o br-lbr -j ACCEPT
expect "... the host link is gone" fails ip link show lbr-n2
ip link del br-lbr
iptables -D FORWARD -i br-lbr -o br-lbr -j ACCEPT

echo "### the management network: each node's eth0 on it, the host reaching them; a mgmt-net link"
mgmt=$files/mgmt.clab.yml
on_mgmt() { clab "$@" -e clab_mgmt=true; }
# mgmt_looks: the network as the file says (docker's own look: its subnets, our label), a's eth0 at
# its mgmt-ipv4/-ipv6, the host pinging both nodes there (b at the engine's pick), b-eth2 a port
# of its bridge with b's eth2 its peer
mgmt_looks() {
  local b
  if [ "$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}{{index .Labels "netdevops.ovs_docker.clab"}}' ovsd-mgmt 2>/dev/null)" != \
       "198.18.40.0/24 fdff:198:18:40::/64 mgmt" ]; then echo "LOOK FAILED: network ovsd-mgmt" >&2; return 1; fi
  if ! { docker exec clab-mgmt-a ip -o addr show dev eth0 | grep -q ' 198.18.40.11/24 ' &&
         docker exec clab-mgmt-a ip -o addr show dev eth0 | grep -q ' fdff:198:18:40::11/64 '; }; then
    echo "LOOK FAILED: a's eth0" >&2; return 1
  fi
  b=$(docker inspect -f '{{(index .NetworkSettings.Networks "ovsd-mgmt").IPAddress}}' clab-mgmt-b)
  if ! { ping -c 1 -W 2 -q 198.18.40.11 >/dev/null && ping -6 -c 1 -W 2 -q fdff:198:18:40::11 >/dev/null && ping -c 1 -W 2 -q "$b" >/dev/null; }; then
    echo "LOOK FAILED: the host does not reach a and b ($b) on the management network" >&2; return 1
  fi
  if ! { ip -o link show b-eth2 | grep -q 'master br-ovsd-mgmt' &&
         test "$(docker exec clab-mgmt-b cat /sys/class/net/eth2/iflink)" = "$(cat /sys/class/net/b-eth2/ifindex)"; }; then
    echo "LOOK FAILED: b-eth2 is not b's eth2 on br-ovsd-mgmt" >&2; return 1
  fi
}
expect "... the look fails with nothing built" fails mgmt_looks
# a stand-in for the host's own network (an address of this host's): a subnet over it is refused
ip link add t-own type bridge && ip addr add 198.18.43.1/24 dev t-own
taken=$(edit "$mgmt" "t['mgmt']['ipv4-subnet'] = '198.18.43.0/24'; del t['topology']['nodes']['a']['mgmt-ipv4']")
state "$mgmt" > "$logs/pre-mgmt"
expect "a management subnet over the host's own network: refused" fails on_mgmt mgmt-taken "$taken"
expect "... naming what it would take and the key that moves it" grep -q "198.18.43.0/24 would take this host's own traffic away from: address 198.18.43.1/24 on t-own.*mgmt.ipv4-subnet" "$logs/$run_no-mgmt-taken.log"
expect "... with nothing made" same "$logs/pre-mgmt" "$mgmt"
ip link del t-own
state "$mgmt" > "$logs/pre-mgmt"
expect "check mode" on_mgmt mgmt-check "$mgmt" --check --diff
expect "... would change things" test "$changed" -gt 0
expect "... and wrote nothing" same "$logs/pre-mgmt" "$mgmt"
expect "the build" on_mgmt mgmt "$mgmt"
expect "... the network, the nodes' eth0 on it, the host reaching them, the mgmt-net link" mgmt_looks
expect "... a reaches b across their own link" docker exec clab-mgmt-a ping -c 1 -W 2 -q 198.18.41.2
expect "the repeat" on_mgmt mgmt-repeat "$mgmt"
expect "... changed nothing" test "$changed" -eq 0
expect "the repeat in check mode" on_mgmt mgmt-repeat-check "$mgmt" --check
expect "... changed nothing" test "$changed" -eq 0
# the look fails on a broken state: a's management address taken away by hand
docker exec clab-mgmt-a ip addr del 198.18.40.11/24 dev eth0
expect "... the look fails with a's address gone" fails mgmt_looks
expect "teardown" play mgmt-down netdevops.ovs_docker.clab_destroy -e clab_topology="$mgmt" -e clab_mgmt=true
expect "... the network is gone, and the mgmt-net link" same "$logs/pre-mgmt" "$mgmt"
echo "### ... a network of that name that is there (someone else's) is used as it is, and kept"
docker network create --subnet 198.18.42.0/24 ovsd-theirs >/dev/null
theirs=$(edit "$mgmt" "t['mgmt'] = {'network': 'ovsd-theirs', 'ipv4-subnet': '198.18.42.0/24'}; del t['topology']['nodes']['a']['mgmt-ipv4']; del t['topology']['nodes']['a']['mgmt-ipv6']; del t['topology']['links'][1]")
expect "the build on it" on_mgmt mgmt-theirs "$theirs"
expect "... said kept" grep -q 'network ovsd-theirs is kept: not made by this collection' "$logs/$run_no-mgmt-theirs.log"
expect "... the nodes on it" test "$(docker network inspect -f '{{range .Containers}}{{.Name}} {{end}}' ovsd-theirs | xargs -n1 | sort | xargs)" = "clab-mgmt-a clab-mgmt-b"
expect "teardown" play mgmt-theirs-down netdevops.ovs_docker.clab_destroy -e clab_topology="$theirs" -e clab_mgmt=true
expect "... the network is kept, with no node on it" test -z "$(docker network inspect -f '{{range .Containers}}{{.Name}}{{end}}' ovsd-theirs)"
docker network rm ovsd-theirs >/dev/null

echo "### teardown as the quartet (the chain), then the others: the machine as before"
state "$files/chain.clab.yml" > "$logs/pre-destroy"
expect "teardown in check mode" play destroy-check netdevops.ovs_docker.clab_destroy -e clab_topology="$files/chain.clab.yml" --check
expect "... would remove" test "$changed" -gt 0
expect "... and removed nothing" same "$logs/pre-destroy" "$files/chain.clab.yml"
expect "teardown" play destroy netdevops.ovs_docker.clab_destroy -e clab_topology="$files/chain.clab.yml"
expect "... removed" test "$changed" -gt 0
expect "teardown again" play destroy-repeat netdevops.ovs_docker.clab_destroy -e clab_topology="$files/chain.clab.yml"
expect "... changed nothing" test "$changed" -eq 0
expect "teardown again in check mode" play destroy-repeat-check netdevops.ovs_docker.clab_destroy -e clab_topology="$files/chain.clab.yml" --check
expect "... changed nothing" test "$changed" -eq 0
expect "the star's teardown" play destroy-star netdevops.ovs_docker.clab_destroy -e clab_topology="$image"
expect "the inherit topology's teardown" play destroy-inherit netdevops.ovs_docker.clab_destroy -e clab_topology="$removed"
expect "the machine is as before (snapshot)" diff -u "$logs/before" <(snapshot)
echo "== clab: all steps passed"
