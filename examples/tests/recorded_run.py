"""Reads a Nursery Lens recording (NDJSON) back into a tree of tasks and nurseries.

Follows runtime/protocol/PROTOCOL.md: one counter of ids per run, tasks move
from a start() nursery with `task.moved`, `task.state` sites may be absent
(unchanged). Used by the tests to assert what the panel would draw.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from nursery_lens._core.batches import expand

# Events whose presence does not depend on timing (no sampling involved).
LIFECYCLE = frozenset(
    {"hello", "run.started", "run.finished", "task.spawned", "task.moved", "task.exited", "nursery.opened", "nursery.closed"}
)


@dataclass
class Task:
    id: int
    name: str
    nursery: Optional[int]
    system: bool
    main: bool
    site: Optional[dict[str, Any]]
    outcome: Optional[str] = None
    error: Optional[dict[str, Any]] = None
    cancel: Optional[dict[str, Any]] = None
    moved_from: Optional[int] = None
    exited_ts: Optional[float] = None
    # (ts, state, at) for every task.state, with an absent `at` filled in from the last one
    states: list[tuple[float, str, Optional[dict[str, Any]]]] = field(default_factory=list)
    nurseries: list[int] = field(default_factory=list)  # owned, in opening order


@dataclass
class Nursery:
    id: int
    owner: int
    site: Optional[dict[str, Any]]
    system: bool
    start: bool
    closed: bool = False
    children: list[int] = field(default_factory=list)  # task ids, final parent (after moves)


@dataclass
class Run:
    run: int
    tasks: dict[int, Task] = field(default_factory=dict)
    nurseries: dict[int, Nursery] = field(default_factory=dict)
    outcome: Optional[str] = None
    error: Optional[dict[str, Any]] = None
    types: set[str] = field(default_factory=set)
    scopes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # scope id -> its scope.changed events

    @property
    def main(self) -> Task:
        mains = [task for task in self.tasks.values() if task.main]
        assert len(mains) == 1, f"expected one main task, found {len(mains)}"
        return mains[0]

    def user_nurseries(self, task: Task) -> list[Nursery]:
        return [self.nurseries[nid] for nid in task.nurseries]

    def children(self, nursery: Nursery) -> list[Task]:
        return [self.tasks[tid] for tid in nursery.children]

    def shape(self, task: Optional[Task] = None) -> dict[str, Any]:
        """The subtree under `task` (default: the main task) without ids or times.

        Children are sorted so Trio's run-to-run scheduling order does not
        matter; what is left is names, outcomes and the nesting.
        """
        task = task or self.main
        nurseries = []
        for nursery in self.user_nurseries(task):
            kids = sorted((self.shape(child) for child in self.children(nursery)), key=lambda s: json.dumps(s, sort_keys=True))
            nurseries.append({"start": nursery.start, "closed": nursery.closed, "children": kids})
        nurseries.sort(key=lambda s: json.dumps(s, sort_keys=True))
        shape: dict[str, Any] = {"name": task.name, "outcome": task.outcome, "nurseries": nurseries}
        if task.error:
            shape["error"] = task.error.get("type")
        return shape


@dataclass
class Recording:
    hello: dict[str, Any]
    runs: list[Run]
    types: set[str]


def read(path: Path) -> Recording:
    return parse(recording_text(path))


def recording_text(path: Path) -> str:
    """A recording file's text, gunzipped when it is committed as NAME.ndjson.gz."""
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


def parse(text: str) -> Recording:
    hello: dict[str, Any] = {}
    runs: dict[int, Run] = {}
    types: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        for event in expand(json.loads(line)):  # a batch line (1.3) as the events it stands for
            kind = event["type"]
            types.add(kind)
            if kind == "hello":
                hello = event
                continue
            if "run" not in event:
                continue
            run = runs.setdefault(event["run"], Run(event["run"]))
            run.types.add(kind)
            _apply(run, kind, event, number)
    return Recording(hello, [runs[key] for key in sorted(runs)], types)


def _apply(run: Run, kind: str, event: dict[str, Any], number: int) -> None:
    where = f"line {number}: {kind}"
    if kind == "run.finished":
        run.outcome, run.error = event["outcome"], event.get("error")
    elif kind == "nursery.opened":
        owner = run.tasks.get(event["task"])
        assert owner is not None, f"{where} names owner task {event['task']} before its task.spawned"
        run.nurseries[event["id"]] = Nursery(event["id"], event["task"], event.get("site"), bool(event.get("system")), bool(event.get("start")))
        owner.nurseries.append(event["id"])
    elif kind == "nursery.closed":
        run.nurseries[event["id"]].closed = True
    elif kind == "task.spawned":
        nid = event["nursery"]
        assert nid is None or nid in run.nurseries, f"{where} names nursery {nid} before its nursery.opened"
        task = Task(event["id"], event["name"], nid, bool(event["system"]), bool(event.get("main")), event.get("site"))
        run.tasks[task.id] = task
        if nid is not None:
            run.nurseries[nid].children.append(task.id)
    elif kind == "task.moved":
        task = run.tasks[event["id"]]
        assert event["nursery"] in run.nurseries, f"{where} moves into unknown nursery {event['nursery']}"
        if task.nursery is not None:
            run.nurseries[task.nursery].children.remove(task.id)
        task.moved_from, task.nursery = task.nursery, event["nursery"]
        run.nurseries[task.nursery].children.append(task.id)
    elif kind == "task.state":
        task = run.tasks[event["id"]]
        assert task.outcome is None, f"{where} for task {task.id} after its exit"
        at = event["at"] if "at" in event else (task.states[-1][2] if task.states else None)
        task.states.append((event["ts"], event["state"], at))
    elif kind == "task.exited":
        task = run.tasks[event["id"]]
        task.outcome, task.error, task.cancel = event["outcome"], event.get("error"), event.get("cancel")
        task.exited_ts = event["ts"]
    elif kind == "scope.changed":
        run.scopes.setdefault(event["id"], []).append(event)
