"""The Trio instrument: hooks that only queue small values (see ``_events``).

Trio dispatches only the hooks a subclass overrides, so this overrides
``before_run``, ``after_run`` and ``task_spawned``; ``task_exited`` and
``before_io_wait`` only as fallbacks for a Trio whose internals have another
shape. The Trio thread pumps the queue out (see ``_emitter``) from the
wrapper around the I/O manager's ``get_events``, once per loop iteration,
which costs a third of Trio's dispatch of ``before_io_wait``. States are
sampled (``_sampler``), never hooked per step. What the hooks cannot see
comes from the guarded wrappers in ``_patches``.

Ids: one counter per run (``itertools.count``, whose ``next`` is atomic, so
the writer thread's pumps can number cancel scopes from the same counter), or
Trio's own task counter where Trio has one (``_taskids``). Never ``id()``:
CPython reuses addresses of dead tasks and nurseries.
"""

from __future__ import annotations

import collections
import itertools
import os
import sys
import threading
import time
import types
import weakref
from math import inf
from typing import Any, Callable

import trio
from trio.lowlevel import enable_ki_protection

from . import _events as E, _patches, _taskids
from ._config import Config, config_from_env
from ._emitter import Emitter, emitter_for
from ._errors import cancel_source, error_info, is_cancelled
from ._frames import CLASSIFIER
from ._sampler import install_sampler
from ._taskids import SerialIds, TaskIds, base_of

_perf = time.perf_counter
#: the clock of queued events (see _encode.ms)
_perf_ns = time.perf_counter_ns
_getframe = sys._getframe
#: f_lasti is a byte offset that code.co_lines() can map (Python >= 3.10)
_LASTI = sys.version_info >= (3, 10)
#: The frame of start_soon/start's caller, seen from the spawn hook: hook <-
#: the task set's add (or Instruments.call) <- spawn_impl <- start_soon/start
#: <- caller.
_SPAWN_CALLER = 4
#: ... and from Instrument._spawned_special, one frame deeper than the hook.
_SPECIAL_CALLER = 2


class Instrument(trio.abc.Instrument):
    """Observe a ``trio.run`` and stream Nursery Lens events.

    ``Instrument()`` reads the ``NURSERY_LENS`` environment variable.
    Explicit keyword arguments (``address``, ``record``, ``secret``,
    ``sample_hz``, ``max_buffer``) replace it. ``sink`` (a callable taking a
    chunk of NDJSON text) is for tests and embedding: it receives exactly
    the lines a socket would.

    One instance observes one run at a time; it may be reused for later runs.
    """

    def __init__(
        self,
        *,
        address: str | None = None,
        record: str | None = None,
        secret: str | None = None,
        sample_hz: float | None = None,
        max_buffer: int | None = None,
        config: Config | None = None,
        sink: Callable[[str], None] | None = None,
    ) -> None:
        explicit = any(v is not None for v in (address, record, secret, sample_hz, max_buffer))
        if config is None:
            try:
                config = config_from_env()
            except ValueError as exc:
                sys.stderr.write(f"nursery_lens: {exc}; instrumentation off\n")
                config = None
            if config is None:
                config = Config()
            if sink is not None:
                # an in-process sink replaces the environment's destinations
                config = Config(secret=config.secret, sample_hz=config.sample_hz, max_buffer=config.max_buffer)
        if explicit:
            # explicit keyword arguments win over the environment, one by one
            config = Config(
                address=address if address is not None else config.address,
                record=os.path.abspath(record) if record is not None else config.record,
                secret=secret if secret is not None else config.secret,
                sample_hz=sample_hz if sample_hz is not None else config.sample_hz,
                max_buffer=max_buffer if max_buffer is not None else config.max_buffer,
            )
        self.config = config
        if sink is not None or explicit:
            self._emitter: Emitter = Emitter(config, sink=sink)
        else:
            self._emitter = emitter_for(config)
        install_sampler(self._emitter)
        self._runner: Any = None
        self._run = 0
        #: the next id of this run (nurseries and scopes; tasks without Task._counter)
        self._next: Callable[[], int] = itertools.count(1).__next__
        _patches.install()
        # Trio looks hooks up on the instance (getattr) at every call, so a
        # hook is switched per instance by an instance attribute shadowing it.
        if _patches.INSTALLED.get("task_exited"):
            # Exits are emitted by the Runner.task_exited wrapper. An instance
            # attribute bound to the base class's no-op makes Trio treat the
            # hook as not overridden, so it does not dispatch it at all.
            self.__dict__["task_exited"] = types.MethodType(trio.abc.Instrument.task_exited, self)
        if _patches.INSTALLED.get("get_events"):
            # pumps run from the get_events wrapper: same trick
            self.__dict__["before_io_wait"] = types.MethodType(trio.abc.Instrument.before_io_wait, self)

    # -------------------------------------------------------------- public
    def flush(self, timeout: float = 5.0) -> bool:
        """Block until queued events were written (bounded); True on success."""
        return self._emitter.flush(timeout=timeout)

    def close(self) -> None:
        """Flush and release the connection/file of this instrument's emitter."""
        self._emitter.close()

    @property
    def emitter(self) -> Emitter:
        return self._emitter

    # -------------------------------------------------------------- hooks
    def before_run(self) -> None:
        self._begin(None)

    def _begin(self, init: Any) -> None:
        """A run starts (``init`` None), or is attached to mid-run (``init``:
        its init task, the first task it spawned)."""
        try:
            em = self._emitter
            if em.disabled:
                raise RuntimeError("disabled")
            runner = _patches.current_runner()
            em.runs_started += 1
            self._run = em.runs_started
            self._runner = runner
            serial = _taskids.trio_task_counter() if runner is not None else None
            self._tids: TaskIds
            if serial is not None:
                # ids from Trio's own task counter (see _taskids)
                base = serial() if init is None else init._counter - 1
                self._tids = SerialIds(runner, base)
                self._next = lambda: serial() - base  # nurseries and scopes
            else:
                self._next = itertools.count(1).__next__
                self._tids = {}
            self._nurseries: dict[Any, tuple[int, int]] = {}
            self._exits: dict[Any, tuple[Any, ...]] = {}
            self._causes: weakref.WeakKeyDictionary[Any, tuple[Any, ...]] = weakref.WeakKeyDictionary()
            self._system: set[Any] = set()
            self._init: Any = None
            self._main: Any = None
            # this run's own queue (see _events)
            rq: collections.deque[Any] = collections.deque()
            self._queue = rq
            self._q_append = rq.append
            self._cap = em.max_buffer * E.VALUES_PER_EVENT
            self._closes_from_exit = not _patches.INSTALLED.get("nursery_close", False)
            clock0 = runner.clock.current_time() if runner is not None else 0.0
            self._clock0 = clock0
            em.append(
                (E.RUN_START, self._run, _perf_ns(), time.time() * 1000.0, clock0, self, threading.get_ident(), rq)
            )
            # Per-task work runs in closures with everything bound. The
            # runner's task set calls it (_patches.hook_spawns); failing
            # that, an instance attribute shadows the task_spawned method
            # (Trio looks hooks up with getattr on every call).
            self._spawn_hook = self._make_spawn_hook()
            if runner is None or not _patches.hook_spawns(runner, self, self._spawn_hook):
                self.__dict__["task_spawned"] = enable_ki_protection(self._spawn_hook)
            if runner is not None and _patches.INSTALLED.get("get_events"):
                self._iom = runner.io_manager
                _patches.PUMPS[self._iom] = self._make_pump_hook(_patches.GET_EVENTS_ORIG)
            else:
                self.__dict__["before_io_wait"] = self._make_io_wait_hook()
            if runner is not None:
                _patches.ACTIVE[runner] = self
                if _patches.TASK_EXITED_ORIG is not None:
                    _patches.EXITS[runner] = self._make_exit_hook(_patches.TASK_EXITED_ORIG)
        except Exception as exc:
            self._fail(exc)

    def after_run(self) -> None:
        try:
            runner = self._runner
            _patches.ACTIVE.pop(runner, None)
            _patches.EXITS.pop(runner, None)
            _patches.PUMPS.pop(getattr(runner, "io_manager", None), None)
            self.__dict__.pop("task_spawned", None)
            self.__dict__.pop("_spawn_hook", None)  # it holds this run's state
            _patches.unhook_spawns(runner)
            if not _patches.INSTALLED.get("get_events"):
                self.__dict__.pop("before_io_wait", None)
            outcome_obj = getattr(runner, "main_task_outcome", None)
            err = None
            kind = E.RETURNED
            error = getattr(outcome_obj, "error", None)
            if error is not None:
                if is_cancelled(error):
                    kind = E.CANCELLED
                else:
                    kind = E.RAISED
                    err = error_info(error)
            self._q_append((E.RUN_END, self._run, _perf_ns(), kind, err))
            self._runner = None
            self._tids = {}
            self._nurseries = {}
            self._exits = {}
            self._system = set()
            self._init = self._main = None
            self._emitter.pump_soon()
        except Exception as exc:
            self._fail(exc)

    @enable_ki_protection  # runs inside start_soon: see _patches on Ctrl-C
    def task_spawned(self, task: Any) -> None:
        """Reached only while the per-run hook is not installed: the
        instrument was added mid-run (trio.lowlevel.add_instrument), so no
        before_run came. Attach (which replays the live tree and installs the
        per-run hook), then hand this task to that hook. The per-task work
        itself lives once, in _make_spawn_hook."""
        try:
            if self._runner is None:
                self._attach(task)
                if self._runner is not None:
                    self._spawn_hook(task)
        except Exception as exc:
            self._fail(exc)

    def _make_spawn_hook(self) -> Callable[[Any], None]:
        """task_spawned for this run: Instrument.task_spawned with every
        lookup bound once (this runs once per task, inside Trio's spawn)."""
        tids = self._tids
        base = base_of(tids)
        # where ids live when Trio does not number its tasks (base is None)
        table: dict[Any, int] = tids if isinstance(tids, dict) else {}
        nurseries_get = self._nurseries.get
        nxt = self._next
        special = self._spawned_special
        queue = self._queue
        cap = self._cap
        q_extend = queue.extend
        em = self._emitter
        fail = self._fail
        perf = _perf_ns
        getframe = _getframe
        lib_get = CLASSIFIER.by_id.get
        is_library = CLASSIFIER.is_library
        lasti = _LASTI
        caller = _SPAWN_CALLER

        def task_spawned(task: Any) -> None:
            try:
                if base is not None:
                    tid = task._counter - base
                else:
                    tid = nxt()
                    table[task] = tid
                nursery = task._parent_nursery
                n = nurseries_get(nursery)
                if n is None or n[1]:
                    special(task, tid, nursery, n)
                    return
                # where start_soon/start was called: first frame outside
                # Trio. Jump straight to the caller (older Trio adds KI-protection
                # wrapper frames: the walk below steps over them, as it
                # does over any Trio frame). Only the frame asked for gets a
                # frame object (CPython >= 3.11 makes them lazily), and the
                # caller's usually exists already; a frame object for
                # start_soon would be one more GC allocation per task.
                try:
                    f: Any = getframe(caller)
                except ValueError:  # a shallower stack than Trio's: walk it all
                    f = getframe(1)
                while f is not None:
                    code = f.f_code
                    lib = lib_get(id(code))
                    if lib is None:
                        lib = is_library(code)
                    if not lib:
                        # -(lasti+1): the writer turns the instruction offset
                        # into a line (cached); f_lineno would scan the line
                        # table here.
                        line = -1 - f.f_lasti if lasti else f.f_lineno
                        break
                    f = f.f_back
                else:
                    code = None
                    line = 0
                if len(queue) < cap:
                    # flat values (see _events): nothing tracked by the GC
                    # stays alive per task
                    q_extend((tid, perf(), task.name, n[0], code, line))
                else:
                    em.hook_drops += 1
            except Exception as exc:
                fail(exc)

        return task_spawned

    def before_io_wait(self, timeout: float) -> None:
        """Only used (shadowed per run by _make_io_wait_hook) when the
        get_events wrapper could not be installed."""

    def _make_pump_hook(self, orig: Callable[[Any, float], Any]) -> list[Any]:
        """What the get_events wrapper runs for this run's I/O manager, on
        the Trio thread: pump the queue out at most every PUMP_INTERVAL,
        busy or idle. When the loop goes idle before a pump is due, with
        events queued or with states changed since the last sample, its wait
        for I/O is cut short to end when the pump is due, so a program that
        goes quiet has its tree up to date without any thread waking.

        Returns the slot ``[due, hook]`` the wrapper keeps: a busy loop
        iteration before ``due`` (nearly all of them) does not even call
        the hook; the wrapper reads the clock and waits."""
        from ._emitter import PUMP_INTERVAL

        em = self._emitter
        queue = self._queue
        pump = em.pump_from_trio
        perf = _perf
        interval = PUMP_INTERVAL
        runner = self._runner
        sampling = em._sample_period > 0
        fail = self._fail
        due = 0.0
        active_at = 0.0  # last time the loop came back for a reason of its own
        woke = False  # the last wait was cut short by us and nothing came
        slot: list[Any] = [0.0, None]

        def get_events(iom: Any, timeout: float) -> Any:
            nonlocal due, active_at, woke
            wait = timeout
            try:
                now = perf()
                if woke:
                    woke = False
                else:
                    active_at = now
                if now >= due:
                    due = slot[0] = now + interval
                    pump(timeout > 0, now)
                if timeout:
                    # going idle: is anything owed that no pump has sent?
                    if queue and not em.backed_up:
                        at = due
                    elif sampling and em.sampled_at < active_at:
                        at = due if due > em.next_sample else em.next_sample
                    else:
                        at = inf
                    left = at - perf()
                    # Trio's wait_all_tasks_blocked cushion and autojump
                    # clock read an expired timeout as "idle": never cut
                    # those waits short.
                    if left < timeout and not runner.waiting_for_idle and runner.clock_autojump_threshold == inf:
                        wait = left if left > 0 else 0
            except Exception as exc:
                fail(exc)
            events = orig(iom, wait)
            if wait != timeout and not events:
                woke = True  # Trio finds nothing to do and waits again
                slot[0] = 0.0  # the next iteration must come here to see it
            return events

        slot[1] = get_events
        return slot

    def _make_io_wait_hook(self) -> Callable[[float], None]:
        """before_io_wait for this run (fallback): pump when due, and at
        every idle point (no way to be woken for an owed pump)."""
        from ._emitter import PUMP_INTERVAL

        queue = self._queue
        pump = self._emitter.pump_from_trio
        perf = _perf
        interval = PUMP_INTERVAL
        due = 0.0

        def before_io_wait(timeout: float) -> None:
            nonlocal due
            now = perf()
            if now >= due or (timeout and queue):
                due = now + interval
                pump(timeout > 0, now)

        return before_io_wait

    def _make_exit_hook(self, orig: Callable[..., Any]) -> Callable[[Any, Any, Any], Any]:
        """What the Runner.task_exited wrapper runs for this run's tasks:
        the outcome is recorded before Trio acts on it (a failed child
        cancels its siblings), task.exited is queued after Trio's own
        bookkeeping. Replaces the task_exited hook (switched off)."""
        from outcome import Value

        tids_pop = self._tids.pop
        base = base_of(self._tids)
        exits = self._exits
        exits_pop = exits.pop
        system = self._system
        record_failure = self._record_failure
        closes_from_exit = self._closes_from_exit
        close_owned = self._close_owned
        run = self._run
        queue = self._queue
        cap = self._cap
        q_append = self._q_append
        q_extend = queue.extend
        em = self._emitter
        fail = self._fail
        perf = _perf_ns
        exit_kind = E.EXIT

        def on_exit(runner: Any, task: Any, outcome: Any) -> Any:
            if type(outcome) is not Value:
                try:
                    record_failure(task, outcome)
                except Exception as exc:
                    fail(exc)
            result = orig(runner, task, outcome)
            try:
                tid = task._counter - base if base is not None else tids_pop(task, None)
                if tid is not None:
                    info = exits_pop(task, None) if exits else None
                    if system and task in system:
                        system.discard(task)
                    if closes_from_exit:
                        close_owned(task)
                    if len(queue) < cap:
                        if info is None:
                            q_extend((-tid, perf()))  # flat (see _events)
                        else:
                            q_append((exit_kind, run, perf(), tid, info))
                    else:
                        em.hook_drops += 1
            except Exception as exc:
                fail(exc)
            return result

        return on_exit

    def _attach(self, trigger: Any) -> None:
        """Start observing a run that is already going: replay its tree."""
        runner = _patches.current_runner()
        if runner is None:
            raise RuntimeError("not inside trio.run")
        init = runner.init_task
        self._begin(init)
        main = runner.main_task
        stack: list[tuple[Any, int | None, int]] = [(init, None, 0)]
        while stack:
            task, nid, nflags = stack.pop()
            tid = self._new_tid(task)
            if task is init:
                self._init = task
                flags = E.F_SYSTEM
            elif task is main:
                self._main = task
                flags = E.F_MAIN
            elif nflags & E.N_SYSTEM:
                flags = E.F_SYSTEM
                self._system.add(task)
            else:
                flags = 0
            if task is init:
                self._system.add(task)
            self._q_append((E.SPAWN, self._run, _perf_ns(), tid, task.name, nid, flags, None, 0))
            later: list[tuple[Any, int, int]] = []
            for nursery in list(task._child_nurseries):
                child_nid = self._next()
                child_flags = E.N_SYSTEM if task in self._system else 0
                self._nurseries[nursery] = (child_nid, child_flags)
                self._q_append((E.N_OPEN, self._run, _perf_ns(), child_nid, tid, None, 0, child_flags))
                # the trigger is announced by its own hook next
                later.extend(
                    (child, child_nid, child_flags) for child in list(nursery._children) if child is not trigger
                )
            stack.extend(reversed(later))

    def _new_tid(self, task: Any) -> int:
        """The id of a task this run meets (the spawn hook inlines this)."""
        tids = self._tids
        if isinstance(tids, dict):
            tid = self._next()
            tids[task] = tid
            return tid
        counted: int = task._counter - tids.base
        return counted

    def _spawned_special(self, task: Any, tid: int, nursery: Any, n: tuple[int, int] | None) -> None:
        """Init, main and system tasks, and nurseries not seen opening."""
        if nursery is None:  # Trio's init task
            self._init = task
            self._system.add(task)
            self._q_append((E.SPAWN, self._run, _perf_ns(), tid, task.name, None, E.F_SYSTEM, None, 0))
            return
        if n is None:
            n = self._discover(nursery)
        nid, nflags = n
        code = None
        line = 0
        if nflags & E.N_SYSTEM and self._main is None and nursery._parent_task is self._init:
            self._main = task
            flags = E.F_MAIN
            site = CLASSIFIER.user_site(_getframe(_SPECIAL_CALLER))  # trio.run's caller
            if site is not None:
                code, line = site
        elif nflags & E.N_SYSTEM:
            flags = E.F_SYSTEM
            self._system.add(task)
        else:
            flags = 0
            site = CLASSIFIER.user_site(_getframe(_SPECIAL_CALLER))
            if site is not None:
                code, line = site
        self._q_append((E.SPAWN, self._run, _perf_ns(), tid, task.name, nid, flags, code, line))

    def task_exited(self, task: Any) -> None:
        self._exited(task)

    def _exited(self, task: Any) -> None:
        try:
            tid = self._tids.pop(task, None)
            if tid is None:
                return
            info = self._exits.pop(task, None) if self._exits else None
            if self._system and task in self._system:
                self._system.discard(task)
            if self._closes_from_exit:
                self._close_owned(task)
            if len(self._queue) < self._cap:
                self._q_append((E.EXIT, self._run, _perf_ns(), tid, info))
            else:
                self._emitter.hook_drops += 1
        except Exception as exc:
            self._fail(exc)

    # -------------------------------------------------------------- from _patches
    def _discover(self, nursery: Any) -> tuple[int, int]:
        """A nursery seen first as a parent (fallback when not wrapped)."""
        owner = nursery._parent_task
        nid = self._next()
        flags = E.N_SYSTEM if (owner is self._init or owner in self._system) else 0
        self._nurseries[nursery] = (nid, flags)
        self._q_append((E.N_OPEN, self._run, _perf_ns(), nid, self._tids.get(owner, 0) or 0, None, 0, flags))
        return nid, flags

    def _nursery_opened(self, nursery: Any, frame: Any) -> None:
        owner = nursery._parent_task
        owner_tid = self._tids.get(owner)
        if owner_tid is None:
            return
        flags = E.N_SYSTEM if (owner is self._init or owner in self._system) else 0
        # by id(code): hashing a code object hashes its bytecode
        by_id = CLASSIFIER.by_id
        start_ids = _patches.START_IDS
        while frame is not None:
            code = frame.f_code
            lib = by_id.get(id(code))
            if lib is None:
                lib = CLASSIFIER.is_library(code)
            if not lib:
                break
            if id(code) in start_ids:
                flags |= E.N_START
            frame = frame.f_back
        nid = self._next()
        self._nurseries[nursery] = (nid, flags)
        if frame is None or flags & E.N_SYSTEM:
            # Trio's own nurseries: the user frame found would be trio.run's caller
            code, line = None, 0
        else:
            line = frame.f_lineno
        self._q_append((E.N_OPEN, self._run, _perf_ns(), nid, owner_tid, code, line, flags))

    def _nursery_closed(self, nursery: Any) -> None:
        n = self._nurseries.pop(nursery, None)
        if n is not None:
            self._q_append((E.N_CLOSE, self._run, _perf_ns(), n[0]))

    def _close_owned(self, task: Any) -> None:
        for nursery in getattr(task, "_child_nurseries", ()):
            self._nursery_closed(nursery)

    def _task_moved(self, task: Any, nursery: Any) -> None:
        tid = self._tids.get(task)
        if tid is None:
            return
        n = self._nurseries.get(nursery)
        if n is None:
            n = self._discover(nursery)
        self._q_append((E.MOVE, self._run, _perf_ns(), tid, n[0]))

    def _record_failure(self, task: Any, outcome: Any) -> None:
        """Runner.task_exited wrapper: an Error outcome, before Trio acts on it."""
        exc = outcome.error
        tid = self._tids.get(task)
        if tid is None:
            return
        if is_cancelled(exc):
            self._exits[task] = (E.CANCELLED, None, self._cancel_info(task, exc))
            return
        self._exits[task] = (E.RAISED, error_info(exc), None)
        if task is not self._main:
            nursery = task._parent_nursery
            scope = getattr(nursery, "cancel_scope", None)
            if scope is not None and not scope._cancel_called and scope not in self._causes:
                # Nursery._child_finished is about to cancel the siblings.
                self._causes[scope] = ("nursery", None, tid)

    def _body_raised(self, nursery: Any, exc: BaseException) -> None:
        if is_cancelled(exc):
            return
        scope = nursery.cancel_scope
        if not scope._cancel_called and scope not in self._causes:
            self._causes[scope] = ("nursery", None, self._tids.get(nursery._parent_task))

    def _cancel_called(self, scope: Any, task: Any, runner: Any) -> None:
        if scope in self._causes:
            return
        if task is None:
            deadline = scope._deadline
            source = "deadline" if deadline <= runner.clock.current_time() else "unknown"
            self._causes[scope] = (source, None, None)
        else:
            self._causes[scope] = ("explicit", None, self._tids.get(task))

    def _cancel_info(self, task: Any, exc: BaseException) -> tuple[str | None, str | None, int | None]:
        # The scope that cancelled the task: the outermost cancelled scope
        # visible from the task (stopping at a shield) catches the Cancelled.
        status = task._cancel_status
        responsible = None
        while status is not None:
            scope = status._scope
            if scope._cancel_called:
                responsible = scope
            if scope._shield:
                break
            status = status._parent
        source, reason, by = cancel_source(exc)
        if responsible is not None:
            cause = self._causes.get(responsible)
            if cause is not None and (source is None or source == cause[0]):
                source = cause[0]
                by = cause[2]
            cr = getattr(responsible, "_cancel_reason", None)
            if cr is not None:
                if source is None:
                    source = cancel_source_name(getattr(cr, "source", None))
                if reason is None:
                    reason = getattr(cr, "reason", None)
            if source is None and self._runner is not None:
                try:
                    if responsible._deadline <= self._runner.clock.current_time():
                        source = "deadline"
                except Exception:
                    pass
        return (source or "unknown", reason, by)

    def _fail(self, exc: BaseException) -> None:
        """Internal error: report once, unhook from this run, go quiet."""
        try:
            self._emitter.disable(repr(exc))
        except Exception:
            pass
        try:
            _patches.ACTIVE.pop(self._runner, None)
            _patches.EXITS.pop(self._runner, None)
            _patches.PUMPS.pop(getattr(self._runner, "io_manager", None), None)
        except Exception:
            pass
        try:
            trio.lowlevel.remove_instrument(self)
        except Exception:
            pass


def cancel_source_name(source: Any) -> str | None:
    from ._errors import map_source

    return map_source(source)
