"""A run's tree as rows, from its wire events: what ``tree_text`` prints.

The extension's store (``extension/store/``) is the reducer the panel
reads; this is its small Python twin for the command line (``python -m
nursery_lens show``) and the runtime's own dumps (``dump``), which feed it a
recording or the mirror's snapshot. It keeps what the text shows (see
``runtime/protocol/TREE_TEXT.md``) with the store's meaning: a loose task
hangs under the task that made it, a replayed event is an upsert, what a
snapshot leaves out is over. It keeps every finished task (the store folds
old ones away) and needs no async library.
"""

from __future__ import annotations

from typing import Any

#: Task states before an exit (the wire's ``task.state``).
LIVE_STATES = ("running", "scheduled", "waiting")
OUTCOMES = ("returned", "raised", "cancelled")
#: Closed nurseries left without tasks that stay (the store's bound, for the same rows).
RETAIN_EMPTY_NURSERIES = 100

Json = dict[str, Any]


class TaskRow:
    """A task: where it hangs, how it is doing, what it ended with."""

    __slots__ = (
        "await_site",
        "cancel_reason",
        "cancel_source",
        "error",
        "exited",
        "flags",
        "id",
        "loose",
        "main",
        "name",
        "parent",
        "scopes",
        "site",
        "state",
        "system",
        "unretrieved",
        "waits",
    )

    def __init__(self, ident: int, parent: int | None, name: str, system: bool, main: bool, site: Json | None) -> None:
        self.id = ident
        #: its nursery; for a loose task the task that made it; None: a root
        self.parent = parent
        self.loose = False
        self.name = name
        self.system = system
        self.main = main
        self.state = "scheduled"
        self.site = site
        self.await_site: Json | None = None
        #: what it waits for while waiting (``task.state.waits``); None: nothing known
        self.waits: Json | None = None
        self.error: Json | None = None
        self.cancel_source: str | None = None
        self.cancel_reason: str | None = None
        #: the scopes entered in it that have a deadline, a shield or a cancel, outer (lower id) first
        self.scopes: list[Json] = []
        self.flags: list[str] = []
        self.unretrieved: Json | None = None
        self.exited = False


class NurseryRow:
    """A nursery (task group) under the task that opened it."""

    __slots__ = ("closed", "id", "kind", "parent", "site", "start", "system")

    def __init__(self, ident: int, owner: int, site: Json | None, system: bool, start: bool, kind: str | None) -> None:
        self.id = ident
        self.parent = owner
        self.site = site
        self.system = system
        self.start = start
        #: ``taskgroup`` / ``anyio``; None: a Trio nursery
        self.kind = kind
        self.closed = False


class RunRows:
    """One run: its rows and the facts its header says."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.tasks: dict[int, TaskRow] = {}
        self.nurseries: dict[int, NurseryRow] = {}
        #: scope id -> the task it is entered in
        self.scope_owner: dict[int, int] = {}
        #: row id -> the tasks hanging under it
        self.children: dict[int, set[int]] = {}
        #: closed nurseries left without tasks, oldest first
        self._empty: list[int] = []
        self.argv: list[str] = []
        self.runtime = "trio"
        self.runtime_version = ""
        self.library = "trio"
        self.library_version: str | None = None
        self.anyio: str | None = None
        self.outcome: str | None = None
        self.error: Json | None = None
        self.finished = False
        #: a saved recording's ``run.stopped`` (1.5, the collector's line): the
        #: run did not finish, its program stopped
        self.stopped = False
        #: its ``run.stopped`` says the program was still running when it was saved
        self.saved_running = False
        #: the newest ``ts`` applied
        self.last_ts = 0.0
        #: ids a snapshot replayed so far (None: no snapshot open)
        self._seen: set[int] | None = None
        #: lines were dropped and no snapshot healed the tree since
        self._lost_lines = False

    @property
    def version(self) -> str | None:
        """The library's version, as the header says it."""
        if self.library_version is not None:
            return self.library_version
        return self.runtime_version if self.runtime == self.library and self.runtime_version else None

    def rows(self) -> list[TaskRow | NurseryRow]:
        return [*self.nurseries.values(), *self.tasks.values()]

    # ------------------------------------------------------------ events
    def apply(self, e: Json) -> None:
        """One event of this run (or the program's hello). Raises KeyError,
        TypeError or ValueError for an event without the fields it needs."""
        kind = e["type"]
        ts = e.get("ts")
        if isinstance(ts, (int, float)) and not isinstance(ts, bool) and ts > self.last_ts:
            self.last_ts = float(ts)
        if self.finished and kind not in ("hello", "dropped", "runtime.disabled"):
            return  # after run.finished nothing revives the run
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, e)

    def _hello(self, e: Json) -> None:
        self.argv = [str(a) for a in e.get("argv", [])]
        self.runtime = str(e["runtime"])
        self.runtime_version = str(e.get("runtime_version", ""))

    def _run_started(self, e: Json) -> None:
        self.library = str(e.get("library", "trio"))
        if "library_version" in e:
            self.library_version = str(e["library_version"])
        if "anyio" in e:
            self.anyio = str(e["anyio"])

    def _run_finished(self, e: Json) -> None:
        self.outcome = str(e["outcome"])
        self.error = e.get("error")
        self.finished = True
        if self._lost_lines:  # the run ended among lost lines: nothing of it is live
            self._close_unseen(set())

    def _run_stopped(self, e: Json) -> None:
        if e.get("running") is True:  # saved while the program ran on: the recording ends, the run did not
            self.saved_running = True
        else:
            self.stopped = True

    def _dropped(self, e: Json) -> None:
        self._lost_lines = True

    def _snapshot_begin(self, e: Json) -> None:
        self._seen = set()

    def _snapshot_end(self, e: Json) -> None:
        seen, self._seen = self._seen, None
        if seen is not None:
            self._lost_lines = False
            self._close_unseen(seen)

    def _close_unseen(self, seen: set[int]) -> None:
        """What a snapshot did not replay ended while the reader was away."""
        for t in self.tasks.values():
            if not t.exited and t.id not in seen:
                t.state = "lost"
                self._finish(t)
        for n in list(self.nurseries.values()):
            if not n.closed and n.id not in seen:
                self._close(n)

    def _saw(self, ident: int) -> None:
        if self._seen is not None:
            self._seen.add(ident)

    def _spawned(self, e: Json) -> None:
        ident = _int(e["id"])
        nursery = e["nursery"]
        maker = e.get("parent")
        main = e.get("main") is True
        system = e["system"] is True
        loose = nursery is None and (maker is not None or (not main and not system))
        if loose:
            parent = maker if isinstance(maker, int) and maker != ident and maker in self.tasks else None
        else:
            parent = None if nursery is None else _int(nursery)
        self._saw(ident)
        existing = self.tasks.get(ident)
        if existing is not None:  # a snapshot's replay: an upsert
            if existing.parent != parent and not self._would_cycle(ident, parent):
                self._move(existing, parent)
            existing.name = str(e["name"])
            existing.site = e.get("site")
            return
        if ident in self.nurseries or parent == ident:
            return
        t = self.tasks[ident] = TaskRow(ident, None, str(e["name"]), system, main, e.get("site"))
        t.loose = loose
        self._move(t, parent)

    def _moved(self, e: Json) -> None:
        t = self.tasks.get(_int(e["id"]))
        to = _int(e["nursery"])
        if t is not None and to not in self.tasks and not self._would_cycle(t.id, to):
            self._move(t, to)

    def _move(self, t: TaskRow, to: int | None) -> None:
        before = t.parent
        if before == to:
            return
        t.parent = to
        if to is not None:
            self.children.setdefault(to, set()).add(t.id)
        if before is not None:
            left = self.children.get(before)
            if left is not None:
                left.discard(t.id)
                n = self.nurseries.get(before)
                if not left and n is not None and n.closed:
                    self._emptied(n)

    def _state(self, e: Json) -> None:
        t = self.tasks.get(_int(e["id"]))
        if t is None:
            return
        self._saw(t.id)
        if t.exited:
            return  # a sample racing an exit: the exit wins
        t.state = str(e["state"])
        if "at" in e:  # absent: unchanged
            t.await_site = e["at"]
        waits = e.get("waits")
        if t.state != "waiting":
            t.waits = None  # a task that is not waiting waits for nothing
        elif "waits" in e:  # absent: unchanged
            t.waits = waits if isinstance(waits, dict) else None

    def _exited(self, e: Json) -> None:
        t = self.tasks.get(_int(e["id"]))
        if t is None or t.exited:
            return
        t.state = str(e["outcome"])
        if "error" in e:
            t.error = e["error"]
        cancel = e.get("cancel")
        if t.state == "cancelled" and isinstance(cancel, dict):
            if "source" in cancel:
                t.cancel_source = str(cancel["source"])
            if "reason" in cancel:
                t.cancel_reason = str(cancel["reason"])
        self._finish(t)

    def _finish(self, t: TaskRow) -> None:
        t.exited = True
        for s in t.scopes:
            self.scope_owner.pop(s["id"], None)
        t.scopes = []

    def _flagged(self, e: Json) -> None:
        t = self.tasks.get(_int(e["id"]))
        flag = str(e["flag"])
        if t is None or flag in t.flags:
            return
        t.flags.append(flag)
        if flag == "exception_never_retrieved" and isinstance(e.get("error"), dict):
            t.unretrieved = e["error"]

    def _nursery_opened(self, e: Json) -> None:
        ident = _int(e["id"])
        kind = e.get("kind")
        kind = None if kind in (None, "nursery") else str(kind)
        self._saw(ident)
        existing = self.nurseries.get(ident)
        if existing is not None:  # a replay: the owner never changes
            existing.site = e.get("site")
            existing.kind = kind
            return
        owner = _int(e["task"])
        if ident in self.tasks or owner == ident or owner in self.nurseries:
            return
        self.nurseries[ident] = NurseryRow(
            ident, owner, e.get("site"), e.get("system") is True, e.get("start") is True, kind
        )

    def _nursery_closed(self, e: Json) -> None:
        n = self.nurseries.get(_int(e["id"]))
        if n is not None and not n.closed:
            self._close(n)

    def _close(self, n: NurseryRow) -> None:
        n.closed = True
        if not self.children.get(n.id):
            self._emptied(n)

    def _emptied(self, n: NurseryRow) -> None:
        """A closed nursery has no tasks left: the temporary one of start()
        goes at once (noise once its task moved out), others past a bound."""
        if n.start:
            del self.nurseries[n.id]
            return
        self._empty.append(n.id)
        while len(self._empty) > RETAIN_EMPTY_NURSERIES:
            old = self.nurseries.get(self._empty.pop(0))
            if old is not None and old.closed and not self.children.get(old.id):
                del self.nurseries[old.id]

    def _scope_changed(self, e: Json) -> None:
        sid = _int(e["id"])
        t = self.tasks.get(_int(e["task"]))
        if t is None or t.exited:
            return
        info: Json = {"id": sid, "deadline": e["deadline"], "shield": e["shield"] is True}
        info["cancel_called"] = e["cancel_called"] is True
        if "reason" in e:
            info["reason"] = str(e["reason"])
        if e.get("kind") not in (None, "cancel_scope"):
            info["kind"] = str(e["kind"])
        before = self.scope_owner.get(sid)
        if before is not None and before != t.id:
            self._drop_scope(before, sid)
        self.scope_owner[sid] = t.id
        old = next((s for s in t.scopes if s["id"] == sid), None)
        site = e["site"] if "site" in e else (old or {}).get("site")  # absent: unchanged
        if site:
            info["site"] = site
        if old is not None:
            t.scopes[t.scopes.index(old)] = info
        else:
            t.scopes.append(info)
            t.scopes.sort(key=lambda s: int(s["id"]))

    def _scope_closed(self, e: Json) -> None:
        sid = _int(e["id"])
        owner = self.scope_owner.pop(sid, None)
        if owner is not None:
            self._drop_scope(owner, sid)

    def _drop_scope(self, tid: int, sid: int) -> None:
        t = self.tasks.get(tid)
        if t is not None:
            t.scopes = [s for s in t.scopes if s["id"] != sid]

    def _would_cycle(self, ident: int, parent: int | None) -> bool:
        """Hanging ``ident`` under ``parent`` would make it its own ancestor."""
        steps = 0
        cur = parent
        while cur is not None and steps <= len(self.tasks) + len(self.nurseries):
            if cur == ident:
                return True
            row = self.tasks.get(cur) or self.nurseries.get(cur)
            cur = row.parent if row is not None else None
            steps += 1
        return False


def _int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"not an id: {v!r}")
    return v


_HANDLERS = {
    "hello": RunRows._hello,
    "run.started": RunRows._run_started,
    "run.finished": RunRows._run_finished,
    "run.stopped": RunRows._run_stopped,
    "dropped": RunRows._dropped,
    "snapshot.begin": RunRows._snapshot_begin,
    "snapshot.end": RunRows._snapshot_end,
    "task.spawned": RunRows._spawned,
    "task.moved": RunRows._moved,
    "task.state": RunRows._state,
    "task.exited": RunRows._exited,
    "task.flagged": RunRows._flagged,
    "nursery.opened": RunRows._nursery_opened,
    "nursery.closed": RunRows._nursery_closed,
    "scope.changed": RunRows._scope_changed,
    "scope.closed": RunRows._scope_closed,
}
