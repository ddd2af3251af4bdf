"""Guarded wrappers around Trio internals that hooks cannot see.

Trio's instrument API has no outcome in ``task_exited``, no nursery
open/close and no hook when ``task_status.started()`` moves a task. These
wrappers observe exactly those moments:

=====================================  ======================================
wrapped                                why
=====================================  ======================================
``Runner.task_exited(task, outcome)``  the real outcome of every task, the
                                       main task's before Trio substitutes
                                       ``Value(None)``; the cancel status is
                                       still intact, so the scope that
                                       cancelled the task can be found
``Nursery.__init__``                   a nursery opens (even one that never
                                       gets a child), with the user frame of
                                       ``async with open_nursery()``; a
                                       ``Nursery.start`` frame below it marks
                                       the temporary nursery of ``start()``
``Nursery._nested_child_finished``     the ``async with`` block is done and
                                       all children exited: the nursery
                                       closes (and the body's own exception
                                       is what cancels the children)
``_TaskStatus.started``                the task moves to its target nursery
``CancelScope.cancel``                 who called ``cancel()``, where, and
                                       with what reason (or, outside a task,
                                       that a deadline expired)
``CancelScope.__enter__``              where user code entered a scope (with
                                       ``move_on_after``, ``fail_after``…)
``Runner.tasks`` (per run)             ``spawn_impl`` adds every new task to
                                       this set: a set whose ``add`` is the
                                       spawn hook (it adds, then queues)
                                       replaces Trio's dispatch of
                                       ``task_spawned`` (which
                                       costs three times as much), and is on
                                       no exception path (a ``spawn_impl``
                                       wrapper would add a frame to the
                                       traceback of a failed ``start_soon``;
                                       ``spawn_set``)
``Semaphore._value`` (a property) and  who holds a Semaphore
``ParkingLot.unpark``                  (``semaphore_holders``)
``<IOManager>.get_events(timeout)``    once per loop iteration, on the Trio
                                       thread: where the queue is pumped out
                                       (cheaper than Trio's dispatch of
                                       ``before_io_wait``), and where the
                                       wait for I/O is cut short when a pump
                                       is owed
=====================================  ======================================

Each wrapper is installed only when the target has the expected shape
(checked once per process), dispatches to the instrument of the *current
runner* only (other ``trio.run`` calls, instrumented or not, pass straight
through) and never lets its own error reach the program: Trio removes an
instrument whose hook raises, but nothing protects a wrapper. No wrapper is
on the path an exception takes out of the user's code, so tracebacks are
unchanged.

Ctrl-C: Trio calls instrument hooks inside ``except BaseException`` and
switches off an instrument whose hook raised, so a KeyboardInterrupt raised
inside ``task_spawned`` (which runs inside the user's ``start_soon``) was
swallowed: the program ignored that Ctrl-C. Raised a moment later, in the
dispatch loop itself, it left ``spawn_impl`` after the child joined its
nursery but before it was scheduled, and the run hung. So the runtime's
code that runs on the user's side of Trio (the spawn hook, the task set's
``add`` or called by ``task_spawned``; the ``started`` and ``cancel``
wrappers) and Trio's own instrument dispatch (``Instruments.call``) are
marked with ``trio.lowlevel.enable_ki_protection``,
as Trio marks its internals (newer Trio marks the code object, free per
call, and returns the function itself; older Trio returns a wrapper that
marks its frame): Trio then delivers the interrupt to the main task at its
next checkpoint. (A loop that spawns without ever reaching a checkpoint is
therefore interrupted at its end, not in the middle.) The other wrappers
run under frames Trio already marks (``open_nursery``'s ``__aenter__`` and
``__aexit__``, the run loop) or under none at all (the I/O wait, called
from ``trio.run``), which Trio also treats as protected.
"""

from __future__ import annotations

import functools
import inspect
import sys
from typing import Any

from trio.lowlevel import enable_ki_protection

from . import known_codes, semaphore_holders

#: runner -> the nursery_lens Instrument observing it
ACTIVE: dict[Any, Any] = {}
#: runner -> the exit handler of the Instrument observing it
#: (Instrument._make_exit_hook); the Runner.task_exited wrapper calls it
EXITS: dict[Any, Any] = {}
#: the unwrapped Runner.task_exited (None when not wrapped)
TASK_EXITED_ORIG: Any = None
#: name -> True/False: which wrappers are installed in this process
INSTALLED: dict[str, bool] = {}
#: io_manager -> ``[due, hook]`` of the Instrument observing its run
#: (Instrument._make_pump_hook); the hook calls the unwrapped get_events
#: itself
PUMPS: dict[Any, Any] = {}
#: the unwrapped get_events (None when not wrapped)
GET_EVENTS_ORIG: Any = None

_installed_once = False


def _params(fn: Any) -> list[str]:
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return []


def _protect_instrument_dispatch() -> None:
    try:
        from trio._core._instrumentation import Instruments

        call = Instruments.__dict__.get("call")
        if call is None or _params(call)[:2] != ["self", "hookname"]:
            INSTALLED["instrument_dispatch"] = False
            return
        # a method of Trio's private dispatcher, replaced by its KI-protected self
        Instruments.call = enable_ki_protection(call)  # type: ignore[method-assign]
        INSTALLED["instrument_dispatch"] = True
    except Exception:
        INSTALLED["instrument_dispatch"] = False


def install() -> dict[str, bool]:
    """Install every wrapper whose target has the shape we know (once)."""
    global _installed_once
    if _installed_once:
        return INSTALLED
    _installed_once = True
    from trio._core import _run

    _install_task_exited(_run)
    _install_nursery_init(_run)
    _install_nursery_close(_run)
    _install_started(_run)
    _install_cancel(_run)
    _install_scope_enter(_run)
    _install_get_events(_run)
    _protect_instrument_dispatch()
    INSTALLED["semaphore_holders"] = semaphore_holders.install()
    known_codes.collect(_run)
    return INSTALLED


def _fail(inst: Any, exc: BaseException) -> None:
    try:
        inst._fail(exc)
    except Exception:
        pass


def _install_task_exited(_run: Any) -> None:
    orig = getattr(_run.Runner, "task_exited", None)
    if orig is None or _params(orig)[:3] != ["self", "task", "outcome"]:
        INSTALLED["task_exited"] = False
        return

    global TASK_EXITED_ORIG
    TASK_EXITED_ORIG = orig

    @functools.wraps(orig)
    def task_exited(self: Any, task: Any, outcome: Any) -> Any:
        # The instrument observing this runner built ``on_exit`` in its
        # before_run with everything it needs bound as closure variables:
        # this runs once per task, so no attribute lookups on the way.
        # on_exit calls ``orig`` itself (exactly once, whatever happens).
        on_exit = EXITS.get(self)
        if on_exit is None:
            return orig(self, task, outcome)
        return on_exit(self, task, outcome)

    _run.Runner.task_exited = task_exited
    INSTALLED["task_exited"] = True


def _install_nursery_init(_run: Any) -> None:
    orig = _run.Nursery.__init__
    if _params(orig)[:2] != ["self", "parent_task"]:
        INSTALLED["nursery_init"] = False
        return
    getframe = sys._getframe

    @functools.wraps(orig)
    def __init__(self: Any, parent_task: Any, *args: Any, **kwargs: Any) -> None:
        orig(self, parent_task, *args, **kwargs)
        inst = ACTIVE.get(getattr(parent_task, "_runner", None))
        if inst is not None:
            try:
                inst._nursery_opened(self, getframe(1))
            except Exception as exc:
                _fail(inst, exc)

    _run.Nursery.__init__ = __init__
    INSTALLED["nursery_init"] = True


def _install_nursery_close(_run: Any) -> None:
    orig = getattr(_run.Nursery, "_nested_child_finished", None)
    if orig is None or not inspect.iscoroutinefunction(inspect.unwrap(orig)) or len(_params(orig)) != 2:
        INSTALLED["nursery_close"] = False
        return

    @functools.wraps(orig)
    async def _nested_child_finished(self: Any, nested_child_exc: Any) -> Any:
        inst = ACTIVE.get(getattr(self._parent_task, "_runner", None))
        if inst is not None and nested_child_exc is not None:
            try:
                inst._body_raised(self, nested_child_exc)
            except Exception as exc:
                _fail(inst, exc)
        result = await orig(self, nested_child_exc)
        # looked up again: an instrument may have been added while we waited
        inst = ACTIVE.get(getattr(self._parent_task, "_runner", None))
        if inst is not None:
            try:
                inst._nursery_closed(self)
            except Exception as exc:
                _fail(inst, exc)
        return result

    _run.Nursery._nested_child_finished = _nested_child_finished
    INSTALLED["nursery_close"] = True


def _install_started(_run: Any) -> None:
    cls: Any = getattr(_run, "_TaskStatus", None)
    orig = getattr(cls, "started", None)
    if orig is None or _params(orig)[:1] != ["self"]:
        INSTALLED["started"] = False
        return

    @functools.wraps(orig)
    @enable_ki_protection  # runs in the user's task: see Ctrl-C above
    def started(self: Any, *args: Any, **kwargs: Any) -> Any:
        inst = None
        moving: Any = ()
        try:
            old = self._old_nursery
            inst = ACTIVE.get(old._parent_task._runner)
            if inst is not None:
                moving = list(old._children)
        except Exception:
            inst = None
        result = orig(self, *args, **kwargs)
        if inst is not None:
            try:
                new = self._new_nursery
                for task in moving:
                    if task._parent_nursery is new:
                        inst._task_moved(task, new)
            except Exception as exc:
                _fail(inst, exc)
        return result

    cls.started = started
    INSTALLED["started"] = True


def _install_cancel(_run: Any) -> None:
    cls = _run.CancelScope
    orig = getattr(cls, "cancel", None)
    if orig is None:
        INSTALLED["cancel"] = False
        return
    ctx = _run.GLOBAL_RUN_CONTEXT

    getframe = sys._getframe

    @functools.wraps(orig)
    @enable_ki_protection  # runs in the user's task: see Ctrl-C above
    def cancel(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._cancel_called:
            runner = getattr(ctx, "runner", None)
            inst = ACTIVE.get(runner) if runner is not None else None
            if inst is not None:
                try:
                    reason = kwargs.get("reason", args[0] if args else None)
                    inst._cancel_called(self, getattr(ctx, "task", None), runner, getframe(1), reason)
                except Exception as exc:
                    _fail(inst, exc)
        return orig(self, *args, **kwargs)

    cls.cancel = cancel
    INSTALLED["cancel"] = True


def _install_scope_enter(_run: Any) -> None:
    cls = _run.CancelScope
    orig = cls.__dict__.get("__enter__")
    if orig is None or _params(orig) != ["self"]:
        INSTALLED["scope_enter"] = False
        return
    ctx = _run.GLOBAL_RUN_CONTEXT
    getframe = sys._getframe
    inf = float("inf")

    @functools.wraps(orig)
    @enable_ki_protection  # runs in the user's task: see Ctrl-C above
    def __enter__(self: Any) -> Any:
        # a relative deadline (newer Trio's move_on_after) becomes absolute on entry
        relative = getattr(self, "_relative_deadline", inf) != inf
        result = orig(self)
        inst = ACTIVE.get(getattr(ctx, "runner", None))
        if inst is not None:
            try:
                inst._scope_entered(self, getframe(2 if KI_WRAPS else 1), relative)
            except Exception as exc:
                _fail(inst, exc)
        return result

    cls.__enter__ = __enter__
    INSTALLED["scope_enter"] = True


def _install_get_events(_run: Any) -> None:
    cls: Any = getattr(_run, "TheIOManager", None)
    orig = getattr(cls, "get_events", None)
    if orig is None or _params(orig)[:2] != ["self", "timeout"]:
        INSTALLED["get_events"] = False
        return
    global GET_EVENTS_ORIG
    GET_EVENTS_ORIG = orig

    from time import perf_counter

    @functools.wraps(orig)
    def get_events(self: Any, timeout: float) -> Any:
        slot = PUMPS.get(self)
        if slot is None:
            return orig(self, timeout)
        if not timeout and perf_counter() < slot[0]:
            return orig(self, timeout)  # a busy loop, no pump due: nearly always
        return slot[1](self, timeout)

    cls.get_events = get_events
    INSTALLED["get_events"] = True


def _probe() -> None:
    """Only asked whether Trio wraps what it KI-protects."""


#: Trio's enable_ki_protection returns a wrapper (one more frame per call,
#: older Trio) rather than marking the function's code object
KI_WRAPS = enable_ki_protection(_probe) is not _probe


def current_runner() -> Any | None:
    from trio._core import _run

    return getattr(_run.GLOBAL_RUN_CONTEXT, "runner", None)
