"""Fifty workers; exactly one of them (worker-37) reaches the line the test
sets a breakpoint on. The others wait in trio.sleep meanwhile. Two seconds
after it goes on, worker-37 stops again, in a file no editor shows (a
`breakpoint()` in paused_helper.py): the debugger opens that file. A
second after that, a third stop in the same file."""

import trio

from paused_helper import second_stop, third_stop

TARGET = 37


async def worker(i: int) -> None:
    await trio.sleep(0.5 + i * 0.01)
    if i == TARGET:
        found = i  # the breakpoint line
        print(f"worker-{found} reached the breakpoint line")
        await trio.sleep(2)
        second_stop(found)
        await trio.sleep(1)
        third_stop(found)
    await trio.sleep(60)


async def main() -> None:
    async with trio.open_nursery() as nursery:
        for i in range(50):
            nursery.start_soon(worker, i, name=f"worker-{i}")


if __name__ == "__main__":
    trio.run(main)
