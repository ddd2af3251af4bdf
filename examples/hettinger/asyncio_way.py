"""Hettinger's site-size example with asyncio (Python 3.11+): TaskGroup + Semaphore.

    python asyncio_way.py [--limit N] [--ordered] [--timeout S] [--speed X] [--internet]

The same program as trio_way.py, line for line where asyncio allows, for
comparison. The Nursery Lens panel shows the same shape as for the Trio way:
the main task `crawl`, inside `asyncio.timeout` (when --timeout is given: a
countdown beside it), owning one TaskGroup with fourteen `fetch(<url>)`
tasks, some waiting at `async with limiter:`, the rest in `page_size`'s read;
each returns as its line prints. The debugger's CALL STACK shows only the one
event-loop thread: the panel is where the tasks are.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from typing import Optional
from urllib.parse import urljoin, urlsplit

import http_body
import sites
from in_flight import InFlight


async def page_size(url: str, local: Optional[sites.LocalSites], redirects: int = 5) -> int:
    """GET `url` over an asyncio stream and return the number of body bytes."""
    parts = urlsplit(url)
    host, path = parts.hostname or "", parts.path or "/"
    if local is not None:
        reader, writer = await asyncio.open_connection(local.host, local.port)
    elif parts.scheme == "https":
        reader, writer = await asyncio.open_connection(host, parts.port or 443, ssl=True)
    else:
        reader, writer = await asyncio.open_connection(host, parts.port or 80)
    try:
        writer.write(http_body.request(host, path))
        await writer.drain()
        body = http_body.BodyCounter()
        while not body.complete:
            data = await reader.read(65536)  # waiting for the site to answer
            if data:
                body.feed(data)
            else:
                body.eof()
    finally:
        writer.close()
    location = body.headers.get("location")
    if local is None and body.status in (301, 302, 303, 307, 308) and location and redirects:
        return await page_size(urljoin(url, location), local, redirects - 1)
    return body.size


async def fetch(
    url: str,
    limiter: asyncio.Semaphore,
    results: "asyncio.Queue[tuple[str, int]]",
    in_flight: InFlight,
    local: Optional[sites.LocalSites],
) -> None:
    """One site's task: wait for a free slot, fetch the page, queue (url, size)."""
    async with limiter:  # at most --limit tasks get past this line at once
        with in_flight.fetching(url):
            size = await page_size(url, local)
    await results.put((url, size))


async def crawl(urls: list[str], limit: int, ordered: bool, timeout: Optional[float], local: Optional[sites.LocalSites]) -> int:
    """Fetch every site, at most `limit` at once; print (url, size) as they finish."""
    limiter = asyncio.Semaphore(limit)
    in_flight = InFlight(limit)
    results: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
    finished: dict[str, int] = {}
    pending = list(urls)
    started = time.monotonic()
    try:
        # asyncio.timeout is the counterpart of trio.fail_after: it raises
        # TimeoutError when the deadline passes (asyncio has no move_on_after),
        # so the partial results are reported from the except clause.
        async with asyncio.timeout(timeout):
            async with asyncio.TaskGroup() as group:
                for url in urls:
                    group.create_task(fetch(url, limiter, results, in_flight, local), name=f"fetch({url})")
                # asyncio has no channel that closes when the last sender is
                # done, so count the results instead of iterating a channel.
                for _ in urls:
                    url, size = await results.get()  # the imap_unordered loop
                    finished[url] = size
                    if not ordered:
                        print((url, size), flush=True)
                    while ordered and pending and pending[0] in finished:
                        first = pending.pop(0)
                        print((first, finished[first]), flush=True)
    except TimeoutError:
        if ordered:
            for url in pending:
                if url in finished:
                    print((url, finished[url]), flush=True)
        unfinished = [url for url in urls if url not in finished]
        print(f"timed out after {timeout:g} s: {len(unfinished)} of {len(urls)} sites unfinished: {' '.join(unfinished)}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started
    print(f"{len(finished)} sites in {elapsed:.2f} s, at most {in_flight.most} fetches at once (limit {limit})", file=sys.stderr)
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch Hettinger's sites with an asyncio TaskGroup and a Semaphore.")
    sites.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.limit < 1:
        parser.error("--limit must be at least 1")
    try:
        with contextlib.ExitStack() as stack:
            local = None if args.internet else stack.enter_context(sites.serve_sites(args.speed))
            # asyncio.run cancels the main task on Ctrl-C (3.11+), the
            # TaskGroup cancels its children, then KeyboardInterrupt is raised.
            return asyncio.run(crawl(sites.URLS, args.limit, args.ordered, args.timeout, local))
    except KeyboardInterrupt:
        print("interrupted: all fetches cancelled", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
