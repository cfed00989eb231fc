# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import validate as _validate


@pytest.mark.parametrize('name', ['br0', 'veth1', 'a' * 15, 'br-ex.100', 'x_y'])
def test_interface_name_accepts(name):
    assert _validate.interface_name(name) is None


@pytest.mark.parametrize('name, words', [
    ('a' * 16, 'at most 15'),
    ('', 'empty'),
    ('br 0', 'not a valid interface name'),
    ('br/0', 'not a valid interface name'),
    ('..', 'not a valid interface name'),
    ('eth0:1', 'not a valid interface name'),
])
def test_interface_name_rejects_with_a_fix(name, words):
    assert words in _validate.interface_name(name)


@pytest.mark.parametrize('text, canonical', [
    ('192.168.1.250/24', '192.168.1.250/24'),
    (' 10.0.0.1/8 ', '10.0.0.1/8'),
    ('2001:DB8:0::1/64', '2001:db8::1/64'),
])
def test_parse_cidr_canonical(text, canonical):
    iface, error = _validate.parse_cidr(text)
    assert error is None and str(iface) == canonical


@pytest.mark.parametrize('text, words', [
    ('192.168.1.250', 'no prefix length'),
    ('192.168.1.256/24', 'not an IPv4 or IPv6'),
    ('192.168.1.1/33', 'not an IPv4 or IPv6'),
    ('fe80::1/129', 'not an IPv4 or IPv6'),
    ('224.0.0.1/4', 'multicast'),
    ('0.0.0.0/0', 'unspecified'),
    ('abc/24', 'not an IPv4 or IPv6'),
])
def test_parse_cidr_rejects(text, words):
    iface, error = _validate.parse_cidr(text, 'addresses[0]')
    assert iface is None and words in error and 'addresses[0]' in error


def test_parse_cidrs_sorts_dedups_and_collects_every_error():
    cidrs, errors = _validate.parse_cidrs(['2001:db8::1/64', '10.0.0.2/24', '10.0.0.2/24', 'x', 'y/1'])
    assert cidrs == ['10.0.0.2/24', '2001:db8::1/64']
    assert len(errors) == 2 and 'addresses[3]' in errors[0] and 'addresses[4]' in errors[1]


def test_ovsdb_map_stringifies_and_keeps_nulls_for_removal():
    value, error = _validate.ovsdb_map({'a': 1, 'b': True, 'c': None, 'd': 'x'}, 'external_ids')
    assert error is None
    assert value == {'a': '1', 'b': 'true', 'c': None, 'd': 'x'}


def test_ovsdb_map_rejects_nested():
    value, error = _validate.ovsdb_map({'a': {'b': 1}}, 'other_config')
    assert value is None and 'other_config.a' in error
