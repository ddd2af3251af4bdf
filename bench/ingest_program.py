"""The program recorded for `npm run bench:ingest`: waves of short tasks in
nested nurseries, with deadlines, cancellations, a failing child per wave and
nursery.start(), so the stream has every event type in realistic proportions.

usage: ingest_program.py WAVES  (each wave ~ 1,000 tasks)
"""
import sys

import trio

WAVES = int(sys.argv[1]) if len(sys.argv) > 1 else 10


async def leaf(i):
    await trio.sleep(0)
    if i % 7 == 0:
        await trio.sleep(0)


async def group(n):
    async with trio.open_nursery() as inner:
        for i in range(n):
            inner.start_soon(leaf, i)


async def failing():
    await trio.sleep(0)
    raise RuntimeError("wave failure")


async def victim():
    await trio.sleep_forever()


async def started(task_status=trio.TASK_STATUS_IGNORED):
    task_status.started()
    await trio.sleep(0)


async def wave():
    async with trio.open_nursery() as outer:
        for _ in range(20):
            outer.start_soon(group, 45)
        await outer.start(started)
        with trio.move_on_after(0.001):
            await trio.sleep_forever()
    try:
        async with trio.open_nursery() as doomed:
            for _ in range(5):
                doomed.start_soon(victim)
            doomed.start_soon(failing)
    except BaseException as exc:  # an (exception group of) RuntimeError
        if not isinstance(exc, (RuntimeError, BaseExceptionGroup)):
            raise


async def main():
    for _ in range(WAVES):
        await wave()


trio.run(main)
