"""A server-like program: the task tree at real-world size.

    python server_like.py [--connections 8] [--workers 2000] [--probes 24]
                          [--seconds 3] [--hold]

What to look at in the Nursery Lens panel:
  * `main` owns one nursery with four services: `listener`, `clients`,
    `supervisor` and `pool`;
  * `listener` accepts `--connections` real TCP connections on 127.0.0.1;
    each is served by a task `conn-N` that owns a nursery of three:
    `reader conn-N` (lines off the socket into a channel), `consumer conn-N`
    (turns them into replies) and `writer conn-N` (replies back out);
    `clients` owns the `client-N` tasks at the other end;
  * `supervisor` runs a group of `--probes` health checks `probe-0`,
    `probe-1`, ... in a nursery of their own; in the first group `probe-7`
    raises ConnectionError after 0.6 s, which cancels its siblings; the
    supervisor catches the group, prints it and starts a fresh group that
    stays healthy (so the tree holds a failed group next to the live one);
  * `pool` owns `--workers` tasks `worker-0` ... `worker-1999` that share
    one `trio.Lock`: each sleeps, queues for the lock, holds it briefly
    and sleeps again, so at any moment most wait in `trio.sleep` and some
    wait at the lock. Every name is different: the panel folds them by
    shape (same function, same spawn site) into one `worker ×2,000` node;
  * after `--seconds`, once the fresh group runs (a loaded machine can take
    longer to get there), main cancels everything and prints a summary;
    with `--hold` it runs until Ctrl-C instead (for a debug session).

Everything runs offline on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field

import trio

FAILING_PROBE = 7
PROBE_FAILS_AFTER = 0.6


@dataclass
class Stats:
    lines_served: int = 0
    lock_rounds: int = 0
    probe_failures: list[str] = field(default_factory=list)
    connections: int = 0
    # Set when a fresh group runs after the failed one: what a run promises to show.
    restarted: trio.Event = field(default_factory=trio.Event)


async def reader(stream: trio.SocketStream, inbox: trio.MemorySendChannel[bytes]) -> None:
    buffer = b""
    async with inbox:
        async for chunk in stream:
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                await inbox.send(line)


async def consumer(inbox: trio.MemoryReceiveChannel[bytes], outbox: trio.MemorySendChannel[bytes], stats: Stats) -> None:
    async with inbox, outbox:
        async for line in inbox:
            await trio.sleep(0.01)  # some work per request
            stats.lines_served += 1
            await outbox.send(line.upper() + b"\n")


async def writer(stream: trio.SocketStream, outbox: trio.MemoryReceiveChannel[bytes]) -> None:
    async with outbox:
        async for reply in outbox:
            await stream.send_all(reply)


async def connection(stream: trio.SocketStream, name: str, stats: Stats) -> None:
    # Three tasks per connection, talking through two channels.
    inbox_send, inbox_receive = trio.open_memory_channel[bytes](16)
    outbox_send, outbox_receive = trio.open_memory_channel[bytes](16)
    async with stream, trio.open_nursery() as nursery:
        nursery.start_soon(reader, stream, inbox_send, name=f"reader {name}")
        nursery.start_soon(consumer, inbox_receive, outbox_send, stats, name=f"consumer {name}")
        nursery.start_soon(writer, stream, outbox_receive, name=f"writer {name}")


async def listener(tcp: trio.SocketListener, connections: int, stats: Stats) -> None:
    async with tcp, trio.open_nursery() as nursery:
        for index in range(connections):
            stream = await tcp.accept()
            stats.connections += 1
            nursery.start_soon(connection, stream, f"conn-{index}", stats, name=f"conn-{index}")


async def client(port: int, index: int) -> None:
    async with await trio.open_tcp_stream("127.0.0.1", port) as stream:
        for n in range(1_000_000):
            await stream.send_all(f"request {n} from client {index}\n".encode())
            await stream.receive_some(4096)
            await trio.sleep(0.25)


async def clients(port: int, count: int) -> None:
    async with trio.open_nursery() as nursery:
        for index in range(count):
            nursery.start_soon(client, port, index, name=f"client-{index}")


async def probe(index: int, fails: bool) -> None:
    while True:
        await trio.sleep(PROBE_FAILS_AFTER if fails else 0.5)
        if fails:
            raise ConnectionError(f"probe-{index}: upstream refused the health check")


async def supervisor(probes: int, stats: Stats) -> None:
    # A supervised group: when one member fails, the group is cancelled, the
    # failure is reported, and a fresh group starts. Only the first group has
    # a failing member, so a run's end never races a second failure.
    for attempt in range(1_000_000):
        try:
            async with trio.open_nursery(strict_exception_groups=True) as group:
                for index in range(probes):
                    group.start_soon(probe, index, attempt == 0 and index == FAILING_PROBE, name=f"probe-{index}")
                if attempt:
                    stats.restarted.set()
        except* ConnectionError as failed:
            for error in failed.exceptions:
                stats.probe_failures.append(str(error))
                print(f"supervisor: group {attempt} failed ({error}), restarting", flush=True)
        await trio.sleep(0.3)


async def worker(index: int, lock: trio.Lock, stats: Stats) -> None:
    rng = random.Random(index)
    await trio.sleep(rng.uniform(0.1, 1.0))
    while True:
        async with lock:
            stats.lock_rounds += 1
            await trio.sleep(0.002)  # 500 rounds a second at most: a queue forms
        await trio.sleep(rng.uniform(2.0, 6.0))


async def pool(workers: int, stats: Stats) -> None:
    lock = trio.Lock()
    async with trio.open_nursery() as nursery:
        for index in range(workers):
            nursery.start_soon(worker, index, lock, stats, name=f"worker-{index}")


async def main(args: argparse.Namespace) -> int:
    stats = Stats()
    (tcp,) = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = tcp.socket.getsockname()[1]
    print(f"server: listening on 127.0.0.1 port {port}", flush=True)
    async with trio.open_nursery(strict_exception_groups=True) as services:
        services.start_soon(listener, tcp, args.connections, stats, name="listener")
        services.start_soon(clients, port, args.connections, name="clients")
        services.start_soon(supervisor, args.probes, stats, name="supervisor")
        services.start_soon(pool, args.workers, stats, name="pool")
        if not args.hold:
            await trio.sleep(args.seconds)
            await stats.restarted.wait()
            services.cancel_scope.cancel()
    print(f"server: {stats.connections} connections served {stats.lines_served} lines", flush=True)
    print(f"pool: {args.workers} workers took the lock {stats.lock_rounds} times", flush=True)
    print(f"supervisor: {len(stats.probe_failures)} failed groups", flush=True)
    ok = stats.connections == args.connections and stats.lines_served > 0 and stats.lock_rounds > 0 and stats.probe_failures
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A server-like Trio program, for the task tree at real-world size.")
    parser.add_argument("--connections", type=int, default=8, help="TCP connections served (default 8)")
    parser.add_argument("--workers", type=int, default=2000, help="workers sharing one lock (default 2000)")
    parser.add_argument("--probes", type=int, default=24, help="health checks in the supervised group (default 24)")
    parser.add_argument("--seconds", type=float, default=3.0, help="run this long, then shut down (default 3)")
    parser.add_argument("--hold", action="store_true", help="run until Ctrl-C (for a debug session)")
    args = parser.parse_args()
    if args.probes <= FAILING_PROBE:
        parser.error(f"--probes must be more than {FAILING_PROBE}")
    status = 130
    try:
        status = trio.run(main, args)
    except* KeyboardInterrupt:
        # Ctrl-C reaches Trio's tasks as KeyboardInterrupt, grouped by the services nursery.
        print("interrupted", file=sys.stderr)
    sys.exit(status)
