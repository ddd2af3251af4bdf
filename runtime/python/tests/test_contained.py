"""One odd run must not blind the lens for the rest of the process (#12 item 7).

Found running Trio's own test suite under the lens: a guest-mode test runs
Trio with a clock whose ``current_time()`` raises, and nothing was recorded
for the rest of the session. A failure while observing a run now stops
observing that run only: it says so (``runtime.disabled`` naming the run, the
exception and where it was raised), its ``run.finished`` still comes, and
later runs are recorded as usual.
"""

from __future__ import annotations

import gc
import textwrap

import pytest
import trio
from trio.abc import Clock

import conftest
from conftest import PYTHON, Recording, check_order, subprocess_env

HERE = __file__


class BadClock(Clock):
    """Trio's test_guest_mode clock: it cannot tell the time."""

    def start_clock(self) -> None:
        pass

    def current_time(self) -> float:
        raise NotImplementedError("no time here")  # BAD-CLOCK

    def deadline_to_sleep_time(self, deadline: float) -> float:
        return 0.0


async def sleeper() -> str:
    await trio.sleep(0)
    return "slept"


# Trio leaves its init coroutine unawaited when the clock breaks its start
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
def test_a_run_whose_clock_raises_is_contained_and_the_next_run_is_recorded():
    import nursery_lens

    chunks: list[str] = []
    inst = nursery_lens.Instrument(sink=chunks.append, sample_hz=0)
    with pytest.raises(trio.TrioInternalError):  # Trio itself cannot run on this clock
        trio.run(sleeper, instruments=[inst], clock=BadClock())
    gc.collect()  # Trio's unawaited init coroutine goes now, under this test's warning filters
    assert trio.run(sleeper, instruments=[inst]) == "slept"
    inst.close()
    rec = Recording("".join(chunks))
    check_order(rec.events)
    first, second = rec.of("run.started")
    (disabled,) = rec.of("runtime.disabled")
    assert disabled["run"] == first["run"]
    line = conftest.line_of(HERE, "# BAD-CLOCK")
    assert disabled["reason"].endswith(f"NotImplementedError('no time here') at {HERE}:{line} in current_time")
    # the first run still ends; the second is all there
    assert [e["run"] for e in rec.of("run.finished")] == [first["run"], second["run"]]
    main = [e for e in rec.of("task.spawned") if e["run"] == second["run"] and e.get("main")]
    assert len(main) == 1
    assert [e["outcome"] for e in rec.of("task.exited") if e["id"] == main[0]["id"] and e["run"] == second["run"]] == [
        "returned"
    ]


PROGRAM = textwrap.dedent("""
    import trio
    from trio.abc import Clock

    class BadClock(Clock):
        def start_clock(self): pass
        def current_time(self): raise NotImplementedError()
        def deadline_to_sleep_time(self, deadline): return 0.0

    async def child():
        await trio.sleep(0)

    async def main():
        async with trio.open_nursery() as n:
            for _ in range(3):
                n.start_soon(child)

    trio.run(main)
    try:
        trio.run(main, clock=BadClock())
    except trio.TrioInternalError:
        print("the bad clock broke that run")
    trio.run(main)
    print("done")
""")


def test_zero_code_recording_goes_on_after_a_failed_run(tmp_path):
    import subprocess

    (tmp_path / "prog.py").write_text(PROGRAM, encoding="utf-8")
    out = tmp_path / "rec.ndjson"
    r = subprocess.run(
        [PYTHON, "-m", "nursery_lens", "--record", str(out), "prog.py"],
        cwd=tmp_path,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["the bad clock broke that run", "done"]
    # said once (Trio 0.22 also warns that the broken run's init coroutine was never awaited,
    # from wherever the garbage collector finds it: maybe a line of the runtime)
    said = [line for line in r.stderr.splitlines() if line.startswith("nursery_lens")]
    assert len(said) == 1
    assert "run 2 is not observed from here on: NotImplementedError()" in r.stderr
    rec = Recording(out.read_text(encoding="utf-8"))
    check_order(rec.events)
    assert [e["run"] for e in rec.of("run.started")] == [1, 2, 3]
    assert [e["run"] for e in rec.of("runtime.disabled")] == [2]
    for run in (1, 3):
        children = [e for e in rec.of("task.spawned") if e["run"] == run and e["name"].endswith("child")]
        assert len(children) == 3
