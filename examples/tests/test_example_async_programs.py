"""The asyncio and AnyIO examples, as real subprocesses: each ends by itself with the output it promises."""

from __future__ import annotations

import json
import re
import time
from importlib.metadata import PackageNotFoundError, requires, version

import pytest

from example_process import EXAMPLES, run

TASKGROUP = EXAMPLES / "asyncio_taskgroup.py"
ANYIO_APP = EXAMPLES / "anyio_app.py"


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def anyio_trio_backend_missing() -> str:
    """Why AnyIO cannot run on this environment's Trio ('' when it can): AnyIO names the Trio it needs."""
    try:
        needs = next((r for r in requires("anyio") or [] if r.startswith("trio") and 'extra == "trio"' in r), "")
        have = version("trio")
    except PackageNotFoundError:
        return "AnyIO or Trio is not installed"
    wanted = re.search(r">=\s*([\d.]+)", needs)
    if wanted and _release(have) < _release(wanted.group(1)):
        return f"AnyIO's Trio backend needs trio>={wanted.group(1)}; this environment has the oldest Trio we support, {have}"
    return ""


TASKGROUP_RUNS = {
    # A failing child cancels its sibling, not the loose task its maker left behind.
    "failure": ((), 1, [
        "load(customers): 3 rows",
        "load(stock): row 3 has a negative quantity, raising ValueError",
        "main: the TaskGroup raised ValueError: stock row 3: quantity -2",
        "main: cancelled by the failure: load(orders)",
        "warm cache: 3 customers cached, after their loader had returned",
        "main: the cache warmer finished too",
    ]),
    "no bad row": (("--no-fail",), 0, [
        "load(customers): 3 rows",
        "load(stock): 4 rows",
        "warm cache: 3 customers cached, after their loader had returned",
        "load(orders): 5 rows",
        "main: report: 3 customers, 5 orders, 4 stock",
        "main: the cache warmer finished too",
    ]),
    "timeout first": (("--timeout", "0.3"), 2, [
        "load(customers): 3 rows",
        "main: timed out after 0.3 s; cancelled: load(orders), load(stock)",
        "warm cache: 3 customers cached, after their loader had returned",
        "main: the cache warmer finished too",
    ]),
}


@pytest.mark.parametrize("case", TASKGROUP_RUNS)
def test_taskgroup_example_tells_its_story(case: str) -> None:
    args, status, lines = TASKGROUP_RUNS[case]
    done = run(TASKGROUP, *args)
    assert done.returncode == status, done.stderr
    assert done.stdout.splitlines() == lines
    # Nothing left for asyncio to complain about when the loop closes.
    assert "Traceback" not in done.stderr
    assert "never retrieved" not in done.stderr and "destroyed but it is pending" not in done.stderr


def test_taskgroup_example_slowed_for_f5_tells_the_same_story_over_seconds() -> None:
    started = time.perf_counter()
    done = run(TASKGROUP, "--slow", "5")
    took = time.perf_counter() - started
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == TASKGROUP_RUNS["failure"][2]
    assert took >= 3.5, f"{took:.1f} s: too quick to watch"


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_anyio_app_serves_every_client_and_stops_cleanly(backend: str) -> None:
    if backend == "trio" and (missing := anyio_trio_backend_missing()):
        pytest.skip(missing)
    done = run(ANYIO_APP, "--backend", backend)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"quote server: listening on 127\.0\.0\.1 port \d+ \(from task_status\.started\)", lines[0])
    assert lines[1:] == [
        "watch: the CancelScope's deadline (0.5 s) passed; stopped watching ACME",
        "ask: ACME costs 101",
        "ask: GLOBEX costs 58",
        "ask: INITECH costs 7",
        "main: clients done, stopping the server",
        "quote server: stopped after 4 connections, listener closed",
        "main: all tasks finished",
    ]
    assert "Traceback" not in done.stderr


def test_launch_configurations_run_the_async_examples_on_each_backend() -> None:
    configurations = json.loads((EXAMPLES / ".vscode" / "launch.json").read_text(encoding="utf-8"))["configurations"]
    by_program: dict[str, list[list[str]]] = {}
    for configuration in configurations:
        by_program.setdefault(configuration["program"].rsplit("/", 1)[-1], []).append(configuration.get("args", []))
    # F5 reads five times slower: the run is seen live (about 4 s; at 0.8 s it was over before the panel was up)
    assert by_program["asyncio_taskgroup.py"] == [["--slow", "5"]]
    # F5 watches for 4 s: the CancelScope's countdown is seen live (0.5 s was over before the panel was up)
    assert sorted(by_program["anyio_app.py"]) == [["--backend", "asyncio", "--watch", "4"], ["--backend", "trio", "--watch", "4"]]
