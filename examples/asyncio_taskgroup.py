"""Tonight's order report, with asyncio (Python 3.11+): a TaskGroup, a timeout, a loose task, a failing child.

    python asyncio_taskgroup.py [--no-fail] [--timeout SECONDS] [--slow FACTOR]

What to look at in the Nursery Lens panel:
  * `main` enters `asyncio.timeout(5)` (a countdown beside main; its details
    say `asyncio.timeout at main:…`) and opens one TaskGroup (labelled
    `TaskGroup`) that loads three tables at once: `load(customers)`,
    `load(orders)` and `load(stock)`, each waiting in `read_rows`;
  * `load(customers)` finishes first and hands its rows to a cache warmer
    with plain `asyncio.create_task`: `warm cache` is a *loose* task, drawn
    under the loader that made it with a dashed line, owned by no task
    group. It outlives its maker: the loader returns at once;
  * `load(stock)` meets a bad row and raises ValueError; the TaskGroup
    cancels `load(orders)`, still reading (cancelled: a failing sibling),
    and main catches the error with `except*`. The loose cache warmer is
    not cancelled: no task group owns it. Main waits for it, then returns;
    the program exits with status 1 to say the report failed.

With --no-fail every table loads and main prints the report; with
--timeout 0.3 the deadline passes first and the TaskGroup's tasks are
cancelled by it. --slow 5 makes every read five times slower (the
timeout stays as given): the launch configuration uses it, so that F5
shows the run live for about 4 s instead of 0.8 s. Output is deterministic: every step is a timer, and the
event loop runs timers in the order they are due.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

TABLES = {"customers": 3, "orders": 5, "stock": 4}
#: seconds each table takes to read; stock's bad row comes halfway through it
READ_SECONDS = {"customers": 0.2, "orders": 1.2, "stock": 0.6}
#: --slow: every read and the cache takes this many times as long
SLOW = 1.0
cancelled: list[str] = []
warmer: asyncio.Task[int] | None = None


async def read_rows(table: str, fail: bool) -> list[str]:
    """The table's rows, one simulated network read at a time."""
    rows = []
    for n in range(TABLES[table]):
        await asyncio.sleep(SLOW * READ_SECONDS[table] / TABLES[table])  # waiting for the database
        if fail and table == "stock" and n == 2:
            print("load(stock): row 3 has a negative quantity, raising ValueError", flush=True)
            raise ValueError("stock row 3: quantity -2")
        rows.append(f"{table} #{n + 1}")
    return rows


async def warm_cache(rows: list[str]) -> int:
    """Loads rows into a cache, long after the loader that made this task returned."""
    await asyncio.sleep(SLOW * 0.6)  # talking to the cache
    print(f"warm cache: {len(rows)} customers cached, after their loader had returned", flush=True)
    return len(rows)


async def load(table: str, fail: bool) -> list[str]:
    global warmer
    try:
        rows = await read_rows(table, fail)
    except asyncio.CancelledError:
        cancelled.append(f"load({table})")
        raise  # a CancelledError must always be re-raised
    print(f"load({table}): {len(rows)} rows", flush=True)
    if table == "customers":
        # Fire and forget: a loose task, owned by no task group, outliving this one.
        warmer = asyncio.create_task(warm_cache(rows), name="warm cache")
    return rows


async def main(fail: bool, timeout: float) -> int:
    status = 0
    try:
        async with asyncio.timeout(timeout):
            async with asyncio.TaskGroup() as group:
                loads = {table: group.create_task(load(table, fail), name=f"load({table})") for table in TABLES}
        print("main: report: " + ", ".join(f"{len(task.result())} {table}" for table, task in loads.items()), flush=True)
    except* ValueError as failure:
        for error in failure.exceptions:
            print(f"main: the TaskGroup raised {type(error).__name__}: {error}", flush=True)
        print(f"main: cancelled by the failure: {', '.join(sorted(cancelled)) or 'nothing'}", flush=True)
        status = 1
    except* TimeoutError:
        print(f"main: timed out after {timeout:g} s; cancelled: {', '.join(sorted(cancelled)) or 'nothing'}", flush=True)
        status = 2
    if warmer is not None:
        await warmer  # the loose task was never the TaskGroup's: wait for it here
        print("main: the cache warmer finished too", flush=True)
    return status


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="An order report built by an asyncio TaskGroup.")
    parser.add_argument("--no-fail", action="store_true", help="no bad row in the stock table")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds before asyncio.timeout gives up (default 5)")
    parser.add_argument("--slow", type=float, default=1.0, help="every read takes this many times as long (default 1)")
    args = parser.parse_args()
    SLOW = args.slow
    sys.exit(asyncio.run(main(not args.no_fail, args.timeout)))
