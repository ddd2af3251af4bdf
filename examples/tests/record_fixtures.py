"""Re-records the committed fixtures in test/fixtures/ from the examples.

    .venv/bin/python examples/tests/record_fixtures.py [NAME ...]

Run it after the runtime changes what it emits, then commit the fixtures.
Without names it records all of them (see fixture_runs.RECIPES).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixture_runs import FIXTURES, RECIPES, fixture_path, record, store_fixture  # noqa: E402

def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in RECIPES]
    if unknown:
        print(f"unknown fixture(s): {', '.join(unknown)}; known: {', '.join(RECIPES)}", file=sys.stderr)
        return 2
    status = 0
    for name in names or list(RECIPES):
        out = fixture_path(name)
        fresh = out.with_name(f"{name}.recording.ndjson")
        done = record(name, fresh)
        size = fresh.stat().st_size if fresh.exists() else 0
        lines = fresh.read_text(encoding="utf-8").count("\n") if fresh.exists() else 0
        if lines:
            store_fixture(fresh, out)
        stored = f" ({out.stat().st_size:,} gzipped)" if lines and out.suffix == ".gz" else ""
        print(f"{name}: exit {done.returncode}, {lines} events, {size:,} bytes{stored} -> {out.relative_to(FIXTURES.parent.parent)}")
        if not lines:
            print(done.stderr, file=sys.stderr)
            status = 1
        if size > RECIPES[name].max_bytes:
            print(f"  {name} is over {RECIPES[name].max_bytes:,} bytes: use smaller parameters", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
