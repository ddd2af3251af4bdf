"""``python -m nursery_lens``: the program cannot tell it was launched through us."""

from __future__ import annotations

import json
import stat
import subprocess
import textwrap
from typing import TYPE_CHECKING

import pytest

from conftest import PYTHON, Recording, check_order, subprocess_env

if TYPE_CHECKING:
    from pathlib import Path

PROGRAM = textwrap.dedent("""
    import sys, trio
    print("argv", sys.argv)
    print("name", __name__, "file", __file__)
    print("path0", sys.path[0])
    sys.stderr.write("to stderr\\n")

    async def child():
        await trio.sleep(0)

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(child)

    trio.run(main)
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "raise":
        raise ValueError("program failed")
    if mode.isdigit():
        sys.exit(int(mode))
""")


def run(args, cwd, env=None):
    return subprocess.run(
        [PYTHON, *args], cwd=cwd, env=env or subprocess_env(), capture_output=True, text=True, timeout=30
    )


@pytest.fixture
def prog(tmp_path: Path) -> Path:
    p = tmp_path / "prog.py"
    p.write_text(PROGRAM, encoding="utf-8")
    return p


@pytest.mark.parametrize("mode", ["", "raise", "3"])
def test_script_behaves_exactly_as_without_us(tmp_path, prog, mode):
    extra = [mode] if mode else []
    plain = run(["prog.py", *extra], tmp_path)
    out = tmp_path / "out.ndjson"
    lens = run(["-m", "nursery_lens", "--record", str(out), "prog.py", *extra], tmp_path)
    assert lens.stdout == plain.stdout
    assert lens.stderr == plain.stderr
    assert lens.returncode == plain.returncode
    rec = Recording(out.read_text(encoding="utf-8"))
    check_order(rec.events)
    assert rec.events[0]["type"] == "hello"
    assert rec.events[0]["argv"] == ["prog.py", *extra]
    assert rec.task("child")["site"]["file"] == str(prog)
    assert rec.of("run.finished")[0]["outcome"] == "returned"


def test_module_mode(tmp_path, prog):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "tool.py").write_text(PROGRAM, encoding="utf-8")
    plain = run(["-m", "pkg.tool", "raise"], tmp_path)
    out = tmp_path / "m.ndjson"
    lens = run(["-m", "nursery_lens", "--record", str(out), "-m", "pkg.tool", "raise"], tmp_path)
    assert lens.stdout == plain.stdout
    assert lens.stderr == plain.stderr
    assert lens.returncode == plain.returncode == 1
    assert "ValueError: program failed" in lens.stderr
    rec = Recording(out.read_text(encoding="utf-8"))
    assert rec.task("child")["site"]["file"] == str(pkg / "tool.py")


def test_missing_script_and_module_errors_match_python(tmp_path):
    for args in (["nope.py"], ["-m", "no_such_module_xyz"]):
        plain = run(args, tmp_path)
        lens = run(["-m", "nursery_lens", *args], tmp_path)
        assert (lens.returncode, lens.stdout, lens.stderr) == (plain.returncode, plain.stdout, plain.stderr)


def test_usage_errors(tmp_path):
    r = run(["-m", "nursery_lens"], tmp_path)
    assert r.returncode == 2
    assert "usage:" in r.stderr
    r = run(["-m", "nursery_lens", "--help"], tmp_path)
    assert r.returncode == 0
    assert "usage:" in r.stdout
    # it names each library it instruments, not Trio's alone
    assert all(f"{lib}.run" in r.stdout for lib in ("trio", "asyncio", "anyio")), r.stdout


def test_program_without_trio_does_not_import_it(tmp_path):
    (tmp_path / "plain.py").write_text("import sys\nprint('trio' in sys.modules)\n", encoding="utf-8")
    r = run(["-m", "nursery_lens", "--record", str(tmp_path / "x.ndjson"), "plain.py"], tmp_path)
    assert r.stdout == "False\n"
    assert r.returncode == 0


@pytest.mark.parametrize("how", ["--record", "options.record"])
def test_recording_is_private_and_never_holds_the_secret(tmp_path, prog, how):
    # #12 item 1: a recording gets shared; the launch secret must not be in it,
    # and the file is its owner's only, even where a wider file was before
    out = tmp_path / "s.ndjson"
    out.write_text("an older recording\n", encoding="utf-8")
    out.chmod(0o644)
    options = {"sample_hz": 0} if how == "--record" else {"sample_hz": 0, "record": str(out)}
    env = subprocess_env(NURSERY_LENS=json.dumps({"v": 1, "secret": "abc123", "options": options}))
    args = ["--record", str(out)] if how == "--record" else []
    r = run(["-m", "nursery_lens", *args, "prog.py"], tmp_path, env)
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert "abc123" not in text
    rec = Recording(text)
    assert "secret" not in rec.events[0]
    assert rec.events[0]["minor"] == 6
    assert len(rec.of("run.finished")) == 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_command_line_keeps_the_environments_options(tmp_path: Path) -> None:
    """Run Python File with Task Tree passes the user's settings in
    NURSERY_LENS: ``--record`` (or ``--connect``) must not drop them."""
    (tmp_path / "loop.py").write_text(
        textwrap.dedent("""
            import trio

            async def child():
                await trio.sleep(0)

            async def dropped():
                pass

            async def main():
                dropped()
                async with trio.open_nursery() as n:
                    for _ in range(5):
                        n.start_soon(child)

            trio.run(main)
        """),
        encoding="utf-8",
    )
    out = tmp_path / "o.ndjson"

    def recorded(options: dict[str, object]) -> str:
        env = subprocess_env(NURSERY_LENS=json.dumps({"v": 1, "options": {"sample_hz": 0, **options}}))
        r = run(["-m", "nursery_lens", "--record", str(out), "loop.py"], tmp_path, env)
        assert r.returncode == 0, r.stderr
        return out.read_text(encoding="utf-8")

    default = recorded({})
    assert '"tasks.spawned"' in default
    assert '"type":"warning"' in default
    chosen = recorded({"batch": False, "warnings": False})
    assert '"tasks.' not in chosen
    assert '"type":"warning"' not in chosen
    assert len(Recording(chosen).tasks("child")) == 5
