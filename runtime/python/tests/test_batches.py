"""Protocol 1.3's batch lines: a loop's alike spawns (tasks.spawned) and
returned exits (tasks.exited), a line for many, that stand for exactly the
events 1.2 wrote a line each for (``batch=False``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
import trio
import trio.testing

from conftest import Group, Recording
from nursery_lens._core.batches import MAX_BATCH, expand

if TYPE_CHECKING:
    from collections.abc import Callable

    Record = Callable[..., Recording]


async def spawn_loop(count: int) -> None:
    async def leaf() -> None:
        await trio.sleep(0)

    async with trio.open_nursery() as n:
        for _ in range(count):
            n.start_soon(leaf)


def lines_of(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def lifecycle(events: list[dict[str, Any]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Spawns in order and exits (Trio shuffles the order tasks run in)
    without their times: what the tree is made of."""
    spawns = [
        (e["id"], e["name"], e["nursery"], json.dumps(e["site"]), json.dumps(e.get("func")))
        for e in events
        if e["type"] == "task.spawned"
    ]
    exits = sorted((e["id"], e["outcome"]) for e in events if e["type"] == "task.exited")
    return spawns, exits


def test_a_spawn_loop_is_one_full_spawn_then_one_batch_and_stands_for_the_same_tasks(record: Record) -> None:
    batched = record(spawn_loop, 300)
    plain = record(spawn_loop, 300, batch=False)
    kinds = [e["type"] for e in lines_of(batched.text)]
    # the loop's first task in full, the other 299 in one line; their exits in one line
    leaf_lines = [e for e in lines_of(batched.text) if e.get("name", "").endswith("leaf")]
    assert [e["type"] for e in leaf_lines] == ["task.spawned", "tasks.spawned"]
    assert len(leaf_lines[1]["after_us"]) == 299
    assert leaf_lines[1]["first"] == leaf_lines[0]["id"] + 1
    (exits,) = [e for e in lines_of(batched.text) if e["type"] == "tasks.exited"]
    assert len(exits["ids"]) == 300
    assert "tasks.spawned" not in [e["type"] for e in lines_of(plain.text)]
    assert len(kinds) < 30 < len(lines_of(plain.text))
    # the same tasks, names, nurseries, sites and outcomes
    assert lifecycle(batched.events) == lifecycle(plain.events)
    # each task's time is its own, in order, within the run
    times = [e["ts"] for e in batched.tasks("leaf")]
    assert times == sorted(times)
    assert times[-1] > times[0]
    # and the wire shrank: the bytes a spawn loop's task costs
    assert len(batched.text) * 5 < len(plain.text)


def test_a_batch_holds_at_most_max_batch_tasks_and_their_ids_run_on(record: Record) -> None:
    rec = record(spawn_loop, MAX_BATCH + 500)
    batches = [e for e in lines_of(rec.text) if e["type"] == "tasks.spawned"]
    sizes = [len(b["after_us"]) for b in batches]
    # [4096, 499] when one drain takes the whole loop; a drain the reader slows down ends a batch
    # early (CI under load read [4096, 301, 198]): never more than MAX_BATCH, never a task twice
    assert max(sizes) <= MAX_BATCH < sum(sizes) == MAX_BATCH + 499, sizes
    for a, b in zip(batches, batches[1:]):
        assert b["first"] == a["first"] + len(a["after_us"])
        assert b["ts"] >= a["ts"]
    ids = [e["id"] for e in rec.tasks("leaf")]
    assert ids == list(range(ids[0], ids[0] + MAX_BATCH + 500))
    exits = [e for e in lines_of(rec.text) if e["type"] == "tasks.exited"]
    assert max(len(e["ids"]) for e in exits) <= MAX_BATCH
    assert sum(len(e["ids"]) for e in exits) == MAX_BATCH + 500


def test_failures_and_other_events_end_a_batch_where_they_happen(record: Record) -> None:
    """Only returned exits are batched; a failure between them ends the batch,
    and the order of the stream is the order of the program."""

    async def main() -> None:
        async def ok(i: int) -> None:
            await trio.sleep(i / 1000)

        async def fails() -> None:
            await trio.sleep(0.0025)
            raise ValueError("boom")

        async with trio.open_nursery() as n:
            for i in range(5):
                n.start_soon(ok, i)
            n.start_soon(fails)

    batched = record(main, raises=Group, clock=trio.testing.MockClock(autojump_threshold=0))
    plain = record(main, raises=Group, batch=False, clock=trio.testing.MockClock(autojump_threshold=0))
    assert lifecycle(batched.events) == lifecycle(plain.events)
    failed = batched.exit(batched.task("fails")["id"])
    assert (failed["outcome"], failed["error"]["message"]) == ("raised", "boom")
    for line in lines_of(batched.text):
        if line["type"] == "tasks.exited":
            assert line["outcome"] == "returned"


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ({"type": "tasks.exited", "run": 1, "ts": 1, "ids": [2, 3], "after_us": [0], "outcome": "returned"}, "ids"),
        ({"type": "tasks.exited", "run": 1, "ts": 1, "ids": [2], "after_us": [-1], "outcome": "returned"}, "after_us"),
        ({"type": "tasks.spawned", "run": 1, "ts": 1, "first": 0, "after_us": [0], "name": "x"}, "first"),
        ({"type": "tasks.spawned", "run": 1, "ts": -1, "first": 3, "after_us": [0], "name": "x"}, "ts"),
        ({"type": "tasks.spawned", "run": 1, "ts": 1, "first": 3, "after_us": [], "name": "x"}, "after_us"),
    ],
)
def test_a_malformed_batch_is_refused_with_what_is_wrong(line: dict[str, Any], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        expand(line)


def test_expanded_times_are_the_batch_time_plus_each_offset() -> None:
    line = {"type": "tasks.spawned", "run": 2, "ts": 1.5, "first": 7, "after_us": [0, 250, 1000], "name": "w"}
    got = expand(line)
    assert [(e["type"], e["id"], e["ts"], e["name"], e["run"]) for e in got] == [
        ("task.spawned", 7, 1.5, "w", 2),
        ("task.spawned", 8, 1.75, "w", 2),
        ("task.spawned", 9, 2.5, "w", 2),
    ]


def test_lines_lost_are_counted_as_the_events_they_stand_for(record: Record) -> None:
    """A dropped batch line loses every task it names: ``dropped.count`` says so."""
    from nursery_lens._core.batches import events_in

    text = record(spawn_loop, 50).text.splitlines()
    lines = [line for line in text if '"tasks.' in line]
    assert [json.loads(line)["type"] for line in lines] == ["tasks.spawned", "tasks.exited"]
    assert events_in(lines) == 49 + 50
    assert events_in(text) == len(validate_all(text))


def validate_all(lines: list[str]) -> list[dict[str, Any]]:
    return [e for line in lines for e in expand(json.loads(line))]


def test_exits_are_batched_while_a_cancel_scope_is_reported(record: Record) -> None:
    """A scope the stream reported (here the main task's deadline) does not
    end every batch: only a task that had scopes ends it, at its exit."""

    async def main() -> None:
        with trio.move_on_after(30):
            await trio.sleep(0.05)  # sampled meanwhile: the scope is reported
            await spawn_loop(200)

    rec = record(main, sample_hz=100)
    assert rec.of("scope.changed"), "the deadline was reported before the children ran"
    exits = [e for e in lines_of(rec.text) if e["type"] == "tasks.exited"]
    assert sum(len(e["ids"]) for e in exits) >= 150


def test_show_cuts_a_batch_between_its_tasks(record: Record) -> None:
    """``python -m nursery_lens show --at``: a batch line's tasks are
    each cut at their own time, as their own lines would be."""
    from nursery_lens._core.show import read_runs
    from nursery_lens._core.tree_text import tree_text

    text = record(spawn_loop, 40).text.splitlines()
    (batch,) = [json.loads(line) for line in text if '"tasks.spawned"' in line]
    at = batch["ts"] + batch["after_us"][19] / 1000  # the batch's 20th task: 1 + 20 leaves by then
    plain = [json.dumps(e) for line in text for e in expand(json.loads(line))]
    [(got, cut)], _ = read_runs(text, at)
    [(want, _)], _ = read_runs(plain, at)
    assert cut
    assert tree_text(got, "running", at) == tree_text(want, "running", at)
    assert len([t for t in got.tasks.values() if t.name.endswith("leaf")]) == 21
