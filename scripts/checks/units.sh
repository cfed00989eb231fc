#!/usr/bin/env bash
# Quick unit run while developing (make units is the real one): a throwaway copy of the
# collection, plain pytest, no ansible-test venv. Safe to run beside `make integration`.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
mkdir -p "$dest/ansible_collections/netdevops/ovs_docker"
git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ "$dest/ansible_collections/netdevops/ovs_docker/"
cd "$dest" && PYTHONPATH=$PWD "${VENV:-$OLDPWD/.venv}/bin/python" -m pytest -q -p no:cacheprovider \
  ansible_collections/netdevops/ovs_docker/tests/unit "$@"
