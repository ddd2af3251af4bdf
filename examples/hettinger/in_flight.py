"""A counter of fetches in flight that fails loudly when a limit is broken."""

from __future__ import annotations

import contextlib
from typing import Iterator


class InFlight:
    """Counts the fetches running at once; raises past the limit.

    The CapacityLimiter (or asyncio.Semaphore) is what keeps the count at or
    under the limit; this counter checks it independently, so the examples'
    "at most N at once" line is a measurement, not a promise.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.now = 0
        self.most = 0

    @contextlib.contextmanager
    def fetching(self, url: str) -> Iterator[None]:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            if self.now > self.limit:
                raise AssertionError(f"{self.now} fetches in flight when {url} started, but --limit is {self.limit}")
            yield
        finally:
            self.now -= 1
