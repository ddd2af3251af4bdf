"""The connection to the collector: non-blocking connects, backoff, sends.

Connecting never blocks: a non-blocking ``connect`` started when the
emitter is made and advanced by pumps (on whichever thread pumps), so it
costs the program a syscall or two and no thread has to wake (and fight
for the GIL) for it. A collector that is absent, slow, stalled or gone
never blocks the program: the emitter bounds what waits in ``out``.
"""

from __future__ import annotations

import errno
import select
import socket
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from .config import Address

#: Seconds a connection attempt may take before it counts as failed.
CONNECT_TIMEOUT = 1.0
#: A connection closed by the collector sooner than this after it was made
#: counts as refused: the next attempt waits at least this long, doubling
#: up to REFUSED_MAX.
REFUSED_WITHIN = 1.0
REFUSED_MAX = 30.0
#: Seconds before the next connection attempt: doubling from the first to the most.
BACKOFF_FIRST = 0.05
BACKOFF_MAX = 2.0
#: Seconds between looks at whether the collector closed the connection
#: (it never writes: bytes it sent anyway are read away, READ_AWAY at a time).
EOF_CHECK_INTERVAL = 0.1
READ_AWAY = 4096
#: Most bytes handed to one send() call.
SEND_CHUNK = 1 << 20
#: connect_ex results that mean "still connecting" (Windows has its own)
_IN_PROGRESS = {
    e
    for e in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, getattr(errno, "WSAEWOULDBLOCK", None))
    if e is not None
}


def close_quietly(thing: Any) -> None:
    """Close a socket or file we are giving up on; its errors change nothing."""
    if thing is not None:
        try:
            thing.close()
        except Exception:
            pass


def _literal(host: Any, port: Any) -> list[tuple[int, Any]] | None:
    """An IP literal's one target, or None (a name to resolve). Asking
    ``getaddrinfo`` would import the IDNA codec (and ``re``): ~2.5 ms of
    every program's start, for the loopback address the extension gives."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except (OSError, ValueError):
            continue
        return [(family, (host, port))]
    return None


class Connection:
    """One collector address, connected, connecting or waiting to retry.

    ``greeting(n)`` gives the text a new connection starts with (``hello``
    with ``reconnect: n``, then a snapshot); ``out`` holds what waits for the
    collector.
    """

    def __init__(self, address: Address, greeting: Callable[[int], str]) -> None:
        self.address = address
        self._greeting = greeting
        self.sock: socket.socket | None = None
        #: a connect under way
        self.connecting: socket.socket | None = None
        #: until the first attempt has ended, pumps leave the queue alone, so
        #: a collector that is there sees everything
        self.first_attempt_done = False
        self.out = bytearray()
        self.sent_bytes = 0
        self.next_connect = 0.0
        self._connects = 0
        self._backoff = BACKOFF_FIRST
        self._connected_at = 0.0
        self._connect_started = 0.0
        self._next_eof_check = 0.0
        self._targets: list[tuple[int, Any]] = []
        self._target_i = 0

    def step(self) -> None:
        """Advance connecting, never blocking."""
        s = self.connecting
        if s is None:
            if time.monotonic() >= self.next_connect:
                self._start()
            return
        try:
            _, writable, _ = select.select([], [s], [], 0)
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) if writable else 0
        except (OSError, ValueError):
            writable, err = [s], -1
        if not writable:
            if time.monotonic() - self._connect_started > CONNECT_TIMEOUT:
                self._failed()
            return
        if err:
            self._failed()
            return
        self.connecting = None
        self._install(s)

    def _start(self) -> None:
        kind, target = self.address
        try:
            if not self._targets:
                if kind == "tcp":
                    # resolved once; each failed attempt moves on to the next address
                    self._targets = _literal(target[0], target[1]) or [
                        (i[0], i[4]) for i in socket.getaddrinfo(target[0], target[1], 0, socket.SOCK_STREAM)
                    ]
                else:
                    self._targets = [(socket.AF_UNIX, target)]
            family, addr = self._targets[self._target_i % len(self._targets)]
            s = socket.socket(family, socket.SOCK_STREAM)
        except (OSError, AttributeError):
            self._failed()
            return
        try:
            s.setblocking(False)
            err = s.connect_ex(addr)
        except OSError as exc:
            err = exc.errno or -1
        if err == 0:
            self._install(s)
        elif err in _IN_PROGRESS:
            self.connecting = s
            self._connect_started = time.monotonic()
        else:  # refused, no such socket file, a full Unix backlog...
            self.connecting = s
            self._failed()

    def _failed(self) -> None:
        self._target_i += 1
        close_quietly(self.connecting)
        self.connecting = None
        self.next_connect = time.monotonic() + self._backoff
        # doubling to BACKOFF_MAX; a longer backoff (after refusals) is kept
        self._backoff = max(self._backoff, min(self._backoff * 2, BACKOFF_MAX))
        self.first_attempt_done = True

    def _install(self, s: socket.socket) -> None:
        """A new connection: its greeting goes first."""
        self._connected_at = time.monotonic()
        self.first_attempt_done = True
        self.sock = s
        reconnect = self._connects
        self._connects += 1
        self.out = bytearray(self._greeting(reconnect).encode("utf-8", "surrogatepass"))

    def close(self) -> None:
        """Give up the connection and what waits for it (a connect under way too)."""
        close_quietly(self.connecting)
        self.connecting = None
        self.close_socket()

    def close_socket(self) -> None:
        close_quietly(self.sock)
        self.sock = None
        self.out = bytearray()

    def send(self) -> None:
        """Send what the collector takes now (never blocks)."""
        s = self.sock
        if s is None:
            return
        try:
            now = time.perf_counter()
            if now >= self._next_eof_check:
                # The collector never writes: readable means it closed (EOF).
                self._next_eof_check = now + EOF_CHECK_INTERVAL
                r, _, _ = select.select([s], [], [], 0)
                if r and not s.recv(READ_AWAY):
                    raise ConnectionResetError("collector closed the connection")
            while self.out:
                with memoryview(self.out) as view:  # no copy of what is sent
                    n = s.send(view[:SEND_CHUNK])
                if n <= 0:
                    break
                del self.out[:n]
                self.sent_bytes += n
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._lost()

    def _lost(self) -> None:
        """The collector closed (or reset) the connection: reconnect soon
        if it had lasted (a restarted collector), rarely if it was closed
        right after the hello (a refusal: a wrong secret, an unknown
        launch), so a refusing collector is not asked again and again."""
        self.close_socket()
        now = time.monotonic()
        if now - self._connected_at >= REFUSED_WITHIN:
            self._backoff = BACKOFF_FIRST
        else:
            self._backoff = min(max(self._backoff * 2, REFUSED_WITHIN), REFUSED_MAX)
        self.next_connect = now + self._backoff
