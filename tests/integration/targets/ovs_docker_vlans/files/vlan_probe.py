"""Does TARGET answer an ARP request sent on VLAN ID (0: untagged) out of INTERFACE, and on which
VLAN does the answer come back? Raw 802.1Q frames through a packet socket: the trunk end to end
without the kernel's VLAN driver (this test bed's kernel has none). Run inside the namespace:

    vlan_probe.py INTERFACE VLAN TARGET_IP SENDER_IP [TIMEOUT]   -> {"answered": bool, "vlan": N|null}
Only TARGET_IP (an address of ours, inside a container of the test) is asked.
"""
import ipaddress
import json
import socket
import struct
import sys
import time

ETH_P_ALL, ETH_P_ARP, ETH_P_8021Q = 0x0003, 0x0806, 0x8100
SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 263, 8, 0x10


def arp_request(mac, vlan, sender, target):
    tag = struct.pack('!HH', ETH_P_8021Q, vlan) if vlan else b''
    arp = struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 1, mac, sender.packed, b'\0' * 6, target.packed)
    return b'\xff' * 6 + mac + tag + struct.pack('!H', ETH_P_ARP) + arp


def reply_vlan(frame, aux, target):
    """The VLAN of an ARP reply from ``target`` (0 untagged), or None for any other frame."""
    ethertype, offset, vlan = struct.unpack('!H', frame[12:14])[0], 14, 0
    if ethertype == ETH_P_8021Q:  # the tag left in the frame
        vlan = struct.unpack('!H', frame[14:16])[0] & 0xfff
        ethertype, offset = struct.unpack('!H', frame[16:18])[0], 18
    for level, kind, data in aux:  # the tag the kernel took out of the frame into its metadata
        if level == SOL_PACKET and kind == PACKET_AUXDATA:
            status, _len, _snap, _mac, _net, tci = struct.unpack('IIIHHH', data[:18])
            if status & TP_STATUS_VLAN_VALID:
                vlan = tci & 0xfff
    if ethertype != ETH_P_ARP or len(frame) < offset + 28:
        return None
    op, spa = struct.unpack('!H', frame[offset + 6:offset + 8])[0], frame[offset + 14:offset + 18]
    return vlan if op == 2 and spa == target.packed else None


def main(interface, vlan, target, sender, timeout=2.0):
    vlan, target, sender = int(vlan), ipaddress.ip_address(target), ipaddress.ip_address(sender)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    sock.bind((interface, 0))
    mac = sock.getsockname()[4][:6]
    sock.send(arp_request(mac, vlan, sender, target))
    deadline = time.monotonic() + float(timeout)
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            frame, aux, _flags, _addr = sock.recvmsg(65535, socket.CMSG_SPACE(64))
        except socket.timeout:
            break
        got = reply_vlan(frame, aux, target)
        if got is not None:  # the frame, for a failure's message
            return {'answered': True, 'vlan': got, 'frame': frame[:64].hex()}
    return {'answered': False, 'vlan': None}


if __name__ == '__main__':
    print(json.dumps(main(*sys.argv[1:])))
