"""The stuck examples: deadlock.py (two transfers, two locks; with asyncio:
asyncio_deadlock.py) and hang.py (an Event nobody sets), as programs and as
recorded under the runtime: each stuck task says what it waits for and who
holds it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from example_process import EXAMPLES, ctrl_c, example_env, run, start
from fixture_runs import record

from nursery_lens._core.batches import expand


def events(path: Path) -> list[dict[str, Any]]:
    # a batch line (1.3) as the events it stands for
    return [e for line in path.read_text(encoding="utf-8").splitlines() for e in expand(json.loads(line))]


def last_waits(evs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (tid,) = [e["id"] for e in evs if e["type"] == "task.spawned" and e["name"] == name]
    found = [e["waits"] for e in evs if e["type"] == "task.state" and e["id"] == tid and e.get("waits")]
    assert found, f"{name} never said what it waits for"
    return dict(found[-1])


def ids(evs: list[dict[str, Any]]) -> dict[str, int]:
    return {e["name"]: e["id"] for e in evs if e["type"] == "task.spawned"}


def test_deadlock_two_transfers_wait_for_each_others_lock(tmp_path: Path) -> None:
    out = tmp_path / "deadlock.ndjson"
    done = record("deadlock", out)
    assert done.returncode == 0, done.stderr
    evs, tid = events(out), ids(events(out))
    ab, ba = last_waits(evs, "transfer alice->bob"), last_waits(evs, "transfer bob->alice")
    assert (ab["kind"], ab["label"], ab["holders"]) == ("lock", "Lock bob.lock", [tid["transfer bob->alice"]])
    assert (ba["kind"], ba["label"], ba["holders"]) == ("lock", "Lock alice.lock", [tid["transfer alice->bob"]])
    assert "wakes" not in ab  # nothing but the other transfer could wake it
    # the auditor kept running: the program was not hung, only the transfers were stuck
    assert done.stdout.count("auditor: 150 in the bank") >= 2
    exits = {e["id"]: e for e in evs if e["type"] == "task.exited"}
    assert exits[tid["transfer alice->bob"]]["outcome"] == "cancelled"


def test_asyncio_deadlock_two_transfers_hold_the_lock_the_other_waits_for(tmp_path: Path) -> None:
    out = tmp_path / "asyncio_deadlock.ndjson"
    program = EXAMPLES / "asyncio_deadlock.py"
    done = subprocess.run(
        [sys.executable, "-m", "nursery_lens", "--record", str(out), str(program), "--exit-after", "1.5"],
        capture_output=True,
        text=True,
        env=example_env(),
        cwd=str(EXAMPLES),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    evs, tid = events(out), ids(events(out))
    ab, ba = last_waits(evs, "transfer alice->bob"), last_waits(evs, "transfer bob->alice")
    # each lock by the name main gave its account (the transfers both call it dst.lock)
    assert (ab["kind"], ab["label"], ab["holders"]) == ("lock", "Lock bob.lock", [tid["transfer bob->alice"]])
    assert (ba["kind"], ba["label"], ba["holders"]) == ("lock", "Lock alice.lock", [tid["transfer alice->bob"]])
    assert "wakes" not in ab
    (main,) = [e["id"] for e in evs if e["type"] == "task.spawned" and e.get("main")]
    (group,) = [e["id"] for e in evs if e["type"] == "nursery.opened"]
    states = [e for e in evs if e["type"] == "task.state" and e["id"] == main and e.get("waits")]
    assert states[-1]["waits"]["kind"] == "children"
    assert states[-1]["waits"]["obj"] == group
    assert done.stdout.count("auditor: 150 in the bank") >= 2
    assert done.stdout.strip().splitlines()[-1] == "stopped: alice 100, bob 50"


def test_hang_workers_wait_for_an_event_nobody_sets(tmp_path: Path) -> None:
    out = tmp_path / "hang.ndjson"
    done = record("hang", out)
    assert done.returncode == 0, done.stderr
    evs = events(out)
    for i in range(3):
        w = last_waits(evs, f"worker-{i}")
        assert (w["kind"], w["label"]) == ("event", "Event state.ready")
        assert "until" not in w and "wakes" not in w
    assert "load config: missing.toml not found" in done.stdout


def test_deadlock_runs_until_stopped_and_ctrl_c_ends_it() -> None:
    def launch() -> tuple[subprocess.Popen[str], str]:
        process = start(EXAMPLES / "deadlock.py")
        line = process.stdout.readline() if process.stdout else ""
        assert line.startswith("deadlocked: press Ctrl-C"), line
        return process, line

    code, _, err = ctrl_c(launch, trio=True)
    assert code != 0 and "KeyboardInterrupt" in err, err


def test_exit_after_ends_both_examples_cleanly() -> None:
    for program, last in (("deadlock.py", "stopped: alice 100, bob 50"), ("hang.py", "stopped")):
        done = run(EXAMPLES / program, "--exit-after", "0.5", timeout=30)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().splitlines()[-1] == last
