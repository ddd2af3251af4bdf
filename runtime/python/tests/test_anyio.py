"""AnyIO on both backends: task groups, start() and cancel scopes read as the user wrote them."""

from __future__ import annotations

from importlib.metadata import version

import pytest

import conftest

anyio = pytest.importorskip("anyio")

HERE = __file__


def line_of(marker: str) -> int:
    return conftest.line_of(HERE, marker)


def site(marker: str, function: str) -> dict[str, object]:
    return {"file": HERE, "line": line_of(marker), "function": function}


async def server(task_status=anyio.TASK_STATUS_IGNORED):
    await anyio.sleep(0.01)
    task_status.started("ready")
    await anyio.sleep(10)


async def worker(n):
    with anyio.move_on_after(30):  # WORKER-SCOPE
        await anyio.sleep(0.2)
    if n == 1:
        raise ValueError("worker 1 failed")  # WORKER-FAILS


async def serve_and_work():
    async with anyio.create_task_group() as tg:  # GROUP
        assert await tg.start(server, name="server") == "ready"  # START
        for n in range(2):
            tg.start_soon(worker, n, name=f"worker-{n}")  # SPAWN


async def main():
    with pytest.raises(ExceptionGroup):
        await serve_and_work()


def _record(backend: str, arecord):
    if backend == "asyncio":
        import anyio._backends._asyncio

        return arecord(lambda: anyio.run(main), sample_hz=50)
    return conftest.anyio_on_trio(main, sample_hz=50)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_anyio_task_groups_start_and_scopes(backend, arecord):
    rec = _record(backend, arecord)
    assert rec.main()["name"] == "test_anyio.main"
    started = rec.of("run.started")[0]
    assert started["library"] == backend
    assert started["anyio"] == version("anyio")
    groups = [n for n in rec.of("nursery.opened") if n.get("kind") == "anyio"]
    group = next(n for n in groups if not n.get("start"))
    assert group["site"] == site("# GROUP", "serve_and_work")
    assert group["task"] == rec.main()["id"]
    # start(): the task waits in a temporary nursery of main, then moves into the group
    served = rec.task("server")
    temporary = rec.nursery(served["nursery"])
    assert temporary["start"] is True
    assert temporary["task"] == rec.main()["id"]
    assert served["site"] == site("# START", "serve_and_work")
    assert [e["nursery"] for e in rec.of("task.moved") if e["id"] == served["id"]] == [group["id"]]
    workers = [rec.task(f"worker-{n}") for n in range(2)]
    assert all(w["nursery"] == group["id"] for w in workers)
    assert all(w["site"] == site("# SPAWN", "serve_and_work") for w in workers)
    if backend == "asyncio":
        assert all(w["func"]["function"] == "worker" for w in workers)
    failed = {"type": "ValueError", "message": "worker 1 failed", "site": site("# WORKER-FAILS", "worker")}
    assert rec.exit(workers[1]["id"])["error"] == failed
    assert rec.exit(served["id"])["outcome"] == "cancelled"  # the failure cancelled the group
    scopes = [s for s in rec.of("scope.changed") if s["task"] == workers[0]["id"]]
    assert scopes
    assert scopes[0]["kind"] == "anyio"
    assert scopes[0]["site"] == site("# WORKER-SCOPE", "worker")
    assert 29_000 < scopes[0]["deadline"] < 31_000
    closed = [e["id"] for e in rec.of("nursery.closed")]
    assert group["id"] in closed
    assert temporary["id"] in closed


def test_anyio_run_main_task_is_named_for_the_users_function_before_anyio_names_it(arecord, monkeypatch):
    """anyio.run's main task runs AnyIO's ``wrapper``, which names the task
    only once it runs: a spawn described before that (a debugger's start-up
    delays the loop) read ``AsyncIOBackend.run.<locals>.wrapper``."""
    import anyio._backends._asyncio as backend

    # the task keeps asyncio's default name, as it has until the wrapper runs
    monkeypatch.setattr(backend, "get_callable_name", lambda func: "Task-1")
    rec = arecord(lambda: anyio.run(main), sample_hz=50)
    assert rec.main()["name"] == "test_anyio.main"
    assert rec.main()["func"]["function"] == "main"
