"""Small rooms on the Python side (DESIGN.md), as ESLint's max-lines and
max-lines-per-function hold them on the TypeScript side: a module of the
runtime or of bench/ under 400 lines, a function under 80 (blank lines and
comments not counted; a nested function counts inside its parent, as in
ESLint). Run by ``npm run check`` (scripts/check-python.mjs)."""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = [ROOT / "runtime" / "python" / "src", ROOT / "bench"]
MAX_FILE = 400
MAX_FUNCTION = 80
#: per-task and per-event hot paths, written as one function on purpose:
#: their state lives in locals (a call or an attribute per task or per line
#: costs measurably in bench:overhead), and each says so in its docstring
HOT = {
    "nursery_lens/_core/mirror.py:Mirror.drain",
    "nursery_lens/_trio/hooks.py:spawn_hook",
}


def code_lines(text: str) -> set[int]:
    """Line numbers holding code: not blank, not only a comment."""
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type not in (
            tokenize.COMMENT,
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.ENDMARKER,
        ):
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return lines


def problems(path: Path, hot_seen: set[str]) -> list[str]:
    text = path.read_text(encoding="utf-8")
    code = code_lines(text)
    rel = path.relative_to(ROOT).as_posix()
    short = rel.split("src/", 1)[-1]
    found = []
    if len(code) > MAX_FILE:
        found.append(f"{rel}: {len(code)} lines of code (max {MAX_FILE})")

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                n = sum(1 for i in range(child.lineno, (child.end_lineno or child.lineno) + 1) if i in code)
                if n > MAX_FUNCTION and f"{short}:{name}" in HOT:
                    hot_seen.add(f"{short}:{name}")
                elif n > MAX_FUNCTION:
                    found.append(f"{rel}:{child.lineno}: {name} has {n} lines of code (max {MAX_FUNCTION})")
                visit(child, name + ".<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(text), "")
    return found


def main() -> int:
    hot_seen: set[str] = set()
    found = [p for d in CHECKED for f in sorted(d.rglob("*.py")) for p in problems(f, hot_seen)]
    found += [f"HOT lists {h}, which is gone or short now: take it off the list" for h in sorted(HOT - hot_seen)]
    for p in found:
        print(p)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
