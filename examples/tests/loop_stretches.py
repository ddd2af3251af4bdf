"""Runs an example and writes down how long its Trio loop really was held.

    python [-m nursery_lens --record R] loop_stretches.py OUT.json example.py [args]

The truth a block lint is judged by: each stretch the loop ran without
coming back to its wait for I/O, measured by a plain Trio instrument of
its own (from the end of a wait, or from a poll that did not wait, to the
next ``before_io_wait``), with the names of the tasks that ran in it. On a busy host a stretch lasts longer than the
example's code alone takes; the lint must report exactly the stretches that
reached its threshold, so a test compares it with these, not with a guess.

OUT.json: ``{"spawned": {name: perf_counter ms}, "stretches": [[start ms,
end ms, [task names]], ...]}``; spawn times let a test put the recording's
run-relative times on the same clock.
"""

from __future__ import annotations

import json
import runpy
import sys
import time
from typing import Any

import trio


class LoopStretches(trio.abc.Instrument):
    def __init__(self) -> None:
        self.back: float | None = None
        self.ran: list[str] = []
        self.stretches: list[tuple[float, float, list[str]]] = []
        self.spawned: dict[str, float] = {}

    def task_spawned(self, task: Any) -> None:
        self.spawned.setdefault(task.name, time.perf_counter() * 1000)

    def before_io_wait(self, timeout: float) -> None:
        now = time.perf_counter() * 1000
        if self.back is not None:
            self.stretches.append((self.back, now, self.ran))
        if not timeout:  # no wait: Trio only polls, the loop is still held
            self.back, self.ran = now, []

    def after_io_wait(self, timeout: float) -> None:
        if timeout:
            self.back, self.ran = time.perf_counter() * 1000, []

    def before_task_step(self, task: Any) -> None:
        self.ran.append(task.name)


def main() -> None:
    out, example = sys.argv[1], sys.argv[2]
    stretches = LoopStretches()
    run = trio.run

    def run_measured(*args: Any, **kwargs: Any) -> Any:
        kwargs["instruments"] = [*kwargs.get("instruments", ()), stretches]
        return run(*args, **kwargs)

    trio.run = run_measured  # type: ignore[assignment]
    sys.argv = [example, *sys.argv[3:]]
    try:
        runpy.run_path(example, run_name="__main__")
    finally:
        with open(out, "w", encoding="utf-8") as f:
            json.dump({"spawned": stretches.spawned, "stretches": stretches.stretches}, f)


if __name__ == "__main__":
    main()
