"""Zero-code activation through ``bootstrap/sitecustomize.py``."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from typing import TYPE_CHECKING

from conftest import BOOTSTRAP, PYTHON, Recording, check_order, subprocess_env

if TYPE_CHECKING:
    from pathlib import Path

PROGRAM = textwrap.dedent("""
    import sys, trio

    class Mine(trio.abc.Instrument):
        def before_run(self):
            print("own instrument ran")

    async def child():
        await trio.sleep(0)

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(child)

    own = sys.argv[1:] == ["own"]
    trio.run(main, instruments=[Mine()] if own else ())
    print("done")
""")


def run(tmp_path: Path, *args: str, config=None, pythonpath=None):
    env = subprocess_env()
    env["PYTHONPATH"] = pythonpath or str(BOOTSTRAP)
    if config is not None:
        env["NURSERY_LENS"] = json.dumps(config)
    return subprocess.run([PYTHON, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30)


def test_unset_does_nothing(tmp_path):
    (tmp_path / "p.py").write_text(PROGRAM, encoding="utf-8")
    r = run(tmp_path, "-c", "import sys; print('nursery_lens' in sys.modules, 'trio' in sys.modules)")
    assert r.stdout == "False False\n"
    assert r.stderr == ""


def test_set_instruments_every_run(tmp_path):
    (tmp_path / "p.py").write_text(PROGRAM, encoding="utf-8")
    out = tmp_path / "b.ndjson"
    for own in (False, True):
        args = ["p.py", "own"] if own else ["p.py"]
        r = run(tmp_path, *args, config={"v": 1, "options": {"record": str(out), "sample_hz": 0}})
        assert r.returncode == 0, r.stderr
        assert r.stderr == ""
        assert r.stdout == ("own instrument ran\ndone\n" if own else "done\n")
        rec = Recording(out.read_text(encoding="utf-8"))
        check_order(rec.events)
        assert rec.task("child")["site"]["file"] == str(tmp_path / "p.py")
        assert len(rec.of("run.started")) == 1


def test_trio_not_imported_eagerly(tmp_path):
    r = run(
        tmp_path,
        "-c",
        "import sys; print('trio' in sys.modules)",
        config={"v": 1, "options": {"record": str(tmp_path / "x.ndjson")}},
    )
    assert r.stdout == "False\n"
    assert r.stderr == ""
    assert not (tmp_path / "x.ndjson").exists()


def test_chains_to_user_sitecustomize(tmp_path):
    user = tmp_path / "usersite"
    user.mkdir()
    (user / "sitecustomize.py").write_text("import builtins\nbuiltins.USER_SITE_RAN = True\n", encoding="utf-8")
    code = "import builtins; print(getattr(builtins, 'USER_SITE_RAN', False))"
    for config in (None, {"v": 1, "options": {"record": str(tmp_path / "y.ndjson")}}):
        r = run(tmp_path, "-c", code, config=config, pythonpath=f"{BOOTSTRAP}:{user}")
        assert r.stdout == "True\n", r.stderr
        assert r.stderr == ""


def test_bad_config_is_one_line_and_program_runs(tmp_path):
    (tmp_path / "p.py").write_text(PROGRAM, encoding="utf-8")
    env_config = "{not json"
    env = subprocess_env(PYTHONPATH=str(BOOTSTRAP), NURSERY_LENS=env_config)
    r = subprocess.run([PYTHON, "p.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0
    assert r.stdout == "done\n"
    assert len(r.stderr.strip().splitlines()) == 1
    assert "nursery_lens" in r.stderr


def test_bootstrap_loaded_twice_is_harmless(tmp_path):
    (tmp_path / "p.py").write_text(
        "import sitecustomize, importlib\nimportlib.reload(sitecustomize)\n" + PROGRAM, encoding="utf-8"
    )
    out = tmp_path / "t.ndjson"
    r = run(tmp_path, "p.py", config={"v": 1, "options": {"record": str(out), "sample_hz": 0}})
    assert r.returncode == 0, r.stderr
    rec = Recording(out.read_text(encoding="utf-8"))
    assert len(rec.of("run.started")) == 1
    assert len(rec.tasks("child")) == 1


def test_cli_options_win_over_the_bootstrap_environment(tmp_path):
    # The bootstrap activates first (NURSERY_LENS), then `python -m
    # nursery_lens --record` activates again: the program's runs follow the
    # command line, and the environment's recording is never written.
    (tmp_path / "p.py").write_text(PROGRAM, encoding="utf-8")
    env_out, cli_out = tmp_path / "env.ndjson", tmp_path / "cli.ndjson"
    config = {"v": 1, "options": {"record": str(env_out), "sample_hz": 0}}
    r = run(tmp_path, "-m", "nursery_lens", "--record", str(cli_out), "p.py", config=config)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "done\n"
    assert not env_out.exists()
    rec = Recording(cli_out.read_text(encoding="utf-8"))
    assert len(rec.tasks("child")) == 1


def test_our_bytecode_is_cached_under_dontwritebytecode_and_the_programs_is_not(tmp_path):
    # Modules a first run imports lazily (asyncio's run, the emitter) were
    # compiled again at every start: ~8 ms of CPU each time.
    import shutil

    from conftest import ROOT

    copy = tmp_path / "lens"
    shutil.copytree(BOOTSTRAP, copy / "bootstrap")
    shutil.copytree(
        ROOT / "runtime" / "python" / "src" / "nursery_lens",
        copy / "src" / "nursery_lens",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (tmp_path / "helper.py").write_text("async def main():\n    pass\n", encoding="utf-8")
    (tmp_path / "p.py").write_text(
        "import asyncio, sys, helper\n"
        "asyncio.run(helper.main())\n"
        "print('\\n'.join(f'{n} {m.__cached__}' for n, m in sys.modules.items() if n.startswith('nursery_lens.')"
        " and getattr(m, '__cached__', None)))\n",
        encoding="utf-8",
    )
    config = {"v": 1, "options": {"record": str(tmp_path / "r.ndjson"), "sample_hz": 0}}
    r = run(tmp_path, "p.py", config=config, pythonpath=str(copy / "bootstrap"))
    assert r.returncode == 0, r.stderr
    loaded = dict(line.split(" ", 1) for line in r.stdout.splitlines())
    assert "nursery_lens._asyncio.run" in loaded
    assert "nursery_lens._core.emitter" in loaded
    assert [name for name, pyc in loaded.items() if not os.path.exists(pyc)] == []
    assert not (tmp_path / "__pycache__").exists(), "the program's own bytecode is not written"
