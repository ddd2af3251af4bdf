"""Sampled states, await sites and cancel scopes; drops; switching off."""

from __future__ import annotations

import sys
import threading
import time

import trio

import conftest
from conftest import Recording
from nursery_lens._core.batches import expand

HERE = __file__


def line_of(marker: str) -> int:
    return conftest.line_of(HERE, marker)


def last_state(rec, tid):
    states = [e for e in rec.of("task.state") if e["id"] == tid]
    assert states, f"no task.state for {tid}"
    at = None
    for e in states:
        if "at" in e:
            at = e["at"]
    return states[-1]["state"], at


def test_limiter_queue_and_fetch_told_apart_by_await_site(record):
    async def fetch(limiter, started):
        async with limiter:  # LIMITER-WAIT
            started.set()
            await trio.sleep(0.4)  # FETCHING

    async def main():
        limiter = trio.CapacityLimiter(1)
        started = trio.Event()
        async with trio.open_nursery() as n:
            for i in range(3):
                n.start_soon(fetch, limiter, started, name=f"fetch-{i}")
            await started.wait()
            await trio.sleep(0.25)  # MAIN-SLEEP

    rec = record(main, sample_hz=50)
    seen = {}
    for i in range(3):
        tid = rec.task(f"fetch-{i}")["id"]
        at = None
        pairs = set()
        for e in rec.of("task.state"):
            if e["id"] != tid:
                continue
            if "at" in e:
                at = e["at"]
            if at is not None:
                assert at["file"] == HERE
                assert at["function"] == "fetch"
                pairs.add((at["line"], e["state"]))
        seen[i] = {line for line, state in pairs if state == "waiting"}
    # Trio runs new tasks in random order: whichever got the limiter first is
    # seen in its fetch only; the other two were seen queued on the limiter.
    assert all(line_of("# FETCHING") in seen[i] for i in range(3))
    assert sum(line_of("# LIMITER-WAIT") in seen[i] for i in range(3)) == 2
    main_states = [e for e in rec.of("task.state") if e["id"] == rec.main()["id"] and e.get("at")]
    assert any(e["at"]["line"] == line_of("# MAIN-SLEEP") and e["state"] == "waiting" for e in main_states)


def test_running_task_is_sampled_as_running(record, monkeypatch):
    # A task that holds the loop (a blocking call, a long computation) is
    # caught by the writer thread, which looks WATCH_BUSY seconds after the
    # loop's last pump (every WATCH_IDLE under a debugger); shortened here.
    from nursery_lens._core import watcher

    monkeypatch.setattr(watcher, "WATCH_BUSY", 0.4)

    async def main():
        await trio.sleep(0)
        deadline = trio.current_time() + watcher.WATCH_BUSY + 0.5
        while trio.current_time() < deadline:  # BUSY
            pass

    rec = record(main, sample_hz=50)
    running = [e for e in rec.of("task.state") if e["id"] == rec.main()["id"] and e["state"] == "running"]
    assert running
    assert running[0]["at"]["line"] in (line_of("# BUSY"), line_of("# BUSY") + 1)
    # seen while it ran, not only after it gave the loop back
    assert running[0]["ts"] < rec.of("task.exited")[-1]["ts"] - 200


def test_scopes_with_deadline_shield_and_cancel(record):
    async def main():
        with trio.move_on_after(10):
            with trio.CancelScope(shield=True):
                await trio.sleep(0.25)
        with trio.CancelScope() as cs:
            cs.cancel()
            with trio.CancelScope(shield=True):
                await trio.sleep(0.25)
        with trio.move_on_after(0.25):
            await trio.sleep_forever()

    rec = record(main, sample_hz=50)
    changed = rec.of("scope.changed")
    main_id = rec.main()["id"]
    assert all(e["task"] == main_id for e in changed)
    deadlines = [e for e in changed if e["deadline"] is not None]
    assert any(9000 < e["deadline"] < 11000 for e in deadlines)
    # the last scope's deadline is 0.25 s after it was entered (~0.5 s into the run)
    assert any(400 < e["deadline"] < 2000 for e in deadlines)
    assert all(e["deadline"] < 11000 for e in deadlines)
    # trio.sleep's own deadline scope is not reported: only the user's scopes
    assert len({e["id"] for e in changed}) == 5
    assert any(e["shield"] for e in changed)
    assert any(e["cancel_called"] and not e["shield"] and e["deadline"] is None for e in changed)
    closed = {e["id"] for e in rec.of("scope.closed")}
    assert {e["id"] for e in changed} <= closed


def test_overflow_drops_counts_and_stays_valid(monkeypatch):
    import nursery_lens

    chunks: list[str] = []
    inst = nursery_lens.Instrument(sink=chunks.append, sample_hz=0, max_buffer=50)
    gate = threading.Event()
    # hold the writer back so the queue overflows
    inst.emitter.queue.append((99,))
    orig = inst.emitter.mirror.handle

    def slow(item, lines):
        if item[0] == 99:
            gate.wait(5)
            return None
        return orig(item, lines)

    monkeypatch.setattr(inst.emitter.mirror, "handle", slow)

    async def main():
        async with trio.open_nursery() as n:
            for _ in range(2000):
                n.start_soon(trio.sleep, 0)
        gate.set()

    trio.run(main, instruments=[inst])
    inst.close()
    rec = Recording("".join(chunks))
    dropped = rec.of("dropped")
    assert dropped
    assert dropped[-1]["total"] == sum(e["count"] for e in dropped)
    assert dropped[-1]["total"] > 1000


def test_internal_error_stops_observing_that_run_only(monkeypatch, capfd):
    # #12 item 7: one odd run must not blind the lens for the rest of the process
    import nursery_lens
    from nursery_lens._trio import outcomes

    def broken(exc):
        raise RuntimeError("simulated internal error")  # SIMULATED

    monkeypatch.setattr(outcomes, "error_info", broken)
    chunks: list[str] = []
    inst = nursery_lens.Instrument(sink=chunks.append, sample_hz=0)

    async def bad():
        raise ValueError("user error")  # USER-ERROR

    async def main():
        try:
            async with trio.open_nursery() as n:
                n.start_soon(bad)
        except BaseException:
            pass
        async with trio.open_nursery() as n:
            n.start_soon(trio.sleep, 0)
        return "finished"

    assert trio.run(main, instruments=[inst]) == "finished"
    assert trio.run(main, instruments=[inst]) == "finished"  # the same failure: said once on stderr
    monkeypatch.undo()
    assert trio.run(main, instruments=[inst]) == "finished"
    inst.close()
    err = capfd.readouterr().err
    assert err.count("nursery_lens") == 1, err
    assert "run 1 is not observed from here on" in err
    rec = Recording("".join(chunks))
    disabled = rec.of("runtime.disabled")
    assert [d["run"] for d in disabled] == [1, 2]
    # the reason names the exception and where it was raised
    assert "RuntimeError('simulated internal error')" in disabled[0]["reason"]
    where = conftest.line_of(__file__, "# SIMULATED")
    assert f"{__file__}:{where} in broken" in disabled[0]["reason"]
    # each failed run still ends; the run after them is recorded in full
    assert [(e["run"], e["outcome"]) for e in rec.of("run.finished")] == [
        (1, "returned"),
        (2, "returned"),
        (3, "returned"),
    ]
    assert [e["type"] for e in rec.events if e.get("run") == 1][-2:] == ["runtime.disabled", "run.finished"]
    third = [e for e in rec.events if e.get("run") == 3]
    raised = [e["error"] for e in third if e["type"] == "task.exited" and e["outcome"] == "raised"]
    user_error = {"file": __file__, "line": conftest.line_of(__file__, "# USER-ERROR"), "function": "bad"}
    assert raised == [{"type": "ValueError", "message": "user error", "site": user_error}]
    assert not [e for e in third if e["type"] == "runtime.disabled"]


def test_writer_thread_is_left_alone_by_debuggers():
    import nursery_lens

    inst = nursery_lens.Instrument(sink=lambda s: None)
    try:
        thread = inst.emitter._thread
        assert thread is not None
        assert thread.is_alive()
        assert thread.daemon
        assert thread.pydev_do_not_trace is True
        assert thread.is_pydev_daemon_thread is True
    finally:
        inst.close()


def test_events_and_samples_flow_while_trio_thread_is_blocked():
    """What a debugger breakpoint does to the program: the Trio thread stops
    in a blocking wait. Queued events and samples must still arrive."""
    import json

    import nursery_lens

    chunks: list[str] = []
    inst = nursery_lens.Instrument(sink=chunks.append, sample_hz=20)
    release = threading.Event()
    seen = {}

    def watcher():
        # runs while the Trio thread is blocked below
        for _ in range(500):
            events = [e for x in "".join(chunks).splitlines() for e in expand(json.loads(x))]
            spawned = [e for e in events if e["type"] == "task.spawned" and e["name"] == "sleeper"]
            running = [
                e
                for e in events
                if e["type"] == "task.state"
                and e["state"] == "running"
                and (e.get("at") or {}).get("line") == line_of("# BREAKPOINT")
            ]
            if len(spawned) == 3 and running:
                seen["ok"] = True
                break
            threading.Event().wait(0.01)
        release.set()

    async def main():
        async with trio.open_nursery() as n:
            for _ in range(3):
                n.start_soon(trio.sleep, 0.01, name="sleeper")
            await trio.sleep(0)
            threading.Thread(target=watcher, daemon=True).start()
            release.wait(10)  # BREAKPOINT

    trio.run(main, instruments=[inst])
    inst.close()
    assert seen.get("ok"), "events/samples did not arrive while the Trio thread was blocked"


def test_cut_short_waits_leave_autojump_and_wait_all_tasks_blocked_alone(record):
    # The pumps may end an idle wait early (an owed sample or events): never
    # when Trio reads an expired timeout as "the program is idle".
    import trio.testing

    async def main():
        async with trio.open_nursery() as n:
            for i in range(20):
                n.start_soon(trio.sleep, 0.001 * i, name=f"short-{i}")
            await trio.sleep(0.03)
            t0 = time.perf_counter()
            await trio.testing.wait_all_tasks_blocked(cushion=0.08)
            # idle for the whole cushion, though events were queued and a
            # sample owed when the loop went idle
            assert time.perf_counter() - t0 >= 0.08

    record(main, sample_hz=50)

    woken = []

    async def sleeper():
        await trio.sleep(1000)  # virtual time: the autojump clock skips it
        woken.append(trio.current_time())

    async def jumping():
        async with trio.open_nursery() as n:
            n.start_soon(sleeper, name="sleeper")

    start = time.perf_counter()
    rec = record(jumping, sample_hz=50, clock=trio.testing.MockClock(autojump_threshold=0))
    assert time.perf_counter() - start < 5
    assert woken
    assert woken[0] >= 1000
    assert rec.exit(rec.task("sleeper")["id"])["outcome"] == "returned"


def test_under_a_debugger_a_held_loop_is_sampled_at_once(record, monkeypatch):
    # With pydevd loaded (a debug session), the watching thread looks every
    # WATCH_IDLE from the start: a task stopped at a breakpoint (here: a
    # blocking sleep) shows as running within a fraction of a second.
    import types

    monkeypatch.setitem(sys.modules, "pydevd", types.ModuleType("pydevd"))

    async def held():
        await trio.sleep(0.05)
        time.sleep(1.0)  # noqa: ASYNC251  HELD-BY-DEBUGGER (holds the loop, as a breakpoint does)

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(held, name="held")

    rec = record(main, sample_hz=10)
    tid = rec.task("held")["id"]
    running = [e for e in rec.of("task.state") if e["id"] == tid and e["state"] == "running"]
    assert running
    assert running[0]["at"]["line"] == line_of("HELD-BY-DEBUGGER")
    assert running[0]["ts"] < 600, running[0]["ts"]


def test_without_the_get_events_wrapper_the_io_wait_hook_pumps(monkeypatch):
    # A Trio whose I/O manager has another shape: the before_io_wait hook
    # pumps instead, on the Trio thread itself (a second thread pumping a
    # busy loop is what costs the program), and events leave at once.
    import nursery_lens
    from nursery_lens._trio import patches as _patches

    _patches.install()  # (once per process) before saying it did not take
    monkeypatch.setitem(_patches.INSTALLED, "get_events", False)
    arrived = []
    t0 = time.perf_counter()
    trio_thread = threading.get_ident()
    inst = nursery_lens.Instrument(
        sink=lambda text: arrived.append((time.perf_counter() - t0, text, threading.get_ident())), sample_hz=0
    )

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(trio.sleep, 0, name="early")
            end = trio.current_time() + 1.0
            while trio.current_time() < end:  # noqa: ASYNC110  busy: checkpoints, never idle
                await trio.sleep(0)

    trio.run(main, instruments=[inst])
    inst.close()
    when, by = next((t, who) for t, text, who in arrived if '"name":"early"' in text)
    assert when < 0.5, when
    assert by == trio_thread
    rec = Recording("".join(text for _, text, _ in arrived))
    assert rec.exit(rec.task("early")["id"])["outcome"] == "returned"
    assert rec.events[-1]["type"] == "run.finished"


def _seen_waiting(rec, names):
    """For each task named, whether a sample saw it waiting before it ended."""
    return [
        "waiting" in [e["state"] for e in rec.of("task.state") if e["id"] == rec.task(name)["id"]] for name in names
    ]


def test_a_short_task_gets_a_first_look(record):
    # At 1 sample a second, eight tasks one after another, 200 ms each, meet
    # at most 2 regular samples: the first look after a spawn sees each one
    # (10 ms after it, so a loop held up to ~190 ms on a busy host still does).
    async def short():
        await trio.sleep(0.2)

    async def main():
        for i in range(8):
            async with trio.open_nursery() as n:
                n.start_soon(short, name=f"short-{i}")

    rec = record(main, sample_hz=1)
    assert _seen_waiting(rec, [f"short-{i}" for i in range(8)]) == [True] * 8


def test_a_first_look_beside_many_live_tasks(record):
    # A look is at the new tasks only: 70 others living beside them change nothing.
    async def short():
        await trio.sleep(0.2)

    async def main():
        async with trio.open_nursery() as idle:
            for _ in range(70):
                idle.start_soon(trio.sleep_forever)
            await trio.sleep(0.05)
            for i in range(8):
                async with trio.open_nursery() as n:
                    n.start_soon(short, name=f"short-{i}")
            idle.cancel_scope.cancel()

    rec = record(main, sample_hz=1)
    assert _seen_waiting(rec, [f"short-{i}" for i in range(8)]) == [True] * 8


def test_many_tasks_spawned_then_all_waiting_are_each_sampled_while_the_loop_is_idle(record):
    """400 tasks start and wait on one Event: the loop goes idle. The round
    robin of samples (a slice each) goes on round while it is part way, so
    each task says what it waits for before the Event is set (the loop's
    idle wait was not cut once the first slice was sampled: most stayed
    "scheduled" for as long as the program waited)."""
    count = 400

    async def worker(go: trio.Event) -> None:
        await go.wait()

    async def main() -> None:
        go = trio.Event()
        async with trio.open_nursery() as n:
            for _ in range(count):
                n.start_soon(worker, go, name="worker")
            await trio.sleep(1.5)
            go.set()

    rec = record(main, sample_hz=10)
    set_at = min(e["ts"] for e in rec.of("task.exited") if e["id"] != rec.main()["id"])
    workers = {e["id"] for e in rec.of("task.spawned") if e["name"] == "worker"}
    told = {
        e["id"]
        for e in rec.of("task.state")
        if e["id"] in workers
        and e["state"] == "waiting"
        and e["ts"] < set_at
        and (e.get("waits") or {}).get("kind") == "event"
    }
    assert len(workers) == count
    assert len(told) == count, f"{count - len(told)} of {count} workers never said they wait, before the Event was set"
