"""The library's own work inside the user's tasks is system (protocol 1.4).

Trio's ``open_tcp_stream`` and AnyIO's ``connect_tcp`` open a nursery in the
calling task to race connection attempts: system, at the user's line that
called the library, with the attempts system too. A server's handlers
(``trio.serve_tcp``, AnyIO's ``Listener.serve``) run the user's code in the
library's nursery and stay the user's. Nurseries the user opens (directly,
through ``AsyncExitStack``, in an ``asynccontextmanager``) are not system.
"""

from __future__ import annotations

import contextlib
import functools
from typing import TYPE_CHECKING, Any

import pytest
import trio

import conftest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

HERE = __file__


def line_of(marker: str) -> int:
    return conftest.line_of(HERE, marker)


def user_nurseries(rec: conftest.Recording) -> list[dict[str, Any]]:
    return [n for n in rec.of("nursery.opened") if not n.get("system")]


# ------------------------------------------------------------------ Trio


async def handle(stream: trio.SocketStream) -> None:
    async with stream:
        await stream.send_all(b"hi")


@contextlib.asynccontextmanager
async def helpers() -> AsyncIterator[trio.Nursery]:
    async with trio.open_nursery() as nursery:  # CM-NURSERY
        yield nursery


async def trio_program() -> None:
    async with trio.open_nursery() as outer:  # OUTER
        listeners = await outer.start(functools.partial(trio.serve_tcp, handle, 0, host="127.0.0.1"))  # SERVE
        port = listeners[0].socket.getsockname()[1]
        stream = await trio.open_tcp_stream("127.0.0.1", port)  # CONNECT
        async with stream:
            assert await stream.receive_some(2) == b"hi"
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(trio.open_nursery())  # STACKED
            await stack.enter_async_context(helpers())
        outer.cancel_scope.cancel()


def test_trio_open_tcp_stream_nursery_and_attempts_are_system(record):
    rec = record(trio_program)
    connect = [n for n in rec.of("nursery.opened") if n["site"] and n["site"]["line"] == line_of("# CONNECT")]
    assert len(connect) == 1, connect
    assert connect[0]["system"] is True, connect
    assert connect[0]["site"]["function"] == "trio_program"
    attempts = [t for t in rec.of("task.spawned") if t["nursery"] == connect[0]["id"]]
    assert attempts, attempts
    assert all(t["system"] for t in attempts), attempts
    assert all(t["site"] is None for t in attempts), attempts
    assert all(t["name"].endswith("attempt_connect") for t in attempts)


def test_trio_users_nurseries_stay_the_users(record):
    rec = record(trio_program)
    lines = sorted(n["site"]["line"] for n in user_nurseries(rec) if n["site"])
    assert line_of("# OUTER") in lines, lines
    assert line_of("# STACKED") in lines, lines
    assert line_of("# CM-NURSERY") in lines, lines
    assert line_of("# CONNECT") not in lines


def test_trio_serve_tcp_handlers_stay_the_users(record):
    rec = record(trio_program)
    # Trio runs the handler in its own _run_handler(stream, handler): given the user's function, the user's
    handlers = [t for t in rec.of("task.spawned") if t["name"].endswith("_run_handler")]
    assert len(handlers) == 1, handlers
    assert handlers[0]["system"] is False, handlers
    # serve_tcp (the task the user started) opens Trio's own nursery; its listener task carries the handler: the user's
    (serve,) = [t for t in rec.of("task.spawned") if t["name"].endswith("serve_tcp")]
    assert serve["system"] is False, serve
    assert serve["site"]["line"] == line_of("# SERVE"), serve
    serving = [n for n in rec.of("nursery.opened") if n["task"] == serve["id"] and not n.get("start")]
    assert serving, serving
    assert all(n.get("system") for n in serving), serving
    listener = [t for t in rec.of("task.spawned") if t["name"].endswith("_serve_one_listener")]
    assert listener, listener
    assert not any(t["system"] for t in listener), listener


# ------------------------------------------------------------------ AnyIO

anyio = pytest.importorskip("anyio")


async def anyio_handle(stream: Any) -> None:
    async with stream:
        await stream.send(b"hi")


async def anyio_program() -> None:
    async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
        async with anyio.create_task_group() as tg:  # ANYIO-GROUP
            tg.start_soon(listener.serve, anyio_handle)
            stream = await anyio.connect_tcp("127.0.0.1", port)  # ANYIO-CONNECT
            async with stream:
                assert await stream.receive(2) == b"hi"
            tg.cancel_scope.cancel()


def _anyio_record(backend: str, arecord: Any) -> conftest.Recording:
    if backend == "asyncio":
        import anyio._backends._asyncio

        rec: conftest.Recording = arecord(lambda: anyio.run(anyio_program))
        return rec
    return conftest.anyio_on_trio(anyio_program)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_anyio_connect_tcp_is_system_its_handlers_the_users(backend, arecord):
    rec = _anyio_record(backend, arecord)
    groups = {n["id"]: n for n in rec.of("nursery.opened")}
    mine = [n for n in groups.values() if n["site"] and n["site"]["line"] == line_of("# ANYIO-GROUP")]
    assert len(mine) == 1, mine
    assert not mine[0].get("system"), mine
    connect = [n for n in groups.values() if n["site"] and n["site"]["line"] == line_of("# ANYIO-CONNECT")]
    assert connect, connect
    assert all(n.get("system") for n in connect), connect
    attempts = [t for t in rec.of("task.spawned") if t["nursery"] in {n["id"] for n in connect}]
    assert attempts, attempts
    assert all(t["system"] for t in attempts), attempts
    handlers = [t for t in rec.of("task.spawned") if t["name"].endswith("anyio_handle")]
    assert len(handlers) == 1, handlers
    assert handlers[0]["system"] is False, handlers


def test_library_call_is_the_librarys_work_unless_it_is_given_the_users_function() -> None:
    # what an older AnyIO's _spawn(func, args) is asked (newer ones pass the coroutine made)
    from nursery_lens._core.library_work import library_call

    assert library_call(trio.sleep, (0,))
    assert library_call(functools.partial(trio.sleep, 0), ())
    assert not library_call(trio.serve_tcp, (handle, 0)), "a server given the user's handler"
    assert not library_call(handle, ()), "the user's own function"
    assert not library_call(functools.partial(handle), ())
