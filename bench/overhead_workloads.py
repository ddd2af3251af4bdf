"""The workloads bench/overhead.py measures, each run in its own subprocess.

Trio and asyncio versions of one shape each, so that their overheads compare:
``spawn`` (100,000 tasks in 100 task groups of 1,000), ``checkpoint`` (10
tasks x 100,000 ``sleep(0)``), ``hettinger`` (14 HTTP fetches through a
limit of 10, repeated); and, for asyncio only, ``locks`` (``checkpoint`` with
an ``asyncio.Lock`` taken around every ``sleep(0)``: what recording lock
owners costs) and ``semaphores`` (the same with a ``Semaphore``: what naming
its holders costs). Only the library a workload uses is imported;
the asyncio ones need Python 3.11 (TaskGroup), as the runtime's asyncio support.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

REQUEST = b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"


def runner(name: str, size: float, port: int) -> Callable[[], Any]:
    """A function that runs workload ``name`` once (a whole trio.run/asyncio.run)."""
    if name.startswith("asyncio_"):
        import asyncio

        main = _asyncio_mains(size, port)[name.removeprefix("asyncio_")]
        return lambda: asyncio.run(main())
    import trio

    trio_main = _trio_mains(size, port)[name]
    return lambda: trio.run(trio_main)


def _trio_mains(size: float, port: int) -> dict[str, Callable[[], Any]]:
    import trio

    async def spawn_main() -> None:
        groups = max(1, int(100 * size))

        async def leaf() -> None:
            await trio.sleep(0)

        async def group() -> None:
            async with trio.open_nursery() as n:
                for _ in range(1000):
                    n.start_soon(leaf)

        async with trio.open_nursery() as n:
            for _ in range(groups):
                n.start_soon(group)

    async def checkpoint_main() -> None:
        steps = max(1, int(100_000 * size))

        async def loop() -> None:
            for _ in range(steps):
                await trio.sleep(0)

        async with trio.open_nursery() as n:
            for _ in range(10):
                n.start_soon(loop)

    async def hettinger_main() -> None:
        rounds = max(1, int(150 * size))
        limiter = trio.CapacityLimiter(10)

        async def fetch(i: int) -> None:
            async with limiter:
                stream = await trio.open_tcp_stream("127.0.0.1", port)
                async with stream:
                    await stream.send_all(REQUEST)
                    while await stream.receive_some(65536):
                        pass

        for _ in range(rounds):
            async with trio.open_nursery() as n:
                for i in range(14):
                    n.start_soon(fetch, i)

    return {"spawn": spawn_main, "checkpoint": checkpoint_main, "hettinger": hettinger_main}


def _asyncio_mains(size: float, port: int) -> dict[str, Callable[[], Any]]:
    import asyncio

    async def spawn_main() -> None:
        groups = max(1, int(100 * size))

        async def leaf() -> None:
            await asyncio.sleep(0)

        async def group() -> None:
            async with asyncio.TaskGroup() as tg:
                for _ in range(1000):
                    tg.create_task(leaf())

        async with asyncio.TaskGroup() as tg:
            for _ in range(groups):
                tg.create_task(group())

    async def checkpoint_main() -> None:
        steps = max(1, int(100_000 * size))

        async def loop() -> None:
            for _ in range(steps):
                await asyncio.sleep(0)

        async with asyncio.TaskGroup() as tg:
            for _ in range(10):
                tg.create_task(loop())

    async def hettinger_main() -> None:
        rounds = max(1, int(150 * size))
        limiter = asyncio.Semaphore(10)

        async def fetch(i: int) -> None:
            async with limiter:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                try:
                    writer.write(REQUEST)
                    await writer.drain()
                    while await reader.read(65536):
                        pass
                finally:
                    writer.close()
                    await writer.wait_closed()

        for _ in range(rounds):
            async with asyncio.TaskGroup() as tg:
                for i in range(14):
                    tg.create_task(fetch(i))

    def held_steps(primitive: Callable[[], Any]) -> Callable[[], Any]:
        """10 tasks x 100,000 ``sleep(0)``, each inside ``async with`` a
        primitive of the task's own: never contended, so its cost is all
        there is besides sleep(0)."""

        async def main() -> None:
            steps = max(1, int(100_000 * size))

            async def loop() -> None:
                held = primitive()
                for _ in range(steps):
                    async with held:
                        await asyncio.sleep(0)

            async with asyncio.TaskGroup() as tg:
                for _ in range(10):
                    tg.create_task(loop())

        return main

    return {
        "spawn": spawn_main,
        "checkpoint": checkpoint_main,
        "hettinger": hettinger_main,
        "locks": held_steps(asyncio.Lock),
        "semaphores": held_steps(lambda: asyncio.Semaphore(1)),
    }
