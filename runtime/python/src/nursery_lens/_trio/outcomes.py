"""Outcomes and cancel causes of Trio tasks.

Trio passes no outcome to ``task_exited``: the ``Runner.task_exited``
wrapper (``patches``) sees every task's real outcome (the main task's too,
before Trio substitutes ``Value(None)``) and classifies it here: ``Cancelled``
or a group of only ``Cancelled`` is cancelled, other errors raised (see
``_core.errors`` for their summaries).

Cancel causes: before Trio acts on a failed child, "nursery, by = that task"
is recorded for the parent nursery's scope (what ``Nursery._child_finished``
is about to cancel); an exception in a nursery's body records the same with
by = owner; ``CancelScope.cancel`` records "explicit, by = calling task" (or
"deadline" when the run loop calls it, on 0.22). For a task that ends
cancelled, the responsible scope is the outermost cancelled scope in its
cancel-status chain (up to a shield). On Trio >= 0.31 the ``Cancelled``
itself and ``CancelScope._cancel_reason`` add ``source`` and ``reason``.
"""

from __future__ import annotations

from typing import Any

import trio

from .._core import events as E
from .._core.errors import GROUPS, error_info
from .._core.fragments import MAX_TEXT
from .runstate import RunState

_Cancelled = trio.Cancelled


def is_cancelled(exc: BaseException) -> bool:
    """Cancelled, or a group holding nothing but Cancelled (at any depth)."""
    if isinstance(exc, _Cancelled):
        return True
    if isinstance(exc, GROUPS):
        subs = getattr(exc, "exceptions", ())
        return bool(subs) and all(is_cancelled(s) for s in subs)
    return False


def _first_cancelled(exc: BaseException) -> BaseException | None:
    if isinstance(exc, _Cancelled):
        return exc
    for sub in getattr(exc, "exceptions", ()):
        found = _first_cancelled(sub)
        if found is not None:
            return found
    return None


_SOURCES = {
    "deadline": "deadline",
    "explicit": "explicit",
    "nursery": "nursery",
    "KeyboardInterrupt": "interrupt",
    "interrupt": "interrupt",
}


def map_source(source: Any) -> str | None:
    if source is None:
        return None
    return _SOURCES.get(str(source), "unknown")


def cancel_source(exc: BaseException) -> tuple[str | None, str | None, int | None]:
    """What Trio >= 0.31 put on the Cancelled itself (source, reason)."""
    c = _first_cancelled(exc)
    if c is None:
        return (None, None, None)
    source = map_source(getattr(c, "source", None))
    reason = getattr(c, "reason", None)
    if reason is not None and not isinstance(reason, str):
        reason = str(reason)
    if reason is not None:
        reason = reason[:MAX_TEXT]
    return (source, reason, None)


class Outcomes(RunState):
    """The Instrument's part that records outcomes and cancel causes (called
    by ``patches``' wrappers and the per-run exit hook)."""

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
                    source = map_source(getattr(cr, "source", None))
                if reason is None:
                    reason = getattr(cr, "reason", None)
            if source is None and self._runner is not None:
                try:
                    if responsible._deadline <= self._runner.clock.current_time():
                        source = "deadline"
                except Exception:
                    pass
        return (source or "unknown", reason, by)
