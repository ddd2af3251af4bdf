"""A deliberately misbehaving client, for the collector's bad-input cases.

usage: raw_client.py ADDRESS CASE [SECRET]
  wrong-version  hello with protocol 2
  long-line      a valid hello, then one line longer than 1 MiB
  random-bytes   random bytes instead of a hello
  many           100 connections at once, each a valid hello + a tiny run
Prints DONE when it has sent everything and the collector closed (or kept) the connections.
"""
import json
import os
import socket
import sys

address, case = sys.argv[1], sys.argv[2]
secret = sys.argv[3] if len(sys.argv) > 3 else None
host, port = address.rsplit(":", 1)


def hello(**extra):
    h = {"type": "hello", "protocol": 1, "minor": 0, "runtime": "trio", "runtime_version": "0.0",
         "lens_version": "0.1.0", "python": "3", "pid": os.getpid(), "argv": ["raw_client.py", case],
         "cwd": os.getcwd(), "instance": os.urandom(8).hex()}
    if secret:
        h["secret"] = secret
    h.update(extra)
    return (json.dumps(h) + "\n").encode()


def connect():
    s = socket.create_connection((host, int(port)))
    s.settimeout(10)
    return s


def wait_closed(s):
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass


def tiny_run(i):
    events = [
        {"type": "run.started", "run": 1, "ts": 0, "wall": 1},
        {"type": "task.spawned", "run": 1, "ts": 0.1, "id": 1, "name": "<init>", "nursery": None, "system": True, "site": None},
        {"type": "nursery.opened", "run": 1, "ts": 0.2, "id": 2, "task": 1, "site": None, "system": True},
        {"type": "task.spawned", "run": 1, "ts": 0.3, "id": 3, "name": f"main-{i}", "nursery": 2, "system": False, "main": True, "site": None},
    ]
    return b"".join((json.dumps(e) + "\n").encode() for e in events)


if case == "wrong-version":
    s = connect()
    s.sendall(hello(protocol=2))
    wait_closed(s)
elif case == "long-line":
    s = connect()
    s.sendall(hello() + tiny_run(0))
    try:
        s.sendall(b'{"type":"task.spawned","name":"' + b"x" * (1024 * 1024 + 100) + b'"}\n')
    except OSError:
        pass
    wait_closed(s)
elif case == "random-bytes":
    s = connect()
    try:
        s.sendall(os.urandom(256 * 1024))
    except OSError:
        pass
    wait_closed(s)
elif case == "many":
    import select
    import time

    def open_one(i):
        s = connect()
        s.sendall(hello(pid=100000 + i) + tiny_run(i))
        return s

    socks = [open_one(i) for i in range(100)]
    # A collector admits a few dozen connections whose hello it has not read yet and closes the rest at once
    # (issue #12); a busy host reads late, so some may be closed: like the runtime, connect those again.
    quiet = 0
    deadline = time.monotonic() + 20
    while quiet < 3 and time.monotonic() < deadline:
        time.sleep(0.4)
        readable, _, _ = select.select(socks, [], [], 0)
        closed = []
        for s in readable:
            try:
                if not s.recv(1, socket.MSG_PEEK):
                    closed.append(s)
            except OSError:
                closed.append(s)
        quiet = 0 if closed else quiet + 1
        for s in closed:
            i = socks.index(s)
            s.close()
            socks[i] = open_one(i)
    print("SENT", flush=True)
    sys.stdin.readline()  # the test says when to hang up
    for s in socks:
        s.close()
print("DONE", flush=True)
