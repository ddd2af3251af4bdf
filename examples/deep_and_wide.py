"""A deep and wide tree of nurseries: thousands of tasks, for scale.

    python deep_and_wide.py [--depth 6] [--fanout 4] [--hold 1.0]

What to look at in the Nursery Lens panel:
  * `main` spawns `--fanout` tasks named `node 1`, `node 2`, ...; every node
    above the last level owns a nursery and spawns `--fanout` children
    (`node 1.1`, `node 1.2`, ...), down to `--depth` levels: with the
    defaults 4 + 16 + 64 + 256 + 1024 + 4096 = 5460 tasks in 1365 nurseries
    (main's included), all alive at once;
  * the leaves wait in `leaf` for 1 to 2 times `--hold` seconds, staggered
    by their position, so the tree empties in waves from the right of each
    family; collapse and search are how you find one node in all that;
  * every task returns; the counts printed at the end are measured by the
    tasks themselves and checked against the formula.
"""

from __future__ import annotations

import argparse
import sys

import trio

counts = {"tasks": 0, "nurseries": 0, "leaves": 0, "deepest": 0}


async def leaf(path: str, hold: float, position: int, fanout: int) -> None:
    # Later siblings wait longer, so each family finishes from first to last.
    await trio.sleep(hold * (1 + position / fanout))


async def node(path: str, level: int, depth: int, fanout: int, hold: float, position: int) -> None:
    counts["tasks"] += 1
    counts["deepest"] = max(counts["deepest"], level)
    if level == depth:
        counts["leaves"] += 1
        await leaf(path, hold, position, fanout)
        return
    await spawn_children(path, level, depth, fanout, hold)


async def spawn_children(path: str, level: int, depth: int, fanout: int, hold: float) -> None:
    counts["nurseries"] += 1
    async with trio.open_nursery() as nursery:
        for position in range(1, fanout + 1):
            child = f"{path}.{position}" if path else str(position)
            nursery.start_soon(node, child, level + 1, depth, fanout, hold, position, name=f"node {child}")


async def main(depth: int, fanout: int, hold: float) -> int:
    await spawn_children("", 0, depth, fanout, hold)
    expected_tasks = sum(fanout**level for level in range(1, depth + 1))
    expected_nurseries = sum(fanout**level for level in range(0, depth))
    print(f"tree: depth {depth}, fan-out {fanout}")
    print(f"tasks: {counts['tasks']} (expected {expected_tasks})")
    print(f"nurseries: {counts['nurseries']} (expected {expected_nurseries})")
    print(f"leaves: {counts['leaves']} (expected {fanout ** depth})")
    print(f"deepest level: {counts['deepest']}")
    ok = counts["tasks"] == expected_tasks and counts["nurseries"] == expected_nurseries and counts["leaves"] == fanout**depth
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A deep and wide tree of nurseries.")
    parser.add_argument("--depth", type=int, default=6, help="levels of tasks below main (default 6)")
    parser.add_argument("--fanout", type=int, default=4, help="children per nursery (default 4)")
    parser.add_argument("--hold", type=float, default=1.0, help="seconds the first leaf of each family waits (default 1.0)")
    args = parser.parse_args()
    if args.depth < 1 or args.fanout < 1:
        parser.error("--depth and --fanout must be at least 1")
    sys.exit(trio.run(main, args.depth, args.fanout, args.hold))
