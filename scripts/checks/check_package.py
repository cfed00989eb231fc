"""Checks what a user gets: the collection tarball's file list, and what an execution environment
built with it would install (make test, after make install).

  python scripts/checks/check_package.py TARBALL COLLECTIONS_PATH

The tarball must hold exactly the committed files a user needs (plugins, the role, the
playbooks, docs, changelogs, meta, README, LICENSE, requirements.txt, bindep.txt) plus the
MANIFEST.json and FILES.json that ansible-galaxy writes: nothing missing, nothing of the test
bed. `ansible-builder introspect` over COLLECTIONS_PATH (where make install put the tarball)
must read this collection's meta/execution-environment.yml and find that it asks the EE for
nothing (its modules run on the managed host), while community.docker's needs come through.
The execution-environment.yml example in docs/execution-environment.md must be one that
`ansible-builder create` accepts (it writes the build context; nothing is fetched).
"""
import fnmatch
import os
import re
import subprocess
import sys
import tarfile
import tempfile

import yaml

# Committed files a user gets; everything else committed stays out (tests, scripts, CI, ...).
SHIPPED = ['README.md', 'LICENSE', 'requirements.txt', 'bindep.txt',
           'plugins/*', 'roles/*', 'playbooks/*', 'meta/*', 'changelogs/*', 'docs/*']
NOT_SHIPPED = ['docs/sphinx/*']  # the site's build configuration (make docs)
WRITTEN_BY_GALAXY = {'MANIFEST.json', 'FILES.json'}
COMMUNITY_DOCKER_NEEDS = {'docker', 'requests'}


def expected_files():
    tracked = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], capture_output=True,
                             text=True, check=True).stdout.split()
    return {f for f in tracked
            if any(fnmatch.fnmatch(f, p) for p in SHIPPED) and not any(fnmatch.fnmatch(f, p) for p in NOT_SHIPPED)}


def check_tarball(path):
    with tarfile.open(path) as tarball:
        files = {m.name for m in tarball.getmembers() if m.isfile()}
    want = expected_files() | WRITTEN_BY_GALAXY
    problems = ['missing from the tarball: %s' % f for f in sorted(want - files)]
    problems += ['in the tarball but not for users (add it to build_ignore in galaxy.yml): %s' % f
                 for f in sorted(files - want)]
    return problems, len(files)


def check_ee(collections_path):
    done = subprocess.run(['ansible-builder', 'introspect', '--sanitize', collections_path],
                          capture_output=True, text=True, check=False)
    if done.returncode or 'Error' in done.stderr:
        return ['ansible-builder introspect %s failed: %s' % (collections_path, (done.stderr or done.stdout).strip())]
    data = yaml.safe_load(done.stdout) or {}
    ours = [line for kind in ('python', 'system') for line in data.get(kind) or []
            if line.endswith('from collection netdevops.ovs_docker')]
    problems = ['the EE would install %r for netdevops.ovs_docker: the controller side needs nothing '
                '(what the modules need belongs on the managed host, not in the EE)' % line for line in ours]
    theirs = {line.split()[0] for line in data.get('python') or [] if line.endswith('community.docker')}
    problems += ['introspect did not see community.docker needing %s: is it installed in %s?' % (name, collections_path)
                 for name in sorted(COMMUNITY_DOCKER_NEEDS - theirs)]
    return problems


def check_ee_example(doc='docs/execution-environment.md'):
    with open(doc, encoding='utf-8') as page:
        example = re.search(r'```yaml\n(.*?)```', page.read(), re.S)
    if not example:
        return ['%s has no execution-environment.yml example' % doc]
    with tempfile.TemporaryDirectory() as scratch:
        definition = os.path.join(scratch, 'execution-environment.yml')
        with open(definition, 'w', encoding='utf-8') as out:
            out.write(example.group(1))
        done = subprocess.run(['ansible-builder', 'create', '-f', definition, '--context', os.path.join(scratch, 'context')],
                              capture_output=True, text=True, check=False)
    if done.returncode:
        return ['the example in %s is not one ansible-builder accepts: %s' % (doc, (done.stderr or done.stdout).strip())]
    return []


def main():
    tarball, collections_path = sys.argv[1:]
    problems, count = check_tarball(tarball)
    problems += check_ee(collections_path)
    problems += check_ee_example()
    for problem in problems:
        print('check_package: %s' % problem)
    if problems:
        sys.exit(1)
    print('check_package: %s holds the %d files a user needs and nothing else; '
          'ansible-builder introspect: the EE needs nothing of ours, community.docker\'s needs come through; '
          'the docs\' execution-environment.yml is one ansible-builder accepts' % (tarball, count))


if __name__ == '__main__':
    main()
