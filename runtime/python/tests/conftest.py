"""Shared fixtures: a recording sink and the protocol schema.

Every line any test captures is validated against
``runtime/protocol/events.schema.json``: a test fails when the schema and
the runtime disagree.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from nursery_lens._core.batches import expand
from schema_lines import SCHEMA as _schema, schema_errors

ROOT = Path(__file__).resolve().parents[3]
BOOTSTRAP = ROOT / "runtime" / "python" / "bootstrap"
SRC = ROOT / "runtime" / "python" / "src"


def line_of(path: str, marker: str) -> int:
    """The line of `path` holding `marker` (other than the line_of call
    itself), so tests name sites by a comment, not by a number that moves."""
    with open(path, encoding="utf-8") as f:
        for i, text in enumerate(f, 1):
            if marker in text and "line_of(" not in text:
                return i
    raise AssertionError(marker)


# The cheap check of an event's shape: its required keys, and the JSON type
# of each property whose schema names one (directly or through a $ref).
_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def _typed(prop: dict[str, Any]) -> list[Callable[[Any], bool]]:
    while "type" not in prop and "$ref" in prop:
        prop = _schema["$defs"][prop["$ref"].split("/")[-1]]
    named = prop.get("type", [])
    return [_JSON_TYPES[t] for t in ([named] if isinstance(named, str) else named)]


_shapes: dict[str, tuple[frozenset[str], list[tuple[str, list[Callable[[Any], bool]]]]]] = {}
for _ref in _schema["oneOf"]:
    _def = _schema["$defs"][_ref["$ref"].split("/")[-1]]
    _props = [(key, _typed(prop)) for key, prop in _def["properties"].items()]
    _shapes[_def["properties"]["type"]["const"]] = (frozenset(_def["required"]), [p for p in _props if p[1]])


def _assert_shape(event: Any, line: str) -> None:
    assert isinstance(event, dict), f"not an object: {line!r}"
    assert event.get("type") in _shapes, f"not an event: {line!r}"
    required, typed = _shapes[event["type"]]
    assert required <= event.keys(), f"{sorted(required - event.keys())} missing in {line!r}"
    for key, accepts in typed:
        if key in event:
            value = event[key]
            assert any(ok(value) for ok in accepts), f"{key} of the wrong type in {line!r}"


def validate_lines(text: str, sample: int = 1) -> list[dict[str, Any]]:
    """Parse NDJSON text; every line must be one schema-valid event.

    With ``sample`` > 1 (streams of tens of thousands of lines, where the
    whole schema costs seconds): the whole schema checks the first
    ``sample`` lines of each type and every ``sample``-th line after, and
    every line gets the cheap check of its keys and their JSON types.
    """
    events = []
    seen: dict[Any, int] = {}
    assert text == "" or text.endswith("\n"), "stream must end with a newline"
    for number, line in enumerate(text.splitlines()):
        assert line, "empty line in stream"
        assert len(line.encode("utf-8")) <= 1 << 20
        event = json.loads(line)
        kind = event.get("type") if isinstance(event, dict) else None
        if sample > 1:
            _assert_shape(event, line)
            seen[kind] = seen.get(kind, 0) + 1
        if sample == 1 or seen[kind] <= sample or number % sample == 0:
            errors = schema_errors(event)
            assert not errors, f"schema violation in {line!r}: {errors[0]}"
        events.extend(expand(event))  # a batch line (1.3) as the events it stands for
    return events


class Recording:
    """The lines one Instrument emitted, parsed, plus lookups tests need
    (``sample``: see validate_lines)."""

    def __init__(self, text: str, sample: int = 1) -> None:
        self.text = text
        self.events = validate_lines(text, sample)

    def of(self, type_: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == type_]

    def task(self, name_suffix: str) -> dict[str, Any]:
        found = [e for e in self.of("task.spawned") if e["name"].endswith(name_suffix)]
        assert len(found) == 1, (name_suffix, found)
        return found[0]

    def tasks(self, name_suffix: str) -> list[dict[str, Any]]:
        return [e for e in self.of("task.spawned") if e["name"].endswith(name_suffix)]

    def exit(self, tid: int) -> dict[str, Any]:
        found = [e for e in self.of("task.exited") if e["id"] == tid]
        assert len(found) == 1, (tid, found)
        return found[0]

    def nursery(self, nid: int) -> dict[str, Any]:
        found = [e for e in self.of("nursery.opened") if e["id"] == nid]
        assert len(found) == 1, (nid, found)
        return found[0]

    def main(self) -> dict[str, Any]:
        found = [e for e in self.of("task.spawned") if e.get("main")]
        assert len(found) == 1
        return found[0]


@pytest.fixture
def record() -> Callable[..., Recording]:
    """Run ``async_fn`` under a real trio.run with an Instrument writing to memory."""
    import trio

    import nursery_lens

    def run(
        async_fn: Callable[..., Any],
        *args: Any,
        raises: Any = None,
        sample_hz: float = 0,
        clock: Any = None,
        **kwargs: Any,
    ) -> Recording:
        chunks: list[str] = []
        inst = nursery_lens.Instrument(sink=chunks.append, sample_hz=sample_hz, **kwargs)
        try:
            if raises is not None:
                with pytest.raises(raises):
                    trio.run(async_fn, *args, instruments=[inst], strict_exception_groups=True, clock=clock)
            else:
                trio.run(async_fn, *args, instruments=[inst], strict_exception_groups=True, clock=clock)
        finally:
            inst.close()
        rec = Recording("".join(chunks))
        check_order(rec.events)
        return rec

    return run


@pytest.fixture
def arecord() -> Callable[..., Recording]:
    """Call ``program()`` (which runs asyncio event loops) with every loop run
    observed by ``nursery_lens.observe_asyncio`` writing to memory."""
    import nursery_lens

    def run(program: Callable[[], Any], *, raises: Any = None, sample_hz: float = 0, **kwargs: Any) -> Recording:
        chunks: list[str] = []
        obs = nursery_lens.observe_asyncio(sink=chunks.append, sample_hz=sample_hz, **kwargs)
        try:
            if raises is not None:
                with pytest.raises(raises):
                    program()
            else:
                program()
        finally:
            obs.close()
        rec = Recording("".join(chunks))
        check_order(rec.events)
        return rec

    return run


def check_order(events: list[dict[str, Any]]) -> None:
    """PROTOCOL.md order guarantees, checked on every recording."""
    assert events[0]["type"] == "hello"
    live_tasks: dict[int, set[int]] = {}
    live_nurseries: dict[int, set[int]] = {}
    children: dict[tuple[int, int | None], set[int]] = {}
    announced: dict[int, set[int]] = {}
    replay: Any = None
    lossy = False  # after "dropped", run.finished may close what lost lines left open
    unobserved: set[int] = set()  # runs the runtime stopped observing (runtime.disabled with a run)
    pending: set[tuple[int, int]] = set()  # tasks flagged pending_at_close: never finished
    spawned_ids: dict[int, set[int]] = {}
    for e in events[1:]:
        if e["type"] == "dropped":
            lossy = True
        t = e["type"]
        run: int | None = e.get("run")
        if run is None:
            continue
        if t == "runtime.disabled":
            unobserved.add(run)
            continue
        if t == "task.flagged":
            assert e["id"] in spawned_ids.get(run, set()), e
            if e["flag"] == "pending_at_close":
                pending.add((run, e["id"]))
            continue
        if t == "run.started":
            if not e.get("resumed") or run not in live_tasks:
                live_tasks[run] = set()
                live_nurseries[run] = set()
            continue
        tasks, nurseries = live_tasks[run], live_nurseries[run]
        if t == "snapshot.begin":
            replay = {"tasks": set(), "nurseries": set()}
            continue
        if t == "snapshot.end":
            # absent from the replay = gone while lines were lost
            tasks.intersection_update(replay["tasks"])
            nurseries.intersection_update(replay["nurseries"])
            replay = None
            continue
        if replay is not None and t in ("task.spawned", "nursery.opened"):
            replay["tasks" if t == "task.spawned" else "nurseries"].add(e["id"])
            for kids in children.values():
                kids.discard(e["id"])
        if t == "nursery.opened":
            assert e["task"] in tasks, e
            nurseries.add(e["id"])
        elif t == "task.spawned":
            assert e["nursery"] is None or e["nursery"] in nurseries, e
            tasks.add(e["id"])
            announced.setdefault(run, set()).add(e["id"])
            spawned_ids.setdefault(run, set()).add(e["id"])
            children.setdefault((run, e["nursery"]), set()).add(e["id"])
        elif t == "task.moved":
            assert e["id"] in tasks, e
            assert e["nursery"] in nurseries, e
            for kids in children.values():
                kids.discard(e["id"])
            children.setdefault((run, e["nursery"]), set()).add(e["id"])
        elif t == "task.exited":
            assert e["id"] in tasks, e
            tasks.discard(e["id"])
        elif t == "nursery.closed":
            assert e["id"] in nurseries, e
            assert not (children.get((run, e["id"]), set()) & tasks), ("children alive at close", e)
            nurseries.discard(e["id"])
        elif t in ("task.state", "scope.changed"):
            assert (e["id"] if t == "task.state" else e["task"]) in tasks, e
        elif t == "warning" and "task" in e:
            assert e["task"] in tasks, e
        elif t == "loop.blocked" and "task" in e:
            # the task was announced; a block's last report may follow its exit
            assert e["task"] in announced.get(run, set()), e
        elif t == "run.finished" and not lossy and run not in unobserved:
            never_finished = {tid for tid in tasks if (run, tid) in pending}
            assert not tasks - never_finished, ("tasks alive at run.finished", tasks - never_finished)
            # a task that never finished may leave its task group open
            assert not nurseries or never_finished, ("nurseries open at run.finished", nurseries)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NURSERY_LENS", None)
    env.pop("PYTHONPATH", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


PYTHON = sys.executable

#: BaseExceptionGroup (Trio's groups, and MultiError on Trio 0.22, are ones)
if sys.version_info >= (3, 11):
    Group = builtins.BaseExceptionGroup
else:  # pragma: no cover
    import exceptiongroup

    Group = exceptiongroup.BaseExceptionGroup


def anyio_trio_backend_missing() -> str:
    """Why AnyIO's Trio backend cannot run here ("" if it can): the Trio it needs is newer."""
    from importlib.metadata import requires, version

    needs = next((r for r in requires("anyio") or [] if r.startswith("trio") and 'extra == "trio"' in r), "")
    wanted = re.search(r">=\s*([\d.]+)", needs)
    have = tuple(int(p) for p in re.findall(r"\d+", version("trio"))[:3])
    if wanted and have < tuple(int(p) for p in wanted.group(1).split(".")):
        return f"AnyIO's Trio backend needs trio>={wanted.group(1)}; this environment has {version('trio')}"
    return ""


def anyio_on_trio(main: Callable[[], Any], sample_hz: float = 0) -> Recording:
    """``anyio.run(main)`` on its Trio backend with an Instrument writing to memory
    (skipped where the Trio here is too old for AnyIO's backend)."""
    if missing := anyio_trio_backend_missing():
        pytest.skip(missing)
    import anyio
    import anyio._backends._trio

    import nursery_lens

    chunks: list[str] = []
    inst = nursery_lens.Instrument(sink=chunks.append, sample_hz=sample_hz)
    anyio.run(main, backend="trio", backend_options={"instruments": [inst]})
    inst.close()
    rec = Recording("".join(chunks))
    check_order(rec.events)
    return rec
