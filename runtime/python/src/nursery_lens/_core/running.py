"""Which task a thread's stack is running, read from its frames.

A lint found on a run's loop thread (the loop held by one step, a coroutine
dropped unawaited) names the task it happened in. No library hook says so
from another thread, but the stack does: a task's step is the library
calling ``coro.send()``, so the outermost coroutine frame on the loop
thread's stack is the running task's own. Mapping that frame to a task scans
the run's live tasks (``ObservedRun.live_tasks``): only done for a lint,
which is rare, and bounded.
"""

from __future__ import annotations

from inspect import CO_COROUTINE, CO_ITERABLE_COROUTINE
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import FrameType

    from .run_mirror import RunMirror

#: Most frames looked at on one stack, and most live tasks scanned.
MAX_FRAMES = 2_000
MAX_TASKS = 1_000_000
#: Live tasks copied at once (see sampler._slice: the copy may race).
CHUNK = 4_096
COPY_TRIES = 3
_COROUTINE = CO_COROUTINE | CO_ITERABLE_COROUTINE


def task_frame(top: FrameType | None) -> FrameType | None:
    """The outermost coroutine frame of the stack ending at ``top``: the
    running task's coroutine (None: no coroutine on the stack)."""
    found = None
    f = top
    n = 0
    while f is not None and n < MAX_FRAMES:
        if f.f_code.co_flags & _COROUTINE:
            found = f
        f = f.f_back
        n += 1
    return found


def task_id_of(m: RunMirror, frame: FrameType | None, announced: bool = True) -> int | None:
    """The id of the live task of run ``m`` whose coroutine runs ``frame``.
    ``announced``: only if the stream has announced it already (a line
    written now must not name a task the reader has not seen spawn; a value
    queued on the run's queue comes after the task's spawn anyway)."""
    if frame is None:
        return None
    source = m.source
    if not source.observed:
        return None
    task_coro = source.task_coro
    start = 0
    while start < MAX_TASKS:
        items: list[tuple[Any, int]] | None = None
        for _ in range(COPY_TRIES):
            try:
                items = source.live_tasks(start, start + CHUNK)
                break
            except RuntimeError:
                continue
        if not items:
            return None
        for task, tid in items:
            coro = task_coro(task)
            if getattr(coro, "cr_frame", None) is frame or getattr(coro, "gi_frame", None) is frame:
                return tid if not announced or tid in m.tasks else None
        start += CHUNK
    return None
