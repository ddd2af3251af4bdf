"""The Trio instrument: hooks that only queue small values (see ``_core.events``).

Trio dispatches only the hooks a subclass overrides, so this overrides
``before_run``, ``after_run`` and ``task_spawned``; ``task_exited`` and
``before_io_wait`` only as fallbacks for a Trio whose internals have another
shape. Per run it builds closures for Trio's hot paths (``hooks``): spawns
reported by the run's task set, exits by the ``Runner.task_exited`` wrapper,
pumps from the wrapper around the I/O manager's ``get_events``. States are
sampled (``sampling``), never hooked per step. What the hooks cannot see
comes from the guarded wrappers in ``patches``; the tree's cold paths are
in ``tree``, outcomes and cancel causes in ``outcomes``.

Ids: one counter per run (``itertools.count``, whose ``next`` is atomic, so
the writer thread's pumps can number cancel scopes from the same counter), or
Trio's own task counter where Trio has one (``taskids``). Never ``id()``:
CPython reuses addresses of dead tasks and nurseries.
"""

from __future__ import annotations

import itertools
import sys
import time
import types
import weakref
from typing import TYPE_CHECKING, Any

import trio
from trio.lowlevel import enable_ki_protection

from .._anyio.library import activate_loaded
from .._core import events as E, lines as L
from .._core.blocks import beat_for
from .._core.errors import error_info
from .._core.frames import CLASSIFIER, run_via
from .._core.observer import Observer
from . import hooks, library, patches as _patches, spawn_set, taskids as _taskids
from .outcomes import Outcomes, is_cancelled
from .sampling import TrioRun
from .taskids import SerialIds
from .tree import Tree, func_of

if TYPE_CHECKING:
    import collections

_perf_ns = time.perf_counter_ns

# Trio's frames, and those of the helpers its await chains pass through, are not user code
CLASSIFIER.add_packages(library.PACKAGES)


class Instrument(Observer, Tree, Outcomes, trio.abc.Instrument):
    """Observe a ``trio.run`` and stream Nursery Lens events.

    ``Instrument()`` reads the ``NURSERY_LENS`` environment variable.
    Explicit keyword arguments (``address``, ``record``, ``secret``,
    ``sample_hz``, ``max_buffer``) replace it. ``sink`` (a callable taking a
    chunk of NDJSON text) is for tests and embedding: it receives exactly
    the lines a socket would.

    One instance observes one run at a time; it may be reused for later runs.
    """

    def _runtime(self) -> tuple[str, str]:
        return (library.NAME, library.version())

    def _init_observing(self) -> None:
        self._runner = None
        self._run = 0
        self._beat = None
        #: the run whose queue _queue is (0: none yet)
        self._queue_run = 0
        self._failed = False
        self._next = itertools.count(1).__next__
        _patches.install()
        activate_loaded("trio")  # AnyIO's Trio backend, if loaded (zero-code use waits for it)
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

    # -------------------------------------------------------------- hooks
    def before_run(self) -> None:
        self._begin(None)

    def _begin(self, init: Any) -> None:
        """A run starts (``init`` None), or is attached to mid-run (``init``:
        its init task, the first task it spawned)."""
        em = self._emitter
        self._failed = em.disabled  # the emitter itself broke: nothing is observed
        if self._failed:
            return
        # this run's number first: whatever fails below fails this run only
        self._run = em.new_run()
        try:
            runner = _patches.current_runner()
            self._runner = runner
            serial = _taskids.trio_task_counter() if runner is not None else None
            if serial is not None:
                # ids from Trio's own task counter (see taskids)
                base = serial() if init is None else init._counter - 1
                self._tids = SerialIds(runner, base)
                self._next = lambda: serial() - base  # nurseries and scopes
            else:
                self._next = itertools.count(1).__next__
                self._tids = {}
            self._nurseries = {}
            self._exits = {}
            self._causes = weakref.WeakKeyDictionary()
            self._scope_sites = weakref.WeakKeyDictionary()
            self._system = set()
            self._init = None
            self._main = None
            self._closes_from_exit = not _patches.INSTALLED.get("nursery_close", False)
            # the loop's comings back are stamped in the get_events wrapper only
            self._beat = beat_for(em) if runner is not None and _patches.INSTALLED.get("get_events") else None
            clock0 = runner.clock.current_time() if runner is not None else 0.0
            # this run's own queue (see _core.events)
            self._start_run(clock0)
            self._cap = em.queue_cap
            # Per-task work runs in closures with everything bound. The
            # runner's task set calls it (spawn_set.hook_spawns); failing
            # that, an instance attribute shadows the task_spawned method
            # (Trio looks hooks up with getattr on every call).
            if runner is not None and spawn_set.can_hook_spawns(runner):
                hook = self._spawn_hook = hooks.spawn_hook(self, spawn_set.SET_ADD_CALLER)
                spawn_set.hook_spawns(runner, self, hook)
            else:
                hook = self._spawn_hook = hooks.spawn_hook(self, hooks.DISPATCH_CALLER)

                def task_spawned(task: Any) -> None:
                    hook(None, task)

                self.__dict__["task_spawned"] = enable_ki_protection(task_spawned)
            if runner is not None and _patches.INSTALLED.get("get_events"):
                self._iom = runner.io_manager
                _patches.PUMPS[self._iom] = hooks.pump_hook(self, _patches.GET_EVENTS_ORIG)
            else:
                self.__dict__["before_io_wait"] = hooks.io_wait_hook(self)
            if runner is not None:
                _patches.ACTIVE[runner] = self
                if _patches.TASK_EXITED_ORIG is not None:
                    _patches.EXITS[runner] = hooks.exit_hook(self, _patches.TASK_EXITED_ORIG)
        except Exception as exc:
            self._fail(exc)

    def _start_run(self, clock0: float) -> collections.deque[Any]:
        """The run's own queue, once (run.started goes out before anything of it)."""
        if self._queue_run != self._run:
            info = L.run_info(library.NAME, library.version(), run_via(sys._getframe(1)))
            rq = self._queue = self._emitter.start_run(self._run, TrioRun(self, self._run, clock0), clock0, info)
            self._q_append = rq.append
            self._queue_run = self._run
        return self._queue

    def _unhook(self) -> None:
        """Stop observing the current run (its end, after_run, is still seen)."""
        runner = self._runner
        _patches.ACTIVE.pop(runner, None)
        _patches.EXITS.pop(runner, None)
        _patches.PUMPS.pop(getattr(runner, "io_manager", None), None)
        self.__dict__.pop("task_spawned", None)
        self.__dict__.pop("_spawn_hook", None)  # it holds this run's state
        spawn_set.unhook_spawns(runner)
        if not _patches.INSTALLED.get("get_events"):
            self.__dict__.pop("before_io_wait", None)

    def after_run(self) -> None:
        try:
            runner = self._runner
            self._unhook()
            if self._queue_run != self._run:
                return  # nothing of this run was said
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
            beat = self._beat
            if beat is not None:
                beat.back(time.perf_counter())  # a block held to the end ends with the run
            self._q_append((E.RUN_END, self._run, _perf_ns(), kind, err))
            self._emitter.end_run()
            self._runner = None
            self._tids = {}
            self._nurseries = {}
            self._exits = {}
            self._system = set()
            self._init = self._main = None
            self._emitter.pump_soon()
        except Exception as exc:
            self._fail(exc)

    @enable_ki_protection  # runs inside start_soon: see patches on Ctrl-C
    def task_spawned(self, task: Any) -> None:
        """Reached only while the per-run hook is not installed: the
        instrument was added mid-run (trio.lowlevel.add_instrument), so no
        before_run came. Attach (which replays the live tree and installs the
        per-run hook), then hand this task to that hook. The per-task work
        itself lives once, in hooks.spawn_hook."""
        try:
            if self._runner is None and not self._failed:
                self._attach(task)
                if self._runner is not None:
                    self._spawn_hook(None, task)
        except Exception as exc:
            self._fail(exc)

    def before_io_wait(self, timeout: float) -> None:
        """Only used (shadowed per run by hooks.io_wait_hook) when the
        get_events wrapper could not be installed."""

    def _attach(self, trigger: Any) -> None:
        """Start observing a run that is already going: replay its tree."""
        runner = _patches.current_runner()
        if runner is None:
            raise RuntimeError("not inside trio.run")
        init = runner.init_task
        self._begin(init)
        if self._failed:
            return
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
            self._q_append((E.SPAWN, self._run, _perf_ns(), tid, task.name, nid, flags, None, 0, func_of(task)))
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

    def task_exited(self, task: Any) -> None:
        self._exited(task)

    def _exited(self, task: Any) -> None:
        try:
            tid = self._tids.pop(task, None)
            if tid is None or self._failed:
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

    def _fail(self, exc: BaseException) -> None:
        """Internal error: this run says so and is not observed from here on
        (its end still is); the process's later runs are observed as usual."""
        if self._failed:
            return
        self._failed = True
        try:
            self._unhook()
        except Exception:
            pass
        try:
            rq = self._start_run(0.0)  # the run is named even when it failed before starting
            self._emitter.run_failed(self._run, rq, exc)
        except Exception:
            pass
