"""Just enough HTTP/1.1 to GET a page and count its body bytes.

No I/O here: the Trio and asyncio versions each read from their own kind of
stream and feed the bytes in, so both examples share one parser and the only
difference between them is how they wait.
"""

from __future__ import annotations


def request(host: str, path: str) -> bytes:
    """A GET request for `path` on `host`; the server closes the connection after it."""
    return (
        f"GET {path or '/'} HTTP/1.1\r\n"
        f"Host: {host}\r\n"
        "User-Agent: nursery-lens-hettinger-example\r\n"
        "Accept: text/html\r\n"
        "Accept-Encoding: identity\r\n"
        "Connection: close\r\n"
        "\r\n"
    ).encode("ascii")


class ProtocolError(Exception):
    pass


class BodyCounter:
    """Counts the body bytes of one HTTP/1.1 response fed to it in pieces.

    Handles Content-Length, chunked transfer encoding, and read-until-close.
    """

    def __init__(self) -> None:
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.size = 0
        self.complete = False
        self._buffer = b""
        self._remaining: int | None = None  # Content-Length bytes still to come
        self._chunked = False
        self._chunk_left = 0  # bytes of the current chunk still to come
        self._in_trailer = False

    def feed(self, data: bytes | bytearray) -> None:
        self._buffer += data
        if self.status is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            self._parse_head(self._buffer[:end].decode("latin-1"))
            self._buffer = self._buffer[end + 4 :]
        if self._chunked:
            self._feed_chunked()
        elif self._remaining is not None:
            taken = min(len(self._buffer), self._remaining)
            self.size += taken
            self._remaining -= taken
            self._buffer = b""
            self.complete = self._remaining == 0
        else:
            self.size += len(self._buffer)
            self._buffer = b""

    def eof(self) -> None:
        """The server closed the connection."""
        if self.status is None:
            raise ProtocolError("connection closed before the response head")
        if self._chunked or self._remaining:
            raise ProtocolError(f"connection closed after {self.size} body bytes, before the end of the body")
        self.complete = True

    def _parse_head(self, head: str) -> None:
        status_line, *lines = head.split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise ProtocolError(f"not an HTTP response: {status_line!r}")
        self.status = int(parts[1])
        for line in lines:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            self._chunked = True
        elif "content-length" in self.headers:
            self._remaining = int(self.headers["content-length"])
            self.complete = self._remaining == 0

    def _feed_chunked(self) -> None:
        while not self.complete:
            if self._chunk_left:
                taken = min(len(self._buffer), self._chunk_left)
                if not taken:
                    return
                self.size += taken
                self._chunk_left -= taken
                self._buffer = self._buffer[taken:]
                continue
            end = self._buffer.find(b"\r\n")
            if end < 0:
                return
            line = self._buffer[:end]
            self._buffer = self._buffer[end + 2 :]
            if self._in_trailer:
                self.complete = line == b""
            elif line == b"":
                continue  # the CRLF that ends a chunk's data
            else:
                self._chunk_left = int(line.split(b";")[0], 16)
                self._in_trailer = self._chunk_left == 0
