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

from . import batches as B, events as E, lines as L, tagged
from .fragments import (
    _func_cache,
    _name_cache,
    _site_cache,
    func_json,
    ms,
    name_json,
    q,
    site_json,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from .run_mirror import RunMirror

#: cached spawn-line tails (nursery, name, site); cleared when this large
TAILS_MAX = 20_000


class Mirror:
    """Every live run's mirror, and the pump's encoder: queued values in,
    protocol lines out (appended to the pump's ``lines``)."""

    def __init__(self, batch: bool = True) -> None:
        self.runs: dict[int, RunMirror] = {}
        #: 1.3: AGAIN spawns and returned exits that follow each other go out
        #: as one tasks.spawned / tasks.exited line (see drain)
        self.batch = batch
        self._tails: dict[tuple[Any, ...], tuple[Any, Any, str]] = {}
        #: (n, id(code), line, id(func)) -> (code, func, tail after the name) of spawns queued with a task
        self._task_tails: dict[tuple[int, int, int, int], tuple[Any, Any, str]] = {}
        #: what a run says last, before its end (a block of its loop: ``blocks``)
        self.before_end: Callable[[RunMirror, list[str]], None] | None = None

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
        the snapshot a connection will get, and skip building lines.

        Batches (1.3): AGAIN spawns in a row (asyncio's: spawns with the
        next id, shown name and tail, each with its ``Task-N``), and
        returned exits in a row, are collected (their times as µs offsets:
        an int append each) and written as one line when anything else
        comes (``batches.close``): a spawn loop's thousand tasks cost a few
        bytes each on the wire instead of a 300-byte line. At most one batch
        is open at a time, and it is written before any other line, so the
        stream's order is the queue's."""
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
        scopes = m.scopes  # (one dict for the run's life)
        again_n, spawn_n, exit_n = E.AGAIN_VALUES, E.SPAWN_VALUES, E.EXIT_VALUES
        returned = L.RETURNED_TAIL
        tails_get = self._tails.get
        batch = emit and self.batch
        close_batch = B.close
        # the open batch (at most one): spawns from sb_first, or exits of xb_ids;
        # times as offsets in µs from sb0 / xb0. A spawn batch's tail is a Trio
        # spawn's whole tail, or, for asyncio's tasks (sd: their default names),
        # what follows the shown name sb_shown. (A run is one library's: an
        # AGAIN spawn, Trio's, never meets an asyncio batch.)
        sb: list[int] = []
        sb_append = sb.append
        sb0 = sb_first = sb_next = 0
        sb_tail = sb_shown = ""
        sd: list[str] = []
        sd_append = sd.append
        xb: list[int] = []
        xb_append = xb.append
        xb_ids: list[int] = []
        xb_ids_append = xb_ids.append
        xb0 = 0
        used = 0
        while used < budget and rq:
            x = popleft()
            if x is None:  # E.AGAIN, t: the next id, the previous spawn's tail
                t = popleft()
                used += again_n
                last_tid += 1
                tasks[last_tid] = last_tail
                if batch:
                    if sb:
                        sb_append((t - t0) // 1000 - sb0)
                        continue
                    if xb:
                        B.exited(lines, pre_exit, m.pre_exits, xb0, xb_ids, xb)
                        xb.clear()
                        xb_ids.clear()
                    sb0 = (t - t0) // 1000
                    sb_first = last_tid
                    sb_tail = last_tail
                    sb_append(0)
                elif emit:
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
                    used += spawn_n
                    if type(name) is not str:  # the library's task (see events): asyncio
                        last_tid = x
                        shown_as, func = describe(name)
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
                        d = (t - t0) // 1000
                        if isinstance(shown_as, str):  # a name the user gave
                            # the mirror keeps the whole line: one string built, not two (run_mirror.tail_of)
                            tasks[x] = line = f'{pre_spawn}{d if d > 0 else 0}e-3,"id":{x},"name":{q(shown_as)}{rest}'
                            if emit:
                                if sb or xb:
                                    close_batch(m, lines, sb, sb0, sb_first, sb_tail, sd, sb_shown, xb, xb0, xb_ids)
                                append(line)
                            continue
                        # asyncio's Task-N shown by its function (a Renamed, see fragments), written
                        # inline; the mirror keeps the tail (run_mirror.tail_of)
                        shown, dn = shown_as
                        tasks[x] = f',"name":{shown},"default_name":"{dn}"{rest}'
                        if batch:
                            if sd and x == sb_next and shown == sb_shown and rest == sb_tail:
                                sb_append(d - sb0)
                                sd_append(dn)
                                sb_next = x + 1
                                continue
                            if sb or xb:
                                close_batch(m, lines, sb, sb0, sb_first, sb_tail, sd, sb_shown, xb, xb0, xb_ids)
                            sb0, sb_first, sb_next, sb_shown, sb_tail = d, x, x + 1, shown, rest
                            sb_append(0)
                            sd_append(dn)
                        elif emit:
                            append(f'{pre_spawn}{d if d > 0 else 0}e-3,"id":{x}{tasks[x]}')
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
                        if sb or xb:
                            close_batch(m, lines, sb, sb0, sb_first, sb_tail, sd, sb_shown, xb, xb0, xb_ids)
                        d = (t - t0) // 1000  # ts: see fragments.ms
                        append(f'{pre_spawn}{d if d > 0 else 0}e-3,"id":{x}{tail}')
                else:  # exit, returned: -tid, t
                    t = popleft()
                    used += exit_n
                    x = -x
                    if tasks.pop(x, None) is None:
                        continue
                    d = (t - t0) // 1000
                    if scopes:
                        # the task's own scopes close before its exit, after the exits batched
                        # before it (the batch stays open for a task that had none)
                        found: list[str] = []
                        m.close_task_scopes(x, f"{d if d > 0 else 0}e-3", found)
                        if found:
                            if sb or xb:
                                close_batch(m, lines, sb, sb0, sb_first, sb_tail, sd, sb_shown, xb, xb0, xb_ids)
                            lines.extend(found)
                    if batch:
                        if xb:
                            xb_append(d - xb0)
                            xb_ids_append(x)
                            continue
                        if sb:
                            close_batch(m, lines, sb, sb0, sb_first, sb_tail, sd, sb_shown, xb, xb0, xb_ids)
                        xb0 = d
                        xb_append(0)
                        xb_ids_append(x)
                    elif emit:
                        append(f'{pre_exit}{d if d > 0 else 0}e-3,"id":{x}{returned}')
            else:
                if sb or xb:
                    close_batch(m, lines, sb, sb0, sb_first, sb_tail, sd, sb_shown, xb, xb0, xb_ids)
                used += 1
                handle(x, lines)
                if x[0] == E.RUN_END or x[0] == E.RUN_FAIL:
                    break  # the run's last item (its mirror is gone), or the last the adapter meant
        if sb or xb:
            close_batch(m, lines, sb, sb0, sb_first, sb_tail, sd, sb_shown, xb, xb0, xb_ids)
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
        on = tagged.HANDLERS.get(item[0])
        if on is not None:
            if item[0] == E.RUN_END and self.before_end is not None:
                m = self.runs.get(item[1])
                if m is not None:
                    self.before_end(m, lines)
            on(self.runs, item, lines)
