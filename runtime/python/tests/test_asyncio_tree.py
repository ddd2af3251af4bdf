"""asyncio's tree from real event loop runs: asyncio.run's run, task groups, loose tasks,
outcomes, flags. Which loop runs are runs (runners, bare loops, threads, factories): test_asyncio_runs.py."""

from __future__ import annotations

import asyncio
import json
import signal
import sys

import pytest

import conftest

HERE = __file__
VERSION = "{}.{}.{}".format(*sys.version_info[:3])


def line_of(marker: str) -> int:
    return conftest.line_of(HERE, marker)


def site(marker: str, function: str) -> dict[str, object]:
    return {"file": HERE, "line": line_of(marker), "function": function}


def named(rec, name):
    """The one task.spawned with exactly this name."""
    (found,) = [e for e in rec.of("task.spawned") if e["name"] == name]
    return found


async def leaf(delay: float = 0) -> str:
    await asyncio.sleep(delay)
    return "leaf"


def test_asyncio_run_is_one_run_with_its_main_and_asyncios_own_tasks(arecord):
    async def main():  # MAIN-DEF
        await asyncio.sleep(0)
        return 42

    results = []
    rec = arecord(lambda: results.append(asyncio.run(main())))  # RUN-MAIN
    assert results == [42]
    hello, started = rec.events[0], rec.events[1]
    assert hello["runtime"] == "asyncio"
    assert hello["runtime_version"] == VERSION
    assert hello["minor"] == 6
    assert started["type"] == "run.started"
    assert started["library"] == "asyncio"
    assert started["library_version"] == VERSION
    assert "anyio" not in started
    assert len(rec.of("run.started")) == 1
    main_task = rec.main()
    assert main_task["nursery"] is None
    assert "parent" not in main_task
    assert main_task["system"] is False
    assert main_task["site"] == site("# RUN-MAIN", "<lambda>")  # where asyncio.run was called
    assert main_task["func"] == {
        "file": HERE,
        "line": line_of("# MAIN-DEF"),
        "function": "test_asyncio_run_is_one_run_with_its_main_and_asyncios_own_tasks.<locals>.main",
    }
    # asyncio named it Task-N: it shows its coroutine's qualified name with its module, as Trio names main
    assert main_task["name"] == f"{__name__}.{main_task['func']['function']}"
    assert main_task["default_name"].startswith("Task-")
    assert main_task["default_name"][5:].isdigit()
    assert rec.exit(main_task["id"])["outcome"] == "returned"
    # asyncio.run's shutdown: asyncio's own tasks, system, made by nobody
    system = [e for e in rec.of("task.spawned") if e["system"]]
    assert {e["func"]["function"] for e in system} == {
        "BaseEventLoop.shutdown_asyncgens",
        "BaseEventLoop.shutdown_default_executor",
    }
    assert all(e["nursery"] is None and "parent" not in e and e["site"] is None for e in system)
    # their coroutines have ended by the time the pump names them: the module is found by file
    assert {e["name"] for e in system} == {
        "asyncio.base_events.BaseEventLoop.shutdown_asyncgens",
        "asyncio.base_events.BaseEventLoop.shutdown_default_executor",
    }
    assert rec.events[-1] == {**rec.events[-1], "type": "run.finished", "outcome": "returned"}


def test_a_task_group_is_a_nursery_owned_by_its_task_and_its_tasks_belong_to_it(arecord):
    async def main():
        async with asyncio.TaskGroup() as tg:  # TG-OPEN
            tg.create_task(leaf(), name="first")  # TG-SPAWN
            tg.create_task(leaf())  # TG-UNNAMED
        await asyncio.sleep(0)

    rec = arecord(lambda: asyncio.run(main()))
    fn = "test_a_task_group_is_a_nursery_owned_by_its_task_and_its_tasks_belong_to_it.<locals>.main"
    (group,) = rec.of("nursery.opened")
    assert group["kind"] == "taskgroup"
    assert group["task"] == rec.main()["id"]
    assert group["site"] == site("# TG-OPEN", "main")
    first = rec.task("first")
    assert first["nursery"] == group["id"]
    assert "parent" not in first
    assert first["site"] == site("# TG-SPAWN", "main")
    assert first["func"] == {"file": HERE, "line": line_of("async def leaf("), "function": "leaf"}
    unnamed = next(e for e in rec.of("task.spawned") if e["site"] == site("# TG-UNNAMED", "main"))
    assert unnamed["name"] == f"{__name__}.leaf"  # not asyncio's Task-N: the coroutine, as Trio names it
    assert unnamed["default_name"].startswith("Task-")  # asyncio's own name for it, kept
    assert "default_name" not in first  # a name the user gave stays, alone
    assert unnamed["nursery"] == group["id"]
    closed = rec.of("nursery.closed")
    assert [e["id"] for e in closed] == [group["id"]]
    # closed after its tasks ended
    order = [(e["type"], e.get("id")) for e in rec.events]
    assert order.index(("nursery.closed", group["id"])) > order.index(("task.exited", first["id"]))
    assert rec.main()["func"]["function"] == fn


def test_a_task_made_in_a_comprehension_is_spawned_in_the_function_around_it(arecord):
    # CPython 3.11 runs a comprehension as a function of its own, <dictcomp>;
    # 3.12+ inlines it: either way the user wrote the call in main.
    async def main():
        async with asyncio.TaskGroup() as tg:
            jobs = {k: tg.create_task(leaf(), name=k) for k in ("a", "b")}  # COMP-SPAWN
            loose = [asyncio.create_task(leaf(), name=f"loose {k}") for k in jobs]  # COMP-LOOSE
        await asyncio.gather(*loose)

    rec = arecord(lambda: asyncio.run(main()))
    assert named(rec, "a")["site"] == site("# COMP-SPAWN", "main")
    assert named(rec, "loose b")["site"] == site("# COMP-LOOSE", "main")


def test_a_task_made_in_a_loop_callback_has_no_user_site_not_the_asyncio_run_line(arecord):
    # asyncio.start_server makes each connection's handler task in a
    # protocol callback the loop runs: no user frame made it. Walking on past
    # the callback reached the program's asyncio.run(...) line.
    async def handle(reader, writer):
        writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.sleep(0.05)
        writer.close()
        server.close()
        await server.wait_closed()
        asyncio.get_running_loop().call_soon(asyncio.ensure_future, leaf())
        await asyncio.sleep(0.01)

    rec = arecord(lambda: asyncio.run(main()))
    spawned = {e["name"].rpartition(".")[2]: e for e in rec.of("task.spawned")}
    assert spawned["handle"]["site"] is None, spawned["handle"]["site"]
    assert spawned["leaf"]["site"] is None, spawned["leaf"]["site"]


def test_loose_tasks_name_the_task_that_made_them(arecord):
    async def helper():
        await asyncio.sleep(0)

    async def maker():
        bg = asyncio.create_task(helper(), name="made-by-maker")  # LOOSE-IN-MAKER
        await bg

    keep = []

    async def main():
        loop = asyncio.get_running_loop()
        a = asyncio.create_task(maker(), name="maker")  # LOOSE-CREATE
        b = asyncio.ensure_future(helper())  # LOOSE-ENSURE
        c = loop.create_task(helper(), name="via-loop")  # LOOSE-LOOP
        await asyncio.gather(a, b, c, helper())  # LOOSE-GATHER
        async with asyncio.TaskGroup() as tg:
            tg.create_task(maker(), name="maker-in-group")
        loop.call_soon(lambda: keep.append(loop.create_task(helper(), name="from-callback")))
        await asyncio.sleep(0.01)

    rec = arecord(lambda: asyncio.run(main()))
    main_id = rec.main()["id"]
    made = named(rec, "maker")
    assert made["nursery"] is None
    assert made["parent"] == main_id
    assert made["site"] == site("# LOOSE-CREATE", "main")
    inner = rec.tasks("made-by-maker")
    assert [e["parent"] for e in inner] == [made["id"], rec.task("maker-in-group")["id"]]
    assert inner[0]["site"] == site("# LOOSE-IN-MAKER", "maker")
    ensured = next(e for e in rec.of("task.spawned") if e["site"] == site("# LOOSE-ENSURE", "main"))
    assert (ensured["parent"], ensured["nursery"]) == (main_id, None)
    assert rec.task("via-loop")["site"] == site("# LOOSE-LOOP", "main")
    gathered = next(e for e in rec.of("task.spawned") if e["site"] == site("# LOOSE-GATHER", "main"))
    assert gathered["parent"] == main_id
    # made by a callback: no task made it
    callback = rec.task("from-callback")
    assert callback["nursery"] is None
    assert "parent" not in callback
    # a loose task made inside a task group's task still names its maker, not the group
    assert rec.task("maker-in-group")["nursery"] == rec.of("nursery.opened")[0]["id"]


def test_outcomes_returned_raised_and_cancelled(arecord):
    async def bad():
        await asyncio.sleep(0)
        raise ValueError("bad row")  # BAD-ROW

    async def sleeper():
        await asyncio.sleep(10)

    async def main():
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(sleeper(), name="sibling")
                tg.create_task(bad(), name="bad")
        except* ValueError:
            pass
        t = asyncio.create_task(sleeper(), name="cancelled-by-me")
        await asyncio.sleep(0)
        t.cancel("no longer needed")
        with pytest.raises(asyncio.CancelledError):
            await t

    rec = arecord(lambda: asyncio.run(main()))
    failed = rec.exit(rec.task("bad")["id"])
    assert failed["outcome"] == "raised"
    assert failed["error"] == {"type": "ValueError", "message": "bad row", "site": site("BAD-ROW", "bad")}
    sibling = rec.exit(rec.task("sibling")["id"])
    assert sibling["outcome"] == "cancelled"
    assert sibling["cancel"] == {"source": "nursery", "by": rec.task("bad")["id"]}
    mine = rec.exit(rec.task("cancelled-by-me")["id"])
    assert mine["outcome"] == "cancelled"
    assert mine["cancel"]["reason"] == "no longer needed"
    assert rec.exit(rec.main()["id"])["outcome"] == "returned"


def test_a_failing_body_cancels_the_group_by_its_owner(arecord):
    async def body_fails():
        async with asyncio.TaskGroup() as tg:
            tg.create_task(asyncio.sleep(10), name="waiting")
            await asyncio.sleep(0)
            raise KeyError("in the body")

    async def main():
        with pytest.raises(ExceptionGroup):
            await body_fails()

    rec = arecord(lambda: asyncio.run(main()))
    waiting = rec.exit(rec.task("waiting")["id"])
    assert waiting["cancel"] == {"source": "nursery", "by": rec.main()["id"]}


def test_the_run_says_how_main_ended(arecord):
    async def main():
        await asyncio.sleep(0)
        raise RuntimeError("main failed")  # MAIN-FAILED

    rec = arecord(lambda: asyncio.run(main()), raises=RuntimeError)
    failed = {"type": "RuntimeError", "message": "main failed", "site": site("MAIN-FAILED", "main")}
    assert rec.exit(rec.main()["id"])["error"] == failed
    assert rec.events[-1]["type"] == "run.finished"
    assert rec.events[-1]["outcome"] == "raised"
    assert rec.events[-1]["error"] == failed


def test_shutdown_cancels_what_main_left_behind(arecord):
    async def forever():
        await asyncio.sleep(100)

    async def main():
        keep.append(asyncio.create_task(forever(), name="left behind"))
        await asyncio.sleep(0)

    keep = []

    rec = arecord(lambda: asyncio.run(main()))
    left = rec.exit(rec.task("left behind")["id"])
    assert left["outcome"] == "cancelled"
    assert left["cancel"]["source"] == "shutdown"
    assert not rec.of("task.flagged")


def test_a_timeout_cancels_a_group_by_deadline(arecord):
    async def times_out():
        async with asyncio.timeout(0.05):
            async with asyncio.TaskGroup() as tg:
                tg.create_task(asyncio.sleep(10), name="slow")

    async def main():
        with pytest.raises(TimeoutError):
            await times_out()

    rec = arecord(lambda: asyncio.run(main()))
    assert rec.exit(rec.task("slow")["id"])["cancel"]["source"] == "deadline"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12+'s wait_for awaits a coroutine in the caller's task")
def test_wait_for_giving_up_cancels_the_task_it_made_by_deadline(arecord):
    """3.11's wait_for runs a coroutine as a task of its own and cancels it
    when its time is up: a deadline, not "cause unknown" (3.12+ awaits it in
    the caller's task, whose own timeout scope says so)."""

    async def slow():
        await asyncio.sleep(10)

    async def main():
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(slow(), timeout=0.05)

    rec = arecord(lambda: asyncio.run(main()))
    inner = next(e for e in rec.of("task.spawned") if e["func"]["function"].endswith("slow"))
    assert rec.exit(inner["id"])["cancel"]["source"] == "deadline"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12+'s wait_for awaits a coroutine in the caller's task")
def test_a_wait_for_cancelled_with_its_caller_is_not_a_deadline(arecord):
    async def slow():
        await asyncio.sleep(10)

    async def caller():
        await asyncio.wait_for(slow(), timeout=30)

    async def main():
        task = asyncio.create_task(caller(), name="caller")
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    rec = arecord(lambda: asyncio.run(main()))
    inner = next(e for e in rec.of("task.spawned") if e["func"]["function"].endswith("slow"))
    assert rec.exit(inner["id"])["cancel"]["source"] != "deadline"


def test_ctrl_c_cancels_the_main_tasks_group_as_an_interrupt(arecord):
    async def main():
        async with asyncio.TaskGroup() as tg:
            tg.create_task(asyncio.Event().wait(), name="waiter")
            await asyncio.sleep(0.05)
            signal.raise_signal(signal.SIGINT)
            await asyncio.sleep(1)

    def program():
        with pytest.raises(KeyboardInterrupt):
            asyncio.run(main())

    rec = arecord(program)
    assert rec.exit(rec.main()["id"])["cancel"]["source"] == "interrupt"
    assert rec.exit(rec.task("waiter")["id"])["cancel"]["source"] == "interrupt"


def test_pending_at_close_and_exceptions_never_retrieved_are_flagged(arecord):
    async def fails():
        raise OSError("disk full")  # DISK-FULL

    async def waits():
        await asyncio.Event().wait()

    def program():
        loop = asyncio.new_event_loop()
        try:
            failing = loop.create_task(fails(), name="nobody looked")
            pending = loop.create_task(waits(), name="never finished")
            loop.run_until_complete(asyncio.sleep(0.01))
            assert (failing.done(), pending.done()) == (True, False)
        finally:
            loop.close()
        failing.exception()  # retrieved after the loop closed: too late for the run
        pending._log_destroy_pending = False  # type: ignore[attr-defined]  # (asyncio would complain at collection)

    rec = arecord(program)
    flags = {
        (rec.exit(e["id"])["outcome"] if e["flag"] != "pending_at_close" else None, e["flag"])
        for e in rec.of("task.flagged")
    }
    assert flags == {("raised", "exception_never_retrieved"), (None, "pending_at_close")}
    never = next(e for e in rec.of("task.flagged") if e["flag"] == "exception_never_retrieved")
    assert never["id"] == rec.task("nobody looked")["id"]
    assert never["error"] == {"type": "OSError", "message": "disk full", "site": site("DISK-FULL", "fails")}
    pending = next(e for e in rec.of("task.flagged") if e["flag"] == "pending_at_close")
    assert pending["id"] == rec.task("never finished")["id"]
    assert not [e for e in rec.of("task.exited") if e["id"] == pending["id"]]
    types = [e["type"] for e in rec.events]
    assert types.index("task.flagged") < types.index("run.finished")


async def leaves(count: int, named: str | None = None) -> None:
    """A TaskGroup of ``count`` unnamed tasks made in a loop (then one named ``named``)."""

    async def leaf() -> None:
        await asyncio.sleep(0)

    async with asyncio.TaskGroup() as tg:
        for _ in range(count):
            tg.create_task(leaf())
        if named is not None:
            tg.create_task(leaf(), name=named)


def both_ways(arecord, program):
    """``program`` recorded with batch lines (1.3) and a line per task; and the batched one's lines."""
    batched = arecord(program)
    plain = arecord(program, batch=False)
    return batched, plain, [json.loads(line) for line in batched.text.splitlines()]


def test_asyncio_task_group_spawns_go_in_one_line_with_each_tasks_default_name(arecord):
    batched, plain, lines = both_ways(arecord, lambda: asyncio.run(leaves(100, named="the named one")))
    (spawns,) = [e for e in lines if e["type"] == "tasks.spawned"]
    assert len(spawns["after_us"]) == 100
    assert spawns["name"].endswith("leaf")
    numbers = [int(n.removeprefix("Task-")) for n in spawns["default_names"]]
    assert numbers == list(range(numbers[0], numbers[0] + 100))
    # the named task ends the batch: a line of its own, after it
    (named,) = [e for e in lines if e.get("name") == "the named one"]
    assert named["type"] == "task.spawned"
    assert lines.index(named) > lines.index(spawns)

    def shape(rec: conftest.Recording) -> list[tuple[str, str | None]]:
        return [(e["name"], (e.get("default_name") or "")[:5] or None) for e in rec.of("task.spawned")]

    assert shape(batched) == shape(plain)
    expanded = [e for e in batched.of("task.spawned") if e["name"].endswith("leaf")]
    assert [e["default_name"] for e in expanded] == spawns["default_names"]
    assert [e["id"] for e in expanded] == list(range(spawns["first"], spawns["first"] + 100))


def test_asyncio_task_group_exits_are_batched_too(arecord):
    batched, plain, lines = both_ways(arecord, lambda: asyncio.run(leaves(200)))
    exits = [e for e in lines if e["type"] == "tasks.exited"]
    assert sum(len(e["ids"]) for e in exits) >= 200
    assert "tasks.exited" not in plain.text
    assert len(batched.of("task.exited")) == len(plain.of("task.exited"))
    assert sorted(e["id"] for e in batched.of("task.exited")) == sorted(e["id"] for e in batched.of("task.spawned"))


def test_a_lone_asyncio_spawn_is_its_own_line_with_its_default_name(arecord):
    batched, plain, lines = both_ways(arecord, lambda: asyncio.run(leaves(1)))
    (leaf,) = [e for e in lines if e.get("name", "").endswith("leaf")]
    assert leaf["type"] == "task.spawned"
    assert leaf["default_name"].startswith("Task-")
    assert [e["name"] for e in batched.of("task.spawned")] == [e["name"] for e in plain.of("task.spawned")]
