"""An event loop run as the core's pumps see it (``adapter.ObservedRun``).

* state: ``waiting`` while the task waits on a future that is not done
  (``_fut_waiter``), else ``scheduled`` (``running`` is the core's call).
* scopes: ``asyncio.timeout``/``timeout_at`` and (3.12+) ``wait_for``
  deadlines (``Timeout`` objects the run saw entered, ``patches``);
  ``wait_for``'s timer on 3.11 (its frame in the await chain); a task
  waiting on ``asyncio.shield()`` (the outer future carries shield's
  callback): ``shield: true``; and whatever a library on top of asyncio
  adds (AnyIO's cancel scopes: ``SCOPE_SOURCES``).
* describe: a spawn's name and function, read when the pump writes it; a
  task asyncio named ``Task-N`` shows its coroutine's qualified name
  (``shown_name``), ``Task-N`` kept as ``default_name``.
"""

from __future__ import annotations

from math import inf
from typing import TYPE_CHECKING, Any

from .._core.fragments import Renamed, q
from .._core.frames import CLASSIFIER
from .._core.sampler import newest
from .task_coro import coro_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import CodeType, FrameType

    from .._core.adapter import ScopeSeen
    from .patches import Codes

#: Most links followed in one await chain.
_MAX_DEPTH = 200
#: id(code) -> (code, the name (JSON) a task running it shows when asyncio named it ``Task-N``)
_SHOWN: dict[int, tuple[CodeType, str]] = {}
_SHOWN_MAX = 4096
#: (run, task) -> more scopes of the task (innermost first): libraries on top
#: of asyncio register theirs (AnyIO)
SCOPE_SOURCES: list[Callable[[Any, Any], Iterable[ScopeSeen]]] = []
#: id(code) -> (code, f(coro) -> the code of the function the task runs): a
#: library whose tasks run a wrapper coroutine (AnyIO) names the user's
FUNC_OF: dict[int, tuple[CodeType, Callable[[Any], Any]]] = {}


def func_of(coro: Any) -> CodeType | None:
    code: CodeType | None = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
    if code is None:
        return None
    hit = FUNC_OF.get(id(code))
    if hit is not None and hit[0] is code:
        try:
            inner = hit[1](coro)
            if inner is not None:
                return inner  # type: ignore[no-any-return]
        except Exception:
            pass
    return code


def shown_name(name: str, coro: Any, code: CodeType | None) -> str | Renamed:
    """The name the panel shows for a task asyncio named: its own name, or,
    for asyncio's default ``Task-N``, the coroutine function's qualified
    name with its module (``__main__.main``, as Trio names a task), the
    default kept (``Renamed``). A name the user gave stays."""
    # (digits: the default needs no JSON escape, see fragments.Renamed)
    if code is None or not name.startswith("Task-") or not name[5:].isdigit():
        return name
    if id(code) in FUNC_OF:  # a library's wrapper (anyio.run's main task): named for the user's function
        inner = func_of(coro)
        if inner is not None and inner is not code:
            code, coro = inner, None
    hit = _SHOWN.get(id(code))
    if hit is not None and hit[0] is code:
        return (hit[1], name)
    frame = getattr(coro, "cr_frame", None)  # None once the coroutine ended (or not its own): its module by file then
    module = frame.f_globals.get("__name__") if frame is not None else _module_of(code.co_filename)
    qualified = getattr(code, "co_qualname", code.co_name)
    if not isinstance(module, str):
        return (q(qualified), name)
    shown = q(f"{module}.{qualified}")
    if len(_SHOWN) >= _SHOWN_MAX:
        _SHOWN.clear()
    _SHOWN[id(code)] = (code, shown)
    return (shown, name)


def _module_of(filename: str) -> str | None:
    """The name of the loaded module whose file is ``filename`` (once per code: see shown_name)."""
    import sys

    try:
        for name, module in list(sys.modules.items()):
            if getattr(module, "__file__", None) == filename:
                return name
    except Exception:
        pass
    return None


class Sampling:
    """The ObservedRun half of a ``run.LoopRun``."""

    tids: dict[Any, int]
    loop: Any
    current_task: Callable[[Any], Any]
    timeouts: dict[int, list[tuple[Any, str, Any]]]
    ids: Callable[[], int]
    codes: Codes
    live: bool
    failed: bool
    sleep_codes: frozenset[int] = frozenset()
    wakes_for_pumps = True

    @property
    def observed(self) -> bool:
        return self.live and not self.failed

    def next_id(self) -> int:
        return self.ids()

    def live_ids(self) -> Iterable[int]:
        return list(self.tids.values())

    def live_tasks(self, start: int, stop: int) -> list[tuple[Any, int]]:
        from itertools import islice

        return list(islice(self.tids.items(), start, stop))

    def newer_tasks(self, after: int, most: int) -> list[tuple[Any, int]] | None:
        return newest(self.tids, after, most)

    def task_coro(self, task: Any) -> Any:
        return coro_of(task)

    def running_tid(self, frame: FrameType) -> int | None:
        # asyncio keeps the task each loop runs now, readable from any thread
        task = self.current_task(self.loop)
        if task is None or getattr(coro_of(task), "cr_frame", None) is not frame:
            return None
        return self.tids.get(task)

    def waiting_state(self, task: Any) -> str:
        waiter = task._fut_waiter
        return "waiting" if waiter is not None and not waiter.done() else "scheduled"

    def describe(self, task: Any) -> tuple[str | Renamed, CodeType | None]:
        try:
            coro = task._coro  # not get_coro(): see task_coro.py
            code = coro.cr_code  # nearly always: a task running a coroutine
            name = task.get_name()
            if name.startswith("Task-"):
                hit = _SHOWN.get(id(code))  # shown_name's cache, inline: once per task
                if hit is not None and hit[0] is code and name[5:].isdigit():
                    return (hit[1], name), (code if not FUNC_OF else func_of(coro))
                name = shown_name(name, coro, code)
            return name, (code if not FUNC_OF else func_of(coro))
        except AttributeError:
            pass
        if type(task) is list:  # a spawn queued before its task existed (a task factory: see run)
            task = task[0]
        get_name = getattr(task, "get_name", None)
        if get_name is None:  # the task was never made: its coroutine
            return (getattr(task, "__qualname__", "?"), func_of(task))
        coro = coro_of(task)
        return (shown_name(str(get_name()), coro, getattr(coro, "cr_code", None)), func_of(coro))

    def task_scopes(self, task: Any, sleeping: bool) -> Iterable[ScopeSeen]:
        found: list[ScopeSeen] = []
        tid = self.tids.get(task)
        mine = self.timeouts.get(tid) if tid is not None else None
        if mine:
            for entry in list(mine):
                timeout, kind, site = entry
                state = timeout._state.name
                if state in ("EXITED", "EXPIRED"):
                    mine.remove(entry)
                    continue
                when = timeout._when
                called = state == "EXPIRING"
                if when is not None or called:
                    found.append((timeout, inf if when is None else when, False, called, None, kind, site))
            found.reverse()  # innermost first
        self._chain_scopes(task, found)
        for source in SCOPE_SOURCES:
            found.extend(source(self, task))
        return found

    def _chain_scopes(self, task: Any, found: list[ScopeSeen]) -> None:
        """shield (the future the task waits on) and 3.11's wait_for (its frame)."""
        waiter = task._fut_waiter
        outer = self.codes.shield_outer
        if waiter is not None and outer is not None and not waiter.done():
            for cb in getattr(waiter, "_callbacks", None) or ():
                fn = cb[0] if isinstance(cb, tuple) else cb
                if getattr(fn, "__code__", None) is outer:
                    found.insert(0, (waiter, inf, True, False, None, "shield", self._await_site(task)))
                    break
        wait_for = self.codes.wait_for_timer
        if wait_for is None:
            return
        coro = coro_of(task)
        depth = 0
        user = None  # the innermost user frame so far: what awaits wait_for
        while coro is not None and depth < _MAX_DEPTH:
            depth += 1
            frame = getattr(coro, "cr_frame", None)
            if frame is None:
                break
            code = frame.f_code
            if code is wait_for:
                handle = frame.f_locals.get("timeout_handle")
                if handle is not None and not handle.cancelled():
                    found.append((handle, handle.when(), False, False, None, "wait_for", user))
            elif not CLASSIFIER.is_library(code):
                user = (code, frame.f_lineno)
            coro = coro.cr_await

    def _await_site(self, task: Any) -> Any:
        """The innermost user frame the task waits in (a shield's site)."""
        from .._core.sampler import await_site

        site, _ = await_site(coro_of(task), frozenset())
        return site
