"""Why a task AnyIO cancelled on asyncio was cancelled (``task.exited.cancel``,
``scope.changed.cause``): the task that called ``cancel()``, a deadline, a
failing sibling or body — the words the Trio backend gives for the same
program, though AnyIO's asyncio scopes cancel their tasks later, from a
loop callback, where the calling task is no longer known."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import conftest

if TYPE_CHECKING:
    from conftest import Recording

anyio = pytest.importorskip("anyio")

HERE = __file__
#: Long enough for a sampler at HZ to see a scope (scope.changed)
HOLD = 0.2
HZ = 100


def site(marker: str, function: str) -> dict[str, object]:
    return {"file": HERE, "line": conftest.line_of(HERE, marker), "function": function}


def run(arecord: Any, main: Any, sample_hz: float = 0, raises: Any = None) -> Recording:
    import anyio._backends._asyncio  # loaded before the run: the runtime sees AnyIO's task groups

    return arecord(lambda: anyio.run(main, backend="asyncio"), sample_hz=sample_hz, raises=raises)  # type: ignore[no-any-return]


def run_on_trio(main: Any) -> Recording:
    return conftest.anyio_on_trio(main)


def cancel_of(rec: Recording, name: str) -> dict[str, Any]:
    e = rec.exit(rec.task(name)["id"])
    assert e["outcome"] == "cancelled", e
    return dict(e["cancel"])


def group_of(rec: Recording, owner: str, nth: int = 0) -> int:
    """The id of the ``nth`` AnyIO task group ``owner`` opened."""
    tid = rec.main()["id"] if owner == "main" else rec.task(owner)["id"]
    groups = [n["id"] for n in rec.of("nursery.opened") if n["task"] == tid and not n.get("start")]
    return groups[nth]


async def server(*, task_status: Any = anyio.TASK_STATUS_IGNORED) -> None:
    async with anyio.create_task_group() as connections:
        connections.start_soon(anyio.sleep_forever, name="listener")
        task_status.started()
        await anyio.sleep_forever()


async def stops_its_server() -> None:
    """The shape of examples/anyio_app.py: main ends its server by cancelling the group."""
    async with anyio.create_task_group() as services:
        await services.start(server, name="quote server")
        await anyio.sleep(0.01)
        services.cancel_scope.cancel()  # STOP-SERVER


def test_main_cancelling_its_group_names_main_and_where(arecord):
    rec = run(arecord, stops_its_server)
    expected = {
        "source": "explicit",
        "by": rec.main()["id"],
        "scope": group_of(rec, "main"),
        "site": site("# STOP-SERVER", "stops_its_server"),
    }
    assert cancel_of(rec, "quote server") == expected
    assert cancel_of(rec, "listener") == expected  # in the server's own group, inside main's


def test_the_same_words_on_trio():
    """The reference: AnyIO on Trio says the same (there, ``scope`` only
    once the stream reported the scope). The server, cancelled while it
    waits in its own group's body, gets a Cancelled whose source Trio calls
    "unknown": the cancel() call the runtime saw says why."""
    rec = run_on_trio(stops_its_server)
    for name in ("listener", "quote server"):
        c = cancel_of(rec, name)
        c.pop("scope", None)
        assert c == {"source": "explicit", "by": rec.main()["id"], "site": site("# STOP-SERVER", "stops_its_server")}, (
            name
        )


async def sleeper() -> None:
    await anyio.sleep(30)


async def canceller(scope: Any) -> None:
    await anyio.sleep(0.01)
    scope.cancel("enough")  # CANCEL-CALL


async def another_task_cancels() -> None:
    async with anyio.create_task_group() as outer:
        async with anyio.create_task_group() as inner:
            inner.start_soon(sleeper, name="victim")
            outer.start_soon(canceller, inner.cancel_scope, name="canceller")


def test_a_cancel_by_another_task_names_it_its_reason_and_the_group(arecord):
    rec = run(arecord, another_task_cancels)
    assert cancel_of(rec, "victim") == {
        "source": "explicit",
        "reason": "enough",
        "by": rec.task("canceller")["id"],
        "scope": group_of(rec, "main", 1),
        "site": site("# CANCEL-CALL", "canceller"),
    }


async def move_on_after() -> None:
    with anyio.move_on_after(HOLD):  # DEADLINE-move_on_after
        async with anyio.create_task_group() as tg:
            tg.start_soon(sleeper, name="victim")


async def times_out() -> None:
    with anyio.fail_after(HOLD):  # DEADLINE-times_out
        async with anyio.create_task_group() as tg:
            tg.start_soon(sleeper, name="victim")


async def fail_after() -> None:
    with pytest.raises(TimeoutError):
        await times_out()


async def cancel_scope_deadline() -> None:
    with anyio.CancelScope(deadline=anyio.current_time() + HOLD):  # DEADLINE-cancel_scope_deadline
        async with anyio.create_task_group() as tg:
            tg.start_soon(sleeper, name="victim")


@pytest.mark.parametrize(
    ("main", "entered_in"),
    [(move_on_after, "move_on_after"), (fail_after, "times_out"), (cancel_scope_deadline, "cancel_scope_deadline")],
)
def test_a_deadline_names_the_scope_and_where_it_was_entered(arecord, main, entered_in):
    rec = run(arecord, main, sample_hz=HZ)
    c = cancel_of(rec, "victim")
    (scope,) = {e["id"] for e in rec.of("scope.changed") if e["task"] == rec.main()["id"] and e["deadline"] is not None}
    assert c == {"source": "deadline", "scope": scope, "site": site(f"# DEADLINE-{entered_in}", entered_in)}


async def fails() -> None:
    await anyio.sleep(0.01)
    raise ValueError("boom")  # BOOM


async def a_sibling_fails() -> None:
    async with anyio.create_task_group() as tg:
        tg.start_soon(sleeper, name="victim")
        tg.start_soon(fails, name="bad")


def test_a_failing_sibling_names_the_task_its_exception_and_the_group(arecord):
    rec = run(arecord, a_sibling_fails, raises=ExceptionGroup)
    assert cancel_of(rec, "victim") == {
        "source": "nursery",
        "by": rec.task("bad")["id"],
        "scope": group_of(rec, "main"),
        "error": {"type": "ValueError", "message": "boom", "site": site("# BOOM", "fails")},
    }


async def the_body_raises() -> None:
    async with anyio.create_task_group() as tg:
        tg.start_soon(sleeper, name="victim")
        await anyio.sleep(0.01)
        raise KeyError("body")  # BODY-RAISES


def test_a_failing_body_names_the_owner(arecord):
    rec = run(arecord, the_body_raises, raises=ExceptionGroup)
    assert cancel_of(rec, "victim") == {
        "source": "nursery",
        "by": rec.main()["id"],
        "scope": group_of(rec, "main"),
        "error": {"type": "KeyError", "message": "'body'", "site": site("# BODY-RAISES", "the_body_raises")},
    }


async def lingers() -> None:
    with anyio.CancelScope() as cs:
        cs.cancel("enough")  # REASONED
        with anyio.CancelScope(shield=True):
            await anyio.sleep(HOLD)  # cleanup, sampled with the scope cancelled


def test_a_cancelled_scope_says_why_while_it_lingers(arecord):
    rec = run(arecord, lingers, sample_hz=HZ)
    called = [e for e in rec.of("scope.changed") if e["cancel_called"]]
    assert called, rec.of("scope.changed")
    assert called[-1]["reason"] == "enough"  # not AnyIO's "Cancelled via cancel scope 7f… by <Task …>"
    assert called[-1]["cause"] == {
        "source": "explicit",
        "reason": "enough",
        "by": rec.main()["id"],
        "site": site("# REASONED", "lingers"),
    }


async def shields_of_both_kinds() -> None:
    cond = anyio.Condition()

    async def waiter() -> None:
        async with cond:
            await cond.wait()  # notified, it takes the lock back inside a shield AnyIO enters for itself

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter, name="waiter")
        await anyio.sleep(0.05)
        async with cond:
            cond.notify()
            with anyio.CancelScope(shield=True):  # the user's own shield
                await anyio.sleep(HOLD)  # waiter waits for the lock meanwhile


def test_a_shield_anyio_enters_for_itself_is_not_shown(arecord):
    rec = run(arecord, shields_of_both_kinds, sample_hz=HZ)
    shielded = {e["task"] for e in rec.of("scope.changed") if e["shield"]}
    assert rec.main()["id"] in shielded, rec.of("scope.changed")  # the user's shield is seen
    # The waiter was sampled waiting for the lock, inside Condition.wait's own shield: no "shielded" badge.
    waiter = rec.task("waiter")["id"]
    assert any(e["id"] == waiter and e["state"] == "waiting" for e in rec.of("task.state"))
    assert waiter not in shielded, rec.of("scope.changed")
