"""Summaries of exceptions: small tuples, never the exception itself.

Queuing an exception would keep its traceback, and with it every frame and
local of the failed task, alive until the next pump gets to it.
"""

from __future__ import annotations

import builtins
import sys
from typing import Any, Optional

from .fragments import MAX_TEXT
from .frames import CLASSIFIER

#: Most leaves of an exception group summarized.
MAX_LEAVES = 20

#: (type, message, leaves, site): ``site`` is (code, line) where the program raised it, or None
Error = tuple[str, str, Optional[tuple[Any, ...]], Optional[tuple[Any, int]]]
#: Most traceback entries looked at for the program's line.
_MAX_TB = 1000

#: the exception group type(s): built in from Python 3.11, before that the
#: ``exceptiongroup`` backport if the program has it (without it no group
#: can be raised)
GROUPS: tuple[type[BaseException], ...]
if sys.version_info >= (3, 11):
    GROUPS = (builtins.BaseExceptionGroup,)
else:  # pragma: no cover
    try:
        import exceptiongroup

        GROUPS = (exceptiongroup.BaseExceptionGroup,)
    except ImportError:
        GROUPS = ()


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    mod = getattr(cls, "__module__", "") or ""
    qual = getattr(cls, "__qualname__", cls.__name__)
    return qual if mod == "builtins" else f"{mod}.{qual}"


def _message(exc: BaseException) -> str:
    try:
        msg = getattr(exc, "message", "") if isinstance(exc, GROUPS) else str(exc)
    except Exception:
        msg = "<str() failed>"
    if not isinstance(msg, str):
        msg = repr(msg)
    return msg[:MAX_TEXT]


def _leaves(exc: BaseException, out: list[Error]) -> None:
    for sub in getattr(exc, "exceptions", ()):
        if len(out) >= MAX_LEAVES:
            return
        if isinstance(sub, GROUPS):
            _leaves(sub, out)
        else:
            out.append((_type_name(sub), _message(sub), None, raised_at(sub)))


def raised_at(exc: BaseException) -> tuple[Any, int] | None:
    """(code, line) of the innermost frame of the program's own code in the
    exception's traceback: the line that raised it, or, raised inside a
    library, the program's call into it (an ``await`` that failed). None:
    no such frame."""
    found = None
    tb = exc.__traceback__
    n = 0
    while tb is not None and n < _MAX_TB:
        code = tb.tb_frame.f_code
        if not CLASSIFIER.is_library(code):
            line = tb.tb_lineno
            found = (code, line if isinstance(line, int) and line > 0 else 0)
        tb = tb.tb_next
        n += 1
    return found


def failure_reason(exc: BaseException) -> str:
    """What stopped the runtime, for ``runtime.disabled``: the exception and
    where it was raised (the innermost frame of its traceback)."""
    where = ""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        code = tb.tb_frame.f_code
        where = f" at {code.co_filename}:{tb.tb_lineno} in {code.co_name}"
    try:
        text = repr(exc)
    except Exception:
        text = type(exc).__name__
    return (text + where)[:MAX_TEXT]


def cause_error(exc: BaseException) -> Error:
    """The error that caused a cancel (a cause's ``error``): its leaves left out."""
    return (_type_name(exc), _message(exc), None, raised_at(exc))


def error_info(exc: BaseException) -> Error:
    """``(type, message, leaves, site)``; leaves only for exception groups."""
    if isinstance(exc, GROUPS):
        leaves: list[Error] = []
        _leaves(exc, leaves)
        return (_type_name(exc), _message(exc), tuple(leaves), raised_at(exc))
    return (_type_name(exc), _message(exc), None, raised_at(exc))
