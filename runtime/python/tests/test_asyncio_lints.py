"""Lints of real asyncio programs (protocol 1.2): the loop held, coroutines
never awaited, and the run giving back what it borrowed of the thread.

Flags (pending at close, exception never retrieved) are in
``test_asyncio_tree``; orphans are the store's reading of loose tasks
(``test/integration/asyncioLints.test.ts``).
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import warnings
from typing import Any

import conftest
from lint_checks import (
    STORM,
    STORM_STEP,
    blocks_of,
    busy_for,
    busy_machine,
    check_busy_loop_let_the_watcher_in,
    check_fetch_never_awaited,
    check_held_samples_brief,
    check_spin_blocked_the_loop,
    check_storm_left_to_the_loop,
    watch_drains,
    watch_handoffs,
    watch_samples,
    watch_scans,
)


def line_of(marker: str) -> int:
    return conftest.line_of(__file__, marker)


def test_a_blocking_call_is_reported_with_its_task_and_line_while_it_lasts_and_when_it_ends(arecord):
    async def spin():
        await asyncio.sleep(0.05)
        time.sleep(0.35)  # noqa: ASYNC251  BLOCKS-THE-LOOP
        await asyncio.sleep(0.05)

    async def main():
        async with asyncio.TaskGroup() as tg:
            tg.create_task(spin(), name="spin")
            tg.create_task(asyncio.sleep(0.3), name="starved")

    rec = arecord(lambda: asyncio.run(main()), block_ms=100)
    check_spin_blocked_the_loop(rec, line_of("BLOCKS-THE-LOOP"))


def test_a_block_no_line_of_the_program_runs_is_not_put_at_the_line_that_started_the_loop(arecord):
    # A callback of C code: the program's innermost frame is the one waiting
    # in asyncio.run (see test_lints' twin).
    async def main():
        asyncio.get_running_loop().call_soon(time.sleep, 0.3)
        await asyncio.sleep(0.4)

    def program():
        asyncio.run(main())  # STARTS-THE-LOOP
        asyncio.run(main())  # STARTS-IT-AGAIN: each run's own line

    finals = blocks_of(arecord(program, block_ms=100), final_only=True)
    assert len(finals) == 2, finals
    for final in finals:
        assert final["at"] is None, final
        assert "task" not in final, final


def test_a_loop_the_machine_did_not_run_is_not_a_block_of_the_programs(arecord, monkeypatch):
    # (see test_lints' twin) asked about the loop's own thread, here a thread of its own
    asked = busy_machine(monkeypatch, 0.9)
    loop_thread = set()

    async def main():
        loop_thread.add(threading.get_native_id())
        await asyncio.sleep(0.05)
        time.sleep(0.35)  # noqa: ASYNC251
        await asyncio.sleep(0.05)

    def program():
        t = threading.Thread(target=lambda: asyncio.run(main()))
        t.start()
        t.join()

    assert blocks_of(arecord(program, block_ms=100)) == []
    assert asked == loop_thread


def test_how_long_a_loop_waited_for_a_cpu_is_kept_only_for_runs_that_live(arecord, monkeypatch):
    # a program calling asyncio.run again and again must not grow the runtime
    from nursery_lens._core.blocks import BlockWatch

    busy_machine(monkeypatch, 0.0)
    kept: list[int] = []
    note = BlockWatch.note_runqueue

    def noting(self: BlockWatch, runs: Any, now: float) -> None:
        note(self, runs, now)
        kept.append(len(self._rq))

    monkeypatch.setattr(BlockWatch, "note_runqueue", noting)

    def program() -> None:
        for _ in range(8):
            asyncio.run(asyncio.sleep(0.12))

    arecord(program, block_ms=100)
    assert kept, "the watching thread noted the runs"
    assert max(kept) <= 2, kept


def test_a_block_among_many_tasks_is_named_from_the_loop_without_a_scan(arecord, monkeypatch):
    # asyncio keeps each loop's current task: no look through every live task
    scans = watch_scans(monkeypatch)

    async def spin():
        await asyncio.sleep(0.05)
        time.sleep(0.35)  # noqa: ASYNC251  BLOCKS-AMONG-MANY

    async def main():
        async with asyncio.TaskGroup() as tg:
            for i in range(1000):
                # their ends spread over 100 ms: none is a block of its own
                tg.create_task(asyncio.sleep(0.6 + i * 0.1 / 1000))
                if i % 100 == 99:  # nor their spawning, on a loaded machine
                    await asyncio.sleep(0)
            tg.create_task(spin(), name="spin")

    rec = arecord(lambda: asyncio.run(main()), block_ms=100)
    check_spin_blocked_the_loop(rec, line_of("BLOCKS-AMONG-MANY"))
    assert scans == []


def test_a_busy_loop_lets_the_watching_thread_in_rather_than_fight_it(arecord, monkeypatch):
    # asyncio polls its selector at every iteration, releasing the GIL: a
    # thread whose timer ends then is beaten to the GIL at each release
    handoffs = watch_handoffs(monkeypatch)

    async def main():
        clock = asyncio.get_running_loop().time
        async with asyncio.TaskGroup() as tg:
            for _ in range(10):
                tg.create_task(busy_for(1.5, lambda: asyncio.sleep(0), clock)())

    assert blocks_of(arecord(lambda: asyncio.run(main()), block_ms=100)) == []
    check_busy_loop_let_the_watcher_in(handoffs, 1.5)


def test_a_block_after_a_spawn_storm_is_named_and_leaves_the_storm_to_the_loop(arecord, monkeypatch):
    drained = watch_drains(monkeypatch)

    async def brief() -> None:
        time.sleep(STORM_STEP)  # noqa: ASYNC251  (the storm's first steps hold the loop again)

    async def storm(tg: asyncio.TaskGroup) -> None:
        for _ in range(STORM):
            tg.create_task(brief())
        time.sleep(0.6)  # noqa: ASYNC251  AFTER-THE-STORM

    async def main():
        async with asyncio.TaskGroup() as tg:
            await asyncio.sleep(0.01)
            tg.create_task(storm(tg), name="storm")

    rec = arecord(lambda: asyncio.run(main()), block_ms=100)
    check_storm_left_to_the_loop(rec, drained, line_of("AFTER-THE-STORM"))


def test_a_held_loop_sampled_from_the_watching_thread_is_held_up_briefly(arecord, monkeypatch):
    # see test_lints
    samples = watch_samples(monkeypatch)

    async def main():
        sleepers = [asyncio.create_task(asyncio.sleep(1.5)) for _ in range(3000)]
        await asyncio.sleep(0.1)
        time.sleep(1.0)  # noqa: ASYNC251  HELD
        await asyncio.sleep(0.2)  # the block's last report comes at the loop's next pump (see test_lints)
        for t in sleepers:
            t.cancel()

    rec = arecord(lambda: asyncio.run(main()), block_ms=100, sample_hz=20)
    check_held_samples_brief(samples, rec, line_of("HELD"))


def test_a_50_ms_block_under_a_100_ms_threshold_is_not_a_block(arecord):
    async def main():
        for _ in range(3):
            await asyncio.sleep(0.02)
            time.sleep(0.05)  # noqa: ASYNC251  near miss

    assert blocks_of(arecord(lambda: asyncio.run(main()), block_ms=100)) == []


def test_an_idle_loop_is_not_blocked_and_one_that_blocks_on_waking_is(arecord):
    # A server waits (idle), a request comes, its handler blocks.
    async def main():
        await asyncio.sleep(0.5)
        time.sleep(0.2)  # noqa: ASYNC251  AFTER-IDLE

    (final,) = blocks_of(arecord(lambda: asyncio.run(main()), block_ms=100), final_only=True)
    assert final["at"]["line"] == line_of("AFTER-IDLE")
    assert final["since"] >= 480, "counted from the end of the idle wait"
    assert 195 <= final["duration"] < 400


def test_a_thread_busy_between_runs_of_its_loop_is_not_a_block(arecord):
    async def step():
        await asyncio.sleep(0.01)

    def program():
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(step())
            left = loop.create_task(step())  # the run goes on (a task is left for later)
            time.sleep(0.3)  # the loop is not running: nothing of it is held
            loop.run_until_complete(left)
        finally:
            loop.close()

    assert blocks_of(arecord(program, block_ms=100)) == []


def test_a_block_to_the_end_ends_with_the_run_and_the_loop_is_left_as_it_was(arecord):
    selectors = []

    async def main():
        selectors.append(asyncio.get_running_loop()._selector)  # type: ignore[attr-defined]
        await asyncio.sleep(0.01)
        time.sleep(0.2)  # noqa: ASYNC251  TO-THE-END

    rec = arecord(lambda: asyncio.run(main()), block_ms=100)
    (final,) = blocks_of(rec, final_only=True)
    assert final["at"]["line"] == line_of("TO-THE-END")
    types = [e["type"] for e in rec.events]
    assert types.index("run.finished") > types.index("loop.blocked")
    assert "select" not in vars(selectors[0]), "the selector is the loop's own again"


def test_a_loop_on_another_thread_is_watched_from_its_own_stack(arecord):
    async def main():
        await asyncio.sleep(0.01)
        time.sleep(0.25)  # noqa: ASYNC251  IN-A-THREAD

    def program():
        t = threading.Thread(target=lambda: asyncio.run(main()))
        t.start()
        t.join()

    (final,) = blocks_of(arecord(program, block_ms=100), final_only=True)
    assert final["at"]["line"] == line_of("IN-A-THREAD")


async def fetch(url):
    await asyncio.sleep(0)


def test_a_coroutine_never_awaited_is_reported_at_its_line_with_its_function_and_task(arecord):
    async def worker():
        fetch("https://example.invalid")  # type: ignore[unused-coroutine]  # DROPPED-HERE (no await)
        await asyncio.sleep(0)

    async def main():
        await asyncio.create_task(worker(), name="worker")

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        rec = arecord(lambda: asyncio.run(main()))
    check_fetch_never_awaited(rec, shown, line_of("DROPPED-HERE"), fetch)


def test_origin_tracking_names_the_line_that_made_it_and_is_given_back_when_the_run_ends(arecord):
    async def main():
        pending = fetch("x")  # MADE-HERE
        await asyncio.sleep(0)
        del pending  # DROPPED-LATER

    before = sys.get_coroutine_origin_tracking_depth()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        without = arecord(lambda: asyncio.run(main())).of("warning")
        assert sys.get_coroutine_origin_tracking_depth() == before
        depths = []

        def program():
            asyncio.run(main())
            depths.append(sys.get_coroutine_origin_tracking_depth())

        tracked = arecord(program, coro_origin=2).of("warning")
    assert without[0]["site"]["line"] == line_of("DROPPED-LATER")
    assert tracked[0]["site"]["line"] == line_of("MADE-HERE")
    assert depths == [before], "the program's own setting once the run is over"


def test_a_coroutine_dropped_in_the_first_step_of_main_is_reported(arecord):
    # main's first step runs before any pump timer: the run must be known on
    # its thread by then (the warning would be lost otherwise)
    async def main():
        fetch("x")  # type: ignore[unused-coroutine]  # FIRST-STEP
        await asyncio.sleep(0)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        rec = arecord(lambda: asyncio.run(main()))
    (w,) = rec.of("warning")
    assert w["site"]["line"] == line_of("FIRST-STEP")
    assert w["task"] == rec.main()["id"]


def test_a_block_to_the_end_of_a_bare_loops_run_is_reported_when_it_ends(arecord):
    async def main():
        await asyncio.sleep(0.01)
        time.sleep(0.2)  # noqa: ASYNC251  BARE-END

    def program():
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(main())  # nothing left pending: the run ends as the loop stops
        finally:
            loop.close()

    (final,) = blocks_of(arecord(program, block_ms=100), final_only=True)
    assert final["at"]["line"] == line_of("BARE-END")
