# shellcheck shell=bash
# Independent looks at the machine with ovs-vsctl, ip, docker and iptables (sourced by runme.sh).

# Everything a lab could leave behind, for before/after comparisons.
snapshot() {
  echo "== ovs"  # bridges and their ports, sorted (ovs-vsctl show orders them by row UUID)
  local br  # (--timeout: a stopped ovsdb-server is part of some tests; the section is empty then)
  for br in $(ovs-vsctl --timeout=5 list-br 2>/dev/null); do
    echo "$br $(ovs-vsctl get bridge "$br" datapath_type) ports: $(ovs-vsctl list-ports "$br" | sort | xargs)"
  done
  echo "== netns"; ip netns list | awk '{print $1}' | sort
  echo "== links"; ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
  # (|| true: with dockerd stopped, part of some tests, the section is empty instead of ending the script)
  echo "== containers"; { docker ps -a --format '{{.Names}} {{.State}}' 2>/dev/null || true; } | sort
  # (podman ps shows the state as "Up 2 minutes ago": inspect gives the state alone)
  # (a host without Podman, a fleet node: the section is empty)
  # (Docker's networks: a topology's management network)
  echo "== networks"; { docker network ls --format '{{.Name}}' 2>/dev/null || true; } | sort
  echo "== podman"; { podman ps -aq 2>/dev/null | xargs -r podman inspect --format '{{.Name}} {{.State.Status}}' 2>/dev/null || true; } | sort
  echo "== nat"; iptables -t nat -S
  echo "== filter"; iptables -S
  echo "== ip_forward $(cat /proc/sys/net/ipv4/ip_forward)"
}

# A look is often called as `if ! assert_lab` or `expect ... assert_lab`, where bash ignores
# `set -e`: every check therefore records its failure in look_failed, and the look returns it,
# so that any one failed check fails the whole look (not only the last one).
look_failed=0
fail() { echo "LOOK FAILED: $*" >&2; look_failed=1; return 1; }
has() {  # has WHAT TEXT PATTERN: TEXT must match the extended regex PATTERN
  grep -Eq -- "$3" <<<"$2" || fail "$1: '$3' not in: $2"
}

# The seed's lab as it must be on this machine after a build, looked at without Ansible; con1 is
# asked of LOOK_ENGINE's command line (docker, or podman for a lab_engine=podman build).
assert_lab() {
  local engine=${LOOK_ENGINE:-docker}
  look_failed=0
  local dp; dp=$(ovs-vsctl get bridge br0 datapath_type) || fail "no bridge br0"
  # auto: no openvswitch kernel module here, so the userspace datapath
  if [ -e /sys/module/openvswitch ]; then has datapath "$dp" '^"?system"?$|^""$'; else has datapath "$dp" '^"?netdev"?$'; fi
  has "br0 address" "$(ip -4 -o addr show dev br0)" ' 198\.18\.1\.250/24 '
  has "br0 link" "$(ip -o link show dev br0)" 'state (UP|UNKNOWN)'
  has "veth0 on br0" "$(ovs-vsctl port-to-br veth0)" '^br0$'
  has "ns1 veth1 address" "$(ip -n ns1 -4 -o addr show dev veth1)" ' 198\.18\.1\.1/24 '
  has "ns1 route" "$(ip -n ns1 route show default)" '^default via 198\.18\.1\.250 dev veth1'
  has "con1 state" "$("$engine" inspect -f '{{.State.Status}} {{.HostConfig.NetworkMode}}' con1)" '^running none$'
  has "con1 eth0 address" "$("$engine" exec con1 ip -4 addr show dev eth0)" 'inet 198\.18\.1\.2/24 '
  has "con1 route" "$("$engine" exec con1 ip route)" 'default via 198\.18\.1\.250 dev eth0'
  has "con1 port on br0" "$(ovs-vsctl --bare --columns=name find interface external_ids:container_id=con1 external_ids:container_iface=eth0 | xargs -r ovs-vsctl iface-to-br)" '^br0$'
  has "vm2 address" "$(ip -n vm2 -4 -o addr show dev eth0)" ' 198\.18\.113\.2/24 '
  has "uplink0 address" "$(ip -4 -o addr show dev uplink0)" ' 198\.18\.113\.1/24 '
  has "masquerade" "$(iptables -t nat -S POSTROUTING)" '^-A POSTROUTING -s 198\.18\.1\.0/24 ! -d 198\.18\.1\.0/24 .*-j MASQUERADE'
  has "forward out" "$(iptables -S FORWARD)" '^-A FORWARD -s 198\.18\.1\.0/24 .*-j ACCEPT'
  has "forward back" "$(iptables -S FORWARD)" '^-A FORWARD -d 198\.18\.1\.0/24 .*RELATED,ESTABLISHED.* -j ACCEPT'
  has "ip_forward" "$(cat /proc/sys/net/ipv4/ip_forward)" '^1$'
  # Our own pings, beside the role's matrix: the seed's checks, to addresses the lab made.
  "$engine" exec con1 ping -c 1 -W 2 198.18.1.250 >/dev/null || fail "con1 -> br0"
  "$engine" exec con1 ping -c 1 -W 2 198.18.1.1 >/dev/null || fail "con1 -> ns1"
  "$engine" exec con1 ping -c 1 -W 2 198.18.113.2 >/dev/null || fail "con1 -> vm2 (routed and masqueraded)"
  ip netns exec ns1 ping -c 1 -W 2 198.18.1.2 >/dev/null || fail "ns1 -> con1"
  return "$look_failed"
}

# What the host itself talks to: its default gateways, name servers and the peers of its
# established TCP connections (loopback aside), one address a line.
host_destinations() {
  {
    ip route show default | awk '{for (i = 1; i < NF; i++) if ($i == "via") print $(i + 1)}'
    ip -6 route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "via") print $(i + 1)}'
    awk '$1 == "nameserver" {sub(/%.*/, "", $2); print $2}' /etc/resolv.conf 2>/dev/null
    ss -Htn state established 2>/dev/null | awk '{print $4}' | sed -E 's/:[0-9]+$//; s/^\[//; s/\]$//; s/^::ffff://'
  } | grep -Ev '^(127\.|::1$|$)' | sort -u
}
# routes_used ADDRESS...: the device each address is routed through, as `ip route get` says
# (it only asks the kernel; nothing is sent).
routes_used() {
  local dest
  for dest in "$@"; do echo "$dest $(ip route get "$dest" 2>&1 | grep -o -m1 'dev [^ ]*')"; done
}

# The user's own objects under the lab's names, made by hand as a user would have them: a container
# con1 on Docker's bridge network with a label of theirs, an OVS bridge br0 with a port and an
# address of its own, a namespace ns1 holding a veth pair of its own, and the very NAT rule the lab
# makes, without the lab's comment.
USER_RULE='POSTROUTING -s 198.18.1.0/24 ! -d 198.18.1.0/24 -j MASQUERADE'
user_objects() {
  docker run -d --name con1 --label owner=user ovs-docker-test:busybox >/dev/null
  ovs-vsctl add-br br0 -- set bridge br0 datapath_type=netdev external_ids:owner=user \
    -- add-port br0 ubr0p -- set interface ubr0p type=internal external_ids:owner=user
  ip link set br0 up && ip addr add 198.18.7.1/24 dev br0
  ip netns add ns1 && ip link add uveth0 type veth peer name uveth1 netns ns1
  ip link set uveth0 up && ip -n ns1 addr add 198.18.8.1/24 dev uveth1
  ip -n ns1 link set lo up  # as the seed does by hand (an attachment brings lo up too)
  eval "iptables -t nat -A $USER_RULE"
}
user_objects_gone() {  # (each may be gone already: deleting ns1 takes the pair with it)
  docker rm -f con1 >/dev/null 2>&1 || true
  ovs-vsctl --if-exists del-br br0
  ip netns del ns1 2>/dev/null || true
  ip link del uveth0 2>/dev/null || true
  while eval "iptables -t nat -D $USER_RULE" 2>/dev/null; do :; done
}
# The user's objects as they matter, byte for byte: the container (ID, start, labels, network,
# address), the bridge and its port rows (UUIDs, ports, marks), the bridge's addresses, the veth pair
# (interface indices and peers), the namespace's links, addresses and routes, the NAT rule.
user_look() {
  docker inspect -f '{{.Id}} {{.State.Status}} {{.State.StartedAt}} {{.Config.Labels}} {{.HostConfig.NetworkMode}} {{.NetworkSettings.Networks.bridge.IPAddress}}' con1
  ovs-vsctl --columns=_uuid,name,ports,datapath_type,fail_mode,external_ids,other_config list Bridge br0
  ovs-vsctl --columns=_uuid,name,interfaces,tag,trunks list Port ubr0p
  ovs-vsctl --columns=_uuid,name,type,external_ids list Interface ubr0p
  ip -o addr show dev br0 | awk '{print $4}'
  ip -o link show dev uveth0 | awk '{print $1, $2, $3}'
  ip -n ns1 -o link show | awk '{print $1, $2, $3}'
  ip -n ns1 -o addr show | awk '{print $2, $4}'
  ip -n ns1 route
  iptables -t nat -S POSTROUTING | grep -v -- '--comment'
}
