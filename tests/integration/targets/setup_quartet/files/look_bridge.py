"""Independent look at a bridge: what ovs-vsctl and ip say is really there, as JSON.

Used by the tests to check the module's work without trusting the module.
    look_bridge.py BRIDGE[,BRIDGE...] [--world]
With several bridges, flat: {"BRIDGE.KEY": value} (so that a test's expectation can name a subset
of keys, as for one bridge). With --world, also what looks.world() sees (what a failed run could
have left anywhere).
"""
import json
import subprocess
import sys

from looks import addresses, ip_json, ovs_table, run, world


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
    columns = ['datapath_type', 'fail_mode', 'external_ids', 'other_config']
    state = {'present': True}
    # an empty set (fail_mode unset) is None, as the module shows it
    state.update((k, None if v == [] else v) for k, v in ovs_table('Bridge', columns, bridge)[bridge].items())
    state['ports'] = sorted(run(['ovs-vsctl', 'list-ports', bridge]).split())
    links = ip_json(None, 'addr', 'show', 'dev', bridge) or []
    state['link_state'] = ('up' if 'UP' in links[0]['flags'] else 'down') if links else None
    state['addresses'] = sorted(a for link in links for a in addresses(link))
    return state


if __name__ == '__main__':
    main(sys.argv[1], '--world' in sys.argv)
