#!/usr/bin/env bash
# Persistent attachments and the agent, on this machine's OVS and Docker: the record as the quartet,
# then real restarts with no play between the break and the look - docker restart, stop and
# start, a crash under --restart=always, restarts while the agent is down (caught up at its start)
# - and Open vSwitch's and the engine's restarts, each looked at independently (the container's
# MAC, MTU, address, gateway; the port's VLAN; a ping from a namespace on the bridge). Records removed: restarts are left alone. A container
# made again under the recorded name is not the recorded one: left alone. The agent is installed by
# its role (the quartet; no systemd here: a daemon of its own, as on hosts without systemd) and
# removed by it; between, the test starts and stops it through its launcher. Also: the bridge's
# recorded address, Podman's restart (a second agent on Podman's socket), two agents and a play at
# once, pruning (a stopped container's record waits, a gone one's is pruned).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=../lab/plays.sh
source ../lab/plays.sh
# shellcheck source=../lab/look.sh
source ../lab/look.sh

logs=$(mktemp -d /var/tmp/persistence-test.XXXXXX)
# shellcheck disable=SC2034  # (play() counts its runs in run_no)
run_no=0 changed=""  # what play() sets
plays_use "$logs" -i inventory
agent_pid=""
home=/usr/local/lib/netdevops-ovs_docker launcher=/usr/local/lib/netdevops-ovs_docker/agent
agent_log=/var/log/netdevops-ovs_docker-agent.log pidfile=/run/netdevops-ovs_docker-agent.pid
podman_pidfile=/run/netdevops-ovs_docker-agent-podman.pid podman_pid=""

cleanup() {
  set +e
  # a failure during the restarts may have left a daemon stopped: started again first
  /usr/share/openvswitch/scripts/ovs-ctl status >/dev/null || /usr/share/openvswitch/scripts/ovs-ctl start --system-id=random >/dev/null
  if ! pgrep -x dockerd >/dev/null; then
    setsid dockerd >>/var/log/dockerd-testbed.log 2>&1 </dev/null &
    timeout 60 bash -c 'until docker info >/dev/null 2>&1; do sleep 0.2; done'
  fi
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
  [ -n "$podman_pid" ] && kill "$podman_pid" 2>/dev/null
  [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
  rm -rf "$home" "$agent_log" "$podman_pidfile"
  docker rm -f pc1 pc2 >/dev/null 2>&1
  podman rm -f pp1 >/dev/null 2>&1
  ovs-vsctl --if-exists del-br pbr0
  ip netns del pns 2>/dev/null
  rm -rf "$logs"
}
trap cleanup EXIT

# await DESCRIPTION CONDITION...: the condition holds within 20 s (polled; a bound, not a speed check)
await() {
  local what=$1; shift
  local deadline=$((SECONDS + 20))
  until "$@" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "FAILED: $what (not within 20 s)"; tail -n 20 "$agent_log"; ip -o link show dev pbr0; ip -o addr show dev pbr0
      exit 1
    fi
    sleep 0.05
  done
}
# start_agent: the installed agent (its launcher), as its role starts it, awaited until it serves
start_agent() {
  local lines; lines=$(wc -l <"$agent_log" 2>/dev/null || echo 0)
  setsid "$launcher" >>"$agent_log" 2>&1 </dev/null &
  agent_pid=$!
  await "the agent's first pass" eval "tail -n +$((lines + 1)) '$agent_log' | grep -q 'serving'"
}
# stop_daemon NAME: stops it and returns once the process has exited
stop_daemon() {
  local pid; pid=$(pgrep -xo "$1")
  kill "$pid" && tail --pid="$pid" -f /dev/null
}
engine_up() { docker info >/dev/null 2>&1; }
stop_agent() { kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""; }
# the agent as installed: its files, and the process its pid file names runs its payload
agent_files() { find "$home" -type f 2>/dev/null | sort | xargs; }
agent_up() {
  local pid; pid=$(cat "$pidfile" 2>/dev/null) || return 1
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "PYTHONPATH=$home/agent.zip" &&
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'module_utils._agent'
}
installed() { [ "$(agent_files)" = "$home/agent $home/agent.zip" ] && agent_up; }
bridge_whole() { ip -o addr show dev pbr0 | grep -q ' 198.18.31.1/24 ' && ip -o link show dev pbr0 | grep -q '[<,]UP[,>]'; }
port_of() { ovs-vsctl --bare --columns=name find Interface "external_ids:container_id=$1"; }
# record_of CONTAINER: the record on its port, as JSON (ovs-vsctl quotes it as a string); its key as
# the collection spells it (marks.py, through looks.py)
record_key=$("${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" ../setup_quartet/files/looks.py RECORD)
record_of() {
  ovs-vsctl --if-exists get Interface "$(port_of "$1")" "external_ids:$record_key" 2>/dev/null |
    python3 -c 'import json, sys; text = sys.stdin.read().strip(); print(json.loads(text) if text else "")'
}
answers() { ip netns exec pns ping -c 1 -W 1 -q "$1" >/dev/null; }
# look_pc1: pc1's eth0 and port as a restart must find them again
look_pc1() {
  docker exec pc1 sh -c 'cat /sys/class/net/eth0/address /sys/class/net/eth0/mtu; ip -4 -o addr show dev eth0 |
    awk "{print \$4}"; ip route | grep ^default' 2>/dev/null | xargs
  echo "tag $(ovs-vsctl get Port "$(port_of pc1)" tag 2>/dev/null)"
}
expected_pc1="02:18:30:00:00:01 1400 198.18.30.1/24 default via 198.18.30.100 dev eth0
tag 30"
whole() { [ "$(look_pc1)" = "$expected_pc1" ] && answers 198.18.30.1; }
# logged PATTERN: the agent's log (since the mark) has a line matching PATTERN
mark() { mark_at=$(wc -l <"$agent_log" 2>/dev/null || echo 0); }
logged() { tail -n +$((mark_at + 1)) "$agent_log" | grep -Eq -- "$1"; }
same() { diff -u "$1" <(snapshot) >&2; }

# a failed expectation shows the agent's last lines too
shown() { tail -n 40 "$PLAY_LOGS/$run_no-"*.log; echo "== the agent's log"; tail -n 20 "$agent_log" 2>/dev/null; }

snapshot >"$logs/before"
docker run -d --name pc1 --net=none ovs-docker-test:busybox >/dev/null
docker run -d --name pc2 --net=none --restart=always ovs-docker-test:busybox >/dev/null
expect "the bridge and the prober" play setup setup.yml

echo "### the record, as the quartet"
snapshot >"$logs/unrecorded"
expect "check mode runs" play check attach.yml --check
expect "check mode reports both attachments" test "$changed" -eq 1
expect "check mode wrote nothing" same "$logs/unrecorded"
expect "the real run" play attach attach.yml
expect "it changed" test "$changed" -eq 1
expect "pc1's port holds its record" grep -q '"container":"pc1"' <<<"$(record_of pc1)"
expect "... naming the container it was" grep -q "\"container_full_id\":\"$(docker inspect -f '{{.Id}}' pc1)\"" <<<"$(record_of pc1)"
expect "... with what was asked" grep -q '"mac":"02:18:30:00:00:01"' <<<"$(record_of pc1)"
expect "pc1 is whole" whole
expect "the repeat" play repeat attach.yml
expect "... changed nothing" test "$changed" -eq 0
expect "the repeat in check mode" play repeat-check attach.yml --check
expect "... changed nothing either" test "$changed" -eq 0

expect "the info module: two recorded ports, no agent" play info info.yml -e agent_running=false -e recorded=2
expect "... and it can say otherwise (a look that can fail)" fails play info-wrong info.yml -e agent_running=true -e recorded=2

echo "### without the agent, a restart breaks the attachment (the look can fail)"
docker restart -t 0 pc1 >/dev/null
expect "pc1 lost its eth0 with its namespace" fails whole

echo "### the agent installed by its role (a daemon of its own here), as the quartet; it catches up at its start"
expect "check mode" play agent-check agent.yml --check
expect "... would install it" test "$changed" -eq 1
expect "... and wrote and started nothing" test -z "$(agent_files)"
expect "... (no agent runs)" fails agent_up
expect "the real run" play agent agent.yml
expect "... changed" test "$changed" -eq 1
expect "the payload and launcher are there, the agent runs from them" installed
await "pc1 is whole again, no play run" whole
pid=$(cat "$pidfile")
expect "the repeat" play agent-repeat agent.yml
expect "... changed nothing" test "$changed" -eq 0
expect "... and left the agent running as it was" test "$(cat "$pidfile")" = "$pid"
expect "the repeat in check mode" play agent-repeat-check agent.yml --check
expect "... changed nothing either" test "$changed" -eq 0
expect "its log says what it did (two ports and the bridge)" grep -Eq "(serving|tried again): 3 record" "$agent_log"
# from here the test starts and stops it itself (start_agent: its launcher, as the role does)
kill "$pid" && tail --pid="$pid" -f /dev/null
start_agent

expect "the info module: the agent runs" play info-agent info.yml -e agent_running=true -e recorded=2

echo "### restarts, each repaired by the agent alone"
docker restart -t 0 pc1 >/dev/null
await "after docker restart: pc1 whole" whole
docker stop -t 0 pc1 >/dev/null
docker start pc1 >/dev/null
await "after docker stop and start: pc1 whole" whole
pid=$(docker inspect -f '{{.State.Pid}}' pc2)
kill -9 "$pid"
await "pc2 crashed and Docker started it again (--restart=always)" test "$(docker inspect -f '{{.State.Pid}}' pc2)" != "$pid" -a "$(docker inspect -f '{{.State.Running}}' pc2)" = true
await "after its crash: pc2 answers" answers 198.18.30.2
expect "the agent logged what it applied" grep -q "container pc1: applied again" "$agent_log"

echo "### restarts while the agent is down, caught up when it starts"
stop_agent
docker restart -t 0 pc1 pc2 >/dev/null
expect "with the agent down, pc1 stays broken" fails whole
start_agent
expect "both are back" whole
expect "... pc2 too" answers 198.18.30.2

echo "### the bridge's recorded address and link state, given back at the agent's start"
stop_agent
ip addr flush dev pbr0 && ip link set pbr0 down
expect "the look can fail" fails bridge_whole
start_agent
# (awaited: the agent looks at the bridges again a second after its pass, see _agent.serve)
await "pbr0 has its address again, up" bridge_whole

echo "### two agents and a play at once: one result (the host lock)"
docker restart -t 0 pc1 >/dev/null
"$launcher" --once >>"$agent_log" 2>&1 &
once_pid=$!
expect "a play attaching pc1 meanwhile" play concurrent attach.yml
wait "$once_pid"
await "pc1 whole" whole
expect "one port for pc1's eth0" test "$(port_of pc1 | wc -w)" -eq 1
expect "one veth on the host for it" test "$(ip -o link show type veth | grep -c "$(port_of pc1)")" -eq 1

echo "### Podman: podman restart, followed by a second agent on Podman's socket"
podman run -d --name pp1 --network=none ovs-docker-test:busybox >/dev/null
expect "pp1 recorded" play podman podman.yml
mark
setsid "$launcher" --docker-host unix:///run/podman/podman.sock --pidfile "$podman_pidfile" >>"$agent_log" 2>&1 </dev/null &
podman_pid=$!
await "the Podman agent serves" logged "container starts of unix:///run/podman/podman.sock"
podman restart -t 0 pp1 >/dev/null
await "after podman restart: pp1 answers" answers 198.18.30.3
kill "$podman_pid"; wait "$podman_pid" 2>/dev/null || true; podman_pid=""
podman rm -f pp1 >/dev/null
expect "pp1's port pruned" play prune-pp1 prune.yml -e problem=container_gone -e docker_host=unix:///run/podman/podman.sock

echo "### ownership: a link not ours under a recorded name is reported, not replaced; the others are served"
stop_agent
docker restart -t 0 pc1 pc2 >/dev/null
pid=$(docker inspect -f '{{.State.Pid}}' pc1)
nsenter -t "$pid" -n ip link add eth0 type veth peer name foreign0
mark
start_agent
expect "the agent names the problem, in one line" logged "container pc1: not applied \(nothing changed\): .*interface eth0 in container pc1 is not one this module made"
expect "the link is left as it was" nsenter -t "$pid" -n ip link show foreign0 >/dev/null
expect "and pc2 is served all the same" answers 198.18.30.2
nsenter -t "$pid" -n ip link del eth0
# no restart: the agent tries what it could not apply again by itself (after 2 s, 4 s, 8 s, ...)
await "pc1 whole once the name is free again, with no restart" whole
expect "the agent tried again by itself" logged "tried again: "

# Restarting Open vSwitch or the engine takes every bridge's and container's traffic away for a
# while (a netdev bridge's own address is gone after it): only where nothing but this test's is
# there (make test takes the README's lab down first).
others=$(ovs-vsctl list-br | grep -vx pbr0 || true)$(docker ps --format '{{.Names}}' | grep -vxE 'pc[12]' || true)
if [ -n "$others" ]; then
  echo "### Open vSwitch's and the engine's restarts: skipped, other bridges or containers are here"
else
  echo "### Open vSwitch restarted (its database kept): the attachments intact, checked again"
  mark
  /usr/share/openvswitch/scripts/ovs-ctl restart --system-id=random 2>&1 | grep -v ulimit || true
  await "the agent saw the restart" logged "Open vSwitch restarted"
  await "pbr0 (netdev: its address went with ovs-vswitchd) has it again" bridge_whole
  await "pc1 whole" whole
  expect "pc2 answers" answers 198.18.30.2

  echo "### the engine restarted: its containers stop; pc2 (--restart=always) comes back with it, attached"
  mark
  stop_daemon dockerd
  setsid dockerd >>/var/log/dockerd-testbed.log 2>&1 </dev/null &
  await "dockerd is back" engine_up
  await "after the engine's restart: pc2 answers" answers 198.18.30.2
  expect "the agent followed the engine again" logged "serving"
  docker start pc1 >/dev/null
  await "pc1 (no restart policy) started by hand: whole" whole
fi

echo "### records removed (persistent: false): a restart is left alone"
expect "the records removed" play unrecord attach.yml -e persistent=false
expect "... a change" test "$changed" -eq 1
expect "... and no record is left" test -z "$(record_of pc1)$(record_of pc2)"
expect "the info module: no recorded port" play info-none info.yml -e agent_running=true -e recorded=0
mark
docker restart -t 0 pc1 >/dev/null
await "the agent saw pc1 start" logged "container $(docker inspect -f '{{.Id}}' pc1 | cut -c1-12) started: 0 record"
expect "and left it alone" fails whole

echo "### a container made again under the recorded name is not the recorded one"
expect "recorded again (and repaired)" play record-again attach.yml
expect "pc1 whole" whole
docker rm -f pc1 >/dev/null
docker run -d --name pc1 --net=none ovs-docker-test:busybox >/dev/null
stop_agent
mark
start_agent
expect "the agent says the new pc1 is not the recorded one" logged "container pc1 is a new container"
expect "and did not attach it" fails docker exec pc1 cat /sys/class/net/eth0/address

echo "### pruning: a stopped container's recorded port waits for its start, a gone one's is pruned"
docker stop -t 0 pc2 >/dev/null
expect "stopped: judged so, and not pruned" play prune-stopped prune.yml -e problem=container_stopped
expect "... nothing changed" test "$changed" -eq 0
expect "... the record is there" test -n "$(record_of pc2)"
docker rm -f pc2 >/dev/null
expect "gone: judged so, and pruned" play prune-gone prune.yml -e problem=container_gone
expect "... a change" test "$changed" -eq 1
expect "... its port and record are gone" test -z "$(port_of pc2)"

echo "### the agent removed by its role, as the quartet (while it runs)"
expect "check mode" play remove-check agent.yml -e entry=remove --check
expect "... would remove it" test "$changed" -eq 1
expect "... and removed nothing" agent_up
expect "the real run" play remove agent.yml -e entry=remove
expect "... changed" test "$changed" -eq 1
expect "no agent runs" fails agent_up
expect "... and nothing of it is left" test -z "$(agent_files)" -a ! -e "$agent_log" -a ! -e "$home"
wait "$agent_pid" 2>/dev/null || true; agent_pid=""
expect "the repeat" play remove-repeat agent.yml -e entry=remove
expect "... changed nothing" test "$changed" -eq 0
expect "the repeat in check mode" play remove-repeat-check agent.yml -e entry=remove --check
expect "... changed nothing either" test "$changed" -eq 0

echo "### gone: the bridge, the containers, the prober; the machine as before"
docker rm -f pc1 >/dev/null
ovs-vsctl del-br pbr0
ip netns del pns
expect "the machine is as before" same "$logs/before"
echo "persistence: all checks passed"
