"""How each committed fixture in test/fixtures/ is recorded from an example.

One table shared by the re-recording script (record_fixtures.py) and the
test that checks the committed fixtures still match what the runtime emits.
Parameters are modest so each fixture stays well under 1 MB; the larger ones
are committed gzipped (NAME.ndjson.gz) so no file in the repository is much
over 200 KiB.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from example_process import EXAMPLES, HETTINGER, example_env

REPO = EXAMPLES.parent
FIXTURES = REPO / "test" / "fixtures"


@dataclass(frozen=True)
class Recipe:
    program: Path
    args: tuple[str, ...] = ()
    # The Hettinger stand-in sites at speed 1: every wait lasts 0.2 s or more,
    # so the runtime's 10 Hz state samples see each task at the limiter or
    # in its fetch.
    speed: float = 1.0
    # 2,000 workers cost about 1 MB of lifecycle events on their own.
    max_bytes: int = 1_000_000
    # A folder under test/fixtures: recordings whose end holds more finished
    # tasks than the store retains (2,000) cannot have a golden text that both
    # the store's Copy Tree as Text and `show` print alike, so they live apart.
    folder: str = ""
    # Committed as NAME.ndjson.gz (deterministic bytes: no name, no mtime in the header).
    gzipped: bool = False


RECIPES: dict[str, Recipe] = {
    "hettinger_trio": Recipe(HETTINGER / "trio_way.py"),
    "failing_child": Recipe(EXAMPLES / "failing_child.py"),
    "deadlines": Recipe(EXAMPLES / "deadlines.py"),
    "start_server": Recipe(EXAMPLES / "start_server.py"),
    "deep_and_wide": Recipe(EXAMPLES / "deep_and_wide.py", ("--depth", "5", "--fanout", "3", "--hold", "0.3")),
    # 1.5 s: every worker spawned and sampled, hundreds queued at the lock, one failed probe group and a fresh one.
    # Its size follows the machine's pace (1.1-2.1 MB seen); gzipped it is ~45 KB.
    "server_like": Recipe(EXAMPLES / "server_like.py", ("--seconds", "1.5"), max_bytes=3_000_000, folder="scale", gzipped=True),
    # stuck for 2 s: the store claims a deadlock or hang after 1 s of nothing moving
    "deadlock": Recipe(EXAMPLES / "deadlock.py", ("--exit-after", "2")),
    "hang": Recipe(EXAMPLES / "hang.py", ("--exit-after", "2")),
}


def fixture_path(name: str) -> Path:
    """Where the committed fixture `name` lives."""
    recipe = RECIPES[name]
    return FIXTURES / recipe.folder / (f"{name}.ndjson.gz" if recipe.gzipped else f"{name}.ndjson")


def store_fixture(recorded: Path, out: Path) -> None:
    """Moves a fresh recording to where its fixture lives, gzipping it when `out` says so."""
    if out.suffix == ".gz":
        out.write_bytes(gzip.compress(recorded.read_bytes(), compresslevel=9, mtime=0))
        recorded.unlink()
    else:
        recorded.replace(out)


def record(name: str, out: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the example under `python -m nursery_lens --record out`."""
    recipe = RECIPES[name]
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    return subprocess.run(
        [sys.executable, "-m", "nursery_lens", "--record", str(out), str(recipe.program), *recipe.args],
        capture_output=True,
        text=True,
        env=example_env(recipe.speed),
        cwd=str(recipe.program.parent),
        timeout=timeout,
    )
