"""The tree as text (runtime/protocol/TREE_TEXT.md) and ``python -m nursery_lens show``.

The golden files (test/fixtures/**/*.tree.txt) are shared with the
extension's tests (test/unit/treeText.test.ts): both languages must print
them byte for byte. ``NAME.tree.txt`` is NAME.ndjson at its end,
``NAME.at-S.tree.txt`` the same recording S seconds into its run.
"""

from __future__ import annotations

import gzip
import re
import subprocess
from typing import TYPE_CHECKING

import pytest

from conftest import PYTHON, ROOT, subprocess_env
from nursery_lens._core.show import read_runs
from nursery_lens._core.tree_rows import RunRows
from nursery_lens._core.tree_text import clean, run_status, seconds, tree_lines, tree_text

if TYPE_CHECKING:
    from pathlib import Path

FIXTURES = ROOT / "test" / "fixtures"
GOLDENS = sorted(FIXTURES.rglob("*.tree.txt"))
EDGES = FIXTURES / "synthetic" / "tree_text_edges.ndjson"


def recording_of(golden: Path) -> tuple[Path, float | None]:
    m = re.fullmatch(r"(.*?)(?:\.at-([\d.]+))?\.tree\.txt", golden.name)
    assert m is not None
    # Large recordings are committed gzipped (NAME.ndjson.gz).
    plain = golden.with_name(m.group(1) + ".ndjson")
    rec = plain if plain.exists() else golden.with_name(m.group(1) + ".ndjson.gz")
    return rec, float(m.group(2)) if m.group(2) else None


def show(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [PYTHON, "-m", "nursery_lens", "show", *args],
        input=stdin.encode() if stdin is not None else None,
        capture_output=True,
        env=subprocess_env(),
        timeout=30,
    )


def test_every_recorded_fixture_has_a_golden_text():
    names = {g.relative_to(FIXTURES).as_posix() for g in GOLDENS}
    for rec in FIXTURES.glob("*.ndjson"):
        assert rec.name.replace(".ndjson", ".tree.txt") in names
    assert "synthetic/tree_text_edges.tree.txt" in names
    assert any(".at-" in n for n in names)


@pytest.mark.parametrize("golden", GOLDENS, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_golden_text_byte_for_byte(golden: Path):
    rec, at = recording_of(golden)
    at_ms = at * 1000 if at is not None else None
    with gzip.open(rec, "rt", encoding="utf-8") if rec.suffix == ".gz" else rec.open(encoding="utf-8") as f:
        runs, bad = read_runs(f, at_ms)
    assert bad == 0
    text = "\n".join(tree_text(run, run_status(run, cut), at_ms) for run, cut in runs)
    assert text.encode("utf-8") == golden.read_bytes()


def test_show_prints_the_golden_text():
    r = show(str(FIXTURES / "deadlines.ndjson"), "--at", "0.15")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout == (FIXTURES / "deadlines.at-0.15.tree.txt").read_bytes()


def test_show_picks_one_run_and_reads_stdin():
    text = EDGES.read_text(encoding="utf-8")
    r = show("-", "--run=2", stdin=text)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert out.startswith("pkg.server · AnyIO 4.6.0 on Trio 0.35.0 · raised ExceptionGroup")
    assert "edge cases.py" not in out
    assert "    conn 2 · lost · spawned @ server.py:33\n" in out


def test_show_says_what_is_wrong():
    missing = show("/nonexistent/run.ndjson")
    assert missing.returncode == 2
    assert b"cannot read /nonexistent/run.ndjson" in missing.stderr
    assert show(str(EDGES), "--run", "3").returncode == 2
    assert b"holds 2 run(s), not 3" in show(str(EDGES), "--run", "3").stderr
    assert show(str(EDGES), "--at", "soon").returncode == 2
    assert show().returncode == 2
    helped = show("--help")
    assert helped.returncode == 0
    assert b"usage: python -m nursery_lens show" in helped.stdout
    empty = show("-", stdin="not json\n")
    assert empty.returncode == 1
    assert b"1 line(s) of - are not events" in empty.stderr
    assert b"holds no runs" in empty.stderr


def test_show_skips_bad_lines_and_keeps_the_rest():
    lines = (FIXTURES / "failing_child.ndjson").read_text(encoding="utf-8").splitlines()
    lines.insert(5, '{"type": "task.spawned", "run": 1, ')
    lines.insert(7, '{"type":"task.exited","run":1,"ts":1,"id":"five","outcome":"returned"}')
    r = show("-", stdin="\n".join(lines) + "\n")
    assert r.returncode == 0
    assert r.stdout == (FIXTURES / "failing_child.tree.txt").read_bytes()
    assert b"2 line(s) of - are not events" in r.stderr


def test_a_saved_recording_that_says_its_program_stopped_reads_disconnected():
    """1.5: Save Recording… ends a run that did not finish with the collector's
    run.stopped; before that moment the run was still running."""
    lines = (FIXTURES / "failing_child.ndjson").read_text(encoding="utf-8").splitlines()
    cut = [line for line in lines if '"run.finished"' not in line]
    assert show("-", stdin="\n".join(cut) + "\n").stdout.splitlines()[0].endswith(b" \xc2\xb7 not finished")
    stop = '{"type":"run.stopped","run":1,"ts":9000,"reason":"The program disconnected before its run finished."}'
    r = show("-", stdin="\n".join([*cut, stop]) + "\n")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout.decode().splitlines()[0].endswith(" · disconnected")
    early = show("-", "--at", "0.1", stdin="\n".join([*cut, stop]) + "\n")
    assert " · running · at " in early.stdout.decode().splitlines()[0]
    # saved while the program ran on: the recording ends, the run did not
    saved = '{"type":"run.stopped","run":1,"ts":9000,"reason":"saved","running":true}'
    ran_on = show("-", stdin="\n".join([*cut, saved]) + "\n")
    assert ran_on.stdout.decode().splitlines()[0].endswith(" · running")


def test_identical_siblings_collapse_with_their_whole_subtree():
    run = RunRows(1)
    site = {"file": "/a/w.py", "line": 9, "function": "main"}
    events = [
        {"type": "run.started", "run": 1, "ts": 0},
        {
            "type": "task.spawned",
            "run": 1,
            "ts": 1,
            "id": 1,
            "name": "main",
            "nursery": None,
            "system": False,
            "main": True,
            "site": None,
        },
        {"type": "nursery.opened", "run": 1, "ts": 1, "id": 2, "task": 1, "site": site},
    ]
    events.extend(
        {"type": "task.spawned", "run": 1, "ts": 2, "id": i, "name": "w", "nursery": 2, "system": False, "site": site}
        for i in (3, 4, 5)
    )
    events.append({"type": "task.exited", "run": 1, "ts": 3, "id": 5, "outcome": "returned"})
    for e in events:
        run.apply(e)
    assert tree_lines(run.rows()) == [
        "main · scheduled",
        "  nursery @ w.py:9",
        "    w ×2 · scheduled · spawned @ w.py:9",
        "    w · returned · spawned @ w.py:9",
    ]


def test_text_helpers_agree_with_the_extension():
    assert clean("a\nb\u202ec\x07\t") == "a\\nb\\u202ec\\x07\\t"
    assert clean("x\ud800y") == "x\ufffdy"
    assert len(clean("\U0001d50f" * 300)) == 200
    assert seconds(2500.5) == "2.501s"  # half up, as Math.floor(x + 0.5), not round()'s half even
    assert seconds(-1.5) == "-0.001s"
    assert seconds(61234) == "61.234s"
