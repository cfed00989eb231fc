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
  echo "== podman"; { podman ps -aq | xargs -r podman inspect --format '{{.Name}} {{.State.Status}}' 2>/dev/null || true; } | sort
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
  has "br0 address" "$(ip -4 -o addr show dev br0)" ' 192\.168\.1\.250/24 '
  has "br0 link" "$(ip -o link show dev br0)" 'state (UP|UNKNOWN)'
  has "veth0 on br0" "$(ovs-vsctl port-to-br veth0)" '^br0$'
  has "ns1 veth1 address" "$(ip -n ns1 -4 -o addr show dev veth1)" ' 192\.168\.1\.1/24 '
  has "ns1 route" "$(ip -n ns1 route show default)" '^default via 192\.168\.1\.250 dev veth1'
  has "con1 state" "$("$engine" inspect -f '{{.State.Status}} {{.HostConfig.NetworkMode}}' con1)" '^running none$'
  has "con1 eth0 address" "$("$engine" exec con1 ip -4 addr show dev eth0)" 'inet 192\.168\.1\.2/24 '
  has "con1 route" "$("$engine" exec con1 ip route)" 'default via 192\.168\.1\.250 dev eth0'
  has "con1 port on br0" "$(ovs-vsctl --bare --columns=name find interface external_ids:container_id=con1 external_ids:container_iface=eth0 | xargs -r ovs-vsctl iface-to-br)" '^br0$'
  has "vm2 address" "$(ip -n vm2 -4 -o addr show dev eth0)" ' 203\.0\.113\.2/24 '
  has "uplink0 address" "$(ip -4 -o addr show dev uplink0)" ' 203\.0\.113\.1/24 '
  has "masquerade" "$(iptables -t nat -S POSTROUTING)" '^-A POSTROUTING -s 192\.168\.1\.0/24 ! -d 192\.168\.1\.0/24 .*-j MASQUERADE'
  has "forward out" "$(iptables -S FORWARD)" '^-A FORWARD -s 192\.168\.1\.0/24 .*-j ACCEPT'
  has "forward back" "$(iptables -S FORWARD)" '^-A FORWARD -d 192\.168\.1\.0/24 .*RELATED,ESTABLISHED.* -j ACCEPT'
  has "ip_forward" "$(cat /proc/sys/net/ipv4/ip_forward)" '^1$'
  # Our own pings, beside the role's matrix: the seed's checks, to addresses the lab made.
  "$engine" exec con1 ping -c 1 -W 2 192.168.1.250 >/dev/null || fail "con1 -> br0"
  "$engine" exec con1 ping -c 1 -W 2 192.168.1.1 >/dev/null || fail "con1 -> ns1"
  "$engine" exec con1 ping -c 1 -W 2 203.0.113.2 >/dev/null || fail "con1 -> vm2 (routed and masqueraded)"
  ip netns exec ns1 ping -c 1 -W 2 192.168.1.2 >/dev/null || fail "ns1 -> con1"
  return "$look_failed"
}
