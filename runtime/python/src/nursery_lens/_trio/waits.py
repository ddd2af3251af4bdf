"""What a waiting Trio task waits for: the frames Trio parks tasks in.

A waiting task's await chain ends in a frame of one of Trio's primitives.
Each one known here has a priority (the frame that says most wins:
``Lock.acquire`` over the ``ParkingLot.park`` under it, ``Nursery.start``
over the nursery exit under it; among equals the innermost, so
``to_thread.run_sync`` queued on its ``CapacityLimiter`` waits for the
limiter) and a reader that turns the frame's ``self`` and locals into a
``WaitSeen``: the object, the tasks holding it, whether something besides a
task can wake the waiter (a deadline of any enclosing scope, I/O, a thread).

Shapes are looked up once per process (``codes``); a primitive Trio does not
have, or whose frame reads differently, is simply not known. Every reader
runs in a pump, maybe on the watching thread while the Trio thread moves
on: any error makes the wait "not known" (``_core.waits``), never more.
"""

from __future__ import annotations

import inspect
import weakref
from math import inf
from typing import TYPE_CHECKING, Any, Callable

from .._core.waits import WaitSeen, chain_frames
from . import semaphore_holders

if TYPE_CHECKING:
    from types import FrameType

    from .instrument import Instrument

#: what a reader gets: the task, its frame, the run it belongs to
Reader = Callable[["_Run", Any, "FrameType"], "WaitSeen | None"]

#: priorities: the frame with the highest wins (innermost among equals)
GENERIC, CHILDREN, PRIMITIVE, START = 1, 2, 3, 4

#: code id -> (priority, reader), and the code objects (kept alive)
_READERS: dict[int, tuple[int, Reader]] = {}
_CODES: list[Any] = []
#: code id -> priority (what the core's chain walk asks)
CODES: dict[int, int] = {}
_looked = False
#: socket -> its address words, asked of the kernel once per socket
_ADDRESSES: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


class _Run:
    """What readers need of the run: task and nursery ids."""

    __slots__ = ("inst",)

    def __init__(self, inst: Instrument) -> None:
        self.inst = inst

    def tid(self, task: Any) -> int | None:
        return self.inst._tids.get(task)

    def nursery_id(self, nursery: Any) -> int | None:
        hit = self.inst._nurseries.get(nursery)
        return hit[0] if hit is not None else None


def _code(fn: Any) -> Any:
    try:
        return inspect.unwrap(fn).__code__
    except Exception:
        return None


def _register(fn: Any, priority: int, reader: Reader) -> None:
    code = _code(fn)
    if code is not None:
        _CODES.append(code)
        _READERS[id(code)] = (priority, reader)
        CODES[id(code)] = priority


def look_up() -> dict[int, int]:
    """The frames known here, looked up once (``patches.install`` runs first,
    so a wrapped Trio function is found through its wrapper)."""
    global _looked
    if _looked:
        return CODES
    _looked = True
    for find in (_sync_codes, _channel_codes, _time_codes, _io_codes, _thread_codes, _nursery_codes):
        try:
            find()
        except Exception:
            pass  # that part of Trio has another shape: its waits stay unknown
    return CODES


def _sync_codes() -> None:
    from trio import _sync
    from trio._core._parking_lot import ParkingLot

    _register(_sync._LockImpl.acquire, PRIMITIVE, _lock)
    _register(_sync.Condition.wait, PRIMITIVE, _condition)
    _register(_sync.Semaphore.acquire, PRIMITIVE, _semaphore)
    _register(_sync.CapacityLimiter.acquire_on_behalf_of, PRIMITIVE, _limiter)
    _register(_sync.Event.wait, PRIMITIVE, _event)
    _register(ParkingLot.park, GENERIC, _parking_lot)


def _channel_codes() -> None:
    from trio import _channel

    _register(_channel.MemorySendChannel.send, PRIMITIVE, _send)
    _register(_channel.MemoryReceiveChannel.receive, PRIMITIVE, _receive)


def _time_codes() -> None:
    from trio import _timeouts

    _register(_timeouts.sleep_until, PRIMITIVE, _sleep)
    _register(_timeouts.sleep_forever, CHILDREN, _sleep_forever)


def _io_codes() -> None:
    from trio._core import _run

    io: Any = getattr(_run, "TheIOManager")  # noqa: B009 (not in its __all__)
    _register(io.wait_readable, PRIMITIVE, _readable)
    _register(io.wait_writable, PRIMITIVE, _writable)


def _thread_codes() -> None:
    from trio import _threads

    _register(_threads.to_thread_run_sync, PRIMITIVE, _thread)


def _nursery_codes() -> None:
    from trio._core import _run

    _register(_run.Nursery.start, START, _start)
    _register(_run.Nursery._nested_child_finished, CHILDREN, _children)


def describer(inst: Instrument) -> Callable[[Any, FrameType], WaitSeen | None]:
    """The run's ``describe_wait``: the reader of ``frame``'s code, then what
    can wake the task besides another task (the deadline of any scope it
    is in, or a cancel already on its way)."""
    run = _Run(inst)
    readers = _READERS

    def describe(task: Any, frame: FrameType) -> WaitSeen | None:
        hit = readers.get(id(frame.f_code))
        if hit is None:
            return None
        seen = hit[1](run, task, frame)
        if seen is None:
            return None
        status = getattr(task, "_cancel_status", None)
        deadline = status.effective_deadline() if status is not None else inf
        if deadline == -inf:
            return seen._replace(wakes=True)  # cancelled: Trio wakes it at once
        if deadline != inf:
            until = deadline if seen.until is None else min(seen.until, deadline)
            return seen._replace(until=until, wakes=True)
        return seen

    return describe


def maker_frames(task: Any) -> list[FrameType]:
    """The await chain of the task whose nursery ``task`` runs in (its
    spawner, nearly always), outermost first."""
    nursery = getattr(task, "_parent_nursery", None)
    owner = getattr(nursery, "_parent_task", None) if nursery is not None else None
    return chain_frames(getattr(owner, "coro", None)) if owner is not None else []


def _self(frame: FrameType) -> Any:
    return frame.f_locals.get("self")


# ------------------------------------------------------------------ readers


def _lock(run: _Run, task: Any, frame: FrameType, lock: Any = None) -> WaitSeen:
    lock = lock if lock is not None else _self(frame)
    owner = lock._owner
    tid = run.tid(owner) if owner is not None else None
    return WaitSeen("lock", type(lock).__name__, obj=lock, holders=(tid,) if tid is not None else ())


def _condition(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    cond = _self(frame)
    lock = cond._lock
    # notify() moves a waiter from the condition's lot to its lock's: it then waits for the lock
    if getattr(task, "custom_sleep_data", None) is lock._lot:
        return _lock(run, task, frame, lock)
    return WaitSeen("condition", "Condition", obj=cond, detail="until notify() is called")


def _semaphore(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    sem = _self(frame)
    cap = sem._max_value
    detail = f"value 0 of at most {cap}" if cap is not None else None
    takers = semaphore_holders.holders(sem)
    if takers is None:  # made before the runtime began, or Trio has another shape
        return WaitSeen("semaphore", "Semaphore", obj=sem, detail=detail)
    tids = tuple(tid for t in takers if t is not task and (tid := run.tid(t)) is not None)
    return WaitSeen("semaphore", "Semaphore", obj=sem, holders=tids, detail=detail)


def _limiter(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    limiter = _self(frame)
    borrowers = list(limiter._borrowers)
    ids = [run.tid(b) for b in borrowers]
    tasks = tuple(t for t in ids if t is not None)
    # a borrower that is no task of this run: a thread of to_thread.run_sync, which gives it back when done
    thread = len(tasks) < len(borrowers)
    words = f"{len(borrowers)}/{limiter._total_tokens} tokens borrowed"
    if thread:
        words += ", some by threads"
    return WaitSeen("limiter", "CapacityLimiter", obj=limiter, holders=tasks, wakes=thread, detail=words)


def _event(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    return WaitSeen("event", "Event", obj=_self(frame), detail="until set() is called")


def _parking_lot(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    return WaitSeen("parking_lot", "ParkingLot", obj=_self(frame))


def _ends(n: int, word: str) -> str:
    return f"{n} {word} end{'s' if n != 1 else ''} open"


def _send(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    end = _self(frame)
    state = end._state
    if not state.open_receive_channels:
        words = "no receiver left"
    else:
        size = state.max_buffer_size
        room = "no buffer" if size == 0 else f"buffer full ({len(state.data)}/{size})"
        words = f"{room}, nobody receiving; {_ends(state.open_receive_channels, 'receive')}"
    return WaitSeen("send", "memory channel", obj=state, named=end, detail=words)


def _receive(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    end = _self(frame)
    state = end._state
    if not state.open_send_channels:
        words = "no sender left"
    else:
        words = f"nothing sent yet; {_ends(state.open_send_channels, 'send')}"
    return WaitSeen("receive", "memory channel", obj=state, named=end, detail=words)


def _sleep(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    deadline = frame.f_locals.get("deadline")
    until = float(deadline) if isinstance(deadline, (int, float)) else None
    return WaitSeen("sleep", "trio.sleep", until=until, wakes=until is not None and until != inf)


def _sleep_forever(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    return WaitSeen("sleep", "trio.sleep_forever")


def _address(sock: Any) -> str:
    hit = _ADDRESSES.get(sock)
    if hit is not None:
        return hit
    words = ""
    try:
        peer = _address_words(sock.getpeername())
        words = f"peer {peer}" if peer else ""
    except Exception:
        try:
            here = _address_words(sock.getsockname())
            words = f"on {here}" if here else ""
        except Exception:
            pass
    try:
        _ADDRESSES[sock] = words
    except TypeError:
        pass
    return words


def _address_words(addr: Any) -> str:
    if isinstance(addr, tuple) and len(addr) >= 2:
        host = str(addr[0])
        return f"[{host}]:{addr[1]}" if ":" in host else f"{host}:{addr[1]}"
    return str(addr)


def _io(frame: FrameType, way: str) -> WaitSeen:
    fd = frame.f_locals.get("fd")
    if fd is not None and not isinstance(fd, int) and hasattr(fd, "getpeername"):
        where = _address(fd)
        return WaitSeen("io", "socket", wakes=True, detail=f"{way}{', ' + where if where else ''}")
    number = fd if isinstance(fd, int) else getattr(fd, "fileno", lambda: None)()
    return WaitSeen("io", f"fd {number}" if number is not None else "file", wakes=True, detail=way)


def _readable(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    return _io(frame, "until readable")


def _writable(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    return _io(frame, "until writable")


def _thread(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    local = frame.f_locals
    fn = local.get("sync_fn")
    what = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    name = local.get("thread_name")
    where = f" in thread {name!r}" if isinstance(name, str) else " in a thread"
    return WaitSeen("thread", "to_thread.run_sync", wakes=True, detail=f"runs {what}(){where}")


def _start(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    local = frame.f_locals
    child = local.get("task")
    old = local.get("old_nursery")
    if child is None or old is None or child._parent_nursery is not old:
        return WaitSeen("start", "nursery.start()", holders=())  # spawning, or moved already
    tid = run.tid(child)
    return WaitSeen(
        "start",
        "nursery.start()",
        holders=(tid,) if tid is not None else (),
        detail=f"until {child.name} calls task_status.started()",
    )


def _children(run: _Run, task: Any, frame: FrameType) -> WaitSeen:
    nursery = _self(frame)
    return WaitSeen("children", "nursery", nursery=run.nursery_id(nursery), detail="until its children finish")
