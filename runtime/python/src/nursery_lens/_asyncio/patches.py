"""Guarded wrappers around asyncio's classes, installed once per process.

asyncio has no instrument API. A run is an event loop's life as the
program uses it (``run.LoopRun``); these wrappers tell the runs what
happens, and nothing else: every one passes straight through for a loop no
run observes.

=========================================  =================================
wrapped                                    why
=========================================  =================================
``asyncio.events._set_running_loop``       a loop starts and stops running
(and ``asyncio._set_running_loop``,        (``run_forever``'s set-up and
which uvloop calls)                        clean-up call it): a run begins,
                                           pauses, ends
``BaseEventLoop.create_task`` (and         the first task made on a loop no
uvloop's)                                  run observes yet begins one; a
                                           run's own hook is an instance
                                           attribute of its loop (``hooks``)
``BaseEventLoop.close`` (and uvloop's)     the loop closes: the run ends,
                                           with what never finished flagged
``TaskGroup.__aenter__`` / ``__aexit__``   a task group opens (owner, site);
                                           its body ends (it closes with its
                                           last task)
``Timeout.__aenter__``                     ``asyncio.timeout``/``timeout_at``
                                           and (3.12+) ``wait_for``'s
                                           deadline: a scope of the task
``Lock._locked`` (a property)              who holds a lock (``lock_owners``)
``Semaphore._value`` (a property)          who holds a semaphore
                                           (``semaphore_holders``)
asyncio's registry of tasks: its ``add``   a task made by ``asyncio.Task(...)``
                                           itself (``direct_tasks``)
=========================================  =================================

None of them is on the path an exception takes out of the user's code: the
``async with`` wrappers are plain functions that return asyncio's own
coroutine, so tracebacks are what they would be without the runtime (the
one exception: a ``create_task`` that itself fails, e.g. on a closed loop,
shows the run's hook). ``Runner``, ``run_until_complete`` and
``run_forever`` are left alone: the main task's outcome travels through
them. What they would tell (the main task, the run a ``Runner`` holds, its
shutdown) is read from the stack at the few moments it matters, by code
identity (``CODES``).
"""

from __future__ import annotations

import asyncio
import functools
import sys
from asyncio import base_events, events, runners, tasks
from typing import TYPE_CHECKING, Any

from .._core import events as E
from .._core.frames import CLASSIFIER
from .._core.library_work import library_flags
from . import current, direct_tasks, lock_owners, semaphore_holders

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import CodeType, ModuleType

    from .run import LoopRun

#: loop -> the run observing it (one per loop; several loops, several runs)
RUNS: dict[Any, LoopRun] = {}
#: which wrappers are installed in this process
INSTALLED: dict[str, bool] = {}
#: the class-level create_task starters -> the method each replaced
CREATE_TASK_ORIGINALS: dict[Any, Any] = {}
#: called with (loop) for a loop no run observes yet; returns its run or None (run.begin)
BEGIN: list[Callable[[Any], LoopRun | None]] = []

_get_running_loop = events._get_running_loop
_getframe = sys._getframe


def _code(fn: Any) -> CodeType | None:
    fn = getattr(fn, "__func__", fn)
    while hasattr(fn, "__wrapped__"):
        fn = fn.__wrapped__
    return getattr(fn, "__code__", None)


class Codes:
    """Code objects of asyncio whose frames mean something to a run."""

    def __init__(self) -> None:
        runner = getattr(runners, "Runner", None)
        #: a Runner (asyncio.run) holds its loop: the run lasts until the loop closes
        self.holding = {c for c in (_code(getattr(runner, "run", None)), _code(runners.run)) if c is not None}
        #: a task made here is the run's main task
        self.runner_run = _code(getattr(runner, "run", None))
        self.run_until_complete = _code(base_events.BaseEventLoop.run_until_complete)
        #: asyncio.run's end: cancelling what is left (cancel source "shutdown")
        self.cancel_all = _code(getattr(runners, "_cancel_all_tasks", None))
        #: asyncio's own tasks (system)
        self.system = {
            c
            for c in (
                _code(base_events.BaseEventLoop.shutdown_asyncgens),
                _code(getattr(base_events.BaseEventLoop, "shutdown_default_executor", None)),
            )
            if c is not None
        }
        #: ... uvloop's (Cython coroutines of a loop not made yet: told by file and name)
        self.system_named = {
            ("uvloop/loop.pyx", "shutdown_asyncgens"),
            ("uvloop/loop.pyx", "shutdown_default_executor"),
        }
        group = getattr(asyncio, "TaskGroup", None)
        #: TaskGroup.create_task: the caller of a loop's create_task that makes a group's task
        self.group_create = _code(getattr(group, "create_task", None))
        #: wait_for: a Timeout it enters (3.12+) is a "wait_for" scope; on 3.11 its timer is
        self.wait_for = _code(tasks.wait_for)
        self.wait_for_timer = self.wait_for if sys.version_info < (3, 12) else None
        # a callback's frames (a task's step, a protocol's callback) end at
        # Handle._run: a walk for the user's line stops there (see EDGE)
        CLASSIFIER.add_edges([_code(getattr(events.Handle, "_run", None))])
        #: shield's outer future carries this callback
        shield = _code(tasks.shield)
        self.shield_outer = next(
            (c for c in (shield.co_consts if shield else ()) if getattr(c, "co_name", "") == "_outer_done_callback"),
            None,
        )


CODES: Codes | None = None


def install(module: ModuleType) -> dict[str, bool]:
    """Install every wrapper whose target has the shape we know (once)."""
    global CODES
    if CODES is not None:
        return INSTALLED
    CODES = Codes()
    _install_running_loop()
    _install_loop_class(base_events.BaseEventLoop, "base")
    _install_task_groups()
    _install_timeouts()
    INSTALLED["lock_owner"] = lock_owners.install()
    INSTALLED["semaphore_holders"] = semaphore_holders.install()
    base_create = base_events.BaseEventLoop.create_task
    INSTALLED["direct_tasks"] = direct_tasks.install(RUNS, CREATE_TASK_ORIGINALS.get(base_create, base_create))
    return INSTALLED


def install_uvloop(module: ModuleType) -> None:
    """uvloop's loop class (a Cython loop with a Python subclass we can wrap)."""
    cls = getattr(module, "Loop", None)
    if cls is not None and "uvloop" not in INSTALLED:
        _install_loop_class(cls, "uvloop")


def _install_running_loop() -> None:
    orig = getattr(events, "_set_running_loop", None)
    if orig is None or getattr(asyncio, "_set_running_loop", orig) is not orig:
        INSTALLED["running_loop"] = False
        return

    thread = current.THREAD

    def _set_running_loop(loop: Any) -> None:
        thread.loop = loop
        if loop is None:
            prev = _get_running_loop()
            orig(None)
            run = RUNS.get(prev) if prev is not None else None
            if run is not None:
                run.stopped()
        else:
            orig(loop)
            run = RUNS.get(loop)
            if run is None:
                run = BEGIN[0](loop) if BEGIN else None
            if run is not None:
                run.started(_getframe(1))

    functools.update_wrapper(_set_running_loop, orig, assigned=("__doc__", "__name__"), updated=())
    events._set_running_loop = _set_running_loop  # base_events calls it through the module
    asyncio._set_running_loop = _set_running_loop  # what uvloop binds
    INSTALLED["running_loop"] = True


def _install_loop_class(cls: Any, label: str) -> None:
    orig_create = cls.__dict__.get("create_task") or getattr(cls, "create_task", None)
    orig_close = getattr(cls, "close", None)
    if orig_create is None or orig_close is None:
        INSTALLED[label] = False
        return

    def create_task(self: Any, *args: Any, **kwargs: Any) -> Any:
        # Reached only by a loop without a run's own hook (an instance
        # attribute), or through super() from a subclass's create_task. Never
        # reads self.__dict__: on 3.11 a loop whose dict was once read loses
        # the interpreter's fast method calls (asyncio_checkpoint: x1.20).
        if RUNS.get(self) is None and BEGIN:
            run = BEGIN[0](self)
            if run is not None:
                return run.create_task(*args, **kwargs)
        return orig_create(self, *args, **kwargs)

    def close(self: Any) -> None:
        orig_close(self)
        run = RUNS.get(self)
        if run is not None:
            run.closed()

    for wrapper, orig in ((create_task, orig_create), (close, orig_close)):
        functools.update_wrapper(wrapper, orig, assigned=("__doc__", "__name__", "__qualname__"), updated=())
    cls.create_task = create_task
    cls.close = close
    CREATE_TASK_ORIGINALS[create_task] = orig_create
    INSTALLED[label] = True


def _run_here() -> LoopRun | None:
    loop = _get_running_loop()
    return RUNS.get(loop) if loop is not None else None


def _install_task_groups() -> None:
    cls = getattr(asyncio, "TaskGroup", None)
    enter = getattr(cls, "__aenter__", None)
    exit_ = getattr(cls, "__aexit__", None)
    if cls is None or enter is None or exit_ is None or not hasattr(cls(), "_tasks"):
        INSTALLED["task_group"] = False
        return

    def __aenter__(self: Any) -> Any:
        # a plain function returning asyncio's own coroutine: no frame of ours on its paths
        run = _run_here()
        if run is not None and not self._entered:
            f = _getframe(1)
            run.group_entered(self, f, E.N_TASKGROUP | library_flags(f))
        return enter(self)

    def __aexit__(self: Any, et: Any, exc: Any, tb: Any) -> Any:
        run = _run_here()
        if run is not None:
            run.group_exiting(self, et)
        return exit_(self, et, exc, tb)

    for wrapper, orig in ((__aenter__, enter), (__aexit__, exit_)):
        functools.update_wrapper(wrapper, orig, assigned=("__doc__", "__name__", "__qualname__"), updated=())
    cls.__aenter__ = __aenter__
    cls.__aexit__ = __aexit__
    INSTALLED["task_group"] = True


def _install_timeouts() -> None:
    module = getattr(asyncio, "timeouts", None)
    cls: Any = getattr(module, "Timeout", None)
    enter = getattr(cls, "__aenter__", None)
    created = getattr(getattr(module, "_State", None), "CREATED", None)
    if cls is None or enter is None or created is None:
        INSTALLED["timeout"] = False
        return

    def __aenter__(self: Any) -> Any:
        if getattr(self, "_state", None) is created:
            run = _run_here()
            if run is not None:
                run.timeout_entered(self, _getframe(1))
        return enter(self)

    functools.update_wrapper(__aenter__, enter, assigned=("__doc__", "__name__", "__qualname__"), updated=())
    cls.__aenter__ = __aenter__
    INSTALLED["timeout"] = True
