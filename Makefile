# Entry points. `make lab` builds the seed's lab on localhost; `make test` runs every test.
# Both do their own set-up (Debian packages, .venv, OVS and Docker daemons, test image) and are
# safe to re-run.
SHELL := /bin/bash
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
export PATH := $(BIN):$(PATH)
# ansible-test needs the collection at ansible_collections/<namespace>/<name>/ (a symlink fails).
# Outside this checkout: inside it, ansible-test would ask git and see only ignored files.
STAGE := /var/tmp/netdevops-ovs_docker/ansible_collections/netdevops/ovs_docker
COLLECTIONS := $(HOME)/.ansible/collections
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)

.PHONY: lab teardown test checks setup prime docs-tools install package docs stage sanity lint units integration bench fleet-up fleet-down clean

# The lab's pictures (Mermaid, SVG) go to .build/topology; the play prints where.
TOPOLOGY := $(CURDIR)/.build/topology
lab: setup install
	@echo "== lab: playbooks/lab.yml on localhost"
	ansible-playbook -i localhost, -c local -e ansible_python_interpreter=$(BIN)/python \
	  -e @playbooks/vars/single_host.yml -e lab_topology_dir=$(TOPOLOGY) netdevops.ovs_docker.lab
	@echo "== the lab's picture: $(TOPOLOGY)/localhost.svg (Graphviz), $(TOPOLOGY)/localhost.md (Mermaid)"

teardown: setup install
	ansible-playbook -i localhost, -c local -e ansible_python_interpreter=$(BIN)/python \
	  -e @playbooks/vars/single_host.yml -e lab_topology_dir=$(TOPOLOGY) netdevops.ovs_docker.teardown

# The static checks in two lanes at once: ansible-test's (sanity, units: one stage directory) and the
# others (ansible-lint, the package, the docs); each lane's output shown whole.
checks: stage install docs-tools
	@scripts/checks/lanes.sh "$(MAKE) --no-print-directory sanity units" "$(MAKE) --no-print-directory lint package docs"

test: setup prime checks integration
	@echo "== all tests passed"

setup:
	@scripts/setup/testbed.sh all

# What only the tests need, fetched now: ansible-test's sanity environments for both
# ansible-core versions, the fleet's node image, the FRR router image and the User-mode Linux guests' root file
# system. After it the tests need no network: they run through scripts/checks/offline.sh, which
# closes this machine's way out to them.
OFFLINE := $(CURDIR)/scripts/checks/offline.sh
prime: setup stage docs-tools
	@scripts/setup/testbed.sh fleet-image
	@scripts/setup/testbed.sh frr-image
	@scripts/setup/testbed.sh guests-image
	@scripts/setup/testbed.sh prime-sanity $(STAGE)

# antsibull-docs, Sphinx and ansible-builder in .venv-docs (requirements-docs.txt)
docs-tools:
	@scripts/setup/testbed.sh venv-docs

# Build the collection tarball and install it where ansible looks by default, next to the
# community.docker that `setup` took out of PyPI's ansible package (--offline: no Galaxy here).
DEPS := $(CURDIR)/.build/collections/ansible_collections/
install:
	@echo "== building and installing the collection into $(COLLECTIONS)"
	@rm -rf .build/dist && mkdir -p .build/dist $(COLLECTIONS)/ansible_collections
	@for c in $(DEPS)community/*/; do mkdir -p $(COLLECTIONS)/ansible_collections/community/$$(basename $$c); \
	  rsync -a --delete $$c $(COLLECTIONS)/ansible_collections/community/$$(basename $$c)/; done
	ansible-galaxy collection build --force --output-path .build/dist . >/dev/null
	ansible-galaxy collection install --offline --force -p $(COLLECTIONS) .build/dist/netdevops-ovs_docker-*.tar.gz >/dev/null

# What a user gets: the tarball's file list, and what an execution environment would install
# (ansible-builder introspect); scripts/checks/check_package.py says what is checked.
package: install docs-tools
	@echo "== the collection tarball and its execution environment"
	PATH="$(CURDIR)/.venv-docs/bin:$$PATH" $(OFFLINE) .venv-docs/bin/python scripts/checks/check_package.py \
	  $$(ls .build/dist/netdevops-ovs_docker-*.tar.gz) $(COLLECTIONS)

# The documentation site, offline and warning-free, into .build/docs/html (scripts/checks/docs.sh).
docs: install docs-tools
	@echo "== documentation site"
	$(OFFLINE) scripts/checks/docs.sh

# The files git would commit, copied to where ansible-test wants them.
stage:
	@echo "== staging the collection in $(STAGE)"
	@rm -rf $(STAGE) && mkdir -p $(STAGE)
	@git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ $(STAGE)/
	@rsync -a --delete $(DEPS)community/ $(STAGE)/../../community/

sanity: stage
	@echo "== ansible-test sanity, $$(ansible --version 2>/dev/null | head -1) on Python 3.11"
	cd $(STAGE) && $(OFFLINE) ansible-test sanity --python 3.11 --color=no
	@py312=$$(scripts/setup/testbed.sh venv-newest); if [ -n "$$py312" ]; then \
	  echo "== ansible-test sanity, $$($(CURDIR)/.venv-newest/bin/ansible --version 2>/dev/null | head -1) on Python 3.12"; \
	  cd $(STAGE) && PATH="$(CURDIR)/.venv-newest/bin:$$py312:$$PATH" $(OFFLINE) ansible-test sanity --python 3.12 --color=no; fi

# The role, the playbooks and the collection metadata (.ansible-lint says what and why).
lint: install
	@echo "== ansible-lint"
	$(OFFLINE) ansible-lint

# In .venv, which has ansible-test's unit requirements pinned (requirements-dev.txt): a --venv
# would be built at test time, from the registry.
units: stage
	@echo "== ansible-test units"
	cd $(STAGE) && $(OFFLINE) ansible-test units --python 3.11 --color=no

# The integration tests stop and start OVS and Docker and build labs of the seed's names: the
# README's lab (make lab: the bridges marked lab_name=seed), when it is up, is taken down first and
# built again after, pass or fail, so that `make lab` then `make test` leaves it as it was.
integration: stage
	@lab=$$(ovs-vsctl --timeout=5 --bare --columns=name find Bridge external_ids:netdevops.ovs_docker.lab=seed 2>/dev/null | xargs); \
	if [ -n "$$lab" ]; then echo "== the README's lab is up ($$lab): taken down for the tests, built again after"; \
	  $(MAKE) --no-print-directory teardown >$(CURDIR)/.build/readme-lab-teardown.log 2>&1 || \
	  { echo "taking the README's lab down failed: .build/readme-lab-teardown.log"; exit 1; }; fi; \
	rc=0; $(OFFLINE) scripts/checks/integration.sh $(STAGE) || rc=$$?; \
	if [ -n "$$lab" ]; then echo "== the README's lab again (make lab)"; \
	  $(MAKE) --no-print-directory lab >$(CURDIR)/.build/readme-lab.log 2>&1 || \
	  { echo "building the README's lab again failed: .build/readme-lab.log"; rc=1; }; fi; \
	exit $$rc

# The multi-host test bed by hand (the `fleet` integration target makes and removes its own):
# FLEET_HOSTS nodes vm1..vmN as containers with their own OVS, Docker and sshd; then
#   ansible-playbook -i .build/fleet/inventory.ini netdevops.ovs_docker.lab -e lab_image=ovs-docker-test:busybox
# (import that image on the nodes first: tests/integration/targets/fleet/prepare.yml).
FLEET_HOSTS ?= 3
fleet-up: setup install
	scripts/setup/fleet.sh up $(FLEET_HOSTS)

fleet-down:
	scripts/setup/fleet.sh down

bench: setup install
	$(BIN)/python scripts/measure/bench.py

clean:
	rm -rf .build tests/output
