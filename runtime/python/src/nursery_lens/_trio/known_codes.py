"""Code objects of Trio that the runtime recognises while walking frames.

A frame of ``Nursery.start`` below a nursery's opening marks the temporary
nursery of ``start()``; a frame of ``sleep_until`` marks the scope of a
sleep; a scope entered from ``fail_at``/``fail_after``'s generator was made
by the user's call of it; a library's task group registers its own code
(``GROUP_KINDS``). Found once per process (``collect``, from
``patches.install``).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from .._core.frames import CLASSIFIER

if TYPE_CHECKING:
    from types import CodeType

#: code objects the instrument recognises while walking frames
START_CODES: set[CodeType] = set()
SLEEP_CODES: set[CodeType] = set()
#: their ids (the sets above keep the code objects alive): hashing a code
#: object hashes its bytecode, an id is free
START_IDS: set[int] = set()
SLEEP_IDS: set[int] = set()
#: id(code of fail_at / fail_after's generator) -> its name; the codes, kept alive
FAIL_CALLS: dict[int, str] = {}
_FAIL_CODES: list[CodeType] = []

#: the code of Trio's run loop (``unrolled_run``): the frame a task's
#: coroutine is resumed from, whose local ``task`` is the task it resumes
RUN_LOOP_CODES: list[CodeType] = []

#: the code of ``NurseryManager.__aenter__`` (what ``open_nursery()`` enters), and its id:
#: a nursery's opener is the frame that entered it
OPEN_CODES: list[CodeType] = []
OPEN_IDS: set[int] = set()
#: frames looked at for ``__aenter__`` above a nursery's construction
_OPEN_DEPTH = 4

#: id(code) -> (code, nursery kind flag): a frame of it below a nursery's
#: opening means a library's task group made the nursery (AnyIO registers
#: its TaskGroup.__aenter__: kind anyio)
GROUP_KINDS: dict[int, tuple[CodeType, int]] = {}


def group_kind(frame: Any, stop: Any) -> int:
    """The kind flag of the first GROUP_KINDS frame from ``frame`` out to ``stop``, or 0."""
    while frame is not None and frame is not stop:
        hit = GROUP_KINDS.get(id(frame.f_code))
        if hit is not None and hit[0] is frame.f_code:
            return hit[1]
        frame = frame.f_back
    return 0


def opener(frame: Any) -> Any:
    """The frame that entered ``open_nursery()`` (``NurseryManager.__aenter__``'s
    caller), from a frame of the nursery's construction; ``frame`` if not found."""
    f = frame
    for _ in range(_OPEN_DEPTH):
        if f is None:
            break
        if id(f.f_code) in OPEN_IDS:
            return f.f_back
        f = f.f_back
    return frame


def _code_of(fn: Any) -> Any:
    try:
        return inspect.unwrap(fn).__code__
    except Exception:
        return None


def collect(_run: Any) -> None:
    """Find the codes above in this Trio (``trio._core._run`` is ``_run``)."""
    code = _code_of(getattr(_run.Nursery, "start", None))
    if code is not None:
        START_CODES.add(code)
        START_IDS.add(id(code))
    enter = _code_of(getattr(getattr(_run, "NurseryManager", None), "__aenter__", None))
    if enter is not None and not OPEN_CODES:
        OPEN_CODES.append(enter)
        OPEN_IDS.add(id(enter))
    loop_code = _code_of(getattr(_run, "unrolled_run", None))
    if loop_code is not None and "task" in loop_code.co_varnames and not RUN_LOOP_CODES:
        RUN_LOOP_CODES.append(loop_code)
    # a task's frames end at the run loop: a walk for where user code made something stops there
    CLASSIFIER.add_edges([loop_code])
    try:
        from trio import _timeouts

        # only sleep_until opens a scope of its own (trio.sleep calls it)
        for name in ("sleep_until",):
            c = _code_of(getattr(_timeouts, name, None))
            if c is not None:
                SLEEP_CODES.add(c)
                SLEEP_IDS.add(id(c))
        # a scope entered from these generators was made by the user's fail_at/fail_after
        for name in ("fail_at", "fail_after"):
            gen = getattr(getattr(_timeouts, name, None), "__wrapped__", None)
            if gen is not None and inspect.isgeneratorfunction(gen):
                _FAIL_CODES.append(gen.__code__)
                FAIL_CALLS[id(gen.__code__)] = name
    except Exception:
        pass
