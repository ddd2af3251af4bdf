"""The fault matrix: a real collector socket that is absent, stalled, killed,
closes early or restarts. The program (a real subprocess) must finish with
its own output and exit status, fast, whatever the collector does."""

from __future__ import annotations

import os
import subprocess
import textwrap
import threading
import time
from typing import TYPE_CHECKING

import pytest

from collector import Collector, wait_for
from conftest import PYTHON, Recording, check_order, subprocess_env

if TYPE_CHECKING:
    from pathlib import Path

PROGRAM = textwrap.dedent("""
    import sys, trio
    batches, per_batch, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])

    async def worker(i):
        await trio.sleep(0)

    async def main():
        async with trio.open_nursery() as n:
            for b in range(batches):
                for i in range(per_batch):
                    n.start_soon(worker, i)
                await trio.sleep(delay)

    trio.run(main)
    print("program output", batches * per_batch)
    sys.stderr.write("program stderr\\n")
    sys.exit(3)
""")


@pytest.fixture
def prog(tmp_path: Path) -> Path:
    p = tmp_path / "load.py"
    p.write_text(PROGRAM, encoding="utf-8")
    return p


def run(prog: Path, args, address=None, env=None):
    cmd = [PYTHON]
    if address is not None:
        cmd += ["-m", "nursery_lens", "--connect", address]
    cmd += [str(prog), *map(str, args)]
    start = time.monotonic()
    r = subprocess.run(cmd, env=env or subprocess_env(), capture_output=True, text=True, timeout=40)
    return r, time.monotonic() - start


def assert_same_as_plain(result, args, prog):
    """Same output and status as without us; returns the plain run's duration."""
    plain, elapsed = run(prog, args)
    assert (result.returncode, result.stdout, result.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    assert result.returncode == 3
    return elapsed


def test_healthy_collector_gets_everything(prog):
    c = Collector("read")
    r, _ = run(prog, (5, 20, 0.01), c.address)
    c.wait()
    assert_same_as_plain(r, (5, 20, 0.01), prog)
    rec = Recording(c.lines())
    check_order(rec.events)
    assert len(rec.tasks("worker")) == 100
    assert rec.events[-1]["type"] == "run.finished"
    c.stop()


def test_an_ip_address_is_connected_to_without_a_lookup_and_a_name_is_resolved(tmp_path):
    # getaddrinfo would import the IDNA codec and re: ~2.5 ms of every start
    p = tmp_path / "p.py"
    p.write_text(
        "import sys, trio\nasync def main():\n    await trio.sleep(0)\ntrio.run(main)\n"
        "print('encodings.idna' in sys.modules)\n",
        encoding="utf-8",
    )
    for host, looked_up in (("127.0.0.1", False), ("localhost", True)):
        c = Collector("read")
        port = c.address.rpartition(":")[2]
        r, _ = run(p, (), f"{host}:{port}")
        c.wait()
        assert r.stdout == f"{looked_up}\n", r.stderr
        assert Recording(c.lines()).of("run.finished"), host
        c.stop()


def test_no_collector_listening(prog):
    c = Collector("read")
    address = c.address
    c.stop()
    c._thread.join(5)
    r, elapsed = run(prog, (5, 20, 0.01), address)
    plain = assert_same_as_plain(r, (5, 20, 0.01), prog)
    assert elapsed < 2 * plain + 2  # no waiting for a collector that is not there


def test_collector_accepts_but_never_reads(prog):
    c = Collector("never_read")
    args = (20, 1000, 0)  # ~40k events, more than the socket buffers hold
    r, elapsed = run(prog, args, c.address)
    assert c.accepted.is_set()
    plain = assert_same_as_plain(r, args, prog)
    # the instrumented run costs more CPU, but nothing waits for the stalled
    # collector beyond the bounded exit flush (0.5 s without progress)
    assert elapsed < 3 * plain + 3
    c.stop()


def test_collector_killed_mid_run(prog):
    c = Collector("kill_after", kill_after=30)
    args = (30, 20, 0.02)
    r, _ = run(prog, args, c.address)
    c.wait()
    assert_same_as_plain(r, args, prog)
    text = c.lines()
    Recording(text)  # what did arrive is whole, valid lines
    assert len(text.splitlines()) == 30


def test_collector_closes_after_hello(prog):
    c = Collector("close_after_hello")
    args = (30, 20, 0.05)  # about 1.5 s
    r, _ = run(prog, args, c.address)
    assert_same_as_plain(r, args, prog)
    assert Recording(c.lines()).events[0]["type"] == "hello"
    # A collector that closes right after the hello refused the program
    # (a wrong secret, say): it is asked again after 1 s, then 2 s, ...,
    # not every 50 ms (each refusal is a line in the extension's log).
    assert 1 <= len(c.connections) <= 2, len(c.connections)
    c.stop()


def test_collector_restarted_mid_run_gets_snapshot_then_live(prog):
    first = Collector("kill_after", kill_after=40)
    port = first.port
    args = (40, 5, 0.05)  # about two seconds of activity
    holder = {}

    def restart():
        first._thread.join(20)
        holder["second"] = Collector("read", port=port)

    t = threading.Thread(target=restart)
    t.start()
    r, _ = run(prog, args, first.address)
    t.join()
    second = holder["second"]
    assert wait_for(lambda: second.done.is_set() or second.connections, 5)
    second.stop()
    second.wait()
    assert_same_as_plain(r, args, prog)
    before = Recording(first.lines()).events
    after = Recording(second.lines()).events
    assert after[0]["type"] == "hello"
    assert after[0]["reconnect"] == 1
    assert after[0]["instance"] == before[0]["instance"]
    types = [e["type"] for e in after]
    assert types[1] == "run.started"
    assert after[1]["resumed"] is True
    assert types[2] == "snapshot.begin"
    end = types.index("snapshot.end")
    replay = after[3:end]
    assert {e["type"] for e in replay} <= {"nursery.opened", "task.spawned", "task.state", "scope.changed"}
    assert any(e.get("main") for e in replay if e["type"] == "task.spawned")
    check_order(after)  # the replay makes the new stream self-contained
    live = after[end + 1 :]
    assert any(e["type"] == "task.spawned" for e in live)
    assert after[-1]["type"] == "run.finished"


def test_unix_socket_collector(prog, tmp_path):
    import socket as _socket

    path = str(tmp_path / "lens.sock")
    server = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    server.settimeout(20)
    received = {}

    def serve():
        conn, _ = server.accept()
        data = b""
        with conn:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
        received["data"] = data

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    r, _ = run(prog, (3, 10, 0.01), path)
    t.join(20)
    server.close()
    assert_same_as_plain(r, (3, 10, 0.01), prog)
    rec = Recording(received["data"].decode("utf-8"))
    check_order(rec.events)
    assert len(rec.tasks("worker")) == 30


def test_slow_collector_gets_dropped_count_then_snapshot(prog):
    c = Collector("stall", stall=1.0)
    args = (20, 200, 0.005)  # ~8k events, far more than max_buffer allows to hold unsent
    env = subprocess_env(NURSERY_LENS='{"v":1,"options":{"max_buffer":200,"sample_hz":0}}')
    r, _ = run(prog, args, c.address, env=env)
    c.wait(30)
    assert_same_as_plain(r, args, prog)
    rec = Recording(c.lines())
    check_order(rec.events)  # the snapshot after the drop makes the stream consistent again
    dropped = rec.of("dropped")
    assert dropped
    assert dropped[0]["count"] > 0
    types = [e["type"] for e in rec.events]
    first_drop = types.index("dropped")
    assert types[first_drop + 1 : first_drop + 3] == ["run.started", "snapshot.begin"]
    assert rec.events[first_drop + 1]["resumed"] is True
    assert types[-1] == "run.finished"
    c.stop()


def test_stalled_collector_never_starves_the_recording(tmp_path):
    # The socket side waits for the collector; the recording gets everything.
    import trio

    import nursery_lens

    async def main():
        async with trio.open_nursery() as n:
            for _ in range(30_000):
                n.start_soon(trio.sleep, 0)

    def seconds(inst: nursery_lens.Instrument) -> float:
        start = time.monotonic()
        trio.run(main, instruments=[inst])
        inst.close()
        return time.monotonic() - start

    # The same program recording with no socket, before and after, is what a
    # stalled socket must not slow much: a loaded machine slows all three.
    c = Collector("never_read")
    path = tmp_path / "rec.ndjson"
    before = seconds(nursery_lens.Instrument(record=str(tmp_path / "before.ndjson")))
    stalled = seconds(nursery_lens.Instrument(address=c.address, record=str(path)))
    after = seconds(nursery_lens.Instrument(record=str(tmp_path / "after.ndjson")))
    # 1.1-2.3x when quiet (5 Dec); a socket that held the program would cost its timeouts
    assert stalled < 4 * max(before, after), (before, stalled, after)
    # 60k lines: the whole schema on a sample, every line's keys and types
    rec = Recording(path.read_text(encoding="utf-8"), sample=50)
    assert len(rec.of("task.spawned")) == 30_000 + 3
    assert rec.events[-1]["type"] == "run.finished"
    c.stop()


def test_closed_instrument_stays_closed():
    import trio

    import nursery_lens

    c = Collector("read")
    inst = nursery_lens.Instrument(address=c.address)
    trio.run(trio.sleep, 0, instruments=[inst])
    inst.close()
    c.wait()  # the first connection read to its end
    assert len(c.connections) == 1
    sent = len(c.connections[0])
    assert sent > 0
    trio.run(trio.sleep, 0.05, instruments=[inst])  # reused after close: no more traffic
    time.sleep(0.3)
    assert len(c.connections) == 1
    assert len(c.connections[0]) == sent
    c.stop()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_never_writes_the_parents_recording(tmp_path):
    path = tmp_path / "rec.ndjson"
    code = textwrap.dedent(f"""
        import os, trio, nursery_lens
        inst = nursery_lens.Instrument(record={str(path)!r})
        async def main(tag):
            async with trio.open_nursery() as n:
                n.start_soon(trio.sleep, 0.01, name=tag)
        trio.run(main, "parent", instruments=[inst])
        pid = os.fork()
        if pid == 0:
            trio.run(main, "child", instruments=[inst])
            os._exit(0)
        os.waitpid(pid, 0)
        trio.run(main, "parent-again", instruments=[inst])
        inst.close()
    """)
    r = subprocess.run([PYTHON, "-c", code], env=subprocess_env(), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    rec = Recording(path.read_text(encoding="utf-8"))
    names = {e["name"] for e in rec.of("task.spawned")}
    assert {"parent", "parent-again"} <= names
    assert "child" not in names
    assert [e["run"] for e in rec.of("run.started")] == [1, 2]


def test_idle_program_is_watched_every_watch_busy_not_spun(monkeypatch):
    # Once the loop has been idle for WATCH_BUSY, the writer thread looks
    # every WATCH_BUSY, counted from its own last look as well.
    import threading as _threading

    import trio

    import nursery_lens
    from nursery_lens._core import watcher

    monkeypatch.setattr(watcher, "WATCH_BUSY", 0.2)
    inst = nursery_lens.Instrument(sink=lambda s: None)
    em = inst.emitter
    cycles = []
    orig = em.cycle

    def counting():
        if _threading.current_thread() is em._thread:
            cycles.append(time.monotonic())
        orig()

    monkeypatch.setattr(em, "cycle", counting)
    trio.run(trio.sleep, 1.2, instruments=[inst])
    inst.close()
    assert 2 <= len(cycles) <= 12, len(cycles)
