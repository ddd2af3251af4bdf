"""Sampled states, await sites and chains, and deadlines as scopes, from real asyncio runs."""

from __future__ import annotations

import asyncio
import sys

import pytest

import conftest

HERE = __file__
#: samples a second in these tests (a sleep of WAIT spans several)
HZ = 50
WAIT = 0.25


def line_of(marker: str) -> int:
    return conftest.line_of(HERE, marker)


def site(marker: str, function: str) -> dict[str, object]:
    return {"file": HERE, "line": line_of(marker), "function": function}


def named(rec, name):
    (found,) = [e for e in rec.of("task.spawned") if e["name"] == name]
    return found


def states(rec, tid):
    return [e for e in rec.of("task.state") if e["id"] == tid]


def scopes(rec, tid):
    return [e for e in rec.of("scope.changed") if e["task"] == tid]


def test_states_await_sites_and_chains_are_sampled(arecord):
    ready = []

    async def inner(event):
        await event.wait()  # INNER-WAIT

    async def waiter(event):
        await inner(event)  # WAITER-CALL

    async def main():
        event = asyncio.Event()
        task = asyncio.create_task(waiter(event), name="waiter")
        await asyncio.sleep(WAIT)  # MAIN-SLEEP
        ready.append(True)
        event.set()
        await task

    rec = arecord(lambda: asyncio.run(main()), sample_hz=HZ)
    assert ready
    sampled = states(rec, named(rec, "waiter")["id"])
    assert sampled[0]["state"] in ("scheduled", "waiting")  # (a sample may come before its first step)
    waiting = [s for s in sampled if s["state"] == "waiting"]
    assert waiting[0]["at"] == site("# INNER-WAIT", "inner")
    chain = waiting[0]["chain"]
    # outermost first: the task's coroutine, then what it awaits, library frames included
    assert chain[:2] == [site("# WAITER-CALL", "waiter"), site("# INNER-WAIT", "inner")]
    assert (chain[2]["function"], chain[2]["file"].endswith("asyncio/locks.py")) == ("wait", True)
    main_states = states(rec, rec.main()["id"])
    assert main_states[0]["at"] == site("# MAIN-SLEEP", "main")
    # only changes are sent: a waiting task sampled again says nothing new
    assert len(waiting) == 1


def test_a_timeout_is_a_scope_with_its_deadline_and_site(arecord):
    async def main():
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(30):  # TIMEOUT
            await asyncio.sleep(WAIT)
        async with asyncio.timeout_at(loop.time() + 20):  # TIMEOUT-AT
            await asyncio.sleep(WAIT)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(WAIT / 2):  # EXPIRES
                await asyncio.sleep(10)

    rec = arecord(lambda: asyncio.run(main()), sample_hz=HZ)
    main_id = rec.main()["id"]
    seen = scopes(rec, main_id)
    first = [s for s in seen if s.get("site") == site("# TIMEOUT", "main")]
    assert first
    assert first[0]["kind"] == "timeout"
    assert 29_000 < first[0]["deadline"] < 30_500  # ms since the run started
    assert (first[0]["shield"], first[0]["cancel_called"]) == (False, False)
    at = [s for s in seen if s.get("site") == site("# TIMEOUT-AT", "main")]
    assert at
    assert at[0]["kind"] == "timeout"
    assert 19_000 < at[0]["deadline"] < 21_000
    assert {s["id"] for s in first} != {s["id"] for s in at}
    closed = {e["id"] for e in rec.of("scope.closed")}
    assert {first[0]["id"], at[0]["id"]} <= closed
    expiring = [s for s in seen if s.get("site") == site("# EXPIRES", "main")]
    assert expiring
    assert expiring[0]["cancel_called"] is False


def test_wait_for_is_a_deadline_of_the_waiting_task(arecord):
    async def slow():
        await asyncio.sleep(WAIT)
        return "in time"

    async def main():
        return await asyncio.wait_for(slow(), timeout=40)  # WAIT-FOR

    rec = arecord(lambda: asyncio.run(main()), sample_hz=HZ)
    waiting = scopes(rec, rec.main()["id"])
    assert waiting, "wait_for's deadline was never sampled"
    assert waiting[0]["kind"] == "wait_for"
    assert waiting[0]["site"] == site("# WAIT-FOR", "main")
    assert 39_000 < waiting[0]["deadline"] < 41_000
    if sys.version_info < (3, 12):  # wait_for makes a task of the coroutine
        inner = next(e for e in rec.of("task.spawned") if e["func"]["function"].endswith("slow"))
        assert inner["parent"] == rec.main()["id"]


def test_a_task_awaiting_shield_has_a_shield_scope(arecord):
    async def precious():
        await asyncio.sleep(WAIT)

    async def main():
        await asyncio.shield(precious())  # SHIELD

    rec = arecord(lambda: asyncio.run(main()), sample_hz=HZ)
    shielded = scopes(rec, rec.main()["id"])
    assert shielded
    assert shielded[0]["kind"] == "shield"
    assert shielded[0]["shield"] is True
    assert shielded[0]["deadline"] is None
    assert shielded[0]["site"] == site("# SHIELD", "main")


def test_a_busy_loop_is_sampled_running_from_the_watching_thread(arecord, monkeypatch):
    import time

    from nursery_lens._core import watcher

    monkeypatch.setattr(watcher, "WATCH_BUSY", 0.1)

    async def hog():
        time.sleep(0.6)  # HOG  # noqa: ASYNC251 (the point: a task that holds the loop)

    async def main():
        await asyncio.create_task(hog(), name="hog")

    rec = arecord(lambda: asyncio.run(main()), sample_hz=HZ)
    running = [s for s in states(rec, named(rec, "hog")["id"]) if s["state"] == "running"]
    assert running
    assert running[0]["at"] == site("# HOG", "hog")
    assert running[0]["chain"][-1] == site("# HOG", "hog")


def _seen_waiting(rec, names):
    """For each task named, whether a sample saw it waiting before it ended."""
    return ["waiting" in [e["state"] for e in states(rec, named(rec, name)["id"])] for name in names]


@pytest.mark.parametrize(("others", "block_ms"), [(0, 100), (70, 100), (0, 0)])
def test_a_short_task_gets_a_first_look(arecord, others, block_ms):
    # At 1 sample a second, eight tasks one after another, 200 ms each, meet
    # at most 2 regular samples: the first look after a spawn sees each one,
    # however many other tasks live (a look is at the new tasks only), even
    # with the loop held up to ~190 ms on a busy host.
    async def main():
        idle = [asyncio.create_task(asyncio.Event().wait()) for _ in range(others)]
        await asyncio.sleep(0.05)
        for i in range(8):
            async with asyncio.TaskGroup() as tg:
                tg.create_task(asyncio.sleep(0.2), name=f"short-{i}")
        for t in idle:
            t.cancel()
        await asyncio.gather(*idle, return_exceptions=True)

    rec = arecord(lambda: asyncio.run(main()), sample_hz=1, block_ms=block_ms)
    assert _seen_waiting(rec, [f"short-{i}" for i in range(8)]) == [True] * 8


@pytest.mark.parametrize("block_ms", [100, 0])
def test_a_task_made_after_an_idle_stretch_gets_its_first_look_too(arecord, block_ms):
    # A task a timer woke makes a task: the loop was idle, its pump timer a
    # sample period away. The spawn goes out as the loop goes idle again,
    # and the look follows it, also without the block lint (block_ms 0). At 1
    # sample a second, six rounds of 320 ms meet at most 2 regular samples.
    async def main():
        for i in range(6):
            await asyncio.sleep(0.12)  # idle
            await asyncio.create_task(asyncio.sleep(0.2), name=f"short-{i}")

    rec = arecord(lambda: asyncio.run(main()), sample_hz=1, block_ms=block_ms)
    assert _seen_waiting(rec, [f"short-{i}" for i in range(6)]) == [True] * 6
