"""A library's own work inside the user's tasks (protocol 1.4).

Trio's ``open_tcp_stream`` opens a nursery in the task that called it and
races its connection attempts there; AnyIO's ``connect_tcp`` does the same
with a task group. The user did not write these: they are reported as
``system`` (the panel hides them unless asked), the nursery with the user's
line that called the library, so it is still found from the code.

A nursery is the library's when a frame of the async library's own package
(Trio, AnyIO, asyncio; not contextlib's plumbing, not the task group's own
machinery) lies between its opening and the first frame of user code. A
task spawned into such a nursery is the library's when its function is
library code and none of its arguments is the user's function: the
handler a server spawns (``trio.serve_tcp``'s ``_run_handler(stream,
handler)``) runs the user's code and stays the user's.
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any

from .events import N_LIBRARY, N_SYSTEM
from .frames import CLASSIFIER, _package_dir

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Set as AbstractSet

#: the async libraries whose functions open nurseries for themselves
_OPENERS = ("trio", "anyio", "asyncio")
#: frames looked at between a nursery's opening and the user's frame
_DEPTH = 24
#: id(code) -> (code, of an opener's package), kept alive by the tuple
_OPENER_CODES: dict[int, tuple[Any, bool]] = {}
_dirs: tuple[str, ...] | None = None
#: id(code) -> (code, coroutine -> the coroutine it runs): a library's wrapper
#: around the coroutine it was given (AnyIO's ``TaskHandle._run_coro``)
WRAPPERS: dict[int, tuple[Any, Callable[[Any], Any]]] = {}


def _opener_dirs() -> tuple[str, ...]:
    global _dirs
    if _dirs is None or len(_dirs) < sum(1 for n in _OPENERS if n in sys.modules):
        _dirs = tuple(d for d in (_package_dir(n) for n in _OPENERS) if d)
        _OPENER_CODES.clear()
    return _dirs


def _of_opener(code: Any) -> bool:
    hit = _OPENER_CODES.get(id(code))
    if hit is not None and hit[0] is code:
        return hit[1]
    found: bool = code.co_filename.startswith(_opener_dirs())
    _OPENER_CODES[id(code)] = (code, found)
    return found


def opened_by_library(frame: Any, user: Any, machinery: AbstractSet[int] = frozenset()) -> bool:
    """Whether the nursery whose opening was called from ``frame`` is a
    library's own: a frame of Trio, AnyIO or asyncio other than the task
    group's machinery (ids of codes in ``machinery``: AnyIO's
    ``TaskGroup.__aenter__`` on Trio) comes before ``user``, the first frame
    of user code (None: none was found)."""
    depth = 0
    while frame is not None and frame is not user and depth < _DEPTH:
        code = frame.f_code
        if id(code) not in machinery and _of_opener(code):
            return True
        frame = frame.f_back
        depth += 1
    return False


def library_flags(frame: Any) -> int:
    """``N_SYSTEM | N_LIBRARY`` when the task group whose ``__aenter__`` was
    called from ``frame`` is a library's own (see ``opened_by_library``), else 0."""
    user, _ = CLASSIFIER.user_frame(frame)
    return N_SYSTEM | N_LIBRARY if opened_by_library(frame, user) else 0


def _code_of(value: Any) -> Any:
    """The code of a function, a method or a partial of one; None for anything else."""
    while isinstance(value, functools.partial):
        value = value.func
    return getattr(getattr(value, "__func__", value), "__code__", None)


def _users(value: Any) -> bool:
    """Whether ``value`` is a function of user code (or a method or partial of one)."""
    code = _code_of(value)
    return code is not None and not CLASSIFIER.is_library(code)


def library_call(func: Any, args: Iterable[Any]) -> bool:
    """Whether ``func(*args)``, spawned into a library's own group, is the
    library's work: ``func`` is library code and no argument is the user's function."""
    code = _code_of(func)
    return code is not None and bool(CLASSIFIER.is_library(code)) and not any(_users(v) for v in args)


def runs_for_library(coro: Any) -> bool:
    """Whether a task spawned into a library's nursery with coroutine
    ``coro`` is the library's own: its function is library code, and none
    of its arguments (its frame's locals before its first step) is a
    function of the user's."""
    code = getattr(coro, "cr_code", None)
    wrapper = WRAPPERS.get(id(code))
    if wrapper is not None and wrapper[0] is code:
        try:
            coro = wrapper[1](coro)
        except Exception:
            return False
        code = getattr(coro, "cr_code", None)
    if code is None or not CLASSIFIER.is_library(code):
        return False
    frame = getattr(coro, "cr_frame", None)
    if frame is None:
        return True
    try:
        values = list(frame.f_locals.values())
    except Exception:
        return True
    return not any(_users(v) for v in values)
