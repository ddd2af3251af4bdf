"""Debug: Pause on a hung program, through the real debugpy.

A debugger's Pause stops a thread only when it next runs Python code. A hung
program's loop waits for I/O with no deadline and runs none: without the
runtime's wake-up (``DEBUGGER_WAKE``) the Pause never came (Trio), and
came after a second at best (asyncio without sampling). With it, the stop is
at the user's ``trio.run``/``asyncio.run`` line: the runtime's frames are
left out of the user's code by the ``rules`` the extension gives debugpy.
"""

from __future__ import annotations

import json
import socket
import subprocess
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import PYTHON, SRC, line_of, subprocess_env

pytest.importorskip("debugpy", reason="debugpy is installed in .venv only (the end-to-end suite's debugger)")

HANGS = {
    "trio": """
        import trio

        async def main():
            never = trio.Event()
            async with trio.open_nursery() as nursery:
                nursery.start_soon(never.wait)

        trio.run(main)  # RUN
        """,
    "asyncio": """
        import asyncio

        async def main():
            never = asyncio.Event()
            async with asyncio.TaskGroup() as tg:
                tg.create_task(never.wait())

        asyncio.run(main())  # RUN
        """,
}


class Dap:
    """Just enough of a DAP client: requests, and the messages that came."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sock.settimeout(0.1)
        self.seq = 0
        self.buf = b""
        self.got: list[dict[str, Any]] = []

    def send(self, command: str, **arguments: Any) -> None:
        self.seq += 1
        body = json.dumps({"seq": self.seq, "type": "request", "command": command, "arguments": arguments}).encode()
        self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def _read(self) -> None:
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return
        self.buf += data
        while b"\r\n\r\n" in self.buf:
            head, rest = self.buf.split(b"\r\n\r\n", 1)
            size = int(head.split(b":")[1])
            if len(rest) < size:
                return
            self.got.append(json.loads(rest[:size]))
            self.buf = rest[size:]

    def wait_for(self, what: str, within: float, **match: Any) -> dict[str, Any] | None:
        """The first message (event or response) named ``what`` with these fields, or None."""
        end = time.monotonic() + within
        while True:
            for m in self.got:
                if what in (m.get("event"), m.get("command")) and all(m.get(k) == v for k, v in match.items()):
                    return m
            if time.monotonic() >= end:
                return None
            self._read()


@pytest.mark.parametrize("library", sorted(HANGS))
def test_pause_stops_a_hung_program_at_the_users_run_line(tmp_path: Path, library: str) -> None:
    program = tmp_path / f"{library}_hang.py"
    program.write_text(textwrap.dedent(HANGS[library]))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    recording = tmp_path / "run.ndjson"
    argv = [PYTHON, "-Xfrozen_modules=off", "-m", "debugpy", "--connect", f"127.0.0.1:{port}"]
    argv += ["-m", "nursery_lens", "--record", str(recording), str(program)]
    env = subprocess_env(PYTHONPATH=str(SRC), PYDEVD_DISABLE_FILE_VALIDATION="1")
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conn = None
    try:
        listener.settimeout(20)
        conn, _ = listener.accept()
        dap = Dap(conn)
        dap.send("initialize", adapterID="debugpy", clientID="pytest")
        assert dap.wait_for("initialize", 10), "debugpy answered initialize"
        # what the extension adds to a launch (launchInstrumentation.rulesHidingRuntime)
        dap.send("attach", justMyCode=True, rules=[{"path": str(SRC), "include": False}])
        assert dap.wait_for("initialized", 10), "debugpy said initialized"
        dap.send("configurationDone")
        # hung: every task waits, with nothing to wake any of them
        deadline = time.monotonic() + 20
        while b'"nursery.opened"' not in (recording.read_bytes() if recording.exists() else b""):
            assert time.monotonic() < deadline, "the program's task group was recorded"
            time.sleep(0.05)
        time.sleep(1.5)  # past the runtime's first idle looks: the loop waits with no deadline now
        dap.send("threads")
        threads = dap.wait_for("threads", 10)
        assert threads, "the program's threads"
        assert threads["body"]["threads"], threads
        main = threads["body"]["threads"][0]["id"]
        asked = time.monotonic()
        dap.send("pause", threadId=main)
        stopped = dap.wait_for("stopped", 5)
        assert stopped, (
            f"Debug: Pause stopped the hung {library} program within 5 s",
            " ".join(str(m.get("event") or m.get("command")) for m in dap.got),
        )
        assert stopped["body"]["reason"] == "pause", stopped
        took = time.monotonic() - asked
        dap.send("stackTrace", threadId=stopped["body"]["threadId"])
        trace = dap.wait_for("stackTrace", 10)
        assert trace, "the stopped thread's stack"
        top = trace["body"]["stackFrames"][0]
        where = (Path(top["source"]["path"]).name, top["line"])
        assert where == (program.name, line_of(str(program), "# RUN")), (where, took)
        assert took < 2.0, f"the pause took {took:.2f} s"
        dap.send("disconnect", terminateDebuggee=True)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if conn is not None:
            conn.close()
        listener.close()
