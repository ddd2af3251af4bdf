"""Lint: the event loop held (protocol 1.2 ``loop.blocked``).

A synchronous call inside a task (``time.sleep``, a blocking socket, a long
computation) keeps the loop from coming back to its wait for I/O: nothing
else of the run runs meanwhile. The adapter stamps a ``LoopBeat`` on the
loop's thread each time the loop comes back (at its pumps, at most every
``PUMP_INTERVAL`` while busy, and around each wait for I/O); nothing else
runs on that thread for this. The watching thread (``watcher``) looks when
a beat grows older than the threshold while the loop is not waiting: it
samples the loop thread's stack *then* (``sys._current_frames``), so the
task and line reported are the ones holding the loop, and reports the block
while it lasts (``ongoing``) and once the loop is back (the loop's own next
pump says so, with the exact time it came back, after what the loop queued
meanwhile: pumps from other threads leave that to the loop, see
``Pump._process``).

A debugger holding the loop's thread (stopped at a breakpoint, stepping)
is not a block: pydevd suspends a thread inside its own ``do_wait_suspend``,
which the sample sees on the stack. A block the debugger interrupts ends
where it stopped; the stretch the debugger holds is never reported.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from math import inf
from typing import TYPE_CHECKING, Any

from . import lines as L, runqueue
from .fragments import ms, site_json
from .frames import CLASSIFIER
from .running import task_frame, task_id_of

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import CodeType, FrameType

    from .run_mirror import RunMirror

#: While a block lasts: its stack is sampled this often (the most seen line
#: is reported) and an ``ongoing`` report sent at most this often.
SAMPLE_EVERY = 0.05
REPORT_EVERY = 0.25
#: pydevd's functions a suspended thread waits in.
_SUSPEND_NAMES = frozenset({"do_wait_suspend", "_do_wait_suspend"})
#: Most frames looked at for a debugger's suspension, or the program's line.
_MAX_FRAMES = 500
#: The standard library's folder (its files are not the program's).
_STDLIB = os.path.dirname(os.__file__) + os.sep
#: file name -> whether it is the program's own (program_site)
_program_files: dict[str, bool] = {}


class LoopBeat:
    """When a loop last came back to its wait for I/O.

    Written only by the loop's thread (``back``, ``waiting``), read by the
    watching thread; ``claimed`` is the watcher's note that it reported the
    stretch since ``at`` as a block, and ``ended`` the loop's answer: when
    it came back from it. Attribute reads and writes are atomic under the GIL.
    """

    __slots__ = ("at", "claimed", "ended", "entry", "native", "waiting")

    def __init__(self) -> None:
        #: perf_counter() when the loop last came back
        self.at = time.perf_counter()
        #: the program's frame that started the loop (see loop_entry)
        self.entry = loop_entry(sys._getframe(1))
        #: the loop thread's id in the OS (runqueue.waited)
        self.native = threading.get_native_id()
        #: in its wait for I/O now (not held, whatever ``at`` says)
        self.waiting = False
        self.claimed = 0.0
        self.ended = 0.0

    def back(self, now: float) -> None:
        """The loop came back (a pump, the end of a wait for I/O, the run's end)."""
        if self.claimed and not self.ended:
            self.ended = now
        self.at = now


class _Held:
    """A block in progress (kept under the emitter's pump lock)."""

    __slots__ = (
        "announced",
        "deferred",
        "next_report",
        "next_sample",
        "number",
        "reported",
        "rq0",
        "samples",
        "since",
        "tids",
    )

    def __init__(self, number: int, since: float) -> None:
        self.number = number
        self.since = since
        #: (code, line) of the innermost user frame, or None -> times seen
        self.samples: dict[tuple[CodeType, int] | None, int] = {}
        #: site -> the id of the task first seen running there (None: not
        #: known), found when the site is first sampled, while that task
        #: surely runs. A block can run past its line into other tasks
        #: before the loop comes back: the task named is the most seen
        #: line's, not the last sampled one.
        self.tids: dict[tuple[CodeType, int] | None, int | None] = {}
        #: those the stream had announced when looked at: named even once
        #: they have ended (a line must not name a task the reader has not
        #: seen spawn)
        self.announced: set[int] = set()
        self.reported = False
        self.next_sample = 0.0
        self.next_report = 0.0
        #: (when, seconds) the loop's thread had waited for a CPU, read last
        #: before the block (None: not known)
        self.rq0: tuple[float, float] | None = None
        #: a report was held back: the machine, not the program, held the loop so far
        self.deferred = False

    def best_site(self) -> tuple[CodeType, int] | None:
        """The most seen line (None: none, or outside the program)."""
        return max(self.samples.items(), key=lambda kv: kv[1])[0] if self.samples else None

    def best(self, m: RunMirror) -> tuple[str, int | None]:
        """The most seen line (JSON) and the task seen running it, if the
        stream has announced that task."""
        best = self.best_site()
        return (site_json(best[0], best[1]) if best is not None else "null"), self.named(self.tids.get(best), m)

    def named(self, tid: int | None, m: RunMirror) -> int | None:
        """``tid`` if a line may name it: the stream announced it, now or
        when it was looked at before."""
        if tid is None or tid in self.announced:
            return tid
        if tid in m.tasks:
            self.announced.add(tid)
            return tid
        return None


def _in_program(name: str) -> bool:
    """Code of the program itself: neither a library the classifier knows,
    nor the standard library, nor an installed package."""
    hit = _program_files.get(name)
    if hit is None:
        hit = not (
            CLASSIFIER.is_library_file(name)
            or name.startswith((_STDLIB, "<"))
            or "site-packages" in name
            or "dist-packages" in name
        )
        if len(_program_files) > 10_000:
            _program_files.clear()
        _program_files[name] = hit
    return hit


def _program_frame(top: FrameType | None) -> FrameType | None:
    """The innermost frame of the program's own code on a stack."""
    f = top
    n = 0
    while f is not None and n < _MAX_FRAMES:
        if _in_program(f.f_code.co_filename):
            return f
        f = f.f_back
        n += 1
    return None


def program_site(top: FrameType | None, entry: int = 0) -> tuple[CodeType, int] | None:
    """The innermost frame of the program's own code on a stack: the line a
    user can change (a blocking call made in ``requests`` or ``time`` is
    reported at the program's line that called it). None: no such frame,
    or it is the loop's ``entry`` (the program's line that started the loop
    is waiting for it to return: the library, or a debugger, held the loop)."""
    f = _program_frame(top)
    if f is None:
        return CLASSIFIER.user_site(top)
    return None if id(f) == entry else (f.f_code, f.f_lineno)


def loop_entry(top: FrameType | None) -> int:
    """The id of the program's frame that started the loop whose thread's
    stack ends at ``top`` (``trio.run(...)``, ``asyncio.run(...)``): the
    innermost frame of the program's own code outside any task. 0: none (a
    test runner's or a library's frame started it). It stays on the stack,
    so its id stays its own, while the loop runs."""
    coro = task_frame(top)
    f = _program_frame(coro.f_back if coro is not None else top)
    return id(f) if f is not None else 0


def _debugger_holds(top: FrameType | None) -> bool:
    """A debugger suspended the thread whose stack ends at ``top``."""
    f = top
    n = 0
    while f is not None and n < _MAX_FRAMES:
        code = f.f_code
        if code.co_name in _SUSPEND_NAMES and "pydevd" in code.co_filename:
            return True
        f = f.f_back
        n += 1
    return False


class BlockWatch:
    """The blocks of an emitter's runs. ``finish`` runs in every pump;
    ``look`` in pumps off the loop's thread (the watching thread's)."""

    def __init__(self, threshold_ms: float) -> None:
        self.threshold = threshold_ms / 1000.0
        self._held: dict[int, _Held] = {}
        self._numbers: dict[int, int] = {}
        #: run -> the beat's ``at`` of a stretch a debugger holds
        self._paused: dict[int, float] = {}
        #: run -> (when, seconds) its loop's thread had waited for a CPU, read
        #: while no block was held (runqueue)
        self._rq: dict[int, tuple[float, float]] = {}
        #: (run, task id, lines): makes the stream announce that task (the pump's ``announce``)
        self.announce: Callable[[RunMirror, int, list[str]], None] | None = None

    def note_runqueue(self, runs: dict[int, RunMirror], now: float) -> None:
        """From the watching thread's every wake-up: how long each loop's thread
        has waited for a CPU, read at most every half threshold while no block
        is held (a block's share is measured from the reading before it)."""
        if not runqueue.AVAILABLE:
            return
        if len(self._rq) > len(runs):  # (runs that ended: a program may start thousands)
            for run in [r for r in self._rq if r not in runs]:
                del self._rq[run]
        for m in list(runs.values()):
            beat: LoopBeat | None = getattr(m.source, "beat", None)
            last = self._rq.get(m.run)
            if beat is None or m.run in self._held or (last is not None and now - last[0] < self.threshold / 2):
                continue
            waited = runqueue.waited(beat.native)
            if waited is not None:
                self._rq[m.run] = (now, waited)

    def _program_held(self, held: _Held, beat: LoopBeat, now: float) -> bool:
        """The loop was held past the threshold with the time its thread waited
        for a CPU taken out (a busy machine not running it is not a block of
        the program's). True when that cannot be told."""
        rq0 = held.rq0
        waited = runqueue.waited(beat.native) if rq0 is not None else None
        if rq0 is None or waited is None:
            return True
        span = now - rq0[0]
        block = now - held.since
        starved = (waited - rq0[1]) * min(1.0, block / span) if span > 0 else 0.0
        return block - starved >= self.threshold

    def next_look(self, runs: dict[int, RunMirror], now: float) -> float:
        """When the watching thread should look next (perf_counter time; inf: never)."""
        due = inf
        threshold = self.threshold
        for m in list(runs.values()):
            beat: LoopBeat | None = getattr(m.source, "beat", None)
            if beat is None:
                continue
            held = self._held.get(m.run)
            if held is not None and not beat.ended:
                t = held.next_sample
            elif beat.waiting or self._paused.get(m.run) == beat.at:
                t = now + threshold  # idle (or held by a debugger): it may come back and block
            else:
                t = beat.at + threshold
            if t < due:
                due = t
        return due

    def finish(self, runs: dict[int, RunMirror], lines: list[str]) -> None:
        """Blocks whose loop came back: their last report."""
        if not self._held:
            return
        for run, held in list(self._held.items()):
            m = runs.get(run)
            beat: LoopBeat | None = getattr(m.source, "beat", None) if m is not None else None
            if m is None or beat is None:
                del self._held[run]  # the run is over: the store ends what was ongoing
                continue
            ended = beat.ended
            if ended:
                self._end(m, held, beat, ended, lines)

    def holding(self, m: RunMirror, now: float) -> bool:
        """Run ``m``'s loop is held now past the threshold, by the program (a
        debugger stopped at a breakpoint is not), whether or not a look has
        claimed the block yet."""
        beat: LoopBeat | None = getattr(m.source, "beat", None)
        if beat is None:
            return False
        if m.run in self._held and not beat.ended:
            return True
        # (a loop back from a block no pump has ended yet may be held again already)
        return self._held_unclaimed(m, beat, beat.at, now)

    def run_ends(self, m: RunMirror, lines: list[str]) -> None:
        """Run ``m``'s end is about to be written: a block of its loop ends
        first (the loop came back to end it)."""
        held = self._held.get(m.run)
        if held is None:
            return
        beat: LoopBeat | None = getattr(m.source, "beat", None)
        if beat is not None and beat.ended:
            self._end(m, held, beat, beat.ended, lines)
        else:
            del self._held[m.run]  # the store ends what was ongoing

    def report_due(self, runs: dict[int, RunMirror], now: float) -> bool:
        """A look now may write a line: a loop held past the threshold that
        no block claims yet (its first report), or a block's next report."""
        for m in list(runs.values()):
            beat: LoopBeat | None = getattr(m.source, "beat", None)
            if beat is None:
                continue
            held = self._held.get(m.run)
            if held is None or beat.ended:
                # (a block the loop came back from, which no pump has ended yet: its pump may have found the
                # lock taken and the next come only after a new hold, which then went unseen)
                if self._held_unclaimed(m, beat, beat.at, now):
                    return True
            elif now >= held.next_report:
                return True
        return False

    def _held_unclaimed(self, m: RunMirror, beat: LoopBeat, at: float, now: float) -> bool:
        """The loop has not come back since ``at`` for longer than the
        threshold, and no debugger holds that stretch: a block to claim."""
        return not beat.waiting and now - at >= self.threshold and self._paused.get(m.run) != at

    def look(self, runs: dict[int, RunMirror], lines: list[str], now: float, report: bool = True) -> None:
        """From a thread other than the loop's: find, sample and report blocks.
        ``report`` False: only sample the blocks already claimed (between
        two reports; a pump need not run for that, see watcher)."""
        me = threading.get_ident()
        frames: dict[int, FrameType] | None = None
        for m in list(runs.values()):
            beat: LoopBeat | None = getattr(m.source, "beat", None)
            if beat is None or m.thread_id == me:
                continue
            held = self._held.get(m.run)
            at = beat.at
            if held is None and not report:
                continue
            if held is None:
                if not self._held_unclaimed(m, beat, at, now):
                    continue
            elif now < held.next_sample or beat.ended or at != held.since:
                continue  # not due, or the loop is back (finish() ends the block): its stack is not the block's
            if frames is None:
                frames = sys._current_frames()
            top = frames.get(m.thread_id)
            if top is None:
                continue
            if _debugger_holds(top):
                if not report:
                    continue  # the next report's look ends the block there
                if held is not None:
                    self._end(m, held, beat, now, lines)  # stopped at a breakpoint inside the block: it ends here
                self._paused[m.run] = at
                continue
            if held is None:
                self._paused.pop(m.run, None)
                number = self._numbers[m.run] = self._numbers.get(m.run, 0) + 1
                held = self._held[m.run] = _Held(number, at)
                held.rq0 = self._rq.pop(m.run, None)
                beat.ended = 0.0
                beat.claimed = at
                if beat.at != at and not beat.ended:
                    beat.ended = beat.at  # it came back just now, before seeing the claim
            self._sample(m, held, top)
            held.next_sample = now + SAMPLE_EVERY
            if report and now >= held.next_report and not beat.ended:
                if not self._program_held(held, beat, now):
                    held.deferred = True
                    held.next_report = now + SAMPLE_EVERY  # the machine's, so far: told once it is the program's
                    continue
                held.reported = True
                held.next_report = now + REPORT_EVERY
                if not self._announced(m, held, runs, lines):
                    continue  # the run ended meanwhile
                lines.append(self._line(m, held, now, True))

    def _announced(self, m: RunMirror, held: _Held, runs: dict[int, RunMirror], lines: list[str]) -> bool:
        """The task a report is about to name was made before the block, and
        its spawn may still be queued (the watching thread reports without
        encoding what the held loop queued): the stream announces it first.
        False: the run ended meanwhile."""
        tid = held.tids.get(held.best_site())
        if tid is not None and self.announce is not None and tid not in held.announced and tid not in m.tasks:
            self.announce(m, tid, lines)
        return runs.get(m.run) is m

    def _sample(self, m: RunMirror, held: _Held, top: FrameType) -> None:
        beat: LoopBeat | None = getattr(m.source, "beat", None)
        site = program_site(top, beat.entry if beat is not None else 0)
        held.samples[site] = held.samples.get(site, 0) + 1
        if site not in held.tids:
            tid = held.tids[site] = task_id_of(m, task_frame(top), announced=False)
            held.named(tid, m)  # announced already: named even if it ends before the report

    def _end(self, m: RunMirror, held: _Held, beat: LoopBeat, ended: float, lines: list[str]) -> None:
        del self._held[m.run]
        beat.claimed = 0.0
        beat.ended = 0.0
        # (one held back while it lasted is told now if, all told, it was the program's)
        if held.reported or (held.deferred and self._program_held(held, beat, ended)):
            lines.append(self._line(m, held, ended, False))

    def _line(self, m: RunMirror, held: _Held, now: float, ongoing: bool) -> str:
        duration = max(0.0, (now - held.since) * 1000.0)
        at, tid = held.best(m)
        return L.loop_blocked(
            m.run,
            ms(int(now * 1e9), m.t0),
            held.number,
            ms(int(held.since * 1e9), m.t0),
            duration,
            ongoing,
            tid,
            at,
        )


def beat_for(emitter: Any) -> LoopBeat | None:
    """A new run's beat, when its emitter watches for blocks (``block_ms`` > 0)."""
    return LoopBeat() if getattr(emitter, "blocks", None) is not None else None
