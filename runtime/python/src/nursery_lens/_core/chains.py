"""Await chains as the wire gives them (``task.state.chain``, protocol 1.2).

A task's chain is every frame its await passes through, outermost (its own
coroutine) first, library frames included: what a debugger's Call Stack
shows for the task, so that the extension can tell which task a stopped
thread belongs to. Frames are kept as flat ``code, line`` pairs (cheap to
compare sample after sample; JSON is built only when a chain changed), with
``line`` as ``fragments.site_json`` takes it: ``-1 - f_lasti`` where
Python maps instruction offsets to lines (the site cache does it once per
offset), else ``f_lineno``.
"""

from __future__ import annotations

import sys
from typing import Any

from .frames import CLASSIFIER

#: f_lasti is a byte offset that code.co_lines() can map (Python >= 3.10)
LASTI = sys.version_info >= (3, 10)
#: Most frames of the loop thread's stack looked at for the running task.
_MAX_STACK = 10_000


def frame_line(frame: Any) -> int:
    """A frame's position as ``site_json`` takes it (no line table scan here)."""
    if LASTI:
        lasti: int = frame.f_lasti
        if lasti >= 0:  # -1: a coroutine that has not started
            return -1 - lasti
    line: int = frame.f_lineno
    return line


def stack_chain(top: Any, coro_frame: Any, frames: list[Any]) -> None:
    """The running task's chain: the loop thread's stack from the task's
    coroutine frame up to ``top``, outermost first, appended to ``frames``.
    A debugger stopped in the task sits on top of it (pydevd's trace and
    wait frames, and whatever they call): everything from the innermost
    debugger frame up is left out. Nothing is appended when ``coro_frame``
    is not on the stack (the task moved on meanwhile)."""
    stack: list[Any] = []
    f = top
    while f is not None and f is not coro_frame and len(stack) < _MAX_STACK:
        stack.append(f)
        f = f.f_back
    if f is None or f is not coro_frame:
        return
    stack.append(f)
    cut = 0
    for i, s in enumerate(stack):  # top first
        if CLASSIFIER.is_debugger(s.f_code):
            cut = i + 1
    for s in reversed(stack[cut:]):
        frames.append(s.f_code)
        frames.append(frame_line(s))
