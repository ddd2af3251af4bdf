"""The watching writer thread: it pumps when no loop has for a while.

Measured here: a second Python thread whose timed wait ends while the
loop's thread is busy costs the program ~10 ms of GIL contention per
wake-up (``Handoff`` says why, and how the loop lets it in instead). So
this thread only *watches*: ``WATCH_BUSY`` after the last pump
(the loop's or its own) it pumps itself (a task holding the loop is then
sampled ``running`` at its line; a long-idle loop gets a fresh sample), and
while a debugger is loaded every ``WATCH_IDLE``, so the tree stays live
while the user is stopped at a breakpoint. It also reconnects while no loop
pumps, and looks at a loop whose beat is older than the block threshold
(``blocks``: one wake-up per threshold while a loop runs, none of them
costing the loop anything unless it is held). It is marked so debugpy
neither traces nor suspends it.
"""

from __future__ import annotations

import sys
import threading
import time
from math import inf
from typing import TYPE_CHECKING

from .debugger import DEBUGGER_MODULE
from .events import RUN_START

if TYPE_CHECKING:
    from collections.abc import Callable

    from .emitter import Emitter

#: Watch period while a debugger is attached.
WATCH_IDLE = 0.1
#: ... otherwise, after the loop's last pump (a wake-up while the loop's
#: thread is busy costs the program milliseconds: keep them rare).
WATCH_BUSY = 5.0
#: The shortest wait, and the wait while a connect is under way.
WAIT_MIN = 0.005
WAIT_CONNECTING = 0.01
#: A busy loop lets this thread in this long before its timed wait would
#: end (more than the loop's PUMP_INTERVAL, so that one of its pumps falls
#: in between), and waits at most HANDOFF_MAX for it to look and wait again.
HANDOFF_LEAD = 0.02
HANDOFF_MAX = 0.002


class Handoff:
    """The loop's thread lets the watching thread in, rather than have it
    fight for the GIL.

    A thread whose timed wait ends while the loop's thread is busy wants
    the GIL back, and a busy loop releases it at every iteration (its poll
    for I/O) and takes it back at once: the waiting thread is woken at
    each release and beaten each time, for ~10 ms, both threads burning
    CPU (measured: 1-2 ms of this thread's CPU per wake-up, and the loop's
    too: ~8% of checkpoint-heavy Trio at one look per 100 ms). So while a loop pumps, this
    thread says when it means to look (``at``) and the loop's pump, from
    that moment on (``HANDOFF_LEAD`` before its timed wait would end),
    wakes it and waits on a lock it releases once it has looked and waits
    again: one clean switch of the GIL each way. A held loop does not
    pump: then the timed wait ends by itself, as it must.
    """

    __slots__ = ("at", "given", "missed", "pending")

    def __init__(self) -> None:
        #: perf_counter() time from which a loop's pump hands over; inf: none
        self.at = inf
        #: the lock a loop's thread waits on until this thread has looked
        self.pending: threading.Lock | None = None
        #: handovers given, and timed waits that ended by themselves while
        #: a loop was to hand over (read by tests)
        self.given = 0
        self.missed = 0

    def give(self, wake: threading.Event) -> None:
        """On the loop's thread, after a pump (never holding ``pump_lock``):
        wake the watching thread and let it take the GIL."""
        self.at = inf
        lock = threading.Lock()
        lock.acquire()
        self.pending = lock
        self.given += 1
        wake.set()
        lock.acquire(True, HANDOFF_MAX)  # a watcher slower than this: the loop goes on

    def waiting(self, now: float, wait: float, busy: bool) -> None:
        """On the watching thread, just before it waits ``wait`` seconds:
        from when a ``busy`` loop's pump hands over; then let a loop that
        handed over go on."""
        self.at = now + wait - HANDOFF_LEAD if busy and wait > 2 * HANDOFF_LEAD else inf
        lock = self.pending
        if lock is not None:
            self.pending = None
            lock.release()  # (a loop that gave up waiting left it locked: no harm)


class WriterThread(threading.Thread):
    """Daemon thread that debuggers leave alone.

    ``pydev_do_not_trace`` keeps pydevd from tracing it and
    ``is_pydev_daemon_thread`` keeps it running when the debugger suspends
    all threads at a breakpoint.
    """

    pydev_do_not_trace = True
    is_pydev_daemon_thread = True

    def __init__(self, target: Callable[[], None]) -> None:
        super().__init__(target=target, name="nursery-lens-writer", daemon=True)


def start_watching(em: Emitter) -> WriterThread:
    def main() -> None:
        try:
            _watch(em)
        except Exception as exc:  # never let the thread die silently
            em.broken(exc)

    thread = WriterThread(main)
    thread.start()
    return thread


def _watch(em: Emitter) -> None:
    watched_at = 0.0  # when this thread last pumped: its watch counts from
    # the later of that and the loop's last pump, so an idle loop is looked
    # at every WATCH_BUSY
    runs = em.mirror.runs
    conn = em.conn
    blocks = em.blocks
    starting_since = 0.0  # a run waiting for its loop's first pump since
    handoff = em.handoff
    while not em.stopped:
        now = time.perf_counter()
        debugger = DEBUGGER_MODULE in sys.modules
        if debugger or (runs and em.loop_idle and not all(m.source.wakes_for_pumps for m in list(runs.values()))):
            # A debugger may hold the loop at a breakpoint: keep the tree
            # live (the program runs at the debugger's pace). A loop that
            # cannot cut its idle wait short for an owed sample: we take it.
            timeout = WATCH_IDLE
            if em.sample_period:
                timeout = max(WAIT_MIN, min(timeout, em.next_sample - now))
        elif runs:
            # The loop pumps itself, busy or idle: look WATCH_BUSY after its
            # last pump (a task holding the loop longer is shown running; a
            # long-idle loop gets a fresh sample).
            timeout = max(WAIT_MIN, max(em.loop_pumped_at, watched_at) + WATCH_BUSY - now)
        else:
            timeout = WATCH_BUSY
        if conn is not None and conn.sock is None and (em.loop_idle or not runs):
            # (re)connecting while no loop pumps: our job
            due = WAIT_CONNECTING if conn.connecting is not None else conn.next_connect - time.monotonic()
            timeout = max(WAIT_MIN, min(timeout, due))
        if blocks is not None and _run_starting(em):
            # until the loop's first pump takes the run in; we take it if
            # that does not come within the block threshold (held at once)
            if not starting_since:
                starting_since = now
            timeout = min(timeout, WAIT_CONNECTING)
            if now - starting_since >= blocks.threshold:
                timeout = 0.0
                em.pump_asked = True
        else:
            starting_since = 0.0
        due = now + timeout
        # a loop held past the block threshold is looked at while it is held
        if blocks is not None and runs and not em.disabled:
            blocks.note_runqueue(runs, now)  # a block's share of a busy machine is measured from here
        look = blocks.next_look(runs, now) if blocks is not None and runs and not em.disabled else inf
        wait = max(WAIT_MIN, look - now) if look < due else timeout
        handoff.waiting(now, wait, bool(runs) and not em.loop_idle)
        if not em.wake.wait(wait) and handoff.at < inf:
            handoff.missed += 1
        em.wake.clear()
        if em.stopped:
            break
        kicked = em.pump_asked  # (a run starting also wakes us, only to look again)
        if kicked:
            em.pump_asked = False
        now = time.perf_counter()
        if (kicked or now >= due) and (kicked or not runs or now - em.loop_pumped_at >= WATCH_IDLE):
            # no loop pumped lately: idle, or held
            with em.pump_lock:
                em.cycle()
            watched_at = time.perf_counter()
        elif now >= look and blocks is not None and blocks.next_look(runs, now) <= now:
            with em.pump_lock:
                if blocks.report_due(runs, now):
                    em.cycle()  # a loop held: the pump reports it (blocks.look; what it queued waits for its loop)
                else:
                    # between two reports only its stack is sampled: a pump
                    # from this thread while the loop's runs costs it the GIL
                    blocks.look(runs, [], now, report=False)
    handoff.waiting(0.0, 0.0, False)  # a loop waiting on us goes on
    with em.pump_lock:
        em.cycle()


def _run_starting(em: Emitter) -> bool:
    """A run started and no pump has taken it in yet (its loop's first pump will)."""
    return not em.disabled and any(item[0] == RUN_START for item in list(em.queue))
