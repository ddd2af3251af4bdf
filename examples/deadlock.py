"""Two bank transfers that deadlock: each locks its source account, then waits
for the other's.

    python deadlock.py [--exit-after SECONDS]

What to look at in the Nursery Lens panel:
  * `transfer alice->bob` holds alice's lock and waits for bob's;
    `transfer bob->alice` holds bob's and waits for alice's: each waits at
    `async with dst.lock`, and a red dashed arrow runs from each to the other
    (a wait-for edge: it waits for a Lock the other holds);
  * after a second of nothing moving the banner says **Deadlock** and names
    both, with the locks (`Lock alice.lock`, `Lock bob.lock`); "Show them"
    brings them into view; the details say "Waits for Lock bob.lock held by
    transfer alice->bob for 3.2 s" and, under the holder, whom it blocks;
  * `main` waits for its nursery's children: stuck behind them;
  * the `auditor` keeps counting the money every half second: a deadlock
    needs no hang, the rest of a program can go on around it.

It runs until you stop it (Ctrl-C, or Stop in the debugger). With
``--exit-after`` a thread ends it after that many seconds by cancelling the
nursery (there is no deadline inside: the transfers stay deadlocked until
then); the tasks then show why they were cancelled.
"""

from __future__ import annotations

import argparse
import threading

import trio


class Account:
    def __init__(self, name: str, balance: int) -> None:
        self.name = name
        self.balance = balance
        self.lock = trio.Lock()


async def transfer(src: Account, dst: Account, amount: int, both_locked: trio.Event, locked: list[str]) -> None:
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
        await trio.sleep(0.5)
        print(f"auditor: {sum(a.balance for a in accounts)} in the bank", flush=True)


def exit_after(seconds: float, scope: trio.CancelScope) -> None:
    """From another thread: cancel `scope` after `seconds` (no deadline inside the run)."""
    token = trio.lowlevel.current_trio_token()

    def stop() -> None:
        trio.from_thread.run_sync(scope.cancel, trio_token=token)

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()


async def main(exit_seconds: float | None) -> None:
    alice, bob = Account("alice", 100), Account("bob", 50)
    both_locked = trio.Event()
    locked: list[str] = []
    async with trio.open_nursery() as n:
        if exit_seconds is not None:
            exit_after(exit_seconds, n.cancel_scope)
        n.start_soon(transfer, alice, bob, 30, both_locked, locked, name="transfer alice->bob")
        n.start_soon(transfer, bob, alice, 20, both_locked, locked, name="transfer bob->alice")
        n.start_soon(auditor, [alice, bob], name="auditor")
        print("deadlocked: press Ctrl-C to stop (the task tree shows why nothing moves)", flush=True)
    print(f"stopped: alice {alice.balance}, bob {bob.balance}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exit-after", type=float, default=None, metavar="SECONDS", help="stop after SECONDS")
    trio.run(main, parser.parse_args().exit_after)
