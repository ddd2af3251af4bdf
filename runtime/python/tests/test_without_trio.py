"""The core without Trio: a program that never imports it, on a machine
without it installed, runs as if the runtime were not there.

"Not installed" is a ``trio`` package first on ``sys.path`` whose import
fails the way a missing one does.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

from conftest import BOOTSTRAP, PYTHON, Recording, subprocess_env

ASYNCIO_PROGRAM = textwrap.dedent("""
    import asyncio, sys

    async def main():
        await asyncio.sleep(0)
        return "ran"

    print(asyncio.run(main()))
    try:
        import trio
    except ImportError as exc:
        print("no trio:", exc)
    print(sorted(m for m in sys.modules if m.split(".")[0] in ("trio", "outcome", "sniffio")))
""")


def _no_trio(tmp_path: Path) -> Path:
    shadow = tmp_path / "shadow"
    (shadow / "trio").mkdir(parents=True)
    (shadow / "trio" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'trio'\", name='trio')\n", encoding="utf-8"
    )
    (tmp_path / "p.py").write_text(ASYNCIO_PROGRAM, encoding="utf-8")
    return shadow


def _run(tmp_path: Path, *args: str, pythonpath: str, config: object = None) -> subprocess.CompletedProcess[str]:
    env = subprocess_env(PYTHONPATH=pythonpath)
    if config is not None:
        env["NURSERY_LENS"] = json.dumps(config)
    return subprocess.run([PYTHON, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30)


EXPECTED = "ran\nno trio: No module named 'trio'\n[]\n"


def test_cli_runs_a_program_without_trio(tmp_path):
    shadow = _no_trio(tmp_path)
    out = tmp_path / "r.ndjson"
    r = _run(tmp_path, "-m", "nursery_lens", "--record", str(out), "p.py", pythonpath=str(shadow))
    assert r.stderr == ""
    assert r.returncode == 0
    assert r.stdout == EXPECTED
    # its asyncio run is observed, with Trio nowhere
    rec = Recording(out.read_text(encoding="utf-8"))
    assert rec.events[0]["runtime"] == "asyncio"
    assert [e["outcome"] for e in rec.of("run.finished")] == ["returned"]
    assert rec.exit(rec.main()["id"])["outcome"] == "returned"


def test_bootstrap_runs_a_program_without_trio(tmp_path):
    shadow = _no_trio(tmp_path)
    config = {"v": 1, "options": {"record": str(tmp_path / "b.ndjson")}}
    r = _run(tmp_path, "p.py", pythonpath=f"{BOOTSTRAP}:{shadow}", config=config)
    assert r.stderr == ""
    assert r.returncode == 0
    assert r.stdout == EXPECTED


def test_every_core_and_asyncio_module_imports_without_trio(tmp_path):
    shadow = _no_trio(tmp_path)
    code = textwrap.dedent("""
        import importlib, pkgutil, sys
        import nursery_lens, nursery_lens._core as core, nursery_lens._asyncio as aio
        names = [m.name for m in pkgutil.iter_modules(core.__path__)]
        for name in names:
            importlib.import_module("nursery_lens._core." + name)
        for name in [m.name for m in pkgutil.iter_modules(aio.__path__)]:
            importlib.import_module("nursery_lens._asyncio." + name)
        print(len(names), "trio" in sys.modules)
        try:
            nursery_lens.Instrument
        except ImportError as exc:
            print("Instrument:", exc)
    """)
    r = _run(tmp_path, "-c", code, pythonpath=str(shadow))
    assert r.stderr == ""
    count, trio_loaded = r.stdout.splitlines()[0].split()
    assert int(count) >= 10
    assert trio_loaded == "False"
    assert r.stdout.splitlines()[1] == "Instrument: No module named 'trio'"


def test_show_reads_a_recording_without_trio(tmp_path):
    shadow = _no_trio(tmp_path)
    fixtures = Path(__file__).resolve().parents[3] / "test" / "fixtures"
    r = _run(tmp_path, "-m", "nursery_lens", "show", str(fixtures / "failing_child.ndjson"), pythonpath=str(shadow))
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == (fixtures / "failing_child.tree.txt").read_text(encoding="utf-8")
