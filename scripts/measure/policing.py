"""What ingress policing does on this machine's userspace datapath, measured.

Two namespaces of our own on a netdev bridge; a bounded, paced UDP stream (MBYTES at SEND Mbit/s)
from one to the other, first without policing, then with Interface.ingress_policing_rate RATE kbit/s
on the sender's port; prints what arrived. Sends nothing anywhere else and removes all it made.
(UDP with a zero checksum: veth checksum offload and the userspace datapath do not mix, TCP stalls.)

    python3 scripts/measure/policing.py [--rate 10000] [--send 40] [--mbytes 10]
"""
import argparse
import socket
import subprocess
import sys
import time

BR, NETS, ADDRS, PORT = 'polbr0', ('pola', 'polb'), ('198.18.16.1', '198.18.16.2'), 5201


def sh(*argv):
    subprocess.run(argv, check=True)


def receiver(address):
    """In the receiving namespace: bind, say ready, count until the stream pauses for 1 s."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, PORT))
    print('ready', flush=True)
    sock.settimeout(5.0)
    got, first, last = 0, 0.0, 0.0
    while True:
        try:
            got += len(sock.recv(65536))
        except socket.timeout:
            break
        last = time.monotonic()
        first = first or last
        sock.settimeout(1.0)
    print('%d %f' % (got, last - first), flush=True)


def sender(address, mbytes, mbit):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, 11, 1)  # SO_NO_CHECK
    total, rate, sent, start, chunk = int(mbytes * 1e6), mbit * 1e6 / 8, 0, time.monotonic(), b'x' * 1400
    while sent < total:
        sent += sock.sendto(chunk, (address, PORT))
        ahead = sent / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)  # pacing the stream, not waiting for a condition
    return sent, time.monotonic() - start


def stream(args):
    recv = subprocess.Popen(['ip', 'netns', 'exec', NETS[1], sys.executable, __file__, '--receive', ADDRS[1]],
                            stdout=subprocess.PIPE, text=True)
    assert recv.stdout.readline().strip() == 'ready'
    send = subprocess.run(['ip', 'netns', 'exec', NETS[0], sys.executable, __file__, '--send-to', ADDRS[1],
                           '--mbytes', str(args.mbytes), '--send', str(args.send)], check=True, capture_output=True, text=True)
    got, seconds = recv.stdout.readline().split()
    recv.wait()
    sent, sent_seconds = (float(x) for x in send.stdout.split())
    return sent * 8 / sent_seconds / 1e6, int(got), int(got) * 8 / max(float(seconds), 1e-9) / 1e6, int(sent)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--rate', type=int, default=10000, help='ingress_policing_rate, kbit/s')
    parser.add_argument('--burst', type=int, default=1000, help='ingress_policing_burst, kbit')
    parser.add_argument('--send', type=float, default=40.0, help='the stream, Mbit/s')
    parser.add_argument('--mbytes', type=float, default=10.0)
    parser.add_argument('--receive')
    parser.add_argument('--send-to')
    args = parser.parse_args()
    if args.receive:
        return receiver(args.receive)
    if args.send_to:
        print('%d %f' % sender(args.send_to, args.mbytes, args.send))
        return None
    try:
        sh('ovs-vsctl', 'add-br', BR, '--', 'set', 'bridge', BR, 'datapath_type=netdev')
        for net, address in zip(NETS, ADDRS):
            sh('ip', 'netns', 'add', net)
            sh('ip', 'link', 'add', net + 'h', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', net)
            sh('ip', 'link', 'set', net + 'h', 'up')
            sh('ip', '-n', net, 'link', 'set', 'eth0', 'up')
            sh('ip', '-n', net, 'addr', 'add', address + '/24', 'dev', 'eth0')
            sh('ovs-vsctl', 'add-port', BR, net + 'h')
        for rate, burst in ((0, 0), (args.rate, args.burst)):
            sh('ovs-vsctl', 'set', 'Interface', NETS[0] + 'h', 'ingress_policing_rate=%d' % rate,
               'ingress_policing_burst=%d' % burst)
            sent_mbit, got, got_mbit, sent = stream(args)
            print('policing %6d kbit/s: sent %d bytes at %.1f Mbit/s, received %d bytes (%.0f%%) at %.1f Mbit/s'
                  % (rate, sent, sent_mbit, got, 100.0 * got / sent, got_mbit))
    finally:
        for net in NETS:
            subprocess.run(['ip', 'netns', 'del', net], check=False)
            subprocess.run(['ip', 'link', 'del', net + 'h'], check=False, stderr=subprocess.DEVNULL)
        subprocess.run(['ovs-vsctl', '--if-exists', 'del-br', BR], check=False)
    return None


if __name__ == '__main__':
    main()
