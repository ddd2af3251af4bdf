"""What the holder notes share (asyncio's ``lock_owners`` and
``semaphore_holders``, Trio's ``semaphore_holders``): a library keeps a
Lock's flag or a Semaphore's count as a plain instance attribute, and each
module makes it a property whose setter notes the task (the getter is C,
``operator.attrgetter``, so reads stay cheap).

The property keeps the value under another name (``mine``); an object made
before the property existed still has the library's own attribute in its
``__dict__``, which ``Migrated`` reads until the setter first runs.
"""

from __future__ import annotations

import operator
from typing import Any, Callable


class Migrated:
    """A class's ``mine`` for an object made before ``noted``: its own
    ``flag`` (a non-data descriptor: an object's own ``mine`` wins)."""

    def __init__(self, flag: str, default: Any) -> None:
        self.flag = flag
        self.default = default

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        return obj.__dict__.get(self.flag, self.default)


def plain(cls: Any, flag: str, names: tuple[str, ...], made: Callable[[], Any], expected: Any) -> bool:
    """Whether ``cls`` keeps ``flag`` as a plain instance attribute (a new
    object, ``made()``, holds ``expected`` there) and uses none of ``names``."""
    if flag in vars(cls) or any(n in vars(cls) for n in names) or hasattr(cls, "__slots__"):
        return False
    try:
        return bool(made().__dict__.get(flag, object()) == expected)
    except Exception:
        return False


def noted(cls: Any, flag: str, mine: str, setter: Callable[[Any, Any], None], default: Any, doc: str) -> None:
    """``cls.flag`` becomes a property: read from ``mine``, written by ``setter``."""
    setattr(cls, mine, Migrated(flag, default))
    setattr(cls, flag, property(operator.attrgetter(mine), setter, doc=doc))


#: How many holders a note keeps before it drops those that ended (again at each multiple).
PRUNE_AT = 64


def prune(holders: list[Any], alive: Callable[[Any], bool]) -> None:
    """Drops the holders that ended once the list is PRUNE_AT long (and at
    each multiple): a semaphore used as a signal (taken, never released)
    would otherwise keep every task that ever took it."""
    if len(holders) % PRUNE_AT == 0:
        holders[:] = [t for t in holders if alive(t)]


def let_go(holders: list[Any], task: Any) -> None:
    """``task`` releases: it leaves the holders (the newest first); a task
    that never took it (released by another task) lets the longest holder go."""
    if holders[-1] is task:
        holders.pop()
    elif task in holders:
        holders.remove(task)
    else:
        del holders[0]


def holders(obj: Any, name: str) -> list[Any] | None:
    """The holders noted in ``obj``'s ``name``, longest first; None when not known."""
    try:
        known = obj.__dict__.get(name)
        return list(known) if isinstance(known, list) else None
    except Exception:
        return None
