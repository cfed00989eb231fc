#!/usr/bin/env bash
# An FRR router image made here, for containerlab's FRR labs (the clab_frr integration target):
# Debian 12's frr package by debootstrap and `docker import`, no registry - as the fleet's node
# image is made. Its command starts the daemons /etc/frr/daemons names (a topology binds its own
# daemons and frr.conf in, as containerlab's frr01 example does) and stays up.
#   scripts/setup/frr.sh image     build it (kept in Docker under a stamp of this recipe)
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { printf '\033[1m[frr]\033[0m %s\n' "$*"; }

IMAGE=${FRR_IMAGE:-ovs-docker-frr:bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
LOG=${FRR_LOG:-$PWD/.build/frr-debootstrap.log}
PACKAGES=(frr iproute2 iputils-ping procps)

stamp() { { echo "${PACKAGES[*]}"; sed -n '/^frr_rootfs()/,/^}/p' "$0"; } | sha256sum | cut -c1-16; }

frr_rootfs() {
  local root=$1
  debootstrap --variant=minbase --include="$(IFS=,; echo "${PACKAGES[*]}")" bookworm "$root" "$MIRROR"
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/locale
  # the daemons' start without an init system: frrinit.sh (watchfrr and what daemons enables), then
  # the container lives on; a stop is passed on to the daemons
  printf '%s\n' '#!/bin/sh' 'trap "/usr/lib/frr/frrinit.sh stop; exit 0" TERM INT' \
    '/usr/lib/frr/frrinit.sh start' 'while :; do sleep 3600 & wait $!; done' > "$root"/usr/local/sbin/frr-start
  chmod 755 "$root"/usr/local/sbin/frr-start
}

image() {
  local want; want=$(stamp)
  if [ "$(docker image inspect -f '{{ index .Config.Labels "netdevops.frr.stamp" }}' "$IMAGE" 2>/dev/null)" = "$want" ]; then
    say "router image $IMAGE: present"; return
  fi
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
  local why
  why=$(python3 scripts/setup/answers.py "$MIRROR/dists/bookworm/Release") ||
    { say "cannot build the router image: $why; run again when it does"; exit 1; }
  say "router image $IMAGE: debootstrap of Debian 12 with ${PACKAGES[*]} (a few minutes)"
  mkdir -p "$(dirname "$LOG")"
  local root; root=$(mktemp -d /var/tmp/frr-rootfs.XXXXXX)
  trap 'rm -rf "$root"; trap - RETURN' RETURN
  if ! frr_rootfs "$root" >"$LOG" 2>&1; then
    say "cannot build the router image: debootstrap failed; log: $LOG"; exit 1
  fi
  tar -C "$root" -c . | docker import -c "LABEL netdevops.frr.stamp=$want" \
    -c 'CMD ["/usr/local/sbin/frr-start"]' - "$IMAGE" >/dev/null
  say "router image $IMAGE: built ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1 / 1e6}'))"
}

case ${1:-} in
  image) image ;;
  *) echo "usage: $0 image" >&2; exit 2 ;;
esac
