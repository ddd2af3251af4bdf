"""Queue → protocol lines → socket and/or file, pumped from the Trio thread.

Design (see DESIGN.md §4, and the measurements in bench/overhead.py):

* Hooks append to their run's ``collections.deque`` (flat values or small
  tuples, see ``_events``; thread-safe appends, no lock). A run's deque
  holds at most ``4 × max_buffer`` values (about ``max_buffer`` events);
  beyond that the hook counts a drop.
* The *Trio thread* drains the queue itself, at most every
  ``PUMP_INTERVAL``, from the wrapper around the I/O manager's
  ``get_events`` (or the ``before_io_wait`` hook where that is missing).
  When the loop goes idle with events queued (or states changed since the
  last sample) before a pump is due, its wait for I/O is cut short to end
  when it is due (``Instrument._make_pump_hook``), so a quiet program's
  tree is current. A pump encodes lines, keeps a *mirror* of what is live
  (runs, nurseries, tasks, scopes), samples states when due and makes one
  non-blocking send. Doing
  this on the Trio thread costs the program only the work itself: a second
  thread that wakes while the Trio thread is busy makes the two fight for
  the GIL, and each such wake-up cost the program milliseconds here.
* A daemon *writer thread* pumps when no Trio thread has for a while: the
  loop is stopped at a breakpoint, held by a long step, or idle for long
  (a fresh sample); and it reconnects while no loop pumps. It looks every
  ``WATCH_IDLE`` while a debugger is attached (the program then runs at
  the debugger's pace), else ``WATCH_BUSY`` after the last pump.
* The mirror makes reconnects cheap and exact: after a reconnect (or after
  lines had to be dropped) it replays the live state as a snapshot,
  positioned exactly in the stream.
* The socket is non-blocking. A collector that is absent, slow, stalled or
  gone never blocks the program: unsent bytes are bounded; beyond the bound
  lines are dropped (counted, reported with ``dropped``, followed by a
  snapshot so the reader heals).
* The writer thread is marked so debugpy does not trace or suspend it:
  while the user is stopped at a breakpoint, queued events and samples
  still arrive.
* Any internal error: one line on stderr, the runtime switches itself off.
"""

from __future__ import annotations

import atexit
import collections
import errno
import os
import select
import socket
import sys
import threading
import time
import weakref
from typing import Any, Callable

from . import _events as E
from ._config import Config, parse_address
from ._encode import MAX_TEXT, _name_cache, _site_cache, cancel_json, error_json, ms, name_json, q, site_json

LENS_VERSION = "0.1.0"
PROTOCOL_MAJOR = 1
PROTOCOL_MINOR = 1

#: Unsent bytes held for a slow collector before lines are dropped.
SEND_LIMIT = 8 * 1024 * 1024
#: ... or fewer, with a small max_buffer: this many bytes a line, at least
#: SEND_LIMIT_MIN
LINE_BYTES = 128
SEND_LIMIT_MIN = 16 * 1024
#: Most bytes handed to one send() call.
SEND_CHUNK = 1 << 20
#: Most queued values (see _events) encoded at once, with no collector to
#: wait for.
BATCH = 200_000
#: ... while connected: then a pump encodes chunks only while fewer than
#: OUT_HIGH bytes wait for the collector. The rest waits in the queue (as
#: tuples, bounded by max_buffer) for later pumps: a burst of 100,000
#: spawns in one loop iteration is sent as fast as the collector reads,
#: not dropped at the socket.
CHUNK = 20_000
OUT_HIGH = 1 << 20
#: cached spawn-line tails (nursery, name, site); cleared when this large
TAILS_MAX = 20_000
#: Seconds between pumps while the Trio loop is busy.
PUMP_INTERVAL = 0.01
#: Seconds a connection attempt may take before it counts as failed.
CONNECT_TIMEOUT = 1.0
#: A connection closed by the collector sooner than this after it was made
#: counts as refused: the next attempt waits at least this long, doubling
#: up to REFUSED_MAX.
REFUSED_WITHIN = 1.0
REFUSED_MAX = 30.0
#: Seconds before the next connection attempt: doubling from the first to the most.
BACKOFF_FIRST = 0.05
BACKOFF_MAX = 2.0
#: Seconds between looks at whether the collector closed the connection
#: (it never writes: bytes it sent anyway are read away, READ_AWAY at a time).
EOF_CHECK_INTERVAL = 0.1
READ_AWAY = 4096
#: connect_ex results that mean "still connecting" (Windows has its own)
_IN_PROGRESS = {
    e
    for e in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, getattr(errno, "WSAEWOULDBLOCK", None))
    if e is not None
}
#: Writer-thread watch period while a debugger is attached.
WATCH_IDLE = 0.1
#: ... otherwise, after the Trio thread's last pump (a wake-up while the
#: Trio thread is busy costs the program milliseconds: keep them rare).
WATCH_BUSY = 5.0
#: The writer thread's shortest wait, and its wait while a connect is under way.
WAIT_MIN = 0.005
WAIT_CONNECTING = 0.01
#: Flushing: at most this long, giving up after STALL without progress;
#: at close (and exit) a little shorter. Between tries it waits POLL.
FLUSH_TIMEOUT = 5.0
FLUSH_STALL = 0.5
FLUSH_AT_CLOSE = 3.0
FLUSH_POLL = 0.02
#: Seconds close() waits for the writer thread.
JOIN_TIMEOUT = 1.0
#: Tries at copying a run's live ids, which the Trio thread may change meanwhile.
COPY_TRIES = 5


class RunMirror:
    """Live state of one ``trio.run`` as the stream has described it so far."""

    __slots__ = (
        "clock0",
        "inst",
        "nurseries",
        "pre_exit",
        "pre_spawn",
        "rq",
        "run",
        "sample_cursor",
        "sample_items",
        "scopes",
        "t0",
        "tasks",
        "thread_id",
        "wall",
    )

    def __init__(
        self, run: int, t0: int, wall: float, clock0: float, inst: Any, thread_id: int, rq: collections.deque[Any]
    ) -> None:
        self.run = run
        #: the run's own queue (see _events)
        self.rq = rq
        self.pre_spawn = f'{{"type":"task.spawned","run":{run},"ts":'
        self.pre_exit = f'{{"type":"task.exited","run":{run},"ts":'
        self.t0 = t0
        self.wall = wall
        self.clock0 = clock0
        self.inst = inst
        self.thread_id = thread_id
        # tid -> the spawn line's tail (a str: nothing for the GC to
        # track), or a special SPAWN tuple, or once something changed
        # [name_json, nursery_id, flags, site_json, state, at_json]
        self.tasks: dict[int, Any] = {}
        # nid -> (owner_tid, site_json, flags)
        self.nurseries: dict[int, tuple[int, str, int]] = {}
        # scope object -> [sid, tid, deadline_json, shield, cancel_called, reason]
        self.scopes: dict[Any, list[Any]] = {}
        self.sample_cursor = 0
        self.sample_items: list[Any] | None = None


def _close_quietly(thing: Any) -> None:
    """Close a socket or file we are giving up on; its errors change nothing."""
    if thing is not None:
        try:
            thing.close()
        except Exception:
            pass


def _write_stderr(msg: str) -> None:
    try:
        sys.stderr.write(msg + "\n")
        sys.stderr.flush()
    except Exception:
        pass


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


class Emitter:
    """One output stream (socket and/or file) shared by every run it serves."""

    def __init__(self, config: Config, sink: Callable[[str], None] | None = None) -> None:
        self.config = config
        self.queue: collections.deque[Any] = collections.deque()
        self.append = self.queue.append
        self.max_buffer = config.max_buffer
        self.hook_drops = 0  # incremented by hooks (Trio thread)
        self.disabled = False
        self._told_disabled = False
        self.instance = os.urandom(16).hex()
        self.runs_started = 0
        self.events_out = 0
        self._lock = threading.Lock()
        # held by whoever pumps; the Trio thread only ever tries it
        self._pump_lock = threading.Lock()
        self._wake = threading.Event()
        #: when a Trio thread last pumped, and whether at an idle point
        #: (read by the writer thread to decide whether to pump)
        self.trio_pumped_at = 0.0
        self.trio_idle = True
        #: when the writer thread last pumped (its watch counts from the
        #: later of the two, so an idle loop is looked at every WATCH_BUSY)
        self._watched_at = 0.0
        self.backed_up = False
        #: until the first connection attempt has ended, pumps leave the
        #: queue alone, so a collector that is there sees everything
        self._first_attempt_done = config.address is None
        self._stop = False
        self._runs: dict[int, RunMirror] = {}
        self._tails: dict[tuple[Any, ...], tuple[Any, str]] = {}
        self._reported_drops = 0
        self._sock_drops = 0
        self._drop_total = 0
        self._need_resync = False
        self._told_socket = 0
        # socket state
        self._address = parse_address(config.address) if config.address else None
        self._sock: socket.socket | None = None
        self._next_eof_check = 0.0
        self._out = bytearray()
        self._connects = 0
        self._next_connect = 0.0
        self._backoff = BACKOFF_FIRST
        self._connected_at = 0.0
        self._connecting: socket.socket | None = None
        self._connect_started = 0.0
        self._targets: list[tuple[int, Any]] = []
        self._target_i = 0
        self.sent_bytes = 0
        # unsent bytes for a slow collector: max_buffer bounds them too
        # (at ~128 bytes a line), never more than SEND_LIMIT
        self._send_limit = min(SEND_LIMIT, max(SEND_LIMIT_MIN, config.max_buffer * LINE_BYTES))
        # encode no further ahead of the collector than half the send limit
        self._out_high = min(OUT_HIGH, self._send_limit // 2)
        self._pid = os.getpid()
        # file / in-process sinks
        self._sink = sink
        self._file = None
        if config.record:
            # open for the emitter's lifetime: close() closes it
            self._file = open(config.record, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            self._file.write(self._hello(None) + "\n")
        if sink is not None:
            sink(self._hello(None) + "\n")
        self.sampler: Callable[[RunMirror, list[str]], None] | None = None
        self.next_sample = 0.0
        #: when states were last sampled (the idle hook asks for a sample
        #: when the loop did something since)
        self.sampled_at = 0.0
        self._sample_period = 1.0 / config.sample_hz if config.sample_hz > 0 else 0.0
        if self._address is not None:
            # the first attempt starts here, on the program's thread and
            # without blocking: a collector on this machine usually accepts
            # before the first pump, so nothing waits for a thread
            with self._pump_lock:
                self._connect_step()
        # Started now, while this thread waits in Thread.start() for it: it
        # reaches its first wait before this thread runs on, so starting it
        # costs no GIL fight (its later timed wake-ups are what cost).
        self._thread: WriterThread | None = None
        _ALL.add(self)
        self._ensure_writer()
        atexit.register(self._atexit)

    # ------------------------------------------------------------ hello
    def _hello(self, reconnect: int | None) -> str:
        try:
            import trio

            trio_version = trio.__version__
        except Exception:
            trio_version = "unknown"
        parts = [f'{{"type":"hello","protocol":{PROTOCOL_MAJOR},"minor":{PROTOCOL_MINOR}']
        if self.config.secret is not None:
            parts.append(f'"secret":{q(self.config.secret)}')
        try:
            cwd = os.getcwd()
        except OSError:
            cwd = ""
        python = "{}.{}.{}".format(*sys.version_info[:3])
        parts.append(
            f'"runtime":"trio","runtime_version":{q(trio_version)},"lens_version":{q(LENS_VERSION)},'
            f'"python":{q(python)},"pid":{os.getpid()}'
        )
        parts.append('"argv":[' + ",".join(q(str(a)) for a in list(sys.argv)) + "]")
        parts.append(f'"cwd":{q(cwd)},"instance":{q(self.instance)}')
        if reconnect:
            parts.append(f'"reconnect":{reconnect}')
        return ",".join(parts) + "}"

    # ------------------------------------------------------------ public
    def flush(self, timeout: float = FLUSH_TIMEOUT, stall: float = FLUSH_STALL) -> bool:
        """Write everything queued so far, in the calling thread (bounded).

        Gives up after ``timeout`` seconds, or after ``stall`` seconds in
        which the collector took no bytes: a stalled collector must not keep
        the program from exiting. True when nothing is left unsent.
        """
        start = last = time.monotonic()
        seen = self.sent_bytes
        while True:
            if not self._pump_lock.acquire(timeout=max(0.0, timeout - (time.monotonic() - start))):
                return False
            try:
                self._cycle()
                sock = self._sock if self._first_attempt_done else self._connecting
                if self.disabled or (
                    not self.pending() and (sock is None or (self._first_attempt_done and not self._out))
                ):
                    return True
                if sock is None:
                    return False
            finally:
                self._pump_lock.release()
            now = time.monotonic()
            if self.sent_bytes != seen:
                seen, last = self.sent_bytes, now
            if now - start > timeout or (now - last > stall and self._first_attempt_done):
                return False
            try:
                select.select([], [sock], [], FLUSH_POLL)
            except (OSError, ValueError):
                pass

    def close(self) -> None:
        """Flush, stop the thread, close the socket and the file."""
        if self._stop:
            return
        if not _FORKED:
            self.flush(timeout=FLUSH_AT_CLOSE)
        self._stop = True
        self._wake.set()
        _close_quietly(self._connecting)
        self._connecting = None
        t = self._thread
        if t is not None and t.is_alive() and t is not threading.current_thread():
            t.join(JOIN_TIMEOUT)
        self._close_socket()
        _close_quietly(self._file)
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
        _write_stderr(f"nursery_lens: internal error, instrumentation switched off: {reason}")
        self.queue.append((E.DISABLED, reason))
        self._ensure_writer()
        self._wake.set()

    # ------------------------------------------------------------ pumping
    def pump_from_trio(self, idle: bool, now: float) -> None:
        """Called by a Trio thread at its I/O wait (never blocks)."""
        self.trio_pumped_at = now
        self.trio_idle = idle
        self._try_pump()

    def _try_pump(self) -> bool:
        """Pump unless someone else is (never blocks); False if skipped."""
        if not self._pump_lock.acquire(False):
            return False
        try:
            self._cycle()
        except Exception as exc:
            self._broken(exc)
        finally:
            self._pump_lock.release()
        return True

    def _ensure_writer(self) -> None:
        if self._thread is None and not self._stop and not _FORKED:
            self._thread = WriterThread(self._main)
            self._thread.start()

    def pump_soon(self) -> None:
        """A run ended: write it out now if we can, else let the writer."""
        if not self._try_pump():
            self._ensure_writer()
            self._wake.set()

    def _broken(self, exc: BaseException) -> None:
        if not self.disabled:
            self.disabled = True
            _write_stderr(f"nursery_lens: internal error in the emitter, instrumentation switched off: {exc!r}")
        self._close_socket()

    def _main(self) -> None:
        try:
            self._writer_loop()
        except Exception as exc:  # never let the thread die silently
            self._broken(exc)

    def _writer_loop(self) -> None:
        from . import _patches

        while not self._stop:
            now = time.perf_counter()
            debugger = "pydevd" in sys.modules
            if debugger or (self._runs and self.trio_idle and not _patches.INSTALLED.get("get_events")):
                # A debugger may hold the Trio thread at a breakpoint: keep
                # the tree live (the program runs at the debugger's pace).
                # Without the get_events wrapper an idle loop cannot ask to
                # be woken for an owed sample: we take it.
                timeout = WATCH_IDLE
                if self._sample_period:
                    timeout = max(WAIT_MIN, min(timeout, self.next_sample - now))
            elif self._runs:
                # The loop pumps itself, busy or idle: look WATCH_BUSY after
                # its last pump (a task holding the loop longer is shown
                # running; a long-idle loop gets a fresh sample).
                timeout = max(WAIT_MIN, max(self.trio_pumped_at, self._watched_at) + WATCH_BUSY - now)
            else:
                timeout = WATCH_BUSY
            if self._address is not None and self._sock is None and (self.trio_idle or not self._runs):
                # (re)connecting while no Trio thread pumps: our job
                due = WAIT_CONNECTING if self._connecting is not None else self._next_connect - time.monotonic()
                timeout = max(WAIT_MIN, min(timeout, due))
            kicked = self._wake.wait(timeout)
            self._wake.clear()
            if self._stop:
                break
            if kicked or not self._runs or time.perf_counter() - self.trio_pumped_at >= WATCH_IDLE:
                # no Trio thread pumped lately: idle, or held
                with self._pump_lock:
                    self._cycle()
                self._watched_at = time.perf_counter()
        with self._pump_lock:
            self._cycle()

    def _cycle(self) -> None:
        """One pump (the caller holds ``_pump_lock``): all that is queued,
        or, when the socket is the only output, as much as the collector
        takes (a recording file or sink gets everything at once; a socket
        that is behind then drops and heals with a snapshot)."""
        if self._stop or self._pid != os.getpid():
            return  # closed, or a forked child's copy of the parent's emitter
        if self._address is not None and self._sock is None:
            self._connect_step()
            if not self._first_attempt_done:
                return  # hold the queue for a collector that may be there
        socket_only = self._sock is not None and self._file is None and self._sink is None
        out_high = self._out_high
        while True:
            if not socket_only:
                budget = BATCH
            elif len(self._out) < out_high:
                budget = CHUNK
            else:
                budget = 0
            left = self._process(budget)
            # a collector that is this far behind: an idle loop need not be
            # woken early for what is queued (see Instrument._make_pump_hook)
            self.backed_up = socket_only and self._sock is not None and len(self._out) >= out_high
            if not budget or not left or (socket_only and (self._sock is None or len(self._out) >= out_high)):
                return

    def pending(self) -> bool:
        """Anything queued that no pump has taken yet."""
        return bool(self.queue) or any(m.rq for m in list(self._runs.values()))

    def _process(self, budget: int) -> bool:
        """Encode up to ``budget`` queued values, sample when due, send.
        True when values are left in a run's queue."""
        lines: list[str] = []
        handle = self._handle
        queue = self.queue
        while queue:  # runs starting, notices: few
            item = queue.popleft()
            if not self.disabled:
                handle(item, lines)
            elif item[0] == E.DISABLED and not self._told_disabled:
                self._told_disabled = True
                handle(item, lines)
        left = False
        for m in list(self._runs.values()):
            rq = m.rq
            if self.disabled:
                rq.clear()  # switched off: only the runtime.disabled notice goes out
            elif rq:
                budget -= self._drain(m, rq, budget, lines)
                if rq:
                    left = True
        hook_drops = self.hook_drops
        if hook_drops > self._reported_drops and not self.disabled:
            # the queue was full: every output lost these events
            count = hook_drops - self._reported_drops
            self._reported_drops = hook_drops
            lines.append(
                f'{{"type":"dropped","ts":{self._any_ts()},"count":{count},"total":{hook_drops + self._sock_drops}}}'
            )
            self._need_resync = True
        if self._sample_period and self.sampler is not None and not self.disabled and self._runs:
            now = time.perf_counter()
            if now >= self.next_sample:
                self.next_sample = now + self._sample_period
                self.sampled_at = now
                for mirror in list(self._runs.values()):
                    try:
                        self.sampler(mirror, lines)
                    except Exception as exc:
                        self.disable(f"sampler: {exc!r}")
        if lines:
            self._output(lines)
        self._send()
        return left

    def _drain(self, m: RunMirror, rq: collections.deque[Any], budget: int, lines: list[str]) -> int:
        """Encode up to ``budget`` values of one run's queue; how many were
        taken. Spawns and exits are nearly all the traffic: they are
        handled inline (locals only, one f-string each, the spawn line's
        tail cached per nursery, name and site); the rest goes to _handle."""
        popleft = rq.popleft
        append = lines.append
        handle = self._handle
        tasks = m.tasks
        t0 = m.t0
        last_code: Any = None  # the previous spawn's site, name, nursery and tail:
        last_line = last_nid = 0  # a loop's spawns share them, and comparing
        last_name: Any = None  # beats building and hashing a key
        last_tail = ""
        pre_spawn = m.pre_spawn
        pre_exit = m.pre_exit
        tails = self._tails
        tails_get = tails.get
        # Nobody to write to (no collector yet, none listening): keep the
        # mirror current for the snapshot a connection will get, and skip
        # building lines nobody reads.
        emit = self._sock is not None or self._file is not None or self._sink is not None
        used = 0
        while used < budget and rq:
            x = popleft()
            if type(x) is int:
                if x > 0:  # spawn: tid, t, name, nursery_id, code, line
                    t = popleft()
                    name = popleft()
                    nid = popleft()
                    code = popleft()
                    line = popleft()
                    used += E.SPAWN_VALUES
                    if code is last_code and line == last_line and nid == last_nid and name == last_name:
                        tail = last_tail
                    else:
                        key = (nid, name, id(code), line)
                        hit = tails_get(key)
                        tail = hit[1] if hit is not None and hit[0] is code else self._tail(key, name, nid, code, line)
                        last_code, last_line, last_nid, last_name, last_tail = code, line, nid, name, tail
                    tasks[x] = tail
                    if emit:
                        d = (t - t0) // 1000  # ts: see _encode.ms
                        append(f'{pre_spawn}{d if d > 0 else 0}e-3,"id":{x}{tail}')
                else:  # exit, returned: -tid, t
                    t = popleft()
                    used += E.EXIT_VALUES
                    x = -x
                    if tasks.pop(x, None) is None:
                        continue
                    d = (t - t0) // 1000
                    if d < 0:
                        d = 0
                    if m.scopes:
                        self._close_task_scopes(m, x, f"{d}e-3", lines)
                    if emit:
                        append(f'{pre_exit}{d}e-3,"id":{x},"outcome":"returned"}}')
            else:
                used += 1
                handle(x, lines)
                if x[0] == E.RUN_END:
                    break  # the run's last item: its mirror is gone
        return used

    def _tail(self, key: tuple[Any, ...], name: str, nid: int, code: Any, line: int) -> str:
        """``,"name":…,"nursery":…,"system":false,"site":…}`` (cached)."""
        if code is None:
            sj = "null"
        else:
            hit = _site_cache.get((id(code), line))
            sj = hit[1] if hit is not None and hit[0] is code else site_json(code, line)
        nj = _name_cache.get(name)
        if nj is None:
            nj = name_json(name)
        tail = f',"name":{nj},"nursery":{nid},"system":false,"site":{sj}}}'
        if len(self._tails) > TAILS_MAX:
            self._tails.clear()
        self._tails[key] = (code, tail)
        return tail

    def _any_ts(self) -> str:
        now = time.perf_counter_ns()
        for mirror in self._runs.values():
            return ms(now, mirror.t0)
        return "0"

    def _output(self, lines: list[str]) -> None:
        data = "\n".join(lines) + "\n"
        self.events_out += len(lines)
        if self._file is not None:
            try:
                self._file.write(data)
                self._file.flush()
            except Exception as exc:
                _close_quietly(self._file)
                self._file = None
                _write_stderr(f"nursery_lens: cannot write the recording any more: {exc!r}")
        if self._sink is not None:
            self._sink(data)
        if self._sock is not None:
            if len(self._out) > self._send_limit:
                # the collector does not keep up: drop, heal later
                self._sock_drops += len(lines)
                self._need_resync = True
            elif self._need_resync:
                # Lines were lost on this connection. This batch is replaced
                # by a snapshot of the state after it (sending both would
                # name tasks the reader never saw), preceded by the count.
                self._need_resync = False
                self._sock_drops += len(lines)
                total = self.hook_drops + self._sock_drops
                out: list[str] = []
                if total > self._told_socket:
                    out.append(
                        f'{{"type":"dropped","ts":{self._any_ts()},"count":{total - self._told_socket},"total":{total}}}'
                    )
                    self._told_socket = total
                # run.started too: the lost lines may have held it
                out.extend(self._snapshot(resumed=True))
                # a run that ended in this batch is no longer in the snapshot
                out.extend(x for x in lines if x.startswith(('{"type":"run.finished"', '{"type":"runtime.disabled"')))
                self._out += ("\n".join(out) + "\n").encode("utf-8", "surrogatepass")
            else:
                self._out += data.encode("utf-8", "surrogatepass")

    # ------------------------------------------------------------ socket
    def _connect_step(self) -> None:
        """Advance connecting, never blocking: pumps call this (on whichever
        thread), so connecting costs the program a syscall or two, and no
        thread has to wake (and fight for the GIL) for it."""
        s = self._connecting
        if s is None:
            if time.monotonic() >= self._next_connect:
                self._start_connect()
            return
        try:
            _, writable, _ = select.select([], [s], [], 0)
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) if writable else 0
        except (OSError, ValueError):
            writable, err = [s], -1
        if not writable:
            if time.monotonic() - self._connect_started > CONNECT_TIMEOUT:
                self._connect_failed()
            return
        if err:
            self._connect_failed()
            return
        self._connecting = None
        self._install_socket(s)

    def _start_connect(self) -> None:
        if self._address is None:
            return
        kind, target = self._address
        try:
            if not self._targets:
                if kind == "tcp":
                    # resolved once (an IP literal needs no lookup); each
                    # failed attempt moves on to the next address
                    self._targets = [
                        (i[0], i[4]) for i in socket.getaddrinfo(target[0], target[1], 0, socket.SOCK_STREAM)
                    ]
                else:
                    self._targets = [(socket.AF_UNIX, target)]
            family, addr = self._targets[self._target_i % len(self._targets)]
            s = socket.socket(family, socket.SOCK_STREAM)
        except (OSError, AttributeError):
            self._connect_failed()
            return
        try:
            s.setblocking(False)
            err = s.connect_ex(addr)
        except OSError as exc:
            err = exc.errno or -1
        if err == 0:
            self._install_socket(s)
        elif err in _IN_PROGRESS:
            self._connecting = s
            self._connect_started = time.monotonic()
        else:  # refused, no such socket file, a full Unix backlog...
            self._connecting = s
            self._connect_failed()

    def _connect_failed(self) -> None:
        self._target_i += 1
        _close_quietly(self._connecting)
        self._connecting = None
        self._next_connect = time.monotonic() + self._backoff
        # doubling to 2 s; a longer backoff (after refusals) is kept
        self._backoff = max(self._backoff, min(self._backoff * 2, BACKOFF_MAX))
        self._first_attempt_done = True

    def _install_socket(self, s: socket.socket) -> None:
        """A new connection: hello, then a snapshot of what is live."""
        self._connected_at = time.monotonic()
        self._first_attempt_done = True
        self._sock = s
        reconnect = self._connects
        self._connects += 1
        out = [self._hello(reconnect)]
        if self._runs:
            out.extend(self._snapshot(resumed=True))
        self._out = bytearray(("\n".join(out) + "\n").encode("utf-8", "surrogatepass"))
        self._need_resync = False  # the snapshot just sent is the state now
        self._told_socket = self.hook_drops + self._sock_drops

    def _close_socket(self) -> None:
        _close_quietly(self._sock)
        self._sock = None
        self._out = bytearray()

    def _send(self) -> None:
        s = self._sock
        if s is None:
            return
        try:
            now = time.perf_counter()
            if now >= self._next_eof_check:
                # The collector never writes: readable means it closed (EOF).
                self._next_eof_check = now + EOF_CHECK_INTERVAL
                r, _, _ = select.select([s], [], [], 0)
                if r and not s.recv(READ_AWAY):
                    raise ConnectionResetError("collector closed the connection")
            while self._out:
                n = s.send(self._out[:SEND_CHUNK])
                if n <= 0:
                    break
                del self._out[:n]
                self.sent_bytes += n
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._connection_lost()

    def _connection_lost(self) -> None:
        """The collector closed (or reset) the connection: reconnect soon
        if it had lasted (a restarted collector), rarely if it was closed
        right after the hello (a refusal: a wrong secret, an unknown
        launch), so a refusing collector is not asked again and again."""
        self._close_socket()
        now = time.monotonic()
        if now - self._connected_at >= REFUSED_WITHIN:
            self._backoff = BACKOFF_FIRST
        else:
            self._backoff = min(max(self._backoff * 2, REFUSED_WITHIN), REFUSED_MAX)
        self._next_connect = now + self._backoff

    # ------------------------------------------------------------ events
    def _handle(self, item: tuple[Any, ...], lines: list[str]) -> None:
        kind = item[0]
        if kind == E.SPAWN:
            run, t, tid = item[1:4]
            m = self._runs.get(run)
            if m is None:
                return
            m.tasks[tid] = item
            lines.append(self._spawn_line(m, tid, ms(t, m.t0)))
        elif kind == E.EXIT:
            _, run, t, tid, info = item
            m = self._runs.get(run)
            if m is None or tid not in m.tasks:
                return
            del m.tasks[tid]
            ts = ms(t, m.t0)
            self._close_task_scopes(m, tid, ts, lines)
            if info is None:
                lines.append(f'{{"type":"task.exited","run":{run},"ts":{ts},"id":{tid},"outcome":"returned"}}')
            else:
                outcome, err, cancel = info
                extra = ""
                if err is not None:
                    extra += ',"error":' + error_json(err)
                if cancel is not None:
                    extra += ',"cancel":' + cancel_json(cancel)
                lines.append(f'{{"type":"task.exited","run":{run},"ts":{ts},"id":{tid},"outcome":"{outcome}"{extra}}}')
        elif kind == E.N_OPEN:
            _, run, t, nid, owner, code, line, flags = item
            m = self._runs.get(run)
            if m is None:
                return
            m.nurseries[nid] = (owner, site_json(code, line), flags)
            lines.append(self._nursery_line(m, nid, ms(t, m.t0)))
        elif kind == E.N_CLOSE:
            _, run, t, nid = item
            m = self._runs.get(run)
            if m is None or m.nurseries.pop(nid, None) is None:
                return
            lines.append(f'{{"type":"nursery.closed","run":{run},"ts":{ms(t, m.t0)},"id":{nid}}}')
        elif kind == E.MOVE:
            _, run, t, tid, nid = item
            m = self._runs.get(run)
            if m is None:
                return
            if m.tasks.get(tid) is None:
                return
            task_record(m, tid)[1] = nid
            lines.append(f'{{"type":"task.moved","run":{run},"ts":{ms(t, m.t0)},"id":{tid},"nursery":{nid}}}')
        elif kind == E.RUN_START:
            _, run, t, wall, clock0, inst, thread_id, rq = item
            m = RunMirror(run, t, wall, clock0, inst, thread_id, rq)
            self._runs[run] = m
            lines.append(f'{{"type":"run.started","run":{run},"ts":0,"wall":{wall:.3f}}}')
        elif kind == E.RUN_END:
            _, run, t, outcome, err = item
            m = self._runs.pop(run, None)
            if m is None:
                return
            ts = ms(t, m.t0)
            for tid in list(m.tasks):
                self._close_task_scopes(m, tid, ts, lines)
            extra = ',"error":' + error_json(err) if err is not None else ""
            lines.append(f'{{"type":"run.finished","run":{run},"ts":{ts},"outcome":"{outcome}"{extra}}}')
        elif kind == E.DISABLED:
            lines.append(f'{{"type":"runtime.disabled","reason":{q(str(item[1])[:MAX_TEXT])}}}')

    def _spawn_line(self, m: RunMirror, tid: int, ts: str) -> str:
        nj, nid, flags, sj, _, _ = task_record(m, tid)
        nursery = "null" if nid is None else nid
        system = "true" if flags & E.F_SYSTEM else "false"
        main = ',"main":true' if flags & E.F_MAIN else ""
        return (
            f'{{"type":"task.spawned","run":{m.run},"ts":{ts},"id":{tid},"name":{nj},"nursery":{nursery},'
            f'"system":{system}{main},"site":{sj}}}'
        )

    def _nursery_line(self, m: RunMirror, nid: int, ts: str) -> str:
        owner, sj, flags = m.nurseries[nid]
        system = ',"system":true' if flags & E.N_SYSTEM else ""
        start = ',"start":true' if flags & E.N_START else ""
        return (
            f'{{"type":"nursery.opened","run":{m.run},"ts":{ts},"id":{nid},"task":{owner},"site":{sj}{system}{start}}}'
        )

    def _close_task_scopes(self, m: RunMirror, tid: int, ts: str, lines: list[str]) -> None:
        if not m.scopes:
            return
        for scope, rec in list(m.scopes.items()):
            if rec[1] == tid:
                del m.scopes[scope]
                lines.append(f'{{"type":"scope.closed","run":{m.run},"ts":{ts},"id":{rec[0]}}}')

    def scope_line(self, m: RunMirror, rec: list[Any], ts: str) -> str:
        sid, tid, deadline, shield, called, reason = rec
        shield_j = "true" if shield else "false"
        called_j = "true" if called else "false"
        reason_j = ',"reason":' + q(reason) if reason is not None else ""
        return (
            f'{{"type":"scope.changed","run":{m.run},"ts":{ts},"id":{sid},"task":{tid},"deadline":{deadline},'
            f'"shield":{shield_j},"cancel_called":{called_j}{reason_j}}}'
        )

    def _snapshot(self, resumed: bool) -> list[str]:
        """Replay of everything live, ordered by id (parents before children)."""
        out: list[str] = []
        now = time.perf_counter_ns()
        for m in list(self._runs.values()):
            ts = ms(now, m.t0)
            # Tasks whose exit was dropped are not live: leave them out
            # (and forget them), so the reader does not keep ghosts.
            tids = getattr(m.inst, "_tids", None)
            live = None
            if tids is not None and getattr(m.inst, "_run", None) == m.run:
                for _ in range(COPY_TRIES):  # see _sampler._slice: the copy can race
                    try:
                        live = set(tids.values())
                        break
                    except RuntimeError:
                        continue
            if live is not None:
                for tid in [t for t in m.tasks if t not in live]:
                    del m.tasks[tid]
            if resumed:
                out.append(f'{{"type":"run.started","run":{m.run},"ts":0,"wall":{m.wall:.3f},"resumed":true}}')
            out.append(f'{{"type":"snapshot.begin","run":{m.run},"ts":{ts}}}')
            things = [(nid, 0) for nid in m.nurseries] + [(tid, 1) for tid in m.tasks]
            things.sort()
            for ident, what in things:
                if what == 0:
                    out.append(self._nursery_line(m, ident, ts))
                else:
                    out.append(self._spawn_line(m, ident, ts))
            for tid in list(m.tasks):
                rec = task_record(m, tid)
                if rec[4] is not None:
                    out.append(
                        f'{{"type":"task.state","run":{m.run},"ts":{ts},"id":{tid},"state":"{rec[4]}","at":{rec[5] or "null"}}}'
                    )
            out.extend(self.scope_line(m, rec, ts) for rec in m.scopes.values())
            out.append(f'{{"type":"snapshot.end","run":{m.run},"ts":{ts}}}')
        return out


def task_record(m: RunMirror, tid: int) -> list[Any]:
    """The mirror keeps the spawn line's tail (or a special SPAWN tuple)
    until something about the task changes (a move, a sampled state); then
    it becomes a list ``[name_json, nursery_id, flags, site_json, state,
    at_json]``."""
    rec = m.tasks[tid]
    if isinstance(rec, list):
        return rec
    if isinstance(rec, str):
        # ,"name":NJ,"nursery":N,"system":false,"site":SJ} — a JSON string
        # holds no unescaped quote, so the first delimiter is the real one
        nj, _, rest = rec[8:].partition(',"nursery":')
        nid, _, sj = rest.partition(',"system":false,"site":')
        new: list[Any] = [nj, int(nid), 0, sj[:-1], None, None]
    else:
        _, _, _, _, name, nid, flags, code, line = rec
        new = [name_json(name), nid, flags, site_json(code, line), None, None]
    m.tasks[tid] = new
    return new


_GLOBAL: dict[tuple[Any, ...], Emitter] = {}
#: every emitter of this process, shared or not (the fork handler stops them)
_ALL: weakref.WeakSet[Emitter] = weakref.WeakSet()
_GLOBAL_LOCK = threading.Lock()


_FORKED = False


def _after_fork_in_child() -> None:
    """A forked child has no writer thread: its emitters are dead.

    Its own trio.runs get a fresh emitter (a new connection and hello, with
    the child's pid) but never the parent's recording file, which a second
    writer would corrupt.
    """
    global _FORKED
    _FORKED = True
    for em in list(_ALL):
        em._stop = True
        em.disabled = True
        em._told_disabled = True
        em._sock = None  # the parent's connection: not ours to close or write
        em._file = None
    _GLOBAL.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def emitter_for(config: Config) -> Emitter:
    """One emitter (one connection, one hello) per distinct configuration."""
    if _FORKED and config.record:
        config = Config(
            address=config.address,
            record=None,
            secret=config.secret,
            sample_hz=config.sample_hz,
            max_buffer=config.max_buffer,
        )
    key = config.key()
    with _GLOBAL_LOCK:
        em = _GLOBAL.get(key)
        if em is None or em._stop:
            em = Emitter(config)
            _GLOBAL[key] = em
        return em
