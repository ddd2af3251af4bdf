"""Queues → protocol lines → socket and/or file, pumped from the loop's thread.

Hooks append to their run's deque (``events``); beyond ``queue_cap`` values
they count a drop. The *loop's thread* pumps at its wait for I/O, at most
every ``PUMP_INTERVAL`` (the adapter finds the place, and cuts an idle wait
short when a pump is owed): it encodes lines (``mirror``), samples states
when due (``sampler``) and makes one non-blocking send (``transport``):
that pump is ``pump``, this is when and where it runs. A
second thread waking while the loop is busy fights it for the GIL, so the
writer thread (``watcher``) only pumps when no loop has for a while.
Unsent bytes are bounded; beyond the bound lines are dropped (counted,
reported with ``dropped``, followed by a snapshot so the reader heals).
Any internal error: one line on stderr, the runtime switches itself off.
"""

from __future__ import annotations

import atexit
import collections
import itertools
import os
import select
import threading
import time
from math import inf
from typing import TYPE_CHECKING, Any

from . import emitters, events as E, lines as L
from .blocks import BlockWatch
from .config import parse_address
from .coro_warnings import install as install_warnings, track_origins, untrack_origins
from .errors import failure_reason
from .mirror import Mirror
from .pump import LINE_BYTES, OUT_HIGH, SEND_LIMIT, SEND_LIMIT_MIN, Pump, write_stderr
from .transport import Connection, close_quietly
from .watcher import Handoff, WriterThread, start_watching

if TYPE_CHECKING:
    from collections.abc import Callable

    from .adapter import ObservedRun
    from .config import Config
    from .run_mirror import RunMirror

#: Seconds between pumps while the loop is busy.
PUMP_INTERVAL = 0.01
#: Flushing: at most this long, giving up after STALL without progress;
#: at close (and exit) a little shorter. Between tries it waits POLL.
FLUSH_TIMEOUT = 5.0
FLUSH_STALL = 0.5
FLUSH_AT_CLOSE = 3.0
FLUSH_POLL = 0.02
#: Seconds close() waits for the writer thread.
JOIN_TIMEOUT = 1.0
#: Distinct reasons of failed runs said on stderr; the rest only on the wire.
MAX_FAILURES_TOLD = 3


def open_private(path: str) -> Any:
    """``path`` for writing, readable by its owner only (0600): a new file
    renamed over it, so an existing file's wider mode is not kept and no
    reader that opened the old one sees what is written."""
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:  # an unwritable folder: the file itself, made private
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.chmod(path, 0o600)
        except OSError:
            pass
    else:
        try:
            os.replace(tmp, path)
        except OSError:
            os.close(fd)
            os.unlink(tmp)
            raise
    return os.fdopen(fd, "w", encoding="utf-8", newline="\n")


class Emitter(Pump):
    """One output stream (socket and/or file) shared by every run it serves.

    ``runtime`` is (library name, version) for the hello.
    """

    def __init__(self, config: Config, runtime: tuple[str, str], sink: Callable[[str], None] | None = None) -> None:
        self.config = config
        self.runtime = runtime
        #: runs starting, notices (see events); each run has its own deque
        self.queue: collections.deque[Any] = collections.deque()
        self.append = self.queue.append
        #: most values a run's deque holds (see events)
        self.queue_cap = config.max_buffer * E.VALUES_PER_EVENT
        self.hook_drops = 0  # incremented by hooks (the loop's thread)
        self.disabled = False
        self._told_disabled = False
        #: reasons of runs that failed (run_failed), said once each on stderr
        self._failures: set[str] = set()
        self.instance = os.urandom(16).hex()
        self._run_numbers = itertools.count(1)
        self._lock = threading.Lock()
        #: held by whoever pumps; the loop's thread only ever tries it
        self.pump_lock = threading.Lock()
        self.wake = threading.Event()
        #: the writer thread is woken to pump (else only to look again: a run started)
        self.pump_asked = False
        #: when a loop last pumped, and whether at an idle point (read by
        #: the writer thread to decide whether to pump)
        self.loop_pumped_at = 0.0
        self.loop_idle = True
        #: a busy loop lets the writer thread in at its pump (see Handoff)
        self.handoff = Handoff()
        self.backed_up = False
        self.stopped = False
        self.mirror = Mirror(config.batch)
        self._reported_drops = 0
        self._sock_drops = 0
        self._need_resync = False
        self._told_socket = 0
        address = parse_address(config.address) if config.address else None
        self.conn = Connection(address, self._greeting) if address is not None else None
        # unsent bytes for a slow collector: max_buffer bounds them too
        # (at ~LINE_BYTES a line), never more than SEND_LIMIT
        self._send_limit = min(SEND_LIMIT, max(SEND_LIMIT_MIN, config.max_buffer * LINE_BYTES))
        # encode no further ahead of the collector than half the send limit
        self._out_high = min(OUT_HIGH, self._send_limit // 2)
        self._pid = os.getpid()
        # file / in-process sinks
        self._sink = sink
        self._file = None
        if config.record:
            # open for the emitter's lifetime: close() closes it; never the secret (recordings get shared)
            self._file = open_private(config.record)
            self._file.write(self._hello(None, secret=False) + "\n")
        if sink is not None:
            sink(self._hello(None) + "\n")
        self.sampler: Callable[[RunMirror, list[str]], None] | None = None
        #: sampler.first_look (the pump's first look at new tasks), installed with it
        self.looker: Callable[[RunMirror, list[str], int, int], None] | None = None
        self.next_sample = 0.0
        #: when a first look at new tasks is owed (inf: none; see pump)
        self.look_at = inf
        #: when states were last sampled (the idle hook asks for a sample
        #: when the loop did something since)
        self.sampled_at = 0.0
        #: when the last sample or first look was
        self.looked_at = 0.0
        self.sample_period = 1.0 / config.sample_hz if config.sample_hz > 0 else 0.0
        #: lints (1.2): the runs' loops held longer than block_ms
        self.blocks = BlockWatch(config.block_ms) if config.block_ms > 0 else None
        if self.blocks is not None:
            self.blocks.announce = self.announce
            self.mirror.before_end = self.blocks.run_ends
        if config.warnings:
            install_warnings()
        if self.conn is not None:
            # the first attempt starts here, on the program's thread and
            # without blocking: a collector on this machine usually accepts
            # before the first pump, so nothing waits for a thread
            with self.pump_lock:
                self.conn.step()
        # Started now, while this thread waits in Thread.start() for it: it
        # reaches its first wait before this thread runs on, so starting it
        # costs no GIL fight (its later timed wake-ups are what cost).
        self._thread: WriterThread | None = None
        emitters.ALL.add(self)
        self._ensure_writer()
        atexit.register(self._atexit)

    def _hello(self, reconnect: int | None, secret: bool = True) -> str:
        name, version = self.runtime
        return L.hello(self.config.secret if secret else None, name, version, self.instance, reconnect)

    def _greeting(self, reconnect: int) -> str:
        """A new connection: hello, then a snapshot of what is live."""
        out = [self._hello(reconnect)]
        if self.mirror.runs:
            out.extend(self.mirror.snapshot(resumed=True))
        self._need_resync = False  # the snapshot just sent is the state now
        self._told_socket = self.hook_drops + self._sock_drops
        return "\n".join(out) + "\n"

    # ------------------------------------------------------------ runs
    def new_run(self) -> int:
        """The number of a run about to start (thread-safe)."""
        return next(self._run_numbers)

    def start_run(self, run: int, source: ObservedRun, clock0: float, info: str = "") -> collections.deque[Any]:
        """Run ``run`` begins, on the loop's thread: its own queue (see events).

        ``source`` answers the pumps' questions about it; ``clock0`` is the
        library's clock now (deadlines are reported relative to it);
        ``info``: run.started's library fields (``lines.run_info``)."""
        rq: collections.deque[Any] = collections.deque()
        wall = time.time() * 1000.0
        if self.config.coro_origin:
            track_origins(self.config.coro_origin)  # this thread's coroutines keep where they were made
        self.append((E.RUN_START, run, time.perf_counter_ns(), wall, clock0, source, threading.get_ident(), rq, info))
        if self.blocks is not None:
            self.wake.set()  # the watching thread takes the run in, and watches its loop from now on
        return rq

    def end_run(self) -> None:
        """A run ends, on its loop's thread (after its RUN_END is queued)."""
        if self.config.coro_origin:
            untrack_origins()

    def run_failed(self, run: int, rq: collections.deque[Any], exc: BaseException) -> None:
        """An adapter stopped observing run ``run`` (an error of its own): the
        run says so (``runtime.disabled`` with its number, after what was
        queued before), later runs are observed as usual. One line on stderr
        per distinct reason."""
        reason = failure_reason(exc)
        rq.append((E.RUN_FAIL, run, time.perf_counter_ns(), f"run {run} is not observed from here on: {reason}"))
        with self._lock:
            told = reason in self._failures or len(self._failures) >= MAX_FAILURES_TOLD
            self._failures.add(reason)
        if not told:
            write_stderr(f"nursery_lens: internal error, run {run} is not observed from here on: {reason}")

    # ------------------------------------------------------------ public
    def flush(self, timeout: float = FLUSH_TIMEOUT, stall: float = FLUSH_STALL) -> bool:
        """Write everything queued so far, in the calling thread (bounded).

        Gives up after ``timeout`` seconds, or after ``stall`` seconds in
        which the collector took no bytes: a stalled collector must not keep
        the program from exiting. True when nothing is left unsent.
        """
        start = last = time.monotonic()
        conn = self.conn
        seen = conn.sent_bytes if conn is not None else 0
        while True:
            if not self.pump_lock.acquire(timeout=max(0.0, timeout - (time.monotonic() - start))):
                return False
            try:
                self.cycle()
                attempted = conn is None or conn.first_attempt_done
                sock = None if conn is None else conn.sock if attempted else conn.connecting
                if self.disabled or (
                    not self.pending() and (sock is None or (attempted and conn is not None and not conn.out))
                ):
                    return True
                if sock is None or conn is None:
                    return False
            finally:
                self.pump_lock.release()
            now = time.monotonic()
            if conn.sent_bytes != seen:
                seen, last = conn.sent_bytes, now
            if now - start > timeout or (now - last > stall and conn.first_attempt_done):
                return False
            try:
                select.select([], [sock], [], FLUSH_POLL)
            except (OSError, ValueError):
                pass

    def close(self) -> None:
        """Flush, stop the thread, close the socket and the file."""
        if self.stopped:
            return
        if not emitters.forked:
            self.flush(timeout=FLUSH_AT_CLOSE)
        self.stopped = True
        self.wake.set()
        if self.conn is not None:
            close_quietly(self.conn.connecting)
            self.conn.connecting = None
        t = self._thread
        if t is not None and t.is_alive() and t is not threading.current_thread():
            t.join(JOIN_TIMEOUT)
        if self.conn is not None:
            self.conn.close_socket()
        close_quietly(self._file)
        self._file = None
        try:
            atexit.unregister(self._atexit)
        except Exception:
            pass

    def _atexit(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def disable(self, reason: str) -> None:
        """Internal error: report once, switch off (best effort on the wire)."""
        with self._lock:
            if self.disabled:
                return
            self.disabled = True
        write_stderr(f"nursery_lens: internal error, instrumentation switched off: {reason}")
        self.queue.append((E.DISABLED, reason))
        self._ensure_writer()
        self.pump_asked = True
        self.wake.set()

    # ------------------------------------------------------------ pumping
    def pump_from_loop(self, idle: bool, now: float) -> None:
        """Called by a loop's thread at its I/O wait (never blocks)."""
        self.loop_pumped_at = now
        self.loop_idle = idle
        self._try_pump()
        if now >= self.handoff.at and not idle and not self.stopped:
            self.handoff.give(self.wake)

    def _try_pump(self) -> bool:
        """Pump unless someone else is (never blocks); False if skipped."""
        if not self.pump_lock.acquire(False):
            return False
        try:
            self.cycle()
        except Exception as exc:
            self.broken(exc)
        finally:
            self.pump_lock.release()
        return True

    def _ensure_writer(self) -> None:
        if self._thread is None and not self.stopped and not emitters.forked:
            self._thread = start_watching(self)

    def pump_soon(self) -> None:
        """A run ended: write it out now if we can, else let the writer."""
        if not self._try_pump():
            self._ensure_writer()
            self.pump_asked = True
            self.wake.set()

    def abandon(self) -> None:
        """In a forked child: stopped for good, without closing or writing
        the parent's connection or recording."""
        self.stopped = True
        self.disabled = True
        self._told_disabled = True
        if self.conn is not None:
            self.conn.sock = None
        self._file = None

    def broken(self, exc: BaseException) -> None:
        if not self.disabled:
            self.disabled = True
            write_stderr(f"nursery_lens: internal error in the emitter, instrumentation switched off: {exc!r}")
        if self.conn is not None:
            self.conn.close_socket()
