"""Hettinger's site-size example as he showed it: a pool of threads.

    python threads.py [--limit N] [--ordered] [--timeout S] [--speed X] [--internet]

This is the reference point for trio_way.py and asyncio_way.py. There is no
task tree to see here: Nursery Lens shows Trio tasks (and asyncio tasks once
that support lands). In the debugger's CALL STACK view you see the pool's ten
worker threads instead, each blocked inside urllib's socket read, with
nothing that says which site a thread is fetching or who is waiting for it.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import sys
import time
import urllib.request
from multiprocessing.pool import ThreadPool
from typing import Optional
from urllib.parse import urlsplit

import sites


def sitesize(url: str, local: Optional[sites.LocalSites]) -> tuple[str, int]:
    """Fetch one page (blocking this worker thread) and return (url, size)."""
    if local is None:
        request = urllib.request.Request(url)
    else:
        # Ask the stand-in server, naming the site in the Host header.
        parts = urlsplit(url)
        host, path = parts.hostname or "", parts.path or "/"
        request = urllib.request.Request(f"http://{local.host}:{local.port}{path}", headers={"Host": host})
    with urllib.request.urlopen(request) as response:
        page = response.read()
    return url, len(page)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch Hettinger's sites with a thread pool.")
    sites.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.limit < 1:
        parser.error("--limit must be at least 1")
    started = time.monotonic()
    deadline = started + args.timeout if args.timeout is not None else None
    done: list[str] = []
    try:
        with contextlib.ExitStack() as stack:
            local = None if args.internet else stack.enter_context(sites.serve_sites(args.speed))
            # Leaving this block terminates the pool: workers still blocked in
            # a read are abandoned (they are daemon threads), not cancelled.
            pool = stack.enter_context(ThreadPool(args.limit))
            jobs = [(url, local) for url in sites.URLS]
            # imap_unordered yields results as workers finish; imap keeps input order.
            results = pool.imap(_sitesize, jobs) if args.ordered else pool.imap_unordered(_sitesize, jobs)
            for _ in jobs:
                wait = None if deadline is None else max(0.0, deadline - time.monotonic())
                url, size = results.next(wait)
                done.append(url)
                print((url, size), flush=True)
    except multiprocessing.TimeoutError:
        unfinished = [url for url in sites.URLS if url not in done]
        print(f"timed out after {args.timeout:g} s: {len(unfinished)} of {len(sites.URLS)} sites unfinished: {' '.join(unfinished)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: pool terminated", file=sys.stderr)
        return 130
    print(f"{len(done)} sites in {time.monotonic() - started:.2f} s with {args.limit} threads", file=sys.stderr)
    return 0


def _sitesize(job: tuple[str, Optional[sites.LocalSites]]) -> tuple[str, int]:
    return sitesize(*job)


if __name__ == "__main__":
    sys.exit(main())
