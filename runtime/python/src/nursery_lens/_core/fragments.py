"""JSON fragments of protocol lines: strings, sites, names, errors, cancels, ``ts``.

Lines (``lines``) are built from templates and these cached fragments
instead of ``json.dumps`` of a dict per event: at 100k spawns a second the
encoder is the pump's main cost, and pumps mostly run on the loop's thread.
Strings from the program (task names, file names, messages) always go
through the C JSON string encoder, so any text round-trips exactly.
"""

from __future__ import annotations

from json.encoder import encode_basestring_ascii as _q
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import CodeType

q = _q

#: Most characters of a message or reason from the program put on the wire.
MAX_TEXT = 2000
#: Entries the caches below hold before they start over.
SITES_MAX = 200_000
NAMES_MAX = 50_000

#: (id(code), line) -> (code, JSON). Keyed by id: hashing a code object
#: hashes its bytecode and constants (~0.3-0.7 us), an int pair costs
#: almost nothing. The entry holds the code object, so its id cannot be
#: reused while the entry exists; the identity check guards the rest.
_site_cache: dict[tuple[int, int], tuple[CodeType, str]] = {}
_name_cache: dict[str, str] = {}
#: id(code) -> (code, JSON) of ``func_json``, as ``_site_cache``
_func_cache: dict[int, tuple[CodeType, str]] = {}
#: Most frames of an await chain on the wire (the innermost kept).
CHAIN_MAX = 64


def site_json(code: CodeType | None, line: int) -> str:
    """JSON of a site; each (code, line) is formatted once per process."""
    if code is None:
        return "null"
    key = (id(code), line)
    hit = _site_cache.get(key)
    if hit is not None and hit[0] is code:
        return hit[1]
    raw = line
    if line < 0:  # -(f_lasti + 1) from a hook
        line = line_of_offset(code, -1 - line)
    s = f'{{"file":{_q(code.co_filename)},"line":{line if line and line > 0 else 0},"function":{_q(function_of(code))}}}'
    if len(_site_cache) > SITES_MAX:
        _site_cache.clear()
    _site_cache[(id(code), raw)] = (code, s)
    return s


_COMPREHENSIONS = frozenset(("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"))


def function_of(code: CodeType) -> str:
    """The function a site is in, as the user wrote it: a comprehension is
    named for the function around it (``main``, not ``<dictcomp>``), as
    CPython 3.12+ inlines it (PEP 709); ``<module>`` at the top level."""
    name = code.co_name
    if name not in _COMPREHENSIONS:
        return name
    outer = getattr(code, "co_qualname", name).rpartition(".")[0].removesuffix(".<locals>")
    return outer.rpartition(".")[2] or "<module>"


def text_site_json(file: str, line: int, function: str) -> str:
    """JSON of a site known only by its names (a coroutine's recorded origin, a warning's line)."""
    return f'{{"file":{_q(file)},"line":{line if line > 0 else 0},"function":{_q(function)}}}'


def func_json(code: CodeType) -> str:
    """JSON of where a task's function is defined (``task.spawned.func``):
    its file, first line and qualified name; formatted once per code object."""
    hit = _func_cache.get(id(code))
    if hit is not None and hit[0] is code:
        return hit[1]
    name = getattr(code, "co_qualname", None) or code.co_name  # co_qualname: Python >= 3.11
    s = f'{{"file":{_q(code.co_filename)},"line":{code.co_firstlineno},"function":{_q(name)}}}'
    if len(_func_cache) > NAMES_MAX:
        _func_cache.clear()
    _func_cache[id(code)] = (code, s)
    return s


def chain_json(frames: list[Any]) -> str:
    """JSON of an await chain from ``frames``, flat ``code, line, code,
    line, …`` outermost first (``line`` as ``site_json`` takes it); the
    innermost CHAIN_MAX frames are kept."""
    start = max(0, len(frames) - 2 * CHAIN_MAX)
    return "[" + ",".join(site_json(frames[i], frames[i + 1]) for i in range(start, len(frames), 2)) + "]"


def line_of_offset(code: CodeType, offset: int) -> int:
    """The source line of the instruction at byte ``offset`` (what f_lineno gives)."""
    try:
        for start, end, line in code.co_lines():
            if start <= offset < end:
                return line if line is not None else code.co_firstlineno
    except Exception:
        pass
    return code.co_firstlineno


#: A task's name as an adapter shows it instead of the library's own
#: default (asyncio's ``Task-3``: the coroutine's qualified name): (that name
#: as JSON, the default), the default sent as ``task.spawned.default_name``.
#: A tuple, made without a call: one per task of a spawn-heavy program. The
#: default is text JSON takes as it is (``Task-`` and digits: no quote,
#: backslash or control character), so it is written without the encoder.
Renamed = tuple[str, str]


def name_fields(name: Any) -> str:
    """``task.spawned``'s name as JSON, with ``,"default_name":…`` after it
    for a ``Renamed`` name (a line's tail keeps both, as one piece)."""
    if type(name) is tuple:
        return f'{name[0]},"default_name":"{name[1]}"'
    return name_json(name)


def name_json(name: Any) -> str:
    s = _name_cache.get(name)
    if s is None:
        s = _q(name if isinstance(name, str) else str(name))
        if len(_name_cache) > NAMES_MAX:
            _name_cache.clear()
        _name_cache[name] = s
    return s


def error_json(err: tuple[Any, ...]) -> str:
    """An error (``errors.Error``): type, message, (1.6) where it was raised, leaves."""
    etype, message, leaves, site = err
    at = f',"site":{site_json(site[0], site[1])}' if site is not None else ""
    if leaves:
        exceptions = ",".join(error_json(e) for e in leaves)
        return f'{{"type":{_q(etype)},"message":{_q(message)}{at},"exceptions":[{exceptions}]}}'
    return f'{{"type":{_q(etype)},"message":{_q(message)}{at}}}'


def cancel_json(cancel: tuple[Any, ...], scope: int | None = None) -> str:
    """A cancel cause: ``(source, reason, by)``, optionally followed (1.2) by
    ``(scope, code, line, error)`` (``scope`` here is whatever the adapter
    queued; the id to write is passed as ``scope``): what cancelled the task
    or scope, where, and the exception that did."""
    source, reason, by = cancel[:3]
    parts = []
    if source is not None:
        parts.append(f'"source":{_q(source)}')
    if reason is not None:
        parts.append(f'"reason":{_q(reason[:MAX_TEXT])}')
    if by is not None:
        parts.append(f'"by":{by}')
    if len(cancel) > 3:
        _, code, line, error = cancel[3:7]
        if scope is not None:
            parts.append(f'"scope":{scope}')
        if code is not None:
            parts.append(f'"site":{site_json(code, line)}')
        if error is not None:
            parts.append(f'"error":{error_json(error)}')
    return "{" + ",".join(parts) + "}"


def ms(t: int, t0: int) -> str:
    """``ts`` of the protocol from two ``perf_counter_ns()`` readings:
    whole microseconds, written with an exponent (``12345e-3`` is the JSON
    number 12.345, in milliseconds). An int formats in a fifth of the time
    ``"%.3f"`` takes for a float, and the two flat events format theirs
    inline in ``mirror`` at 100,000 a second."""
    d = (t - t0) // 1000
    return f"{d if d > 0 else 0}e-3"
