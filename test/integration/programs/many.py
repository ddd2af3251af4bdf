"""Spawns N short tasks in batches (N from argv), for volume."""
import sys
import trio

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000


async def tick():
    await trio.sleep(0)


async def main():
    done = 0
    while done < N:
        async with trio.open_nursery() as n:
            for _ in range(min(500, N - done)):
                n.start_soon(tick)
                done += 1


trio.run(main)
