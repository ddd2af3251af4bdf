"""Outcomes and cancel causes of asyncio tasks.

A task's outcome is read from its own state when it ends, without
retrieving its exception (``task.exception()`` would mark it retrieved and
silence asyncio's "Task exception was never retrieved"): ``_state`` and
``_exception``, both plain reads of the C task.

asyncio's ``Task.cancel`` is C and says nobody who called it, so a
cancelled task's cause is what the run knows about the moment:

* ``shutdown``: ``asyncio.run`` / ``Runner`` cancelling what is left when the
  main task returned (the stack holds ``runners._cancel_all_tasks``);
* ``interrupt``: the main task of a Runner that took a Ctrl-C;
* ``nursery``: its task group is aborting because a sibling failed
  (``by`` that sibling) or the group's body raised (``by`` its owner);
* what a library on top of asyncio recorded (``CANCEL_SOURCES``: AnyIO's
  cancel scopes, ``_anyio.asyncio_cancels``);
* ``deadline``: an ``asyncio.timeout`` (or, 3.12+, ``wait_for``) of the task,
  or of its group's owner, expired;
* else ``unknown``. ``reason`` is asyncio's cancel message, when given.
"""

from __future__ import annotations

import gc
from asyncio import CancelledError
from typing import TYPE_CHECKING, Any

from .._core import events as E
from .._core.errors import error_info
from .._core.fragments import MAX_TEXT

if TYPE_CHECKING:
    from collections.abc import Callable

    from .hooks import GroupTasks
    from .run import LoopRun

#: Timeout._state names of a deadline that passed
_EXPIRED = ("EXPIRING", "EXPIRED")
#: (run, task) -> the cause of a cancelled task a library on top of asyncio
#: knows (a full cause, see _core.events), or None; asked only as a
#: cancelled task ends
CANCEL_SOURCES: list[Callable[[LoopRun, Any], tuple[Any, ...] | None]] = []


def exit_info(run: LoopRun, task: Any, tid: int, tasks: GroupTasks | None, made_by: Any = None) -> Any:
    """(outcome, error, cancel) of an ended task, or None (returned).
    ``made_by``: the frame of 3.11's ``wait_for`` that made the task."""
    info: Any = None
    if task._state == "CANCELLED":
        info = (E.CANCELLED, None, cancel_cause(run, task, tid, tasks, made_by))
    else:
        exc = task._exception
        if exc is not None:
            info = (E.RAISED, error_info(exc), None)
            run.raised[task] = tid  # weakly: flagged at the end if nobody retrieves it
            group = tasks.group if tasks is not None else None
            if group is not None and tasks is not None and tasks.cause is None and not group._aborting:
                tasks.cause = ("nursery", None, tid)  # _on_task_done is about to abort the group
    if task is run.main:
        run.outcome = info
    run.timeouts.pop(tid, None)
    return info


def _reason(task: Any) -> str | None:
    """asyncio's cancel message. Once the task ended, the C task keeps it
    only in the CancelledError it stored, which ``_make_cancelled_error()``
    would hand over (and forget): it is read from the task's references
    instead, with no side effect."""
    msg = getattr(task, "_cancel_message", None)
    if msg is None:
        exc = getattr(task, "_cancelled_exc", None)  # a pure-Python task
        if exc is None:
            exc = next((r for r in gc.get_referents(task) if isinstance(r, CancelledError)), None)
        args: tuple[Any, ...] = getattr(exc, "args", ())
        msg = args[0] if len(args) == 1 else None
    if msg is None:
        return None
    return (msg if isinstance(msg, str) else repr(msg))[:MAX_TEXT]


def cancel_cause(run: LoopRun, task: Any, tid: int, tasks: GroupTasks | None, made_by: Any = None) -> tuple[Any, ...]:
    reason = _reason(task)
    if run.shutting_down:
        return ("shutdown", reason, None)
    if task is run.main and _interrupted(run):
        return ("interrupt", reason, None)
    if tasks is not None:
        cause = tasks.cause or owner_cancel_cause(run, tasks.owner)  # its group was cancelled with its owner
        if cause is not None:
            source, why, by = cause
            return (source, reason or why, by)
    for library in CANCEL_SOURCES:
        known = library(run, task)
        if known is not None:
            return known
    if expired(run, tid) or (made_by is not None and _gave_up(run, made_by)):
        return ("deadline", reason, None)
    return ("unknown", reason, None)


def _gave_up(run: LoopRun, wait_for: Any) -> bool:
    """3.11's ``wait_for`` (its frame) cancelled the task it made because its
    time was up: its timer is due (cancelled with its caller, the timer is
    still ahead)."""
    try:
        handle = wait_for.f_locals.get("timeout_handle")
        return handle is not None and handle.when() <= run.loop.time()
    except Exception:
        return False


def _interrupted(run: LoopRun) -> bool:
    """The Runner took a Ctrl-C (it cancels the main task)."""
    return run.runner is not None and getattr(run.runner, "_interrupt_count", 0) > 0


def expired(run: LoopRun, tid: int) -> bool:
    """One of the task's timeouts passed its deadline."""
    return any(t._state.name in _EXPIRED for t, _, _ in run.timeouts.get(tid, ()))


def owner_cancel_cause(run: LoopRun, owner: int) -> tuple[Any, ...] | None:
    """Why a group's owner is being cancelled (its group then cancels its tasks)."""
    if run.shutting_down:
        return ("shutdown", None, None)
    if _interrupted(run) and run.tids.get(run.main) == owner:  # Ctrl-C cancelled main, and main its group
        return ("interrupt", None, owner)
    if expired(run, owner):
        return ("deadline", None, None)
    return None
