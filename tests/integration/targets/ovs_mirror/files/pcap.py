"""The test's own packet capture and pcap reader (standard library only; no tcpdump needed).

    pcap.py capture IFACE FILE --ready READY [--seconds S]   run in the capture namespace: every
        frame on IFACE into FILE (pcap) until SIGTERM or S seconds; READY is made once the packet
        socket is bound (await it, then send the traffic)
    pcap.py read FILE   the frames as JSON lines: src, dst (MACs), vlan, ip_src, ip_dst, icmp (type)
"""
import argparse
import json
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003


def capture(iface, path, ready, seconds):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((iface, 0))
    # the kernel takes a VLAN tag off into the packet's metadata: ask for it back (PACKET_AUXDATA)
    sock.setsockopt(263, 8, 1)
    sock.settimeout(0.2)
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    open(ready, 'w').close()
    deadline = time.monotonic() + seconds
    with open(path, 'wb') as out:
        out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        while not stop[0] and time.monotonic() < deadline:
            try:
                frame, ancillary, _flags, _address = sock.recvmsg(65535, socket.CMSG_SPACE(20))
            except socket.timeout:
                continue
            for level, kind, data in ancillary:
                # tpacket_auxdata: status, len, snaplen, mac, net (u32 each, u16 for the last two), vlan_tci, vlan_tpid
                if level == 263 and kind == 8 and len(data) >= 20:
                    status = struct.unpack('<I', data[:4])[0]
                    tci, tpid = struct.unpack('<HH', data[16:20])
                    if status & (1 << 4):  # TP_STATUS_VLAN_VALID: the tag back in its place
                        frame = frame[:12] + struct.pack('!HH', tpid or 0x8100, tci) + frame[12:]
            now = time.time()
            out.write(struct.pack('<IIII', int(now), int((now % 1) * 1e6), len(frame), len(frame)) + frame)
            out.flush()


def read(path):
    with open(path, 'rb') as handle:
        data = handle.read()
    offset = 24
    while offset + 16 <= len(data):
        length = struct.unpack('<IIII', data[offset:offset + 16])[2]
        frame = data[offset + 16:offset + 16 + length]
        offset += 16 + length
        found = {'dst': ':'.join('%02x' % b for b in frame[0:6]), 'src': ':'.join('%02x' % b for b in frame[6:12]), 'vlan': None}
        kind, rest = struct.unpack('!H', frame[12:14])[0], frame[14:]
        if kind == 0x8100:
            found['vlan'] = struct.unpack('!H', rest[0:2])[0] & 0xfff
            kind, rest = struct.unpack('!H', rest[2:4])[0], rest[4:]
        if kind == 0x0800 and len(rest) >= 20:
            found['ip_src'], found['ip_dst'] = socket.inet_ntoa(rest[12:16]), socket.inet_ntoa(rest[16:20])
            if rest[9] == 1:
                found['icmp'] = rest[(rest[0] & 0xf) * 4]
        print(json.dumps(found, sort_keys=True))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('what', choices=['capture', 'read'])
    parser.add_argument('args', nargs='+')
    parser.add_argument('--ready')
    parser.add_argument('--seconds', type=float, default=30)
    args = parser.parse_args()
    if args.what == 'capture':
        capture(args.args[0], args.args[1], args.ready, args.seconds)
    else:
        read(args.args[0])


if __name__ == '__main__':
    sys.exit(main())
