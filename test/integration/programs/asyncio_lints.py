"""asyncio programs for the store's lints, one per mode (argv[1]):

  run    asyncio.run(main): a task blocks the loop 300 ms (and 50 ms, a near
         miss), a loose task outlives the task that made it, a loose task
         raises and nobody retrieves it, a coroutine is made and never awaited
  bare   a bare loop closes with a task still pending
"""

import asyncio
import sys
import time


async def fetch(url):
    await asyncio.sleep(0)


async def blocker():
    await asyncio.sleep(0.05)
    time.sleep(0.3)  # BLOCKS THE LOOP
    await asyncio.sleep(0.05)
    time.sleep(0.05)  # NEAR MISS


async def straggler():
    await asyncio.sleep(0.6)


async def spawner():
    asyncio.create_task(straggler(), name="straggler")  # THE LOOSE TASK
    await asyncio.sleep(0)


async def fails():
    raise ValueError("nobody looked")


async def main():
    fetch("https://example.invalid")  # NEVER AWAITED
    failing = asyncio.create_task(fails(), name="failing")  # THE FAILING TASK
    await asyncio.create_task(spawner(), name="spawner")
    await asyncio.create_task(blocker(), name="blocker")
    await asyncio.sleep(0.8)
    assert failing.done()


async def waits():
    await asyncio.Event().wait()  # WAITS FOREVER


def bare():
    loop = asyncio.new_event_loop()
    try:
        pending = loop.create_task(waits(), name="never finished")  # THE PENDING TASK
        loop.run_until_complete(asyncio.sleep(0.3))
    finally:
        loop.close()
    pending._log_destroy_pending = False  # (asyncio's own complaint is not what this tests)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "run":
        asyncio.run(main())
    elif mode == "bare":
        bare()
    else:
        raise SystemExit(f"unknown mode {mode}")
