"""AnyIO on Trio: its task group is a Trio nursery, reported once, as AnyIO's.

The Trio adapter already sees the nursery AnyIO's ``TaskGroup.__aenter__``
opens (with the user's ``create_task_group()`` site, AnyIO's frames being
library code) and ``start()``'s temporary nursery and move. This tells it
the nursery's kind (``GROUP_KINDS``) and gives AnyIO's cancel scopes their
kind and site (``SCOPE_KINDS``, keyed by the Trio scope each one wraps).
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any

from .._core import events as E
from .._core.frames import CLASSIFIER
from .._core.library_work import WRAPPERS
from .._trio import known_codes
from .._trio.sampling import SCOPE_KINDS
from .library import warn

if TYPE_CHECKING:
    from types import ModuleType

_getframe = sys._getframe


def install(module: ModuleType) -> bool:
    group = getattr(module, "TaskGroup", None)
    enter = getattr(group, "__aenter__", None)
    code = getattr(enter, "__code__", None)
    if code is None:
        warn("Trio task group")
        return False
    known_codes.GROUP_KINDS[id(code)] = (code, E.N_ANYIO)
    _register_wrapper()
    scope_cls: Any = getattr(module, "CancelScope", None)
    scope_enter = getattr(scope_cls, "__enter__", None)
    if scope_enter is None or not hasattr(scope_cls, "_CancelScope__original"):
        warn("Trio cancel scope")
        return True

    @functools.wraps(scope_enter)
    def __enter__(self: Any) -> Any:
        try:
            SCOPE_KINDS[self._CancelScope__original] = ("anyio", CLASSIFIER.user_site(_getframe(1)))
        except Exception:
            pass  # the scope reads as Trio's
        return scope_enter(self)

    scope_cls.__enter__ = __enter__
    return True


def _register_wrapper() -> None:
    """A task of an AnyIO group runs ``TaskHandle._run_coro`` around the coroutine
    it was given: whether it is the library's own work is the given one's to say."""
    try:
        from anyio._core import _tasks
    except ImportError:
        return
    run_coro = getattr(getattr(_tasks, "TaskHandle", None), "_run_coro", None)
    code = getattr(run_coro, "__code__", None)
    if code is not None:
        WRAPPERS[id(code)] = (code, lambda coro: coro.cr_frame.f_locals["self"]._coro)
