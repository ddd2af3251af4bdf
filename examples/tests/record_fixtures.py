"""Re-records the committed fixtures in test/fixtures/ from the examples.

    .venv/bin/python examples/tests/record_fixtures.py [NAME ...]

Run it after the runtime changes what it emits, then commit the fixtures.
Without names it records all of them (see fixture_runs.RECIPES).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixture_runs import FIXTURES, RECIPES, fixture_path, record  # noqa: E402

def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in RECIPES]
    if unknown:
        print(f"unknown fixture(s): {', '.join(unknown)}; known: {', '.join(RECIPES)}", file=sys.stderr)
        return 2
    status = 0
    for name in names or list(RECIPES):
        out = fixture_path(name)
        done = record(name, out)
        size = out.stat().st_size if out.exists() else 0
        lines = out.read_text(encoding="utf-8").count("\n") if out.exists() else 0
        print(f"{name}: exit {done.returncode}, {lines} events, {size:,} bytes -> {out.relative_to(FIXTURES.parent.parent)}")
        if not lines:
            print(done.stderr, file=sys.stderr)
            status = 1
        if size > RECIPES[name].max_bytes:
            print(f"  {name} is over {RECIPES[name].max_bytes:,} bytes: use smaller parameters", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
