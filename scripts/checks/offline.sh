#!/usr/bin/env bash
# Runs a command with this machine's way out closed to it and to every process it starts:
#   scripts/checks/offline.sh COMMAND [ARGS...]
# `make test` runs its test stages through this, so a test that fetches anything (a package
# registry, Galaxy, a mirror) fails on every run instead of on the day the registry is away.
#
# How: the command runs in a cgroup of its own, and packets from that cgroup that would leave
# through an interface carrying a default route (the uplink) are rejected in OUTPUT before they
# leave the machine. Loopback, the test's own bridges, namespaces and containers, Docker's local
# networks and the daemons' Unix sockets stay as they are: only the way out is closed. Containers
# and fleet nodes have network namespaces of their own, where these rules do not apply; the
# fleet's network is `--internal` (scripts/setup/fleet.sh), so they have no way out either. A process
# that outlives the command (a daemon a test restarted) is moved out of the cgroup when it ends.
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
      [ "$tool" = ip6tables ] && ! ip6tables -w -S OUTPUT >/dev/null 2>&1 && continue  # (no IPv6 here)
      "$tool" -w "$action" "$CHAIN" -o "$dev" -m cgroup --path "${cgroup#"$root"/}" -j REJECT 2>/dev/null && continue
      # a rule that cannot be added would leave the way open: stop (removing one that is gone is fine)
      [ "$action" = -A ] && { say "cannot add the $tool rule that closes $dev"; exit 1; }
    done
  done
}
# The chain and its hook go when the last run's rules have gone (nothing of ours stays in iptables).
# shellcheck disable=SC2317  # (run by the EXIT trap)
close_chain() {
  local tool=$1
  [ "$("$tool" -w -S "$CHAIN" 2>/dev/null | wc -l)" = 1 ] || return 0
  "$tool" -w -D OUTPUT -j "$CHAIN" 2>/dev/null || true
  "$tool" -w -X "$CHAIN" 2>/dev/null || true
}
# A process the command started that outlives it (a daemon a test restarted: dockerd, the OVS
# daemons) is moved back to the root cgroup, so the cut ends with the command, then the cgroup goes.
release() {
  local dir=$1 pid _
  [ -d "$dir" ] || return 0
  # (a daemon caught mid-fork can refuse a move: a few tries)
  for _ in 1 2 3 4 5; do
    while read -r pid; do echo "$pid" > "$root/cgroup.procs" 2>/dev/null || true; done < "$dir/cgroup.procs"
    rmdir "$dir" 2>/dev/null && return
    sleep 0.2
  done
  say "cannot remove $dir: processes $(tr '\n' ' ' < "$dir/cgroup.procs")stay in it (the next run moves them out)"
}
# shellcheck disable=SC2317  # (run by the EXIT trap)
cleanup() {
  rules -D
  close_chain iptables
  close_chain ip6tables
  release "$cgroup"
}

# What a run that was killed left behind: its cgroup (and its rules, matching only that cgroup).
for stale in "$root/$NAME".*; do  # (globbed by name: NAME has no pattern characters)
  [ -d "$stale" ] || continue
  kill -0 "${stale##*.}" 2>/dev/null && continue  # that run is still going
  for tool in iptables ip6tables; do
    # (iptables -S numbers nothing: its line N, after the chain's -N line, is rule N - 1)
    while line=$("$tool" -w -S "$CHAIN" 2>/dev/null | grep -n -m1 -E -- "--path \"?${stale#"$root"/}\"? "); do
      "$tool" -w -D "$CHAIN" $((${line%%:*} - 1))
    done
  done
  release "$stale"
done

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
