"""Trio programs for the store's lints, one per mode (argv[1]):

  start-late SECONDS   main awaits nursery.start(server): the server calls
                       task_status.started() after SECONDS, then serves 0.5 s
  pile N SECONDS       main spawns N sleepers into one nursery, all alive for SECONDS
"""

import sys

import trio


async def server(delay, task_status=trio.TASK_STATUS_IGNORED):
    await trio.sleep(delay)  # WAITS BEFORE STARTED
    task_status.started()
    await trio.sleep(0.5)


async def start_late(delay):
    async with trio.open_nursery() as services:
        await services.start(server, delay, name="server")  # THE START CALL


async def pile(n, seconds):
    async with trio.open_nursery() as handlers:  # THE NURSERY
        for i in range(n):
            handlers.start_soon(trio.sleep, seconds, name=f"handler-{i}")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "start-late":
        trio.run(start_late, float(sys.argv[2]))
    elif mode == "pile":
        trio.run(pile, int(sys.argv[2]), float(sys.argv[3]))
    else:
        raise SystemExit(f"unknown mode {mode}")
