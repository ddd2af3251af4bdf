"""The per-run closures on Trio's hot paths: spawn, exit, pump.

Each is built when a run starts, with every lookup bound once: the spawn
and exit hooks run once per task, inside Trio's own spawn and exit. They
queue flat values or tagged tuples on the run's deque (``_core.events``),
never frames or exceptions.

* spawn: called by the run's task set (``spawn_set.hook_spawns``) as
  ``spawn_impl`` adds each new task, or as ``task_spawned`` where the set
  cannot be replaced. A task's id is ``task._counter - base`` on Trio
  versions that number tasks (``taskids``). The spawn site is read from
  the caller of ``start_soon``/``start`` directly, so no frame object is
  made for Trio's frames.
* exit: called by the ``Runner.task_exited`` wrapper with the task's real
  outcome (``outcomes``), then ``task.exited`` is queued after Trio's own
  bookkeeping.
* pump: called by the I/O manager's ``get_events`` wrapper once per loop
  iteration (a third of what Trio's dispatch of ``before_io_wait``
  costs); ``io_wait_hook`` is the ``before_io_wait`` fallback.
"""

from __future__ import annotations

import sys
import time
from math import inf
from typing import TYPE_CHECKING, Any

from outcome import Value

from .._core import events as E
from .._core.debugger import DEBUGGER_MODULE, DEBUGGER_WAKE, attached
from .._core.emitter import PUMP_INTERVAL
from .._core.frames import CLASSIFIER, EDGE
from .taskids import base_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from .instrument import Instrument

_perf = time.perf_counter
#: the clock of queued events (see _core.fragments.ms)
_perf_ns = time.perf_counter_ns
_getframe = sys._getframe
#: f_lasti is a byte offset that code.co_lines() can map (Python >= 3.10)
_LASTI = sys.version_info >= (3, 10)
#: The frame of start_soon/start's caller, seen from the spawn hook when
#: Trio's dispatch calls it: hook <- task_spawned <- Instruments.call <-
#: spawn_impl <- start_soon/start <- caller (as the task set's add: see
#: spawn_set.SET_ADD_CALLER)
DISPATCH_CALLER = 5


def spawn_hook(inst: Instrument, caller: int) -> Callable[[Any, Any], None]:
    """task_spawned for this run: Instrument.task_spawned with every
    lookup bound once (this runs once per task, inside Trio's spawn), called
    as ``hook(tasks, task)``: as the run's task set's ``add`` (it adds the
    task to ``tasks`` first), or with ``tasks`` None. ``caller``: how many
    frames up start_soon/start's caller is."""
    tids = inst._tids
    base = base_of(tids)
    # where ids live when Trio does not number its tasks (base is None)
    table: dict[Any, int] = tids if isinstance(tids, dict) else {}
    nurseries_get = inst._nurseries.get
    nxt = inst._next
    special = inst._spawned_special
    queue = inst._queue
    cap = inst._cap
    q_extend = queue.extend
    em = inst._emitter
    fail = inst._fail
    perf = _perf_ns
    getframe = _getframe
    lib_get = CLASSIFIER.by_id.get
    is_library = CLASSIFIER.is_library
    lasti = _LASTI
    set_add = set.add
    again = E.AGAIN
    # the previous flat spawn (see _core.events): a loop's spawns take the
    # next id with its site, nursery and name, and are queued as (AGAIN, t)
    last_tid = 0
    last_n: Any = None
    last_code: Any = None
    last_line = 0
    last_name: Any = None
    last_func: Any = None

    def task_spawned(tasks: Any, task: Any) -> None:
        nonlocal last_tid, last_n, last_code, last_line, last_name, last_func
        if tasks is not None:
            set_add(tasks, task)
        try:
            if base is not None:
                tid = task._counter - base
            else:
                tid = nxt()
                table[task] = tid
            nursery = task._parent_nursery
            n = nurseries_get(nursery)
            if n is None or n[1]:
                special(task, tid, nursery, n)
                return
            # where start_soon/start was called: first frame outside
            # Trio. Jump straight to the caller (older Trio adds KI-protection
            # wrapper frames: the walk below steps over them, as it
            # does over any Trio frame). Only the frame asked for gets a
            # frame object (CPython >= 3.11 makes them lazily), and the
            # caller's usually exists already; a frame object for
            # start_soon would be one more GC allocation per task.
            try:
                f: Any = getframe(caller)
            except ValueError:  # a shallower stack than Trio's: walk it all
                f = getframe(1)
            while f is not None:
                code = f.f_code
                lib = lib_get(id(code))
                if lib is None:
                    lib = is_library(code)
                if not lib:
                    # -(lasti+1): the writer turns the instruction offset
                    # into a line (cached); f_lineno would scan the line
                    # table here.
                    line = -1 - f.f_lasti if lasti else f.f_lineno
                    break
                if lib == EDGE:  # Trio's run loop: no user line of the task made it
                    f = None
                    continue
                f = f.f_back
            else:
                code = None
                line = 0
            if len(queue) < cap:
                # flat values (see _core.events): nothing tracked by the GC
                # stays alive per task
                name = task.name
                # where the task's function is defined: its code object (the
                # pump formats it once per code object); a coroutine of
                # another kind (Cython, a Coroutine subclass) may have none
                func = getattr(task.coro, "cr_code", None)
                if (
                    tid == last_tid + 1
                    and code is last_code
                    and line == last_line
                    and n is last_n
                    and name == last_name
                    and func is last_func
                ):
                    q_extend((again, perf()))
                else:
                    q_extend((tid, perf(), name, n[0], code, line, func))
                    last_n, last_code, last_line, last_name, last_func = n, code, line, name, func
                last_tid = tid
            else:
                em.hook_drops += 1
                last_tid = 0  # the next spawn is queued in full
        except Exception as exc:
            fail(exc)

    return task_spawned


def pump_hook(inst: Instrument, orig: Callable[[Any, float], Any]) -> list[Any]:
    """What the get_events wrapper runs for this run's I/O manager, on
    the Trio thread: pump the queue out at most every PUMP_INTERVAL,
    busy or idle. When the loop goes idle before a pump is due, with
    events queued or with states changed since the last sample, its wait
    for I/O is cut short to end when the pump is due, so a program that
    goes quiet has its tree up to date without any thread waking.

    Returns the slot ``[due, hook]`` the wrapper keeps: a busy loop
    iteration before ``due`` (nearly all of them) does not even call
    the hook; the wrapper reads the clock and waits."""
    em = inst._emitter
    queue = inst._queue
    pump = em.pump_from_loop
    perf = _perf
    interval = PUMP_INTERVAL
    runner = inst._runner
    sampling = em.sample_period > 0
    fail = inst._fail
    beat = inst._beat  # when the loop comes back (block lints), or None
    due = 0.0
    active_at = 0.0  # last time the loop came back for a reason of its own
    woke = False  # the last wait was cut short by us and nothing came
    slot: list[Any] = [0.0, None]
    modules = sys.modules

    def get_events(iom: Any, timeout: float) -> Any:
        nonlocal due, active_at, woke
        wait = timeout
        try:
            now = perf()
            if beat is not None:
                beat.back(now)
            if woke:
                woke = False
            else:
                active_at = now
            if now >= due:
                due = slot[0] = now + interval
                pump(timeout > 0, now)
            if timeout:
                # going idle: is anything owed that no pump has sent?
                if queue and not em.backed_up:
                    at = due
                elif sampling and (em.sampled_at < active_at or em.look_at != inf or em.rounds_behind(active_at)):
                    # a sample, or the first look at new tasks (see pump), is owed; or a whole
                    # round of samples since the loop ran (1,000 tasks spawned, then all waiting)
                    nxt = em.sample_owed_at()
                    at = due if due > nxt else nxt
                else:
                    at = inf
                if at > now + DEBUGGER_WAKE and DEBUGGER_MODULE in modules and attached():
                    at = now + DEBUGGER_WAKE  # a Pause stops at trio.run as the loop comes back (_core.debugger)
                left = at - perf()
                # Trio's wait_all_tasks_blocked cushion and autojump
                # clock read an expired timeout as "idle": never cut
                # those waits short.
                if left < timeout and not runner.waiting_for_idle and runner.clock_autojump_threshold == inf:
                    wait = left if left > 0 else 0
        except Exception as exc:
            fail(exc)
        if beat is None or not wait:
            events = orig(iom, wait)
        else:
            beat.waiting = True  # idle, not held, however long the wait
            try:
                events = orig(iom, wait)
            finally:
                beat.back(perf())
                beat.waiting = False
        if wait != timeout and not events:
            woke = True  # Trio finds nothing to do and waits again
            slot[0] = 0.0  # the next iteration must come here to see it
        return events

    slot[1] = get_events
    return slot


def io_wait_hook(inst: Instrument) -> Callable[[float], None]:
    """before_io_wait for this run (fallback): pump when due, and at
    every idle point (no way to be woken for an owed pump)."""
    queue = inst._queue
    pump = inst._emitter.pump_from_loop
    perf = _perf
    interval = PUMP_INTERVAL
    due = 0.0

    def before_io_wait(timeout: float) -> None:
        nonlocal due
        now = perf()
        if now >= due or (timeout and queue):
            due = now + interval
            pump(timeout > 0, now)

    return before_io_wait


def exit_hook(inst: Instrument, orig: Callable[..., Any]) -> Callable[[Any, Any, Any], Any]:
    """What the Runner.task_exited wrapper runs for this run's tasks:
    the outcome is recorded before Trio acts on it (a failed child
    cancels its siblings), task.exited is queued after Trio's own
    bookkeeping. Replaces the task_exited hook (switched off)."""
    tids_pop = inst._tids.pop
    base = base_of(inst._tids)
    exits = inst._exits
    exits_pop = exits.pop
    system = inst._system
    record_failure = inst._record_failure
    closes_from_exit = inst._closes_from_exit
    close_owned = inst._close_owned
    run = inst._run
    queue = inst._queue
    cap = inst._cap
    q_append = inst._q_append
    q_extend = queue.extend
    em = inst._emitter
    fail = inst._fail
    perf = _perf_ns
    exit_kind = E.EXIT

    def on_exit(runner: Any, task: Any, outcome: Any) -> Any:
        if type(outcome) is not Value:
            try:
                record_failure(task, outcome)
            except Exception as exc:
                fail(exc)
                return orig(runner, task, outcome)
        result = orig(runner, task, outcome)
        try:
            tid = task._counter - base if base is not None else tids_pop(task, None)
            if tid is not None:
                info = exits_pop(task, None) if exits else None
                if system and task in system:
                    system.discard(task)
                if closes_from_exit:
                    close_owned(task)
                if len(queue) < cap:
                    if info is None:
                        q_extend((-tid, perf()))  # flat (see _core.events)
                    else:
                        q_append((exit_kind, run, perf(), tid, info))
                else:
                    em.hook_drops += 1
        except Exception as exc:
            fail(exc)
        return result

    return on_exit
