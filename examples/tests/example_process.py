"""Runs an example as a real subprocess of the interpreter running the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent
HETTINGER = EXAMPLES / "hettinger"

# Let the tests import sites.py and in_flight.py for the expected values,
# and the runtime suite's schema check (schema_lines.py).
sys.path.insert(0, str(HETTINGER))
sys.path.insert(0, str(EXAMPLES.parent / "runtime" / "python" / "tests"))


def example_env(speed: float = 8.0) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NURSERY_LENS", None)  # never report to a collector from the tests
    env["EXAMPLE_SPEED"] = str(speed)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONFAULTHANDLER"] = "1"  # SIGABRT dumps every thread (see interrupt)
    env.pop("PYTHONPATH", None)
    return env


def _default_sigint() -> None:
    # A runner started in the background may pass SIGINT on as ignored;
    # the Ctrl-C tests need Python's normal KeyboardInterrupt handler.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(program: Path, *args: str, speed: float = 8.0, python: list[str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*(python or [sys.executable]), str(program), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=example_env(speed),
        cwd=str(program.parent),
        preexec_fn=_default_sigint,
    )


def interrupt(process: subprocess.Popen[str], timeout: float = 20) -> tuple[str, str]:
    """Ctrl-C the program and wait for it; (stdout, stderr) after the signal.

    A program still running after ``timeout`` fails the test with where each
    of its threads was (faulthandler, on SIGABRT), not just "timed out".
    """
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        try:
            out, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        pytest.fail(f"still running {timeout} s after Ctrl-C\nstdout:\n{out}\nstderr (threads at SIGABRT):\n{err}")


# Trio's own Ctrl-C windows, which no program or runtime can close:
#  * a KeyboardInterrupt inside spawn_impl (after the child joined its
#    nursery, before it is scheduled) leaves a child that never runs, and its
#    nursery waits for it forever (see test_ctrl_c.py's spawn loop);
#  * now and then Trio fails inside its own run loop instead: a KeyError in
#    Runner.task_exited's tasks.remove, wrapped in TrioInternalError. Seen in
#    CI with Trio 0.35 on 3.13 in the plain deadlock example (no runtime), and
#    here once in 300 Ctrl-Cs with both cores busy.
TRIO_FAILED_INSIDE = "TrioInternalError"


def ctrl_c(launch: Callable[[], tuple[subprocess.Popen[str], str]], *, trio: bool, tries: int = 2) -> tuple[int, str, str]:
    """Start the program with ``launch`` (which returns once it is under way,
    with what it printed so far), Ctrl-C it and wait: (exit code, all of its
    stdout, stderr).

    A Trio program that hangs or fails inside Trio after the Ctrl-C is tried
    once more (Trio's own windows, above); the same twice in a row fails. Any
    other program gets one try.
    """
    process, before = launch()
    again = trio and tries > 1
    try:
        out, err = interrupt(process)
    except pytest.fail.Exception:
        if not again:
            raise
        return ctrl_c(launch, trio=trio, tries=tries - 1)
    finally:
        process.kill()
    if again and TRIO_FAILED_INSIDE in err:
        return ctrl_c(launch, trio=trio, tries=tries - 1)
    return process.returncode, before + out, err


def run(program: Path, *args: str, speed: float = 8.0, timeout: float = 60, python: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    process = start(program, *args, speed=speed, python=python)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"{program.name} {' '.join(args)} did not finish in {timeout} s\nstdout:\n{out}\nstderr:\n{err}")
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)
