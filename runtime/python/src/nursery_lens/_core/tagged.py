"""The tagged tuples of a run's queue (``events``: all but the spawns and
returned exits, which ``Mirror.drain`` handles inline): one handler per
kind, each updating the run's mirror and appending its protocol line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import events as E, lines as L
from .fragments import (
    cancel_json,
    error_json,
    func_json,
    ms,
    name_fields,
    name_json,
    site_json,
    text_site_json,
)
from .run_mirror import RunMirror, TaskRecord

if TYPE_CHECKING:
    from collections.abc import Callable


def _spawned(runs: dict[int, RunMirror], item: tuple[Any, ...], lines: list[str]) -> None:
    _, run, t, tid, name, nid, flags, code, line, func = item[:10]
    m = runs.get(run)
    if m is None:
        return
    if type(name) is not str:  # the library's task (see events)
        name, func = m.source.describe(name)
    fj = func_json(func) if func is not None else None
    parent = item[10] if len(item) > 10 else None
    nj = name_json(name) if type(name) is str else name_fields(name)
    m.tasks[tid] = TaskRecord(nj, nid, flags, site_json(code, line), fj, parent)
    lines.append(m.spawn_line(tid, ms(t, m.t0)))


def _exited(runs: dict[int, RunMirror], item: tuple[Any, ...], lines: list[str]) -> None:
    _, run, t, tid, info = item
    m = runs.get(run)
    if m is None or tid not in m.tasks:
        return
    del m.tasks[tid]
    ts = ms(t, m.t0)
    if info is None:
        tail = L.RETURNED_TAIL
    else:
        outcome, err, cancel = info
        tail = L.exited_tail(
            outcome,
            error_json(err) if err is not None else None,
            cancel_json(cancel, m.scope_id(cancel)) if cancel is not None else None,
        )
    m.close_task_scopes(tid, ts, lines)
    lines.append(L.with_id(m.pre_exit, ts, tid, tail))


def _nursery_opened(runs: dict[int, RunMirror], item: tuple[Any, ...], lines: list[str]) -> None:
    _, run, t, nid, owner, code, line, flags = item
    m = runs.get(run)
    if m is None:
        return
    m.nurseries[nid] = (owner, site_json(code, line), flags)
    lines.append(m.nursery_line(nid, ms(t, m.t0)))


def _nursery_closed(runs: dict[int, RunMirror], item: tuple[Any, ...], lines: list[str]) -> None:
    _, run, t, nid = item
    m = runs.get(run)
    if m is None or m.nurseries.pop(nid, None) is None:
        return
    lines.append(L.nursery_closed(run, ms(t, m.t0), nid))


def _moved(runs: dict[int, RunMirror], item: tuple[Any, ...], lines: list[str]) -> None:
    _, run, t, tid, nid = item
    m = runs.get(run)
    if m is None or m.tasks.get(tid) is None:
        return
    m.record(tid).nursery = nid
    lines.append(L.task_moved(run, ms(t, m.t0), tid, nid))


def _flagged(runs: dict[int, RunMirror], item: tuple[Any, ...], lines: list[str]) -> None:
    _, run, t, tid, flag, err = item
    m = runs.get(run)
    if m is None:  # (the task may have exited: an exception nobody retrieved)
        return
    lines.append(L.task_flagged(run, ms(t, m.t0), tid, flag, error_json(err) if err is not None else None))


def _run_failed(runs: dict[int, RunMirror], item: tuple[Any, ...], lines: list[str]) -> None:
    _, run, t, reason = item
    m = runs.get(run)
    if m is None or m.failed:
        return
    m.failed = reason
    lines.append(L.runtime_disabled(reason, run, ms(t, m.t0)))


def _run_started(runs: dict[int, RunMirror], item: tuple[Any, ...], lines: list[str]) -> None:
    _, run, t, wall, clock0, source, thread_id, rq, info = item
    runs[run] = RunMirror(run, t, wall, clock0, source, thread_id, rq, info)
    lines.append(L.run_started(run, wall, info=info))


def _run_ended(runs: dict[int, RunMirror], item: tuple[Any, ...], lines: list[str]) -> None:
    _, run, t, outcome, err = item
    m = runs.pop(run, None)
    if m is None:
        return
    ts = ms(t, m.t0)
    for tid in list(m.tasks):
        m.close_task_scopes(tid, ts, lines)
    lines.append(L.run_finished(run, ts, outcome, error_json(err) if err is not None else None))


def _disabled(runs: dict[int, RunMirror], item: tuple[Any, ...], lines: list[str]) -> None:
    lines.append(L.runtime_disabled(str(item[1])))


def _warning(runs: dict[int, RunMirror], item: tuple[Any, ...], lines: list[str]) -> None:
    _, run, t, category, message, wkind, (file, line, function), code, tid = item
    m = runs.get(run)
    if m is None:
        return
    site = text_site_json(file, line, function)
    func = func_json(code) if code is not None else None
    lines.append(L.warning(run, ms(t, m.t0), category, message, wkind, site, func, tid))


#: each kind's handler (an unknown kind is ignored)
HANDLERS: dict[int, Callable[[dict[int, RunMirror], tuple[Any, ...], list[str]], None]] = {
    E.SPAWN: _spawned,
    E.EXIT: _exited,
    E.N_OPEN: _nursery_opened,
    E.N_CLOSE: _nursery_closed,
    E.MOVE: _moved,
    E.FLAG: _flagged,
    E.RUN_FAIL: _run_failed,
    E.RUN_START: _run_started,
    E.RUN_END: _run_ended,
    E.DISABLED: _disabled,
    E.WARNING: _warning,
}
