"""Who holds an ``asyncio.Semaphore``: asyncio counts its takers, this names them.

``Semaphore._value`` goes down by one for each taker and up by one for each
release (3.11 to 3.13 alike). ``install`` makes it a property, as
``lock_owners`` does ``Lock._locked``: the getter is C
(``operator.attrgetter``), the setter notes who:

* down in ``acquire``: the current task takes it (the semaphore was free:
  no waiter is still waiting);
* down in ``_wake_up_next``: a release hands it to the first waiter still
  waiting, the task whose wake-up is that future's callback;
* up: a release. The current task lets go if it holds it (``async with``,
  and ``acquire``'s undo when a woken waiter is cancelled); else the
  longest holder does (a semaphore released by another task than took it).

Holders are kept in the order they took it, strongly while they hold it: a
task that ends holding it is told as such (``waits``), until 64 are noted
(``noted.prune``: a semaphore used as a signal keeps no ended task for good). A semaphore made
before ``install`` keeps its count in its ``__dict__`` (``noted.Migrated``); who
holds it stays unknown. Nothing here is on an
exception's path: ``acquire`` and ``release`` are asyncio's own.

Cost: about a microsecond per take and release, two calls of the setter
(CPU, a 2-core machine). A Semaphore taken around every ``sleep(0)`` of 10
tasks, nothing else, reads 1.66 against 1.02 without it
(``bench/overhead.py --only asyncio_semaphores``, 7 Dec); around real work
(the asyncio Hettinger example's fetches) it does not show.
"""

from __future__ import annotations

from asyncio import locks, tasks
from typing import Any

from .._core import noted
from . import current

_FLAG = "_value"
_MINE = "_nl_value"
_HOLDERS = "_nl_holders"
INSTALLED: list[bool] = []


def _woken(sem: Any) -> Any:
    """The task ``_wake_up_next`` is about to wake: its future is the first
    waiter not done, and the task's wake-up is that future's callback."""
    for fut in sem._waiters or ():
        if not fut.done():
            for callback, _context in fut._callbacks or ():
                task = getattr(callback, "__self__", None)
                if isinstance(task, tasks.Task):
                    return task
            return None
    return None


def _alive(task: Any) -> bool:
    return not task.done()


def install() -> bool:
    """Name holders from now on (once per process); False where asyncio's
    Semaphore has another shape (holders then stay unknown)."""
    if INSTALLED:
        return INSTALLED[0]
    cls: Any = locks.Semaphore
    ok = callable(getattr(cls, "_wake_up_next", None))
    ok = ok and noted.plain(cls, _FLAG, (_MINE, _HOLDERS), lambda: locks.Semaphore(2), 2)
    INSTALLED.append(ok)
    if not ok:
        return False
    current_task = current.reader()

    def set_value(sem: Any, value: Any) -> None:
        d = sem.__dict__
        holders = d.get(_HOLDERS)
        if holders is None:  # made now; or made before install, and who took it so far is not known
            d[_HOLDERS] = False if _FLAG in d else []
            d[_MINE] = value
            return
        old = d[_MINE]
        d[_MINE] = value
        if holders is False or value == old:
            return
        try:
            if value < old:
                # a waiter not done: _wake_up_next hands it over (acquire takes it only when none is)
                task = (d.get("_waiters") and _woken(sem)) or current_task()
                if task is not None:
                    holders.append(task)
                    noted.prune(holders, _alive)
            elif holders:
                noted.let_go(holders, current_task())
        except Exception:
            d[_HOLDERS] = False  # not known from here on, rather than wrong

    noted.noted(cls, _FLAG, _MINE, set_value, None, "asyncio's count, its takers noted (nursery_lens)")
    return True


def holders(sem: Any) -> list[Any] | None:
    """The tasks holding ``sem``, longest first; None when not known."""
    return noted.holders(sem, _HOLDERS)
