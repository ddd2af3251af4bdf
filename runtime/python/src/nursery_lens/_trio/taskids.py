"""Ids of one run's tasks, without a task -> id dict where Trio allows.

The protocol numbers a run's tasks, nurseries and cancel scopes from one
counter, so an id names one thing. Newer Trio numbers its tasks itself:
``Task._counter`` comes from one ``itertools.count`` per process. There the
runtime draws nursery and scope ids from that same counter and a task's id
is ``task._counter - base`` (``base`` drawn when the run starts, so ids start
at 1; other runs drawing from the counter leave gaps, never duplicates).
A dict of every live task, written at each spawn and read at each exit,
cost about 6% of the spawn-heavy benchmark: cache misses on a large table,
and longer garbage collections. Older Trio (0.22) has no such field: a
per-run counter and a dict, as before.
"""

from __future__ import annotations

import itertools
from itertools import islice
from typing import Any, Callable, Union

from .._core.sampler import newest


def trio_task_counter() -> Callable[[], int] | None:
    """``next`` of the counter Trio numbers its tasks from, or None."""
    try:
        import attrs
        from trio._core._run import Task

        default = attrs.fields(Task)._counter.default
        nxt = getattr(default, "factory", None)
        if type(getattr(nxt, "__self__", None)) is not itertools.count or getattr(default, "takes_self", True):
            return None
        return nxt
    except Exception:
        return None


class SerialIds:
    """task -> id for one run, computed from ``Task._counter`` (the dict
    methods the instrument, sampler and snapshot use, on their cold paths;
    the spawn and exit hooks compute ``task._counter - base`` inline)."""

    __slots__ = ("base", "runner")

    def __init__(self, runner: Any, base: int) -> None:
        self.runner = runner
        self.base = base

    def get(self, task: Any, default: int | None = None) -> int | None:
        if getattr(task, "_runner", None) is not self.runner:
            return default
        tid: int = task._counter - self.base
        return tid

    pop = get  # every task of this run has its id: nothing to forget

    def __len__(self) -> int:
        return len(self.runner.tasks)

    def values(self) -> list[int]:
        base = self.base
        return [t._counter - base for t in list(self.runner.tasks)]

    def slice(self, start: int, stop: int) -> list[Any]:
        base = self.base
        return [(t, t._counter - base) for t in list(islice(self.runner.tasks, start, stop))]

    def newer(self, after: int, most: int) -> list[tuple[Any, int]] | None:
        """(task, id) with ids above ``after``, oldest first; None: more than ``most``
        (Trio's tasks are a set: all of them are looked at)."""
        floor = self.base + after
        found = [t for t in list(self.runner.tasks) if t._counter > floor]
        if len(found) > most:
            return None
        found.sort(key=_counter_of)
        return [(t, t._counter - self.base) for t in found]


def _counter_of(task: Any) -> int:
    return task._counter  # type: ignore[no-any-return]


TaskIds = Union[dict[Any, int], SerialIds]


def newer(tids: TaskIds, after: int, most: int) -> list[tuple[Any, int]] | None:
    """(task, id) of live tasks with ids above ``after``, oldest first, or None: more than ``most``."""
    if isinstance(tids, dict):
        return newest(tids, after, most)
    return tids.newer(after, most)


def base_of(tids: TaskIds) -> int | None:
    """What a task's ``_counter`` minus is its id; None: ids are in the dict."""
    return tids.base if type(tids) is SerialIds else None


def live_slice(tids: TaskIds, start: int, stop: int) -> list[Any]:
    """(task, id) pairs of live tasks ``start:stop``, in a stable order
    while the set of live tasks does not change."""
    if isinstance(tids, dict):
        return list(islice(tids.items(), start, stop))
    return tids.slice(start, stop)
