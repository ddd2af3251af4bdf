"""Protocol 1.3's batch lines: many spawns, or many exits, in one line.

``tasks.spawned`` is several ``task.spawned`` alike but for id and time
(and, for asyncio's tasks, their default names ``Task-N``);
``tasks.exited`` is several ``task.exited`` with outcome ``returned``.
The pump writes them (``mirror.Mirror.drain`` collects a batch, the
writers here make its lines); a reader in Python (``show``, the tests)
expands them back with ``expand``, so it handles one kind of spawn and
exit. The extension's twin of ``expand`` is ``collector/batches.ts``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .lines import RETURNED_TAIL

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .run_mirror import RunMirror

#: most tasks one batch line names (the schema's maxItems)
MAX_BATCH = 4096


def spawned_prefix(run: int) -> str:
    return f'{{"type":"tasks.spawned","run":{run},"ts":'


def exited_prefix(run: int) -> str:
    return f'{{"type":"tasks.exited","run":{run},"ts":'


def spawned(lines: list[str], single: str, batch: str, d0: int, first: int, offsets: list[int], tail: str) -> None:
    """Appends the spawns of ids ``first``, ``first + 1``, … alike but for
    id and time (one tail), ``offsets[i]`` µs after ``d0`` µs: a
    ``task.spawned`` line (prefix ``single``) for one, ``tasks.spawned``
    lines (prefix ``batch``) for more."""
    if len(offsets) == 1:
        lines.append(f'{single}{d0 if d0 > 0 else 0}e-3,"id":{first}{tail}')
        return
    for i, d, after in _chunks(d0, offsets):
        lines.append(f'{batch}{d}e-3,"first":{first + i},"after_us":[{after}]{tail}')


def spawned_named(
    lines: list[str],
    batch: str,
    d0: int,
    first: int,
    offsets: list[int],
    shown: str,
    rest: str,
    defaults: list[str],
) -> None:
    """``tasks.spawned`` lines for asyncio's tasks that show the name
    ``shown`` (JSON) and each have their own default name (``Task-N``:
    digits, no escape), ``rest`` the tail after the name. (``close``
    writes a lone one as a ``task.spawned`` with the tail the mirror kept.)"""
    for i, d, after in _chunks(d0, offsets):
        names = '","'.join(defaults[i : i + MAX_BATCH])
        lines.append(
            f'{batch}{d}e-3,"first":{first + i},"after_us":[{after}],"default_names":["{names}"],"name":{shown}{rest}'
        )


def exited(lines: list[str], single: str, batch: str, d0: int, ids: list[int], offsets: list[int]) -> None:
    """Appends the returned exits of ``ids``, ``offsets[i]`` µs after ``d0``
    µs: a ``task.exited`` line (prefix ``single``) for one, ``tasks.exited``
    lines (prefix ``batch``) for more."""
    if len(ids) == 1:
        lines.append(f'{single}{d0 if d0 > 0 else 0}e-3,"id":{ids[0]}{RETURNED_TAIL}')
        return
    for i, d, after in _chunks(d0, offsets):
        ids_json = ",".join(map(str, ids[i : i + MAX_BATCH]))
        lines.append(f'{batch}{d}e-3,"ids":[{ids_json}],"after_us":[{after}],"outcome":"returned"}}')


def close(
    m: RunMirror,
    lines: list[str],
    sb: list[int],
    sb0: int,
    sb_first: int,
    sb_tail: str,
    sd: list[str],
    sb_shown: str,
    xb: list[int],
    xb0: int,
    xb_ids: list[int],
) -> None:
    """Writes the batch ``Mirror.drain`` has open, and empties it: spawns
    from ``sb_first`` (``sd``: asyncio's, with their default names, shown
    as ``sb_shown``), or the exits of ``xb_ids``; times in µs from ``sb0``
    / ``xb0``."""
    if sb:
        if sd:
            # a lone task: its own line, with the tail the drain gave the mirror
            # (the drain closes a batch before anything else touches the mirror)
            kept = m.tasks.get(sb_first) if len(sb) == 1 else None
            if type(kept) is str:
                spawned(lines, m.pre_spawn, m.pre_spawns, sb0, sb_first, sb, kept)
            else:
                spawned_named(lines, m.pre_spawns, sb0, sb_first, sb, sb_shown, sb_tail, sd)
            sd.clear()
        else:
            spawned(lines, m.pre_spawn, m.pre_spawns, sb0, sb_first, sb, sb_tail)
        sb.clear()
    if xb:
        exited(lines, m.pre_exit, m.pre_exits, xb0, xb_ids, xb)
        xb.clear()
        xb_ids.clear()


def _chunks(d0: int, offsets: list[int]) -> Iterator[tuple[int, int, str]]:
    """A batch's lines: (index of the line's first task, its time in µs,
    the offsets from it as JSON) per MAX_BATCH tasks."""
    for i in range(0, len(offsets), MAX_BATCH):
        part = offsets[i : i + MAX_BATCH]
        base = part[0]
        if base:
            part = [o - base for o in part]
        d = d0 + base
        yield i, (d if d > 0 else 0), ",".join(map(str, part))


_BATCH = '{"type":"tasks.'
_AFTER = '"after_us":['


def events_in(lines: list[str]) -> int:
    """How many events ``lines`` stand for: a batch line one per task (what
    a ``dropped`` count says was lost)."""
    n = len(lines)
    for line in lines:
        if line.startswith(_BATCH):
            i = line.find(_AFTER) + len(_AFTER)
            n += line.count(",", i, line.find("]", i))
    return n


#: the fields of tasks.spawned that are not those of each task.spawned it stands for
_SPAWN_BATCH_ONLY = ("type", "ts", "first", "after_us", "default_names")


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
        defaults = event.get("default_names")
        if defaults is not None and (
            not isinstance(defaults, list)
            or len(defaults) != len(offsets)
            or not all(isinstance(n, str) for n in defaults)
        ):
            raise ValueError("tasks.spawned: default_names must be as many names as after_us")
        rest = {k: v for k, v in event.items() if k not in _SPAWN_BATCH_ONLY}
        out = []
        for i, off in enumerate(offsets):
            one = {"type": "task.spawned", "run": event["run"], "ts": ts + off / 1000, "id": first + i, **rest}
            if defaults is not None:
                one["default_name"] = defaults[i]
            out.append(one)
        return out
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
