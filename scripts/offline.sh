#!/usr/bin/env bash
# Runs a command with this machine's way out closed to it and to every process it starts:
#   scripts/offline.sh COMMAND [ARGS...]
# `make test` runs its test stages through this, so a test that fetches anything (a package
# registry, Galaxy, a mirror) fails on every run instead of on the day the registry is away.
#
# How: the command runs in a cgroup of its own, and packets from that cgroup that would leave
# through an interface carrying a default route (the uplink) are rejected in OUTPUT before they
# leave the machine. Loopback, the test's own bridges, namespaces and containers, Docker's local
# networks and the daemons' Unix sockets stay as they are: only the way out is closed. Processes
# that dockerd starts (containers, fleet nodes) are not in the cgroup; the fleet's network is
# `--internal` (scripts/fleet.sh), so they have no way out either.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
say() { printf '\033[1m[offline]\033[0m %s\n' "$*" >&2; }

NAME=netdevops-offline
CHAIN=NETDEVOPS_OFFLINE
root=$(findmnt -t cgroup2 -n -o TARGET | head -1)
if [ -z "$root" ] || ! iptables -m cgroup --help >/dev/null 2>&1; then
  say "no cgroup2 or no iptables cgroup match here: cannot close the way out; running as is"
  exec "$@"
fi
cgroup="$root/$NAME.$$"

uplinks() { { ip -o -4 route show default; ip -o -6 route show default; } 2>/dev/null |
            awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}' | sort -u; }

# One chain per address family, hooked into OUTPUT once; a run adds its own rules and removes
# them when it ends (a killed run leaves rules that match only its own, empty cgroup).
open_chain() {
  local tool=$1
  "$tool" -w -N "$CHAIN" 2>/dev/null || true
  "$tool" -w -C OUTPUT -j "$CHAIN" 2>/dev/null || "$tool" -w -I OUTPUT -j "$CHAIN"
}
rules() {
  local action=$1 dev tool
  for dev in $(uplinks); do
    for tool in iptables ip6tables; do
      "$tool" -w "$action" "$CHAIN" -o "$dev" -m cgroup --path "${cgroup#"$root"/}" -j REJECT 2>/dev/null || true
    done
  done
}
# shellcheck disable=SC2317  # (run by the EXIT trap)
cleanup() {
  rules -D
  # processes still in the cgroup (a command's leftover background job) keep it; say so
  rmdir "$cgroup" 2>/dev/null || say "$cgroup still has processes: $(tr '\n' ' ' < "$cgroup/cgroup.procs")"
}

open_chain iptables
open_chain ip6tables
mkdir -p "$cgroup"
trap cleanup EXIT
rules -A
[ -n "$(uplinks)" ] || say "no default route here: there is no way out to close"
say "way out closed ($(uplinks | tr '\n' ' ')) for: $*"
# The command runs in a child placed in the cgroup first: everything it starts inherits it.
status=0
bash -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' offline "$cgroup" "$@" || status=$?
exit "$status"
