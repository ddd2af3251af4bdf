"""A task's coroutine, read so that it can never crash the program.

CPython 3.12.0 to 3.12.4 crash the process (a segmentation fault) when
``Task.get_coro()`` is called on a task that an eager task factory ran to its
end at once: that task's coroutine is cleared, and ``get_coro`` did not check
(gh-122332, fixed in 3.12.5). The ``_coro`` attribute always checked, and
gives None for such a task. A task-like object that is no asyncio Task may
have only ``get_coro()``, which is then safe to call.
"""

from __future__ import annotations

from typing import Any


def coro_of(task: Any) -> Any:
    """The task's coroutine; None once an eager task has finished (or for none)."""
    try:
        return task._coro
    except AttributeError:
        get = getattr(task, "get_coro", None)
        return get() if get is not None else None
