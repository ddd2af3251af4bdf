"""Outcomes and cancel causes of Trio tasks.

Trio passes no outcome to ``task_exited``: the ``Runner.task_exited``
wrapper (``patches``) sees every task's real outcome (the main task's too,
before Trio substitutes ``Value(None)``) and classifies it here: ``Cancelled``
or a group of only ``Cancelled`` is cancelled, other errors raised (see
``_core.errors`` for their summaries).

Cancel causes: before Trio acts on a failed child, "nursery, by = that task"
is recorded for the parent nursery's scope (what ``Nursery._child_finished``
is about to cancel), with the nursery and the child's exception ("interrupt"
when that is a KeyboardInterrupt); an exception in a nursery's body records
the same with by = owner; ``CancelScope.cancel`` records "explicit, by =
calling task", where it was called and its reason (or "deadline" when the
run loop calls it, on 0.22). For a task that ends cancelled, the responsible
scope is the outermost cancelled scope in its cancel-status chain (up to a
shield); a deadline's site is where user code entered that scope
(``_scope_entered``). On Trio >= 0.31 the ``Cancelled`` itself and
``CancelScope._cancel_reason`` add ``source`` and ``reason``.

A cause is ``(source, reason, by, scope, code, line, error)`` (see
``_core.events``): ``scope`` a nursery's wire id or the scope object.
"""

from __future__ import annotations

import os
from typing import Any

import trio

from .._core import events as E
from .._core.errors import GROUPS, cause_error, error_info
from .._core.fragments import MAX_TEXT
from .._core.frames import CLASSIFIER
from .known_codes import FAIL_CALLS
from .runstate import RunState

_INF = float("inf")
#: (source, reason, by, scope, code, line, error)
Cause = tuple[Any, ...]

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
    "shutdown": "shutdown",
}


def map_source(source: Any) -> str | None:
    """Trio's word for a cancel's source in ours; None when Trio does not
    know it ("unknown", or a word newer than us): what the runtime recorded
    then says why (a cancel() call it saw), else the run's state."""
    if source is None:
        return None
    return _SOURCES.get(str(source))


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


def _interrupted(exc: BaseException) -> bool:
    if isinstance(exc, KeyboardInterrupt):
        return True
    return isinstance(exc, GROUPS) and any(_interrupted(e) for e in getattr(exc, "exceptions", ()))


def _failure(exc: BaseException) -> tuple[str, Any]:
    """(source, error) of a cancel caused by ``exc`` escaping a nursery."""
    return ("interrupt" if _interrupted(exc) else "nursery"), cause_error(exc)


_TRIO_DIR = os.path.dirname(trio.__file__) + os.sep
_KI_FILE = os.path.join(_TRIO_DIR, "_core", "_ki.py")


def _caller_in(task: Any, frame: Any) -> Any:
    """The user frame that called cancel() in ``task`` (False: the task's
    own code has no user frame there), or None when Trio called it, not the
    task's code: the run loop on its behalf, or a nursery passing a cancel
    on (0.22 cancels a nursery's scope through cancel())."""
    while frame is not None and frame.f_code.co_filename == _KI_FILE:
        frame = frame.f_back  # older Trio's KI-protection wrappers
    if frame is None or frame.f_code.co_filename.startswith(_TRIO_DIR):
        return None
    top = getattr(getattr(task, "coro", None), "cr_frame", None)
    user = None
    depth = 0
    while frame is not None and depth < 200:
        if user is None and not CLASSIFIER.is_library(frame.f_code):
            user = frame
        if frame is top:
            return user if user is not None else False
        frame = frame.f_back
        depth += 1
    return None


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
                source, error = _failure(exc)
                self._causes[scope] = (source, None, tid, self._nursery_wire_id(nursery), None, 0, error)

    def _body_raised(self, nursery: Any, exc: BaseException) -> None:
        if is_cancelled(exc):
            return
        scope = nursery.cancel_scope
        if not scope._cancel_called and scope not in self._causes:
            source, error = _failure(exc)
            owner = self._tids.get(nursery._parent_task)
            self._causes[scope] = (source, None, owner, self._nursery_wire_id(nursery), None, 0, error)

    def _nursery_wire_id(self, nursery: Any) -> int | None:
        hit = self._nurseries.get(nursery)
        return hit[0] if hit is not None else None

    def _cancel_called(self, scope: Any, task: Any, runner: Any, frame: Any = None, reason: Any = None) -> None:
        if scope in self._causes:
            return
        if task is None:
            deadline = scope._deadline
            source = "deadline" if deadline <= runner.clock.current_time() else "unknown"
            self._causes[scope] = (source, None, None, None, None, 0, None)
        else:
            site = _caller_in(task, frame)
            if site is None:
                return  # Trio's own machinery (0.22 cancels a nursery this way), not a call in the task
            why = reason[:MAX_TEXT] if isinstance(reason, str) else None
            code, line = (site.f_code, site.f_lineno) if site is not False else (None, 0)
            self._causes[scope] = ("explicit", why, self._tids.get(task), None, code, line, None)

    def _scope_entered(self, scope: Any, caller: Any, relative: bool) -> None:
        """CancelScope.__enter__ wrapper: where user code entered ``scope``,
        and what it called (library scopes, trio.sleep's, a nursery's, are
        left out)."""
        code = caller.f_code
        lib = CLASSIFIER.by_id.get(id(code))
        if lib is None:
            lib = CLASSIFIER.is_library(code)
        if lib:
            call = FAIL_CALLS.get(id(code))
            if call is None:
                return
            caller, _ = CLASSIFIER.user_frame(caller)
            if caller is None:
                return
        else:
            call = "move_on_after" if relative else "CancelScope" if scope._deadline == _INF else None
        self._scope_sites[scope] = (caller.f_code, caller.f_lineno, call)

    def _scope_cause(self, scope: Any) -> Cause | None:
        """Why a cancelled scope was cancelled, as far as known."""
        cause = self._causes.get(scope)
        cr = getattr(scope, "_cancel_reason", None)
        source = map_source(getattr(cr, "source", None)) if cr is not None else None
        reason = getattr(cr, "reason", None) if cr is not None else None
        if cause is None:
            if source is None and self._deadline_passed(scope):
                source = "deadline"
            if source is None:
                return None
            return (source, reason, None, None, None, 0, None)
        if reason is not None and cause[1] is None:
            return (cause[0], str(reason)[:MAX_TEXT], *cause[2:])
        return cause

    def _deadline_passed(self, scope: Any) -> bool:
        try:
            return bool(self._runner is not None and scope._deadline <= self._runner.clock.current_time())
        except Exception:
            return False

    def _cancel_info(self, task: Any, exc: BaseException) -> Cause:
        # The scope that cancelled the task: the outermost cancelled scope
        # visible from the task (stopping at a shield) catches the Cancelled.
        status = task._cancel_status
        responsible = None
        while status is not None:
            here = status._scope
            if here._cancel_called:
                responsible = here
            if here._shield:
                break
            status = status._parent
        source, reason, by = cancel_source(exc)
        scope = None
        code: Any = None
        line = 0
        error = None
        if responsible is not None:
            scope = responsible
            cause = self._causes.get(responsible)
            # A deadline Trio names that is not the responsible scope's is an inner scope's (trio.sleep's
            # own, passed while the loop was held): what cancels up to here is the responsible scope's cause.
            inner = source == "deadline" and not self._deadline_passed(responsible)
            # Trio >= 0.31 calls a cancel by a KeyboardInterrupt escaping a nursery "nursery"
            if cause is not None and (
                inner or source in (None, cause[0]) or (source, cause[0]) == ("nursery", "interrupt")
            ):
                source, by = cause[0], cause[2]
                if reason is None:
                    reason = cause[1]
                scope = cause[3] if cause[3] is not None else responsible
                code, line, error = cause[4], cause[5], cause[6]
            cr = getattr(responsible, "_cancel_reason", None)
            if cr is not None:
                if source is None:
                    source = map_source(getattr(cr, "source", None))
                if reason is None:
                    reason = getattr(cr, "reason", None)
            if source is None and self._deadline_passed(responsible):
                source = "deadline"
            if source is None and getattr(self._runner, "main_task_outcome", None) is not None:
                source = "shutdown"  # a system task, cancelled because the main task is done (0.22 says nothing)
            if source == "deadline" and code is None:
                # where the scope whose deadline passed was entered
                entered = self._scope_sites.get(responsible)
                if entered is not None:
                    code, line = entered[0], entered[1]
        return (source or "unknown", reason, by, scope, code, line, error)
