"""Hettinger's site-size example, the Trio way.

    python trio_way.py [--limit N] [--ordered] [--timeout S] [--speed X] [--internet]

What to look at in the Nursery Lens panel (F5 on "Hettinger: the Trio way"):
  * one nursery, owned by the main task (`crawl`), holding fourteen children
    named `fetch(<url>)`, one per site;
  * ten of them are inside their fetch, waiting on the network in
    `page_size` (the `receive_some` line); the other four wait on the
    `async with limiter:` line in `fetch` until a slot frees up;
  * each child turns "returned" as its site answers, in the order the
    (url, size) lines print; the main task waits at `async for` meanwhile;
  * with "Hide system" off, each fetch briefly owns a small nursery: that is
    `trio.open_tcp_stream` racing its connection attempts ("happy eyeballs");
  * with --timeout, the deadline is a cancel scope around the nursery:
    when it expires every fetch still queued or running turns "cancelled".

By default the sites are local stand-ins (see sites.py), so the example runs
offline with deterministic sizes and delays.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from typing import Optional
from urllib.parse import urljoin, urlsplit

import trio

import http_body
import sites
from in_flight import InFlight


async def page_size(url: str, local: Optional[sites.LocalSites], redirects: int = 5) -> int:
    """GET `url` over a Trio TCP stream and return the number of body bytes."""
    parts = urlsplit(url)
    host, path = parts.hostname or "", parts.path or "/"
    if local is not None:
        # The stand-in server answers for every site: only the address differs.
        stream: trio.abc.Stream = await trio.open_tcp_stream(local.host, local.port)
    elif parts.scheme == "https":
        stream = await trio.open_ssl_over_tcp_stream(host, parts.port or 443)
    else:
        stream = await trio.open_tcp_stream(host, parts.port or 80)
    async with stream:
        await stream.send_all(http_body.request(host, path))
        body = http_body.BodyCounter()
        while not body.complete:
            data = await stream.receive_some(65536)  # waiting for the site to answer
            if data:
                body.feed(data)
            else:
                body.eof()
    location = body.headers.get("location")
    if local is None and body.status in (301, 302, 303, 307, 308) and location and redirects:
        # The real sites redirect (http -> https, www -> none); urllib follows too.
        return await page_size(urljoin(url, location), local, redirects - 1)
    return body.size


async def fetch(
    url: str,
    limiter: trio.CapacityLimiter,
    results: trio.MemorySendChannel,
    in_flight: InFlight,
    local: Optional[sites.LocalSites],
) -> None:
    """One site's task: wait for a free slot, fetch the page, send back (url, size)."""
    async with results:
        async with limiter:  # at most --limit tasks get past this line at once
            with in_flight.fetching(url):
                size = await page_size(url, local)
        try:
            await results.send((url, size))
        except trio.BrokenResourceError:
            # crawl stopped listening (Ctrl-C): nobody wants this result. Raising
            # would fail the nursery while crawl is still closing its channel,
            # and the Cancelled that crawl then gets replaces its Ctrl-C.
            pass


class InOrder:
    """Prints results in input order as soon as every earlier one is in (map)."""

    def __init__(self, urls: list[str]) -> None:
        self.pending = list(urls)
        self.done: dict[str, int] = {}

    def add(self, url: str, size: int) -> None:
        self.done[url] = size
        while self.pending and self.pending[0] in self.done:
            first = self.pending.pop(0)
            print((first, self.done[first]), flush=True)

    def flush_finished(self) -> None:
        """After a timeout: print what did finish, still in input order."""
        for url in self.pending:
            if url in self.done:
                print((url, self.done[url]), flush=True)


async def crawl(urls: list[str], limit: int, ordered: bool, timeout: Optional[float], local: Optional[sites.LocalSites]) -> int:
    """Fetch every site, at most `limit` at once; print (url, size) as they finish."""
    limiter = trio.CapacityLimiter(limit)
    in_flight = InFlight(limit)
    in_order = InOrder(urls)
    finished: dict[str, int] = {}
    started = time.monotonic()
    # move_on_after, not fail_after: the deadline is for the whole crawl, and
    # when it passes we still want the sites that did answer. The scope
    # cancels every fetch still queued or running, the nursery waits for them
    # to unwind, and we carry on with what we have. (fail_after would raise
    # TooSlowError out of this block instead; we would catch it to report.)
    deadline = trio.move_on_after(timeout) if timeout is not None else trio.CancelScope()
    with deadline:
        async with trio.open_nursery() as nursery:
            send, receive = trio.open_memory_channel(0)
            async with send:
                for url in urls:
                    nursery.start_soon(fetch, url, limiter, send.clone(), in_flight, local, name=f"fetch({url})")
            async with receive:
                async for url, size in receive:  # the imap_unordered loop
                    finished[url] = size
                    if ordered:
                        in_order.add(url, size)
                    else:
                        print((url, size), flush=True)
    elapsed = time.monotonic() - started
    if deadline.cancelled_caught:
        if ordered:
            in_order.flush_finished()
        unfinished = [url for url in urls if url not in finished]
        print(f"timed out after {timeout:g} s: {len(unfinished)} of {len(urls)} sites unfinished: {' '.join(unfinished)}", file=sys.stderr)
        return 1
    print(f"{len(finished)} sites in {elapsed:.2f} s, at most {in_flight.most} fetches at once (limit {limit})", file=sys.stderr)
    return 0


def is_interrupt(exc: BaseException) -> bool:
    """Ctrl-C, bare (Trio < 0.25) or inside the nursery's exception group."""
    if isinstance(exc, KeyboardInterrupt):
        return True
    if isinstance(exc, BaseExceptionGroup):
        interrupts, rest = exc.split((KeyboardInterrupt, trio.Cancelled))
        return interrupts is not None and rest is None and interrupts.subgroup(KeyboardInterrupt) is not None
    return False


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch Hettinger's sites with a Trio nursery and a CapacityLimiter.")
    sites.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.limit < 1:
        parser.error("--limit must be at least 1")
    try:
        with contextlib.ExitStack() as stack:
            local = None if args.internet else stack.enter_context(sites.serve_sites(args.speed))
            return trio.run(crawl, sites.URLS, args.limit, args.ordered, args.timeout, local)
    except BaseException as exc:
        if not is_interrupt(exc):
            raise
        # Trio has already cancelled every fetch and waited for them to unwind.
        print("interrupted: all fetches cancelled", file=sys.stderr)
        return 130  # 128 + SIGINT, what a shell reports for Ctrl-C


if __name__ == "__main__":
    sys.exit(main())
