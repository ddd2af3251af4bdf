"""One run's live state as the stream has described it (``RunMirror``), and
the records it keeps of tasks and cancel scopes: what ``Mirror.snapshot``
replays after a reconnect (``mirror``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import batches as B, lines as L

if TYPE_CHECKING:
    from collections import deque

    from .adapter import ObservedRun

#: Tries at copying a run's live ids, which the loop's thread may change meanwhile.
COPY_TRIES = 5


def tail_of(spawn: str) -> str:
    """The tail of a plain spawn kept by the mirror: the string itself, or,
    for a whole spawn line, what follows its id (its first ``,"name":``:
    nothing before it holds one)."""
    return spawn if spawn[0] == "," else spawn[spawn.index(',"name":') :]


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
        "catching_up",
        "clock0",
        "drained_tid",
        "failed",
        "idle",
        "info",
        "last_tail",
        "last_tid",
        "looked_tid",
        "nurseries",
        "pre_exit",
        "pre_exits",
        "pre_spawn",
        "pre_spawns",
        "round_began",
        "round_done_from",
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
        self.pre_spawns = B.spawned_prefix(run)
        self.pre_exits = B.exited_prefix(run)
        self.t0 = t0
        self.wall = wall
        #: the library's clock at the start (deadlines are relative to it)
        self.clock0 = clock0
        self.source = source
        #: the loop's thread
        self.thread_id = thread_id
        #: tid -> the spawn line's tail (a plain spawn), the whole spawn line
        #: (a spawn queued with the library's task: ``tail_of``), or a TaskRecord
        self.tasks: dict[int, str | TaskRecord] = {}
        #: nid -> (owner_tid, site_json, flags)
        self.nurseries: dict[int, tuple[int, str, int]] = {}
        #: the library's scope object -> its record
        self.scopes: dict[Any, ScopeRecord] = {}
        self.sample_cursor = 0
        #: when the sampler's present round began, and when the last whole round did
        self.round_began = 0.0
        self.round_done_from = -1.0
        #: the loop had nothing ready when it pumped last (the sampler may take longer)
        self.idle = False
        #: the last sample found half of what it looked at changed (see sampler.IDLE_BUDGET_S)
        self.catching_up = True
        #: the previous plain spawn drained: an AGAIN spawn takes the next
        #: id and this tail (see events)
        self.last_tid = 0
        self.last_tail = ""
        #: last_tid at the last sample: a higher one means tasks no sample has seen (pump's first look)
        self.looked_tid = 0
        #: last_tid before the pump that is draining now
        self.drained_tid = 0

    def record(self, tid: int) -> TaskRecord:
        """The task's record, made from its spawn line's tail on first need."""
        rec = self.tasks[tid]
        if isinstance(rec, str):
            rec = self.tasks[tid] = TaskRecord(*L.parse_plain_tail(tail_of(rec)))
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
            tail_of(rec)
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
