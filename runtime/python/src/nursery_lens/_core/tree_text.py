"""A run's tree as text (``runtime/protocol/TREE_TEXT.md``), from its rows.

The extension writes the same text from its store's rows
(``extension/export/treeText.ts``); ``test/fixtures/*.tree.txt`` hold what
both must print for the recorded fixtures, byte for byte. Change the two
together, and the spec first.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Callable, Union

from .tree_rows import NurseryRow

if TYPE_CHECKING:
    from .tree_rows import RunRows, TaskRow

    Row = Union[TaskRow, NurseryRow]

#: Longest text taken from the program (a name, a message, a file's name), in characters.
MAX_TEXT = 200
#: Exceptions of a group named after its message.
MAX_LEAVES = 5
#: holders of a wait named before ``and K more``
MAX_HOLDERS = 3
INDENT = "  "
SEP = " · "

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

CANCEL_WORDS = {
    "deadline": "by a deadline",
    "explicit": "by a cancel() call",
    "nursery": "by a failing sibling",
    "interrupt": "by Ctrl-C",
    "shutdown": "as the run ended",
}
SCOPE_WORDS = {
    "cancel_scope": "cancel scope",
    "timeout": "asyncio.timeout",
    "wait_for": "asyncio.wait_for",
    "shield": "asyncio.shield",
    "anyio": "AnyIO CancelScope",
}
GROUP_WORDS = {None: "nursery", "taskgroup": "TaskGroup", "anyio": "task group (AnyIO)"}
HOLDERS_WORDS = {
    "limiter": "borrowed by",
    "semaphore": "taken by",
    "start": "started by",
    "task": "",  # `task other: clerk`: the task awaited is the holder
    "future": "done by",
    "children": "of",
}
FLAG_WORDS = {"pending_at_close": "pending at close", "exception_never_retrieved": "exception never retrieved"}


def _escape(ch: re.Match[str]) -> str:
    c = ch.group()
    named = _NAMED.get(c)
    if named is not None:
        return named
    o = ord(c)
    return f"\\x{o:02x}" if o <= 0xFF else f"\\u{o:04x}"


def clean(s: Any, limit: int = MAX_TEXT) -> str:
    """Program text made safe for one line: cut to ``limit`` characters (code
    points), control and direction characters escaped, lone surrogates replaced."""
    s = str(s)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return _UNSAFE.sub(_escape, _SURROGATE.sub("\ufffd", s))


def seconds(ms: float) -> str:
    """``1.500s``: milliseconds as seconds, rounded to the millisecond."""
    r = math.floor(ms + 0.5)
    sign = "-" if r < 0 else ""
    r = abs(r)
    return f"{sign}{r // 1000}.{r % 1000:03d}s"


def site_text(site: Any) -> str | None:
    """``file.py:12`` (the file's base name), or None for no site."""
    if not isinstance(site, dict):
        return None
    file = str(site.get("file", ""))
    base = file[max(file.rfind("/"), file.rfind("\\")) + 1 :]
    line = site.get("line")
    if isinstance(line, float) and line.is_integer():
        line = int(line)
    return f"{clean(base)}:{line if isinstance(line, int) and not isinstance(line, bool) else '?'}"


def error_text(e: Any) -> str:
    """``ValueError: bad url``; a group also names its exceptions' types."""
    if not isinstance(e, dict):
        return "?"
    out = clean(e.get("type", "?"))
    message = e.get("message")
    if message:
        out += ": " + clean(message)
    leaves = e.get("exceptions")
    if isinstance(leaves, list) and leaves:
        names = [clean(x.get("type", "?")) if isinstance(x, dict) else "?" for x in leaves[:MAX_LEAVES]]
        out += " [" + ", ".join(names) + (", …" if len(leaves) > MAX_LEAVES else "") + "]"
    return out


def outcome_text(outcome: str, error: Any) -> str:
    """``returned``, ``raised ValueError: bad url @ main.py:12`` (where it was raised, when known)."""
    if outcome != "raised":
        return clean(outcome)
    if not error:
        return "raised"
    where = site_text(error.get("site")) if isinstance(error, dict) else None
    return "raised " + error_text(error) + (" @ " + where if where else "")


def library_text(library: str, version: str | None, anyio: str | None) -> str:
    """``Trio 0.35.0``, ``asyncio 3.12.1``, ``AnyIO 4.6.0 on Trio 0.35.0``."""
    lib = "asyncio" if library == "asyncio" else "Trio"
    if version:
        lib += " " + clean(version)
    return f"AnyIO {clean(anyio)} on {lib}" if anyio is not None else lib


def program_label(argv: list[str]) -> str:
    """The script's file name (the module after ``-m``), as the run picker names it."""
    if not argv:
        return "program"
    first = argv[0]
    if first in ("-m", "-c") and len(argv) > 1:
        first = argv[1]
    parts = re.split(r"[\\/]", first)
    base = parts[-1]
    if base == "__main__.py" and len(parts) > 1 and parts[-2]:
        base = parts[-2]  # a package run with -m (pytest, …): its name
    return clean(base) if base else "program"


def header(run: RunRows, status: str, at_ms: float | None) -> str:
    parts = [program_label(run.argv), library_text(run.library, run.version, run.anyio), status]
    if at_ms is not None:
        parts.append("at " + seconds(at_ms))
    return SEP.join(parts)


def _state_text(t: TaskRow) -> str:
    state = t.state
    if state in ("running", "scheduled", "waiting"):
        at = site_text(t.await_site)
        return f"{state} @ {at}" if at else state
    if state == "cancelled":
        out = "cancelled"
        words = CANCEL_WORDS.get(t.cancel_source or "")
        if words:
            out += " " + words
        if t.cancel_reason:
            out += f" ({clean(t.cancel_reason)})"
        return out
    return outcome_text(state, t.error)


def holders_joint(kind: str) -> str:
    """What goes between a wait's label and its holders' names: `` held by ``…,
    or ``: `` (as the panel says: contract/rows.ts ``holdersJoint``)."""
    word = HOLDERS_WORDS.get(kind, "held by")
    return f" {word} " if word else ": "


def _waits_text(t: TaskRow, name_of: Callable[[int], str], ended: Callable[[int], bool]) -> str | None:
    """``on Lock bob.lock held by transfer bob->alice``; None for none, or for
    its own nursery's children (the lines below say it; a gather's, named as
    holders, are said). A holder that has ended is not named: the sample
    that named it is older than its end (the store drops it alike)."""
    w = t.waits if t.state == "waiting" else None
    if not w:
        return None
    holders = [h for h in w.get("holders") or [] if isinstance(h, int) and not isinstance(h, bool) and not ended(h)]
    if w.get("kind") == "children" and not holders:
        return None
    label = clean(w.get("label", ""))
    out = "on " + label
    if holders and not (w.get("kind") == "task" and len(holders) == 1 and label == f"task {name_of(holders[0])}"):
        # (an awaited task labelled by its own name is not named again: contract/rows.ts labelNamesHolder)
        names = ", ".join(name_of(h) for h in holders[:MAX_HOLDERS])
        more = f" and {len(holders) - MAX_HOLDERS} more" if len(holders) > MAX_HOLDERS else ""
        out += f"{holders_joint(str(w.get('kind')))}{names}{more}"
    until = w.get("until")
    if isinstance(until, (int, float)) and not isinstance(until, bool):
        out += " until " + seconds(until)
    if w.get("detail"):
        out += f" ({clean(w['detail'])})"
    return out


def _scope_text(s: dict[str, Any]) -> str:
    out = SCOPE_WORDS.get(s.get("kind") or "cancel_scope", "cancel scope")
    at = site_text(s.get("site"))
    if at:
        out += " @ " + at
    items = []
    deadline = s.get("deadline")
    if isinstance(deadline, (int, float)) and not isinstance(deadline, bool):
        items.append("deadline at " + seconds(deadline))
    if s.get("shield"):
        items.append("shielded")
    if s.get("cancel_called"):
        reason = s.get("reason")
        items.append("cancelled: " + clean(reason) if reason else "cancelled")
    return f"{out} ({', '.join(items)})" if items else out


def _flag_text(t: TaskRow, flag: str) -> str:
    out = "⚠ " + FLAG_WORDS.get(flag, clean(flag))
    if flag == "exception_never_retrieved" and t.unretrieved is not None:
        out += ": " + error_text(t.unretrieved)
    return out


def _head(row: Row, name_of: Callable[[int], str], ended: Callable[[int], bool]) -> tuple[str, str]:
    """A node's line around its ``×N``: (before, after)."""
    if isinstance(row, NurseryRow):
        word = GROUP_WORDS.get(row.kind, clean(str(row.kind)))
        at = site_text(row.site)
        return (word + " of start()" if row.start else word, " @ " + at if at else "")
    t = row
    parts = [_state_text(t)]
    waits = _waits_text(t, name_of, ended)
    if waits:
        parts.append(waits)
    if t.loose:
        parts.append("loose")
    at = site_text(t.site)
    if at:
        parts.append("spawned @ " + at)
    parts.extend(_scope_text(s) for s in t.scopes)
    parts.extend(_flag_text(t, f) for f in t.flags)
    return clean(t.name), SEP + SEP.join(parts)


def _shown_children(rows: list[Row]) -> dict[int | None, list[Row]]:
    """Every shown row under its nearest shown ancestor, in id (spawn) order.
    The library's own tasks and nurseries are not shown: their children
    move up (Trio's main task becomes a root)."""
    by_id = {r.id: r for r in rows}
    resolved: dict[int, int | None] = {}

    def shown_ancestor(pid: int | None) -> int | None:
        path: list[int] = []
        found: int | None = None
        cur = pid
        while cur is not None and len(path) <= len(by_id):
            if cur in resolved:
                found = resolved[cur]
                break
            row = by_id.get(cur)
            if row is None:
                break
            if not row.system:
                found = cur
                break
            path.append(cur)
            cur = row.parent
        for p in path:
            resolved[p] = found
        return found

    kids: dict[int | None, list[Row]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        if not row.system:
            kids.setdefault(shown_ancestor(row.parent), []).append(row)
    return kids


def tree_lines(rows: list[Row]) -> list[str]:
    """The tree's lines: siblings whose whole subtrees print alike stand as one, ``×N``."""
    kids = _shown_children(rows)
    order: list[Row] = []
    stack = list(kids.get(None, []))
    while stack:
        row = stack.pop()
        order.append(row)
        stack.extend(kids.get(row.id, []))
    tasks = {r.id: r for r in rows if not isinstance(r, NurseryRow)}

    def name_of(ident: int) -> str:
        t = tasks.get(ident)
        return clean(t.name) if t is not None else f"#{ident}"

    def ended(ident: int) -> bool:
        t = tasks.get(ident)
        return t is not None and t.exited

    heads = {row.id: _head(row, name_of, ended) for row in order}
    keys: dict[Any, int] = {}  # a subtree's print, as nested numbers -> its number
    key_of: dict[int, int] = {}
    groups: dict[int | None, list[tuple[Row, int]]] = {}

    def grouped(children: list[Row]) -> list[tuple[Row, int]]:
        counts: dict[int, list[Any]] = {}
        for c in children:
            hit = counts.get(key_of[c.id])
            if hit is None:
                counts[key_of[c.id]] = [c, 1]
            else:
                hit[1] += 1
        return [(c, n) for c, n in counts.values()]

    for row in reversed(order):  # children before their parents
        g = groups[row.id] = grouped(kids.get(row.id, []))
        shape = (heads[row.id], tuple((key_of[c.id], n) for c, n in g))
        key_of[row.id] = keys.setdefault(shape, len(keys))
    out: list[str] = []
    todo = [(row, n, 0) for row, n in reversed(grouped(kids.get(None, [])))]
    while todo:
        row, n, depth = todo.pop()
        before, after = heads[row.id]
        out.append(INDENT * depth + before + (f" ×{n}" if n > 1 else "") + after)
        todo.extend((c, m, depth + 1) for c, m in reversed(groups[row.id]))
    return out


def tree_text(run: RunRows, status: str, at_ms: float | None = None) -> str:
    """The whole text: the header line, then the tree (``(no tasks)`` when empty)."""
    lines = tree_lines(run.rows())
    return "\n".join([header(run, status, at_ms), *(lines or ["(no tasks)"])]) + "\n"


def run_status(run: RunRows, cut: bool = False) -> str:
    """What the header says of a run read from its events: its outcome, or
    ``running`` when later events were left out (``cut``) or the recording
    was saved while the program ran on, ``disconnected`` when a saved
    recording says its program stopped first, else ``not finished``."""
    if run.finished and run.outcome is not None:
        return outcome_text(run.outcome, run.error)
    if cut or run.saved_running:
        return "running"
    return "disconnected" if run.stopped else "not finished"
