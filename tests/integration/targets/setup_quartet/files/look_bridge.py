"""Independent look at a bridge: what ovs-vsctl and ip say is really there, as JSON.

Used by the tests to check the module's work without trusting the module.
    look_bridge.py BRIDGE[,BRIDGE...] [--world]
With several bridges, flat: {"BRIDGE.KEY": value} (so that a test's expectation can name a subset
of keys, as for one bridge). With --world, also every bridge OVSDB has and every link name in the kernel (what a failed run
could have left anywhere).
"""
import json
import subprocess
import sys


def run(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def ovs_value(value):
    """ovs-vsctl --format=json cell -> plain Python."""
    if isinstance(value, list) and value[0] == 'map':
        return dict(value[1])
    if isinstance(value, list) and value[0] == 'set':
        return [ovs_value(v) for v in value[1]] or None
    if isinstance(value, list) and value[0] == 'uuid':
        return value[1]
    return value


def world():
    links = json.loads(run('ip', '-j', 'link', 'show'))
    return {'bridges': sorted(run('ovs-vsctl', 'list-br').split()), 'links': sorted(link['ifname'] for link in links)}


def main(bridge, with_world):
    names = bridge.split(',')
    state = look(bridge) if len(names) == 1 else \
        dict(('%s.%s' % (name, key), value) for name in names for key, value in look(name).items())
    if with_world:
        state['world'] = world()
    print(json.dumps(state, sort_keys=True))


def look(bridge):
    if subprocess.run(['ovs-vsctl', 'br-exists', bridge], check=False).returncode != 0:
        return {'present': False}
    columns = 'datapath_type,fail_mode,external_ids,other_config'
    table = json.loads(run('ovs-vsctl', '--format=json', '--columns=' + columns, 'list', 'Bridge', bridge))
    state = {'present': True}
    state.update((h, ovs_value(v)) for h, v in zip(table['headings'], table['data'][0]))
    state['ports'] = sorted(run('ovs-vsctl', 'list-ports', bridge).split())
    links = json.loads(run('ip', '-j', 'addr', 'show', 'dev', bridge)) if \
        subprocess.run(['ip', 'link', 'show', bridge], capture_output=True, check=False).returncode == 0 else []
    state['link_state'] = ('up' if 'UP' in links[0]['flags'] else 'down') if links else None
    state['addresses'] = sorted('%s/%s' % (a['local'], a['prefixlen']) for link in links
                                for a in link.get('addr_info', []) if a.get('scope') != 'link')
    return state


if __name__ == '__main__':
    main(sys.argv[1], '--world' in sys.argv)
