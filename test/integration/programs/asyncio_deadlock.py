"""Two asyncio tasks that deadlock: each waits (asyncio.wait) for the other to
finish, and main gathers both. Runs until interrupted (Ctrl-C, SIGINT).

(Not `await other` directly: asyncio cannot cancel two tasks that await each
other, Task.cancel() recurses through them forever, so Ctrl-C would fail.)
"""

import asyncio


async def settle(tasks: dict[str, asyncio.Task[None]], other: str) -> None:
    await asyncio.sleep(0.05)  # both exist by then
    await asyncio.wait([tasks[other]])  # DEADLOCK: the other waits for this one


async def main() -> None:
    tasks: dict[str, asyncio.Task[None]] = {}
    tasks["ledger"] = asyncio.create_task(settle(tasks, "audit"), name="settle ledger")
    tasks["audit"] = asyncio.create_task(settle(tasks, "ledger"), name="settle audit")
    await asyncio.gather(*tasks.values())


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
