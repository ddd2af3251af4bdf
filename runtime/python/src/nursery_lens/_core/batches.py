"""Reading protocol 1.3's batch lines back as the events they stand for.

``tasks.spawned`` is several ``task.spawned`` alike but for id and time;
``tasks.exited`` is several ``task.exited`` with outcome ``returned``
(``lines.tasks_spawned``, ``tasks_exited`` write them). A reader in Python
(``show``, the tests) expands them here, so it handles one kind of spawn
and exit.
"""

from __future__ import annotations

from typing import Any

#: the fields of tasks.spawned that are not those of each task.spawned it stands for
_SPAWN_BATCH_ONLY = ("type", "ts", "first", "after_us")


def expand(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The events one parsed line stands for: the tasks of a batch in
    order, any other event as itself. A batch whose fields are not as the
    protocol says raises ValueError."""
    kind = event.get("type")
    if kind == "tasks.spawned":
        ts, first, offsets = event["ts"], event["first"], event["after_us"]
        _check(ts, offsets)
        if not _is_int(first) or first < 1:
            raise ValueError("tasks.spawned: first must be an id")
        rest = {k: v for k, v in event.items() if k not in _SPAWN_BATCH_ONLY}
        return [
            {"type": "task.spawned", "run": event["run"], "ts": ts + off / 1000, "id": first + i, **rest}
            for i, off in enumerate(offsets)
        ]
    if kind == "tasks.exited":
        ts, ids, offsets = event["ts"], event["ids"], event["after_us"]
        _check(ts, offsets)
        if not isinstance(ids, list) or len(ids) != len(offsets) or not all(_is_int(i) and i >= 1 for i in ids):
            raise ValueError("tasks.exited: ids must be as many ids as after_us")
        run, outcome = event["run"], event["outcome"]
        return [
            {"type": "task.exited", "run": run, "ts": ts + off / 1000, "id": tid, "outcome": outcome}
            for tid, off in zip(ids, offsets)
        ]
    return [event]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check(ts: Any, offsets: Any) -> None:
    if not isinstance(ts, (int, float)) or isinstance(ts, bool) or ts < 0:
        raise ValueError("batch: ts must be a number >= 0")
    if not isinstance(offsets, list) or not offsets or not all(_is_int(o) and o >= 0 for o in offsets):
        raise ValueError("batch: after_us must be a non-empty list of integers >= 0")
