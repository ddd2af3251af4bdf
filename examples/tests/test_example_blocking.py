"""examples/blocking.py: the output it promises, and the lints it makes under the runtime.

Run under ``python -m nursery_lens --record`` as a real subprocess: the
report's synchronous render holds the loop about 300 ms each time and is
reported at its line, by the task ``report``; the pollers' 20 ms parse (a
near miss) never is; the forgotten ``await`` is a coroutine never awaited.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
from example_process import EXAMPLES, run

BLOCKING = EXAMPLES / "blocking.py"
SCHEMA = json.loads((EXAMPLES.parent / "runtime" / "protocol" / "events.schema.json").read_text(encoding="utf-8"))


def line_of(marker: str) -> int:
    for number, text in enumerate(BLOCKING.read_text(encoding="utf-8").splitlines(), 1):
        if marker in text:
            return number
    raise AssertionError(marker)


def recorded(tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    out = tmp_path / "blocking.ndjson"
    done = run(BLOCKING, *args, python=[sys.executable, "-m", "nursery_lens", "--record", str(out)])
    assert done.returncode == 0, done.stderr
    validator = jsonschema.Draft202012Validator(SCHEMA)
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for e in events:
        errors = list(validator.iter_errors(e))
        assert not errors, (errors[0].message, e)
    return events


def test_the_board_prints_its_rounds_and_python_warns_about_the_forgotten_await() -> None:
    done = run(BLOCKING, "--boards", "2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["board 1", "board 2", "done"], lines
    assert "ACME" in lines[0] and "GLOBEX" in lines[0] and "INITECH" in lines[0]
    assert "coroutine 'log_event' was never awaited" in done.stderr


def test_under_the_runtime_the_render_is_reported_blocking_the_loop_and_the_parse_is_not(tmp_path: Path) -> None:
    events = recorded(tmp_path, "--boards", "2")
    names = {e["id"]: e["name"] for e in events if e["type"] == "task.spawned"}
    final = [e for e in events if e["type"] == "loop.blocked" and not e.get("ongoing")]
    assert len(final) == 2, final  # one per board
    for block in final:
        assert names[block["task"]] == "report", block
        assert block["at"]["line"] == line_of("time.sleep(block_s)"), block
        assert block["at"]["function"] == "render_sync"
        assert 290 <= block["duration"] < 1000, block
    assert all(e["at"]["line"] != line_of("parsing the answer") for e in events if e["type"] == "loop.blocked")
    (warning,) = [e for e in events if e["type"] == "warning"]
    assert warning["kind"] == "never_awaited"
    assert warning["site"]["line"] == line_of('log_event("first board")')
    assert names[warning["task"]] == "report"
    assert warning["func"]["function"] == "log_event"


def test_a_50_ms_render_is_a_near_miss(tmp_path: Path) -> None:
    events = recorded(tmp_path, "--boards", "2", "--block-ms", "50")
    assert [e for e in events if e["type"] == "loop.blocked"] == []
