"""Lint: coroutines never awaited (protocol 1.2 ``warning``).

``fetch()`` written without ``await`` makes a coroutine and drops it: its
body never runs, and Python only says so when the coroutine is freed, with
a ``RuntimeWarning`` ("coroutine 'fetch' was never awaited") lost among the
program's output. The warnings module shows every warning through
``warnings._showwarnmsg`` (the C accelerator looks it up on each warning and
hands it a ``WarningMessage`` whose ``source`` is the coroutine), so one
wrapper there, chained to what was there before, sees it *after* the
program's own filters (an ignored warning stays ignored) and changes
nothing of how it is shown. On a run's loop thread it becomes a ``warning``
event on that run's queue: the line (where Python tracked the coroutine's
origin, ``options.coro_origin``, the line that made it; else the warning's
own line, where it was dropped: for ``fetch()`` the same line), the
coroutine's function, and the task that was running.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from . import emitters, events as E
from .frames import CLASSIFIER
from .running import task_frame, task_id_of

if TYPE_CHECKING:
    from types import FrameType

#: How Python words it (Objects/genobject.c, Lib/warnings.py): stable since 3.5.
NEVER_AWAITED = "was never awaited"
#: Frames looked at for the one the warning names.
_MAX_FRAMES = 200

_installed = False
_lock = threading.Lock()


#: thread -> Python's origin tracking depth before a run on it asked for more
_depths: dict[int, int] = {}


def track_origins(depth: int) -> None:
    """On a run's loop thread, as it starts: coroutines made on this thread
    record ``depth`` frames of where they were made (never fewer than the
    program asked for). Python's setting is per thread."""
    before = sys.get_coroutine_origin_tracking_depth()
    if before < depth:
        _depths.setdefault(threading.get_ident(), before)
        sys.set_coroutine_origin_tracking_depth(depth)


def untrack_origins() -> None:
    """On the loop thread, as its run ends: the setting it had before."""
    before = _depths.pop(threading.get_ident(), None)
    if before is not None:
        sys.set_coroutine_origin_tracking_depth(before)


def install() -> None:
    """Wrap ``warnings._showwarnmsg`` once per process; never raises."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        try:
            import warnings

            orig = warnings._showwarnmsg  # type: ignore[attr-defined]
        except Exception:
            return

        def _showwarnmsg(msg: Any) -> Any:
            try:
                _seen(msg)
            except Exception:
                pass  # a lint must never change what the program's warning does
            return orig(msg)

        _showwarnmsg.__wrapped__ = orig  # type: ignore[attr-defined]
        warnings._showwarnmsg = _showwarnmsg  # type: ignore[attr-defined]


def _seen(msg: Any) -> None:
    category = msg.category
    if not (isinstance(category, type) and issubclass(category, RuntimeWarning)):
        return
    text = str(msg.message)
    if NEVER_AWAITED not in text.partition("\n")[0]:
        return
    me = threading.get_ident()
    for em in list(emitters.ALL):
        if em.disabled or em.stopped or not em.config.warnings:
            continue
        if _starting_on(em, me):
            em.pump_soon()  # a run began here and no pump has taken it in yet (asyncio's main, first step)
        for m in list(em.mirror.runs.values()):
            if m.thread_id != me:
                continue
            rq = m.rq
            if len(rq) >= em.queue_cap:
                em.hook_drops += 1
                continue
            here = sys._getframe(1)
            coro = msg.source
            code = getattr(coro, "cr_code", None)
            site = _origin(coro) or _warned_at(here, msg.filename, msg.lineno)
            tid = task_id_of(m, task_frame(here), announced=False)
            rq.append(
                (
                    E.WARNING,
                    m.run,
                    time.perf_counter_ns(),
                    _qualified(category),
                    text.partition("\n")[0],
                    "never_awaited",
                    site,
                    code,
                    tid,
                )
            )


def _starting_on(em: Any, thread: int) -> bool:
    """A run started on ``thread`` waits in the emitter's queue (not yet in its mirror)."""
    try:
        return any(item[0] == E.RUN_START and item[6] == thread for item in list(em.queue))
    except Exception:
        return False


def _qualified(category: type) -> str:
    """``module.Class``, or ``Class`` for a built-in (as an error's ``type``)."""
    name = category.__qualname__
    return name if category.__module__ == "builtins" else f"{category.__module__}.{name}"


def _origin(coro: Any) -> tuple[str, int, str] | None:
    """The innermost user frame where the coroutine was made, when Python
    recorded it (``sys.set_coroutine_origin_tracking_depth``)."""
    origin = getattr(coro, "cr_origin", None)
    if not origin:
        return None
    for filename, lineno, function in origin:  # most recent call first
        if not CLASSIFIER.is_library_file(filename):
            return (filename, lineno, function)
    return None


def _warned_at(frame: FrameType | None, filename: str, lineno: int) -> tuple[str, int, str]:
    """The warning's own line, with the function of the frame there."""
    n = 0
    while frame is not None and n < _MAX_FRAMES:
        code = frame.f_code
        if code.co_filename == filename and frame.f_lineno == lineno:
            return (filename, lineno, code.co_name)
        frame = frame.f_back
        n += 1
    return (filename, lineno, "")
