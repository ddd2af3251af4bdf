"""A real socket collector for tests: listens on loopback, misbehaves on demand."""

from __future__ import annotations

import socket
import struct
import threading
import time


class Collector:
    """Accepts connections on 127.0.0.1 and records what each one sent.

    mode: "read" (read to EOF), "never_read" (accept, then never read),
    "close_after_hello" (read one line, close), "kill_after" (read
    ``kill_after`` lines, then reset the connection and stop listening).
    """

    def __init__(self, mode: str = "read", kill_after: int = 0, port: int = 0, stall: float = 0.0) -> None:
        self.mode = mode
        self.stall = stall
        self.kill_after = kill_after
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if mode == "stall":  # a small window, so a stalled reader backs up quickly
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.server.bind(("127.0.0.1", port))
        self.server.listen(8)
        self.server.settimeout(0.05)  # close() does not wake accept() on Linux
        self._stopped = False
        self.conn_done = threading.Event()
        self.port = self.server.getsockname()[1]
        self.connections: list[bytes | bytearray] = []
        self.accepted = threading.Event()
        self.done = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        try:
            while not self._stopped:
                try:
                    conn, _ = self.server.accept()
                except socket.timeout:
                    continue
                except OSError:
                    return
                conn.settimeout(None)
                self.accepted.set()
                if self.mode == "never_read":
                    self._held.append(conn)
                    continue
                self.connections.append(b"")
                index = len(self.connections) - 1
                self._read(conn, index)
                self.conn_done.set()
                if self.mode == "kill_after":
                    self.stop()
                    return
        finally:
            self.done.set()

    def _read(self, conn: socket.socket, index: int) -> None:
        data = bytearray()
        try:
            while True:
                if self.mode == "close_after_hello" and b"\n" in data:
                    data = data[: data.index(b"\n") + 1]
                    break
                if self.mode == "kill_after" and data.count(b"\n") >= self.kill_after:
                    data = data[: _nth_newline(data, self.kill_after) + 1]
                    # RST instead of FIN: like a collector process being killed
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break
                chunk = conn.recv(1 << 16)
                if not chunk:
                    break
                data += chunk
                if self.mode == "stall" and self.stall:
                    time.sleep(self.stall)  # a slow collector: stops reading for a while
                    self.stall = 0.0
                self.connections[index] = data
        finally:
            self.connections[index] = bytes(data)
            conn.close()

    def lines(self, index: int = 0) -> str:
        return self.connections[index].decode("utf-8")

    def stop(self) -> None:
        self._stopped = True
        try:
            self.server.close()
        except OSError:
            pass
        for c in self._held:
            try:
                c.close()
            except OSError:
                pass

    def wait(self, timeout: float = 20.0) -> None:
        """Until the first connection was read to its end (or the server stopped)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end and not self.conn_done.is_set() and self._thread.is_alive():
            time.sleep(0.01)


def _nth_newline(data: bytes | bytearray, n: int) -> int:
    pos = -1
    for _ in range(n):
        pos = data.index(b"\n", pos + 1)
    return pos


def wait_for(predicate, timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return False
