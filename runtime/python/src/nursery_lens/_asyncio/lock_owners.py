"""Who holds an ``asyncio.Lock``: asyncio does not record it, this does.

``Lock.acquire`` sets ``self._locked = True`` in the acquiring task (at
once when the lock is free, or after its wait), ``release`` sets it
``False``. ``install`` makes ``Lock._locked`` a property whose setter also
notes the current task as ``_nl_owner`` (and forgets it on release), so the
sampler can name a lock's holder (``waits``) and the store can see a cycle
of two tasks each holding the lock the other wants. The getter is C
(``operator.attrgetter``): reads stay cheap, and a program that takes no
locks pays nothing; a lock taken around every ``sleep(0)`` of 10 tasks
reads 1.32 against 1.57 when the setter asked asyncio for the running loop
(``current``; ``bench/overhead.py --only asyncio_locks``, 7 Dec).

The owner is held strongly while the lock is held, and let go on release: a
task that ends holding a lock is told as such (``waits``). A lock
made before ``install`` (``observe_asyncio()`` called with locks already in
use) keeps its state in its ``__dict__``: ``noted.Migrated`` reads it from there
until its next acquire or release, and its owner is not known until then.
"""

from __future__ import annotations

from asyncio import locks
from typing import Any

from .._core import noted
from . import current

#: the flag asyncio's Lock keeps, and where this module keeps it instead
_FLAG = "_locked"
_MINE = "_nl_locked"
INSTALLED: list[bool] = []


def install() -> bool:
    """Record owners from now on (once per process); False where asyncio's
    Lock has another shape (owners then stay unknown)."""
    if INSTALLED:
        return INSTALLED[0]
    cls: Any = locks.Lock
    ok = noted.plain(cls, _FLAG, (_MINE, "_nl_owner"), locks.Lock, False)
    INSTALLED.append(ok)
    if not ok:
        return False
    current_task = current.reader()

    def set_locked(lock: Any, value: Any) -> None:
        lock._nl_locked = value
        try:
            lock._nl_owner = current_task() if value else None
        except Exception:
            lock._nl_owner = None

    cls._nl_owner = None
    noted.noted(cls, _FLAG, _MINE, set_locked, False, "asyncio's flag, its owner noted (nursery_lens)")
    return True


def owner(lock: Any) -> Any:
    """The task holding ``lock``, or None (free, or not known)."""
    try:
        return lock._nl_owner if lock._locked else None
    except Exception:
        return None
