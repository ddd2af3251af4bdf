"""A Trio program with a subprocess that is a Trio program too (it inherits
NURSERY_LENS, as a real program's workers would). Prints CHILD DONE when the
child has exited, READY when its own tasks exist, and ends when a line
arrives on stdin (so a test can cut its connection meanwhile)."""
import sys
import trio

CHILD = """
import trio
async def main():
    async with trio.open_nursery() as n:
        n.start_soon(trio.sleep, 0.05, name="child-task")
trio.run(main)
"""


async def main():
    await trio.run_process([sys.executable, "-c", CHILD])
    print("CHILD DONE", flush=True)
    async with trio.open_nursery() as n:
        n.start_soon(trio.sleep_forever, name="parent-waiter")
        await trio.sleep(0.2)
        print("READY", flush=True)
        await trio.to_thread.run_sync(sys.stdin.readline)
        n.cancel_scope.cancel()


trio.run(main)
