#!/usr/bin/env bash
# The modules on a stock Linux kernel: two User-mode Linux guests (scripts/setup/guests.sh), each
# a Debian 12 with systemd, OVS on the kernel datapath, reached over SSH. This machine's own
# kernel has no openvswitch, 8021q or tc police modules: here they are real. Every step is looked
# at inside the guests with ovs-vsctl, ovs-dpctl, ip, tc and ping over SSH, never through the
# modules. The quartet, the undo, 802.1Q sub-interfaces and VLAN isolation, ingress policing and
# egress limits measured, a container (Docker inside the guest), a VXLAN overlay between the
# guests, persistence (the agent as a systemd service) and a real reboot of a guest brought back
# by it with no play, and the lab role with its ping matrix and lab_persistent. kvm2 works while
# kvm1 does (the guests are processes of their own): the lab beside kvm1's first sections, the
# agent role's quartets while kvm1 reboots.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=../lab/plays.sh
source ../lab/plays.sh
# ansible-test runs a copy of this directory; the collection (with scripts/) is where
# ANSIBLE_COLLECTIONS_PATH points.
collection=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/netdevops/ovs_docker
guests=$collection/scripts/setup/guests.sh
# A host CPU on which this kernel runs no user process (the probe says which): no guest can boot
# there, so the target says it is not run, loudly, instead of failing every run on that machine
# (the rest of `make test` still counts). Everywhere else a guest that does not boot fails it.
if ! why=$("$guests" probe); then
  printf '\033[1m== kernel: NOT RUN on this machine: %s\033[0m\n' "$why" >&2
  # (scripts/checks/integration.sh repeats it at the end of the run)
  echo "kernel: $why" >> /var/tmp/netdevops-ovs_docker/not-run.txt
  exit 0
fi
work=$(mktemp -d /var/tmp/kernel-test.XXXXXX)
export GUESTS_DIR=$work/guests  # the guests' copies, key and inventory, gone with the test
run_no=0 changed=""  # what play() sets
plays_use "$work" -i "$GUESTS_DIR/inventory.ini"
cleanup() {
  set +e
  [ -n "${lab_job:-}" ] && kill "$lab_job" 2>/dev/null
  [ -n "${agent_job:-}" ] && kill "$agent_job" 2>/dev/null
  "$guests" down
  rm -rf "$work"
}
trap cleanup EXIT

on() { "$guests" ssh "$@"; }
# snapshot GUEST: what a run could change in a guest, for before/after comparisons.
snapshot() {
  # shellcheck disable=SC2016  # (the $ are the guest shell's)
  on "$1" 'echo "== ovs"; for b in $(ovs-vsctl list-br); do echo "$b $(ovs-vsctl get bridge "$b" datapath_type): $(ovs-vsctl list-ports "$b" | sort | xargs)"; done
           echo "== netns"; ip netns list | cut -d" " -f1 | sort
           echo "== links"; ip -o link | cut -d: -f2 | sed "s/@.*//; s/ //g" | sort
           echo "== addresses"; ip -o addr show scope global | awk "{print \$2, \$4}" | sort
           echo "== containers"; docker ps -a --format "{{.Names}} {{.State}}" | sort
           echo "== nat"; iptables -t nat -S; echo "== ip_forward $(cat /proc/sys/net/ipv4/ip_forward)"'
}
same() { diff -u "$1" <(snapshot "$2") >&2; }
pings() { on "$1" "ip netns exec $2 ping -c 2 -W 2 -q $3" >/dev/null; }
# shows GUEST PATTERN COMMAND: what COMMAND prints in the guest matches the extended regex PATTERN
shows() { on "$1" "$3" | grep -Eq -- "$2"; }
# port_of NAMESPACE, port_of_container CONTAINER: the OVS port of an attachment, found by its marks
port_of() { on kvm1 "ovs-vsctl --bare --columns=name find Interface external_ids:netns=$1"; }
port_of_container() { on kvm1 "ovs-vsctl --bare --columns=name find Interface external_ids:container_id=$1"; }
# rate_kbits FROM TO ADDRESS: what namespace TO (at ADDRESS) receives from FROM on kvm1, in kbit/s
# (a 4 s UDP stream offered at 5 Mbit/s: more, and a busy guest drops what it cannot take in,
# limited or not)
rate_kbits() {
  on kvm1 "ip netns exec $2 iperf3 -s -1 -D; sleep 0.3; ip netns exec $1 iperf3 -c $3 -u -b 5M -t 4 -J" |
    python3 -c 'import json, sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1000))'
}
# image GUEST: the test image in the guest's Docker, imported from the files the rootfs holds
image() { on "$1" "docker image inspect ovs-docker-test:busybox >/dev/null 2>&1 || tar -C /opt/busybox-image -c . | docker import -c 'CMD [\"/bin/sleep\", \"infinity\"]' - ovs-docker-test:busybox >/dev/null"; }
# within LOW HIGH VALUE
within() { test "$3" -ge "$1" -a "$3" -le "$2"; }

"$guests" up 2
expect "kvm1's kernel has the modules this machine's lacks" on kvm1 'test -e /sys/module/openvswitch && test -e /sys/module/8021q'

# The lab role on kvm2 runs beside kvm1's first sections (the ones that measure no rate) and is
# awaited before the policing: its plays are a third of this target's time.
lab_on_kvm2() {
  echo "### the lab role on kvm2, on the kernel datapath: the seed's lab and its ping matrix"
  image kvm2
  snapshot kvm2 >"$work/before-lab"
  local lab_vars=(-l kvm2 -e @../lab/vars.yml -e lab_datapath_type=system -e "lab_topology_dir=$work/topology"
                  -e lab_persistent=true)
  run_no=100  # its logs apart from kvm1's
  expect "the lab" play lab netdevops.ovs_docker.lab "${lab_vars[@]}"
  expect "it built things" test "$changed" -gt 0
  expect "the ping matrix: every cell answered" grep -Eq '"con1 +ok +ok +- +ok +ok"' "$work/$run_no-lab.log"
  expect "br0 is on the kernel datapath" test "$(on kvm2 ovs-vsctl get bridge br0 datapath_type)" = system
  local key
  key=external_ids:$("${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" "$collection/tests/integration/targets/setup_quartet/files/looks.py" RECORD)
  expect "lab_persistent: br0's address recorded" shows kvm2 '198.18.1.250/24' "ovs-vsctl get Bridge br0 $key"
  expect "... ns1's attachment" shows kvm2 '"namespace\\?":\\?"ns1' "ovs-vsctl get Interface veth0 $key"
  expect "... con1's" shows kvm2 '"container\\?":\\?"con1' "ovs-vsctl get Interface \$(ovs-vsctl --bare --columns=name find Interface external_ids:container_id=con1) $key"
  expect "... and con1 starts again with the engine" test "$(on kvm2 "docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' con1")" = unless-stopped
  # (its repeat changing nothing is the lab and fleet targets' to show: a lab play takes 100 s here)
  expect "the teardown" play lab-teardown netdevops.ovs_docker.teardown "${lab_vars[@]}"
  expect "kvm2 is as it was before the lab" same "$work/before-lab" kvm2
  echo "kvm2: the lab passed"
}
lab_on_kvm2 >"$work/lab-kvm2.out" 2>&1 &
lab_job=$!

echo "### the quartet on the kernel datapath (kvm1)"
snapshot kvm1 >"$work/before"
expect "check mode runs" play check datapath.yml --check
expect "check mode reports changes" test "$changed" -gt 0
expect "check mode wrote nothing" same "$work/before" kvm1
expect "the real run" play build datapath.yml
expect "it changed things" test "$changed" -gt 0
expect "auto chose the kernel datapath" test "$(on kvm1 ovs-vsctl get bridge kbr0 datapath_type)" = system
dp=$(on kvm1 ovs-dpctl show)
expect "the kernel holds the datapath, the bridge and its ports" grep -q "system@ovs-system" <<<"$dp"
expect "... every attachment's port in it" test "$(grep -c 'port [0-9]*: ' <<<"$dp")" -ge 8
expect "the trunk's sub-interfaces are 802.1Q links on eth0" shows kvm1 'vlan protocol 802.1Q id 20' "ip -d -n ktr link show eth0.20"
expect "... with their addresses" shows kvm1 '198.18.242.1/24' "ip -n ktr -o addr show dev eth0.30"
expect "the trunk port carries 20 and 30" test "$(on kvm1 "ovs-vsctl get port $(port_of ktr) trunks")" = "[20, 30]"
expect "kns1 reaches kns2 across the kernel datapath" pings kvm1 kns1 198.18.240.12
expect "the trunk's eth0.20 reaches the access port on VLAN 20" pings kvm1 ktr 198.18.241.2
expect "the trunk's eth0.30 reaches the access port on VLAN 30" pings kvm1 ktr 198.18.242.2
expect "VLANs apart: VLAN 20 does not reach VLAN 30's port on the same subnet" fails pings kvm1 kv20 198.18.241.3
expect "a look that can fail: kns1 reaches no address that is not there" fails pings kvm1 kns1 198.18.240.99
snapshot kvm1 >"$work/built"
expect "the repeat" play repeat datapath.yml
expect "the repeat changed nothing" test "$changed" -eq 0
expect "the repeat in check mode" play repeat-check datapath.yml --check
expect "... changed nothing either" test "$changed" -eq 0
expect "and the guest is as it was built" same "$work/built" kvm1

echo "### a failure half-way is undone (kvm1)"
on kvm1 'ovs-vsctl add-bond kbr0 kbond kundh kundy'
snapshot kvm1 >"$work/before-undo"
expect "OVSDB refuses the port after the namespace and the pair were made" fails play undo undo.yml
expect "the run said it undid what it did" grep -q "undone" "$work/$run_no-undo.log"
expect "nothing of it is left" same "$work/before-undo" kvm1
on kvm1 'ovs-vsctl del-port kbr0 kbond'

if wait "$lab_job"; then cat "$work/lab-kvm2.out"; else cat "$work/lab-kvm2.out"; echo "FAILED: the lab on kvm2"; exit 1; fi

# measured_limit WHAT VAR FROM TO ADDRESS SEEN SEEN_BY: VAR=1000 (kbit/s, on kpol's port) is
# enforced by the kernel: SEEN in what SEEN_BY prints (a command; PORT stands for the port), what TO
# (at ADDRESS) receives from FROM within 15% of 1000 kbit/s, and well above it without; VAR=0 off
measured_limit() {
  local what=$1 var=$2 from=$3 to=$4 address=$5 seen=$6 seen_by=${7//PORT/$(port_of kpol)} free limited
  free=$(rate_kbits "$from" "$to" "$address")
  expect "$what at 1000 kbit/s" play "$var" datapath.yml -e "$var=1000"
  expect "it changed the port only" test "$changed" -eq 1
  expect "the kernel holds it on the port ($seen)" shows kvm1 "$seen" "$seen_by"
  limited=$(rate_kbits "$from" "$to" "$address")
  echo "   $from -> $to: $free kbit/s without, $limited kbit/s with $what at 1000 kbit/s"
  expect "limited: within 15% of 1000 kbit/s ($limited)" within 850 1150 "$limited"
  # (twice the limit: what a guest's one UML CPU takes of the 5 Mbit/s offered varies with this
  # machine's load - 2591 to 4999 kbit/s seen - while the limit holds within 15%)
  expect "without: well above it ($free)" test "$free" -ge 2000
  expect "$what off again" play "$var-off" datapath.yml -e "$var=0"
  expect "... and the kernel holds none" fails shows kvm1 "$seen" "$seen_by"
}

echo "### ingress policing, enforced by the kernel (kvm1)"
measured_limit "ingress policing" policing_rate kpol kns1 198.18.240.11 'police' "tc filter show dev PORT ingress"

echo "### an egress limit, enforced by the kernel (kvm1)"
measured_limit "the egress limit" shaping_rate kns1 kpol 198.18.240.13 'root rate 1Mbit ceil 1Mbit' "tc class show dev PORT"
expect "... nor a QoS or Queue row" test -z "$(on kvm1 'ovs-vsctl --bare --columns=_uuid list QoS; ovs-vsctl --bare --columns=_uuid list Queue')"

echo "### a container on the kernel datapath (kvm1's Docker engine)"
image kvm1
on kvm1 'docker run -d --name kc1 --net=none ovs-docker-test:busybox >/dev/null'
snapshot kvm1 >"$work/before-container"
expect "check mode runs" play container-check containers.yml --check
expect "check mode reports the attachment" test "$changed" -eq 1
expect "check mode wrote nothing" same "$work/before-container" kvm1
expect "... not even inside the container" fails shows kvm1 198.18.240.21 "docker exec kc1 ip addr"
expect "the attachment" play container containers.yml
expect "it changed" test "$changed" -eq 1
expect "the container has its address" shows kvm1 '198.18.240.21/24' "docker exec kc1 ip addr show eth0"
expect "its port is in the kernel's datapath" shows kvm1 "$(port_of_container kc1)" "ovs-dpctl show"
expect "kns1 reaches the container" pings kvm1 kns1 198.18.240.21
expect "the repeat" play container-repeat containers.yml
expect "... changed nothing" test "$changed" -eq 0
expect "the repeat in check mode" play container-repeat-check containers.yml --check
expect "... changed nothing either" test "$changed" -eq 0
on kvm1 'docker restart -t 0 kc1 >/dev/null'
expect "a restarted container's port is gone with its namespace" fails pings kvm1 kns1 198.18.240.21
expect "the attachment again repairs it" play container-repair containers.yml
expect "... with a change" test "$changed" -eq 1
expect "kns1 reaches the container again" pings kvm1 kns1 198.18.240.21

echo "### a VXLAN overlay between the guests, on the kernel datapath"
expect "the overlay" play overlay overlay.yml
expect "it changed things" test "$changed" -gt 0
expect "kvm1's namespace reaches kvm2's across VXLAN" pings kvm1 kov 198.18.243.12
expect "and back" pings kvm2 kov 198.18.243.11
expect "the overlay again" play overlay-repeat overlay.yml
expect "... changed nothing" test "$changed" -eq 0

echo "### the agent as a systemd service, and what is recorded for it (kvm1)"
on kvm1 'docker update --restart=always kc1 >/dev/null'
expect "kbr0's address, kns1 and kc1 recorded" play persist persist.yml
expect "... three records" test "$changed" -eq 3
unit=netdevops-ovs_docker-agent
# service_up GUEST: enabled, active, and its main process is the agent running its installed payload
service_up() {
  on "$1" "systemctl is-enabled -q $unit 2>/dev/null && systemctl is-active -q $unit &&
    tr '\\0' '\\n' </proc/\$(systemctl show -p MainPID --value $unit)/environ | grep -qx PYTHONPATH=/usr/local/lib/netdevops-ovs_docker/agent.zip"
}
installed_files() { on "$1" 'ls /etc/systemd/system/netdevops-ovs_docker-agent.service /usr/local/lib/netdevops-ovs_docker 2>/dev/null | xargs'; }
expect "the agent role" play agent agent.yml
expect "... changed" test "$changed" -eq 1
expect "a service, enabled and running the installed payload" service_up kvm1
expect "its log in the journal" shows kvm1 'serving: 3 record' "journalctl -u $unit --no-pager"

# The role's entry points as quartets run on kvm2 (idle by then) while kvm1 reboots.
agent_on_kvm2() {
  echo "### the agent role on kvm2 (systemd), installed and removed, as quartets"
  local on2=(-e guest=kvm2)
  run_no=200  # its logs apart from kvm1's
  expect "check mode" play agent-check agent.yml "${on2[@]}" --check
  expect "... would install it" test "$changed" -eq 1
  expect "... and installed nothing" test -z "$(installed_files kvm2)"
  expect "... (no service)" fails service_up kvm2
  expect "the real run" play agent agent.yml "${on2[@]}"
  expect "... changed" test "$changed" -eq 1
  expect "a service, enabled and running the installed payload" service_up kvm2
  expect "its log in the journal" shows kvm2 'serving: 0 record' "journalctl -u $unit --no-pager"
  expect "the repeat" play agent-repeat agent.yml "${on2[@]}"
  expect "... changed nothing" test "$changed" -eq 0
  expect "the repeat in check mode" play agent-repeat-check agent.yml "${on2[@]}" --check
  expect "... changed nothing either" test "$changed" -eq 0
  expect "removal in check mode" play agent-remove-check agent.yml "${on2[@]}" -e entry=remove --check
  expect "... would remove it" test "$changed" -eq 1
  expect "... and removed nothing" service_up kvm2
  expect "the removal" play agent-remove agent.yml "${on2[@]}" -e entry=remove
  expect "... changed" test "$changed" -eq 1
  expect "no service, no file of it" test -z "$(installed_files kvm2)"
  expect "... and systemd knows no such unit" fails on kvm2 "systemctl cat $unit >/dev/null 2>&1"
  expect "the repeat" play agent-remove-repeat agent.yml "${on2[@]}" -e entry=remove
  expect "... changed nothing" test "$changed" -eq 0
  expect "the repeat in check mode" play agent-remove-repeat-check agent.yml "${on2[@]}" -e entry=remove --check
  expect "... changed nothing either" test "$changed" -eq 0
  echo "kvm2: the agent role passed"
}
agent_on_kvm2 >"$work/agent-kvm2.out" 2>&1 &
agent_job=$!

echo "### a real reboot of kvm1: what is recorded comes back by itself, the rest is left as the reboot left it"
"$guests" reboot kvm1
back=$SECONDS
expect "OVSDB kept the bridges" test "$(on kvm1 'ovs-vsctl list-br | xargs')" = "kbr0 kov0"
expect "... and their port rows (7 namespaces', kc1's)" test "$(on kvm1 'ovs-vsctl list-ports kbr0 | wc -l')" -eq 8
deadline=$((SECONDS + 120))
until pings kvm1 kns1 198.18.240.21 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || { echo "FAILED: kns1 reaches kc1 within 120 s of the guest's SSH"; "$guests" story kvm1; exit 1; }
  sleep 0.5
done
echo "   kns1 reached kc1 $((SECONDS - back)) s after the guest answered SSH, no play run; the agent's journal:"
on kvm1 "journalctl -b -u $unit --no-pager -o short-precise | tail -n 8" | sed 's/^/   /'
expect "kbr0 has its address again" shows kvm1 '198.18.240.1/24' "ip -o addr show dev kbr0"
expect "kc1 its gateway" shows kvm1 'default via 198.18.240.1' "docker exec kc1 ip route"
expect "the service said what it applied" shows kvm1 'applied again' "journalctl -b -u $unit --no-pager"
expect "nothing unrecorded was touched: of the namespaces only kns1 is back" test "$(on kvm1 'ip netns list | cut -d" " -f1 | xargs')" = kns1
expect "the info module reads the rebooted host" play info info.yml
expect "it names every port whose device is gone (6 on kbr0, 2 on kov0)" grep -q "ports with problems: 8" "$work/$run_no-info.log"
expect "the build again repairs it" play rebuild datapath.yml
expect "... with changes" test "$changed" -gt 0
expect "the overlay again repairs kvm1's side" play overlay-rebuild overlay.yml
expect "kns1 reaches kns2 again" pings kvm1 kns1 198.18.240.12
expect "the trunk's eth0.20 reaches VLAN 20 again" pings kvm1 ktr 198.18.241.2
expect "the overlay answers again" pings kvm1 kov 198.18.243.12
expect "the repeat after the repair" play rebuild-repeat datapath.yml
expect "... changed nothing" test "$changed" -eq 0

if wait "$agent_job"; then cat "$work/agent-kvm2.out"; else cat "$work/agent-kvm2.out"; echo "FAILED: the agent role on kvm2"; exit 1; fi

echo "kernel: all checks passed"
