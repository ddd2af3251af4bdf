"""A quote service with AnyIO, on asyncio or on Trio: tg.start(), a task group per job, a CancelScope deadline.

    python anyio_app.py [--backend asyncio|trio] [--watch SECONDS]

What to look at in the Nursery Lens panel (the run picker says
`AnyIO on asyncio` or `AnyIO on Trio`):
  * `main` opens a task group (labelled `task group`) and calls
    `await tg.start(serve_quotes)`: for a moment `quote server` sits in
    a `tg.start()` group and main waits for it there; when it calls
    `task_status.started(port)` it joins main's group and `start()`
    returns the port;
  * `quote server` owns a `connections` task group: one `handle` task per
    client connection, each waiting for a request line;
  * main's second task group holds the clients: three `ask(N)` tasks, each
    asking one price, and `watch`, which streams prices inside an
    `anyio.CancelScope` with a deadline (the countdown shows beside it);
    when the deadline passes the scope cancels the watch and it stops;
  * when the clients are done main cancels its first group: the server,
    waiting for a connection, is cancelled and closes its listener.

Everything runs on 127.0.0.1; only the port number varies between runs.
"""

from __future__ import annotations

import argparse
import sys

import anyio
from anyio.abc import SocketAttribute, SocketStream, TaskStatus
from anyio.streams.buffered import BufferedByteReceiveStream

PRICES = {"ACME": 101, "GLOBEX": 58, "INITECH": 7}
answers: dict[str, str] = {}
served = 0


async def handle(stream: SocketStream) -> None:
    """One client connection: answers PRICE requests, streams prices on WATCH."""
    global served
    served += 1
    async with stream:
        lines = BufferedByteReceiveStream(stream)
        request = (await lines.receive_until(b"\n", 100)).decode()  # waiting for the client's request
        if request == "WATCH":
            for tick in range(1000):
                await stream.send(f"ACME {PRICES['ACME'] + tick % 3}\n".encode())
                await anyio.sleep(0.05)
        else:
            symbol = request.removeprefix("PRICE ")
            await stream.send(f"{symbol} {PRICES.get(symbol, 0)}\n".encode())


async def serve_quotes(*, task_status: TaskStatus[int] = anyio.TASK_STATUS_IGNORED) -> None:
    """Listens on 127.0.0.1, tells tg.start() its port, then serves until cancelled."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(SocketAttribute.local_port)
    try:
        async with listener, anyio.create_task_group() as connections:
            task_status.started(port)
            print(f"quote server: listening on 127.0.0.1 port {port} (from task_status.started)", flush=True)
            await listener.serve(handle, task_group=connections)
    finally:
        print(f"quote server: stopped after {served} connections, listener closed", flush=True)


async def ask(port: int, symbol: str) -> None:
    async with await anyio.connect_tcp("127.0.0.1", port) as stream:
        await stream.send(f"PRICE {symbol}\n".encode())
        answers[symbol] = (await BufferedByteReceiveStream(stream).receive_until(b"\n", 100)).decode()


async def watch(port: int, seconds: float) -> None:
    """Streams ACME's price until the CancelScope's deadline passes."""
    prices = 0
    with anyio.CancelScope(deadline=anyio.current_time() + seconds) as scope:
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            await stream.send(b"WATCH\n")
            lines = BufferedByteReceiveStream(stream)
            while True:
                await lines.receive_until(b"\n", 100)  # waiting for the next price
                prices += 1
    if scope.cancelled_caught and prices:
        print(f"watch: the CancelScope's deadline ({seconds:g} s) passed; stopped watching ACME", flush=True)


async def main(watch_seconds: float) -> None:
    async with anyio.create_task_group() as services:
        port = await services.start(serve_quotes, name="quote server")
        async with anyio.create_task_group() as clients:
            for n, symbol in enumerate(PRICES, 1):
                clients.start_soon(ask, port, symbol, name=f"ask({n})")
            clients.start_soon(watch, port, watch_seconds, name="watch")
        for symbol in PRICES:
            print(f"ask: {symbol} costs {answers[symbol].split()[1]}", flush=True)
        print("main: clients done, stopping the server", flush=True)
        services.cancel_scope.cancel()
    print("main: all tasks finished", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A quote service on AnyIO.")
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio", help="the library AnyIO runs on (default asyncio)")
    parser.add_argument("--watch", type=float, default=0.5, help="seconds the watch client streams prices (default 0.5)")
    args = parser.parse_args()
    anyio.run(main, args.watch, backend=args.backend)
    sys.exit(0)
