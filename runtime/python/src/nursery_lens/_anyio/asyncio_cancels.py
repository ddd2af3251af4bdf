"""Why AnyIO's cancel scopes on asyncio cancelled a task (``task.exited.cancel``).

AnyIO's asyncio ``CancelScope.cancel()`` cancels no task itself: its
``_deliver_cancellation`` calls asyncio's ``Task.cancel`` from a loop
callback, when the task that called ``cancel()`` is no longer known, and
asyncio's cancel says nobody. So the cause is recorded on the scope when
``cancel()`` is called, from what called it, and a task that ends cancelled
is attributed, as on Trio, to the outermost cancelled scope around it (up to
a shield): the words the Trio backend gives for the same program.

=======================================  ======================================
``cancel()`` called by                   the scope's cause
=======================================  ======================================
its deadline (``CancelScope._timeout``)  ``deadline``, where it was entered
a group task's done callback             ``nursery`` by that task, its error
(``TaskGroup._spawn``'s ``task_done``)
``TaskGroup.__aexit__``, its body        ``nursery`` by the group's owner, its
raised                                   error
other AnyIO backend code (passing on a   the owner's cause as asyncio knows it
cancel of the task hosting the scope)    (``shutdown``, ``deadline``) or none
anything else (user code, AnyIO's        ``explicit`` by the current task,
``TaskHandle.cancel``, ...)              where user code called it, its reason
=======================================  ======================================

A cause is ``(source, reason, by, scope, code, line, error)`` (see
``_core.events``), its scope the group's nursery id when the scope is a task
group's own. Nothing runs per task: only at ``cancel()`` and when a task
ends cancelled.
"""

from __future__ import annotations

import functools
import sys
from asyncio import CancelledError
from typing import TYPE_CHECKING, Any

from .._asyncio import outcomes
from .._asyncio.task_coro import coro_of
from .._core.errors import cause_error
from .._core.fragments import MAX_TEXT
from .._core.frames import CLASSIFIER
from .library import warn
from .on_asyncio import OWN_SCOPES, SITES, run_here

if TYPE_CHECKING:
    from types import ModuleType

    from .._asyncio.run import LoopRun

_getframe = sys._getframe
#: causes kept before those of scopes no longer entered are let go
_CAUSES_KEPT = 1000
#: Most scopes followed outward from a task
_MAX_DEPTH = 100
#: AnyIO CancelScope (no weak references: it has __slots__) -> why it was
#: cancelled; a scope is cancelled once, so its cause never changes
CAUSES: dict[Any, tuple[Any, ...]] = {}


def install(module: ModuleType, states: Any) -> None:
    cls: Any = getattr(module, "CancelScope", None)
    orig = getattr(cls, "cancel", None)
    timeout = getattr(getattr(cls, "_timeout", None), "__code__", None)
    group_cls: Any = getattr(module, "TaskGroup", None)
    aexit = getattr(group_cls, "__aexit__", None)
    aexit = getattr(getattr(aexit, "__wrapped__", aexit), "__code__", None)  # AnyIO's own, not on_asyncio's
    spawn = getattr(getattr(group_cls, "_spawn", None), "__code__", None)
    if orig is None or timeout is None or aexit is None or spawn is None:
        warn("cancel scope's cancel()")
        return
    # (a closure: _spawn's constants hold its code)
    task_done = next((c for c in spawn.co_consts if getattr(c, "co_name", None) == "task_done"), None)
    backend_file = timeout.co_filename

    def cause_of_call(run: LoopRun, scope: Any, f: Any, reason: Any) -> tuple[Any, ...] | None:
        """Why ``scope.cancel()`` is called from frame ``f`` (None: not known)."""
        code = f.f_code
        if code is timeout:
            site = SITES.get(scope)
            return ("deadline", None, None, scope_ref(run, scope), *(site or (None, 0)), None)
        if code is task_done:
            return _child_ended(run, scope, f.f_locals.get("_task"))
        task = run.current_task(run.loop)
        tid = run.tid_of(task)
        if code is aexit:
            body = f.f_locals.get("exc_val")
            if body is not None and not isinstance(body, CancelledError):
                return (*_failure(body, tid), scope_ref(run, scope), None, 0, cause_error(body))
        if code.co_filename == backend_file:
            # AnyIO passing on a cancel of the task that hosts the scope:
            # why that task is cancelled, as far as asyncio tells
            known = outcomes.owner_cancel_cause(run, tid) if tid is not None else None
            return (*known, scope_ref(run, scope), None, 0, None) if known is not None else None
        why = reason[:MAX_TEXT] if isinstance(reason, str) and reason else None
        return ("explicit", why, tid, scope_ref(run, scope), *_caller_in(task, f), None)

    @functools.wraps(orig)
    def cancel(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._cancel_called and self not in CAUSES:
            run = run_here()
            if run is not None:
                try:
                    cause = cause_of_call(run, self, _getframe(1), args[0] if args else kwargs.get("reason"))
                    if cause is not None:
                        _remember(self, cause)
                except Exception as exc:
                    run.fail(exc)
        return orig(self, *args, **kwargs)

    cls.cancel = cancel

    def cancel_of_task(run: LoopRun, task: Any) -> tuple[Any, ...] | None:
        """The cause of an AnyIO task that ended cancelled (its scopes are
        exited by then: the search starts at the scope it was spawned in)."""
        state = states.get(task)
        scope = getattr(state, "cancel_scope", None)
        responsible = None
        depth = 0
        while scope is not None and depth < _MAX_DEPTH:
            depth += 1
            if scope._cancel_called:
                responsible = scope
            if scope._shield:
                break
            scope = scope._parent_scope
        if responsible is None:
            return None  # not cancelled by a scope: asyncio's causes
        cause = CAUSES.get(responsible)
        if cause is not None:
            return cause
        ref = scope_ref(run, responsible)
        if responsible._deadline <= run.loop.time():
            return ("deadline", None, None, ref, *(SITES.get(responsible) or (None, 0)), None)
        # AnyIO's own message ("Cancelled via cancel scope 7f… by <Task …>") says no more than this
        return ("unknown", None, None, ref, None, 0, None)

    outcomes.CANCEL_SOURCES.append(cancel_of_task)


def _caller_in(task: Any, f: Any) -> tuple[Any, int]:
    """(code, line) of the user frame that called ``cancel()``: the first
    from ``f`` out to the task's own coroutine, never beyond (a running
    coroutine's outer frames are the loop's, then whatever called
    ``anyio.run``); outside a task, ``f`` itself if it is the user's."""
    top = getattr(coro_of(task), "cr_frame", None) if task is not None else None
    found, _ = CLASSIFIER.user_frame(f, last=top if top is not None else f)
    return (found.f_code, found.f_lineno) if found is not None else (None, 0)


def scope_ref(run: LoopRun, scope: Any) -> Any:
    """What a cause names as its scope: the nursery id of the task group
    whose own scope it is, else the scope (written if the stream reported it)."""
    group = OWN_SCOPES.get(id(scope))
    if group is not None and group.scope is scope and group.run is run:
        return group.nid
    return scope


def _child_ended(run: LoopRun, scope: Any, task: Any) -> tuple[Any, ...]:
    """A group's task ended with an exception (or asyncio's own cancel):
    AnyIO cancels the group. Its exit was just queued (the run's done
    callback comes before AnyIO's), so its id is in ``run.raised``."""
    exc = getattr(task, "_exception", None) if task is not None else None
    tid = run.raised.get(task) if exc is not None else None
    if exc is None:
        return ("nursery", None, None, scope_ref(run, scope), None, 0, None)
    return (*_failure(exc, tid), scope_ref(run, scope), None, 0, cause_error(exc))


def _failure(exc: BaseException, by: int | None) -> tuple[str, None, int | None]:
    """(source, reason, by) of a cancel caused by ``exc`` escaping a task group."""
    return ("interrupt" if isinstance(exc, KeyboardInterrupt) else "nursery"), None, by


def _remember(scope: Any, cause: tuple[Any, ...]) -> None:
    if len(CAUSES) >= _CAUSES_KEPT:
        for old in [s for s in CAUSES if not s._active]:
            del CAUSES[old]
        if len(CAUSES) >= _CAUSES_KEPT:  # all still entered: the oldest half goes
            for old in list(CAUSES)[: _CAUSES_KEPT // 2]:
                del CAUSES[old]
    CAUSES[scope] = cause
