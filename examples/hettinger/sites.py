"""Hettinger's list of sites, and an offline stand-in for the internet.

Raymond Hettinger's PyBay 2017 concurrency talk fetched fourteen well-known
sites with a thread pool and printed each page's size as it arrived. This
machine (and most CI machines) has no network, and real sites change size
and speed every minute, so each example starts `serve_sites()`: a small HTTP
server on 127.0.0.1 (ephemeral port, in a daemon thread) that answers for all
fourteen names with deterministic pages and deterministic delays.

The examples still print and request the real URL: the request goes to the
local server with the site's name in the `Host` header, exactly as it would
go to the real site. `--internet` in each example skips this module's server.

Delays are scaled by a speed factor (`--speed`, or the EXAMPLE_SPEED
environment variable) so tests can run the same program ten times faster.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import os
import threading
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Site:
    url: str
    size: int  # body bytes the local server sends for this site
    delay: float  # seconds (at speed 1) before the local server answers
    chunked: bool  # answer with Transfer-Encoding: chunked, as many real sites do

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


# Delays of 0.2-1.2 s: long enough to watch, and with the default limit of 10
# four sites always queue at the limiter for at least 0.2 s. Which four varies
# from run to run (Trio runs a batch of ready tasks in either order, on
# purpose), so the order of "as completed" output varies a little too.
SITES: list[Site] = [
    Site("https://www.yahoo.com", 94_862, 0.90, True),
    Site("http://www.cnn.com", 151_337, 0.55, False),
    Site("http://www.python.org", 49_806, 0.30, True),
    Site("http://www.jython.org", 19_211, 1.20, False),
    Site("http://www.pypy.org", 12_730, 0.45, False),
    Site("http://www.perl.org", 15_442, 0.65, True),
    Site("http://www.cisco.com", 83_019, 1.05, False),
    Site("http://www.facebook.com", 61_570, 0.20, True),
    Site("http://www.twitter.com", 38_124, 0.75, False),
    Site("http://www.macrumors.com/", 112_488, 0.35, True),
    Site("http://arstechnica.com/", 77_931, 0.50, False),
    Site("http://www.reuters.com/", 130_656, 0.30, True),
    Site("http://abcnews.go.com/", 102_275, 0.80, False),
    Site("http://www.cnbc.com/", 88_403, 0.40, True),
]

URLS: list[str] = [site.url for site in SITES]
SIZES: dict[str, int] = {site.url: site.size for site in SITES}
_BY_HOST: dict[str, Site] = {site.host: site for site in SITES}

SPEED_ENV = "EXAMPLE_SPEED"


def default_speed() -> float:
    """The speed factor from EXAMPLE_SPEED (1 when unset): 4 = delays / 4."""
    try:
        speed = float(os.environ.get(SPEED_ENV, "1"))
    except ValueError:
        return 1.0
    return speed if speed > 0 else 1.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command-line options every version of the example shares."""
    parser.add_argument("--limit", type=int, default=10, help="fetches running at once (default 10)")
    parser.add_argument("--ordered", action="store_true", help="print in input order (map) instead of as completed (imap_unordered)")
    parser.add_argument("--timeout", type=float, default=None, help="give up on the sites still unfinished after this many seconds")
    parser.add_argument("--speed", type=float, default=default_speed(), help=f"local server speed factor: 2 = twice as fast (default ${SPEED_ENV} or 1)")
    parser.add_argument("--internet", action="store_true", help="fetch the real sites instead of the local stand-ins")


def page(site: Site) -> bytes:
    """The page the local server sends for `site`: `site.size` bytes of HTML."""
    line = f"<p>{site.host} stand-in page for the Hettinger example</p>\n".encode()
    head = f"<!doctype html><title>{site.host}</title>\n".encode()
    body = head + line * (site.size // len(line) + 1)
    return body[: site.size]


class _SiteHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_SiteServer"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        site = _BY_HOST.get(host)
        if site is None:
            self.send_error(404, f"no stand-in for host {host!r}")
            return
        # The wait the examples are about: the "network" is slow to answer.
        if self.server.stopping.wait(site.delay / self.server.speed):
            return
        body = self.server.pages[site.host]
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if site.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 16_384):
                chunk = body[start : start + 16_384]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the examples' output is the results, not an access log


class _SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a Ctrl-C'd example must not wait for slow answers
    request_queue_size = 128  # socketserver's 5 drops SYNs: clients then retry a second later

    def __init__(self, speed: float) -> None:
        super().__init__(("127.0.0.1", 0), _SiteHandler)
        self.speed = speed
        self.stopping = threading.Event()
        self.pages = {site.host: page(site) for site in SITES}

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up (Ctrl-C, --timeout) is not news


@dataclass(frozen=True)
class LocalSites:
    host: str
    port: int

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)


@contextlib.contextmanager
def serve_sites(speed: float = 1.0) -> Iterator[LocalSites]:
    """Run the stand-in server in a daemon thread for the duration of the block.

    It is a plain thread, not a Trio task: in the task tree the example's own
    tasks are all there is.
    """
    server = _SiteServer(speed)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="local sites", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield LocalSites(str(host), int(port))
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
