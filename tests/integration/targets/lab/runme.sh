#!/usr/bin/env bash
# The lab role through its playbooks, as a user runs them: fresh build as the quartet (check,
# real, repeat, repeat in check mode), the ping matrix, repairs (container restart, a deleted
# port and NAT rule), NAT switched off and on, bad input, teardown leaving the machine as it was,
# and the whole build again with Debian's Python and libraries. Every step is followed by a look
# with ovs-vsctl, ip, docker and iptables (look.sh).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=look.sh
source look.sh

# shellcheck source=plays.sh
source plays.sh

logs=$(mktemp -d)
topology=$logs/topology  # the role's pictures, on this controller
run_no=0 changed=""  # what play() sets
plays_use "$logs" -i inventory -e @vars.yml -e "lab_topology_dir=$topology"
# pictures NAME...: the venv host's pictures are there, valid, and show every NAME (look_topology.py)
collections=${ANSIBLE_COLLECTIONS_PATH%%:*}
# the marks as the collection spells them (plugins/module_utils/_core/marks.py, through looks.py)
mark_of() { "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" ../setup_quartet/files/looks.py "$@"; }
rules_mark=$(mark_of LAB_RULE) rule_comment=$(mark_of lab_rule_comment itest)
pictures() { "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" look_topology.py "$collections" "$topology/venv" "$@"; }
same() { diff -u "$1" <(snapshot) >&2; }

# Objects of the lab must not be here already, nor its subnets routed elsewhere on this machine.
for ns in ns1 vm2; do [ ! -e "/run/netns/$ns" ] || { echo "namespace $ns exists: not a clean machine"; exit 1; }; done
for br in br0 uplink0; do ! ovs-vsctl br-exists $br || { echo "bridge $br exists: not a clean machine"; exit 1; }; done
if ip route | grep -Eq '^(198\.18\.1\.|198\.18\.113\.)'; then echo "198.18.1.0/24 or 198.18.113.0/24 routed here already"; exit 1; fi

forward_was=$(cat /proc/sys/net/ipv4/ip_forward)
cleanup() {
  set +e
  # A failure during the fault tests may have left a daemon stopped: start it again first.
  /usr/share/openvswitch/scripts/ovs-ctl status >/dev/null || /usr/share/openvswitch/scripts/ovs-ctl start --system-id=random >/dev/null
  if ! pgrep -x dockerd >/dev/null; then
    setsid dockerd >>/var/log/dockerd.log 2>&1 </dev/null &
    timeout 60 bash -c 'until docker info >/dev/null 2>&1; do sleep 0.2; done'
  fi
  play cleanup netdevops.ovs_docker.teardown -l venv >/dev/null
  # If even teardown failed, take the objects away by hand (the user's stand-ins too).
  user_objects_gone
  ovs-vsctl --if-exists del-port uplink0 uport0
  ip link del lan0 2>/dev/null
  docker rm -f con1 con2 >/dev/null 2>&1
  podman rm -f -t 0 --ignore con1 >/dev/null 2>&1
  for br in br0 uplink0; do ovs-vsctl --if-exists del-br $br; done
  for ns in ns1 vm2; do ip netns del $ns 2>/dev/null; done
  for table in nat filter; do
    iptables -t $table -S | grep -F "$rules_mark" | sed 's/^-A/-D/' |
      while read -r rule; do eval "iptables -t $table $rule"; done
  done
  rm -f /run/netdevops-ovs_docker-lab.ip_forward_was_off
  echo "$forward_was" > /proc/sys/net/ipv4/ip_forward
  rm -rf "$logs"
}
trap cleanup EXIT

# Forwarding off, as on the seed's vm1 before it starts: the lab must switch it on, and teardown off.
echo 0 > /proc/sys/net/ipv4/ip_forward
snapshot > "$logs/before"

echo "### bad input fails before anything is made"
expect "an unknown lab_state is refused" fails play bad-state netdevops.ovs_docker.lab -l venv -e lab_state=gone
expect "the role's argument spec names it" grep -q "value of lab_state must be one of: present, absent, got: gone" "$logs/$run_no-bad-state.log"
expect "a bridge name over 15 characters is refused" fails play bad-name netdevops.ovs_docker.lab -l venv -e '{"lab_bridges": [{"name": "br0-much-too-long"}]}'
expect "the role names the problem before anything is made" grep -q "lab_bridges\[0\] (br0-much-too-long): name .* at most 15" "$logs/$run_no-bad-name.log"
expect "nothing was made" same "$logs/before"

echo "### the role's own defaults (the seed's lab) pass its checks: check mode on them, image aside"
# (check mode writes nothing: on a host whose LAN is the seed's 192.168.1.0/24 the overlap is allowed here)
plays_use "$logs" -i inventory -e lab_image=ovs-docker-test:busybox -e "lab_topology_dir=$topology" -e lab_allow_host_overlap=true
expect "check mode with the defaults runs" play defaults-check netdevops.ovs_docker.lab -l venv --check --diff
expect "it would build the seed's lab" grep -q "would attach con1:eth0 to br0" "$logs/$run_no-defaults-check.log"
expect "and wrote nothing" same "$logs/before"
plays_use "$logs" -i inventory -e @vars.yml -e "lab_topology_dir=$topology"

echo "### the quartet on the venv host"
expect "check mode runs" play check netdevops.ovs_docker.lab -l venv --check --diff
expect "check mode reports what it would build" test "$changed" -gt 0
expect "check mode shows what it would attach to the bridge it would make" grep -q "would attach con1:eth0 to br0" "$logs/$run_no-check.log"
expect "check mode wrote nothing" same "$logs/before"

# Where the host's own traffic goes before the lab (its gateway, name servers, established peers).
mapfile -t destinations < <(host_destinations)
routes_used "${destinations[@]}" > "$logs/routes-before"
same_routes() { diff -u "$logs/routes-before" <(routes_used "${destinations[@]}") >&2; }
expect "the real run works" play build netdevops.ovs_docker.lab -l venv
expect "the real run changed things" test "$changed" -gt 0
expect "the host's own traffic leaves as before (ip route get: ${destinations[*]})" same_routes
expect "the lab is there" assert_lab
expect "the ping matrix is printed" grep -Eq '"con1 +ok +ok +- +ok +ok"' "$logs/$run_no-build.log"
expect "the role remembers that it switched forwarding on" test -e /run/netdevops-ovs_docker-lab.ip_forward_was_off
expect "the pictures show the lab (SVG, Mermaid)" pictures br0 con1 ns1 uplink0 vm2 198.18.1.2/24
expect "the play said where they are" grep -q "Pictures of the hosts in $topology" "$logs/$run_no-build.log"
snapshot > "$logs/built"

expect "the repeat works" play repeat netdevops.ovs_docker.lab -l venv
expect "the repeat changed nothing" test "$changed" -eq 0
expect "the repeat left it as it was" same "$logs/built"
expect "the repeat in check mode works" play repeat-check netdevops.ovs_docker.lab -l venv --check --diff
expect "the repeat in check mode changed nothing" test "$changed" -eq 0
expect "and wrote nothing" same "$logs/built"

echo "### the topology playbook on the lab: the pictures the role wrote, so no change"
expect "the topology playbook works" play topology netdevops.ovs_docker.topology -l venv
expect "it changed nothing on the host nor in the pictures" test "$changed" -eq 0
expect "the pictures still show the lab" pictures br0 con1 ns1 uplink0 vm2
expect "and the lab is as built" same "$logs/built"

echo "### repairs"
docker restart con1 >/dev/null
expect "a restarted container has lost eth0" bash -c '! docker exec con1 ip link show eth0 >/dev/null 2>&1'
expect "the re-run after a restart works" play restart-repair netdevops.ovs_docker.lab -l venv
expect "only the attachment changed" test "$changed" -eq 1
expect "the lab is whole again" assert_lab

ovs-vsctl del-port br0 veth0
iptables -t nat -D POSTROUTING -s 198.18.1.0/24 ! -d 198.18.1.0/24 -m comment --comment "$rule_comment" -j MASQUERADE
expect "the re-run after drift works" play drift-repair netdevops.ovs_docker.lab -l venv
expect "the port and the rule came back (two tasks changed)" test "$changed" -eq 2
expect "the lab is whole again" assert_lab
expect "exactly as built" same "$logs/built"

echo "### NAT switched off and on"
expect "without NAT vm2 does not answer, and the play says so" fails play nat-off netdevops.ovs_docker.lab -l venv -e lab_nat=false
expect "the failure names the cell" grep -q "con1 -> vm2 (198.18.113.2)" "$logs/$run_no-nat-off.log"
expect "the rules are gone" bash -c "! iptables-save | grep -qF '$rules_mark'"
expect "forwarding is off again, as before the lab" grep -qx 0 /proc/sys/net/ipv4/ip_forward
expect "NAT back on" play nat-on netdevops.ovs_docker.lab -l venv
expect "and the rules and forwarding changed back" test "$changed" -gt 0
expect "exactly as built" same "$logs/built"

echo "### the looks fail on a broken lab: one break at a time, each put back by hand"
# break WHAT BREAK MEND: after BREAK, assert_lab must fail (and so must \`same\` when the snapshot
# holds what broke); after MEND, both pass again.
break_and_mend() {
  local what=$1 break=$2 mend=$3 in_snapshot=${4:-}
  eval "$break"
  expect "assert_lab fails on: $what" fails assert_lab
  if [ -n "$in_snapshot" ]; then expect "same fails on: $what" fails same "$logs/built"; fi
  eval "$mend"
  expect "assert_lab passes once mended: $what" assert_lab
}
port_uuid=$(ovs-vsctl get Port veth0 _uuid)
masquerade="POSTROUTING -s 198.18.1.0/24 ! -d 198.18.1.0/24 -m comment --comment '$rule_comment' -j MASQUERADE"
break_and_mend "a missing address" \
  "ip -n ns1 addr del 198.18.1.1/24 dev veth1" \
  "ip -n ns1 addr add 198.18.1.1/24 dev veth1 && ip -n ns1 route add default via 198.18.1.250"
break_and_mend "a missing route" \
  "ip -n ns1 route del default" "ip -n ns1 route add default via 198.18.1.250"
# the same Port row moved, so that its marks (external_ids) stay as the module made them
break_and_mend "a port on the wrong bridge" \
  "ovs-vsctl remove Bridge br0 ports $port_uuid -- add Bridge uplink0 ports $port_uuid" \
  "ovs-vsctl remove Bridge uplink0 ports $port_uuid -- add Bridge br0 ports $port_uuid" in-snapshot
break_and_mend "a missing NAT rule" "iptables -t nat -D $masquerade" "iptables -t nat -A $masquerade" in-snapshot
expect "exactly as built after the mending" same "$logs/built"
# The route look: one of the host's destinations routed into the lab for a moment (nothing is sent).
diverted=$(ip route show default | awk '{for (i = 1; i < NF; i++) if ($i == "via") print $(i + 1)}' | head -1)
for dest in "${destinations[@]}"; do [ "$dest" != "$diverted" ] && [[ $dest != *:* ]] && { diverted=$dest; break; }; done
if [ -n "$diverted" ]; then
  ip route add "$diverted/32" dev uplink0
  expect "same_routes fails on a destination taken into the lab ($diverted)" fails same_routes
  ip route del "$diverted/32" dev uplink0
  expect "same_routes passes once mended" same_routes
fi
# The pictures' look too: a broken SVG, Mermaid outside the grammar, a name the picture lacks.
cp "$topology/venv.svg" "$topology/venv.md" "$logs/"
echo '<svg><text>br0' > "$topology/venv.svg"
expect "pictures fails on a broken SVG" fails pictures br0
cp "$logs/venv.svg" "$topology/venv.svg"
sed -i 's/ ---|/ -->|/' "$topology/venv.md"
expect "pictures fails on Mermaid outside the grammar" fails pictures br0
cp "$logs/venv.md" "$topology/venv.md"
expect "pictures fails on a name the picture lacks" fails pictures br0 con9
expect "pictures passes once mended" pictures br0 con1 ns1 uplink0 vm2

echo "### faults: each daemon stopped in turn; the modules fail clearly and change nothing; the lab play"
echo "### starts the daemon again and restores the whole lab, ping matrix included"
# adhoc NAME MODULE ARGS: one module run as a user types it; fails when the module does not fail.
adhoc() {
  local name=$1 module=$2 args=$3 log
  run_no=$((run_no + 1)); log="$logs/$run_no-$name.log"
  echo "== $run_no $name: $module $args"
  ! ANSIBLE_NOCOLOR=1 timeout 120 ansible venv -i inventory -m "netdevops.ovs_docker.$module" -a "$args" >"$log" 2>&1
}
said() { grep -q -- "$1" "$logs/$run_no-"*.log; }
attach_args="container=con1 interface=eth0 bridge=br0 addresses=198.18.1.2/24 mac=02:00:00:00:09:09"
# fault_runs FAULT WORDS: every module that needs the stopped daemon asked for one change each;
# each must fail saying WORDS, and the machine must be as it was just before (the daemon's stop
# itself takes things away: a stopped ovs-vswitchd's bridge interfaces, a stopped dockerd's containers).
fault_runs() {
  local fault=$1 words=$2
  snapshot > "$logs/$fault-before"
  if [ "$fault" != dockerd-stopped ]; then
    expect "$fault: ovs_bridge fails" adhoc "$fault-bridge" ovs_bridge "name=br0 addresses=198.18.1.250/24,198.18.1.249/24"
    expect "$fault: ovs_bridge says why" said "$words"
    expect "$fault: netns_veth fails" adhoc "$fault-netns" netns_veth "namespace=ns1 interface=veth1 host_interface=veth0 bridge=br0 vlan=7"
    expect "$fault: netns_veth says why" said "$words"
  fi
  expect "$fault: ovs_docker_port fails" adhoc "$fault-port" ovs_docker_port "$attach_args"
  expect "$fault: ovs_docker_port says why" said "$words"
  expect "$fault: nothing was changed" same "$logs/$fault-before"
}
# stop DAEMON: stops it and returns once the process has exited
stop() {
  local pid; pid=$(pgrep -xo "$1")
  kill "$pid" && tail --pid="$pid" -f /dev/null
}
restored() {  # restored NAME: the lab play after a fault brings back the lab and its whole matrix
  expect "the lab play after $1 works" play "after-$1" netdevops.ovs_docker.lab -l venv
  expect "the lab is whole again" assert_lab
  expect "the ping matrix is whole again" grep -Eq '"con1 +ok +ok +- +ok +ok"' "$logs/$run_no-after-$1.log"
}

stop ovs-vswitchd
fault_runs vswitchd-stopped "ovs-vswitchd is not running"
restored vswitchd
expect "exactly as built" same "$logs/built"
stop ovsdb-server
fault_runs ovsdb-stopped "cannot reach OVSDB"
restored ovsdb
expect "exactly as built" same "$logs/built"
stop dockerd
fault_runs dockerd-stopped "cannot reach the Docker engine"
restored dockerd

echo "### teardown"
expect "teardown in check mode runs" play teardown-check netdevops.ovs_docker.teardown -l venv --check --diff
expect "it reports what it would remove" test "$changed" -gt 0
expect "and removed nothing" same "$logs/built"
expect "teardown works" play teardown netdevops.ovs_docker.teardown -l venv
expect "teardown changed things" test "$changed" -gt 0
expect "the machine is as before the lab" same "$logs/before"
expect "and the host's pictures are gone" test ! -e "$topology/venv.md" -a ! -e "$topology/venv.svg" -a ! -e "$topology/venv.dot"
expect "the topology playbook works on a host without the lab" play topology-bare netdevops.ovs_docker.topology -l venv
expect "it draws what is there (valid SVG and Mermaid), and no lab" pictures
expect "no lab bridge in it" fails pictures br0
expect "and it changed nothing on the host" same "$logs/before"
rm -f "$topology"/venv.*
expect "teardown again works" play teardown-repeat netdevops.ovs_docker.teardown -l venv
expect "teardown again changed nothing" test "$changed" -eq 0
expect "teardown again in check mode works" play teardown-repeat-check netdevops.ovs_docker.teardown -l venv --check
expect "and changed nothing" test "$changed" -eq 0

echo "### a host whose LAN is the lab's subnet: refused before anything is made, the LAN as it was"
ip link add lan0 type bridge && ip addr add 198.18.1.77/24 dev lan0 && ip link set lan0 up
lan_look() { ip -o addr show dev lan0 | awk '{print $4}'; ip route show 198.18.1.0/24; }
lan_look > "$logs/lan-before"
snapshot > "$logs/before-lan"
for mode in check real; do
  flags=(); [ $mode = check ] && flags=(--check)
  expect "the build ($mode) is refused" fails play "lan-$mode" netdevops.ovs_docker.lab -l venv "${flags[@]}"
  expect "the refusal names the subnet, the LAN and the lab's variables" \
    grep -q "would route 198.18.1.0/24 there and take this host's own traffic away from: address 198.18.1.77/24 on lan0.*lab_bridges, lab_namespaces, lab_containers, lab_simulated_remote.*lab_allow_host_overlap" "$logs/$run_no-lan-$mode.log"
  expect "nothing was made" same "$logs/before-lan"
  expect "the LAN's address and route are as before" diff -u "$logs/lan-before" <(lan_look)
done
expect "who means it, in check mode, is let through (lab_allow_host_overlap)" play lan-override netdevops.ovs_docker.lab -l venv --check -e lab_allow_host_overlap=true
expect "and nothing was made" same "$logs/before-lan"
ip link del lan0
expect "the machine is as before" same "$logs/before"

echo "### a host with the user's own con1, br0 (a port of its own) and ns1 (a veth of its own), and the lab's NAT rule"
user_objects
user_look > "$logs/user-before"
snapshot > "$logs/with-user"
ip -n ns1 addr add 198.18.8.9/32 dev uveth1
expect "user_look fails on a broken state: an address added in ns1" fails diff -q "$logs/user-before" <(user_look)
ip -n ns1 addr del 198.18.8.9/32 dev uveth1
eval "iptables -t nat -D $USER_RULE"
expect "user_look fails on a broken state: the user's NAT rule gone" fails diff -q "$logs/user-before" <(user_look)
eval "iptables -t nat -A $USER_RULE"
ip link set uveth0 down
expect "user_look fails on a broken state: the user's veth down" fails diff -q "$logs/user-before" <(user_look)
ip link set uveth0 up
expect "user_look passes once mended" diff -u "$logs/user-before" <(user_look)
expect "the build is refused: con1 is the user's" fails play user-refused netdevops.ovs_docker.lab -l venv
expect "the refusal names the container, whose it is, and the variable" \
  grep -q "lab_containers\[0\] (con1): a container called con1 already exists on this host and belongs to no lab.*another name in lab_containers" "$logs/$run_no-user-refused.log"
expect "nothing was changed" same "$logs/with-user"
expect "the user's objects are byte for byte as before" diff -u "$logs/user-before" <(user_look)
# Beside them, under another container name: br0 is used as it is, ns1 receives the lab's link.
beside=(-e '{"lab_containers": [{"name": "con2", "bridge": "br0", "addresses": ["198.18.1.2/24"], "gateway": "198.18.1.250"}]}')
expect "check mode beside the user's objects works" play user-check netdevops.ovs_docker.lab -l venv --check "${beside[@]}"
expect "and wrote nothing" same "$logs/with-user"
expect "the build beside them works" play user-build netdevops.ovs_docker.lab -l venv "${beside[@]}"
expect "its whole ping matrix answered" grep -Eq '"con2 +ok +ok +- +ok +ok"' "$logs/$run_no-user-build.log"
expect "br0 keeps the user's port and address beside the lab's" bash -c \
  'ovs-vsctl list-ports br0 | grep -qx ubr0p && ip -o addr show dev br0 | grep -q " 198.18.7.1/24 " && ip -o addr show dev br0 | grep -q " 198.18.1.250/24 "'
br0_ids=$(ovs-vsctl --bare --columns=external_ids list bridge br0)
expect "br0 is not marked as the lab's ($br0_ids)" fails grep -q 'netdevops.ovs_docker.lab=' <<<"$br0_ids"
expect "the lab recorded the address it added to br0" grep -q 'netdevops.ovs_docker.lab.itest.addresses="\?198.18.1.250/24' <<<"$br0_ids"
expect "ns1 holds the user's veth and the lab's" bash -c 'ip -n ns1 -o link | grep -q " uveth1@" && ip -n ns1 -o link | grep -q " veth1@"'
expect "the repeat beside them changes nothing" play user-repeat netdevops.ovs_docker.lab -l venv "${beside[@]}"
expect "the repeat changed nothing" test "$changed" -eq 0
expect "the repeat in check mode changes nothing" play user-repeat-check netdevops.ovs_docker.lab -l venv --check "${beside[@]}"
expect "the repeat in check mode changed nothing" test "$changed" -eq 0
# A port of the user's on a bridge the lab made: teardown keeps that bridge and says so.
ovs-vsctl add-port uplink0 uport0 -- set interface uport0 type=internal
expect "teardown beside them works" play user-teardown netdevops.ovs_docker.teardown -l venv "${beside[@]}"
expect "it says ns1 is kept, with the user's veth in it" grep -q "namespace ns1 is kept: it holds uveth1" "$logs/$run_no-user-teardown.log"
expect "it says uplink0 is kept, with the user's port on it" grep -q "bridge uplink0 is kept: ports that are not the lab's are on it (uport0)" "$logs/$run_no-user-teardown.log"
expect "the lab's con2 is gone, the user's con1 runs" bash -c '! docker inspect con2 >/dev/null 2>&1 && docker inspect con1 >/dev/null'
expect "the user's objects are byte for byte as before" diff -u "$logs/user-before" <(user_look)
ovs-vsctl del-port uplink0 uport0
expect "teardown again deletes uplink0, now the lab's alone" play user-teardown-again netdevops.ovs_docker.teardown -l venv "${beside[@]}"
expect "the machine is as with the user's objects alone" same "$logs/with-user"
expect "the user's objects are still byte for byte as before" diff -u "$logs/user-before" <(user_look)
user_objects_gone
expect "the machine is as before" same "$logs/before"

echo "### the lab on Podman (lab_engine=podman), through its Docker-compatible API service"
snapshot > "$logs/before-podman"
# Podman stores a local image as localhost/NAME:TAG; community.docker finds it by that full name only
podman_vars=(-e lab_engine=podman -e lab_image=localhost/ovs-docker-test:busybox)
# from a stopped API service: the role must start it (as it starts dockerd in the Debian part below)
podman_pid=$(pgrep -f "podman system service --time=0 unix:///run/podman/podman.sock" || true)
if [ -n "$podman_pid" ]; then kill "$podman_pid" && tail --pid="$podman_pid" -f /dev/null; fi
expect "Podman's API is down" fails curl -sf --max-time 2 --unix-socket /run/podman/podman.sock http://podman/_ping
expect "the build on Podman works" play podman-build netdevops.ovs_docker.lab -l venv "${podman_vars[@]}"
expect "it changed things" test "$changed" -gt 0
expect "it started Podman's API service again" curl -sf --max-time 2 --unix-socket /run/podman/podman.sock http://podman/_ping
expect "con1 is a Podman container, not a Docker one" bash -c 'podman container exists con1 && ! docker container inspect con1 >/dev/null 2>&1'
export LOOK_ENGINE=podman
expect "the lab is there" assert_lab
expect "the whole ping matrix answered" grep -Eq '"con1 +ok +ok +- +ok +ok"' "$logs/$run_no-podman-build.log"
snapshot > "$logs/built-podman"
expect "the repeat works" play podman-repeat netdevops.ovs_docker.lab -l venv "${podman_vars[@]}"
expect "the repeat changed nothing" test "$changed" -eq 0
expect "and left it as it was" same "$logs/built-podman"
podman restart -t 0 con1 >/dev/null
expect "the re-run after a podman restart works" play podman-restart-repair netdevops.ovs_docker.lab -l venv "${podman_vars[@]}"
expect "only the attachment changed" test "$changed" -eq 1
expect "the lab is whole again" assert_lab
expect "teardown works" play podman-teardown netdevops.ovs_docker.teardown -l venv "${podman_vars[@]}"
expect "the machine is as before the Podman lab" same "$logs/before-podman"
export LOOK_ENGINE=docker

echo "### the same with Debian's /usr/bin/python3 and its python3-pyroute2, -openvswitch, -docker,"
echo "### from stopped daemons, with the packages asked for (all there already: apt is not even run)"
# dockerd switches forwarding on when it starts: start this part with it on, so that the lab's
# teardown must leave Docker's forwarding alone (no marker) and the machine as it was.
echo 1 > /proc/sys/net/ipv4/ip_forward
snapshot > "$logs/before-debian"
/usr/share/openvswitch/scripts/ovs-ctl stop >/dev/null
dockerd_pid=$(pgrep -x dockerd)
kill "$dockerd_pid" && tail --pid="$dockerd_pid" -f /dev/null  # returns when dockerd has exited
expect "OVS is down" fails /usr/share/openvswitch/scripts/ovs-ctl status
expect "the build works" play debian-build netdevops.ovs_docker.lab -l debian -e lab_install_packages=true
expect "it changed things" test "$changed" -gt 0
expect "it started the daemons again" bash -c '/usr/share/openvswitch/scripts/ovs-ctl status && docker info >/dev/null'
expect "the lab is there" assert_lab
expect "the repeat works" play debian-repeat netdevops.ovs_docker.lab -l debian -e lab_install_packages=true
expect "the repeat changed nothing" test "$changed" -eq 0
expect "apt was not needed" grep -q "skipping: \[debian\]" <(grep -A1 "Install the missing ones" "$logs/$run_no-debian-repeat.log")
expect "teardown works" play debian-teardown netdevops.ovs_docker.teardown -l debian
expect "the machine is as before the lab, forwarding still on" same "$logs/before-debian"
echo "== lab: all steps passed"
