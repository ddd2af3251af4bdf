"""A server task started with nursery.start(), clients, and a clean shutdown.

    python start_server.py [--clients N]

What to look at in the Nursery Lens panel:
  * `main` calls `await nursery.start(echo_server)`: for a moment the server
    task lives in a temporary nursery of the `start()` call; when it calls
    `task_status.started(port)` it moves into main's `services` nursery and
    `start()` returns the port (only then do the clients connect);
  * `echo_server` owns a `connections` nursery: one `handle(client N)` task
    per accepted connection, each waiting in `receive_line` for a request;
  * main's second nursery holds the `client N` tasks, all talking at once;
  * each client hangs up politely (send_eof, then waits for the server to
    close), so every handler has returned when the clients are done; main
    then cancels the `services` nursery: the server, waiting in `accept`,
    is cancelled and closes its listener. Outcomes: clients and handlers
    returned, the server cancelled, main returned.

Everything runs on 127.0.0.1; only the port number varies between runs.
"""

from __future__ import annotations

import argparse

import trio

transcripts: dict[int, list[str]] = {}


async def receive_line(stream: trio.SocketStream, buffer: bytearray) -> bytes:
    """One newline-terminated line from `stream` (b"" when the peer closed)."""
    while b"\n" not in buffer:
        data = await stream.receive_some(4096)
        if not data:
            return b""
        buffer += data
    end = buffer.index(b"\n") + 1
    line = bytes(buffer[:end])
    del buffer[:end]
    return line


async def handle(stream: trio.SocketStream) -> None:
    """Echo each line back upper-cased until the client hangs up."""
    buffer = bytearray()
    async with stream:
        while line := await receive_line(stream, buffer):
            await stream.send_all(line.upper())


async def echo_server(*, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    listener = listeners[0]
    served = 0
    try:
        async with listener, trio.open_nursery() as connections:
            port = listener.socket.getsockname()[1]
            task_status.started(port)  # start() returns now, with the port
            while True:
                stream = await listener.accept()
                served += 1
                connections.start_soon(handle, stream, name=f"handle(client {served})")
    finally:
        # Cancelled by main's shutdown: the listener is already closed by the
        # `async with`, and every handler has finished.
        print(f"server: stopped after {served} connections, listener closed", flush=True)


async def client(index: int, port: int) -> None:
    transcript = transcripts.setdefault(index, [])
    buffer = bytearray()
    async with await trio.open_tcp_stream("127.0.0.1", port) as stream:
        for n in range(3):
            message = f"hello {n} from client {index}\n".encode()
            await stream.send_all(message)
            reply = await receive_line(stream, buffer)
            transcript.append(f"sent {message.decode().strip()!r}, got {reply.decode().strip()!r}")
            await trio.sleep(0.1)  # keep the connection open a while so the tree shows it
        # Hang up politely: "no more requests", then wait for the server to
        # close its side, so its handler has returned before main stops it.
        await stream.send_eof()
        leftover = await receive_line(stream, buffer)
        transcript.append("server closed the connection" if leftover == b"" else f"unexpected {leftover!r}")


async def main(clients: int) -> None:
    async with trio.open_nursery() as services:
        port = await services.start(echo_server, name="echo_server")
        print(f"server: listening on 127.0.0.1 port {port} (from task_status.started)", flush=True)
        async with trio.open_nursery() as talking:
            for index in range(1, clients + 1):
                talking.start_soon(client, index, port, name=f"client {index}")
        for index in sorted(transcripts):
            for line in transcripts[index]:
                print(f"client {index}: {line}")
        print("main: clients done, shutting the server down", flush=True)
        services.cancel_scope.cancel()
    print("main: all tasks finished")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A server started with nursery.start(), and its clients.")
    parser.add_argument("--clients", type=int, default=3, help="clients talking at once (default 3)")
    trio.run(main, parser.parse_args().clients)
