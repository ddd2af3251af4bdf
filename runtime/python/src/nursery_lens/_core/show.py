"""``python -m nursery_lens show RECORDING [--run N] [--at SECONDS]``.

Prints the tree of each run of a recording (``--record``, or the
extension's Save Recording…) as text (``runtime/protocol/TREE_TEXT.md``), at
its end or ``--at`` seconds into the run: the text the extension's Copy
Tree as Text gives. Reads the NDJSON as the extension does: a hello with a
new ``instance`` starts another program, events without a ``run`` concern
every run of their program. Needs no async library.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from .batches import expand
from .cli import UsageError, usage_answer
from .tree_rows import RunRows
from .tree_text import run_status, tree_text

if TYPE_CHECKING:
    from collections.abc import Iterable

USAGE = """usage: python -m nursery_lens show RECORDING [--run N] [--at SECONDS]

Prints each run of a Nursery Lens recording (NDJSON; - reads stdin) as an
indented tree of its tasks and nurseries, at the run's end or SECONDS into it.
  --run N       only the N-th run of the recording (1 = the first)
  --at SECONDS  the tree at that time of the run, not at its end"""

#: A line longer than this is not an event (the protocol's limit, 1 MiB).
MAX_LINE = 1 << 20


def read_runs(lines: Iterable[str], at_ms: float | None = None) -> tuple[list[tuple[RunRows, bool]], int]:
    """Each run of the recording in order of appearance, with whether events
    after ``at_ms`` were left out; and how many lines could not be used."""
    runs: list[tuple[RunRows, list[bool]]] = []
    program: dict[int, tuple[RunRows, list[bool]]] = {}
    instance = None
    hello: dict[str, object] | None = None
    bad = 0
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        try:
            if len(line) > MAX_LINE:
                raise ValueError("line too long")
            e = json.loads(line)
            if not isinstance(e, dict):
                raise TypeError("not an event")
            kind = e.get("type")
            if kind == "hello":
                if e.get("instance") != instance:  # another program
                    instance, program = e.get("instance"), {}
                hello = e
                targets = list(program.values())
            elif isinstance(e.get("run"), int) and not isinstance(e.get("run"), bool):
                entry = program.get(e["run"])
                if entry is None:
                    entry = program[e["run"]] = (RunRows(len(runs) + 1), [False])
                    runs.append(entry)
                    if hello is not None:
                        entry[0].apply(hello)
                targets = [entry]
            else:  # dropped, runtime.disabled: the whole program
                targets = list(program.values())
            for one in expand(e):  # a batch line's events (1.3), or the event
                ts = one.get("ts")
                late = at_ms is not None and isinstance(ts, (int, float)) and ts > at_ms
                for run, cut in targets:
                    if late:
                        cut[0] = True
                    else:
                        run.apply(one)
        except (KeyError, TypeError, ValueError, AttributeError):
            bad += 1
    return [(run, cut[0]) for run, cut in runs], bad


def parse_args(argv: list[str]) -> tuple[str, int | None, float | None]:
    path: str | None = None
    run: int | None = None
    at: float | None = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            raise UsageError("")
        name, eq, value = arg.partition("=")
        if name in ("--run", "--at"):
            if not eq:
                if i + 1 >= len(argv):
                    raise UsageError(f"{name} needs a value")
                i += 1
                value = argv[i]
            try:
                if name == "--run":
                    run = int(value)
                    if run < 1:
                        raise ValueError
                else:
                    at = float(value)
                    if at != at or at in (float("inf"), float("-inf")):
                        raise ValueError
            except ValueError:
                what = "run number" if name == "--run" else "number of seconds"
                raise UsageError(f"{name}: not a {what}: {value}") from None
        elif arg.startswith("-") and arg != "-":
            raise UsageError(f"unknown option {arg}")
        elif path is None:
            path = arg
        else:
            raise UsageError(f"one recording at a time (got {path} and {arg})")
        i += 1
    if path is None:
        raise UsageError("no recording given")
    return path, run, at


def _write(text: str) -> None:
    """UTF-8 whatever the locale: the text is meant to be pasted."""
    out = getattr(sys.stdout, "buffer", None)
    if out is not None:
        sys.stdout.flush()
        out.write(text.encode("utf-8"))
        out.flush()
    else:
        sys.stdout.write(text)


def main(argv: list[str]) -> int:
    try:
        path, which, at = parse_args(argv)
    except UsageError as exc:
        return usage_answer(str(exc), "nursery_lens show", USAGE)
    at_ms = at * 1000.0 if at is not None else None
    try:
        if path == "-":
            runs, bad = read_runs(sys.stdin, at_ms)
        else:
            with open(path, encoding="utf-8", errors="replace") as f:
                runs, bad = read_runs(f, at_ms)
    except OSError as exc:
        sys.stderr.write(f"nursery_lens show: cannot read {path}: {exc.strerror or exc}\n")
        return 2
    if bad:
        sys.stderr.write(f"nursery_lens show: {bad} line(s) of {path} are not events (skipped)\n")
    if not runs:
        sys.stderr.write(f"nursery_lens show: {path} holds no runs\n")
        return 1
    if which is not None:
        if which > len(runs):
            sys.stderr.write(f"nursery_lens show: {path} holds {len(runs)} run(s), not {which}\n")
            return 2
        runs = [runs[which - 1]]
    _write("\n".join(tree_text(run, run_status(run, cut), at_ms) for run, cut in runs))
    return 0
