"""Tasks made by calling ``asyncio.Task(...)`` itself, not a loop's ``create_task``.

A run sees a task made through its loop's ``create_task`` (``hooks``). A
program or library may make one directly: aiohttp's server makes each
request's handler with ``asyncio.Task(coro, loop=loop, eager_start=True)`` on
Python 3.12+. Every Task, C or Python, adds itself to asyncio's registry of
tasks (``tasks._scheduled_tasks``, 3.11's ``_all_tasks``: a ``WeakSet``)
as it is made; asyncio's C code calls that set's ``add`` by name, so an
``add`` on the set itself (an instance attribute) sees every task made.

The hook passes a task made through ``create_task`` (the runtime's own
frames, or the loop's, are just above it: uvloop's Cython ``create_task``
has no frame, the runtime's hook calling it has), and hands any other task
of an observed loop to its run as a loose task, made by the current task at
the caller's line. An eager task is added once its first step has
suspended it (one that finished in that step is never added, nor seen).

Cost: every task made pays a Python call and a look at two or three frames
(about 0.3 µs); asyncio's own ``WeakSet.add`` is Python already.
"""

from __future__ import annotations

import os
import sys
from asyncio import tasks
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .run import LoopRun

#: the runtime's own files: a task made under one of their frames is already seen
_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
#: frames above the registry's ``add`` looked at for the runtime's own
_DEPTH = 4
INSTALLED: list[bool] = []


def install(runs: dict[Any, LoopRun], base_create: Any) -> bool:
    """Hooks asyncio's registry of tasks (once); False where it has another
    shape. ``base_create``: asyncio's own ``BaseEventLoop.create_task``,
    the caller of nearly every task's ``add`` (told apart at once)."""
    if INSTALLED:
        return INSTALLED[0]
    registry: Any = getattr(tasks, "_scheduled_tasks", None)
    if registry is None:
        registry = getattr(tasks, "_all_tasks", None)
    real_add: Any = getattr(type(registry), "add", None)
    ok = registry is not None and callable(real_add) and "add" not in getattr(registry, "__dict__", {"add": 1})
    INSTALLED.append(ok)
    if not ok:
        return False
    getframe = sys._getframe
    here = _HERE
    loops_create = getattr(base_create, "__code__", None)

    def add(task: Any) -> None:
        real_add(registry, task)
        try:
            f = getframe(1)
            if f.f_code is loops_create:
                return  # made through a loop's create_task: its run saw it
            g: Any = f
            for _ in range(_DEPTH):
                if g is None:
                    break
                if g.f_code.co_filename.startswith(here):
                    return  # made through a run's create_task (asyncio's own, a task factory, uvloop's): seen there
                g = g.f_back
            run = runs.get(task.get_loop())
            if run is not None and run.live and not run.failed and task not in run.tids:
                run.spawn_direct(task, f)
        except Exception:
            pass  # never the program's problem: this task stays unseen

    registry.add = add
    return True
