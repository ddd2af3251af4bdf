"""Outcomes in the tree, from real trio.run calls: who raised, who was cancelled
and by what (a failing sibling, the owner's body, an explicit cancel, a deadline,
the run itself), and what a shielded cleanup still runs."""

from __future__ import annotations

import pytest
import trio

from conftest import Group as _Group, line_of as line_in


def at(function: str, marker: str) -> dict[str, object]:
    """The site of the line marked ``marker`` in this file, in ``function``."""
    return {"file": __file__, "line": line_in(__file__, marker), "function": function}


def test_child_raises_siblings_cancelled_by_it(record):
    async def sleeper():
        await trio.sleep_forever()

    async def bad():
        await trio.sleep(0)
        raise ValueError('bad <url> "x"')  # BAD-RAISES

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(sleeper, name="s1")
            n.start_soon(sleeper, name="s2")
            n.start_soon(bad)

    rec = record(main, raises=(ValueError, _Group))
    bad_t = rec.task("bad")
    ex = rec.exit(bad_t["id"])
    assert ex["outcome"] == "raised"
    bad_error = {"type": "ValueError", "message": 'bad <url> "x"', "site": at("bad", "BAD-RAISES")}
    assert ex["error"] == bad_error, "with the line that raised it"
    for name in ("s1", "s2"):
        e = rec.exit(rec.task(name)["id"])
        assert e["outcome"] == "cancelled", e
        assert e["cancel"]["source"] == "nursery", e
        assert e["cancel"]["by"] == bad_t["id"], e
    main_exit = rec.exit(rec.main()["id"])
    assert main_exit["outcome"] == "raised"
    fin = rec.of("run.finished")[0]
    assert fin["outcome"] == "raised"
    if fin["error"].get("exceptions"):
        assert fin["error"]["exceptions"][0] == bad_error


def test_failure_while_siblings_are_being_cancelled(record):
    async def cleanup_fails():
        try:
            await trio.sleep_forever()
        finally:
            raise RuntimeError("cleanup failed")

    async def bad():
        raise ValueError("first")

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(cleanup_fails)
            await trio.sleep(0)
            n.start_soon(bad)

    rec = record(main, raises=_Group)
    cf = rec.exit(rec.task("cleanup_fails")["id"])
    assert cf["outcome"] == "raised"
    assert cf["error"]["type"] == "RuntimeError"
    assert rec.exit(rec.task("bad")["id"])["outcome"] == "raised"
    types = sorted(e["type"] for e in rec.of("run.finished")[0]["error"]["exceptions"])
    assert types == ["RuntimeError", "ValueError"]


def test_nested_failures_and_groups(record):
    async def deep():
        raise OSError("deep")  # DEEP-RAISES

    async def middle():
        async with trio.open_nursery() as n:
            n.start_soon(deep)
            n.start_soon(trio.sleep_forever)

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(middle)

    rec = record(main, raises=_Group)
    mid = rec.exit(rec.task("middle")["id"])
    assert mid["outcome"] == "raised"
    assert mid["error"]["exceptions"] == [{"type": "OSError", "message": "deep", "site": at("deep", "DEEP-RAISES")}]
    assert mid["error"]["site"]["function"] == "middle", "the group: where middle's nursery raised it"
    assert rec.exit(rec.task("deep")["id"])["error"]["type"] == "OSError"
    sf = rec.exit(rec.task("sleep_forever")["id"])
    assert sf["outcome"] == "cancelled"
    assert sf["cancel"]["by"] == rec.task("deep")["id"]


def test_an_error_raised_inside_a_library_is_placed_at_the_programs_call(record):
    async def main():
        await trio.sleep(-1)  # RAISES-INSIDE-TRIO

    rec = record(main, raises=ValueError)
    err = rec.exit(rec.main()["id"])["error"]
    assert err["type"] == "ValueError"
    assert err["site"] == at("main", "RAISES-INSIDE-TRIO"), "the program's line, not Trio's"


def test_body_exception_cancels_children_by_owner(record):
    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(trio.sleep_forever)
            await trio.sleep(0)
            raise LookupError("body")

    rec = record(main, raises=(LookupError, _Group))
    e = rec.exit(rec.task("sleep_forever")["id"])
    assert e["outcome"] == "cancelled"
    assert e["cancel"] == {**e["cancel"], "source": "nursery", "by": rec.main()["id"]}


def test_explicit_cancel_by_task(record):
    async def victim():
        await trio.sleep_forever()

    async def canceller(n):
        await trio.sleep(0)
        n.cancel_scope.cancel()

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(victim)
            n.start_soon(canceller, n)

    rec = record(main)
    e = rec.exit(rec.task("victim")["id"])
    assert e["outcome"] == "cancelled"
    assert e["cancel"]["source"] == "explicit"
    assert e["cancel"]["by"] == rec.task("canceller")["id"]


def test_move_on_after_and_fail_after(record):
    async def waits():
        async with trio.open_nursery() as n:
            n.start_soon(trio.sleep_forever)
            await trio.sleep_forever()

    async def main():
        with trio.move_on_after(0.01):
            await waits()
        with trio.fail_after(0.01):
            await trio.sleep_forever()

    rec = record(main, raises=trio.TooSlowError)
    sf = rec.exit(rec.task("sleep_forever")["id"])
    assert sf["outcome"] == "cancelled"
    assert sf["cancel"]["source"] == "deadline"
    m = rec.exit(rec.main()["id"])
    assert m["outcome"] == "raised"
    assert m["error"]["type"] == "trio.TooSlowError"
    assert rec.of("run.finished")[0]["error"]["type"] == "trio.TooSlowError"


def test_shielded_cleanup_runs_to_completion(record):
    async def careful():
        try:
            await trio.sleep_forever()
        finally:
            with trio.CancelScope(shield=True):
                await trio.sleep(0.01)
                async with trio.open_nursery() as n:
                    n.start_soon(trio.sleep, 0, name="cleanup-helper")

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(careful)
            await trio.sleep(0.01)
            n.cancel_scope.cancel()

    rec = record(main)
    assert rec.exit(rec.task("cleanup-helper")["id"])["outcome"] == "returned"
    assert rec.exit(rec.task("careful")["id"])["outcome"] == "cancelled"


def test_main_task_cancelled_and_run_outcome(record):
    async def main():
        nursery = trio.lowlevel.current_task().parent_nursery
        assert nursery is not None
        nursery.cancel_scope.cancel()
        await trio.sleep_forever()

    rec = record(main, raises=trio.Cancelled)
    assert rec.exit(rec.main()["id"])["outcome"] == "cancelled"
    assert rec.of("run.finished")[0]["outcome"] == "cancelled"


def test_loose_groups_multierror_outcomes():
    """strict_exception_groups=False: MultiError on Trio 0.22, loose groups later."""
    import warnings

    import nursery_lens
    from conftest import Recording, check_order

    async def fails(msg):
        raise ValueError(msg)  # no checkpoint: both raise before any cancel

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(fails, "one")
            n.start_soon(fails, "two")

    chunks: list[str] = []
    inst = nursery_lens.Instrument(sink=chunks.append, sample_hz=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises((_Group, ValueError)):
            trio.run(main, instruments=[inst], strict_exception_groups=False)
    inst.close()
    rec = Recording("".join(chunks))
    check_order(rec.events)
    m = rec.exit(rec.main()["id"])
    assert m["outcome"] == "raised"
    leaves = m["error"].get("exceptions") or [m["error"]]
    assert sorted(e["message"] for e in leaves) == ["one", "two"]
    for t in rec.tasks("fails"):
        assert rec.exit(t["id"])["outcome"] == "raised"
