"""Ctrl-C arriving while the runtime's own code runs.

Trio calls instrument hooks inside ``try: ... except BaseException`` and
switches off an instrument whose hook raised: a KeyboardInterrupt raised
inside ``task_spawned`` would be swallowed there, and the program would go
on as if Ctrl-C had never been pressed (CI caught exactly this once, under
Trio 0.22). Each test below delivers a real SIGINT from inside one piece of
the runtime and checks what the user sees: ``trio.run`` raises
KeyboardInterrupt, the piece it interrupted still did its job, and the
recording ends with the run interrupted, not with the runtime switched off.
"""

from __future__ import annotations

import json
import signal
import sys
from typing import Any, Callable, Dict, List

import pytest
import trio

from conftest import Recording, check_order

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")


def _tripwire(fire_when: Callable[[], bool], fn: Callable[..., Any], fired: List[bool]) -> Callable[..., Any]:
    """fn, preceded (once, when fire_when() says so) by a real SIGINT.
    signal.raise_signal runs the Python-level handler (Trio's) before it
    returns, so the handler sees this frame, called from the runtime."""

    def tripped(*args: Any, **kwargs: Any) -> Any:
        if not fired and fire_when():
            fired.append(True)
            signal.raise_signal(signal.SIGINT)
        return fn(*args, **kwargs)

    return tripped


def _called_from(name: str) -> Callable[[], bool]:
    return lambda: sys._getframe(2).f_code.co_name == name


async def _scenario(inst: Any, add_mid_run: bool) -> None:
    async def starter(task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        await trio.sleep_forever()

    if add_mid_run:
        trio.lowlevel.add_instrument(inst)
    # Without the fix the interrupt is lost and this guard ends the run
    # with TooSlowError instead of hanging the suite.
    with trio.fail_after(5):
        async with trio.open_nursery() as outer:
            outer.start_soon(trio.sleep_forever, name="sleeper")
            async with trio.open_nursery() as inner:
                await inner.start(starter, name="started-one")
                async with trio.open_nursery() as victims:
                    victims.start_soon(trio.sleep_forever, name="victim")
                    await trio.sleep(0)
                    victims.cancel_scope.cancel()
            await trio.sleep_forever()


def _run_interrupted(instrument: Any, add_mid_run: bool = False) -> Recording:
    inst, chunks = instrument
    try:
        with pytest.raises(BaseException) as raised:
            trio.run(_scenario, inst, add_mid_run, instruments=[] if add_mid_run else [inst])
    finally:
        inst.close()
    assert _holds_keyboard_interrupt(raised.value), raised.value
    rec = Recording("".join(chunks))
    check_order(rec.events)
    return rec


def _holds_keyboard_interrupt(exc: BaseException) -> bool:
    """KeyboardInterrupt itself, or inside nurseries' exception groups."""
    if isinstance(exc, KeyboardInterrupt):
        return True
    return any(_holds_keyboard_interrupt(e) for e in getattr(exc, "exceptions", ()))


def _patch(monkeypatch: Any, owner: Any, attr: str, fire_when: Callable[[], bool]) -> List[bool]:
    fired: List[bool] = []
    monkeypatch.setattr(owner, attr, _tripwire(fire_when, getattr(owner, attr), fired))
    return fired


def _interrupted_cleanly(rec: Recording) -> Dict[str, Any]:
    assert not rec.of("runtime.disabled"), rec.of("runtime.disabled")
    finished = rec.of("run.finished")
    assert len(finished) == 1 and finished[0]["outcome"] == "raised", finished
    assert "KeyboardInterrupt" in json.dumps(finished[0]["error"]), finished[0]
    # every task the panel drew has an outcome
    exited = {e["id"] for e in rec.of("task.exited")}
    assert {e["id"] for e in rec.of("task.spawned")} <= exited
    return finished[0]


@pytest.fixture
def instrument() -> Any:
    """An Instrument writing to memory, and the list it writes to."""
    import nursery_lens

    chunks: List[str] = []
    return nursery_lens.Instrument(sink=chunks.append, sample_hz=0), chunks


def test_ctrl_c_inside_task_spawned_interrupts_the_program(monkeypatch, instrument):
    from nursery_lens import _instrument

    fired = _patch(monkeypatch, _instrument, "_perf", _called_from("task_spawned"))
    rec = _run_interrupted(instrument)
    assert fired
    _interrupted_cleanly(rec)
    # the spawn the interrupt landed in was still recorded
    assert [t["name"] for t in rec.tasks("sleeper")] == ["sleeper"]


def test_ctrl_c_while_attaching_mid_run_interrupts_the_program(monkeypatch, instrument):
    from nursery_lens import _instrument

    fired = _patch(monkeypatch, _instrument.Instrument, "_attach", lambda: True)
    rec = _run_interrupted(instrument, add_mid_run=True)
    assert fired
    _interrupted_cleanly(rec)
    assert rec.main()["name"].endswith("_scenario")


def test_ctrl_c_inside_cancel_still_cancels(monkeypatch, instrument):
    from nursery_lens import _instrument

    fired = _patch(monkeypatch, _instrument.Instrument, "_cancel_called", lambda: True)
    rec = _run_interrupted(instrument)
    assert fired
    _interrupted_cleanly(rec)
    # the cancel() the interrupt landed in took effect, and the panel says
    # who cancelled the victim
    victim = rec.exit(rec.task("victim")["id"])
    assert victim["outcome"] == "cancelled", victim
    assert victim["cancel"] == {**victim["cancel"], "source": "explicit", "by": rec.main()["id"]}, victim


def test_ctrl_c_inside_started_still_moves_the_task(monkeypatch, instrument):
    from nursery_lens import _instrument

    fired = _patch(monkeypatch, _instrument.Instrument, "_task_moved", lambda: True)
    rec = _run_interrupted(instrument)
    assert fired
    _interrupted_cleanly(rec)
    moved = rec.of("task.moved")
    assert [m["id"] for m in moved] == [rec.task("started-one")["id"]]


@pytest.mark.parametrize("attr", ["_nursery_opened", "_nursery_closed"])
def test_ctrl_c_inside_nursery_bookkeeping(monkeypatch, instrument, attr):
    from nursery_lens import _instrument

    fired = _patch(monkeypatch, _instrument.Instrument, attr, lambda: True)
    rec = _run_interrupted(instrument)
    assert fired
    _interrupted_cleanly(rec)
    opened = {e["id"] for e in rec.of("nursery.opened")}
    assert opened and opened == {e["id"] for e in rec.of("nursery.closed")}
