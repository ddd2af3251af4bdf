"""A program that hangs prints its task tree on SIGUSR1 (trio#927's wish).

Real processes run real Trio programs under ``python -m nursery_lens`` and
hang; the test sends a real ``SIGUSR1`` and reads the tree from stderr.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import textwrap
import threading
import time
from typing import TYPE_CHECKING, Any

import pytest

from conftest import BOOTSTRAP, PYTHON, Recording, check_order, line_of, subprocess_env

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="no SIGUSR1 on this platform")

HANGS = textwrap.dedent("""
    import sys, time, trio

    async def waiter(event):
        await event.wait()  # waiter waits here

    async def sleeper():
        with trio.move_on_after(100):  # sleeper scope here
            await trio.sleep_forever()  # sleeper waits here

    def block():
        time.sleep(float(sys.argv[1]))  # blocks the loop here

    async def blocker(ready):
        await ready.wait()
        block()

    async def main():
        event = trio.Event()
        ready = trio.Event()
        async with trio.open_nursery() as nursery:
            for _ in range(3):
                nursery.start_soon(waiter, event)
            nursery.start_soon(sleeper)
            if len(sys.argv) > 1:
                nursery.start_soon(blocker, ready)
            await trio.sleep(0.2)
            print("ready", flush=True)
            ready.set()
            await event.wait()  # main waits here

    trio.run(main)
""")


class Program:
    """A real program under the lens, its stderr read by a thread."""

    def __init__(self, tmp_path: Path, *args: str, lens: tuple[str, ...] = (), **popen: Any) -> None:
        self.path = tmp_path / "hangs.py"
        self.path.write_text(HANGS, encoding="utf-8")
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "nursery_lens", *lens, str(self.path), *args],
            cwd=tmp_path,
            env=subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **popen,
        )
        self.err: queue.Queue[str] = queue.Queue()
        assert self.proc.stderr is not None
        stderr = self.proc.stderr

        def read() -> None:
            for line in stderr:
                self.err.put(line)

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline() == "ready\n"
        time.sleep(0.3)  # main reaches its wait (a dump sooner shows it running, rightly)

    def line(self, marker: str) -> int:
        return line_of(str(self.path), marker)

    def dump(self) -> str:
        """Sends SIGUSR1; the dump's text (up to the pause in the output)."""
        os.kill(self.proc.pid, signal.SIGUSR1)
        lines = [self.err.get(timeout=20)]
        while True:
            try:
                lines.append(self.err.get(timeout=1.0))
            except queue.Empty:
                return "".join(lines)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=20)
        self.reader.join(timeout=20)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def programs() -> Any:
    started: list[Program] = []
    yield started
    for p in started:
        p.close()


def test_sigusr1_prints_the_tree_of_a_hanging_program(tmp_path, programs):
    p = Program(tmp_path)
    programs.append(p)
    text = p.dump()
    lines = text.splitlines()
    assert lines[0] == f"nursery_lens: task tree of pid {p.proc.pid} (SIGUSR1)"
    assert lines[1].startswith("hangs.py · Trio ")
    assert " · running · at " in lines[1]
    # Each waiting task says what it waits for (the Event nobody sets), as Copy Tree as Text does.
    on_event = "on Event event (until set() is called)"
    assert lines[2].startswith(
        f"__main__.main · waiting @ hangs.py:{p.line('main waits here')} · {on_event} · spawned @ hangs.py:"
    )
    assert lines[3] == f"  nursery @ hangs.py:{p.line('open_nursery')}"
    assert lines[4] == (
        f"    __main__.waiter ×3 · waiting @ hangs.py:{p.line('waiter waits here')} · {on_event}"
        f" · spawned @ hangs.py:{p.line('start_soon(waiter')}"
    )
    assert lines[5].startswith(
        f"    __main__.sleeper · waiting @ hangs.py:{p.line('sleeper waits here')} · on trio.sleep"
    )
    assert (
        f" · spawned @ hangs.py:{p.line('start_soon(sleeper')}"
        f" · cancel scope @ hangs.py:{p.line('sleeper scope here')} (deadline at 10"
    ) in lines[5]
    assert len(lines) == 6
    # The handler stays: a second signal, a second dump; the program still hangs.
    assert p.dump().splitlines()[2:] == lines[2:]
    assert p.proc.poll() is None


def test_a_task_blocking_the_loop_shows_running_where_it_blocks(tmp_path, programs):
    p = Program(tmp_path, "30")  # the blocker is in time.sleep now; the signal interrupts it
    programs.append(p)
    text = p.dump()
    assert f"    __main__.blocker · running @ hangs.py:{p.line('blocks the loop here')} · spawned @" in text
    assert p.proc.poll() is None  # time.sleep resumed after the handler


def test_the_dump_leaves_the_recording_whole(tmp_path, programs):
    out = tmp_path / "run.ndjson"
    p = Program(tmp_path, lens=("--record", str(out)))
    programs.append(p)
    assert "__main__.waiter ×3" in p.dump()
    p.proc.send_signal(signal.SIGINT)  # Ctrl-C: the run ends, the recording with it
    p.proc.wait(timeout=20)
    rec = Recording(out.read_text(encoding="utf-8"))
    check_order(rec.events)
    assert rec.of("run.finished")[0]["outcome"] == "raised"
    assert len(rec.tasks("waiter")) == 3


def test_a_program_that_ignores_sigusr1_is_left_alone(tmp_path, programs):
    # Ignored by the parent: stays ignored (inherited through exec); one line says so.
    p = Program(tmp_path, preexec_fn=lambda: signal.signal(signal.SIGUSR1, signal.SIG_IGN))
    programs.append(p)
    os.kill(p.proc.pid, signal.SIGUSR1)
    first = p.err.get(timeout=20)
    assert first == "nursery_lens: SIGUSR1 is ignored in this program: no task-tree dumps on SIGUSR1\n"
    time.sleep(0.5)
    assert p.err.empty()
    assert p.proc.poll() is None


def test_a_handler_the_program_sets_takes_over(tmp_path):
    prog = tmp_path / "own.py"
    prog.write_text(
        textwrap.dedent("""
            import os, signal, trio
            got = []
            signal.signal(signal.SIGUSR1, lambda *a: got.append(1))
            async def main():
                os.kill(os.getpid(), signal.SIGUSR1)
                await trio.sleep(0.1)
            trio.run(main)
            print("own handler ran:", got == [1])
        """),
        encoding="utf-8",
    )
    r = subprocess.run(
        [PYTHON, "-m", "nursery_lens", str(prog)], env=subprocess_env(), capture_output=True, text=True, timeout=30
    )
    assert (r.returncode, r.stdout, r.stderr) == (0, "own handler ran: True\n", "")


def test_without_an_observed_run_the_dump_says_so(tmp_path):
    prog = tmp_path / "idle.py"
    prog.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGUSR1)\nprint('alive')\n", encoding="utf-8")
    r = subprocess.run(
        [PYTHON, "-m", "nursery_lens", str(prog)], env=subprocess_env(), capture_output=True, text=True, timeout=30
    )
    assert r.returncode == 0
    assert r.stdout == "alive\n"
    pid_line, what = r.stderr.splitlines()
    assert pid_line.startswith("nursery_lens: task tree of pid ")
    assert what == "no run of an async library is being observed"


def test_installing_the_handler_imports_nothing_at_start_up():
    # The bootstrap runs at every start-up of an instrumented interpreter: the
    # handler comes from _signal, which the interpreter has loaded already.
    code = "import signal, sys; print(signal.getsignal(signal.SIGUSR1), 'threading' in sys.modules)"
    code = "import sys; print('signal' in sys.modules, 'threading' in sys.modules); " + code
    r = subprocess.run(
        [PYTHON, "-c", code],
        env=subprocess_env(PYTHONPATH=str(BOOTSTRAP), NURSERY_LENS='{"v":1}'),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.stderr == ""
    first, second = r.stdout.splitlines()
    assert first == "False False"
    assert second.startswith("<function _on_sigusr1 at ")
