"""The current asyncio task, cheaply: the setters of ``lock_owners`` and
``semaphore_holders`` ask on every Lock and Semaphore step.

asyncio's ``_get_running_loop`` checks the process id at each call (a
system call: ~0.8 µs here, more than the rest of a setter). The runtime's
``_set_running_loop`` (``patches``) notes each thread's loop in ``THREAD``
as it starts and stops; a loop that started before that wrapper was
installed is looked up asyncio's way, as it is in a forked child.
"""

from __future__ import annotations

import os
import threading
from asyncio import events, tasks
from typing import Any, Callable

#: ``loop``: the loop running in this thread (None: none, or not known here)
THREAD = threading.local()
if hasattr(os, "register_at_fork"):
    # a child forked while a loop ran is not running it (asyncio's pid check is for this)
    os.register_at_fork(after_in_child=lambda: THREAD.__dict__.pop("loop", None))


def reader() -> Callable[[], Any]:
    """A function returning the current task (None outside a task or a loop)."""
    get_loop = events._get_running_loop
    local = THREAD
    current = getattr(tasks, "_current_tasks", None)
    # 3.11-3.13: one dict, loop -> task (a call less than current_task(loop))
    of: Callable[[Any], Any] = current.get if isinstance(current, dict) else tasks.current_task

    def current_task() -> Any:
        loop = getattr(local, "loop", None)
        if loop is None:
            loop = get_loop()
            if loop is None:
                return None
        return of(loop)

    return current_task
