"""What a waiting asyncio task waits for: the frames asyncio parks tasks in,
and the future a task awaits when no such frame says more.

A task waiting in ``Lock.acquire``, ``Semaphore.acquire``, ``Event.wait``,
``Condition.wait``, ``Queue.get``/``put`` or ``asyncio.sleep`` has that
coroutine's frame in its await chain; its reader turns the frame's ``self``
and locals into a ``WaitSeen``. A task awaiting another task, a ``gather``
or a bare future has no such frame (the chain ends in the future's
iterator): ``fallback`` reads ``task._fut_waiter`` instead, so a task
awaiting a task is a ``task`` wait with that task as holder, and a gather is
a ``children`` wait with its running children as holders: done when all of
them are, as a nursery's exit (``asyncio.wait``: the tasks it waits on, read
from its frame). The end of ``async with TaskGroup()`` is the group's
``children`` wait, as Trio's nursery exit is. A stream's read or drain
says who is at the other end, as does a socket call of the loop
(``socket_waits``); ``to_thread`` and ``run_in_executor``
(``executor_waits``) what runs in the thread. A library on asyncio
registers its own frames (``register``): AnyIO's socket stream waits in
an ``Event.wait`` its protocol sets, which only its frame can say is a
socket read (``PURPOSE`` outranks the primitive inside).

asyncio's ``Lock`` records no owner: ``lock_owners`` notes it, and a lock
wait names its holder. An ``asyncio.timeout`` the task is in is a deadline
that can wake it, as is an AnyIO ``CancelScope``'s (``SCOPE_SOURCES``).
Every reader runs in a pump, maybe on the watching thread: any error makes
the wait "not known" (``_core.waits``), never more.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
from math import inf
from typing import TYPE_CHECKING, Any, Callable

from .._core.waits import WaitReader, WaitSeen, chain_frames
from . import lock_owners, semaphore_holders, socket_waits
from .executor_waits import executor_wait
from .sampling import SCOPE_SOURCES, shown_name
from .task_coro import coro_of

if TYPE_CHECKING:
    from types import FrameType

    from .sampling import Sampling

#: what a reader gets: the run, the task, its frame
Reader = Callable[["Sampling", Any, "FrameType"], "WaitSeen | None"]

#: priorities: the frame with the highest wins (innermost among equals)
PRIMITIVE = 3
#: a library's frame that says what the primitive it waits in is for
PURPOSE = 4

#: code id -> reader, and the code objects (kept alive)
_READERS: dict[int, Reader] = {}
_CODES: list[Any] = []
#: code id -> priority (what the core's chain walk asks)
CODES: dict[int, int] = {}
_looked = False


def register(fn: Any, reader: Reader, rank: int = PRIMITIVE) -> None:
    """``reader`` describes a task whose await chain holds ``fn``'s frame."""
    try:
        code = inspect.unwrap(fn).__code__
    except Exception:
        return
    _CODES.append(code)
    _READERS[id(code)] = reader
    CODES[id(code)] = rank


def look_up() -> dict[int, int]:
    """The frames known here, looked up once per process."""
    global _looked
    if _looked:
        return CODES
    _looked = True
    try:
        import asyncio
        from asyncio import locks, queues, streams, tasks, threads

        register(locks.Lock.acquire, _lock)
        register(locks.Semaphore.acquire, _semaphore)
        register(locks.Event.wait, _event)
        register(locks.Condition.wait, _condition)
        register(queues.Queue.get, _get)
        register(queues.Queue.put, _put)
        register(tasks.sleep, _sleep)
        register(getattr(tasks, "_wait"), _wait)  # noqa: B009 (asyncio.wait's private half)
        register(getattr(streams.StreamReader, "_wait_for_data"), _stream_read)  # noqa: B009 (private)
        register(getattr(streams.FlowControlMixin, "_drain_helper"), _stream_drain)  # noqa: B009
        register(threads.to_thread, _to_thread)
        if sys.version_info < (3, 12):  # 3.12+ awaits the task itself, in an asyncio.timeout: the fallback says it
            register(tasks.wait_for, _wait_for)
        group = getattr(asyncio, "TaskGroup", None)  # 3.11+
        register(getattr(group, "__aexit__", None), _group_exit)  # the original (patches wraps it)
    except Exception:
        pass  # asyncio has another shape here: those waits stay unknown
    try:
        socket_waits.look_up(register)
    except Exception:
        pass  # the loops have another shape: their socket calls read as the futures they await
    return CODES


def reader_for(run: Sampling, clock0: float) -> WaitReader:
    """The run's ``WaitReader``."""
    return WaitReader(look_up(), _describer(run), run.next_id, clock0, maker_frames, fallback=_fallback(run))


def maker_frames(task: Any) -> list[FrameType]:
    """The await chain of the task that owns ``task``'s ``TaskGroup``,
    outermost first: where an object passed to ``task`` (``dst``) has the
    name its maker gave it (``bob``). The group is found among the task's
    done callbacks (its ``_on_task_done``); a loose task has none here.
    Asked once per object waited on, when it is first named."""
    group_class = getattr(asyncio, "TaskGroup", None)
    if group_class is None:
        return []
    for callback, *_ in getattr(task, "_callbacks", None) or ():
        group = getattr(callback, "__self__", None)
        if isinstance(group, group_class):
            owner = getattr(group, "_parent_task", None)
            return chain_frames(coro_of(owner)) if owner is not None else []
    return []


def _deadline(run: Sampling, task: Any, seen: WaitSeen) -> WaitSeen:
    """``seen`` woken by the nearest ``asyncio.timeout`` the task is in, or
    deadline of a library's scope (AnyIO's ``CancelScope``), if any."""
    tid = run.tids.get(task)
    mine = run.timeouts.get(tid) if tid is not None else None
    whens = (
        [t._when for t, _, _ in list(mine) if t._when is not None and t._state.name in ("ENTERED", "EXPIRING")]
        if mine
        else []
    )
    for source in SCOPE_SOURCES:  # none without AnyIO
        for scope in source(run, task):  # innermost first
            if scope[1] != inf:
                whens.append(scope[1])
            if scope[2]:  # shielded: the deadlines outside it do not reach the task
                break
    if not whens:
        return seen
    until = min(whens) if seen.until is None else min(seen.until, *whens)
    return seen._replace(until=until, wakes=True)


def _describer(run: Sampling) -> Callable[[Any, FrameType], WaitSeen | None]:
    readers = _READERS

    def describe(task: Any, frame: FrameType) -> WaitSeen | None:
        reader = readers.get(id(frame.f_code))
        seen = reader(run, task, frame) if reader is not None else None
        return _deadline(run, task, seen) if seen is not None else None

    return describe


def _fallback(run: Sampling) -> Callable[[Any], WaitSeen | None]:
    """What a task waits for when no known frame says: the future it awaits."""

    def fallback(task: Any) -> WaitSeen | None:
        fut = getattr(task, "_fut_waiter", None)
        if fut is None:
            return None
        seen = _future(run, fut)
        return _deadline(run, task, seen) if seen is not None else None

    return fallback


def _future(run: Sampling, fut: Any) -> WaitSeen | None:
    tids = run.tids
    tid = tids.get(fut)
    if tid is not None:  # a task of this run, named as the tree names it (not `task warmer`, its variable), once
        return WaitSeen(
            "task",
            "task",
            obj=fut,
            holders=(tid,),
            detail="until it finishes",
            label_of=lambda: f"task {_task_name(fut)}",
        )
    children = getattr(fut, "_children", None)
    if isinstance(children, list):  # gather(): done when all its children are, like a nursery
        ids = tuple(t for t in (tids.get(c) for c in children if not c.done()) if t is not None)
        return WaitSeen(
            "children", "gather", obj=fut, holders=ids, detail=f"{len(ids)} of {len(children)} still running"
        )
    return executor_wait(fut) or WaitSeen("future", type(fut).__name__, obj=fut)


def _task_name(task: Any) -> str:
    try:
        coro = coro_of(task)
        shown = shown_name(task.get_name(), coro, getattr(coro, "cr_code", None))
    except Exception:
        return "?"
    return shown if isinstance(shown, str) else json.loads(shown[0])  # a Renamed name comes JSON-encoded


def _self(frame: FrameType) -> Any:
    return frame.f_locals.get("self")


def _queued(waiters: Any) -> str:
    return f"{len(waiters) if waiters else 0} waiting"


# ------------------------------------------------------------------ readers


def _lock(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    lock = _self(frame)
    queued = _queued(lock._waiters)
    if not lock._locked:  # released: the first waiter is about to take it
        return WaitSeen("lock", "Lock", obj=lock, holders=(), detail=f"free: being handed over; {queued}")
    holder = lock_owners.owner(lock)
    tid = run.tids.get(holder) if holder is not None else None
    if tid is not None:
        return WaitSeen("lock", "Lock", obj=lock, holders=(tid,), detail=queued)
    if holder is not None and holder.done():
        words = f"held by {holder.get_name()}, which ended without releasing it"
    else:  # taken before the runtime began recording, or asyncio has another shape
        words = "held; its holder is not known"
    return WaitSeen("lock", "Lock", obj=lock, detail=f"{words}; {queued}")


def _semaphore(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    sem = _self(frame)
    cap = getattr(sem, "_bound_value", None)
    words = f"value {sem._value} of at most {cap}" if cap is not None else f"value {sem._value}"
    detail = f"{words}; {_queued(sem._waiters)}"
    takers = semaphore_holders.holders(sem)
    if takers is None:
        return WaitSeen("semaphore", type(sem).__name__, obj=sem, detail=detail)
    # (a waiter woken but not yet running holds it already: not its own holder)
    tids = tuple(tid for t in takers if t is not task and not t.done() and (tid := run.tids.get(t)) is not None)
    ended = sum(1 for t in takers if t.done())
    if ended:
        detail += f"; {ended} taken by tasks that ended without releasing it"
    return WaitSeen("semaphore", type(sem).__name__, obj=sem, holders=tids, detail=detail)


def _event(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    return WaitSeen("event", "Event", obj=_self(frame), detail="until set() is called")


def _condition(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    # once notified it re-acquires the lock: Lock.acquire, deeper, is the frame read then
    return WaitSeen("condition", "Condition", obj=_self(frame), detail="until notify() is called")


def _get(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    queue = _self(frame)
    return WaitSeen("receive", type(queue).__name__, obj=queue, detail=f"empty; {_queued(queue._getters)} to get")


def _put(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    queue = _self(frame)
    words = f"full ({queue.qsize()}/{queue._maxsize}); {_queued(queue._putters)} to put"
    return WaitSeen("send", type(queue).__name__, obj=queue, detail=words)


def _sleep(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    handle = frame.f_locals.get("h")
    until = float(handle.when()) if handle is not None and not handle.cancelled() else None
    return WaitSeen("sleep", "asyncio.sleep", until=until, wakes=until is not None)


def _peer(transport: Any) -> str:
    """Who is at the other end of ``transport``, in words."""
    peer = transport.get_extra_info("peername") if transport is not None else None
    if isinstance(peer, tuple) and len(peer) >= 2:
        host = f"[{peer[0]}]" if ":" in str(peer[0]) else str(peer[0])
        return f"{host}:{peer[1]}"
    return str(peer) if peer else "its peer"


def _stream_read(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    reader = _self(frame)  # (readline() waits as readuntil(): which read it was says little)
    return WaitSeen("io", "asyncio stream", wakes=True, detail=f"reads from {_peer(reader._transport)}")


def _stream_drain(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    protocol = _self(frame)
    transport = getattr(protocol, "_transport", None)
    return WaitSeen("io", "asyncio stream", wakes=True, detail=f"writes to {_peer(transport)} (drain)")


def _to_thread(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    func = frame.f_locals.get("func")
    name = getattr(func, "__qualname__", None) or type(func).__name__
    return WaitSeen("thread", "asyncio.to_thread", wakes=True, detail=f"runs {name}() in a worker thread")


def _wait_for(run: Sampling, task: Any, frame: FrameType) -> WaitSeen | None:
    """3.11's ``wait_for``: the awaited task (or future) until its timer fires."""
    local = frame.f_locals
    inner, handle = local.get("fut"), local.get("timeout_handle")
    if inner is None or handle is None or inspect.iscoroutine(inner):
        return None  # not yet waiting (or the timeout was 0): the fallback says what it can
    seen = _future(run, inner)
    if seen is None:
        return None
    until = None if handle.cancelled() else float(handle.when())
    return seen._replace(until=until, wakes=until is not None)


def _group_exit(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    """The end of ``async with TaskGroup()``: waits for the group's tasks,
    as a Trio nursery's owner does (the store finds them in the tree)."""
    group = _self(frame)
    tasks = group._tasks
    nid = getattr(tasks, "nid", None)  # hooks.GroupTasks: a group this run observes
    if nid is not None:
        return WaitSeen("children", "TaskGroup", nursery=nid, detail="until its children finish")
    tids = run.tids
    ids = tuple(t for t in (tids.get(c) for c in list(tasks)) if t is not None)
    return WaitSeen("children", "TaskGroup", obj=group, holders=ids, detail="until its children finish")


def _wait(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    local = frame.f_locals
    fs = list(local.get("fs") or ())
    tids = run.tids
    ids = tuple(t for t in (tids.get(f) for f in fs if not f.done()) if t is not None)
    handle = local.get("timeout_handle")
    until = float(handle.when()) if handle is not None and not handle.cancelled() else None
    which = "all" if local.get("return_when") == "ALL_COMPLETED" else "the first"
    words = f"for {which} of {len(fs)} to finish"
    return WaitSeen(
        "future",
        "asyncio.wait",
        obj=local.get("waiter"),
        holders=ids,
        until=until,
        wakes=until is not None,
        detail=words,
    )
