"""What a task of AnyIO on asyncio waits for (``task.state.waits``), where
asyncio's own frames would say something else: the end of a task group's
block, ``tg.start()``, a socket stream's read and a listener's accept, in
real ``anyio.run`` runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from test_waits import HOLD, HZ, tid, waited

if TYPE_CHECKING:
    from conftest import Recording

anyio = pytest.importorskip("anyio")


def run(arecord: Any, main: Any) -> Recording:
    import anyio._backends._asyncio  # loaded before the run: the runtime sees AnyIO's task groups

    return arecord(lambda: anyio.run(main, backend="asyncio"), sample_hz=HZ)  # type: ignore[no-any-return]


def test_the_end_of_a_task_group_waits_for_its_children(arecord):
    async def owner():
        async with anyio.create_task_group() as tg:
            tg.start_soon(anyio.sleep_forever, name="child")
        # the body ended: the owner waits in TaskGroup.__aexit__ (for AnyIO's _on_completed_fut)

    async def main():
        async with anyio.create_task_group() as outer:
            outer.start_soon(owner, name="owner")
            await anyio.sleep(HOLD)
            outer.cancel_scope.cancel()

    rec = run(arecord, main)
    (group,) = [e for e in rec.of("nursery.opened") if e["task"] == tid(rec, "owner")]
    w = waited(rec, "owner")
    # as a Trio nursery's end: the group's children, not the future AnyIO awaits for them
    assert w == {"kind": "children", "obj": group["id"], "label": "task group", "detail": "until its children finish"}
    assert rec.task("child")["nursery"] == group["id"]


def test_tg_start_waits_for_the_task_to_call_started(arecord):
    async def server(*, task_status=anyio.TASK_STATUS_IGNORED):
        await anyio.sleep(HOLD)
        task_status.started()
        await anyio.sleep_forever()

    async def starter():
        async with anyio.create_task_group() as tg:
            await tg.start(server, name="server")
            tg.cancel_scope.cancel()

    async def main():
        async with anyio.create_task_group() as outer:
            outer.start_soon(starter, name="starter")

    rec = run(arecord, main)
    w = waited(rec, "starter")
    assert w == {
        "kind": "start",
        "label": "tg.start()",
        "holders": [tid(rec, "server")],
        "detail": "until server calls task_status.started()",
    }


def test_a_socket_read_and_an_accept_say_so_not_event_or_future(arecord):
    from anyio.abc import SocketAttribute

    async def read(stream):
        with anyio.move_on_after(30):
            await stream.receive()  # AnyIO waits in its protocol's asyncio.Event: the loop sets it, no task

    ports: list[int] = []

    async def main():
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        tcp = listener.listeners[0]
        ports.append(port := listener.extra(SocketAttribute.local_port))
        async with listener, await anyio.connect_tcp("127.0.0.1", port) as client, await tcp.accept():
            async with anyio.create_task_group() as tg:
                tg.start_soon(read, client, name="reader")
                tg.start_soon(tcp.accept, name="acceptor")  # nobody else connects: it waits in loop.sock_accept
                await anyio.sleep(HOLD)
                tg.cancel_scope.cancel()

    rec = run(arecord, main)
    r = waited(rec, "reader")
    assert (r["kind"], r["label"], r.get("wakes")) == ("io", "socket", True)
    assert r["detail"] == f"reads from 127.0.0.1:{ports[0]}"
    assert 29_000 < r["until"] < 31_000  # the move_on_after's deadline can wake it too
    a = waited(rec, "acceptor")
    assert (a["kind"], a["label"], a.get("wakes")) == ("io", "socket", True)
    assert a["detail"] == f"accepts connections on 127.0.0.1:{ports[0]}"
    assert "until" not in a
