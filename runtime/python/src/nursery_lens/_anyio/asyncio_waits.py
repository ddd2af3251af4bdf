"""What a task of AnyIO on asyncio waits for, where asyncio's own frames
would say something else (``_asyncio.waits`` reads the rest).

=====================================  ========================================
AnyIO's frame                          would read as / reads as
=====================================  ========================================
``TaskGroup.__aexit__`` (the end of    "Future tg._on_completed_fut" (4.x: an
the ``async with`` block)              asyncio.wait) / the group's children,
                                       as a Trio nursery's end
``TaskGroup.start()``                  "Future" / ``start``: the task it waits
                                       for to call ``task_status.started()``
``SocketStream.receive``/``send``,     "Event" (its protocol's read event:
the UDP sockets' ``receive``           set by the loop when data comes, not by
                                       a task) / ``io``: whom it reads from
the UNIX sockets' ``receive``/``send``, "Future" (one the selector completes)
``UNIXSocketListener.accept``,         / ``io``
``wait_readable``/``wait_writable``
=====================================  ========================================

A TCP listener's ``accept`` awaits ``loop.sock_accept``: asyncio's reader
says it (``_asyncio.socket_waits``). These frames rank above asyncio's
primitives (``PURPOSE``): they wrap one. Registered once, when AnyIO's
asyncio backend loads; read in a pump, any error is "not known".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .._asyncio import socket_waits
from .._asyncio.waits import PURPOSE, register
from .._core.waits import WaitSeen
from .on_asyncio import GROUPS, STARTS

if TYPE_CHECKING:
    from types import FrameType, ModuleType

    from .._asyncio.sampling import Sampling

#: class name -> (method, what the task does in it); classes AnyIO lacks are skipped
_SOCKET_CALLS = {
    "SocketStream": (("receive", "reads"), ("send", "writes")),
    "UDPSocket": (("receive", "reads"),),
    "ConnectedUDPSocket": (("receive", "reads"),),
    "UNIXSocketStream": (("receive", "reads"), ("receive_fds", "reads"), ("send", "writes"), ("send_fds", "writes")),
    "UNIXDatagramSocket": (("receive", "reads"),),
    "ConnectedUNIXDatagramSocket": (("receive", "reads"),),
    "UNIXSocketListener": (("accept", "accepts"),),
}


def install(module: ModuleType, group_exit: Any) -> None:
    """Registers AnyIO's frames; ``group_exit``: ``TaskGroup.__aexit__`` as
    AnyIO wrote it (``on_asyncio`` wraps it)."""
    register(group_exit, _group_exit, PURPOSE)
    register(getattr(getattr(module, "TaskGroup", None), "start", None), _start, PURPOSE)
    for name, calls in _SOCKET_CALLS.items():
        cls = getattr(module, name, None)
        for method, way in calls:
            register(getattr(cls, method, None), _socket_call(way), PURPOSE)
    backend = getattr(module, "AsyncIOBackend", None)
    register(getattr(backend, "wait_readable", None), _fd_wait("until readable"), PURPOSE)
    register(getattr(backend, "wait_writable", None), _fd_wait("until writable"), PURPOSE)


def _group_exit(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
    tg = frame.f_locals["self"]
    group = GROUPS.get(tg)
    if group is not None and group.run is run:  # the store finds its children in the tree
        return WaitSeen("children", "task group", nursery=group.nid, detail="until its children finish")
    tids = run.tids  # a group opened before this run was observed: its tasks, as a gather's
    tasks: Any = getattr(tg, "_tasks", None) or getattr(getattr(tg, "cancel_scope", None), "_tasks", ())
    ids = tuple(t for t in (tids.get(c) for c in list(tasks)) if t is not None)
    return WaitSeen("children", "task group", obj=tg, holders=ids, detail="until its children finish")


def _start(run: Sampling, task: Any, frame: FrameType) -> WaitSeen | None:
    local = frame.f_locals
    future, status, name = local.get("future"), local.get("task_status"), local.get("final_name")
    if future is None or status is None or future.done():
        return None  # started (or failed): it is waiting for something else now
    words = f"until {name if isinstance(name, str) else 'the task'} calls task_status.started()"
    entry = STARTS.get(status)
    holders = (entry[2],) if entry is not None else None  # None: a group this run did not see open
    return WaitSeen("start", "tg.start()", holders=holders, detail=words)


def _socket_call(way: str) -> Callable[[Sampling, Any, FrameType], WaitSeen]:
    def read(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
        stream = frame.f_locals["self"]
        transport = getattr(stream, "_transport", None)
        if transport is not None:  # asyncio's transport kept whom it talks to
            where = socket_waits.of_transport(transport)
        else:
            where = socket_waits.of_socket(stream._raw_socket)
        return WaitSeen("io", "socket", wakes=True, detail=socket_waits.words(way, *where))

    return read


def _fd_wait(way: str) -> Callable[[Sampling, Any, FrameType], WaitSeen]:
    def read(run: Sampling, task: Any, frame: FrameType) -> WaitSeen:
        obj = frame.f_locals.get("obj")
        if isinstance(obj, int):
            return WaitSeen("io", f"fd {obj}", wakes=True, detail=way)
        peer, here = socket_waits.of_socket(obj) if hasattr(obj, "getpeername") else ("", "")
        where = f"peer {peer}" if peer else f"on {here}" if here else ""
        label = "socket" if hasattr(obj, "getpeername") else "file"
        return WaitSeen("io", label, wakes=True, detail=f"{way}, {where}" if where else way)

    return read
