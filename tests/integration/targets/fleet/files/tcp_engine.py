"""The node's Docker engine on tcp://127.0.0.1:2375 as well, inside the node's own network
namespace: a relay to its unix socket, so a module can be pointed at a TCP endpoint (the Docker
SDK's way to an engine) with the engine on a socket only. Returns once it listens (then relays
in the background until killed): nothing to wait for after it."""
import os
import socket
import threading


def pipe(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', 2375))
server.listen(16)
if os.fork():
    os._exit(0)
os.setsid()
quiet = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):  # docker exec returns when the streams close
    os.dup2(quiet, fd)
while True:
    client, _address = server.accept()
    engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    engine.connect('/var/run/docker.sock')
    for ends in ((client, engine), (engine, client)):
        threading.Thread(target=pipe, args=ends, daemon=True).start()
