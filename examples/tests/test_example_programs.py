"""The small examples, as real subprocesses: each ends by itself with the output it promises."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

from example_process import EXAMPLES, ctrl_c, run, start
import sites  # noqa: E402  (examples/hettinger, put on sys.path by example_process)


def test_failing_child_cancels_its_siblings() -> None:
    done = run(EXAMPLES / "failing_child.py")
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "check config: ok",
        "parse feed: item 3 has no date, raising ValueError",
        "main: the nursery raised ValueError: feed item 3 has no date",
        "main: cancelled by the failure: download, upload chunk 0, upload chunk 1",
    ]
    assert "Traceback" not in done.stderr


def test_deadlines_fire_in_the_promised_way() -> None:
    done = run(EXAMPLES / "deadlines.py")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "slow query: move_on_after(0.3): gave up waiting, carried on without an answer",
        "strict call: fail_after(0.5): raised TooSlowError, caught by the caller",
        "nested: inner move_on_after(0.2) fired first: inner cancelled=True, outer still running",
        "nested: outer move_on_after(1.0) fired inside the inner 5 s scope: outer caught=True, inner caught=False",
        "cleanup: cancelled at 0.4 s, then finished 0.2 s of cleanup inside a shielded scope",
        "cleanup: cleanup deadline (1 s) needed: False",
    ]


def test_start_server_round_trip_and_clean_shutdown() -> None:
    done = run(EXAMPLES / "start_server.py")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"server: listening on 127\.0\.0\.1 port \d+ \(from task_status\.started\)", lines[0])
    conversations = [
        line
        for client in (1, 2, 3)
        for line in [
            *(f"client {client}: sent 'hello {n} from client {client}', got 'HELLO {n} FROM CLIENT {client}'" for n in range(3)),
            f"client {client}: server closed the connection",
        ]
    ]
    assert lines[1:] == [
        *conversations,
        "main: clients done, shutting the server down",
        "server: stopped after 3 connections, listener closed",
        "main: all tasks finished",
    ]


def test_start_server_with_more_clients() -> None:
    done = run(EXAMPLES / "start_server.py", "--clients", "5")
    assert done.returncode == 0, done.stderr
    assert "server: stopped after 5 connections, listener closed" in done.stdout
    assert done.stdout.count("got 'HELLO") == 15


def test_deep_and_wide_counts_every_task_and_nursery() -> None:
    done = run(EXAMPLES / "deep_and_wide.py", "--depth", "4", "--fanout", "5", "--hold", "0.05")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "tree: depth 4, fan-out 5",
        "tasks: 780 (expected 780)",
        "nurseries: 156 (expected 156)",
        "leaves: 625 (expected 625)",
        "deepest level: 4",
    ]


def test_server_like_serves_supervises_and_shares_its_lock() -> None:
    done = run(EXAMPLES / "server_like.py", "--workers", "300", "--seconds", "1.5", speed=1)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"server: listening on 127\.0\.0\.1 port \d+", lines[0])
    assert "supervisor: group 0 failed (probe-7: upstream refused the health check), restarting" in lines
    assert re.fullmatch(r"server: 8 connections served [1-9]\d* lines", lines[-3]), lines
    assert re.fullmatch(r"pool: 300 workers took the lock [1-9]\d* times", lines[-2]), lines
    assert lines[-1] == "supervisor: 1 failed groups", lines
    assert "Traceback" not in done.stderr


def test_server_like_holds_until_interrupted() -> None:
    def launch() -> tuple[subprocess.Popen[str], str]:
        process = start(EXAMPLES / "server_like.py", "--workers", "50", "--hold", speed=1)
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("server: listening"), first
        # Well past the 3 s a run takes without --hold: still serving.
        time.sleep(3.5)
        assert process.poll() is None
        return process, first

    code, _, err = ctrl_c(launch, trio=True)
    assert code == 130, err
    assert "interrupted" in err and "Traceback" not in err


def test_launch_configurations_open_each_example_with_debugpy() -> None:
    launch = json.loads((EXAMPLES / ".vscode" / "launch.json").read_text(encoding="utf-8"))
    configurations = launch["configurations"]
    assert configurations[0]["name"] == "Hettinger: the Trio way"
    assert configurations[0]["program"] == "${workspaceFolder}/hettinger/trio_way.py"
    programs = set()
    for configuration in configurations:
        assert configuration["type"] == "debugpy" and configuration["request"] == "launch"
        assert configuration["console"] == "integratedTerminal" and configuration["justMyCode"] is True
        program = configuration["program"].replace("${workspaceFolder}", str(EXAMPLES))
        assert Path(program).is_file(), configuration["name"]
        programs.add(Path(program).name)
    assert programs >= {"trio_way.py", "asyncio_way.py", "threads.py", "failing_child.py", "deadlines.py", "start_server.py", "deep_and_wide.py", "server_like.py"}


def test_f5_on_a_hettinger_example_runs_slow_enough_to_watch() -> None:
    # At speed 1 the crawl is over in ~1.5 s: before the panel is up in
    # code-server, and a blink on the desktop. Each Hettinger configuration
    # slows the stand-in sites so that the slowest answers after >= 3 s.
    launch = json.loads((EXAMPLES / ".vscode" / "launch.json").read_text(encoding="utf-8"))
    hettinger = [c for c in launch["configurations"] if "/hettinger/" in c["program"]]
    assert len(hettinger) == 5
    for configuration in hettinger:
        speed = float(configuration.get("env", {}).get("EXAMPLE_SPEED", "1"))
        assert max(site.delay for site in sites.SITES) / speed >= 3, configuration["name"]

