"""A task awaiting ``loop.run_in_executor(executor, fn)``: what runs for it.

``run_in_executor`` hands ``fn`` to the executor and gives the task an
asyncio future chained to the executor's own (``futures.wrap_future``):
the task's await chain ends in that future, with no asyncio frame to say
more (``to_thread`` has one: ``waits``). The chain is read back: the
asyncio future's done callback ``_call_check_cancel`` holds the executor's
future as ``source``, and a worker thread running it has
``_WorkItem.run`` on its stack, whose ``self.fn`` is what runs (the
threads' stacks are walked once per sample, for every such task). A call
still queued is named as such; one running where no thread of ours shows
it (a process pool's worker) is said to run in a worker. Read in a pump,
maybe on the watching thread: any surprise is None.
"""

from __future__ import annotations

import sys
import time
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import CodeType

from .._core.waits import WaitSeen

#: most frames looked at on a worker thread's stack
_MAX_FRAMES = 64
#: one walk of the threads' stacks serves every task of a sample for this long
_FRESH = 0.005
_codes: dict[str, CodeType] = {}
_looked = False
#: (when walked, id(executor future) -> (a weak reference to it, the name of what runs it))
_walked: tuple[float, dict[int, tuple[Any, str]]] = (-1.0, {})


def _look_up() -> None:
    global _looked
    _looked = True
    try:
        from asyncio import futures
        from concurrent.futures import thread

        chain = getattr(futures, "_chain_future")  # noqa: B009 (private)
        for const in chain.__code__.co_consts:
            if getattr(const, "co_name", None) == "_call_check_cancel" and "source" in const.co_freevars:
                _codes["check_cancel"] = const
        _codes["work_item_run"] = thread._WorkItem.run.__code__
    except Exception:
        pass  # another shape: such waits stay "future"


def executor_wait(fut: Any) -> WaitSeen | None:
    """The wait on ``fut`` if ``run_in_executor`` made it, else None."""
    if not _looked:
        _look_up()
    check = _codes.get("check_cancel")
    if check is None:
        return None
    at = check.co_freevars.index("source")
    source = None
    for callback, _ in list(getattr(fut, "_callbacks", None) or ()):
        if getattr(callback, "__code__", None) is check:
            cell = callback.__closure__[at]
            source = cell.cell_contents
            break
    if source is None:
        return None
    hit = _running().get(id(source))
    if hit is not None and hit[0]() is source:
        return WaitSeen("thread", "run_in_executor", wakes=True, detail=f"runs {hit[1]}() in a worker thread")
    if getattr(source, "_state", None) == "RUNNING":
        return WaitSeen("thread", "run_in_executor", wakes=True, detail="runs in an executor's worker")
    return WaitSeen("thread", "run_in_executor", wakes=True, detail="queued for an executor's worker")


def _running() -> dict[int, tuple[Any, str]]:
    """The name of what each thread-pool work item on a thread's stack
    runs, by its future (walked once per _FRESH; nothing kept alive)."""
    global _walked
    now = time.perf_counter()
    if now - _walked[0] < _FRESH:
        return _walked[1]
    found: dict[int, tuple[Any, str]] = {}
    run_code = _codes.get("work_item_run")
    if run_code is not None:
        for top in list(sys._current_frames().values()):
            f: Any = top
            n = 0
            while f is not None and n < _MAX_FRAMES:
                if f.f_code is run_code:
                    item = f.f_locals.get("self")
                    future = getattr(item, "future", None)
                    if future is not None:
                        fn = getattr(item, "fn", None)
                        name = getattr(getattr(fn, "func", fn), "__qualname__", None) or type(fn).__name__
                        found[id(future)] = (weakref.ref(future), name)
                    break
                f = f.f_back
                n += 1
    _walked = (now, found)
    return found
