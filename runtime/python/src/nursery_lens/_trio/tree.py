"""The tree's cold paths: tasks spawned with flags, nurseries, moves.

Nearly every spawn is handled by the per-run spawn hook (``hooks``) alone;
what it cannot handle comes here: Trio's init task, the main task and
system tasks, and a spawn into a nursery not seen opening. Nurseries are
seen opening and closing through ``patches``' wrappers of ``Nursery.__init__``
(with the user frame of ``async with open_nursery()``; a ``Nursery.start``
frame below it marks the temporary nursery of ``start()``) and of
``Nursery._nested_child_finished``; without them (a Trio of another shape)
they are discovered from ``task._parent_nursery`` and closed when their
owner exits. ``_TaskStatus.started`` moves tasks (``task.moved``).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from .._core import events as E
from .._core.frames import CLASSIFIER
from .._core.library_work import opened_by_library, runs_for_library
from . import known_codes
from .runstate import RunState

_perf_ns = time.perf_counter_ns


def func_of(task: Any) -> Any:
    """The code object of the task's coroutine function, or None."""
    return getattr(getattr(task, "coro", None), "cr_code", None)


_getframe = sys._getframe
#: The frame of start_soon/start's caller, seen from _spawned_special: it is
#: called by the spawn hook, one frame deeper.
_SPECIAL_CALLER = 2


class Tree(RunState):
    """The Instrument's part that reports the tree's cold paths."""

    def _new_tid(self, task: Any) -> int:
        """The id of a task this run meets (the spawn hook inlines this)."""
        tids = self._tids
        if isinstance(tids, dict):
            tid = self._next()
            tids[task] = tid
            return tid
        counted: int = task._counter - tids.base
        return counted

    def _spawned_special(self, task: Any, tid: int, nursery: Any, n: tuple[int, int] | None) -> None:
        """Init, main and system tasks, and nurseries not seen opening."""
        if nursery is None:  # Trio's init task
            self._init = task
            self._system.add(task)
            self._q_append((E.SPAWN, self._run, _perf_ns(), tid, task.name, None, E.F_SYSTEM, None, 0, func_of(task)))
            return
        if n is None:
            n = self._discover(nursery)
        nid, nflags = n
        code = None
        line = 0
        if nflags & E.N_SYSTEM and self._main is None and nursery._parent_task is self._init:
            self._main = task
            flags = E.F_MAIN
            site = CLASSIFIER.user_site(_getframe(_SPECIAL_CALLER), cross=True)  # trio.run's caller
            if site is not None:
                code, line = site
        elif nflags & E.N_LIBRARY:
            # a library's own nursery (open_tcp_stream's): its own tasks are system, a user's handler is not
            flags = E.F_SYSTEM if runs_for_library(task.coro) else 0
            if not flags:
                site = CLASSIFIER.user_site(_getframe(_SPECIAL_CALLER))
                if site is not None:
                    code, line = site
        elif nflags & E.N_SYSTEM:
            flags = E.F_SYSTEM
            self._system.add(task)
        else:
            flags = 0
            site = CLASSIFIER.user_site(_getframe(_SPECIAL_CALLER))
            if site is not None:
                code, line = site
        self._q_append((E.SPAWN, self._run, _perf_ns(), tid, task.name, nid, flags, code, line, func_of(task)))

    def _discover(self, nursery: Any) -> tuple[int, int]:
        """A nursery seen first as a parent (fallback when not wrapped)."""
        owner = nursery._parent_task
        nid = self._next()
        flags = E.N_SYSTEM if (owner is self._init or owner in self._system) else 0
        self._nurseries[nursery] = (nid, flags)
        self._q_append((E.N_OPEN, self._run, _perf_ns(), nid, self._tids.get(owner, 0) or 0, None, 0, flags))
        return nid, flags

    def _nursery_opened(self, nursery: Any, frame: Any) -> None:
        owner = nursery._parent_task
        owner_tid = self._tids.get(owner)
        if owner_tid is None:
            return
        flags = E.N_SYSTEM if (owner is self._init or owner in self._system) else 0
        # a Nursery.start frame below the user's: start()'s temporary nursery
        below = frame
        frame, in_start = CLASSIFIER.user_frame(frame, known_codes.START_IDS)
        if in_start:
            flags |= E.N_START
        else:
            if known_codes.GROUP_KINDS:  # a library's task group that is a Trio nursery (AnyIO's)
                flags |= known_codes.group_kind(below, frame)
            if not flags & E.N_SYSTEM and opened_by_library(
                known_codes.opener(below), frame, known_codes.GROUP_KINDS.keys()
            ):
                flags |= E.N_SYSTEM | E.N_LIBRARY
        nid = self._next()
        self._nurseries[nursery] = (nid, flags)
        if frame is None or (flags & E.N_SYSTEM and not flags & E.N_LIBRARY):
            # Trio's own nurseries: the user frame found would be trio.run's caller
            code, line = None, 0
        else:
            code, line = frame.f_code, frame.f_lineno
        self._q_append((E.N_OPEN, self._run, _perf_ns(), nid, owner_tid, code, line, flags))

    def _nursery_closed(self, nursery: Any) -> None:
        n = self._nurseries.pop(nursery, None)
        if n is not None:
            self._q_append((E.N_CLOSE, self._run, _perf_ns(), n[0]))

    def _close_owned(self, task: Any) -> None:
        for nursery in getattr(task, "_child_nurseries", ()):
            self._nursery_closed(nursery)

    def _task_moved(self, task: Any, nursery: Any) -> None:
        tid = self._tids.get(task)
        if tid is None:
            return
        n = self._nurseries.get(nursery)
        if n is None:
            n = self._discover(nursery)
        self._q_append((E.MOVE, self._run, _perf_ns(), tid, n[0]))
