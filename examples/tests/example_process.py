"""Runs an example as a real subprocess of the interpreter running the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent
HETTINGER = EXAMPLES / "hettinger"

# Let the tests import sites.py and in_flight.py for the expected values.
sys.path.insert(0, str(HETTINGER))


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


def run(program: Path, *args: str, speed: float = 8.0, timeout: float = 60, python: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    process = start(program, *args, speed=speed, python=python)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"{program.name} {' '.join(args)} did not finish in {timeout} s\nstdout:\n{out}\nstderr:\n{err}")
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)
