"""A hang: three workers wait for a configuration that never comes.

    python hang.py [--exit-after SECONDS]

`load_config` should set `state.ready` once the configuration is loaded, but
on its "no file" path it returns early and forgets to. Nothing fails; the
workers simply wait on the Event forever.

What to look at in the Nursery Lens panel:
  * `load config` returned; `worker-0` … `worker-2` wait at
    `await state.ready.wait()`: "Waits for Event state.ready … only another
    task can wake it";
  * `main` waits for its nursery's children;
  * after a second with every task waiting and nothing able to wake any (no
    deadline, no I/O, no thread, nothing about to run), the banner says
    **Hung** and lists each task with what it waits for.

It runs until you stop it (Ctrl-C, or Stop in the debugger). With
``--exit-after`` a thread ends it after that many seconds by cancelling the
nursery (there is no deadline inside the run).
"""

from __future__ import annotations

import argparse
import threading

import trio


class State:
    def __init__(self) -> None:
        self.config: dict[str, str] | None = None
        self.ready = trio.Event()


async def load_config(state: State, path: str) -> None:
    await trio.sleep(0.2)  # read the file
    if path == "missing.toml":
        print(f"load config: {path} not found, using no configuration", flush=True)
        return  # BUG: returns without state.ready.set()
    state.config = {"path": path}
    state.ready.set()


async def worker(name: str, state: State) -> None:
    await state.ready.wait()  # HANG: nobody will set it
    print(f"{name}: configured with {state.config}", flush=True)


def exit_after(seconds: float, scope: trio.CancelScope) -> None:
    """From another thread: cancel `scope` after `seconds` (no deadline inside the run)."""
    token = trio.lowlevel.current_trio_token()

    def stop() -> None:
        trio.from_thread.run_sync(scope.cancel, trio_token=token)

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()


async def main(exit_seconds: float | None) -> None:
    state = State()
    async with trio.open_nursery() as n:
        if exit_seconds is not None:
            exit_after(exit_seconds, n.cancel_scope)
        n.start_soon(load_config, state, "missing.toml", name="load config")
        for i in range(3):
            n.start_soon(worker, f"worker-{i}", state, name=f"worker-{i}")
    print("stopped", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exit-after", type=float, default=None, metavar="SECONDS", help="stop after SECONDS")
    trio.run(main, parser.parse_args().exit_after)
