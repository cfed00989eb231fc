#!/usr/bin/env bash
# A fleet of test hosts on this one machine: Debian 12 nodes as containers ("kind"-style), each
# with its own network stack, Open vSwitch (userspace datapath), Docker engine and sshd, joined
# by an underlay network of our own and reached by Ansible over SSH.
#   scripts/setup/fleet.sh image       build the node image (debootstrap + docker import; cached)
#   scripts/setup/fleet.sh up [N]      start N nodes vm1..vmN (default 3) and write the inventory
#   scripts/setup/fleet.sh down        remove the nodes, the underlay and the inventory
# The inventory is .build/fleet/inventory.ini (group `fleet`); the SSH key is next to it.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=inventory.sh
source scripts/setup/inventory.sh
say() { printf '\033[1m[fleet]\033[0m %s\n' "$*"; }

IMAGE=${FLEET_IMAGE:-ovs-docker-fleet-node:bookworm}
NETWORK=${FLEET_NETWORK:-ovsd-fleet}
SUBNET_PREFIX=${FLEET_SUBNET_PREFIX:-100.127.250}  # shared address space (RFC 6598), a /24 of it
DIR=${FLEET_DIR:-$PWD/.build/fleet}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What a fleet host has: the daemons, sshd, and Debian's Python libraries for the modules (the
# role's lab_install_packages then finds them all there).
NODE_PACKAGES=(openssh-server python3 python3-apt openvswitch-switch docker.io iproute2 iptables
               iputils-ping procps busybox-static python3-pyroute2 python3-openvswitch
               python3-docker python3-requests ca-certificates)

image_stamp() { { echo "${NODE_PACKAGES[*]}"; sed -n '/^node_rootfs()/,/^}/p' "$0"; } | sha256sum | cut -c1-16; }

# The node's root file system, configured to run sshd as its only process; the lab role starts
# OVS and dockerd itself (hosts without an init system).
node_rootfs() {
  local root=$1
  debootstrap --variant=minbase --include="$(IFS=,; echo "${NODE_PACKAGES[*]}")" bookworm "$root" "$MIRROR"
  # no daemon may start inside the chroot while it is built; and none of the packages' leftovers
  rm -f "$root"/usr/sbin/policy-rc.d
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/*
  # The inner Docker engine keeps its data on a tmpfs: vfs is the storage driver that works there.
  mkdir -p "$root"/etc/docker
  echo '{"storage-driver": "vfs", "log-level": "warn"}' > "$root"/etc/docker/daemon.json
  # Containers inside the nodes use the same one-binary image as the tests on this machine.
  mkdir -p "$root"/opt/busybox-image/bin
  cp "$root"/bin/busybox "$root"/opt/busybox-image/bin/
  for applet in sh ip ping sleep cat ls top; do ln -s busybox "$root/opt/busybox-image/bin/$applet"; done
  mkdir -p "$root"/root/.ssh && chmod 700 "$root"/root/.ssh
}

image() {
  local stamp; stamp=$(image_stamp)
  if [ "$(docker image inspect -f '{{ index .Config.Labels "netdevops.fleet.stamp" }}' "$IMAGE" 2>/dev/null)" = "$stamp" ]; then
    say "node image $IMAGE: present"; return
  fi
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
  # debootstrap's downloads retry for a long while: a mirror that is away stops us here, in seconds
  local why
  why=$(python3 scripts/setup/answers.py "$MIRROR/dists/bookworm/Release") ||
    { say "cannot build the node image: $why; run again when it does"; exit 1; }
  say "node image $IMAGE: debootstrap of Debian 12 with ${#NODE_PACKAGES[@]} packages (a few minutes)"
  local root; root=$(mktemp -d /var/tmp/fleet-rootfs.XXXXXX)
  trap 'rm -rf "$root"; trap - RETURN' RETURN  # (a RETURN trap outlives its function: clear it)
  if ! node_rootfs "$root" >"$DIR.debootstrap.log" 2>&1; then
    say "cannot build the node image: debootstrap from $MIRROR failed ($(grep -m1 -E '^(E|W): ' "$DIR.debootstrap.log" || tail -1 "$DIR.debootstrap.log")); log: $DIR.debootstrap.log"
    exit 1
  fi
  tar -C "$root" -c . | docker import \
    -c "LABEL netdevops.fleet.stamp=$stamp" \
    -c 'CMD ["/bin/sh", "-c", "mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e"]' - "$IMAGE" >/dev/null
  say "node image $IMAGE: built"
}

nodes() { docker ps -a --filter "label=netdevops.fleet.node" --format '{{.Names}}' | sort; }

up() {
  local count=${1:-3}
  mkdir -p "$DIR"
  image
  if ip route | grep -q "^$SUBNET_PREFIX\."; then
    docker network inspect "$NETWORK" >/dev/null 2>&1 || { say "$SUBNET_PREFIX.0/24 is routed here already"; exit 1; }
  fi
  # --internal: the nodes reach each other and this host, and nothing beyond it
  docker network inspect "$NETWORK" >/dev/null 2>&1 ||
    docker network create --internal --subnet "$SUBNET_PREFIX.0/24" --gateway "$SUBNET_PREFIX.1" "$NETWORK" >/dev/null
  [ -f "$DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C fleet -f "$DIR/id_ed25519"
  local inventory="$DIR/inventory.ini"
  {
    echo "# written by scripts/setup/fleet.sh up: $count nodes on $NETWORK ($SUBNET_PREFIX.0/24)"
    echo "[fleet]"
  } > "$inventory.new"
  local i name address
  for i in $(seq 1 "$count"); do
    name=vm$i address=$SUBNET_PREFIX.$((10 + i))
    if ! docker inspect "fleet-$name" >/dev/null 2>&1; then
      # --privileged is refused here (CAP_SYS_RESOURCE is outside the bounding set): every other
      # capability, no seccomp/AppArmor filter, /dev/net/tun for OVS's userspace datapath.
      docker run -d --name "fleet-$name" --hostname "$name" --label netdevops.fleet.node="$name" \
        --network "$NETWORK" --ip "$address" \
        --cap-add=ALL --cap-drop=SYS_RESOURCE --security-opt seccomp=unconfined \
        --security-opt apparmor=unconfined --device /dev/net/tun \
        -v /sys/fs/cgroup:/sys/fs/cgroup:rw --tmpfs /run --tmpfs /var/lib/docker:exec \
        -v "$DIR/id_ed25519.pub:/root/.ssh/authorized_keys:ro" "$IMAGE" >/dev/null
    fi
    echo "$name ansible_host=$address underlay_address=$address"
  done >> "$inventory.new"
  ssh_group_vars fleet "$DIR/id_ed25519" >> "$inventory.new"
  mv "$inventory.new" "$inventory"
  # Each node is ready when its sshd says it listens (awaited in its log, no polling).
  for i in $(seq 1 "$count"); do
    timeout 60 grep -m1 -q "Server listening" <(docker logs -f "fleet-vm$i" 2>&1) ||
      { say "vm$i: sshd did not start; docker logs fleet-vm$i"; exit 1; }
  done
  say "$count nodes up: $(nodes | xargs); inventory $inventory"
}

down() {
  local n; n=$(nodes)
  # shellcheck disable=SC2086
  [ -z "$n" ] || docker rm -f $n >/dev/null
  docker network rm "$NETWORK" >/dev/null 2>&1 || true
  rm -f "$DIR/inventory.ini"
  say "fleet down${n:+: removed $(echo "$n" | xargs)}"
}

case "${1:-}" in
  image) mkdir -p "$DIR"; image ;;
  up) up "${2:-3}" ;;
  down) down ;;
  *) echo "usage: $0 image | up [N] | down" >&2; exit 2 ;;
esac
