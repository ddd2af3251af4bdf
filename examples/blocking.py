"""A Trio price board whose report is written with a synchronous call.

    python blocking.py [--boards 3] [--block-ms 300] [--hold]

Three `poll(<symbol>)` tasks fetch a price every 50 ms and one `report`
task renders the board every 0.4 s. Rendering calls a synchronous function
(`time.sleep` standing in for a blocking HTTP client, a database driver or
a heavy computation): while it runs the event loop is held and no poller
runs, so the board shows stale prices. The runtime notices (the loop did
not come back for longer than 100 ms), samples the loop's thread while it
is held, and tells which task and line held it.

What to look at with Nursery Lens:
  * the Problems panel warns at the `time.sleep` inside `render_sync` (the
    program's own line that held the loop): "The event loop was blocked
    here ... by task 'report'", how often and for how long; the line is
    squiggled, and the status bar item counts it;
  * the task tree marks `report` with "⚠ blocked the loop 300 ms";
  * `log_event(...)` is called without `await`: Python's "coroutine
    'log_event' was never awaited" becomes a warning at that line;
  * at the end of each `start_soon` line the editor says what it spawned
    (`3 live`), at the poller's `await trio.sleep` how many wait there; a
    Ctrl+click selects those tasks in the tree.

The near miss: each poll also parses its answer synchronously for 20 ms,
well under the threshold, and is not reported (a debugger on a busy machine
can stretch the three polls of one turn past 100 ms: then it is, rightly,
as the loop was held that long). `--block-ms 50` makes the
report a near miss too. Ends by itself after `--boards` boards (about 0.7 s
each); `--hold` renders until Ctrl-C.
"""

from __future__ import annotations

import argparse
import time

import trio

prices: dict[str, float] = {}


async def log_event(what: str) -> None:
    await trio.sleep(0)
    print(what)


def render_sync(board: dict[str, float], block_s: float) -> str:
    """A synchronous renderer (a blocking client in real life)."""
    time.sleep(block_s)  # BLOCKS THE LOOP
    return "  ".join(f"{sym} {price:.2f}" for sym, price in sorted(board.items()))


async def poll(symbol: str, start: float) -> None:
    price = start
    while True:
        await trio.sleep(0.05)  # the pollers wait here
        time.sleep(0.02)  # parsing the answer: synchronous, but short
        price *= 1.001
        prices[symbol] = price


async def report(block_s: float, boards: float, done: trio.Event) -> None:
    rounds = 0
    while rounds < boards:
        await trio.sleep(0.4)
        rounds += 1
        line = render_sync(prices, block_s)
        print(f"board {rounds}: {line}", flush=True)
        if rounds == 1:
            log_event("first board")  # forgot the await: never runs
    done.set()


async def main(boards: float, block_ms: float) -> None:
    done = trio.Event()
    async with trio.open_nursery() as nursery:
        for symbol, start in (("ACME", 12.5), ("GLOBEX", 88.0), ("INITECH", 3.2)):
            nursery.start_soon(poll, symbol, start, name=f"poll({symbol})")  # SPAWNS POLLERS
        nursery.start_soon(report, block_ms / 1000, boards, done, name="report")  # SPAWNS REPORT
        await done.wait()
        nursery.cancel_scope.cancel()
    print("done", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--boards", type=int, default=3, help="boards to render before stopping (default 3)")
    parser.add_argument("--block-ms", type=float, default=300.0, help="how long rendering holds the loop (default 300)")
    parser.add_argument("--hold", action="store_true", help="render boards until Ctrl-C")
    args = parser.parse_args()
    trio.run(main, float("inf") if args.hold else args.boards, args.block_ms)
