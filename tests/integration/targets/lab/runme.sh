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

logs=$(mktemp -d)
run_no=0
changed=""
topology=$logs/topology  # the role's pictures, on this controller
test_vars=(-e @vars.yml -e "lab_topology_dir=$topology")
# pictures NAME...: the venv host's pictures are there, valid, and show every NAME (look_topology.py)
collections=${ANSIBLE_COLLECTIONS_PATH%%:*}
pictures() { "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" look_topology.py "$collections" "$topology/venv" "$@"; }
# play NAME [ansible-playbook args]: runs a playbook for one inventory host; sets $changed from
# the recap; returns the playbook's exit code.
play() {
  local name=$1; shift
  run_no=$((run_no + 1))
  local log="$logs/$run_no-$name.log" rc=0
  echo "== $run_no $name: ansible-playbook $*"
  ANSIBLE_NOCOLOR=1 ansible-playbook -i inventory "${test_vars[@]}" "$@" >"$log" 2>&1 || rc=$?
  changed=$(sed -n 's/.* changed=\([0-9]*\) .*/\1/p' "$log" | tail -1)
  echo "   rc=$rc changed=${changed:-?}"
  return $rc
}
shown() { tail -n 40 "$logs/$run_no-"*.log; }
expect() {  # expect DESCRIPTION CONDITION...
  local what=$1; shift
  if ! "$@"; then echo "FAILED: $what"; shown; exit 1; fi
}
fails() { ! "$@"; }
same() { diff -u "$1" <(snapshot) >&2; }

# Objects of the lab must not be here already, nor its subnets routed elsewhere on this machine.
for ns in ns1 vm2; do [ ! -e "/run/netns/$ns" ] || { echo "namespace $ns exists: not a clean machine"; exit 1; }; done
for br in br0 uplink0; do ! ovs-vsctl br-exists $br || { echo "bridge $br exists: not a clean machine"; exit 1; }; done
if ip route | grep -Eq '^(192\.168\.1\.|203\.0\.113\.)'; then echo "192.168.1.0/24 or 203.0.113.0/24 routed here already"; exit 1; fi

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
  # If even teardown failed, take the objects away by hand.
  docker rm -f con1 >/dev/null 2>&1
  podman rm -f -t 0 --ignore con1 >/dev/null 2>&1
  for br in br0 uplink0; do ovs-vsctl --if-exists del-br $br; done
  for ns in ns1 vm2; do ip netns del $ns 2>/dev/null; done
  for table in nat filter; do
    iptables -t $table -S | grep -F 'netdevops.ovs_docker lab' | sed 's/^-A/-D/' |
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
test_vars=(-e lab_image=ovs-docker-test:busybox -e "lab_topology_dir=$topology")
expect "check mode with the defaults runs" play defaults-check netdevops.ovs_docker.lab -l venv --check
expect "it would build the seed's lab" grep -q "would attach con1 to br0 as eth0" "$logs/$run_no-defaults-check.log"
expect "and wrote nothing" same "$logs/before"
test_vars=(-e @vars.yml -e "lab_topology_dir=$topology")

echo "### the quartet on the venv host"
expect "check mode runs" play check netdevops.ovs_docker.lab -l venv --check --diff
expect "check mode reports what it would build" test "$changed" -gt 0
expect "check mode shows the bridge it would make" grep -q "would attach con1 to br0 as eth0" "$logs/$run_no-check.log"
expect "check mode wrote nothing" same "$logs/before"

expect "the real run works" play build netdevops.ovs_docker.lab -l venv
expect "the real run changed things" test "$changed" -gt 0
expect "the lab is there" assert_lab
expect "the ping matrix is printed" grep -Eq '"con1 +ok +ok +- +ok +ok"' "$logs/$run_no-build.log"
expect "the role remembers that it switched forwarding on" test -e /run/netdevops-ovs_docker-lab.ip_forward_was_off
expect "the pictures show the lab (SVG, Mermaid)" pictures br0 con1 ns1 uplink0 vm2 192.168.1.2/24
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
iptables -t nat -D POSTROUTING -s 192.168.1.0/24 ! -d 192.168.1.0/24 -m comment --comment "netdevops.ovs_docker lab" -j MASQUERADE
expect "the re-run after drift works" play drift-repair netdevops.ovs_docker.lab -l venv
expect "the port and the rule came back (two tasks changed)" test "$changed" -eq 2
expect "the lab is whole again" assert_lab
expect "exactly as built" same "$logs/built"

echo "### NAT switched off and on"
expect "without NAT vm2 does not answer, and the play says so" fails play nat-off netdevops.ovs_docker.lab -l venv -e lab_nat=false
expect "the failure names the cell" grep -q "con1 -> vm2 (203.0.113.2)" "$logs/$run_no-nat-off.log"
expect "the rules are gone" bash -c '! iptables-save | grep -q "netdevops.ovs_docker lab"'
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
masquerade='POSTROUTING -s 192.168.1.0/24 ! -d 192.168.1.0/24 -m comment --comment "netdevops.ovs_docker lab" -j MASQUERADE'
break_and_mend "a missing address" \
  "ip -n ns1 addr del 192.168.1.1/24 dev veth1" \
  "ip -n ns1 addr add 192.168.1.1/24 dev veth1 && ip -n ns1 route add default via 192.168.1.250"
break_and_mend "a missing route" \
  "ip -n ns1 route del default" "ip -n ns1 route add default via 192.168.1.250"
# the same Port row moved, so that its marks (external_ids) stay as the module made them
break_and_mend "a port on the wrong bridge" \
  "ovs-vsctl remove Bridge br0 ports $port_uuid -- add Bridge uplink0 ports $port_uuid" \
  "ovs-vsctl remove Bridge uplink0 ports $port_uuid -- add Bridge br0 ports $port_uuid" in-snapshot
break_and_mend "a missing NAT rule" "iptables -t nat -D $masquerade" "iptables -t nat -A $masquerade" in-snapshot
expect "exactly as built after the mending" same "$logs/built"
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
attach_args="container=con1 interface=eth0 bridge=br0 addresses=192.168.1.2/24 mac=02:00:00:00:09:09"
# fault_runs FAULT WORDS: every module that needs the stopped daemon asked for one change each;
# each must fail saying WORDS, and the machine must be as it was just before (the daemon's stop
# itself takes things away: a stopped ovs-vswitchd's bridge interfaces, a stopped dockerd's containers).
fault_runs() {
  local fault=$1 words=$2
  snapshot > "$logs/$fault-before"
  if [ "$fault" != dockerd-stopped ]; then
    expect "$fault: ovs_bridge fails" adhoc "$fault-bridge" ovs_bridge "name=br0 addresses=192.168.1.250/24,192.168.1.249/24"
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
