"""A run's task groups and timeouts, as its loop's tasks enter them (the
``LoopRun`` half that ``patches``' ``TaskGroup`` and ``Timeout`` wrappers call).

A task group is a nursery: it opens in the current task (its owner), its
task set becomes the run's ``hooks.GroupTasks`` (whose ``add`` and
``discard`` report its tasks), and it closes with its last task once its
body has ended. A timeout entered in a task is kept with the task, for the
sampler to report as a cancel scope with its deadline (``sampling``).
"""

from __future__ import annotations

import time
from asyncio import CancelledError
from typing import TYPE_CHECKING, Any, cast

from .._core import events as E
from . import hooks, outcomes

if TYPE_CHECKING:
    from collections import deque
    from collections.abc import Callable

    from .patches import Codes
    from .run import LoopRun

_perf_ns = time.perf_counter_ns


class RunGroups:
    """Task groups and timeouts of a ``run.LoopRun``."""

    live: bool
    failed: bool
    run: int
    loop: Any
    codes: Codes
    queue: deque[Any]
    ids: Callable[[], int]
    current_task: Callable[[Any], Any]
    group_tasks: type[hooks.GroupTasks]
    timeouts: dict[int, list[tuple[Any, str, Any]]]
    #: LoopRun's methods
    tid_of: Callable[[Any], int | None]
    fail: Callable[[BaseException], None]

    def group_entered(self, group: Any, frame: Any, flags: int = E.N_TASKGROUP) -> int | None:
        """A task group opens in the current task: its id, or None (not observed)."""
        if not self.live or self.failed:
            return None
        try:
            owner = self.tid_of(self.current_task(self.loop))
            if owner is None:
                return None
            nid = self.ids()
            if flags & E.N_TASKGROUP:
                group._tasks = self.group_tasks(group._tasks, group, nid, owner)
            code, line = hooks.site_of(frame)
            self.queue.append((E.N_OPEN, self.run, _perf_ns(), nid, owner, code, line, flags))
            return nid
        except Exception as exc:
            self.fail(exc)
            return None

    def group_exiting(self, group: Any, et: Any) -> None:
        """The group's body ended (``__aexit__``): it closes with its last task."""
        tasks = group._tasks
        if type(tasks) is not self.group_tasks or self.failed:
            return
        try:
            if et is not None and tasks.cause is None:
                if issubclass(et, CancelledError):
                    tasks.cause = outcomes.owner_cancel_cause(cast("LoopRun", self), tasks.owner)
                else:
                    tasks.cause = ("nursery", None, tasks.owner)  # the body raised: the group aborts
            tasks.closing = True
            if not tasks:
                self.group_closed(tasks)
        except Exception as exc:
            self.fail(exc)

    def group_closed(self, tasks: hooks.GroupTasks) -> None:
        tasks.closing = False
        self.queue.append((E.N_CLOSE, self.run, _perf_ns(), tasks.nid))

    def timeout_entered(self, timeout: Any, frame: Any) -> None:
        """An ``asyncio.timeout`` (or 3.12+ ``wait_for``'s) is entered in the current task."""
        if not self.live or self.failed:
            return
        try:
            tid = self.tid_of(self.current_task(self.loop))
            if tid is None:
                return
            via = frame.f_code is self.codes.wait_for
            site = hooks.site_of(frame.f_back if via else frame)
            entered = self.timeouts.setdefault(tid, [])
            if len(entered) >= 8:  # those long exited go (a sample prunes the rest)
                entered[:] = [e for e in entered if e[0]._state.name not in ("EXITED", "EXPIRED")]
            entered.append((timeout, "wait_for" if via else "timeout", site if site[0] is not None else None))
        except Exception as exc:
            self.fail(exc)
