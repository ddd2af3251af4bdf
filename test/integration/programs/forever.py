"""Runs until killed: a nursery of waiting tasks, printing READY once they exist."""
import sys
import trio


async def main():
    async with trio.open_nursery() as n:
        for i in range(5):
            n.start_soon(trio.sleep_forever, name=f"waiter-{i}")
        await trio.sleep(0.3)
        print("READY", flush=True)
        await trio.sleep_forever()


trio.run(main)
