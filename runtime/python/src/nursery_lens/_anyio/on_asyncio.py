"""AnyIO on asyncio: its task groups are nurseries, ``start()`` hands a task over, its cancel scopes are scopes.

AnyIO's asyncio ``TaskGroup`` makes plain asyncio tasks (``_spawn`` calls
the loop's ``create_task``): without this they would read as loose tasks.

=====================================  ========================================
hooked                                 what the run is told
=====================================  ========================================
``TaskGroup.__aenter__``/``__aexit__``  the group opens (kind ``anyio``, owner,
(plain functions returning AnyIO's     the user's ``create_task_group()``
coroutine)                             site); its body ended: it closes with
                                       its last task
``TaskGroup._spawn``'s frame, seen by  the task belongs to the group, or, for
the run's ``create_task`` (SPAWN_VIA)  ``tg.start()``, to a temporary start
                                       nursery of the calling task
``_AsyncioTaskStatus.started``         the started task moves to its group
                                       (``task.moved``), the temporary one
                                       closes
``CancelScope.__enter__``              where the scope was entered; the
                                       sampler reads the task's scopes from
                                       AnyIO's own task states
                                       (SCOPE_SOURCES)
``CancelScope.cancel``                 why, for the tasks it cancels
                                       (``asyncio_cancels``)
=====================================  ========================================

A task of an AnyIO group ends through a done callback (AnyIO's own is a
closure); the group closes after its last task's exit once its body ended.
"""

from __future__ import annotations

import functools
import sys
import time
import weakref
from math import inf
from typing import TYPE_CHECKING, Any

from .._asyncio import patches as asyncio_patches
from .._asyncio.hooks import site_of
from .._asyncio.run import SPAWN_VIA
from .._asyncio.sampling import FUNC_OF, SCOPE_SOURCES
from .._core import events as E
from .._core.frames import CLASSIFIER
from .._core.library_work import library_call, library_flags, runs_for_library
from .library import warn

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType

    from .._asyncio.run import LoopRun

_getframe = sys._getframe
_perf_ns = time.perf_counter_ns
#: scopes whose site is kept before those no longer entered are let go
_SITES_KEPT = 1000


class Group:
    """An AnyIO task group a run observes."""

    __slots__ = ("__weakref__", "closing", "library", "live", "nid", "run", "scope")

    def __init__(self, run: LoopRun, nid: int, scope: Any, library: bool = False) -> None:
        self.run = run
        self.nid = nid
        #: a library's own group (connect_tcp's): its own tasks are system (see _core.library_work)
        self.library = library
        #: the group's own cancel scope (a cancel cause names the group for it)
        self.scope = scope
        #: ids of its tasks still running
        self.live: set[int] = set()
        self.closing = False

    def joined(self, tid: int) -> None:
        self.live.add(tid)
        self.run.closes_with[tid] = self.left

    def left(self, tid: int) -> None:
        self.live.discard(tid)
        if self.closing and not self.live:
            self.close()

    def close(self) -> None:
        self.closing = False
        run = self.run
        run.queue.append((E.N_CLOSE, run.run, _perf_ns(), self.nid))


#: AnyIO TaskGroup -> Group; task status of a start() -> (temporary nursery, group, task id)
GROUPS: weakref.WeakKeyDictionary[Any, Group] = weakref.WeakKeyDictionary()
STARTS: weakref.WeakKeyDictionary[Any, tuple[int, Group, int]] = weakref.WeakKeyDictionary()
#: AnyIO CancelScope (no weak references: it has __slots__) -> where it was entered
SITES: dict[Any, Any] = {}


class _NoSite(tuple):  # type: ignore[type-arg]
    """(None, 0), with an identity no literal shares."""

    __slots__ = ()


#: the site of a shield-only scope AnyIO enters for itself (a shielded checkpoint, a
#: Condition taking its lock back): not the user's, not shown
LIBRARY_SHIELD: tuple[Any, int] = _NoSite((None, 0))
#: id(a group's own cancel scope) -> the Group (gone with the group)
OWN_SCOPES: weakref.WeakValueDictionary[int, Group] = weakref.WeakValueDictionary()


def install(module: ModuleType) -> bool:
    group_cls: Any = getattr(module, "TaskGroup", None)
    spawn = getattr(group_cls, "_spawn", None)
    enter = getattr(group_cls, "__aenter__", None)
    exit_ = getattr(group_cls, "__aexit__", None)
    if spawn is None or enter is None or exit_ is None or "task_status" not in spawn.__code__.co_varnames:
        warn("asyncio task group")
        return False
    SPAWN_VIA[id(spawn.__code__)] = _spawned

    def __aenter__(self: Any) -> Any:
        run = run_here()
        if run is not None and not self._entered:
            f = _getframe(1)
            flags = library_flags(f)
            nid = run.group_entered(self, f, E.N_ANYIO | flags)
            if nid is not None:
                scope = getattr(self, "cancel_scope", None)
                GROUPS[self] = group = Group(run, nid, scope, flags != 0)
                if scope is not None:
                    OWN_SCOPES[id(scope)] = group
        return enter(self)

    def __aexit__(self: Any, et: Any, exc: Any, tb: Any) -> Any:
        group = GROUPS.get(self)
        if group is not None and group.run.live:
            group.closing = True
            if not group.live:
                group.close()
        return exit_(self, et, exc, tb)

    for wrapper, orig in ((__aenter__, enter), (__aexit__, exit_)):
        functools.update_wrapper(wrapper, orig, assigned=("__doc__", "__name__", "__qualname__"), updated=())
    group_cls.__aenter__ = __aenter__
    group_cls.__aexit__ = __aexit__
    from . import asyncio_waits  # (imports this module)

    asyncio_waits.install(module, exit_)
    _install_started(module)
    _install_scopes(module)
    handle = getattr(getattr(module, "TaskHandle", None), "_run_coro", None)
    if handle is None:
        from anyio._core import _tasks

        handle = getattr(getattr(_tasks, "TaskHandle", None), "_run_coro", None)
    if handle is not None:
        # a group's task runs AnyIO's wrapper around the user's coroutine: its function is the user's
        FUNC_OF[id(handle.__code__)] = (handle.__code__, lambda coro: coro.cr_frame.f_locals["self"]._coro.cr_code)
    backend_run = getattr(getattr(module, "AsyncIOBackend", None), "run", None)
    for code in getattr(getattr(backend_run, "__code__", None), "co_consts", ()):
        if getattr(code, "co_name", "") == "wrapper":  # anyio.run's main task: the user's function
            FUNC_OF[id(code)] = (code, lambda coro: coro.cr_frame.f_locals["func"].__code__)
    return True


def run_here() -> LoopRun | None:
    loop = asyncio_patches._get_running_loop()
    run = asyncio_patches.RUNS.get(loop) if loop is not None else None
    return run if run is not None and run.live and not run.failed else None


def _spawned(run: LoopRun, f: Any, task: Any) -> tuple[int | None, int]:
    """``_spawn``'s frame made ``task``: (the nursery it joins (see
    _core.events' spawn (task)), its id); the nursery None when its spawn is queued already."""
    locals_ = f.f_locals
    group = GROUPS.get(locals_.get("self"))
    status = locals_.get("task_status")
    task.add_done_callback(run.loose_exit)
    if group is None or group.run is not run:  # a group this run did not see open
        maker = run.tid_of(run.current_task(run.loop))
        return (-maker if maker is not None else 0), run.ids()
    if status is None:
        tid = run.ids()
        group.joined(tid)
        if group.library and _library_spawn(locals_):
            # the library's own task: queued here, flagged (the caller queues only unflagged spawns)
            run.queue.append((E.SPAWN, run.run, _perf_ns(), tid, task, group.nid, E.F_SYSTEM, None, 0, None))
            return None, tid
        return group.nid, tid
    # tg.start(): a temporary nursery of the task awaiting it, until task_status.started()
    owner = run.tid_of(run.current_task(run.loop)) or group.nid
    temp = run.ids()
    code, line = site_of(f)
    run.queue.append((E.N_OPEN, run.run, _perf_ns(), temp, owner, code, line, E.N_START | E.N_ANYIO))
    tid = run.ids()
    STARTS[status] = (temp, group, tid)
    run.closes_with[tid] = functools.partial(_temporary_closed, run, temp)
    return temp, tid


def _library_spawn(locals_: dict[str, Any]) -> bool:
    """Whether ``_spawn`` (its locals) is starting the library's own work: newer AnyIO
    passes the coroutine made, older the function and its arguments."""
    coro = locals_.get("coro")
    if coro is not None:
        return runs_for_library(coro)
    return library_call(locals_.get("func"), locals_.get("args") or ())


def _temporary_closed(run: LoopRun, temp: int, tid: int) -> None:
    run.queue.append((E.N_CLOSE, run.run, _perf_ns(), temp))


def _install_started(module: ModuleType) -> None:
    cls: Any = getattr(module, "_AsyncioTaskStatus", None)
    orig = getattr(cls, "started", None)
    if orig is None:
        warn("task status")
        return

    @functools.wraps(orig)
    def started(self: Any, *args: Any, **kwargs: Any) -> Any:
        entry = STARTS.pop(self, None)
        future = getattr(self, "_future", None)
        if entry is not None and future is not None and not future.done():
            temp, group, tid = entry
            run = group.run
            try:
                now = _perf_ns()
                run.queue.append((E.MOVE, run.run, now, tid, group.nid))
                run.queue.append((E.N_CLOSE, run.run, now, temp))
                group.joined(tid)
            except Exception as exc:
                run.fail(exc)
        return orig(self, *args, **kwargs)

    cls.started = started


def _install_scopes(module: ModuleType) -> None:
    cls: Any = getattr(module, "CancelScope", None)
    enter = getattr(cls, "__enter__", None)
    states = getattr(module, "_task_states", None)
    if enter is None or states is None:
        warn("cancel scope")
        return

    lib_get = CLASSIFIER.by_id.get

    @functools.wraps(enter)
    def __enter__(self: Any) -> Any:
        if run_here() is not None:
            if len(SITES) >= _SITES_KEPT:
                for scope in [s for s in SITES if not s._active]:
                    del SITES[scope]
            f = _getframe(1)
            code = f.f_code
            lib = lib_get(id(code))
            if lib is None:
                lib = CLASSIFIER.is_library(code)
            own = lib and self._deadline == inf and not self._cancel_called
            SITES[self] = LIBRARY_SHIELD if own else site_of(f)
        return enter(self)

    cls.__enter__ = __enter__
    from . import asyncio_cancels  # (imports this module)

    asyncio_cancels.install(module, states)
    cause_of = asyncio_cancels.CAUSES.get

    def scopes_of(run: Any, task: Any) -> Iterable[Any]:
        state = states.get(task)
        scope = getattr(state, "cancel_scope", None)
        found = []
        depth = 0
        while scope is not None and depth < 100:
            depth += 1
            if scope._host_task is task:
                deadline, shield, called = scope._deadline, scope._shield, scope._cancel_called
                mine = deadline != inf or called or SITES.get(scope) is not LIBRARY_SHIELD
                if (deadline != inf or shield or called) and mine:
                    # the reason given to cancel(), not AnyIO's "Cancelled via cancel scope 7f… by <Task …>"
                    cause = cause_of(scope) if called else None
                    reason = cause[1] if cause is not None else None
                    site = SITES.get(scope)
                    found.append((scope, deadline, shield, called, reason, "anyio", site, cause))
            scope = scope._parent_scope
        return found

    SCOPE_SOURCES.append(scopes_of)
