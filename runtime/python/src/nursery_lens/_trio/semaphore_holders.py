"""Who holds a ``trio.Semaphore``: Trio counts its takers, this names them.

Trio's Semaphore keeps a count (``_value``) and a ParkingLot of waiters
(``_lot``). A take lowers the count by one (``acquire_nowait``, run by the
task taking it); a release raises it when nobody waits, and otherwise hands
the semaphore to the first waiter (``_lot.unpark(count=1)``) with the count
untouched (Trio 0.22 to 0.35 alike).

``install`` makes ``_value`` a property whose setter notes the current task
taking it (down) or letting it go (up), as asyncio's ``semaphore_holders``
does; and wraps ``ParkingLot.unpark``: a semaphore's lot, unparked, hands it
over, so the releasing task (the current one) lets go and the tasks woken
take it. A task that lets go of what it does not hold (a semaphore released
by another task than took it) lets the longest holder go.

Neither is on the path of an exception the program sees: the setter runs
after Trio's checks, and ``unpark`` raises nothing of its own. Both run
inside Trio's Ctrl-C-protected methods. A semaphore made before ``install``
(at import, before the first ``trio.run``) keeps its count in its
``__dict__`` (``noted.Migrated``); who holds it stays unknown.

Cost: a take or release pays the setter (about a microsecond, as in
asyncio); an unpark of any lot (Lock, Event, Condition…) that wakes tasks
pays a lookup, beside the task switch it causes.
"""

from __future__ import annotations

import weakref
from typing import Any

from .._core import noted

_FLAG = "_value"
_MINE = "_nl_value"
_HOLDERS = "_nl_holders"
INSTALLED: list[bool] = []
#: a semaphore's ParkingLot -> the semaphore (weakly both ways)
_LOTS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _alive(task: Any) -> bool:
    """A Trio task not yet ended: its coroutine (or Trio's generator wrapper
    of an awaitable) still has a frame."""
    coro = task.coro
    frame = coro.cr_frame if hasattr(coro, "cr_frame") else getattr(coro, "gi_frame", True)
    return frame is not None


def install() -> bool:
    """Name holders from now on (once per process); False where Trio's
    Semaphore or ParkingLot has another shape (holders then stay unknown)."""
    if INSTALLED:
        return INSTALLED[0]
    import trio
    from trio.lowlevel import ParkingLot, current_task

    cls: Any = trio.Semaphore
    unpark: Any = getattr(ParkingLot, "unpark", None)
    ok = callable(unpark) and noted.plain(cls, _FLAG, (_MINE, _HOLDERS), lambda: trio.Semaphore(2), 2)
    ok = ok and isinstance(getattr(trio.Semaphore(1), "_lot", None), ParkingLot)
    INSTALLED.append(ok)
    if not ok:
        return False

    def set_value(sem: Any, value: Any) -> None:
        d = sem.__dict__
        holders = d.get(_HOLDERS)
        if holders is None:  # made now; or made before install, and who took it so far is not known
            d[_HOLDERS] = False if _FLAG in d else []
            d[_MINE] = value
            lot = d.get("_lot")
            if lot is not None and _FLAG not in d:
                _LOTS[lot] = weakref.ref(sem)
            return
        old = d[_MINE]
        d[_MINE] = value
        if holders is False or value == old:
            return
        try:
            if value < old:
                holders.append(current_task())
                noted.prune(holders, _alive)
            elif holders:
                noted.let_go(holders, current_task())
        except Exception:  # outside a run (a release from sync code): not known from here on
            d[_HOLDERS] = False

    def handing_over(lot: Any, *, count: Any = 1) -> Any:
        woken = unpark(lot, count=count)
        if woken:
            ref = _LOTS.get(lot)
            sem = ref() if ref is not None else None
            holders = sem.__dict__.get(_HOLDERS) if sem is not None else None
            if isinstance(holders, list):
                try:
                    if holders:
                        noted.let_go(holders, current_task())
                    holders.extend(woken)
                    noted.prune(holders, _alive)
                except Exception:
                    sem.__dict__[_HOLDERS] = False
        return woken

    handing_over.__doc__ = unpark.__doc__
    handing_over.__wrapped__ = unpark  # type: ignore[attr-defined]
    noted.noted(cls, _FLAG, _MINE, set_value, None, "Trio's count, its takers noted (nursery_lens)")
    setattr(ParkingLot, "unpark", handing_over)  # noqa: B010 (a method of Trio's, replaced)
    return True


def holders(sem: Any) -> list[Any] | None:
    """The tasks holding ``sem``, longest first; None when not known."""
    return noted.holders(sem, _HOLDERS)
