#!/usr/bin/env bash
# Sets up everything the lab and the tests need on a Debian 12 host, as root. Safe to re-run:
# each step checks first and says what it does.
#   scripts/testbed.sh [packages|venv|collections|services|image|all|venv-newest]
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m[testbed]\033[0m %s\n' "$*"; }

VENV=${VENV:-$PWD/.venv}
PYTHON=${PYTHON:-python3.11}
IMAGE=${IMAGE:-ovs-docker-test:busybox}
DEB_PACKAGES=(openvswitch-switch openvswitch-common docker.io iproute2 iputils-ping busybox-static
              iptables rsync python3-venv ca-certificates shellcheck
              # the fleet test bed (scripts/fleet.sh): node images, SSH to the nodes
              debootstrap openssh-client
              # Debian's own libraries: the lab role is also tested with /usr/bin/python3 and these
              python3-pyroute2 python3-openvswitch python3-docker python3-requests)

packages() {
  local missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then say "Debian packages: all present"; return; fi
  say "Debian packages: installing ${missing[*]}"
  apt-get update -q
  # policy-rc.d may refuse to start services on install; `services` below starts them.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

venv() {
  command -v "$PYTHON" >/dev/null || PYTHON=python3
  local stamp="$VENV/.requirements.sha"
  local want; want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    say "virtual environment $VENV: up to date"
  else
    say "virtual environment $VENV: installing pinned requirements with $($PYTHON --version)"
    "$PYTHON" -m venv "$VENV"
    # (the grep drops warnings about local package mirrors this image configures but lacks)
    "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
    echo "$want" > "$stamp"
  fi
  # ansible-test fetches a pip bootstrap script from a host this machine cannot reach; give it a
  # local one that runs the same pip release from PyPI's wheel (see scripts/get_pip_shim.py).
  "$VENV/bin/python" scripts/get_pip_shim.py
}

# Sanity also runs on the newest ansible-core, which needs Python 3.12 (pyenv has it on these
# machines). Prints the interpreter's directory, or nothing when there is no Python 3.12.
NEWEST_VENV=${NEWEST_VENV:-$PWD/.venv-newest}
NEWEST_ANSIBLE=${NEWEST_ANSIBLE:-ansible-core==2.21.5}
venv_newest() {
  local py=""
  if python3.12 --version >/dev/null 2>&1; then py=$(command -v python3.12)
  else
    local found=("${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12)
    [ -x "${found[-1]}" ] && py=${found[-1]}
  fi
  if [ -z "$py" ]; then say "no Python 3.12 here: sanity on the newest ansible-core is skipped" >&2; return; fi
  if [ ! -x "$NEWEST_VENV/bin/ansible-test" ] || ! "$NEWEST_VENV/bin/pip" show ansible-core 2>/dev/null |
       grep -qx "Version: ${NEWEST_ANSIBLE#*==}"; then
    say "virtual environment $NEWEST_VENV: $NEWEST_ANSIBLE on $("$py" --version)" >&2
    "$py" -m venv "$NEWEST_VENV"
    "$NEWEST_VENV/bin/pip" install -q --disable-pip-version-check "$NEWEST_ANSIBLE" 2>&1 | { grep -v "^WARNING: Location" || true; } >&2
  fi
  "$NEWEST_VENV/bin/python" scripts/get_pip_shim.py >&2
  dirname "$py"
}

services() {
  if ovs-vsctl --timeout=3 get Open_vSwitch . ovs_version >/dev/null 2>&1 &&
     ovs-appctl -t ovs-vswitchd version >/dev/null 2>&1; then
    say "Open vSwitch: ovsdb-server and ovs-vswitchd running"
  else
    # No systemd here. ovs-ctl skips the kernel module when it is absent; bridges then need the
    # userspace datapath (datapath_type netdev).
    say "Open vSwitch: starting ovsdb-server and ovs-vswitchd"
    /usr/share/openvswitch/scripts/ovs-ctl start --system-id=random 2>&1 | grep -v ulimit || true
    ovs-vsctl --timeout=10 get Open_vSwitch . ovs_version >/dev/null
  fi
  if docker info >/dev/null 2>&1; then
    say "Docker: engine running"
  else
    say "Docker: starting dockerd (log: /var/log/dockerd-testbed.log)"
    nohup dockerd >/var/log/dockerd-testbed.log 2>&1 &
    for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || { say "dockerd did not come up; see /var/log/dockerd-testbed.log"; exit 1; }
  fi
}

# community.docker (the lab role's containers) comes from the `ansible` package on PyPI, which
# bundles it; Galaxy is not reachable here. Pinned by hash in requirements-collections.txt.
COLLECTIONS_DIR=${COLLECTIONS_DIR:-$PWD/.build/collections}
collections() {
  local want; want=$(sha256sum requirements-collections.txt | cut -d' ' -f1)
  if [ "$(cat "$COLLECTIONS_DIR/.stamp" 2>/dev/null)" = "$want" ]; then
    say "community.docker: present in $COLLECTIONS_DIR"; return
  fi
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/netdevops-ovs_docker/wheels"
  say "community.docker: taking it out of the ansible package from PyPI"
  mkdir -p "$cache"
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps --require-hashes \
    -r requirements-collections.txt -d "$cache" 2>&1 | { grep -v "^WARNING: Location" || true; }
  rm -rf "$COLLECTIONS_DIR" && mkdir -p "$COLLECTIONS_DIR"
  local wheel; wheel=$(ls "$cache"/ansible-"$(sed -n 's/^ansible==\([^ ]*\).*/\1/p' requirements-collections.txt)"-*.whl)
  "$VENV/bin/python" - "$wheel" "$COLLECTIONS_DIR" <<'PY'
import sys, zipfile
wheel, dest = sys.argv[1:]
keep = ('ansible_collections/community/docker/', 'ansible_collections/community/library_inventory_filtering_v1/')
with zipfile.ZipFile(wheel) as z:
    z.extractall(dest, [n for n in z.namelist() if n.startswith(keep)])
PY
  echo "$want" > "$COLLECTIONS_DIR/.stamp"
}

image() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then say "image $IMAGE: present"; return; fi
  # No registry is reachable: import a one-binary image from Debian's busybox-static.
  say "image $IMAGE: building from busybox-static"
  local root; root=$(mktemp -d)
  mkdir -p "$root/bin"
  cp /bin/busybox "$root/bin/busybox"
  for applet in sh ip ping ping6 sleep ifconfig route cat ls top; do ln -s busybox "$root/bin/$applet"; done
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sleep", "infinity"]' - "$IMAGE" >/dev/null
  rm -rf "$root"
}

case "${1:-all}" in
  packages) packages ;;
  venv) venv ;;
  services) services ;;
  image) image ;;
  venv-newest) venv_newest ;;
  collections) collections ;;
  all) packages; venv; collections; services; image ;;
  *) echo "usage: $0 [packages|venv|collections|services|image|all|venv-newest]" >&2; exit 2 ;;
esac
