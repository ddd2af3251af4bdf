"""A task waiting on a socket: the loop's ``sock_*`` calls, and the words
for whom a socket talks to, shared with AnyIO's socket streams on asyncio
(``_anyio.asyncio_waits``).

``loop.sock_accept`` and its kin await a bare future the selector (or the
proactor) completes: without their frame the wait would read as "Future".
The frame's ``sock`` says which socket, and the socket whom it talks to:
its peer once connected, else where it listens (a syscall each; a peer,
which cannot change, is kept per socket). Read in a pump, maybe on the
watching thread: any error is the caller's "not known".
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Callable

from .._core.waits import WaitSeen

if TYPE_CHECKING:
    from types import FrameType

#: the loop's socket calls and what the task does in each
LOOP_CALLS = {
    "sock_recv": "reads",
    "sock_recv_into": "reads",
    "sock_recvfrom": "reads",
    "sock_recvfrom_into": "reads",
    "sock_sendall": "writes",
    "sock_sendto": "writes",
    "sock_connect": "connects",
    "sock_accept": "accepts",
}
#: what the task does -> (the words with the peer, with where it is bound, with neither)
_WORDS = {
    "reads": ("reads from {}", "reads, on {}", "reads"),
    "writes": ("writes to {}", "writes, on {}", "writes"),
    "connects": ("connects to {}", "connects from {}", "connects"),
    "accepts": ("accepts connections", "accepts connections on {}", "accepts connections"),  # (listening: no peer)
}
#: socket -> its peer in words (only a connected socket's: it stays)
_PEERS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def look_up(register: Callable[[Any, Callable[..., WaitSeen | None]], None]) -> None:
    """Registers the loop's socket calls (selector and proactor loops)."""
    from asyncio import proactor_events, selector_events

    for cls in (selector_events.BaseSelectorEventLoop, proactor_events.BaseProactorEventLoop):
        for name, way in LOOP_CALLS.items():
            fn = getattr(cls, name, None)
            if fn is not None:
                register(fn, _loop_call(way))


def _loop_call(way: str) -> Callable[[Any, Any, FrameType], WaitSeen]:
    def read(run: Any, task: Any, frame: FrameType) -> WaitSeen:
        local = frame.f_locals
        sock = local.get("sock")
        if way == "connects":  # not connected yet: the address it dials is the peer
            return WaitSeen("io", "socket", wakes=True, detail=words(way, address(local.get("address")), ""))
        return WaitSeen("io", "socket", wakes=True, detail=words(way, *of_socket(sock)))

    return read


def words(way: str, peer: str, here: str) -> str:
    """``reads from 127.0.0.1:8000``: what the task does, with whom."""
    with_peer, with_here, alone = _WORDS[way]
    if peer:
        return with_peer.format(peer)
    return with_here.format(here) if here else alone


def of_socket(sock: Any) -> tuple[str, str]:
    """(its peer, where it is bound) in words; "" for what it has not."""
    if sock is None:
        return "", ""
    try:
        return _PEERS[sock], ""
    except (KeyError, TypeError):
        pass
    try:
        peer = address(sock.getpeername())
    except Exception:
        peer = ""
    if peer:
        try:
            _PEERS[sock] = peer
        except TypeError:
            pass  # takes no weak reference: asked again next time
        return peer, ""
    try:
        return "", address(sock.getsockname())
    except Exception:
        return "", ""


def of_transport(transport: Any) -> tuple[str, str]:
    """(peer, where bound) of an asyncio transport: it kept both when made."""
    if transport is None:
        return "", ""
    return address(transport.get_extra_info("peername")), address(transport.get_extra_info("sockname"))


def address(addr: Any) -> str:
    """``127.0.0.1:8000``, ``[::1]:8000``, a path; "" for none."""
    if isinstance(addr, tuple) and len(addr) >= 2:
        host = str(addr[0])
        return f"[{host}]:{addr[1]}" if ":" in host else f"{host}:{addr[1]}"
    return str(addr) if addr else ""
