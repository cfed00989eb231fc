#!/usr/bin/env bash
# Benchmark: real reboots of a User-mode Linux guest, and what the agent brings back with no play.
#   scripts/measure/reboots.sh [REBOOTS]      (default 5; after `make prime` and `make install`)
# Prints figures; asserts nothing (a reboot whose namespace does not answer within 120 s is counted
# and what the guest held then is printed). One guest of its own (scripts/setup/guests.sh, in a
# directory of its own), removed with its links at the end, pass or fail. On it, as the `kernel`
# target builds it: kbr0 with a recorded address, kns1 (a recorded namespace attachment whose
# namespace we made), kc1 (a recorded container under --restart=always), six namespaces on kbr0
# that are not recorded (their ports are stale after a reboot), the agent as a systemd service.
# Each figure is read on the guest's own clock (seconds since its kernel started): a probe unit
# started at boot pings kc1 from kns1 every 0.25 s and writes when it first answers; the agent's
# journal says when it applied each record; SSH's first answer is when a test could look.
set -euo pipefail
cd "$(dirname "$0")/../.."
reboots=${1:-5}
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$HOME/.ansible/collections}
export GUESTS_DIR
GUESTS_DIR=$(mktemp -d /var/tmp/reboots.XXXXXX)
guests=scripts/setup/guests.sh
trap '"$guests" down >/dev/null 2>&1; rm -rf "$GUESTS_DIR"' EXIT
on() { "$guests" ssh kvm1 "$@"; }
module() { .venv/bin/ansible -i "$GUESTS_DIR/inventory.ini" kvm1 -m "netdevops.ovs_docker.$1" -a "$2" >/dev/null; }
unit=netdevops-ovs_docker-agent

"$guests" up 1
on 'tar -C /opt/busybox-image -c . | docker import -c "CMD [\"/bin/sleep\", \"infinity\"]" - ovs-docker-test:busybox >/dev/null
    docker run -d --restart=always --name kc1 --net=none ovs-docker-test:busybox >/dev/null'
module ovs_bridge '{"name": "kbr0", "addresses": ["198.18.240.1/24"], "persistent": true}'
module netns_veth '{"namespace": "kns1", "bridge": "kbr0", "interface": "eth0", "addresses": ["198.18.240.11/24"], "persistent": true}'
module ovs_docker_port '{"container": "kc1", "bridge": "kbr0", "interface": "eth0", "addresses": ["198.18.240.21/24"],
                         "gateway": "198.18.240.1", "persistent": true}'
for i in 1 2 3 4 5 6; do
  module netns_veth "{\"namespace\": \"kx$i\", \"bridge\": \"kbr0\", \"interface\": \"eth0\", \"addresses\": [\"198.18.240.3$i/24\"]}"
done
printf '%s\n' '- hosts: kvm1' '  gather_facts: false' '  roles: [netdevops.ovs_docker.agent]' >"$GUESTS_DIR/agent.yml"
.venv/bin/ansible-playbook -i "$GUESTS_DIR/inventory.ini" "$GUESTS_DIR/agent.yml" >/dev/null
# the probe: from boot on, kns1 pings kc1 every 0.25 s until it answers, then writes the uptime
on 'cat >/usr/local/sbin/reboot-probe && chmod +x /usr/local/sbin/reboot-probe' <<'EOF'
#!/bin/sh
until ip netns exec kns1 ping -c 1 -W 1 -q 198.18.240.21 >/dev/null 2>&1; do sleep 0.25; done
cut -d' ' -f1 /proc/uptime >/run/probe
EOF
on "printf '%s\n' '[Unit]' 'Description=reboots.sh: when kns1 first reaches kc1' '[Service]' \
      'ExecStart=/usr/local/sbin/reboot-probe' '[Install]' 'WantedBy=multi-user.target' >/etc/systemd/system/reboot-probe.service
    systemctl enable -q reboot-probe.service"

printf '%-7s %10s %12s %10s %10s %10s %12s\n' reboot 'ssh (s)' 'agent up' kbr0 kc1 kns1 'kns1->kc1'
late=0 answered=()
for n in $(seq 1 "$reboots"); do
  "$guests" reboot kvm1 2>/dev/null
  ssh_at=$(on "cut -d' ' -f1 /proc/uptime")
  # the probe's answer, awaited on the guest's clock (its loop ends at the first answer)
  # shellcheck disable=SC2016  # (the guest's shell expands it)
  probe=$(on 'until [ -s /run/probe ] || [ "$(cut -d. -f1 /proc/uptime)" -gt 150 ]; do sleep 0.2; done; cat /run/probe 2>/dev/null')
  # the journal's monotonic stamps: the service's start, each record's "applied again"
  stamps=$(on "journalctl -b -u $unit -o short-monotonic --no-pager" | python3 -c '
import re, sys
first = {}
for line in sys.stdin:
    m = re.match(r"\[\s*([0-9.]+)\]", line)
    if not m:
        continue
    for key, pattern in (("up", "Started "), ("kbr0", "bridge kbr0"), ("kc1", "container kc1"), ("kns1", "namespaces")):
        if pattern in line and ("applied again" in line or key == "up") and key not in first:
            first[key] = m.group(1)
print(" ".join(first.get(k, "-") for k in ("up", "kbr0", "kc1", "kns1")))')
  read -r up kbr0 kc1 kns1 <<<"$stamps"
  printf '%-7s %10s %12s %10s %10s %10s %12s\n' "$n" "$ssh_at" "$up" "$kbr0" "$kc1" "$kns1" "${probe:-none}"
  if [ -z "$probe" ]; then
    late=$((late + 1))
    "$guests" story kvm1
  else
    answered+=("$probe")
  fi
  on 'rm -f /run/probe'
done
if [ ${#answered[@]} -gt 0 ]; then
  printf '%s\n' "${answered[@]}" | sort -n | awk -v late="$late" -v n="$reboots" '
    { v[NR] = $1 } END { printf "kns1 reached kc1 at %.1f s after the kernel started (median of %d), %.1f to %.1f; not within 150 s: %d of %d\n",
      (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2, NR, v[1], v[NR], late, n }'
else
  echo "kns1 never reached kc1 within 150 s ($reboots reboots)"
fi
