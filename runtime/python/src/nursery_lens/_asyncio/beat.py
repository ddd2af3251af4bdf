"""The loop's heartbeat for the block lint (``_core.blocks``), on asyncio.

A selector event loop comes back to ``self._selector.select(timeout)`` once
per iteration of ``_run_once``, after running every ready callback (each a
task step): that call is the asyncio counterpart of Trio's ``get_events``.
A run wraps its loop's selector instance (an instance attribute, removed
when the run ends; the class and other loops are untouched): before the
call the loop has come back, and a wait (``timeout`` not 0) is idle time,
not a block, however long. Before such a wait, the pump comes within
``PUMP_INTERVAL`` when the hooks queued something (``hooks.going_idle``).

Without the block lint (``block_ms`` 0) the wrapper does only the latter.
A loop without a Python selector (uvloop, Windows' proactor) gets no beat:
its blocks are not reported, and its pump keeps to its timer. While the
loop is not running at all (made but not started, between two
``run_until_complete``), the beat says ``waiting``: the thread is doing
something else, not holding a loop.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from .._core.blocks import beat_for, loop_entry

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._core.blocks import LoopBeat


def watch_select(
    loop: Any, emitter: Any, idle: Callable[[float | None], float | None]
) -> tuple[LoopBeat | None, Callable[[], None] | None]:
    """(the run's beat, a function that takes the wrapper off), or (None, None).
    ``idle(timeout)`` is asked before each wait for I/O, and says how long to
    wait (``hooks.going_idle``: no longer than until the pump that is owed)."""
    beat = beat_for(emitter)
    selector: Any = getattr(loop, "_selector", None)
    orig: Any = getattr(selector, "select", None)
    # the class's method, not an instance attribute already (asked without
    # selector.__dict__: see run._unhook)
    if selector is None or id(getattr(orig, "__self__", None)) != id(selector):
        return None, None
    select = _select_with_beat(orig, beat, idle) if beat is not None else _select_idle_only(orig, idle)
    try:
        selector.select = select
    except AttributeError:  # a selector with __slots__
        return None, None

    def unwatch() -> None:
        if getattr(selector, "select", None) is select:
            del selector.select

    return beat, unwatch


def _select_idle_only(orig: Any, idle: Callable[[float | None], float | None]) -> Callable[..., Any]:
    """Without the block lint (``block_ms`` 0) the wrapper only keeps the
    pump's promise: what was queued goes out, and new tasks get their first
    look, before a long wait for I/O."""

    def select(timeout: float | None = None) -> Any:
        return orig(timeout if timeout == 0 else idle(timeout))

    return select


def _select_with_beat(orig: Any, beat: LoopBeat, idle: Callable[[float | None], float | None]) -> Callable[..., Any]:
    """The loop's heartbeat as well: when it last came back, and whether it waits."""
    beat.waiting = True  # not running yet (started() says when it is)
    perf = time.perf_counter

    def select(timeout: float | None = None) -> Any:
        now = perf()  # beat.back(now), inlined: once per loop iteration
        if beat.claimed and not beat.ended:
            beat.ended = now
        beat.at = now
        if timeout == 0:
            return orig(timeout)  # busy: callbacks are ready, no wait
        timeout = idle(timeout)
        beat.waiting = True  # idle, not held, however long the wait
        try:
            return orig(timeout)
        finally:
            beat.back(perf())
            beat.waiting = False

    return select


def running(beat: LoopBeat | None, now_running: bool) -> None:
    """The loop starts or stops running: it is back (a block held to the
    loop's stop ends there), and held only while it runs."""
    if beat is not None:
        beat.back(time.perf_counter())
        beat.waiting = not now_running
        if now_running:  # on the loop's thread
            beat.entry = loop_entry(sys._getframe(1))
            beat.native = threading.get_native_id()
