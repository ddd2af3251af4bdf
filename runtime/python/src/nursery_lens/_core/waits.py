"""What a waiting task waits for (``task.state.waits``), library-neutral.

The sampler asks the run's adapter to describe the frame a waiting task is
parked in (``ObservedRun.describe_wait``): Trio's ``Lock.acquire``, a memory
channel's ``receive``, ``wait_readable``… The adapter names the frames it
knows (``wait_codes``: code id -> priority); this module finds the one that
says most in a task's await chain, gives the objects small per-run ids (so
every task waiting on one Lock names the same ``obj``), finds the name the
user's code has for the object (``lock_a``, ``self.lock``), and writes the
JSON, only when something changed since the task's last sample.

Nothing here may raise into a pump: a failure describes the wait as unknown.
"""

from __future__ import annotations

import weakref
from math import inf
from typing import TYPE_CHECKING, Any, NamedTuple

from .attribute_names import MAX_NAMES, attribute_naming
from .fragments import MAX_TEXT, q
from .frames import CLASSIFIER

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from types import FrameType

    from .run_mirror import TaskRecord

#: Most links followed in one await chain.
MAX_DEPTH = 200
#: Most holder ids in one line (more: the holders are left out, "not known").
MAX_HOLDERS = 16
#: Most locals looked into (one level of attributes) when naming an object.
MAX_OBJECTS = 32
#: Objects given ids per run before dead entries are swept.
SWEEP_AT = 4096
#: Longest detail or label sent.
MAX_WORDS = 300


class WaitSeen(NamedTuple):
    """A wait as the adapter describes it. ``obj`` is the object waited on
    (ids are shared by all its waiters), ``named`` the object the user's code
    holds (a channel end, where ``obj`` is the channel), ``nursery`` a wire id
    used as ``obj`` instead (a nursery's children), ``until`` a deadline on
    the library's clock; ``label_of``: the object's whole label, asked once
    per object instead of naming it by a variable (an awaited task by its own
    name, as the tree names it)."""

    kind: str
    label: str
    obj: Any = None
    named: Any = None
    nursery: int | None = None
    holders: tuple[int, ...] | None = None
    until: float | None = None
    wakes: bool = False
    detail: str | None = None
    label_of: Callable[[], str] | None = None


def wait_frame(coro: Any, codes: Mapping[int, int]) -> tuple[FrameType | None, FrameType | None]:
    """(the frame of ``codes`` with the highest priority, innermost among
    equals; the innermost user frame) of ``coro``'s await chain."""
    best = None
    best_rank = -1
    user = None
    by_id = CLASSIFIER.by_id
    depth = 0
    while coro is not None and depth < MAX_DEPTH:
        depth += 1
        frame = getattr(coro, "cr_frame", None)
        if frame is None:
            frame = getattr(coro, "gi_frame", None)
            if frame is None:
                break
            nxt = getattr(coro, "gi_yieldfrom", None)
        else:
            nxt = coro.cr_await
        code = frame.f_code
        rank = codes.get(id(code))
        if rank is not None and rank >= best_rank:
            best, best_rank = frame, rank
        lib = by_id.get(id(code))
        if lib is None:
            lib = CLASSIFIER.is_library(code)
        if not lib:
            user = frame
        coro = nxt
    return best, user


class ObjectIds:
    """Small ids for the objects a run's tasks wait on, from the run's id
    counter, and the name user code has for each. Objects are held weakly."""

    __slots__ = ("_ids", "_next")

    def __init__(self, next_id: Callable[[], int]) -> None:
        self._next = next_id
        #: id(obj) -> (weak reference, wire id, label)
        self._ids: dict[int, tuple[Any, int, str]] = {}

    def of(self, obj: Any, label: Callable[[], str]) -> tuple[int, str]:
        """(wire id, label) of ``obj``; ``label()`` is asked once per object."""
        key = id(obj)
        hit = self._ids.get(key)
        if hit is not None and hit[0]() is obj:
            return hit[1], hit[2]
        if len(self._ids) >= SWEEP_AT:
            self._ids = {k: v for k, v in self._ids.items() if v[0]() is not None}
        try:
            ref: Any = weakref.ref(obj)
        except TypeError:
            ref = _Strong(obj)
            if len(self._ids) >= SWEEP_AT:
                return self._next(), label()  # nothing to sweep: no id shared
        entry = (ref, self._next(), label())
        self._ids[key] = entry
        return entry[1], entry[2]


class _Strong:
    """A reference for an object that takes no weak ones (bounded by SWEEP_AT)."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __call__(self) -> Any:
        return self.obj


def chain_frames(coro: Any) -> list[FrameType]:
    """The frames of ``coro``'s await chain, outermost first."""
    out: list[FrameType] = []
    while coro is not None and len(out) < MAX_DEPTH:
        frame = getattr(coro, "cr_frame", None)
        if frame is None:
            frame = getattr(coro, "gi_frame", None)
            if frame is None:
                break
            coro = getattr(coro, "gi_yieldfrom", None)
        else:
            coro = coro.cr_await
        out.append(frame)
    return out


def _is_param(frame: FrameType, name: str) -> bool:
    code = frame.f_code
    return name in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]


def name_of(
    target: Any, frames: list[FrameType | None], outer: Callable[[], list[FrameType]] | None = None
) -> str | None:
    """What user code calls ``target``, looked for in ``frames``: a name
    that is a parameter there (a helper's ``lock``) gives way to what the
    ``outer()`` frames call it (the spawning task's ``lock_a``)."""
    param = None
    for frame in frames:
        name = name_in(frame, target)
        if name is None:
            continue
        if frame is None or not _is_param(frame, name.partition(".")[0]):
            return name
        if param is None:
            param = name
    if outer is not None:
        by_id = CLASSIFIER.by_id
        try:
            for frame in reversed(outer()):
                lib = by_id.get(id(frame.f_code))
                if lib is None:
                    lib = CLASSIFIER.is_library(frame.f_code)
                if lib:
                    continue
                name = name_in(frame, target)
                if name is not None:
                    return name
        except Exception:
            pass
    return param


def name_in(frame: FrameType | None, target: Any) -> str | None:
    """What ``frame``'s code calls ``target``: a local, an attribute of a
    local (``self.lock``), or a global of its module; None when it has no
    name there."""
    if frame is None or target is None:
        return None
    try:
        local = frame.f_locals
        for i, (name, value) in enumerate(local.items()):
            if value is target:
                return str(name)
            if i >= MAX_NAMES:
                break
        # one level into the objects it holds, ``self`` first: ``self.lock``, ``src.lock``
        holders = sorted(local.items(), key=lambda kv: kv[0] != "self")[:MAX_OBJECTS]
        hints = frame.f_code.co_names  # ``async with self.lock``: "lock"
        for name, value in holders:
            attr = attribute_naming(value, target, hints)
            if attr is not None:
                return f"{name}.{attr}"
        glob = frame.f_globals
        if len(glob) <= MAX_NAMES * 4:
            for name, value in glob.items():
                if value is target:
                    return str(name)
    except Exception:
        pass
    return None


def _deadline_ms(deadline: float, clock0: float) -> str | None:
    if deadline == inf or deadline != deadline or deadline == -inf:
        return None
    return f"{max(0.0, (deadline - clock0) * 1000.0):.3f}"


def waits_json(seen: WaitSeen | None, obj_id: int | None, label: str, clock0: float) -> str:
    """The ``waits`` object of a ``task.state`` line (``null``: nothing known)."""
    if seen is None:
        return "null"
    parts = [f'"kind":{q(seen.kind)}']
    if obj_id is not None:
        parts.append(f'"obj":{obj_id}')
    parts.append(f'"label":{q(label[:MAX_WORDS])}')
    if seen.holders is not None and len(seen.holders) <= MAX_HOLDERS:
        parts.append('"holders":[' + ",".join(str(h) for h in seen.holders) + "]")
    if seen.until is not None:
        until = _deadline_ms(seen.until, clock0)
        if until is not None:
            parts.append(f'"until":{until}')
    if seen.wakes:
        parts.append('"wakes":true')
    if seen.detail:
        parts.append(f'"detail":{q(seen.detail[:MAX_WORDS])}')
    return "{" + ",".join(parts) + "}"


class WaitReader:
    """One run's waits: finds and describes a waiting task's wait, names and
    numbers its object, and says the JSON when it changed since the last
    sample of the task (its mirror record keeps what was sent)."""

    __slots__ = ("clock0", "codes", "describe", "fallback", "objects", "outer")

    def __init__(
        self,
        codes: Mapping[int, int],
        describe: Callable[[Any, FrameType], WaitSeen | None],
        next_id: Callable[[], int],
        clock0: float,
        outer: Callable[[Any], list[FrameType]] | None = None,
        fallback: Callable[[Any], WaitSeen | None] | None = None,
    ) -> None:
        self.codes = codes
        self.describe = describe
        self.objects = ObjectIds(next_id)
        self.clock0 = clock0
        #: frames of the task that spawned ``task`` (where an object passed
        #: to it has the name its maker gave it), outermost first
        self.outer = outer
        #: what the task waits for when no known frame is in its chain
        #: (asyncio: the task or future it awaits)
        self.fallback = fallback

    def changed(self, rec: TaskRecord, task: Any, coro: Any, waiting: bool) -> str | None:
        """The ``waits`` JSON when it differs from what was last sent for the
        task (``rec``; never sent counts as ``null``), and notes it sent;
        None when unchanged."""
        seen = None
        obj_id = None
        label = ""
        if waiting:
            try:
                frame, user = wait_frame(coro, self.codes)
                if frame is not None:
                    seen = self.describe(task, frame)
                elif self.fallback is not None:
                    seen = self.fallback(task)
                if seen is not None:
                    obj_id, label = self._object(seen, task, user)
            except Exception:
                seen = None
        key: tuple[Any, ...] = (
            () if seen is None else (seen.kind, obj_id, label, seen.holders, seen.until, seen.wakes, seen.detail)
        )
        if key == rec.wait_key:
            return None
        rec.wait_key = key
        rec.waits = waits_json(seen, obj_id, label, self.clock0)
        return rec.waits

    def _object(self, seen: WaitSeen, task: Any, user: FrameType | None) -> tuple[int | None, str]:
        if seen.nursery is not None:
            return seen.nursery, seen.label
        if seen.obj is None:
            return None, seen.label
        label_of = seen.label_of
        if label_of is not None:
            return self.objects.of(seen.obj, lambda: label_of()[:MAX_TEXT])
        outer = self.outer

        def label() -> str:
            target = seen.named if seen.named is not None else seen.obj
            name = name_of(target, [user], (lambda: outer(task)) if outer is not None else None)
            return f"{seen.label} {name}"[:MAX_TEXT] if name else seen.label

        return self.objects.of(seen.obj, label)
