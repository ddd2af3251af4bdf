"""Summaries of exceptions: small tuples, never the exception itself.

Queuing an exception would keep its traceback, and with it every frame and
local of the failed task, alive until the next pump gets to it.
"""

from __future__ import annotations

import sys
from typing import Any, Optional

import trio

from ._encode import MAX_TEXT

if sys.version_info >= (3, 11):
    from builtins import BaseExceptionGroup as _Group
else:  # pragma: no cover
    from exceptiongroup import BaseExceptionGroup as _Group

#: Most leaves of an exception group summarized.
MAX_LEAVES = 20

Error = tuple[str, str, Optional[tuple[Any, ...]]]

_Cancelled = trio.Cancelled


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    mod = getattr(cls, "__module__", "") or ""
    qual = getattr(cls, "__qualname__", cls.__name__)
    return qual if mod == "builtins" else f"{mod}.{qual}"


def _message(exc: BaseException) -> str:
    try:
        msg = exc.message if isinstance(exc, _Group) else str(exc)
    except Exception:
        msg = "<str() failed>"
    if not isinstance(msg, str):
        msg = repr(msg)
    return msg[:MAX_TEXT]


def _leaves(exc: BaseException, out: list[Error]) -> None:
    for sub in getattr(exc, "exceptions", ()):
        if len(out) >= MAX_LEAVES:
            return
        if isinstance(sub, _Group):
            _leaves(sub, out)
        else:
            out.append((_type_name(sub), _message(sub), None))


def error_info(exc: BaseException) -> Error:
    """``(type, message, leaves)``; leaves only for exception groups."""
    if isinstance(exc, _Group):
        leaves: list[Error] = []
        _leaves(exc, leaves)
        return (_type_name(exc), _message(exc), tuple(leaves))
    return (_type_name(exc), _message(exc), None)


def is_cancelled(exc: BaseException) -> bool:
    """Cancelled, or a group holding nothing but Cancelled (at any depth)."""
    if isinstance(exc, _Cancelled):
        return True
    if isinstance(exc, _Group):
        subs = getattr(exc, "exceptions", ())
        return bool(subs) and all(is_cancelled(s) for s in subs)
    return False


def _first_cancelled(exc: BaseException) -> BaseException | None:
    if isinstance(exc, _Cancelled):
        return exc
    for sub in getattr(exc, "exceptions", ()):
        found = _first_cancelled(sub)
        if found is not None:
            return found
    return None


_SOURCES = {
    "deadline": "deadline",
    "explicit": "explicit",
    "nursery": "nursery",
    "KeyboardInterrupt": "interrupt",
    "interrupt": "interrupt",
}


def map_source(source: Any) -> str | None:
    if source is None:
        return None
    return _SOURCES.get(str(source), "unknown")


def cancel_source(exc: BaseException) -> tuple[str | None, str | None, int | None]:
    """What Trio >= 0.31 put on the Cancelled itself (source, reason)."""
    c = _first_cancelled(exc)
    if c is None:
        return (None, None, None)
    source = map_source(getattr(c, "source", None))
    reason = getattr(c, "reason", None)
    if reason is not None and not isinstance(reason, str):
        reason = str(reason)
    if reason is not None:
        reason = reason[:MAX_TEXT]
    return (source, reason, None)
