"""asyncio with zero code change: the bootstrap and ``python -m nursery_lens``, as real processes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from conftest import BOOTSTRAP, PYTHON, Recording, check_order, subprocess_env

if TYPE_CHECKING:
    from pathlib import Path

PROGRAM = textwrap.dedent("""
    import asyncio, sys

    async def fetch(n):
        await asyncio.sleep(0.01 * n)
        if n == 3 and "fail" in sys.argv:
            raise ValueError(f"fetch {n} failed")
        return n

    async def main():
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(fetch(n), name=f"fetch-{n}") for n in range(4)]
        return sum(t.result() for t in tasks)

    if "uvloop" in sys.argv:
        import uvloop
        print(uvloop.run(main()))
    else:
        print(asyncio.run(main()))
""")


def _run(tmp_path: Path, *args: str, config: object = None, bootstrap: bool = True) -> subprocess.CompletedProcess[str]:
    env = subprocess_env()
    if bootstrap:
        env["PYTHONPATH"] = str(BOOTSTRAP)
    if config is not None:
        env["NURSERY_LENS"] = json.dumps(config)
    return subprocess.run([PYTHON, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


def _check_tree(rec: Recording) -> None:
    check_order(rec.events)
    (group,) = rec.of("nursery.opened")
    assert group["kind"] == "taskgroup"
    assert group["site"]["file"].endswith("prog.py")
    fetches = [e for e in rec.of("task.spawned") if e["name"].startswith("fetch-")]
    assert sorted(e["name"] for e in fetches) == [f"fetch-{n}" for n in range(4)]
    assert all(e["nursery"] == group["id"] for e in fetches)
    assert all(e["func"]["function"] == "fetch" for e in fetches)


def test_the_bootstrap_observes_asyncio_run(tmp_path):
    (tmp_path / "prog.py").write_text(PROGRAM, encoding="utf-8")
    out = tmp_path / "r.ndjson"
    r = _run(tmp_path, "prog.py", config={"v": 1, "options": {"record": str(out), "sample_hz": 0}})
    assert r.returncode == 0, r.stderr
    assert (r.stdout, r.stderr) == ("6\n", "")
    rec = Recording(out.read_text(encoding="utf-8"))
    assert rec.events[0]["runtime"] == "asyncio"
    _check_tree(rec)


def test_python_m_nursery_lens_observes_asyncio(tmp_path):
    (tmp_path / "prog.py").write_text(PROGRAM, encoding="utf-8")
    out = tmp_path / "r.ndjson"
    r = _run(tmp_path, "-m", "nursery_lens", "--record", str(out), "prog.py", bootstrap=False)
    assert r.returncode == 0, r.stderr
    assert (r.stdout, r.stderr) == ("6\n", "")
    _check_tree(Recording(out.read_text(encoding="utf-8")))


def test_uvloop_runs_are_observed(tmp_path):
    pytest.importorskip("uvloop")
    (tmp_path / "prog.py").write_text(PROGRAM, encoding="utf-8")
    out = tmp_path / "r.ndjson"
    r = _run(tmp_path, "-m", "nursery_lens", "--record", str(out), "prog.py", "uvloop", bootstrap=False)
    assert r.returncode == 0, r.stderr
    assert (r.stdout, r.stderr) == ("6\n", "")
    rec = Recording(out.read_text(encoding="utf-8"))
    _check_tree(rec)
    assert len(rec.of("run.started")) == 1
    assert rec.main()["func"]["function"].endswith("wrapper")  # uvloop.run's own wrapper around main()
    # the loop's own shutdown tasks (uvloop's Cython coroutines) are the library's, not roots of the program's
    roots = [e for e in rec.of("task.spawned") if e["nursery"] is None and not e.get("main") and "parent" not in e]
    assert roots, "uvloop.run's shutdown_asyncgens and shutdown_default_executor"
    assert all(e["system"] for e in roots), [(e["name"], e["system"]) for e in roots]


def test_a_failing_program_prints_the_same_traceback_as_without_the_lens(tmp_path):
    (tmp_path / "prog.py").write_text(PROGRAM, encoding="utf-8")
    plain = _run(tmp_path, "prog.py", "fail", bootstrap=False)
    out = tmp_path / "r.ndjson"
    lens = _run(tmp_path, "-m", "nursery_lens", "--record", str(out), "prog.py", "fail", bootstrap=False)
    assert plain.returncode == lens.returncode == 1
    assert "ValueError: fetch 3 failed" in plain.stderr
    assert lens.stderr == plain.stderr  # no frame of the runtime in it
    rec = Recording(out.read_text(encoding="utf-8"))
    assert rec.events[-1]["outcome"] == "raised"
    assert rec.events[-1]["error"]["type"] == "ExceptionGroup"


def test_a_process_with_trio_and_asyncio_runs_names_each_runs_library(tmp_path):
    pytest.importorskip("trio")
    (tmp_path / "both.py").write_text(
        textwrap.dedent("""
            import asyncio, trio
            async def a(): await asyncio.sleep(0)
            async def t(): await trio.sleep(0)
            trio.run(t)
            asyncio.run(a())
            trio.run(t)
        """),
        encoding="utf-8",
    )
    out = tmp_path / "r.ndjson"
    r = _run(tmp_path, "-m", "nursery_lens", "--record", str(out), "both.py", bootstrap=False)
    assert r.returncode == 0, r.stderr
    rec = Recording(out.read_text(encoding="utf-8"))
    check_order(rec.events)
    assert rec.events[0]["runtime"] == "trio"  # the library of the first run
    assert [e["library"] for e in rec.of("run.started")] == ["trio", "asyncio", "trio"]
    versions = [e["library_version"] for e in rec.of("run.started")]
    assert versions[1] == "{}.{}.{}".format(*sys.version_info[:3])
    assert versions[0] == versions[2] != versions[1]


def test_unset_leaves_asyncio_alone(tmp_path):
    code = "import asyncio, sys; print(asyncio.base_events.BaseEventLoop.create_task.__module__, 'nursery_lens' in sys.modules)"
    r = _run(tmp_path, "-c", code)
    assert (r.stdout, r.stderr) == ("asyncio.base_events False\n", "")
