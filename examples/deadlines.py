"""Deadlines: move_on_after, fail_after, nested scopes and a shielded cleanup.

    python deadlines.py

What to look at in the Nursery Lens panel (four tasks in one nursery, each
with its own cancel scopes; the whole program takes about a second):
  * `slow query`: `move_on_after(0.3)` around a 10 s wait; at 0.3 s the
    scope is cancelled and the task carries on past the block (returned);
  * `strict call`: `fail_after(0.5)`; at 0.5 s the wait is cancelled and
    TooSlowError is raised, which the task catches (returned);
  * `nested`: an outer 1.0 s deadline holding first an inner 0.2 s one (the
    inner fires, the outer keeps going) and then an inner 5 s one (the outer
    fires first at 1.0 s: an inner scope cannot extend an outer deadline);
  * `cleanup`: cancelled by its 0.4 s deadline, then runs 0.2 s of cleanup
    inside a *shielded* scope (shield=true in the panel) that the
    cancellation cannot interrupt, with its own 1 s deadline as a backstop.

The report prints in a fixed order after the nursery closes, so the output is
the same on every run.
"""

from __future__ import annotations

import trio

report: dict[str, list[str]] = {"slow query": [], "strict call": [], "nested": [], "cleanup": []}


async def slow_query() -> None:
    log = report["slow query"].append
    with trio.move_on_after(0.3) as scope:
        await trio.sleep(10)  # the query that never answers in time
        log("answered")  # not reached
    if scope.cancelled_caught:
        log("move_on_after(0.3): gave up waiting, carried on without an answer")


async def strict_call() -> None:
    log = report["strict call"].append
    try:
        with trio.fail_after(0.5):
            await trio.sleep(10)
    except trio.TooSlowError:
        log("fail_after(0.5): raised TooSlowError, caught by the caller")


async def nested() -> None:
    log = report["nested"].append
    with trio.move_on_after(1.0) as outer:
        with trio.move_on_after(0.2) as inner:
            await trio.sleep(10)
        log(f"inner move_on_after(0.2) fired first: inner cancelled={inner.cancelled_caught}, outer still running")
        with trio.move_on_after(5.0) as late_inner:
            await trio.sleep(10)
        log("not reached: the outer deadline is earlier than the inner 5 s one")
    log(f"outer move_on_after(1.0) fired inside the inner 5 s scope: outer caught={outer.cancelled_caught}, inner caught={late_inner.cancelled_caught}")


async def cleanup() -> None:
    log = report["cleanup"].append
    with trio.move_on_after(0.4):
        try:
            await trio.sleep(10)
        finally:
            # Cancelled: every unshielded await would raise Cancelled at
            # once. The shield lets the cleanup finish; its own deadline
            # keeps a stuck cleanup from hanging the program.
            with trio.move_on_after(1.0) as cleanup_scope:
                cleanup_scope.shield = True
                await trio.sleep(0.2)  # e.g. telling a server goodbye
                log("cancelled at 0.4 s, then finished 0.2 s of cleanup inside a shielded scope")
    log(f"cleanup deadline (1 s) needed: {cleanup_scope.cancelled_caught}")


async def main() -> None:
    async with trio.open_nursery() as nursery:
        nursery.start_soon(slow_query, name="slow query")
        nursery.start_soon(strict_call, name="strict call")
        nursery.start_soon(nested, name="nested")
        nursery.start_soon(cleanup, name="cleanup")
    for name, lines in report.items():
        for line in lines:
            print(f"{name}: {line}")


if __name__ == "__main__":
    trio.run(main)
