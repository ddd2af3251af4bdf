"""Two bank transfers that deadlock, with asyncio: each locks its source
account, then waits for the other's.

    python asyncio_deadlock.py [--exit-after SECONDS]

What to look at in the Nursery Lens panel:
  * `transfer alice->bob` holds alice's lock and waits for bob's;
    `transfer bob->alice` holds bob's and waits for alice's: each waits at
    `async with dst.lock` for a Lock the other holds, and a red dashed arrow
    runs from each to the other (asyncio records no lock owner: the runtime
    notes it as a task takes the lock);
  * after a second of nothing moving the banner says **Deadlock** and names
    both, with the locks by the names `main` gave the accounts (`Lock
    bob.lock`, `Lock alice.lock`); the details say "Waits for Lock bob.lock
    held by transfer bob->alice";
  * `main` waits at the end of its TaskGroup for its children: stuck
    behind them;
  * the `auditor` keeps counting the money every half second: a deadlock
    needs no hang, the rest of a program can go on around it.

It runs until you stop it (Ctrl-C, or Stop in the debugger). With
``--exit-after`` a timer on the event loop cancels the transfers and the
auditor after that many seconds (nothing inside the transfers has a
deadline: they stay deadlocked until then).
"""

from __future__ import annotations

import argparse
import asyncio


class Account:
    def __init__(self, name: str, balance: int) -> None:
        self.name = name
        self.balance = balance
        self.lock = asyncio.Lock()


async def transfer(src: Account, dst: Account, amount: int, both_locked: asyncio.Event, locked: list[str]) -> None:
    async with src.lock:
        locked.append(src.name)
        if len(locked) == 2:
            both_locked.set()
        await both_locked.wait()  # each holds its source's lock now
        async with dst.lock:  # DEADLOCK: the other transfer holds it
            src.balance -= amount
            dst.balance += amount


async def auditor(accounts: list[Account]) -> None:
    while True:
        await asyncio.sleep(0.5)
        print(f"auditor: {sum(a.balance for a in accounts)} in the bank", flush=True)


async def main(exit_seconds: float | None) -> None:
    alice, bob = Account("alice", 100), Account("bob", 50)
    both_locked = asyncio.Event()
    locked: list[str] = []
    async with asyncio.TaskGroup() as tg:
        tasks = [
            tg.create_task(transfer(alice, bob, 30, both_locked, locked), name="transfer alice->bob"),
            tg.create_task(transfer(bob, alice, 20, both_locked, locked), name="transfer bob->alice"),
            tg.create_task(auditor([alice, bob]), name="auditor"),
        ]
        if exit_seconds is not None:
            asyncio.get_running_loop().call_later(exit_seconds, lambda: [t.cancel() for t in tasks])
        print("deadlocked: press Ctrl-C to stop (the task tree shows why nothing moves)", flush=True)
    print(f"stopped: alice {alice.balance}, bob {bob.balance}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exit-after", type=float, default=None, metavar="SECONDS", help="stop after SECONDS")
    asyncio.run(main(parser.parse_args().exit_after))
