"""The pump: each run's queue → protocol lines → socket and/or file.

One pump (``Pump.cycle``, the caller holds the emitter's ``pump_lock``)
encodes what the hooks queued (``mirror``), samples states when due
(``sampler``), reports lints (``blocks``) and makes one non-blocking send
(``transport``). Unsent bytes are bounded; beyond the bound lines are
dropped (counted, reported with ``dropped``, followed by a snapshot so the
reader heals). The emitter (``emitter``) says when a pump runs and on
which thread.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from math import inf
from typing import TYPE_CHECKING, Any

from . import batches as B, events as E, lines as L
from .transport import close_quietly

if TYPE_CHECKING:
    import collections
    from collections.abc import Callable

    from .blocks import BlockWatch
    from .mirror import Mirror
    from .run_mirror import RunMirror
    from .transport import Connection

#: Unsent bytes held for a slow collector before lines are dropped.
SEND_LIMIT = 8 * 1024 * 1024
#: ... or fewer, with a small max_buffer: this many bytes a line, at least
#: SEND_LIMIT_MIN
LINE_BYTES = 128
SEND_LIMIT_MIN = 16 * 1024
#: Most queued values (see events) encoded at once, with no collector to
#: wait for.
BATCH = 200_000
#: ... while connected: chunks, only while fewer than OUT_HIGH bytes wait for
#: the collector; the rest waits in the queue (bounded by max_buffer), so a
#: burst of 100,000 spawns goes out as fast as the collector reads.
CHUNK = 20_000
OUT_HIGH = 1 << 20
#: A first look at new tasks: a task reads ``scheduled`` until a sample sees
#: it, so a pump samples the tasks announced since the last look (up to
#: FIRST_LOOK_MAX of them; a spawn storm gets none) FIRST_LOOK_AFTER after
#: they were announced (time for their first step), instead of up to a
#: sample period later. Looks stay FIRST_LOOK_GAP apart; each looks at new
#: tasks only, so its cost follows the rate of spawns, not the live tasks.
FIRST_LOOK_MAX = 64
FIRST_LOOK_AFTER = 0.01
FIRST_LOOK_GAP = 0.02
#: ``announce``: most queued values encoded to name a task, and fewest at once
ANNOUNCE_MAX = 512
ANNOUNCE_STEP = 16


def write_stderr(msg: str) -> None:
    try:
        sys.stderr.write(msg + "\n")
        sys.stderr.flush()
    except Exception:
        pass


class Pump:
    """The pumping half of an ``emitter.Emitter`` (its state is the emitter's)."""

    queue: collections.deque[Any]
    mirror: Mirror
    conn: Connection | None
    disabled: bool
    stopped: bool
    hook_drops: int
    backed_up: bool
    blocks: BlockWatch | None
    sampler: Callable[[RunMirror, list[str]], None] | None
    sample_period: float
    next_sample: float
    sampled_at: float
    loop_idle: bool
    looker: Callable[[RunMirror, list[str], int, int], None] | None
    look_at: float
    looked_at: float
    _told_disabled: bool
    _reported_drops: int
    _sock_drops: int
    _need_resync: bool
    _told_socket: int
    _send_limit: int
    _out_high: int
    _pid: int
    _file: Any
    _sink: Callable[[str], None] | None

    def cycle(self) -> None:
        """One pump (the caller holds ``pump_lock``): all that is queued,
        or, when the socket is the only output, as much as the collector
        takes (a recording file or sink gets everything at once; a socket
        that is behind then drops and heals with a snapshot)."""
        if self.stopped or self._pid != os.getpid():
            return  # closed, or a forked child's copy of the parent's emitter
        conn = self.conn
        if conn is not None and conn.sock is None:
            conn.step()
            if not conn.first_attempt_done:
                return  # hold the queue for a collector that may be there
        # the socket as the only output, or None
        only = (
            conn if conn is not None and conn.sock is not None and self._file is None and self._sink is None else None
        )
        out_high = self._out_high
        while True:
            if only is None:
                budget = BATCH
            elif len(only.out) < out_high:
                budget = CHUNK
            else:
                budget = 0
            left = self._process(budget)
            # a collector that is this far behind: an idle loop need not be
            # woken early for what is queued (see the adapter's pump hook)
            self.backed_up = only is not None and only.sock is not None and len(only.out) >= out_high
            if not budget or not left or (only is not None and (only.sock is None or len(only.out) >= out_high)):
                return

    def pending(self) -> bool:
        """Anything queued that no pump has taken yet."""
        return bool(self.queue) or any(m.rq for m in list(self.mirror.runs.values()))

    def _process(self, budget: int) -> bool:
        """Encode up to ``budget`` queued values, sample when due, send.
        True when values are left in a run's queue."""
        lines: list[str] = []
        mirror = self.mirror
        handle = mirror.handle
        queue = self.queue
        while queue:  # runs starting, notices: few
            item = queue.popleft()
            if not self.disabled:
                handle(item, lines)
            elif item[0] == E.DISABLED and not self._told_disabled:
                self._told_disabled = True
                handle(item, lines)
        conn = self.conn
        emit = (conn is not None and conn.sock is not None) or self._file is not None or self._sink is not None
        left = False
        blocks = self.blocks if not self.disabled else None
        me = threading.get_ident() if blocks is not None else 0
        now = time.perf_counter() if blocks is not None else 0.0
        for m in list(mirror.runs.values()):
            rq = m.rq
            m.drained_tid = m.last_tid  # tasks announced before this pump have had a step
            if blocks is not None and m.thread_id != me and not self.stopped and blocks.holding(m, now):
                # A loop held past the block threshold: what it queues waits for its own pump
                # (draining a spawn storm from here would fight it for the GIL as long as it
                # lasts: ~8% of asyncio spawn-heavy). A task a report names is announced first.
                # (The last pump, at close, takes everything.)
                continue
            if self.disabled:
                rq.clear()  # switched off: only the runtime.disabled notice goes out
            elif rq:
                budget -= mirror.drain(m, budget, lines, emit)
                if rq:
                    left = True
        hook_drops = self.hook_drops
        if hook_drops > self._reported_drops and not self.disabled:
            # the queue was full: every output lost these events
            count = hook_drops - self._reported_drops
            self._reported_drops = hook_drops
            lines.append(L.dropped(mirror.any_ts(), count, hook_drops + self._sock_drops))
            self._need_resync = True
        if blocks is not None:
            # after the drain, so a block's last report may name a task made just
            # before it (a run that ended had its block ended first: Mirror.before_end)
            blocks.finish(mirror.runs, lines)
            if mirror.runs:
                blocks.look(mirror.runs, lines, time.perf_counter())
        self._sample_when_due(lines)
        if lines:
            self._output(lines)
        if conn is not None:
            conn.send()
        return left

    def _sample_when_due(self, lines: list[str]) -> None:
        """Samples the runs' tasks, or gives new ones their first look, when due."""
        mirror = self.mirror
        if self.sample_period and self.sampler is not None and not self.disabled and mirror.runs:
            now = time.perf_counter()
            if now >= self.next_sample:
                self.next_sample = now + self.sample_period
                self.sampled_at = self.looked_at = now
                self.look_at = inf
                for m in list(mirror.runs.values()):
                    m.looked_tid = m.drained_tid  # (new ones, not yet run, still get their first look)
                    m.idle = self.loop_idle
                    if m.failed:
                        continue
                    try:
                        self.sampler(m, lines)
                    except Exception as exc:
                        # the adapter's reading of its library failed: that run only
                        m.source.fail(exc)
            elif now >= self.look_at:
                self._first_looks(lines, now)
            self._owe_look(now)

    def announce(self, m: RunMirror, tid: int, lines: list[str]) -> None:
        """Encodes ``m``'s queue up to the spawn of task ``tid`` (a report
        names only tasks the stream has announced), little further: each
        spawn takes at least one queued value, so ``tid - last_tid`` values
        never pass it (nor ANNOUNCE_STEP more). At most ANNOUNCE_MAX values:
        a task further in is named once the loop's own pump has written it."""
        conn = self.conn
        emit = (conn is not None and conn.sock is not None) or self._file is not None or self._sink is not None
        runs = self.mirror.runs
        left = ANNOUNCE_MAX
        while left > 0 and tid - m.last_tid <= left and tid not in m.tasks and m.rq and runs.get(m.run) is m:
            left -= self.mirror.drain(m, max(tid - m.last_tid, ANNOUNCE_STEP), lines, emit)

    def rounds_behind(self, since: float) -> bool:
        """Whether a run's round robin of samples has not gone once round
        since ``since`` (the loop last ran): tasks it has not looked at since
        they ran (a burst of spawns, then the loop idle) still show the
        state they were announced in."""
        return any(m.round_done_from < since and not m.failed for m in list(self.mirror.runs.values()))

    def sample_owed_at(self) -> float:
        """When the next sample or first look is owed (an idle loop wakes for it)."""
        return self.look_at if self.look_at < self.next_sample else self.next_sample

    def _first_looks(self, lines: list[str], now: float) -> None:
        """Samples the tasks each run announced before this pump and no look has seen."""
        self.looked_at = now
        self.look_at = inf
        looker = self.looker
        for m in list(self.mirror.runs.values()):
            after = m.looked_tid
            m.looked_tid = m.drained_tid
            m.idle = self.loop_idle
            if m.drained_tid > after and not m.failed and looker is not None:
                try:
                    looker(m, lines, after, FIRST_LOOK_MAX)
                except Exception as exc:
                    m.source.fail(exc)

    def _owe_look(self, now: float) -> None:
        """When the next first look is due: FIRST_LOOK_AFTER from now, if a
        run announced tasks no look has seen (inf: none)."""
        if not any(m.last_tid != m.looked_tid for m in list(self.mirror.runs.values())):
            self.look_at = inf
        elif self.look_at == inf:
            self.look_at = max(now + FIRST_LOOK_AFTER, self.looked_at + FIRST_LOOK_GAP)

    def _output(self, lines: list[str]) -> None:
        lines.append("")  # the last line's newline, without copying the batch again
        data = "\n".join(lines)
        del lines[-1]
        if self._file is not None:
            try:
                self._file.write(data)
                self._file.flush()
            except Exception as exc:
                close_quietly(self._file)
                self._file = None
                write_stderr(f"nursery_lens: cannot write the recording any more: {exc!r}")
        if self._sink is not None:
            self._sink(data)
        conn = self.conn
        if conn is not None and conn.sock is not None:
            if len(conn.out) > self._send_limit:
                # the collector does not keep up: drop, heal later
                self._sock_drops += B.events_in(lines)
                self._need_resync = True
            elif self._need_resync:
                # Lines were lost on this connection. This batch is replaced
                # by a snapshot of the state after it (sending both would
                # name tasks the reader never saw), preceded by the count.
                self._need_resync = False
                self._sock_drops += B.events_in(lines)
                total = self.hook_drops + self._sock_drops
                out: list[str] = []
                if total > self._told_socket:
                    out.append(L.dropped(self.mirror.any_ts(), total - self._told_socket, total))
                    self._told_socket = total
                # run.started too: the lost lines may have held it
                out.extend(self.mirror.snapshot(resumed=True))
                # a run that ended in this batch is no longer in the snapshot
                out.extend(x for x in lines if x.startswith(L.ENDINGS))
                conn.out += ("\n".join(out) + "\n").encode("utf-8", "surrogatepass")
            else:
                conn.out += data.encode("utf-8", "surrogatepass")
