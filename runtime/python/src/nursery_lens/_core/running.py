"""Which task a thread's stack is running, read from its frames.

A lint found on a run's loop thread (the loop held by one step, a coroutine
dropped unawaited) names the task it happened in. No library hook says so
from another thread, but the stack does: a task's step is the library
calling ``coro.send()``, so the outermost coroutine frame on the loop
thread's stack is the running task's own. The adapter maps that frame to
its task from what the loop says it runs now (``ObservedRun.running_tid``);
failing that, a scan of the run's live tasks does (``live_tasks``).
"""

from __future__ import annotations

from inspect import CO_COROUTINE, CO_ITERABLE_COROUTINE
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import FrameType

    from .adapter import ObservedRun
    from .run_mirror import RunMirror

#: Most frames looked at on one stack, and most live tasks scanned.
MAX_FRAMES = 2_000
MAX_TASKS = 1_000_000
#: Tries at copying the live tasks (see sampler._slice: the copy may race).
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
    """The id of the live task of run ``m`` whose coroutine runs ``frame``
    (the outermost coroutine frame on the loop thread's stack).
    ``announced``: only if the stream has announced it already (a line
    written now must not name a task the reader has not seen spawn; a value
    queued on the run's queue comes after the task's spawn anyway)."""
    if frame is None:
        return None
    source = m.source
    if not source.observed:
        return None
    try:
        tid = source.running_tid(frame)
    except Exception:
        tid = None  # the adapter could not tell: scan
    if tid is None:
        tid = _scan(source, frame)
    return tid if tid is None or not announced or tid in m.tasks else None


def _scan(source: ObservedRun, frame: FrameType) -> int | None:
    """The id of the task running ``frame``, by looking at every live task:
    one copy of them (a chunked copy from an offset rescans the offset)."""
    items: list[tuple[Any, int]] | None = None
    for _ in range(COPY_TRIES):
        try:
            items = source.live_tasks(0, MAX_TASKS)
            break
        except RuntimeError:
            continue
    if not items:
        return None
    task_coro = source.task_coro
    for task, tid in items:
        coro = task_coro(task)
        if getattr(coro, "cr_frame", None) is frame or getattr(coro, "gi_frame", None) is frame:
            return tid
    return None
