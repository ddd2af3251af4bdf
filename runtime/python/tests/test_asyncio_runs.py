"""Which asyncio loop runs are runs, from real event loops: a Runner's runs, a bare
loop's run_until_complete and run_forever, loops in threads, a task factory of
the program's own, eager tasks, a subclassed loop."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any

import pytest

import conftest
from test_asyncio_tree import leaf


def test_a_runner_is_one_run_and_each_of_its_runs_has_a_main(arecord):
    async def step(n):
        await asyncio.sleep(0)
        return n

    def program():
        with asyncio.Runner() as runner:
            assert runner.run(step(1)) == 1
            assert runner.run(step(2)) == 2

    rec = arecord(program)
    assert len(rec.of("run.started")) == 1
    mains = [e for e in rec.of("task.spawned") if e.get("main")]
    assert len(mains) == 2
    assert [rec.exit(e["id"])["outcome"] for e in mains] == ["returned", "returned"]


def test_each_run_until_complete_of_a_bare_loop_is_a_run_and_run_forever_too(arecord):
    async def tick():
        await asyncio.sleep(0)

    def program():
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(tick())
            loop.run_until_complete(tick())
            loop.call_later(0.01, loop.stop)
            loop.run_forever()
        finally:
            loop.close()

    rec = arecord(program)
    runs = [e["run"] for e in rec.of("run.started")]
    assert len(runs) == 3
    assert [e["outcome"] for e in rec.of("run.finished")] == ["returned"] * 3
    mains = [e for e in rec.of("task.spawned") if e.get("main")]
    assert [e["run"] for e in mains] == runs[:2]  # run_forever ran no coroutine of ours


def test_a_run_that_leaves_tasks_for_the_next_stays_one_run(arecord):
    async def server(ready):
        ready.set_result(None)
        await asyncio.sleep(0.02)

    def program():
        loop = asyncio.new_event_loop()
        try:
            ready = loop.create_future()
            serving = loop.create_task(server(ready), name="server")
            loop.run_until_complete(ready)
            loop.run_until_complete(asyncio.sleep(0.05))
            assert serving.done()
        finally:
            loop.close()

    rec = arecord(program)
    assert len(rec.of("run.started")) == 1
    assert rec.exit(rec.task("server")["id"])["outcome"] == "returned"


def test_loops_in_threads_are_runs_of_their_own(arecord):
    async def work(n):
        async with asyncio.TaskGroup() as tg:
            for i in range(n):
                tg.create_task(asyncio.sleep(0.01), name=f"t{n}-{i}")

    def program():
        threads = [threading.Thread(target=asyncio.run, args=(work(n),)) for n in (2, 3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    rec = arecord(program)
    runs = {e["run"] for e in rec.of("run.started")}
    assert len(runs) == 2
    by_run = {
        r: sorted(e["name"] for e in rec.of("task.spawned") if e["run"] == r and "default_name" not in e) for r in runs
    }
    assert sorted(by_run.values()) == [["t2-0", "t2-1"], ["t3-0", "t3-1", "t3-2"]]


def test_a_task_factory_set_before_or_during_the_run_is_chained_not_replaced(arecord):
    made = []

    def factory(loop, coro, **kwargs):
        made.append(coro)
        return asyncio.Task(coro, loop=loop, **kwargs)

    async def main():
        loop = asyncio.get_running_loop()
        assert loop.get_task_factory() is factory
        loop.set_task_factory(None)
        unfactored = asyncio.create_task(leaf(), name="no factory")
        loop.set_task_factory(factory)
        assert loop.get_task_factory() is factory
        async with asyncio.TaskGroup() as tg:
            tg.create_task(leaf(), name="through factory")
        await unfactored

    def program():
        with asyncio.Runner() as runner:
            runner.get_loop().set_task_factory(factory)
            runner.run(main())

    rec = arecord(program)
    assert len(made) >= 3  # the program's factory made the tasks it was asked for
    group = rec.of("nursery.opened")[0]["id"]
    assert rec.task("through factory")["nursery"] == group
    assert rec.task("no factory")["parent"] == rec.main()["id"]
    assert rec.exit(rec.task("through factory")["id"])["outcome"] == "returned"


@pytest.mark.skipif(sys.version_info < (3, 12), reason="eager tasks are Python 3.12+")
def test_eager_tasks_are_announced_before_what_they_do_first(arecord):
    async def child():
        return "done at once"

    async def parent():
        made = asyncio.create_task(child(), name="child of eager")
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child(), name="grandchild")
        await made

    async def main():
        asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)  # type: ignore[attr-defined]
        await asyncio.create_task(parent(), name="eager parent")

    rec = arecord(lambda: asyncio.run(main()))
    eager = rec.task("eager parent")
    assert rec.task("child of eager")["parent"] == eager["id"]
    group = rec.of("nursery.opened")[0]
    assert group["task"] == eager["id"]
    assert rec.task("grandchild")["nursery"] == group["id"]
    assert rec.exit(rec.task("grandchild")["id"])["outcome"] == "returned"


def test_a_subclassed_loop_keeps_working_and_is_observed(arecord):
    class MyLoop(asyncio.SelectorEventLoop):
        created = 0

        def create_task(self, coro, **kwargs):
            MyLoop.created += 1
            return super().create_task(coro, **kwargs)

    async def main():
        async with asyncio.TaskGroup() as tg:
            tg.create_task(leaf(), name="in my loop")

    rec = arecord(lambda: _run_on(MyLoop(), main()))
    assert MyLoop.created >= 2
    assert rec.task("in my loop")["nursery"] == rec.of("nursery.opened")[0]["id"]


def _run_on(loop, coro):
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def test_a_task_made_by_asyncio_task_itself_is_a_loose_task_of_its_maker(arecord):
    """aiohttp's server makes each request's handler with asyncio.Task(...)
    on 3.12+, not through the loop's create_task: each such task is seen,
    made by the current task at its line, once; those made through
    create_task (a task group's too) are not told twice."""

    async def handler(n: int) -> int:
        await asyncio.sleep(0.01)
        return n

    async def main() -> None:
        loop = asyncio.get_running_loop()
        direct = asyncio.Task(handler(1), loop=loop, name="made directly")  # MADE-DIRECTLY
        eager: dict[str, Any] = {"eager_start": True} if sys.version_info >= (3, 12) else {}
        handled = asyncio.Task(handler(2), loop=loop, name="made eagerly", **eager)
        async with asyncio.TaskGroup() as tg:
            tg.create_task(handler(3), name="in group")
        loose = asyncio.create_task(handler(4), name="made as usual")
        await asyncio.gather(direct, handled, loose)

    rec = arecord(lambda: asyncio.run(main()))
    main_id = rec.main()["id"]
    for name in ("made directly", "made eagerly"):
        t = rec.task(name)
        assert (t["nursery"], t.get("parent")) == (None, main_id), t
        assert rec.exit(t["id"])["outcome"] == "returned"
    assert rec.task("made directly")["site"]["line"] == conftest.line_of(__file__, "MADE-DIRECTLY")
    names = [e["name"] for e in rec.of("task.spawned")]
    for name in ("made directly", "made eagerly", "in group", "made as usual"):
        assert names.count(name) == 1, names
