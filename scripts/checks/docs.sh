#!/usr/bin/env bash
# Builds the documentation site into .build/docs/html, offline, and fails on any warning:
#   scripts/checks/docs.sh            (make docs; make test runs it too)
# Sources, assembled in .build/docs/src: the plugin and role pages that antsibull-docs writes from
# the installed collection (make install), the Markdown pages of docs/ (the guide, one page per
# task, performance, internals), and the changelog rendered from the fragments by
# antsibull-changelog as the next release would have it. The tools live in .venv-docs
# (requirements-docs.txt), apart from .venv: their pins are not the test bed's.
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { printf '\033[1m[docs]\033[0m %s\n' "$*"; }
export PATH="$PWD/.venv-docs/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$HOME/.ansible/collections}
installed="$ANSIBLE_COLLECTIONS_PATH/ansible_collections/netdevops/ovs_docker"
[ -f "$installed/MANIFEST.json" ] || { say "the collection is not installed in $ANSIBLE_COLLECTIONS_PATH: run make install"; exit 1; }
build=.build/docs src=.build/docs/src

say "antsibull-docs lint-collection-docs --plugin-docs (the installed collection)"
antsibull-docs lint-collection-docs --plugin-docs "$installed"

rm -rf "$build" && mkdir -p "$src/collection"
chmod og-w "$src/collection"  # antsibull-docs wants its directory writable by itself only
say "plugin and role pages (antsibull-docs collection --use-current)"
antsibull-docs collection --use-current --squash-hierarchy --dest-dir "$src/collection" netdevops.ovs_docker >/dev/null

say "changelog (antsibull-changelog, from the fragments)"
scratch=$(mktemp -d) && trap 'rm -rf "$scratch"' EXIT
cp -r galaxy.yml changelogs "$scratch/"
version=$(sed -n 's/^version: *//p' galaxy.yml)
(cd "$scratch" && antsibull-changelog release --is-collection --version "$version" --date "$(date +%F)" >/dev/null)
{ echo ".. This page is the changelog of the next release, $version, rendered from changelogs/fragments."
  echo; cat "$scratch/CHANGELOG.rst"; } > "$src/changelog.rst"

cp docs/sphinx/index.rst docs/*.md "$src/"
cp -r docs/tasks "$src/tasks"
say "sphinx-build (warnings are errors)"
sphinx-build -q -W --keep-going -b html -c docs/sphinx "$src" "$build/html"
say "built: $PWD/$build/html/index.html"
