"""The emitters of this process: one per configuration, none in a forked child."""

from __future__ import annotations

import os
import threading
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Config
    from .emitter import Emitter

#: every emitter of this process, shared or not (the fork handler stops them)
ALL: weakref.WeakSet[Emitter] = weakref.WeakSet()
#: this process is a forked child of one that had emitters
forked = False
_SHARED: dict[tuple[Any, ...], Emitter] = {}
_SHARED_LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    """A forked child has no writer thread: its emitters are dead.

    Its own runs get a fresh emitter (a new connection and hello, with the
    child's pid) but never the parent's recording file, which a second
    writer would corrupt.
    """
    global forked
    forked = True
    for em in list(ALL):
        em.abandon()
    _SHARED.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def emitter_for(config: Config, runtime: tuple[str, str]) -> Emitter:
    """One emitter (one connection, one hello) per distinct configuration."""
    from .emitter import Emitter

    if forked and config.record:
        config = config.replace(record=None)
    key = config.key()
    with _SHARED_LOCK:
        em = _SHARED.get(key)
        if em is None or em.stopped:
            em = Emitter(config, runtime)
            _SHARED[key] = em
        return em


def shared_emitters() -> list[Emitter]:
    """The emitters instruments configured alike share (``emitter_for``)."""
    with _SHARED_LOCK:
        return list(_SHARED.values())
