"""Give ansible-test a local pip bootstrap script.

ansible-test bootstraps pip in the virtual environments it makes by downloading get-pip.py from a
host that this machine cannot reach, unless ~/.ansible/test/cache/get_pip_<version>.py exists.
This writes that file: it runs the same pip release, taken from PyPI's wheel, which is what the
real get-pip.py does with its embedded copy. Nothing ansible-test checks is changed.
"""
import os
import re
import subprocess
import sys

import ansible_test._internal.python_requirements as requirements

SHIM = '''\
# Written by scripts/setup/get_pip_shim.py: installs pip {version} from its wheel, as get-pip.py does
# (same arguments: pip requirements and options, --no-setuptools and --no-wheel).
import runpy
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.argv = ["pip", "install", "--upgrade", "--force-reinstall", "--find-links", {cache!r}] + args
sys.path.insert(0, {wheel!r})
runpy.run_module("pip", run_name="__main__", alter_sys=True)
'''


def main():
    with open(requirements.__file__, encoding='utf-8') as source:
        version = re.search(r"pip='([0-9.]+)'", source.read()).group(1)
    cache = os.path.expanduser('~/.ansible/test/cache')
    shim = os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_'))
    wheel = os.path.join(cache, 'pip-%s-py3-none-any.whl' % version)
    if os.path.exists(shim) and os.path.exists(wheel) and SHIM.splitlines()[1] in open(shim).read():
        return
    os.makedirs(cache, exist_ok=True)
    done = subprocess.run([sys.executable, '-m', 'pip', 'download', '-q', '--disable-pip-version-check',
                           '--no-deps', '--only-binary=:all:', '-d', cache, 'pip==%s' % version],
                          capture_output=True, text=True, check=False)
    # (drops warnings about local package mirrors this image configures but lacks)
    sys.stderr.write(''.join(line + '\n' for line in done.stderr.splitlines() if 'WARNING: Location' not in line))
    done.check_returncode()
    with open(shim, 'w', encoding='utf-8') as out:
        out.write(SHIM.format(version=version, wheel=wheel, cache=cache))
    print('[testbed] ansible-test pip %s bootstrap: %s' % (version, shim))


if __name__ == '__main__':
    main()
