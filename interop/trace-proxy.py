#!/usr/bin/env python3
"""Debugging aid: a TCP proxy that records both directions of every connection.

    interop/trace-proxy.py LISTEN_PORT TARGET_PORT PREFIX

Connection n's bytes go to PREFIXnn.c2s (client to server) and PREFIXnn.s2c. Decode them with
    capnp decode --short /usr/include/capnp/rpc.capnp Message < PREFIX01.c2s
E.g. start `interop/build/interop-server 127.0.0.1:47001`, this proxy on 47002 -> 47001, then run
the Java client tests with -Dinterop.port=47002 or `interop/build/interop-client 127.0.0.1:47002`.
"""
import socket
import sys
import threading


def pump(src, dst, path):
    with open(path, 'wb') as out:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                break
            if not data:
                break
            out.write(data)
            try:
                dst.sendall(data)
            except OSError:
                break
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def main():
    listen_port, target_port, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', listen_port))
    listener.listen(50)
    n = 0
    while True:
        client, _ = listener.accept()
        n += 1
        server = socket.create_connection(('127.0.0.1', target_port))
        threading.Thread(target=pump, args=(client, server, '%s%02d.c2s' % (prefix, n)), daemon=True).start()
        threading.Thread(target=pump, args=(server, client, '%s%02d.s2c' % (prefix, n)), daemon=True).start()


if __name__ == '__main__':
    main()
