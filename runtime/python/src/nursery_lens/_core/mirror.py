"""The mirror: what the stream has said is live, and the lines that say it.

A pump turns each run's queue (``events``) into protocol lines and keeps,
run by run, the nurseries, tasks and cancel scopes those lines left open.
That mirror makes reconnects cheap and exact: after a reconnect (or after
lines had to be dropped) ``Mirror.snapshot`` replays the live state,
positioned exactly in the stream.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from . import events as E, lines as L
from .fragments import (
    _func_cache,
    _name_cache,
    _site_cache,
    cancel_json,
    error_json,
    func_json,
    ms,
    name_json,
    q,
    site_json,
    text_site_json,
)

if TYPE_CHECKING:
    from collections import deque

    from .adapter import ObservedRun

#: cached spawn-line tails (nursery, name, site); cleared when this large
TAILS_MAX = 20_000
#: Tries at copying a run's live ids, which the loop's thread may change meanwhile.
COPY_TRIES = 5


class TaskRecord:
    """A live task once something about it changed (a move, a sampled
    state), or one spawned with flags; until then the mirror keeps only its
    spawn line's tail, a string (nothing for the garbage collector to track
    at 100,000 live tasks)."""

    __slots__ = (
        "at",
        "chain",
        "chain_json",
        "flags",
        "func",
        "name",
        "nursery",
        "parent",
        "site",
        "state",
        "wait_key",
        "waits",
    )

    def __init__(
        self, name: str, nursery: int | None, flags: int, site: str, func: str | None = None, parent: int | None = None
    ) -> None:
        self.name = name  # JSON
        self.nursery = nursery
        self.flags = flags
        self.site = site  # JSON
        self.func = func  # JSON, or None: not known
        self.parent = parent  # a loose task's maker (1.2)
        #: last sampled state and await site (JSON); None: not sampled yet
        self.state: str | None = None
        self.at: str | None = None
        #: last sampled await chain: flat (code, line) pairs, outermost
        #: first (cheap to compare), and its JSON
        self.chain: list[Any] | None = None
        self.chain_json: str | None = None
        #: what it waits for, as last sent (JSON; None: never sent), and
        #: what that was made from (``waits.WaitReader``)
        self.waits: str | None = None
        self.wait_key: tuple[Any, ...] = ()


class ScopeRecord:
    """A cancel scope the stream reported (``scope.changed``), until closed."""

    __slots__ = ("called", "deadline", "facts", "id", "reason", "shield", "task")

    def __init__(self, sid: int, task: int, deadline: str, shield: bool, called: bool, reason: str | None) -> None:
        self.id = sid
        self.task = task
        self.deadline = deadline  # JSON
        self.shield = shield
        self.called = called
        self.reason = reason
        #: the end of its line: what made it (1.2 kind: asyncio's, AnyIO's),
        #: where it was entered, with what, why it was cancelled
        #: (``L.scope_facts``; the adapter's ``scope_facts``)
        self.facts = ""

    def line(self, run: int, ts: str) -> str:
        return L.scope_changed(
            run, ts, self.id, self.task, self.deadline, self.shield, self.called, self.reason, self.facts
        )


class RunMirror:
    """Live state of one run as the stream has described it so far."""

    __slots__ = (
        "clock0",
        "failed",
        "info",
        "last_tail",
        "last_tid",
        "nurseries",
        "pre_exit",
        "pre_spawn",
        "rq",
        "run",
        "sample_cursor",
        "scopes",
        "source",
        "t0",
        "tasks",
        "thread_id",
        "wall",
    )

    def __init__(
        self,
        run: int,
        t0: int,
        wall: float,
        clock0: float,
        source: ObservedRun,
        thread_id: int,
        rq: deque[Any],
        info: str = "",
    ) -> None:
        self.run = run
        #: run.started's library fields (lines.run_info)
        self.info = info
        #: why the adapter stopped observing this run (RUN_FAIL), or None
        self.failed: str | None = None
        #: the run's own queue (see events)
        self.rq = rq
        self.pre_spawn = L.spawned_prefix(run)
        self.pre_exit = L.exited_prefix(run)
        self.t0 = t0
        self.wall = wall
        #: the library's clock at the start (deadlines are relative to it)
        self.clock0 = clock0
        self.source = source
        #: the loop's thread
        self.thread_id = thread_id
        #: tid -> the spawn line's tail (a plain spawn) or a TaskRecord
        self.tasks: dict[int, str | TaskRecord] = {}
        #: nid -> (owner_tid, site_json, flags)
        self.nurseries: dict[int, tuple[int, str, int]] = {}
        #: the library's scope object -> its record
        self.scopes: dict[Any, ScopeRecord] = {}
        self.sample_cursor = 0
        #: the previous plain spawn drained: an AGAIN spawn takes the next
        #: id and this tail (see events)
        self.last_tid = 0
        self.last_tail = ""

    def record(self, tid: int) -> TaskRecord:
        """The task's record, made from its spawn line's tail on first need."""
        rec = self.tasks[tid]
        if isinstance(rec, str):
            rec = self.tasks[tid] = TaskRecord(*L.parse_plain_tail(rec))
        return rec

    def scope_id(self, cancel: tuple[Any, ...]) -> int | None:
        """The wire id of a cancel cause's scope: a nursery's id as the adapter
        queued it, or the id of a scope object the stream has reported."""
        scope = cancel[3] if len(cancel) > 3 else None
        if scope is None or type(scope) is int:
            return scope
        rec = self.scopes.get(scope)
        return rec.id if rec is not None else None

    def close_task_scopes(self, tid: int, ts: str, lines: list[str]) -> None:
        """A task ended: the scopes reported for it are closed."""
        if not self.scopes:
            return
        for scope, rec in list(self.scopes.items()):
            if rec.task == tid:
                del self.scopes[scope]
                lines.append(L.scope_closed(self.run, ts, rec.id))

    def spawn_line(self, tid: int, ts: str) -> str:
        rec = self.tasks[tid]
        tail = (
            rec
            if isinstance(rec, str)
            else L.spawned_tail(rec.name, rec.nursery, rec.flags, rec.site, rec.func, rec.parent)
        )
        return L.with_id(self.pre_spawn, ts, tid, tail)

    def nursery_line(self, nid: int, ts: str) -> str:
        owner, site, flags = self.nurseries[nid]
        return L.nursery_opened(self.run, ts, nid, owner, site, flags)

    def snapshot(self, ts: str, resumed: bool) -> list[str]:
        """Replay of everything live, ordered by id (parents before children)."""
        out: list[str] = []
        live = None
        source = self.source
        if source.observed:
            for _ in range(COPY_TRIES):  # from another thread the copy can race
                try:
                    live = set(source.live_ids())
                    break
                except RuntimeError:
                    continue
        if live is not None:
            # Tasks whose exit was dropped are not live: leave them out (and
            # forget them), so the reader does not keep ghosts.
            for tid in [t for t in self.tasks if t not in live]:
                del self.tasks[tid]
        run = self.run
        if resumed:
            out.append(L.run_started(run, self.wall, resumed=True, info=self.info))
        out.append(L.snapshot_begin(run, ts))
        # one counter numbers tasks and nurseries: no id is both
        out.extend(
            self.nursery_line(ident, ts) if ident in self.nurseries else self.spawn_line(ident, ts)
            for ident in sorted([*self.nurseries, *self.tasks])
        )
        out.extend(
            L.task_state(run, ts, tid, rec.state, rec.at or "null", rec.chain_json, rec.waits)
            for tid, rec in self.tasks.items()
            if isinstance(rec, TaskRecord) and rec.state is not None
        )
        out.extend(rec.line(run, ts) for rec in self.scopes.values())
        out.append(L.snapshot_end(run, ts))
        if self.failed:  # a reader that missed it must still close this run's leftovers at its end
            out.append(L.runtime_disabled(self.failed, run, ts))
        return out


class Mirror:
    """Every live run's mirror, and the pump's encoder: queued values in,
    protocol lines out (appended to the pump's ``lines``)."""

    def __init__(self) -> None:
        self.runs: dict[int, RunMirror] = {}
        self._tails: dict[tuple[Any, ...], tuple[Any, Any, str]] = {}
        #: (n, id(code), line, id(func)) -> (code, func, tail after the name) of spawns queued with a task
        self._task_tails: dict[tuple[int, int, int, int], tuple[Any, Any, str]] = {}

    def any_ts(self) -> str:
        """``ts`` for an event of no run in particular (``dropped``)."""
        now = time.perf_counter_ns()
        for m in self.runs.values():
            return ms(now, m.t0)
        return "0"

    def snapshot(self, resumed: bool) -> list[str]:
        now = time.perf_counter_ns()
        out: list[str] = []
        for m in list(self.runs.values()):
            out.extend(m.snapshot(ms(now, m.t0), resumed))
        return out

    def drain(self, m: RunMirror, budget: int, lines: list[str], emit: bool) -> int:
        """Encode up to ``budget`` values of one run's queue; how many were
        taken. Spawns and exits are nearly all the traffic: they are
        handled inline (locals only, one f-string each: ``lines.with_id``
        written out, the spawn line's tail cached per nursery, name and
        site, and kept for the AGAIN spawns after it); the rest goes to
        ``handle``. ``emit`` False (nobody to write
        to: no collector yet, none listening): keep the mirror current for
        the snapshot a connection will get, and skip building lines."""
        rq = m.rq
        if m.failed:
            return self._drain_failed(m, budget, lines)
        popleft = rq.popleft
        append = lines.append
        handle = self.handle
        tasks = m.tasks
        t0 = m.t0
        last_code: Any = None  # the previous spawn's site, name, nursery, function
        last_line = last_nid = 0  # and tail: a loop's spawns share them, and
        last_name: Any = None  # comparing beats building and hashing a key
        last_func: Any = None
        rest_code: Any = None  # and for spawns queued with the task: what follows the name
        rest_line = rest_nid = 0
        rest_func: Any = None
        last_rest = ""
        last_tail = m.last_tail
        last_tid = m.last_tid
        describe = m.source.describe
        task_tails_get = self._task_tails.get
        pre_spawn = m.pre_spawn
        pre_exit = m.pre_exit
        returned = L.RETURNED_TAIL
        tails_get = self._tails.get
        used = 0
        while used < budget and rq:
            x = popleft()
            if x is None:  # E.AGAIN, t: the next id, the previous spawn's tail
                t = popleft()
                used += E.AGAIN_VALUES
                last_tid += 1
                tasks[last_tid] = last_tail
                if emit:
                    d = (t - t0) // 1000
                    append(f'{pre_spawn}{d if d > 0 else 0}e-3,"id":{last_tid}{last_tail}')
            elif type(x) is int:
                if x > 0:  # spawn: tid, t, name, nursery_id, code, line, func
                    t = popleft()
                    name = popleft()
                    nid = popleft()
                    code = popleft()
                    line = popleft()
                    func = popleft()
                    used += E.SPAWN_VALUES
                    if type(name) is not str:  # the library's task (see events): asyncio
                        last_tid = x
                        name, func = describe(name)
                        # each name differs ("Task-N"), the rest is a loop's spawns': compare before hashing
                        if code is rest_code and line == rest_line and nid == rest_nid and func is rest_func:
                            rest = last_rest
                        else:
                            cached = task_tails_get((nid, id(code), line, id(func)))
                            if cached is not None and cached[0] is code and cached[1] is func:
                                rest = cached[2]
                            else:
                                rest = self._task_rest(nid, code, line, func)
                            rest_code, rest_line, rest_nid, rest_func, last_rest = code, line, nid, func, rest
                        tasks[x] = tail = f',"name":{q(name)}{rest}'
                        if emit:
                            d = (t - t0) // 1000
                            append(f'{pre_spawn}{d if d > 0 else 0}e-3,"id":{x}{tail}')
                        continue
                    if (
                        code is last_code
                        and line == last_line
                        and nid == last_nid
                        and name == last_name
                        and func is last_func
                    ):
                        tail = last_tail
                    else:
                        key = (nid, name, id(code), line, id(func))
                        hit = tails_get(key)
                        if hit is not None and hit[0] is code and hit[1] is func:
                            tail = hit[2]
                        else:
                            tail = self._tail(key, name, nid, code, line, func)
                        last_code, last_line, last_nid, last_name, last_func, last_tail = (
                            code,
                            line,
                            nid,
                            name,
                            func,
                            tail,
                        )
                    last_tid = x
                    tasks[x] = tail
                    if emit:
                        d = (t - t0) // 1000  # ts: see fragments.ms
                        append(f'{pre_spawn}{d if d > 0 else 0}e-3,"id":{x}{tail}')
                else:  # exit, returned: -tid, t
                    t = popleft()
                    used += E.EXIT_VALUES
                    x = -x
                    if tasks.pop(x, None) is None:
                        continue
                    d = (t - t0) // 1000
                    if d < 0:
                        d = 0
                    if m.scopes:
                        m.close_task_scopes(x, f"{d}e-3", lines)
                    if emit:
                        append(f'{pre_exit}{d}e-3,"id":{x}{returned}')
            else:
                used += 1
                handle(x, lines)
                if x[0] == E.RUN_END or x[0] == E.RUN_FAIL:
                    break  # the run's last item (its mirror is gone), or the last the adapter meant
        m.last_tid = last_tid
        m.last_tail = last_tail
        return used

    def _tail(self, key: tuple[Any, ...], name: str, nid: int, code: Any, line: int, func: Any) -> str:
        """A plain spawn's tail (cached)."""
        if code is None:
            sj = "null"
        else:
            hit = _site_cache.get((id(code), line))
            sj = hit[1] if hit is not None and hit[0] is code else site_json(code, line)
        nj = _name_cache.get(name)
        if nj is None:
            nj = name_json(name)
        fj = None
        if func is not None:
            fhit = _func_cache.get(id(func))
            fj = fhit[1] if fhit is not None and fhit[0] is func else func_json(func)
        tail = L.spawned_tail(nj, nid, 0, sj, fj)
        if len(self._tails) > TAILS_MAX:
            self._tails.clear()
        self._tails[key] = (code, func, tail)
        return tail

    def _drain_failed(self, m: RunMirror, budget: int, lines: list[str]) -> int:
        """A failed run (RUN_FAIL): whatever its hooks still queued is
        dropped, up to its RUN_END."""
        rq = m.rq
        used = 0
        while used < budget and rq:
            x = rq.popleft()
            used += 1
            if type(x) is tuple and x[0] == E.RUN_END:
                self.handle(x, lines)
                break
        return used

    def _task_rest(self, n: int, code: Any, line: int, func: Any) -> str:
        """What follows the name in the tail of a spawn queued with the
        library's task (see events): nursery or maker, function, site (cached)."""
        fj = func_json(func) if func is not None else None
        rest = L.spawned_tail("", n if n > 0 else None, 0, site_json(code, line), fj, -n if n < 0 else None)
        rest = rest[len(',"name":') :]
        if len(self._task_tails) > TAILS_MAX:
            self._task_tails.clear()
        self._task_tails[(n, id(code), line, id(func))] = (code, func, rest)
        return rest

    def handle(self, item: tuple[Any, ...], lines: list[str]) -> None:
        """One tagged tuple (see events): update the mirror, append its line."""
        kind = item[0]
        if kind == E.SPAWN:
            _, run, t, tid, name, nid, flags, code, line, func = item[:10]
            m = self.runs.get(run)
            if m is None:
                return
            if type(name) is not str:  # the library's task (see events)
                name, func = m.source.describe(name)
            fj = func_json(func) if func is not None else None
            parent = item[10] if len(item) > 10 else None
            m.tasks[tid] = TaskRecord(name_json(name), nid, flags, site_json(code, line), fj, parent)
            lines.append(m.spawn_line(tid, ms(t, m.t0)))
        elif kind == E.EXIT:
            _, run, t, tid, info = item
            m = self.runs.get(run)
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
        elif kind == E.N_OPEN:
            _, run, t, nid, owner, code, line, flags = item
            m = self.runs.get(run)
            if m is None:
                return
            m.nurseries[nid] = (owner, site_json(code, line), flags)
            lines.append(m.nursery_line(nid, ms(t, m.t0)))
        elif kind == E.N_CLOSE:
            _, run, t, nid = item
            m = self.runs.get(run)
            if m is None or m.nurseries.pop(nid, None) is None:
                return
            lines.append(L.nursery_closed(run, ms(t, m.t0), nid))
        elif kind == E.MOVE:
            _, run, t, tid, nid = item
            m = self.runs.get(run)
            if m is None or m.tasks.get(tid) is None:
                return
            m.record(tid).nursery = nid
            lines.append(L.task_moved(run, ms(t, m.t0), tid, nid))
        elif kind == E.FLAG:
            _, run, t, tid, flag, err = item
            m = self.runs.get(run)
            if m is None:  # (the task may have exited: an exception nobody retrieved)
                return
            lines.append(L.task_flagged(run, ms(t, m.t0), tid, flag, error_json(err) if err is not None else None))
        elif kind == E.RUN_FAIL:
            _, run, t, reason = item
            m = self.runs.get(run)
            if m is None or m.failed:
                return
            m.failed = reason
            lines.append(L.runtime_disabled(reason, run, ms(t, m.t0)))
        elif kind == E.RUN_START:
            _, run, t, wall, clock0, source, thread_id, rq, info = item
            self.runs[run] = RunMirror(run, t, wall, clock0, source, thread_id, rq, info)
            lines.append(L.run_started(run, wall, info=info))
        elif kind == E.RUN_END:
            _, run, t, outcome, err = item
            m = self.runs.pop(run, None)
            if m is None:
                return
            ts = ms(t, m.t0)
            for tid in list(m.tasks):
                m.close_task_scopes(tid, ts, lines)
            lines.append(L.run_finished(run, ts, outcome, error_json(err) if err is not None else None))
        elif kind == E.DISABLED:
            lines.append(L.runtime_disabled(str(item[1])))
        elif kind == E.WARNING:
            _, run, t, category, message, wkind, (file, line, function), code, tid = item
            m = self.runs.get(run)
            if m is None:
                return
            site = text_site_json(file, line, function)
            func = func_json(code) if code is not None else None
            lines.append(L.warning(run, ms(t, m.t0), category, message, wkind, site, func, tid))
