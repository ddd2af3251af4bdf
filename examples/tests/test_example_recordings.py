"""The examples recorded with `python -m nursery_lens --record`: the trees the panel draws.

Each example runs once per test session as a real subprocess under the real
runtime; the tests parse the NDJSON it wrote. The committed fixtures in
test/fixtures/ (which the TypeScript suites replay) are checked against
fresh recordings for the same shape and event types.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Optional

import pytest

from example_process import HETTINGER, ctrl_c, start
import sites  # noqa: E402  (examples/hettinger, put on sys.path by example_process)
from fixture_runs import FIXTURES, RECIPES, fixture_path, record
from recorded_run import LIFECYCLE, Recording, Run, Task, read, recording_text
from schema_lines import schema_errors  # (runtime/python/tests, put on sys.path by example_process)

TRIO_WAY = HETTINGER / "trio_way.py"


def assert_valid_lines(path: Path) -> None:
    """Every line validates against the wire protocol's schema."""
    for number, line in enumerate(recording_text(path).splitlines(), 1):
        errors = schema_errors(json.loads(line))
        assert not errors, f"{path.name} line {number}: {errors[0]}\n{line}"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """recorded(name) -> Recording, each example recorded at most once per session."""
    cache: dict[str, Recording] = {}
    folder = tmp_path_factory.mktemp("recordings")

    def get(name: str) -> Recording:
        if name not in cache:
            out = folder / f"{name}.ndjson"
            done = record(name, out)
            assert out.exists() and out.stat().st_size, f"no recording from {name}:\n{done.stderr}"
            assert_valid_lines(out)
            assert "Traceback" not in done.stderr or name == "failing_child", done.stderr
            cache[name] = read(out)
        return cache[name]

    return get


# ---------------------------------------------------------------- Hettinger


class TrioWayLines:
    """Line numbers in trio_way.py, found in its syntax tree so edits do not break the test."""

    def __init__(self, path: Path) -> None:
        self.file = str(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {node.name: node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self.fetch = (functions["fetch"].lineno, functions["fetch"].end_lineno)
        self.page_size = (functions["page_size"].lineno, functions["page_size"].end_lineno)
        self.limiter = self._async_with(functions["fetch"], lambda expr: isinstance(expr, ast.Name) and expr.id == "limiter")
        self.open_nursery = self._async_with(
            functions["crawl"], lambda expr: isinstance(expr, ast.Call) and getattr(expr.func, "attr", "") == "open_nursery"
        )
        calls = [
            node.lineno
            for node in ast.walk(functions["crawl"])
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "start_soon"
        ]
        assert len(calls) == 1
        self.start_soon = calls[0]
        loops = [node for node in ast.walk(functions["crawl"]) if isinstance(node, ast.AsyncFor)]
        assert len(loops) == 1
        self.receive_loop = loops[0].lineno

    @staticmethod
    def _async_with(function: ast.AST, match: Any) -> int:
        lines = [node.lineno for node in ast.walk(function) if isinstance(node, ast.AsyncWith) and match(node.items[0].context_expr)]
        assert len(lines) == 1, lines
        return lines[0]

    def where(self, at: Optional[dict[str, Any]]) -> str:
        """'limiter', 'fetch' (in page_size: connecting, sending, receiving), 'send' (rest of fetch) or 'elsewhere'."""
        if not at or Path(at.get("file") or "").name != Path(self.file).name:
            return "elsewhere"
        line = at["line"]
        if line == self.limiter:
            return "limiter"
        if self.page_size[0] <= line <= self.page_size[1]:
            return "fetch"
        if self.fetch[0] <= line <= self.fetch[1]:
            return "send"
        return "elsewhere"


LINES = TrioWayLines(TRIO_WAY)


def describe(run: Run, task: Task, depth: int = 0) -> str:
    """An indented text tree, for assertion messages."""
    out = [f"{'  ' * depth}{task.name} [{task.outcome}]"]
    for nursery in run.user_nurseries(task):
        out.append(f"{'  ' * (depth + 1)}nursery {nursery.id}{' (start)' if nursery.start else ''}")
        out.extend(describe(run, child, depth + 2) for child in run.children(nursery))
    return "\n".join(out)


def check_hettinger_tree(recording: Recording, limit: int = 10) -> None:
    assert len(recording.runs) == 1
    run = recording.runs[0]
    tree = describe(run, run.main)
    assert run.outcome == "returned"
    main = run.main
    assert main.name.split(".")[-1] == "crawl" and main.outcome == "returned"

    # One nursery, owned by main, opened at `async with trio.open_nursery()` in crawl.
    nurseries = run.user_nurseries(main)
    assert len(nurseries) == 1, tree
    crawl = nurseries[0]
    assert Path(crawl.site["file"]).name == "trio_way.py" and crawl.site["line"] == LINES.open_nursery, crawl.site
    assert crawl.closed and not crawl.start

    # Fourteen fetch(<url>) children, all returned.
    fetches = run.children(crawl)
    assert sorted(task.name for task in fetches) == sorted(f"fetch({url})" for url in sites.URLS), tree
    assert all(task.outcome == "returned" and not task.system for task in fetches), tree
    # Each was spawned at the start_soon line in crawl (where "reveal spawn site" jumps).
    for task in fetches:
        assert task.site and Path(task.site["file"]).name == "trio_way.py", task.site
        assert (task.site["line"], task.site["function"]) == (LINES.start_soon, "crawl"), task.site

    # trio.open_tcp_stream's connection attempt, one per fetch, runs in a nursery
    # the fetch owns while it connects. Since protocol 1.4 that is the
    # library's own work: system, the nursery at the fetch's open_tcp_stream
    # line, and the crawl and its fetches are the only user tasks. (The
    # committed fixture is a 1.3 recording: there they read as user tasks.)
    library_work = recording.hello.get("minor", 0) >= 4
    for task in fetches:
        owned = run.user_nurseries(task)
        assert len(owned) == 1 and owned[0].closed and owned[0].system == library_work, tree
        (attempt,) = run.children(owned[0])
        assert attempt.name.endswith("attempt_connect") and attempt.outcome == "returned", tree
        assert attempt.system == library_work and not run.user_nurseries(attempt), tree
        if library_work:
            site = owned[0].site
            assert site and Path(site["file"]).name == "trio_way.py", site
            assert LINES.page_size[0] <= site["line"] <= LINES.page_size[1] and attempt.site is None, site
    users = [task for task in run.tasks.values() if not task.system]
    assert len(users) == 1 + 14 + (0 if library_work else 14), tree

    # Each fetch is seen waiting at the limiter or in its fetch; the await
    # site never points anywhere but these lines of trio_way.py.
    places: dict[str, Counter[str]] = {}
    for task in fetches:
        seen: Counter[str] = Counter(LINES.where(at) for _, state, at in task.states if state == "waiting")
        places[task.name] = seen
        assert seen["elsewhere"] == 0, (task.name, task.states)
        assert seen["limiter"] + seen["fetch"] >= 1, (task.name, task.states)
        # Every stand-in site takes 0.2 s or more to answer: long enough to be sampled in fetch.
        assert seen["fetch"] >= 1, (task.name, task.states)
    queued = [name for name, seen in places.items() if seen["limiter"]]
    assert len(queued) >= len(sites.URLS) - limit, places

    # Sampled states agree with the limiter: never more than `limit` tasks
    # in fetch at once. (A sample is one snapshot of all tasks, sharing a ts;
    # an exit ends a task's last sampled place.)
    changes = sorted(
        [(ts, 1, task.name, LINES.where(at)) for task in fetches for ts, _, at in task.states]
        + [(task.exited_ts, 0, task.name, "exited") for task in fetches if task.exited_ts is not None]
    )
    where: dict[str, str] = {}
    for ts in sorted({change[0] for change in changes}):
        for _, _, name, place in (change for change in changes if change[0] == ts):
            where[name] = place
        assert sum(place == "fetch" for place in where.values()) <= limit, (ts, where)

    # The main task spends the crawl waiting at `async for` on the channel.
    main_lines = {at["line"] for _, state, at in main.states if state == "waiting" and at and Path(at["file"]).name == "trio_way.py"}
    assert LINES.receive_loop in main_lines, main.states


def test_hettinger_trio_way_tree_as_recorded(recorded: Any) -> None:
    check_hettinger_tree(recorded("hettinger_trio"))


def test_committed_hettinger_fixture_shows_the_same_tree() -> None:
    # Sites in the fixture are absolute paths of the machine that recorded
    # it; the checks compare file names and line numbers only, so an edit
    # to trio_way.py that moves lines needs a re-recording.
    try:
        check_hettinger_tree(read(FIXTURES / "hettinger_trio.ndjson"))
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n(re-record with: .venv/bin/python examples/tests/record_fixtures.py)") from None


def test_ctrl_c_under_the_runtime_ends_every_task(tmp_path: Path) -> None:
    # What the panel shows after Ctrl-C: no task left running, the run
    # finished with KeyboardInterrupt; the program still exits with 130.
    # Trio's own Ctrl-C windows hit this too (example_process.ctrl_c):
    # seen twice in CI under Trio 0.22 in some hundreds of runs, a hang with
    # every other fetch printed after the Ctrl-C and one fetch never done.
    out = tmp_path / "interrupted.ndjson"

    def launch() -> tuple[subprocess.Popen[str], str]:
        process = start(TRIO_WAY, speed=1, python=[sys.executable, "-m", "nursery_lens", "--record", str(out)])
        first = process.stdout.readline() if process.stdout else ""
        assert first.startswith("("), first
        return process, first

    code, _, err = ctrl_c(launch, trio=True)
    assert code == 130 and "Traceback" not in err, err
    assert_valid_lines(out)
    run = read(out).runs[0]
    assert run.outcome == "raised" and "KeyboardInterrupt" in json.dumps(run.error), run.error
    (crawl,) = run.user_nurseries(run.main)
    fetches = run.children(crawl)
    assert len(fetches) == 14 and all(task.outcome is not None for task in run.tasks.values())
    outcomes = Counter(task.outcome for task in fetches)
    # The fetches still queued or fetching are cancelled (or, if the signal
    # landed in one of them, that one raised KeyboardInterrupt); even the
    # one whose line printed may be cancelled before it closed its channel.
    assert outcomes["cancelled"] + outcomes["raised"] >= 1 and set(outcomes) <= {"returned", "cancelled", "raised"}, outcomes
    assert all(nursery.closed for nursery in run.nurseries.values())


# ------------------------------------------------------------ other examples


def tasks_named(run: Run) -> dict[str, Task]:
    return {task.name: task for task in run.tasks.values() if not task.system}


def test_failing_child_tree(recorded: Any) -> None:
    run = recorded("failing_child").runs[0]
    named = tasks_named(run)
    tree = describe(run, run.main)
    assert run.main.outcome == "returned", tree  # main caught the ValueError
    assert named["check config"].outcome == "returned", tree
    assert named["parse feed"].outcome == "raised", tree
    error = named["parse feed"].error or {}
    assert (error.get("type"), error.get("message")) == ("ValueError", "feed item 3 has no date"), tree
    for name in ("download", "uploader", "upload chunk 0", "upload chunk 1"):
        assert named[name].outcome == "cancelled", tree
        # The panel links each cancelled task to the sibling whose failure cancelled it.
        assert (named[name].cancel or {}).get("source") == "nursery", (name, named[name].cancel)
        assert (named[name].cancel or {}).get("by") == named["parse feed"].id, (name, named[name].cancel)
    (outer,) = run.user_nurseries(run.main)
    assert sorted(task.name for task in run.children(outer)) == ["check config", "download", "parse feed", "uploader"]
    (inner,) = run.user_nurseries(named["uploader"])
    assert sorted(task.name for task in run.children(inner)) == ["upload chunk 0", "upload chunk 1"]


def test_deadlines_tree_and_scopes(recorded: Any) -> None:
    run = recorded("deadlines").runs[0]
    named = tasks_named(run)
    (nursery,) = run.user_nurseries(run.main)
    assert sorted(task.name for task in run.children(nursery)) == ["cleanup", "nested", "slow query", "strict call"]
    assert all(task.outcome == "returned" for task in run.children(nursery))
    # Deadlines and the shield reach the wire as scope.changed for the right tasks.
    by_task: dict[int, list[dict[str, Any]]] = {}
    for changes in run.scopes.values():
        by_task.setdefault(changes[0]["task"], []).extend(changes)
    for name in ("slow query", "strict call", "nested", "cleanup"):
        changes = by_task.get(named[name].id, [])
        assert any(change.get("deadline") is not None for change in changes), (name, changes)
    cleanup = by_task.get(named["cleanup"].id, [])
    # While the shielded cleanup runs, its task's deadline scope shows as cancelled.
    assert any(change["shield"] for change in cleanup), cleanup
    assert any(change["cancel_called"] and not change["shield"] for change in cleanup), cleanup
    # nested: the inner 5 s scope's deadline lies beyond the outer 1 s one.
    nested = sorted(change["deadline"] for change in by_task[named["nested"].id] if change.get("deadline") is not None)
    assert len(set(nested)) == 3 and nested[-1] - nested[0] > 4000, nested


def test_start_server_tree(recorded: Any) -> None:
    run = recorded("start_server").runs[0]
    named = tasks_named(run)
    tree = describe(run, run.main)
    server = named["echo_server"]
    main_nurseries = run.user_nurseries(run.main)
    start_nurseries = [n for n in main_nurseries if n.start]
    regular = [n for n in main_nurseries if not n.start]
    assert len(start_nurseries) == 1 and len(regular) == 2, tree
    services, talking = regular
    # The server was spawned into the start() nursery and moved into `services` by started().
    assert server.moved_from == start_nurseries[0].id and server.nursery == services.id, tree
    assert [task.name for task in run.children(services)] == ["echo_server"], tree
    assert sorted(task.name for task in run.children(talking)) == ["client 1", "client 2", "client 3"], tree
    (connections,) = run.user_nurseries(server)
    assert sorted(task.name for task in run.children(connections)) == [f"handle(client {i})" for i in (1, 2, 3)], tree
    assert server.outcome == "cancelled", tree
    # Spawn sites: start() in main for the server, start_soon in the accept loop for handlers.
    assert (server.site or {}).get("function") == "main", server.site
    assert all((task.site or {}).get("function") == "echo_server" for task in run.children(connections)), tree
    for task in run.children(talking) + run.children(connections):
        assert task.outcome == "returned", tree
    assert run.outcome == "returned"


def test_deep_and_wide_tree(recorded: Any) -> None:
    run = recorded("deep_and_wide").runs[0]
    # --depth 5 --fanout 3: 3 + 9 + 27 + 81 + 243 nodes in 1 + 3 + 9 + 27 + 81 nurseries.
    nodes = [task for task in run.tasks.values() if task.name.startswith("node ")]
    assert len(nodes) == 363 and all(task.outcome == "returned" for task in nodes)
    user_nurseries = [n for n in run.nurseries.values() if not n.system and not run.tasks[n.owner].system]
    assert len(user_nurseries) == 121 and all(n.closed for n in user_nurseries)
    assert len(run.user_nurseries(run.main)) == 1
    assert max(task.name.count(".") for task in nodes) == 4
    assert all((task.site or {}).get("function") == "spawn_children" for task in nodes)
    # Every node hangs under the node its name says (node 1.2.3 under node 1.2).
    for task in nodes:
        parent = run.tasks[run.nurseries[task.nursery].owner]
        path = task.name[len("node ") :]
        if "." in path:
            assert parent.name == "node " + path.rpartition(".")[0], task.name
        else:
            assert parent.main, task.name
    # Every non-leaf node owns exactly one nursery holding its three children.
    for task in nodes:
        owned = run.user_nurseries(task)
        if task.name.count(".") < 4:
            assert len(owned) == 1 and len(owned[0].children) == 3, task.name
        else:
            assert not owned, task.name


def test_server_like_tree(recorded: Any) -> None:
    run = recorded("server_like").runs[0]
    tree = describe(run, run.main)
    (services,) = run.user_nurseries(run.main)
    by_name = {task.name: task for task in run.children(services)}
    assert set(by_name) == {"listener", "clients", "supervisor", "pool"}, tree
    # 8 connections, each a task owning one nursery of reader, consumer and writer.
    (accepted,) = run.user_nurseries(by_name["listener"])
    conns = run.children(accepted)
    assert sorted(task.name for task in conns) == [f"conn-{i}" for i in range(8)], tree
    for conn in conns:
        (trio_,) = run.user_nurseries(conn)
        assert sorted(task.name for task in run.children(trio_)) == sorted(f"{part} {conn.name}" for part in ("reader", "consumer", "writer"))
    # 2,000 workers with 2,000 names, all spawned from one line, one function.
    (pool,) = run.user_nurseries(by_name["pool"])
    workers = run.children(pool)
    assert len(workers) == 2000 and len({task.name for task in workers}) == 2000
    assert len({json.dumps(task.site, sort_keys=True) for task in workers}) == 1
    lock_waits = [task for task in workers if any(at and at["function"] == "worker" and state == "waiting" for _, state, at in task.states)]
    # The sampler's 2 ms budget reaches part of 2,000 tasks in 1.5 s: 775-1,262 of them in 8 runs (5 Dec,
    # with protocol 1.2's waits and chains sampled too; 338 with the three Python suites side by side on
    # two cores), so "hundreds", more than one sample's 200, is what a recording promises.
    assert len(lock_waits) > 250, "hundreds of workers are seen waiting (in a sleep or at the lock)"
    # The supervised group: one failed group (probe-7 raised, its 23 siblings cancelled by it), then a fresh
    # one (the run lasts until it runs, however loaded the machine), cancelled at the end.
    groups = run.user_nurseries(by_name["supervisor"])
    assert len(groups) == 2, tree
    assert all(task.outcome == "cancelled" for task in run.children(groups[1])), tree
    failed = {task.name: task for task in run.children(groups[0])}
    assert len(failed) == 24 and failed["probe-7"].outcome == "raised"
    assert (failed["probe-7"].error or {}).get("type") == "ConnectionError"
    assert all(task.outcome == "cancelled" for name, task in failed.items() if name != "probe-7")
    assert run.outcome == "returned"


# ------------------------------------------------------------------ fixtures


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_committed_fixture_matches_a_fresh_recording(name: str, recorded: Any) -> None:
    path = fixture_path(name)
    assert path.exists(), f"{path} is missing: run examples/tests/record_fixtures.py"
    assert len(recording_text(path).encode("utf-8")) < RECIPES[name].max_bytes
    assert path.stat().st_size < 200_000, f"{path.name}: commit it gzipped (Recipe.gzipped)"
    assert_valid_lines(path)
    committed, fresh = read(path), recorded(name)
    assert len(committed.runs) == len(fresh.runs) == 1
    assert committed.types & LIFECYCLE == fresh.types & LIFECYCLE
    assert committed.runs[0].shape() == fresh.runs[0].shape()
    assert committed.runs[0].outcome == fresh.runs[0].outcome
    # Sampled events depend on timing, but each example waits long enough
    # for states to be sampled every time.
    assert "task.state" in committed.types and "task.state" in fresh.types
