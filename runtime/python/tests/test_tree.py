"""The task/nursery tree from real trio.run calls: ids, names, nesting, sites,
start() moves, several runs in one stream, an instrument added mid-run and
a guest run. Outcomes: test_tree_outcomes.py."""

from __future__ import annotations

import pytest
import trio

import conftest
from conftest import Group as _Group

HERE = __file__


def line_of(marker: str) -> int:
    return conftest.line_of(HERE, marker)


def test_hello_and_run_envelope(record):
    async def main():
        await trio.sleep(0)

    rec = record(main)
    hello = rec.events[0]
    assert hello["type"] == "hello"
    assert hello["protocol"] == 1
    assert hello["runtime"] == "trio"
    assert hello["runtime_version"] == trio.__version__
    assert rec.events[1]["type"] == "run.started"
    assert rec.events[1]["ts"] == 0
    assert rec.events[-1] == {**rec.events[-1], "type": "run.finished", "outcome": "returned"}
    init = rec.of("task.spawned")[0]
    assert init["nursery"] is None
    assert init["system"] is True
    assert init["site"] is None
    main_task = rec.main()
    assert main_task["system"] is False
    assert main_task["name"].endswith("main")
    assert rec.nursery(main_task["nursery"])["system"] is True
    assert rec.exit(main_task["id"])["outcome"] == "returned"
    # every system task and nursery is flagged; ids are unique small ints
    ids = [e["id"] for e in rec.events if e["type"] in ("task.spawned", "nursery.opened")]
    assert len(ids) == len(set(ids))
    assert max(ids) < 50


def test_nested_nurseries_and_sites(record):
    async def leaf():
        await trio.sleep(0)

    async def main():
        async with trio.open_nursery() as outer:  # OUTER-OPEN
            outer.start_soon(leaf)  # SPAWN-LEAF-1
            async with trio.open_nursery() as inner:  # INNER-OPEN
                inner.start_soon(leaf, name="inner-leaf")

    rec = record(main)
    main_id = rec.main()["id"]
    user_nurseries = [n for n in rec.of("nursery.opened") if not n.get("system")]
    assert len(user_nurseries) == 2
    outer, inner = user_nurseries
    assert outer["task"] == main_id
    assert inner["task"] == main_id
    assert outer["site"] == {"file": HERE, "line": line_of("# OUTER-OPEN"), "function": "main"}
    assert inner["site"]["line"] == line_of("# INNER-OPEN")
    leaf1 = next(t for t in rec.tasks("leaf") if t["name"].endswith(".leaf"))
    assert leaf1["nursery"] == outer["id"]
    assert leaf1["site"] == {"file": HERE, "line": line_of("# SPAWN-LEAF-1"), "function": "main"}
    assert rec.task("inner-leaf")["nursery"] == inner["id"]
    closed = [e["id"] for e in rec.of("nursery.closed")]
    assert closed.index(inner["id"]) < closed.index(outer["id"])


def test_spawn_loops_keep_each_tasks_own_id_name_nursery_and_site(record):
    # A loop's spawns are queued in short form (the next id, the previous
    # spawn's name, nursery and site): whatever breaks the run (another
    # site, another name or nursery, an id taken by a nursery in between)
    # must show in the stream exactly.
    async def leaf():
        await trio.sleep(0)

    async def main():
        async with trio.open_nursery() as a:
            for _ in range(3):
                a.start_soon(leaf)  # LOOP-A
            for i in range(2):
                a.start_soon(leaf, name=f"named-{i}")  # NAMED
            for _ in range(2):
                async with trio.open_nursery():  # takes the next id
                    pass
                a.start_soon(leaf)  # LOOP-GAP
            async with trio.open_nursery() as b:
                for _ in range(2):
                    a.start_soon(leaf)  # LOOP-A3
                    b.start_soon(leaf)  # LOOP-B

    rec = record(main)
    spawned = [e for e in rec.of("task.spawned") if e["name"].endswith("leaf") or e["name"].startswith("named")]
    outer, *_, inner = (n["id"] for n in rec.of("nursery.opened") if not n.get("system"))
    got = [(e["name"].rsplit(".", 1)[-1], e["nursery"], e["site"]["line"]) for e in spawned]
    a, gap, a3, b = line_of("# LOOP-A"), line_of("# LOOP-GAP"), line_of("# LOOP-A3"), line_of("# LOOP-B")
    named = line_of("# NAMED")
    assert got == [
        ("leaf", outer, a), ("leaf", outer, a), ("leaf", outer, a),
        ("named-0", outer, named), ("named-1", outer, named),
        ("leaf", outer, gap), ("leaf", outer, gap),
        ("leaf", outer, a3), ("leaf", inner, b), ("leaf", outer, a3), ("leaf", inner, b),
    ]  # fmt: skip
    ids = [e["id"] for e in spawned]
    nursery_ids = {n["id"] for n in rec.of("nursery.opened")}
    assert len(set(ids)) == len(ids)
    assert not set(ids) & nursery_ids
    assert ids == sorted(ids)
    assert all(rec.exit(i)["outcome"] == "returned" for i in ids)


def test_a_task_a_library_task_spawns_has_no_user_site_not_the_trio_run_line(record):
    # trio.serve_listeners spawns each handler from a task of its own: no
    # user frame made it. Walking on past that task's frames reached the
    # program's trio.run(...) line, which made nothing of the kind.
    handled = trio.Event()

    async def handler(stream):
        handled.set()
        await stream.aclose()

    async def main():
        listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        port = listeners[0].socket.getsockname()[1]
        async with trio.open_nursery() as nursery:
            await nursery.start(trio.serve_listeners, handler, listeners)  # SERVE
            await (await trio.open_tcp_stream("127.0.0.1", port)).aclose()
            await handled.wait()
            nursery.cancel_scope.cancel()

    rec = record(main)
    (served,) = [e for e in rec.of("task.spawned") if e["name"].endswith("handler")]
    assert served["site"] is None, served["site"]
    (serve,) = [e for e in rec.of("task.spawned") if e["name"].endswith("serve_listeners")]
    assert serve["site"]["line"] == line_of("# SERVE")  # made in the user's task: its line


def test_nursery_without_children_is_reported(record):
    async def main():
        async with trio.open_nursery():  # EMPTY-NURSERY
            await trio.sleep(0)

    rec = record(main)
    user = [n for n in rec.of("nursery.opened") if not n.get("system")]
    assert len(user) == 1
    assert user[0]["site"]["line"] == line_of("# EMPTY-NURSERY")
    assert user[0]["id"] in [e["id"] for e in rec.of("nursery.closed")]


def test_start_moves_task_into_target_nursery(record):
    async def server(task_status=trio.TASK_STATUS_IGNORED):
        await trio.sleep(0)
        task_status.started(42)
        await trio.sleep(0)

    async def main():
        async with trio.open_nursery() as n:
            value = await n.start(server)  # START-CALL
            assert value == 42

    rec = record(main)
    target = next(n for n in rec.of("nursery.opened") if not n.get("system") and not n.get("start"))
    temp = [n for n in rec.of("nursery.opened") if n.get("start")]
    assert len(temp) == 1
    assert temp[0]["task"] == rec.main()["id"]
    srv = rec.task("server")
    assert srv["nursery"] == temp[0]["id"]
    assert srv["site"]["line"] == line_of("# START-CALL")
    moved = rec.of("task.moved")
    assert moved == [{**moved[0], "id": srv["id"], "nursery": target["id"]}]
    assert rec.exit(srv["id"])["outcome"] == "returned"
    # the temporary nursery closes once the task left it
    order = [(e["type"], e.get("id")) for e in rec.events]
    assert order.index(("task.moved", srv["id"])) < order.index(("nursery.closed", temp[0]["id"]))


def test_start_awaited_by_another_task(record):
    async def worker(task_status=trio.TASK_STATUS_IGNORED):
        task_status.started()
        await trio.sleep(0)

    async def starter(nursery):
        await nursery.start(worker)  # OTHER-START

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(starter, n)

    rec = record(main)
    starter_t = rec.task("starter")
    temp = next(n for n in rec.of("nursery.opened") if n.get("start"))
    assert temp["task"] == starter_t["id"]  # the temporary nursery lives in the awaiting task
    w = rec.task("worker")
    assert w["nursery"] == temp["id"]
    assert w["site"] == {"file": HERE, "line": line_of("# OTHER-START"), "function": "starter"}
    assert rec.of("task.moved")[0]["nursery"] == starter_t["nursery"]


def test_start_failing_before_started(record):
    async def broken(task_status=trio.TASK_STATUS_IGNORED):
        raise KeyError("no start")  # NO-START

    async def main():
        async with trio.open_nursery() as n:
            # newer Trio re-raises start()'s error itself, 0.22 a group of it
            with pytest.raises((KeyError, _Group)) as info:
                await n.start(broken)
            assert "no start" in repr(info.value)

    rec = record(main)
    b = rec.task("broken")
    assert rec.exit(b["id"])["outcome"] == "raised"
    no_start = {"file": HERE, "line": line_of("# NO-START"), "function": "broken"}
    assert rec.exit(b["id"])["error"] == {"type": "KeyError", "message": "'no start'", "site": no_start}
    assert not rec.of("task.moved")


def test_grandchild_spawns_into_outer_nursery(record):
    async def late():
        await trio.sleep(0)

    async def grandchild(outer):
        outer.start_soon(late)  # GRANDCHILD-SPAWN

    async def child(outer):
        async with trio.open_nursery() as mid:
            mid.start_soon(grandchild, outer)

    async def main():
        async with trio.open_nursery() as outer:
            outer.start_soon(child, outer)

    rec = record(main)
    outer = next(n for n in rec.of("nursery.opened") if n["task"] == rec.main()["id"] and not n.get("system"))
    late_t = rec.task("late")
    assert late_t["nursery"] == outer["id"]
    assert late_t["site"]["function"] == "grandchild"
    assert late_t["site"]["line"] == line_of("# GRANDCHILD-SPAWN")


def test_two_runs_in_one_process_share_one_stream():
    import nursery_lens
    from conftest import Recording, check_order

    chunks: list[str] = []
    inst = nursery_lens.Instrument(sink=chunks.append, sample_hz=0)

    async def main(n):
        async with trio.open_nursery() as nursery:
            for _ in range(n):
                nursery.start_soon(trio.sleep, 0)

    trio.run(main, 2, instruments=[inst])
    trio.run(main, 3, instruments=[inst])
    inst.close()
    rec = Recording("".join(chunks))
    check_order(rec.events)
    assert [e["type"] for e in rec.events].count("hello") == 1
    assert [e["run"] for e in rec.of("run.started")] == [1, 2]
    for run, n in ((1, 2), (2, 3)):
        spawned = [e for e in rec.of("task.spawned") if e["run"] == run and e["name"] == "trio.sleep"]
        assert len(spawned) == n
        # ids restart per run and stay unique within it
        ids = [e["id"] for e in rec.events if e.get("run") == run and e["type"] in ("task.spawned", "nursery.opened")]
        assert len(ids) == len(set(ids))
        assert min(ids) == 1


def test_ten_thousand_tasks(record):
    async def main():
        async with trio.open_nursery() as n:
            for i in range(100):
                n.start_soon(group, i)

    async def group(i):
        async with trio.open_nursery() as n:
            for _ in range(100):
                n.start_soon(trio.sleep, 0)

    rec = record(main)
    spawned = rec.of("task.spawned")
    assert len([e for e in spawned if e["name"] == "trio.sleep"]) == 10_000
    exited = {e["id"] for e in rec.of("task.exited")}
    assert {e["id"] for e in spawned} == exited
    assert not rec.of("dropped")


@pytest.mark.parametrize(
    "name",
    [
        "<b>bold</b> & <script>alert(1)</script>",
        "quotes \" and ' and \\ backslash",
        "new\nline\ttab\r\x00nul",
        "Ünïcödé 名前 имя 🦀 \u202e rtl",
    ],
)
def test_names_round_trip_exactly(record, name):
    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(trio.sleep, 0, name=name)

    rec = record(main)
    assert rec.task(name)["name"] == name


def test_added_mid_run_replays_the_live_tree():
    import nursery_lens
    from conftest import Recording, check_order

    chunks: list[str] = []
    inst = nursery_lens.Instrument(sink=chunks.append, sample_hz=0)

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(trio.sleep, 0.05, name="before")
            await trio.sleep(0)
            trio.lowlevel.add_instrument(inst)
            n.start_soon(trio.sleep, 0, name="after")

    trio.run(main)
    inst.close()
    rec = Recording("".join(chunks))
    check_order(rec.events)
    assert rec.main()["name"].endswith("main")
    before, after = rec.task("before"), rec.task("after")
    assert before["nursery"] == after["nursery"]
    assert rec.exit(before["id"])["outcome"] == "returned"
    assert rec.exit(after["id"])["outcome"] == "returned"
    assert rec.events[-1]["type"] == "run.finished"
    # tasks met before the attach get ids too, unique and >= 1 like the rest
    ids = [e["id"] for e in rec.events if e["type"] in ("task.spawned", "nursery.opened")]
    assert len(ids) == len(set(ids))
    assert min(ids) >= 1


def test_guest_run_inside_asyncio_is_observed():
    # In guest mode Trio waits for I/O on a worker thread: the pumps run
    # there, and the tree, states and outcome still arrive whole.
    import asyncio

    import nursery_lens
    from conftest import Recording, check_order

    chunks: list[str] = []
    inst = nursery_lens.Instrument(sink=chunks.append, sample_hz=50)

    async def child(i):
        await trio.sleep(0.05 * i)

    async def trio_main():
        async with trio.open_nursery() as n:
            for i in range(3):
                n.start_soon(child, i, name=f"child-{i}")
        return "trio done"

    async def host():
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        trio.lowlevel.start_guest_run(
            trio_main,
            run_sync_soon_threadsafe=loop.call_soon_threadsafe,
            done_callback=done.set_result,
            instruments=[inst],
        )
        return (await done).unwrap()

    assert asyncio.run(host()) == "trio done"
    inst.close()
    rec = Recording("".join(chunks))
    check_order(rec.events)
    for i in range(3):
        assert rec.exit(rec.task(f"child-{i}")["id"])["outcome"] == "returned"
    assert any(e["id"] == rec.task("child-2")["id"] and e["state"] == "waiting" for e in rec.of("task.state"))
    assert rec.events[-1]["type"] == "run.finished"
    assert rec.events[-1]["outcome"] == "returned"
