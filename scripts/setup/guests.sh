#!/usr/bin/env bash
# Stock Linux kernels on this machine: Debian's User-mode Linux (a Linux 6.1 kernel that runs as
# an ordinary process, with its modules: openvswitch, 8021q, act_police, sch_htb, vxlan, ...) as
# test hosts reached by Ansible over SSH. This machine's own kernel lacks those modules; the
# guests are where the kernel datapath, VLAN sub-interfaces, policing and reboots are real.
#   scripts/setup/guests.sh image       build the guests' root file system (debootstrap; cached)
#   scripts/setup/guests.sh up [N]      start N guests kvm1..kvmN (default 2); write the inventory
#   scripts/setup/guests.sh down        stop them and remove every link, process and file they had
#   scripts/setup/guests.sh reboot NAME reboot one guest (systemctl reboot) and wait for its SSH
#   scripts/setup/guests.sh story NAME  print what a guest holds, when a wait on it failed
#   scripts/setup/guests.sh probe       can this machine run a guest at all? (a 2 s boot; says why not)
# The inventory is $GUESTS_DIR/inventory.ini (group `guests`); the SSH key is next to it. Each
# guest is a fresh copy of the cached root file system (a hostfs root is a live directory).
# Network: a Linux bridge of our own (umlbr0, 198.19.240.1/24, the benchmarking range no real
# network uses) and, per guest, a veth pair whose far end the guest's vec0 sends through (UML's
# raw transport, which survives a guest reboot); nothing is routed beyond this machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=inventory.sh
source scripts/setup/inventory.sh
say() { printf '\033[1m[guests]\033[0m %s\n' "$*" >&2; }

CACHE=${NETDEVOPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netdevops-ovs_docker}
DIR=${GUESTS_DIR:-$PWD/.build/guests}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PREFIX=198.19.240  # kvmN is $PREFIX.(10+N); this machine's end of the bridge is $PREFIX.1
BRIDGE=umlbr0
MEM=${GUESTS_MEM:-640M}
KERNEL=/usr/bin/linux
# What a guest has: systemd as init, OVS on the kernel datapath, a Docker engine, sshd, Debian's
# Python libraries for the modules, and the tools the tests look and measure with.
GUEST_PACKAGES=(systemd-sysv dbus kmod udev iproute2 iptables openvswitch-switch docker.io openssh-server
                python3 python3-apt python3-pyroute2 python3-openvswitch python3-docker python3-requests
                iputils-ping procps iperf3 tcpdump ethtool busybox-static ca-certificates)

stamp() { { echo "${GUEST_PACKAGES[*]}"; sed -n '/^guest_rootfs()/,/^}/p' "$0"; } | sha256sum | cut -c1-16; }
tarball() { echo "$CACHE/guests/rootfs-$(stamp).tar"; }
kernel_release() { "$KERNEL" --version 2>/dev/null | head -1; }

guest_rootfs() {
  local root=$1
  debootstrap --variant=minbase --include="$(IFS=,; echo "${GUEST_PACKAGES[*]}")" bookworm "$root" "$MIRROR"
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/*
  # Units that cannot work here, or only slow the boot down, masked: gettys (no console but the
  # log), the D-Bus daemon and what needs it (it never reports ready on a hostfs root; systemctl
  # and Ansible do without it), udev and the modprobe@ units (no hardware: 30 s of a UML boot,
  # where every process start is slow), and timers that would start work during a test.
  chroot "$root" systemctl mask getty@tty1.service serial-getty@ttyS0.service console-getty.service \
    dbus.service dbus.socket systemd-logind.service systemd-timesyncd.service \
    systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-udev-trigger.service \
    modprobe@loop.service modprobe@efi_pstore.service modprobe@fuse.service modprobe@dm_mod.service \
    modprobe@drm.service modprobe@configfs.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount \
    e2scrub_reap.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer >/dev/null 2>&1
  chroot "$root" systemctl set-default multi-user.target >/dev/null 2>&1
  chroot "$root" systemctl enable ssh >/dev/null 2>&1
  # Debian's UML kernel has no nftables NAT (nft_chain_nat): the lab's masquerading goes through
  # iptables' legacy tables, which it has
  chroot "$root" update-alternatives --set iptables /usr/sbin/iptables-legacy >/dev/null
  chroot "$root" update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >/dev/null
  mkdir -p "$root"/root/.ssh && chmod 700 "$root"/root/.ssh
  echo 'PermitRootLogin prohibit-password' > "$root"/etc/ssh/sshd_config.d/guests.conf
  # Docker on a hostfs root: overlayfs cannot stack on it, so vfs on a tmpfs; no iptables rules or
  # bridge of its own (containers here are --net=none, attached by the modules)
  mkdir -p "$root"/etc/docker
  echo '{"storage-driver": "vfs", "iptables": false, "bridge": "none", "log-level": "warn"}' > "$root"/etc/docker/daemon.json
  echo 'tmpfs /var/lib/docker tmpfs defaults 0 0' >> "$root"/etc/fstab
  # the test image's files, imported by the tests (no registry is reachable from a guest)
  mkdir -p "$root"/opt/busybox-image/bin
  cp "$root"/bin/busybox "$root"/opt/busybox-image/bin/
  for applet in sh ip ping sleep cat ls top; do ln -s busybox "$root/opt/busybox-image/bin/$applet"; done
}

image() {
  [ -x "$KERNEL" ] || { say "no User-mode Linux kernel: apt-get install user-mode-linux (scripts/setup/testbed.sh packages)"; exit 1; }
  local file; file=$(tarball)
  if [ -s "$file" ]; then say "guest root file system: present ($file)"; return; fi
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
  local why
  why=$(python3 scripts/setup/answers.py "$MIRROR/dists/bookworm/Release") ||
    { say "cannot build the guests' root file system: $why; run again when it does"; exit 1; }
  say "guest root file system: debootstrap of Debian 12 with ${#GUEST_PACKAGES[@]} packages (a few minutes)"
  mkdir -p "$(dirname "$file")" "$DIR"
  local root; root=$(mktemp -d /var/tmp/guest-rootfs.XXXXXX)
  trap 'rm -rf "$root"; trap - RETURN' RETURN
  if ! guest_rootfs "$root" >"$DIR/debootstrap.log" 2>&1; then
    say "cannot build the guests' root file system: debootstrap failed; log: $DIR/debootstrap.log"; exit 1
  fi
  tar -C "$root" -cf "$file.new" . && mv "$file.new" "$file"
  # older stamps are of no use any more
  find "$(dirname "$file")" -name 'rootfs-*.tar' ! -path "$file" -delete
  say "guest root file system: built ($(du -h "$file" | cut -f1))"
}

guests() { [ -d "$DIR" ] && find "$DIR" -maxdepth 1 -name 'kvm*' -type d -printf '%f\n' | sort; }

# ssh_to NAME COMMAND: a command on a guest as root.
ssh_to() {
  local name=$1; shift
  ssh -i "$DIR/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    -o ConnectTimeout=10 -o BatchMode=yes "root@$(address "$name")" "$@"
}
address() { echo "$PREFIX.$((10 + ${1#kvm}))"; }
# UML picks the same "random" MAC for every guest's vec0: each gets its own, locally administered.
mac() { printf '02:19:84:f0:00:%02x' "$((10 + ${1#kvm}))"; }
RULE=(FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "netdevops.ovs_docker guests" -j ACCEPT)

# await_ssh NAME SECONDS: until the guest answers over SSH and systemd has started everything
# (a boot takes about a minute: every process start is slow in User-mode Linux).
await_ssh() {
  local name=$1 deadline=$((SECONDS + $2))
  until ssh_to "$name" 'systemctl is-system-running --wait | grep -Eqx "running|degraded"' 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then say "$name did not answer over SSH in $2 s; its console: $DIR/$name/console.log"; return 1; fi
    if ! pgrep -f "umid=$name( |$)" >/dev/null; then
      say "$name stopped; its console: $DIR/$name/console.log"
      # (the console is gone with the test's directory: how it ended, and the one cause seen)
      { grep -m1 'Kernel panic' "$DIR/$name/console.log" || tail -n 3 "$DIR/$name/console.log"; } 2>/dev/null | sed 's/^/    /' >&2 || true
      if grep -q 'Attempted to kill init! exitcode=0x0000000b' "$DIR/$name/console.log" 2>/dev/null; then
        say "its init died of SIGSEGV at its first exec: this UML kernel runs no user process on this host's CPU" \
            "(seen with Debian 12's user-mode-linux 6.1 on a host with AVX-512 and AMX); run this target on another machine"
      fi
      return 1
    fi
    sleep 0.5  # SSH has no way to wait for a host to come up
  done
}

network_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    if ip route | grep -q "^$PREFIX\."; then say "$PREFIX.0/24 is routed here already: not ours"; exit 1; fi
    ip link add "$BRIDGE" type bridge
    ip addr add "$PREFIX.1/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
  fi
  # guest to guest across the bridge: Docker's FORWARD policy (DROP) sees bridged frames too
  iptables -C "${RULE[@]}" 2>/dev/null || iptables -I "${RULE[@]}"
}

start() {  # start NAME: boot the guest from its copy (a running one is left as it is)
  local name=$1 dir="$DIR/$1"
  pgrep -f "umid=$name( |$)" >/dev/null && return 0
  # the host end on our bridge; the guest end is what UML's raw socket sends and receives on
  if ! ip link show "${name}h" >/dev/null 2>&1; then
    ip link add "${name}h" type veth peer name "${name}g"
    ip link set "${name}h" master "$BRIDGE"
  fi
  # host-to-guest TCP stalls with segmentation offloads across the raw socket
  ip link set "${name}h" gso_max_segs 1 2>/dev/null || true
  ip link set "${name}g" gso_max_segs 1 2>/dev/null || true
  ethtool -K "${name}g" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
  ip link set "${name}h" up && ip link set "${name}g" up
  setsid "$KERNEL" "umid=$name" mem="$MEM" root=/dev/root rootfstype=hostfs rootflags="$dir/root" rw ubd1="$dir/docker.img" \
    "vec0:transport=raw,ifname=${name}g,mac=$(mac "$name")" con=null con0=null,fd:1 init=/lib/systemd/systemd \
    </dev/null >"$dir/console.log" 2>&1 &
  echo $! > "$dir/pid"
}

up() {
  local count=${1:-2}
  image
  mkdir -p "$DIR"
  [ -f "$DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C guests -f "$DIR/id_ed25519"
  network_up
  local release; release=$(kernel_release)
  local i name
  for i in $(seq 1 "$count"); do
    name=kvm$i
    if [ ! -d "$DIR/$name/root" ]; then
      mkdir -p "$DIR/$name/root"
      tar -C "$DIR/$name/root" -xf "$(tarball)"
      # the kernel's modules, as its package installs them for a guest
      mkdir -p "$DIR/$name/root/lib/modules"
      cp -a "/usr/lib/uml/modules/$release" "$DIR/$name/root/lib/modules/"
      chroot "$DIR/$name/root" depmod "$release"
      echo "$name" > "$DIR/$name/root/etc/hostname"
      # debootstrap wrote one machine ID into the image: each guest is a host of its own
      printf '%s\n' "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" > "$DIR/$name/root/etc/machine-id"
      # the address by a unit of its own: systemd-networkd does not start on a hostfs root
      printf '%s\n' '[Unit]' "Description=The guest's address on the test bed's bridge" \
        'Before=network.target ssh.service' '[Service]' 'Type=oneshot' 'RemainAfterExit=yes' \
        'ExecStart=/sbin/ip link set lo up' "ExecStart=/sbin/ip addr replace $(address "$name")/24 dev vec0" \
        'ExecStart=/sbin/ip link set vec0 up' '[Install]' 'WantedBy=multi-user.target' \
        > "$DIR/$name/root/etc/systemd/system/guest-address.service"
      ln -sf /etc/systemd/system/guest-address.service "$DIR/$name/root/etc/systemd/system/multi-user.target.wants/"
      install -m 600 "$DIR/id_ed25519.pub" "$DIR/$name/root/root/.ssh/authorized_keys"
      # the modules the tests need, loaded at boot (the kernel datapath, 802.1Q, policing, HTB)
      printf '%s\n' openvswitch 8021q act_police cls_matchall cls_basic sch_ingress sch_htb vxlan dummy veth \
        > "$DIR/$name/root/etc/modules-load.d/guests.conf"
      # Docker's state on a disk of the guest's own (a sparse ext4 file, UML's second block device)
      # instead of the image's tmpfs: containers outlive a reboot, as on a real host
      # (mounted by a unit: with udev masked, systemd would wait for a device unit that never comes)
      truncate -s 2G "$DIR/$name/docker.img"
      mkfs.ext4 -q -F "$DIR/$name/docker.img"
      mkdir -p "$DIR/$name/root/var/lib/docker"
      sed -i '\|^tmpfs /var/lib/docker tmpfs |d' "$DIR/$name/root/etc/fstab"
      printf '%s\n' '[Unit]' "Description=Docker's disk" 'Before=docker.service containerd.service' \
        'DefaultDependencies=no' 'After=local-fs.target' '[Service]' 'Type=oneshot' 'RemainAfterExit=yes' \
        'ExecStart=/bin/mount -t ext4 /dev/ubdb /var/lib/docker' '[Install]' 'RequiredBy=docker.service' \
        > "$DIR/$name/root/etc/systemd/system/docker-disk.service"
      mkdir -p "$DIR/$name/root/etc/systemd/system/docker.service.requires"
      ln -sf /etc/systemd/system/docker-disk.service "$DIR/$name/root/etc/systemd/system/docker.service.requires/"
    fi
    start "$name"
  done
  for i in $(seq 1 "$count"); do await_ssh "kvm$i" 300; done
  {
    echo "# written by scripts/setup/guests.sh up: $count User-mode Linux guests on $BRIDGE ($PREFIX.0/24)"
    echo "[guests]"
    for i in $(seq 1 "$count"); do echo "kvm$i ansible_host=$(address "kvm$i") underlay_address=$(address "kvm$i")"; done
    ssh_group_vars guests "$DIR/id_ed25519"
  } > "$DIR/inventory.ini"
  say "$count guest(s) up: $DIR/inventory.ini"
}

reboot_guest() {
  local name=$1
  local boot
  boot=$(ssh_to "$name" cat /proc/sys/kernel/random/boot_id)
  ssh_to "$name" 'systemctl reboot' >/dev/null 2>&1 || true
  local deadline=$((SECONDS + 300)) now
  # a new boot ID, answered: an unreachable guest (still shutting down, or UML re-executing
  # itself, when a look for its process finds none) is not back yet
  until now=$(ssh_to "$name" cat /proc/sys/kernel/random/boot_id 2>/dev/null) && [ -n "$now" ] && [ "$now" != "$boot" ]; do
    if [ $SECONDS -ge $deadline ]; then say "$name did not come back from its reboot in 300 s: $DIR/$name/console.log"; return 1; fi
    sleep 0.5
  done
  await_ssh "$name" $((deadline - SECONDS))
}

# story NAME: what a guest holds when a wait on it failed (the agent's journal since the boot,
# OVS's interfaces with their ofport/error, the kernel datapath and each bridge's FDB, every
# namespace's and running container's addresses, routes and neighbours, the load, ovs-vswitchd's
# log). In containers plain `ip addr`: busybox's ip has no -br.
story() {
  # shellcheck disable=SC2016  # (the guest's shell expands it)
  ssh_to "$1" 'journalctl -b -u netdevops-ovs_docker-agent --no-pager | tail -20
    echo "== ovs"; ovs-vsctl --columns=name,ofport,error,link_state,external_ids list Interface | grep -v "^$"
    echo "== datapath"; ovs-dpctl show; for b in $(ovs-vsctl list-br); do ovs-appctl fdb/show "$b"; done
    for n in $(ip netns list | cut -d" " -f1); do echo "== $n"; ip -n "$n" -br addr; ip -n "$n" route; ip -n "$n" neigh; done
    for c in $(docker ps --format "{{.Names}}"); do echo "== $c"; docker exec "$c" sh -c "ip addr; ip route; ip neigh"; done
    echo "== host"; ip -br link | grep -v "^lo"; uptime; ps -eo pcpu,comm --sort=-pcpu | head -6
    echo "== ovs-vswitchd.log"; tail -n 25 /var/log/openvswitch/ovs-vswitchd.log' 2>&1 | sed 's/^/   /'
}

# probe: boot the kernel once on a root of one dynamically linked shell (this machine's dash and
# its libraries: the guests' Debian 12 glibc) that prints a word and powers off. Some host CPUs
# run no user process in Debian 12's UML 6.1 (init dies of SIGSEGV at its first exec): there no
# guest can boot, whatever the test does, and the probe says so in one line.
probe() {
  [ -x "$KERNEL" ] || { echo "no User-mode Linux kernel ($KERNEL): apt-get install user-mode-linux"; return 1; }
  local root; root=$(mktemp -d /var/tmp/guest-probe.XXXXXX)
  # shellcheck disable=SC2064  # (the path now)
  trap "rm -rf '$root'; trap - RETURN" RETURN
  mkdir -p "$root"/bin "$root"/proc "$root"/dev
  local file
  for file in /bin/dash $(ldd /bin/dash | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$file")" && cp -L "$file" "$root$file"
  done
  printf '#!/bin/dash\necho probe-ran\necho o > /proc/sysrq-trigger\n' > "$root/init" && chmod +x "$root/init"
  local out
  out=$(timeout 60 "$KERNEL" "umid=probe-$$" mem=64M root=/dev/root rootfstype=hostfs rootflags="$root" rw \
    init=/init con=null con0=null,fd:1 </dev/null 2>&1) || true
  rm -rf "$HOME/.uml/probe-$$"
  grep -q '^probe-ran' <<<"$out" && return 0
  if grep -q 'Attempted to kill init! exitcode=0x0000000b' <<<"$out"; then
    echo "$(kernel_release): its init dies of SIGSEGV at its first exec on this host's CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); Debian 12's UML 6.1 runs no user process here"
  else
    echo "$(kernel_release) did not run its init: $(grep -m1 -E 'panic|Kernel|error' <<<"$out" || tail -n1 <<<"$out")"
  fi
  return 1
}

down() {
  local name
  for name in $(guests); do
    uml_mconsole "$name" halt >/dev/null 2>&1 || true
  done
  for name in $(guests); do
    local pid; pid=$(cat "$DIR/$name/pid" 2>/dev/null || echo)
    if [ -n "$pid" ]; then
      timeout 20 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
    fi
    pkill -9 -f "umid=$name( |$)" 2>/dev/null || true
    ip link del "${name}h" 2>/dev/null || true
    rm -rf "${DIR:?}/$name" "$HOME/.uml/$name"
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  while iptables -C "${RULE[@]}" 2>/dev/null; do iptables -D "${RULE[@]}"; done
  rm -f "$DIR/inventory.ini"
}

case ${1:-} in
  image) image ;;
  up) up "${2:-2}" ;;
  down) down ;;
  reboot) reboot_guest "$2" ;;
  story) story "$2" ;;
  probe) probe ;;
  ssh) shift; ssh_to "$@" ;;
  *) echo "usage: $0 image|up [N]|down|reboot NAME|story NAME|probe|ssh NAME COMMAND" >&2; exit 2 ;;
esac
