"""A small Trio program with a known tree: two nurseries, a failing child that
cancels its sibling, a task started with nursery.start(), and named tasks."""
import trio


async def worker(delay):
    await trio.sleep(delay)


async def failer():
    await trio.sleep(0.05)
    raise ValueError("boom")


async def sleeper():
    await trio.sleep(10)


async def server(task_status=trio.TASK_STATUS_IGNORED):
    task_status.started()
    await trio.sleep(0.01)


async def main():
    async with trio.open_nursery() as outer:
        outer.start_soon(worker, 0.01, name="alpha")
        outer.start_soon(worker, 0.02, name="beta")
        await outer.start(server, name="srv")
    try:
        async with trio.open_nursery() as inner:
            inner.start_soon(failer, name="failer")
            inner.start_soon(sleeper, name="sleeper")
    except (ValueError, BaseExceptionGroup):  # strict exception groups (Trio >= 0.25) wrap it
        pass


trio.run(main)
