# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_ovsdb.StreamParser, which finds where a JSON-RPC message ends so the standard json module can
decode it (ovs.json parses in Python a character at a time when the ovs package has no C
extension), and the wait for ovs-vswitchd that a run's port removals leave to its end."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket

import pytest

ovs = pytest.importorskip('ovs')
import ovs.json  # noqa: E402
import ovs.jsonrpc  # noqa: E402
import ovs.stream  # noqa: E402

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import engine as _engine  # noqa: E402
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import ovsdb as _ovsdb
from ansible_collections.netdevops.ovs_docker.tests.unit.plugins.module_utils.conftest import FakeDb  # noqa: E402

MESSAGES = [
    {"id": 1, "result": {"Interface": {"u1": {"new": {"name": "veth0", "external_ids": ["map", [["container_id", "c1"]]]}}}},
     "error": None},
    {"method": "update2", "params": ["x", {"Port": {"u2": {"modify": {"tag": 7, "trunks": ["set", [1, 2, 4094]]}}}}], "id": None},
    # the characters a scanner could get wrong: quotes, backslashes, brackets inside strings
    {"id": "a\"b", "result": ["}{", "\\", "\\\"]", "x\\\\", "tab\there", "ünïcödé ✓", -1.5e3, True, False, None, {}, []]},
]


def feed_stream(text, size):
    """What ovs.jsonrpc.Connection.recv does with a parser, the input arriving ``size``
    characters at a time. -> the messages, as the parser's finish() returns them."""
    found, pending, parser = [], '', None
    for start in range(0, len(text), size):
        pending += text[start:start + size]
        while pending:
            parser = parser or _ovsdb.StreamParser()
            pending = pending[parser.feed(pending):]
            if not parser.is_done():
                break
            found.append(parser.finish())
            if isinstance(found[-1], str):  # an error: ovs.jsonrpc drops the connection
                return found, pending
            parser = None
    return found, pending


@pytest.mark.parametrize('size', [1, 2, 3, 5, 7, 16, 64, 4096])
def test_messages_split_anywhere_decode_as_json_does(size):
    text = ''.join(json.dumps(m) for m in MESSAGES) + '  \n'
    found, rest = feed_stream(text, size)
    assert found == MESSAGES and rest.strip() == ''


def test_a_message_ends_where_it_ends_and_the_next_is_left():
    first, second = json.dumps(MESSAGES[0]), json.dumps(MESSAGES[1])
    parser = _ovsdb.StreamParser()
    assert parser.feed(' ' + first + second[:10]) == len(first) + 1
    assert parser.is_done() and parser.finish() == MESSAGES[0]
    assert parser.feed('more') == 0  # a finished parser takes nothing


def test_a_backslash_at_the_end_of_a_piece_escapes_the_next_ones_first_character():
    text = json.dumps({"s": "a\\\"}"})  # {"s": "a\\\"}"}: the escaped quote must not end the string
    cut = text.index('\\') + 1
    for left, right in ((text[:cut], text[cut:]), (text[:cut + 1], text[cut + 1:])):
        parser = _ovsdb.StreamParser()
        assert parser.feed(left) == len(left) and not parser.is_done()
        assert parser.feed(right) == len(right) and parser.is_done()
        assert parser.finish() == {"s": "a\\\"}"}


@pytest.mark.parametrize('text', ['"a string"', '42', 'true'])
def test_a_message_that_is_not_an_object_is_an_error_string(text):
    parser = _ovsdb.StreamParser()
    parser.feed(text)
    assert parser.is_done() and isinstance(parser.finish(), str)


def test_broken_json_is_an_error_string_as_with_ovs_json():
    parser = _ovsdb.StreamParser()
    parser.feed('{"a": tru}')
    assert parser.is_done() and 'not JSON' in parser.finish()


def test_the_jsonrpc_connection_reads_through_it(monkeypatch):
    """The real ovs.jsonrpc.Connection on a socket pair, with the parser put in its place."""
    monkeypatch.setattr(ovs.json, 'PARSER', ovs.json.PARSER_PY)
    monkeypatch.setattr(ovs.json, 'Parser', ovs.json.Parser)
    _ovsdb._fast_json_rpc()
    assert isinstance(ovs.json.Parser(), _ovsdb.StreamParser)
    assert not isinstance(ovs.json.Parser(check_trailer=True), _ovsdb.StreamParser)  # ovs.json's own callers
    assert ovs.json.from_string('{"a": [1, "b"]}') == {'a': [1, 'b']}
    ours, theirs = socket.socketpair()
    try:
        connection = ovs.jsonrpc.Connection(ovs.stream.Stream(ours, 'test', 0))
        theirs.sendall(b''.join(json.dumps(m).encode('utf-8') for m in
                                [{"id": 7, "result": {"a": "\u2713"}, "error": None}, {"method": "echo", "params": [], "id": "e"}]))
        theirs.shutdown(socket.SHUT_WR)  # a parser that never finds the end sees EOF, not a hang
        error, reply = connection.recv_block()
        assert error == 0 and reply.type == ovs.jsonrpc.Message.T_REPLY and reply.result == {"a": "\u2713"}
        error, request = connection.recv_block()
        assert error == 0 and request.method == 'echo'
    finally:
        theirs.close()
        connection.close()


@pytest.mark.parametrize('actions, wait', [
    ([_engine.Action('port', 'p1', None, {'bridge': 'br0'}), _engine.Action('port', 'p2', None, {'bridge': 'br0'})], (True, False)),
    ([_engine.Action('port', 'p1', {'bridge': 'br0'}, None)], (True, True)),
    ([_engine.Action('port', 'p1', None, {'bridge': 'br0'}), _engine.Action('iface_ext', 'p2', {}, {'a': 'b'})], (True, True)),
])
def test_only_a_run_of_port_removals_leaves_the_wait_for_ovs_vswitchd_to_the_end(actions, wait):
    db = FakeDb()
    _ovsdb.PortRows(db).run(actions)
    assert db.calls == [wait]


class FakeIdl(object):
    """An IDL whose ovs-vswitchd applies one configuration each time it is run."""

    def __init__(self):
        self.cur_cfg, self.runs = 3, 0
        root = self

        class Table(object):
            rows = {'root': root}
        self.tables = {_ovsdb.DB_NAME: Table()}

    def run(self):
        self.runs += 1
        self.cur_cfg += 1

    def wait(self, poller):
        poller.immediate_wake()


def test_settle_waits_for_the_newest_configuration_asked_for_then_not_again():
    db = _ovsdb.Ovsdb.__new__(_ovsdb.Ovsdb)
    db.remote, db.timeout, db.idl, db._pending_cfg = 'unix:/x', 5.0, FakeIdl(), 6
    db.settle()
    assert db.idl.cur_cfg >= 6 and db._pending_cfg is None
    runs = db.idl.runs
    db.settle()
    assert db.idl.runs == runs  # nothing pending: no wait
