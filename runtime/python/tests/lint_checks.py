"""What a user sees of each lint, checked alike for Trio (``test_lints``)
and asyncio (``test_asyncio_lints``): each runs its own library's program,
these say what its recording must show."""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest


def blocks_of(rec: Any, final_only: bool = False) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = rec.of("loop.blocked")
    return [b for b in out if not b.get("ongoing")] if final_only else out


def check_spin_blocked_the_loop(rec: Any, line: int) -> None:
    """Task ``spin`` held the loop 350 ms at ``line`` (threshold 100 ms):
    reported while it lasted, soon after the threshold, and once when it ended."""
    tid = rec.task("spin")["id"]
    reports = blocks_of(rec)
    ongoing = [b for b in reports if b.get("ongoing")]
    final = blocks_of(rec, final_only=True)
    assert ongoing, "reported while it lasted"
    assert len(final) == 1, reports
    assert {b["block"] for b in reports} == {final[0]["block"]} == {1}
    for b in reports:
        assert b["task"] == tid
        assert b["at"]["line"] == line
        assert b["at"]["function"] == "spin"
    assert 100 <= ongoing[0]["duration"] < 300, ongoing[0]
    assert ongoing[0]["ts"] < final[0]["ts"]
    assert 340 <= final[0]["duration"] < 600, final[0]
    assert final[0]["since"] + final[0]["duration"] == pytest.approx(final[0]["ts"], abs=0.01)


def check_fetch_never_awaited(rec: Any, shown: list[Any], line: int, fetch: Callable[..., Any]) -> None:
    """Task ``worker`` called ``fetch`` at ``line`` without awaiting it: one
    warning names the line, the function never run and the task, and the
    program's own RuntimeWarning is still shown (``shown``)."""
    (w,) = rec.of("warning")
    assert w["kind"] == "never_awaited"
    assert w["category"] == "RuntimeWarning"
    assert w["message"] == "coroutine 'fetch' was never awaited"
    assert w["site"]["line"] == line
    assert w["site"]["function"] == "worker"
    code = fetch.__code__
    assert w["func"] == {"file": code.co_filename, "line": code.co_firstlineno, "function": "fetch"}
    assert w["task"] == rec.task("worker")["id"]
    assert any("was never awaited" in str(s.message) for s in shown), "the program's warning is shown as before"


def watch_scans(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records each scan of a run's live tasks for the one running a frame
    (what a lint falls back to when the loop cannot say which task it runs)."""
    from nursery_lens._core import running

    calls: list[Any] = []
    real = running._scan

    def scan(source: Any, frame: Any) -> int | None:
        calls.append(frame)
        return real(source, frame)

    monkeypatch.setattr(running, "_scan", scan)
    return calls


def watch_handoffs(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records each emitter's ``Handoff`` (how its loop lets the watching thread in)."""
    from nursery_lens._core import emitter, watcher

    made: list[Any] = []

    class Recorded(watcher.Handoff):
        __slots__ = ()

        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(emitter, "Handoff", Recorded)
    return made


def busy_for(seconds: float, step: Callable[[], Any], clock: Callable[[], float]) -> Callable[[], Any]:
    """An async function: ten tasks' worth of ``await step()`` for ``seconds`` (a busy loop)."""

    async def busy() -> None:
        end = clock() + seconds
        while clock() < end:
            await step()

    return busy


def check_busy_loop_let_the_watcher_in(handoffs: list[Any], seconds: float) -> None:
    """A loop busy for ``seconds`` under a 100 ms block threshold: the
    watching thread looked about every 100 ms, let in by the loop's pumps,
    not woken by its own timer to fight the loop for the GIL (which costs
    both threads 1-2 ms of CPU per look: bench:overhead's checkpoint-heavy
    shows it; CPU time is too loaded a figure to assert on here)."""
    (h,) = handoffs
    looks = seconds / 0.1
    # (a loaded machine slows the pumps that let it in: 5 of 15 seen beside two other suites)
    assert h.given >= looks / 4, (h.given, h.missed)
    assert h.missed <= h.given / 4, (h.given, h.missed)


def watch_samples(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """How many tasks each sample looked at, taken on the loop's thread ("home") or on another ("away")."""
    import threading

    from nursery_lens._core import sampler

    looked: dict[str, list[int]] = {"home": [], "away": []}
    real = sampler._look

    def look(m: Any, lines: list[str], items: list[Any], away: bool) -> int:
        done = real(m, lines, items, away)
        looked["away" if threading.get_ident() != m.thread_id else "home"].append(done)
        return done

    monkeypatch.setattr(sampler, "_look", look)
    return looked


def check_held_samples_brief(samples: dict[str, list[int]], rec: Any, line: int) -> None:
    """A loop held 1 s among 3,000 tasks: sampled meanwhile, each time
    briefly, and the block reported at ``line``. Briefly by construction: a
    sample from the watching thread looks at a slice of the tasks (the loop
    waits for the GIL meanwhile), where the loop's own samples look at up to
    2,000 (2-3 ms of CPU each). Counted, not timed: the CPU times compared
    (0.2-0.45 of a home sample's) read 0.61 once on a loaded CI machine.
    At most 200 a sample, as the README says (sampler.AWAY_PER_SAMPLE)."""
    away, home = samples["away"], samples["home"]
    assert away, "the held loop was sampled"
    assert max(away) > 0, ("the samples looked at its tasks", away)
    assert max(away) <= 200, ("each a slice of its 3,000 tasks", away, home)
    # (on a loaded machine spawning the 3,000 may hold the loop past 100 ms
    # too: a block of its own, at main's line or, in the library's work of
    # starting them, at none)
    final = blocks_of(rec, final_only=True)
    assert [b["at"] and b["at"]["line"] for b in final].count(line) == 1, final


def busy_machine(monkeypatch: pytest.MonkeyPatch, share: float, until: float = float("inf")) -> set[int]:
    """The loop's thread waits for a CPU ``share`` of the time (as Linux's
    schedstat would say on a machine busier than its cores), from now until
    ``until`` seconds from now. Returns the thread ids the runtime asked about."""
    from nursery_lens._core import runqueue

    t0 = time.perf_counter()
    asked: set[int] = set()

    def waited(native_id: int) -> float:
        asked.add(native_id)
        return share * min(time.perf_counter() - t0, until)

    monkeypatch.setattr(runqueue, "AVAILABLE", True)
    monkeypatch.setattr(runqueue, "waited", waited)
    return asked


#: tasks a storm makes just before it holds the loop (check_storm_left_to_the_loop),
#: and how long each one's first step holds it then (all of them: a second block,
#: while the first one's report may not be ended yet)
STORM = 10_000
STORM_STEP = 0.00003


def watch_drains(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Values of the runs' queues encoded on the loop's thread ("home") and on another ("away")."""
    import threading

    from nursery_lens._core import mirror

    drained = {"home": 0, "away": 0}
    real = mirror.Mirror.drain

    def drain(self: Any, m: Any, budget: int, lines: list[str], emit: bool) -> int:
        used: int = real(self, m, budget, lines, emit)
        drained["home" if threading.get_ident() == m.thread_id else "away"] += used
        return used

    monkeypatch.setattr(mirror.Mirror, "drain", drain)
    return drained


def check_storm_left_to_the_loop(rec: Any, drained: dict[str, int], line: int) -> None:
    """Task ``storm`` made STORM tasks, then held the loop at ``line``, and
    their first steps held it again: each report of the first block names
    storm (its spawn was queued just before), and the watching thread left
    the storm's spawns to the loop's own pump through both (encoding them
    while the loop ran would fight it for the GIL all along: bench:overhead's
    spawn-heavy paid ~8% for that)."""
    tid = rec.task("storm")["id"]
    # (making the storm may hold the loop past the threshold too, at storm's loop)
    mine = [b for b in blocks_of(rec) if b["at"] and b["at"]["function"] == "storm"]
    assert any(b.get("ongoing") and b["at"]["line"] == line for b in mine), "reported while it lasted"
    assert [b.get("task") for b in mine] == [tid] * len(mine), mine
    assert len(rec.of("task.spawned")) > STORM, "the storm is in the stream"
    assert drained["home"] > STORM, drained
    assert drained["away"] < STORM / 10, ("the storm was encoded from the watching thread", drained)
