#!/usr/bin/env bash
# Sets up everything the lab and the tests need on a Debian 12 host, as root. Safe to re-run:
# each step checks first and says what it does.
#   scripts/setup/testbed.sh [packages|venv|collections|services|podman-stop|image|all|venv-newest|venv-docs|fleet-image|frr-image|guests-image|prime-sanity STAGE]
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { printf '\033[1m[testbed]\033[0m %s\n' "$*"; }

VENV=${VENV:-$PWD/.venv}
PYTHON=${PYTHON:-python3.11}
IMAGE=${IMAGE:-ovs-docker-test:busybox}
DEB_PACKAGES=(openvswitch-switch openvswitch-common docker.io iproute2 iputils-ping busybox-static
              iptables rsync python3-venv ca-certificates shellcheck
              # the fleet test bed (scripts/setup/fleet.sh): node images, SSH to the nodes
              debootstrap openssh-client
              # stock Linux kernels as test hosts (scripts/setup/guests.sh): User-mode Linux and its console tool
              user-mode-linux uml-utilities
              # Graphviz's dot: the topology pictures' SVG (playbooks/topology.yml, the lab role)
              graphviz
              # Podman, a second engine behind its Docker-compatible API (not podman-docker: docker.io stays)
              podman
              # Debian's own libraries: the lab role is also tested with /usr/bin/python3 and these
              python3-pyroute2 python3-openvswitch python3-docker python3-requests)

packages() {
  local missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then say "Debian packages: all present"; return; fi
  say "Debian packages: installing ${missing[*]}"
  # A mirror that does not answer stops here with apt's own line (no retries; apt-get update
  # would otherwise go on with stale lists and exit 0).
  local apt=(-q -o Acquire::Retries=0 -o Acquire::http::Timeout=20)
  apt-get "${apt[@]}" --error-on=any update || fetch_failed "the Debian package lists" "see apt's lines above"
  # policy-rc.d may refuse to start services on install; `services` below starts them.
  DEBIAN_FRONTEND=noninteractive apt-get "${apt[@]}" install -y --no-install-recommends "${missing[@]}" ||
    fetch_failed "Debian packages ${missing[*]}" "see apt's lines above"
}

# Everything fetched is kept in a cache outside the checkout, so that a fresh clone (CI on this
# machine) sets up from it while a registry is away; only what the cache lacks is fetched.
CACHE=${NETDEVOPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netdevops-ovs_docker}
# A registry that does not answer stops the set-up at once with one line, instead of pip's three
# minutes of waiting and five retries per package.
export PIP_DEFAULT_TIMEOUT=20 PIP_RETRIES=0 PIP_DISABLE_PIP_VERSION_CHECK=1
fetch_failed() {
  say "cannot fetch $1: $2; nothing else was tried. Run the set-up again when the registry answers." >&2
  exit 1
}

# registry_failed LOG PYTHON: stops with what pip could not fetch (from its LOG) and why.
registry_failed() {
  local log=$1 python=$2
  local what; what=$(sed -n 's/.*satisfies the requirement \([^ ]*\).*/\1/p' "$log" | head -1)
  # pip does not say why when it does not retry: ask the index once, to say whether it is away.
  local index; index=$("$(dirname "$python")/pip" config get global.index-url 2>/dev/null || echo https://pypi.org/simple)
  local why; why=$(python3 scripts/setup/answers.py "${index%/}/pip/") && why="$index answers, but has no such version"
  fetch_failed "${what:-a Python package}" "$why"
}

# pip_fetch VENV DEST PIP-ARGS...: wheels into DEST (sdists built, as ovs is one), or stops
# with what could not be fetched and why.
pip_fetch() {
  local venv=$1 dest=$2; shift 2
  local log; log=$(mktemp)
  if "$venv/bin/pip" wheel -q -w "$dest" "$@" >"$log" 2>&1; then rm -f "$log"; return; fi
  registry_failed "$log" "$venv/bin/python"
}

# pip_install VENV PIP-ARGS...: from the wheel cache of VENV's Python; a miss downloads into it.
pip_install() {
  local venv=$1; shift
  local wheels; wheels="$CACHE/wheels/$("$venv/bin/python" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')"
  mkdir -p "$wheels"
  "$venv/bin/pip" install -q --no-index --find-links "$wheels" "$@" >/dev/null 2>&1 && return
  pip_fetch "$venv" "$wheels" "$@"
  # (the grep drops warnings about local package mirrors this image configures but lacks)
  "$venv/bin/pip" install -q --no-index --find-links "$wheels" "$@" 2>&1 | { grep -v "^WARNING: Location" || true; }
}

# requirements_venv VENV REQUIREMENTS [MORE FILES THE STAMP COVERS]: VENV with REQUIREMENTS
# installed, made again only when those files change (a stamp of their hash).
requirements_venv() {
  local venv=$1 requirements=$2
  command -v "$PYTHON" >/dev/null || PYTHON=python3
  local want; want=$(cat "${@:2}" | sha256sum | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.requirements.sha" 2>/dev/null)" = "$want" ]; then
    say "virtual environment $venv: up to date"; return
  fi
  say "virtual environment $venv: installing $requirements with $($PYTHON --version)"
  "$PYTHON" -m venv "$venv"
  pip_install "$venv" -r "$requirements"
  echo "$want" > "$venv/.requirements.sha"
}

venv() {
  requirements_venv "$VENV" requirements-dev.txt requirements.txt
  # ansible-test fetches a pip bootstrap script from a host this machine cannot reach; give it a
  # local one that runs the same pip release from PyPI's wheel (see scripts/setup/get_pip_shim.py).
  "$VENV/bin/python" scripts/setup/get_pip_shim.py || fetch_failed "pip's wheel for ansible-test's environments" "see above"
}

# The documentation and packaging tools (antsibull-docs, Sphinx, ansible-builder) for make docs
# and make test, in a virtual environment of their own (requirements-docs.txt says why).
DOCS_VENV=${DOCS_VENV:-$PWD/.venv-docs}
venv_docs() { requirements_venv "$DOCS_VENV" requirements-docs.txt; }

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
  if [ ! -x "$NEWEST_VENV/bin/ansible-test" ] || [ "$("$NEWEST_VENV/bin/python" -c \
       'import importlib.metadata as m; print(m.version("ansible-core"))' 2>/dev/null)" != "${NEWEST_ANSIBLE#*==}" ]; then
    say "virtual environment $NEWEST_VENV: $NEWEST_ANSIBLE on $("$py" --version)" >&2
    "$py" -m venv "$NEWEST_VENV"
    pip_install "$NEWEST_VENV" "$NEWEST_ANSIBLE" >&2
  fi
  "$NEWEST_VENV/bin/python" scripts/setup/get_pip_shim.py >&2 || fetch_failed "pip's wheel for ansible-test's environments" "see above"
  dirname "$py"
}

# ansible-test's sanity environments (ansible-test sanity --prime-venvs), for ansible-core in
# .venv on Python 3.11 and, where there is a Python 3.12, the newest in .venv-newest. They live in
# ~/.ansible/test/venv, outside the checkout: made once per machine, then only checked.
prime_sanity() {
  local stage=$1 log py312
  log=$(mktemp)
  say "ansible-test sanity environments: Python 3.11 (ansible-core of .venv)"
  (cd "$stage" && PATH="$VENV/bin:$PATH" ansible-test sanity --prime-venvs --python 3.11 --color=no) >"$log" 2>&1 ||
    registry_failed "$log" "$VENV/bin/python"
  py312=$(venv_newest)
  if [ -n "$py312" ]; then
    say "ansible-test sanity environments: Python 3.12 (ansible-core of .venv-newest)"
    (cd "$stage" && PATH="$NEWEST_VENV/bin:$py312:$PATH" ansible-test sanity --prime-venvs --python 3.12 --color=no) >"$log" 2>&1 ||
      registry_failed "$log" "$NEWEST_VENV/bin/python"
  fi
  rm -f "$log"
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
  podman_start
}

# Podman's Docker-compatible API, rootful, on a socket of its own (dockerd keeps /var/run/docker.sock).
PODMAN_SOCKET=/run/podman/podman.sock
# Podman gives rootful containers the highest open-files and processes limits it can find, which a
# sandboxed machine may refuse to raise to (runc: "error setting rlimit"): fixed, ordinary ones.
PODMAN_CONF=/etc/containers/containers.conf.d/50-netdevops-ovs_docker-testbed.conf
podman_ping() { curl -sf --max-time 2 --unix-socket "$PODMAN_SOCKET" http://podman/_ping >/dev/null 2>&1; }
podman_start() {
  if [ ! -f "$PODMAN_CONF" ]; then
    mkdir -p "$(dirname "$PODMAN_CONF")"
    printf '# scripts/setup/testbed.sh (netdevops.ovs_docker test bed)\n[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n' >"$PODMAN_CONF"
  fi
  if podman_ping; then say "Podman: API service running on $PODMAN_SOCKET"; return; fi
  say "Podman: starting its API service on $PODMAN_SOCKET (log: /var/log/podman-testbed.log)"
  mkdir -p "$(dirname "$PODMAN_SOCKET")"
  setsid nohup podman system service --time=0 "unix://$PODMAN_SOCKET" >/var/log/podman-testbed.log 2>&1 </dev/null &
  for _ in $(seq 1 120); do podman_ping && break; sleep 0.25; done
  podman_ping || { say "the Podman API service did not come up; see /var/log/podman-testbed.log"; exit 1; }
}
podman_stop() {
  if pkill -f "podman system service --time=0 unix://$PODMAN_SOCKET"; then say "Podman: API service stopped"; fi
}

# community.docker (the lab role's containers) comes from the `ansible` package on PyPI, which
# bundles it; Galaxy is not reachable here. Pinned by hash in requirements-collections.txt.
COLLECTIONS_DIR=${COLLECTIONS_DIR:-$PWD/.build/collections}
collections() {
  local want; want=$(sha256sum requirements-collections.txt | cut -d' ' -f1)
  if [ "$(cat "$COLLECTIONS_DIR/.stamp" 2>/dev/null)" = "$want" ]; then
    say "community.docker: present in $COLLECTIONS_DIR"; return
  fi
  say "community.docker: taking it out of the ansible package from PyPI"
  local cache="$CACHE/wheels" version hash wheel
  version=$(sed -n 's/^ansible==\([^ ]*\).*/\1/p' requirements-collections.txt)
  hash=$(sed -n 's/^ansible==.*--hash=sha256:\([0-9a-f]*\).*/\1/p' requirements-collections.txt)
  wheel="$cache/ansible-$version-py3-none-any.whl"
  mkdir -p "$cache"
  if [ "$(sha256sum "$wheel" 2>/dev/null | cut -d' ' -f1)" != "$hash" ]; then
    pip_fetch "$VENV" "$cache" --no-deps --require-hashes -r requirements-collections.txt
  fi
  rm -rf "$COLLECTIONS_DIR" && mkdir -p "$COLLECTIONS_DIR"
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
  local engine
  for engine in docker podman; do  # the same image in both engines (Podman names it localhost/$IMAGE)
    if "$engine" image inspect "$IMAGE" >/dev/null 2>&1; then say "image $IMAGE: present in $engine"; continue; fi
    # No registry is reachable: import a one-binary image from Debian's busybox-static.
    say "image $IMAGE: building from busybox-static for $engine"
    local root; root=$(mktemp -d)
    mkdir -p "$root/bin"
    cp /bin/busybox "$root/bin/busybox"
    for applet in sh ip ping ping6 sleep ifconfig route cat ls top; do ln -s busybox "$root/bin/$applet"; done
    tar -C "$root" -c . | "$engine" import -c 'CMD ["/bin/sleep", "infinity"]' - "$IMAGE" >/dev/null
    rm -rf "$root"
  done
}

case "${1:-all}" in
  packages) packages ;;
  venv) venv ;;
  services) services ;;
  podman-stop) podman_stop ;;
  image) image ;;
  venv-newest) venv_newest ;;
  venv-docs) venv_docs ;;
  prime-sanity) prime_sanity "${2:?the staged collection}" ;;
  collections) collections ;;
  # the fleet's node image (built by debootstrap from Debian's mirror; kept by Docker)
  fleet-image) scripts/setup/fleet.sh image ;;
  # the FRR router image of the clab_frr target (debootstrap of Debian's frr package)
  frr-image) scripts/setup/frr.sh image ;;
  # the User-mode Linux guests' root file system (debootstrap from Debian's mirror; kept in the cache)
  guests-image) scripts/setup/guests.sh image ;;
  all) packages; venv; collections; services; image ;;
  *) echo "usage: $0 [packages|venv|collections|services|podman-stop|image|all|venv-newest|venv-docs|fleet-image|frr-image|guests-image|prime-sanity STAGE]" >&2; exit 2 ;;
esac
