"""A Trio run as the core's pumps see it (``adapter.ObservedRun``).

* state: ``scheduled`` if Trio has a value to send the task
  (``_next_send_fn``), else ``waiting`` (``running`` is the core's call).
* scopes: the cancel scopes entered in the task (its cancel-status chain up
  to its parent nursery's) that have a deadline, a shield or a cancel. The
  scope ``trio.sleep`` opens for itself is noise and is skipped. What the
  stream says of each besides (``scope_facts``): where user code entered
  it and with what, and why it was cancelled (``outcomes``).
* waits: what a waiting task waits for (``waits``).
"""

from __future__ import annotations

import weakref
from math import inf
from typing import TYPE_CHECKING, Any

from .._core import lines as L
from .._core.fragments import cancel_json, site_json
from .._core.waits import WaitReader
from . import known_codes, patches as _patches, waits as _waits
from .taskids import live_slice, newer

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import FrameType

    from .._core.adapter import ScopeSeen
    from .instrument import Instrument

#: Most links followed in one cancel-status chain.
_MAX_DEPTH = 200
#: Most frames between a task's coroutine and Trio's run loop.
_RUN_LOOP_DEPTH = 4
#: Trio cancel scope -> (kind, site) of a library scope wrapping it (AnyIO's
#: CancelScope: its adapter registers them as they are entered)
SCOPE_KINDS: weakref.WeakKeyDictionary[Any, tuple[str, Any]] = weakref.WeakKeyDictionary()


class TrioRun:
    """One run of ``inst``: asked by pumps, on the Trio thread or the
    watching thread, while ``inst`` observes it."""

    __slots__ = ("beat", "inst", "run", "sleep_codes", "waits", "wakes_for_pumps")

    def __init__(self, inst: Instrument, run: int, clock0: float) -> None:
        self.inst = inst
        self.run = run
        # the get_events wrapper cuts an idle wait short when a pump is owed
        self.wakes_for_pumps = bool(_patches.INSTALLED.get("get_events"))
        # only sleep_until opens a scope of its own (trio.sleep calls it)
        self.sleep_codes = known_codes.SLEEP_IDS
        # stamped by the get_events wrapper (hooks.pump_hook): blocks are seen
        self.beat = inst._beat
        self.waits = WaitReader(_waits.look_up(), _waits.describer(inst), self.next_id, clock0, _waits.maker_frames)

    @property
    def observed(self) -> bool:
        return self.inst._run == self.run and not self.inst._failed

    def fail(self, exc: BaseException) -> None:
        if self.observed:
            self.inst._fail(exc)

    def describe(self, task: Any) -> tuple[str, Any]:
        return (str(getattr(task, "name", task)), None)

    def next_id(self) -> int:
        return self.inst._next()

    def live_ids(self) -> Iterable[int]:
        return list(self.inst._tids.values())

    def live_tasks(self, start: int, stop: int) -> list[tuple[Any, int]]:
        return live_slice(self.inst._tids, start, stop)

    def newer_tasks(self, after: int, most: int) -> list[tuple[Any, int]] | None:
        return newer(self.inst._tids, after, most)

    def task_coro(self, task: Any) -> Any:
        return task.coro

    def running_tid(self, frame: FrameType) -> int | None:
        # Trio resumes a task's coroutine from its run loop, whose local
        # ``task`` is that task (no thread but the loop's can ask Trio)
        if not known_codes.RUN_LOOP_CODES:
            return None
        loop_code = known_codes.RUN_LOOP_CODES[0]
        f = frame.f_back
        for _ in range(_RUN_LOOP_DEPTH):
            if f is None:
                return None
            if f.f_code is loop_code:
                task = f.f_locals.get("task")
                if task is None or getattr(task.coro, "cr_frame", None) is not frame:
                    return None
                return self.inst._tids.get(task)
            f = f.f_back
        return None

    def waiting_state(self, task: Any) -> str:
        return "scheduled" if task._next_send_fn is not None else "waiting"

    def task_scopes(self, task: Any, sleeping: bool) -> Iterable[ScopeSeen]:
        found: list[ScopeSeen] | None = None
        status = task._cancel_status
        parent = task._parent_nursery
        stop = getattr(parent, "_cancel_status", None) if parent is not None else None
        first = True
        depth = 0
        while status is not None and status is not stop and depth < _MAX_DEPTH:
            depth += 1
            scope = status._scope
            shield = scope._shield
            called = scope._cancel_called
            deadline = scope._deadline
            if first and sleeping and not shield and not called:
                pass  # trio.sleep's own scope
            elif deadline != inf or shield or called:
                cr = getattr(scope, "_cancel_reason", None)
                reason = getattr(cr, "reason", None) if cr is not None else None
                if found is None:
                    found = []
                extra = SCOPE_KINDS.get(scope) if SCOPE_KINDS else None
                if extra is None:
                    found.append((scope, deadline, shield, called, reason))
                else:
                    found.append((scope, deadline, shield, called, reason, *extra))
            first = False
            status = status._parent
        return found or ()

    def scope_facts(self, scope: Any) -> str:
        """The end of the scope's ``scope.changed`` line: where user code
        entered it and with what (``Instrument._scope_entered``), and, once
        cancelled, why (``outcomes``)."""
        inst = self.inst
        entered = inst._scope_sites.get(scope)
        site = site_json(entered[0], entered[1]) if entered is not None else None
        call = entered[2] if entered is not None else None
        cause = inst._scope_cause(scope) if scope._cancel_called else None
        return L.scope_facts(site, call, cancel_json(cause) if cause is not None else None)
