"""Why a task or a scope was cancelled, and by whom (``task.exited.cancel``,
``scope.changed.cause``, ``scope.changed.site``/``call``), on the newest
Trio and on 0.22.2: a deadline (which scope, where), a failing sibling
(which task, which exception, which nursery), an explicit ``cancel()``
(where, by which task, with its reason), Ctrl-C, the run ending."""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest
import trio

import conftest
from conftest import Group, Recording

HERE = __file__
#: Trio >= 0.31 keeps a reason with each cancel (trio#3232)
REASONS = hasattr(trio.CancelScope, "_cancel") and "reason" in trio.CancelScope.cancel.__code__.co_varnames


def line_of(marker: str) -> int:
    return conftest.line_of(HERE, marker)


def site_at(marker: str) -> dict[str, Any]:
    return {"file": HERE, "line": line_of(marker)}


def cancel_of(rec: Recording, name: str) -> dict[str, Any]:
    e = rec.exit(rec.task(name)["id"])
    assert e["outcome"] == "cancelled", e
    return dict(e["cancel"])


def scope_lines(rec: Recording, sid: int) -> list[dict[str, Any]]:
    return [e for e in rec.of("scope.changed") if e["id"] == sid]


def test_deadline_names_the_scope_and_where_it_was_entered(record):
    async def main():
        with trio.move_on_after(0.2):  # MOVE-ON
            async with trio.open_nursery() as n:
                n.start_soon(trio.sleep_forever, name="victim")
                await trio.sleep_forever()

    rec = record(main, sample_hz=50)
    c = cancel_of(rec, "victim")
    assert c["source"] == "deadline"
    assert {k: c["site"][k] for k in ("file", "line")} == site_at("# MOVE-ON")
    # the scope was sampled while it ran: the exit names it, and its line says where and how it was made
    (first, *_) = scope_lines(rec, c["scope"])
    assert (first["site"]["line"], first["site"]["function"]) == (line_of("# MOVE-ON"), "main")
    if hasattr(trio.CancelScope, "relative_deadline"):
        assert first["call"] == "move_on_after"  # older Trio makes it absolute before it is entered


def test_a_cancelled_scope_says_why_while_it_lingers(record):
    async def main():
        with trio.fail_after(0.1):  # FAIL-AFTER
            try:
                await trio.sleep_forever()
            finally:
                with trio.CancelScope(shield=True):
                    await trio.sleep(0.3)  # cleanup, sampled with the scope cancelled

    rec = record(main, raises=trio.TooSlowError, sample_hz=50)
    deadline_scopes = [e for e in rec.of("scope.changed") if e["deadline"] is not None]
    cancelled = [e for e in deadline_scopes if e["cancel_called"]]
    assert cancelled, deadline_scopes
    last = cancelled[-1]
    assert last["cause"]["source"] == "deadline"
    assert last["site"]["line"] == line_of("# FAIL-AFTER")
    # newer Trio's fail_after is a generator of its own; 0.22's delegates to fail_at
    assert last["call"] in ("fail_after", "fail_at")


def test_a_failing_sibling_names_the_task_its_exception_and_the_nursery(record):
    async def bad():
        await trio.sleep(0.05)
        raise ValueError("bad url")  # BAD-URL

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(trio.sleep_forever, name="victim")
            n.start_soon(bad, name="bad")

    rec = record(main, raises=Group, sample_hz=0)
    c = cancel_of(rec, "victim")
    nursery = rec.task("victim")["nursery"]
    assert c == {
        **c,
        "source": "nursery",
        "by": rec.task("bad")["id"],
        "scope": nursery,
        "error": {"type": "ValueError", "message": "bad url", "site": {**site_at("# BAD-URL"), "function": "bad"}},
    }


def test_explicit_cancel_says_where_by_whom_and_why(record):
    async def canceller(scope):
        await trio.sleep(0.05)
        if REASONS:
            scope.cancel(reason="shutting down")
        else:
            scope.cancel()  # CANCEL-CALL

    async def main():
        with trio.CancelScope() as cs:  # EXPLICIT-SCOPE
            async with trio.open_nursery() as n:
                n.start_soon(trio.sleep_forever, name="victim")
                n.start_soon(canceller, cs, name="canceller")
                await trio.sleep_forever()

    rec = record(main, sample_hz=0)
    c = cancel_of(rec, "victim")
    assert c["source"] == "explicit"
    assert c["by"] == rec.task("canceller")["id"]
    assert c["site"]["function"] == "canceller"
    expected_line = line_of('reason="shutting down"') if REASONS else line_of("# CANCEL-CALL")
    assert c["site"]["line"] == expected_line
    if REASONS:
        assert c["reason"] == "shutting down"


def test_a_sleep_whose_own_deadline_passed_meanwhile_is_cancelled_by_the_cancel_call(record):
    # blocking.py: the loop held past a poller's trio.sleep(0.05) deadline,
    # then main cancels the nursery. Trio's Cancelled says "deadline" (the
    # sleep's own scope, Trio's), which read "cancelled because the deadline
    # of a cancel scope expired" for a program with no deadline at all.
    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(trio.sleep, 0.05, name="poller")
            await trio.sleep(0.01)
            time.sleep(0.1)  # noqa: ASYNC251  the sleep's deadline passes while the loop is held
            n.cancel_scope.cancel()  # CANCELS-THE-POLLER

    rec = record(main, sample_hz=0)
    c = cancel_of(rec, "poller")
    assert c["source"] == "explicit", c
    assert c["site"]["line"] == line_of("# CANCELS-THE-POLLER"), c


def test_a_nursery_passing_a_cancel_on_is_not_an_explicit_cancel(record):
    """Trio 0.22 cancels a nursery's own scope with cancel() when its body is
    cancelled: that is Trio passing a cancel on, not a call in the task."""

    async def main():
        with trio.CancelScope() as cs:
            async with trio.open_nursery() as n:
                n.start_soon(trio.sleep_forever, name="victim")
                await trio.sleep(0.2)
                with trio.CancelScope(shield=True):
                    cs.cancel()
                    await trio.sleep(0.2)  # sampled: main's scopes are cancelled
                await trio.sleep(0)

    rec = record(main, sample_hz=50)
    causes = [e["cause"] for e in rec.of("scope.changed") if "cause" in e]
    assert causes, rec.of("scope.changed")
    assert all(c.get("site", {}).get("line") != line_of("async with trio.open_nursery() as n:") for c in causes)


def test_ctrl_c_cancels_the_others_as_an_interrupt(record):
    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(trio.sleep_forever, name="victim")
            await trio.sleep(0.05)
            signal.raise_signal(signal.SIGINT)  # CTRL-C
            await trio.sleep(1)

    rec = record(main, raises=(KeyboardInterrupt, Group), sample_hz=0)
    c = cancel_of(rec, "victim")
    assert c == {
        **c,
        "source": "interrupt",
        "by": rec.main()["id"],
        "scope": rec.task("victim")["nursery"],
        # where the program was when Ctrl-C came
        "error": {"type": "KeyboardInterrupt", "message": "", "site": {**site_at("# CTRL-C"), "function": "main"}},
    }


def test_the_run_ending_cancels_system_tasks_as_shutdown(record):
    async def main():
        trio.lowlevel.spawn_system_task(trio.sleep_forever, name="housekeeper")
        await trio.sleep(0.05)

    rec = record(main, sample_hz=0)
    assert cancel_of(rec, "housekeeper")["source"] == "shutdown"


@pytest.mark.skipif(not REASONS, reason="Trio < 0.31 keeps no cancel reasons")
def test_trio_reasons_reach_the_scope_line(record):
    async def main():
        with trio.CancelScope() as cs:
            cs.cancel(reason="enough")  # REASONED
            with trio.CancelScope(shield=True):
                await trio.sleep(0.2)

    rec = record(main, sample_hz=50)
    cancelled = [e for e in rec.of("scope.changed") if e["cancel_called"] and e.get("call") == "CancelScope"]
    assert cancelled, rec.of("scope.changed")
    cause = cancelled[-1]["cause"]
    assert (cause["source"], cause["reason"]) == ("explicit", "enough")
    assert cause["site"]["line"] == line_of("# REASONED")
    assert cause["by"] == rec.main()["id"]
