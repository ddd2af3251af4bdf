"""Protocol 1.2's task.spawned.func and task.state.chain, from real trio.run."""

from __future__ import annotations

import sys
import time
import types
from collections import deque
from typing import Any

import trio

import conftest
from nursery_lens._core import events as E, lines as L
from nursery_lens._core.fragments import func_json, site_json
from nursery_lens._core.mirror import Mirror

HERE = __file__


def line_of(marker: str) -> int:
    return conftest.line_of(HERE, marker)


def chains_of(rec, tid):
    return [e["chain"] for e in rec.of("task.state") if e["id"] == tid and "chain" in e]


async def worker(delay: float) -> None:  # WORKER-DEF
    await trio.sleep(delay)


async def other(delay: float) -> None:  # OTHER-DEF
    await trio.sleep(delay)


def test_func_names_where_each_task_function_is_defined(record):
    async def main():
        async with trio.open_nursery() as n:
            for _ in range(5):
                n.start_soon(worker, 0, name="job")  # SAME-LINE
            for i in range(2):
                # same name and spawn line, another function: another kind of task
                n.start_soon(worker if i == 0 else other, 0, name="mixed")  # MIXED-LINE

    rec = record(main)
    jobs = rec.tasks("job")
    assert len(jobs) == 5
    for j in jobs:  # a loop's spawns (queued as "again") keep their func
        assert j["func"] == {"file": HERE, "line": line_of("WORKER-DEF"), "function": "worker"}
        assert j["site"]["line"] == line_of("SAME-LINE")
    mixed = rec.tasks("mixed")
    assert [m["func"]["function"] for m in mixed] == ["worker", "other"]
    assert [m["func"]["line"] for m in mixed] == [line_of("WORKER-DEF"), line_of("OTHER-DEF")]
    main_func = rec.main()["func"]
    assert main_func["file"] == HERE
    # the qualified name where Python has one (3.11+)
    expected = (
        "test_func_names_where_each_task_function_is_defined.<locals>.main" if sys.version_info >= (3, 11) else "main"
    )
    assert main_func["function"] == expected


def test_a_waiting_task_chain_goes_from_its_function_through_its_helpers_into_trio(record):
    async def helper():
        await trio.sleep(0.4)  # HELPER-AWAIT

    async def waiter():
        await helper()  # WAITER-AWAIT

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(waiter, name="waiter")

    rec = record(main, sample_hz=50)
    tid = rec.task("waiter")["id"]
    chains = chains_of(rec, tid)
    assert chains, "no chain sampled"
    chain = chains[-1]
    assert [(f["file"], f["line"]) for f in chain[:2]] == [
        (HERE, line_of("WAITER-AWAIT")),
        (HERE, line_of("HELPER-AWAIT")),
    ]
    assert chain[0]["function"] == "waiter"
    # library frames follow, innermost last: Trio's sleep machinery
    assert len(chain) > 2
    assert all("trio" in f["file"] for f in chain[2:])
    # sent when it changed, not at every sample: the task waited ~20 samples at one place
    assert len(chains) <= 2, chains


def test_a_chain_longer_than_64_frames_keeps_the_innermost(record):
    async def deep(n: int):
        if n == 0:
            await trio.sleep(0.3)  # DEEP-BOTTOM
        else:
            await deep(n - 1)

    async def main():
        async with trio.open_nursery() as nursery:
            nursery.start_soon(deep, 80, name="deep")

    rec = record(main, sample_hz=50)
    chain = chains_of(rec, rec.task("deep")["id"])[-1]
    assert len(chain) == 64
    user = [f for f in chain if f["file"] == HERE]
    assert user[-1]["line"] == line_of("DEEP-BOTTOM")


def test_the_running_task_chain_is_its_stack_less_the_debugger_on_top(record, monkeypatch):
    # A stand-in for pydevd stopped at a breakpoint: under a debugger the
    # watching thread samples every WATCH_IDLE; the task calls "pydevd" code
    # that blocks (as do_wait_suspend does), and only the task's own frames
    # may be its chain.
    monkeypatch.setitem(sys.modules, "pydevd", types.ModuleType("pydevd"))
    fake: dict[str, Any] = {}
    exec(compile("def do_wait_suspend(hold):\n    hold(1.0)\n", "/opt/debugger/pydevd_stub.py", "exec"), fake)

    def breakpoint_here():
        fake["do_wait_suspend"](time.sleep)  # BREAKPOINT

    async def stopped():
        await trio.sleep(0.05)
        breakpoint_here()  # CALLS-BREAKPOINT

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(stopped, name="stopped")

    rec = record(main, sample_hz=10)
    tid = rec.task("stopped")["id"]
    running = [e for e in rec.of("task.state") if e["id"] == tid and e["state"] == "running" and "chain" in e]
    assert running, "the held task was not sampled running with a chain"
    chain = running[0]["chain"]
    assert [(f["function"], f["line"]) for f in chain] == [
        ("stopped", line_of("CALLS-BREAKPOINT")),
        ("breakpoint_here", line_of("BREAKPOINT")),
    ]
    assert running[0]["at"]["line"] == line_of("BREAKPOINT")


def test_a_snapshot_replays_func_and_chain():
    # What a reconnecting collector gets: the spawn's func and the last chain.
    mirror = Mirror()
    rq: deque[Any] = deque()
    source = types.SimpleNamespace(observed=False, describe=None)
    lines: list[str] = []
    mirror.handle((E.RUN_START, 1, 0, 0.0, 0.0, source, 0, rq, ""), lines)
    m = mirror.runs[1]
    code = worker.__code__
    rq.extend((10, 1000, "job", 4, code, 3, code))
    mirror.drain(m, 100, lines, True)
    assert f',"func":{func_json(code)}}}' in lines[-1]
    rec = m.record(10)
    assert rec.func == func_json(code)
    rec.state, rec.at = "waiting", site_json(code, line_of("WORKER-DEF") + 1)
    rec.chain_json = "[" + rec.at + "]"
    replay = m.snapshot("5e-3", resumed=True)
    spawned = next(x for x in replay if x.startswith('{"type":"task.spawned"'))
    assert spawned.endswith(f',"func":{func_json(code)}}}')
    state = next(x for x in replay if x.startswith('{"type":"task.state"'))
    assert state.endswith(f',"chain":[{rec.at}]}}')
    conftest.validate_lines("\n".join(replay) + "\n")
    assert L.parse_plain_tail(L.spawned_tail('"a"', 4, 0, "null")) == ('"a"', 4, 0, "null", None, None)
    assert L.parse_plain_tail(L.spawned_tail('"b"', None, 0, "null", "{}", 7)) == ('"b"', None, 0, "null", "{}", 7)
