"""The per-run closures on asyncio's hot paths: a task is made, a task ends, a pump.

Each is built when a run begins, with every lookup bound once (they run
once per task). They queue flat values or tagged tuples on the run's deque
(``_core.events``), never frames or exceptions; a spawn is queued with the
task itself, whose name the pump reads (asyncio names a task after making
it: ``create_task(coro, name=…)`` sets it once the loop made the task).

* spawn: the run's ``create_task``, an instance attribute of its loop, so
  every way of making a task (``asyncio.create_task``, ``ensure_future``,
  ``gather``, a ``TaskGroup``, ``loop.create_task``) passes through it and
  a loop no run observes pays nothing. A task made by
  ``TaskGroup.create_task`` (its frame is the caller) belongs to that
  group; any other is *loose*: its maker is the current task.
* exit: a task group's task ends in ``TaskGroup._on_task_done``, which
  first discards it from the group's task set: that set is the run's
  (``group_tasks_class``), and its ``discard`` is the exit hook. Other
  tasks (loose ones, the main task) get a done callback.
* pump: a timer on the loop (``loop.call_later``), every ``PUMP_INTERVAL``
  while the loop is busy or events wait, at the next sample when idle; the
  loop wakes for it, no thread does.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from .._core import events as E
from .._core.debugger import DEBUGGER_MODULE, DEBUGGER_WAKE, PAUSE_NEEDS_HELP, attached, honour_pause
from .._core.emitter import PUMP_INTERVAL
from .._core.frames import CLASSIFIER, EDGE
from . import outcomes

if TYPE_CHECKING:
    from collections.abc import Callable

    from .run import LoopRun

_perf_ns = time.perf_counter_ns
_getframe = sys._getframe
#: a pump timer's period while the loop is idle and nothing is sampled
IDLE_TICK = 1.0


class GroupTasks(set[Any]):
    """A task group's ``_tasks`` while a run observes it: its ``discard``
    (``TaskGroup._on_task_done`` calls it as a task ends) is the run's exit
    hook; a subclass is made per run (``group_tasks_class``)."""

    __slots__ = ("cause", "closing", "group", "nid", "owner")

    def __init__(self, items: Any, group: Any, nid: int, owner: int) -> None:
        super().__init__(items)
        self.group = group
        self.nid = nid
        self.owner = owner
        #: the body has ended: the group closes with its last task
        self.closing = False
        #: (source, reason, by) of the cancel the group is about to deliver
        self.cause: tuple[Any, ...] | None = None


def site_of(f: Any) -> tuple[Any, int]:
    """(code, line) of the first user frame from ``f`` outward, or (None, 0);
    the line as ``-1 - f_lasti`` (the pump maps it, cached)."""
    lib_get = CLASSIFIER.by_id.get
    while f is not None:
        code = f.f_code
        lib = lib_get(id(code))
        if lib is None:
            lib = CLASSIFIER.is_library(code)
        if not lib:
            return code, -1 - f.f_lasti
        if lib == EDGE:  # the task's frames ended (a loop callback made it): no user line made it
            break
        f = f.f_back
    return None, 0


def spawn_hook(run: LoopRun, real: Callable[..., Any], explicit: bool) -> Callable[..., Any]:
    """The run's ``create_task``: ``real`` is the loop class's own method.
    ``explicit``: it takes (coro, *, name, context), passed on as such
    (cheaper than ``**kwargs``)."""
    loop = run.loop
    tids = run.tids
    tids_get = tids.get
    nxt = run.ids
    queue = run.queue
    q_extend = queue.extend
    cap = run.emitter.queue_cap
    em = run.emitter
    fail = run.fail
    special = run.spawn_special
    perf = _perf_ns
    getframe = _getframe
    group_create = run.codes.group_create
    spawn_via = run.spawn_via
    current_task = run.current_task
    loose_exit = run.loose_exit
    pending_tid = run.pending_tid
    cold = run.cold  # [True]: spawns take the cold path (the loop is not running, or a task factory is set)
    wait_for = run.codes.wait_for_timer  # 3.11's wait_for, which makes a task of its awaitable (None on 3.12+)
    wait_fors = run.wait_fors

    def loose(task: Any, f: Any) -> None:
        """A task made outside a task group (the group's set tells about its own: GroupTasks.add)."""
        code = f.f_code
        via = spawn_via.get(id(code)) if spawn_via else None
        if via is not None:  # a library's own group (AnyIO): it says which, and numbers the task
            n, tid = via(run, f, task)
            tids[task] = tid
            if n is None:  # queued by the library's hook (its own task, flagged system)
                return
        else:
            tid = nxt()
            tids[task] = tid
            cur = current_task(loop)
            parent = tids_get(cur) if cur is not None else None
            if parent is None and run.pending:
                parent = pending_tid(cur)
            n = -parent if parent is not None else 0
            task.add_done_callback(loose_exit)
            if wait_for is not None:  # wait_for -> ensure_future -> _ensure_future (f) -> create_task
                outer = f.f_back
                outer = outer.f_back if outer is not None else None
                if outer is not None and outer.f_code is wait_for:
                    wait_fors[tid] = outer
        code, line = site_of(f)
        if len(queue) < cap:
            q_extend((tid, perf(), task, n, code, line, None))  # flat (see _core.events)
        else:
            em.hook_drops += 1

    run.spawn_direct = loose  # a task made by asyncio.Task(...) itself (direct_tasks)

    if explicit:

        def create_task(coro: Any, *, name: Any = None, context: Any = None) -> Any:
            if cold[0]:
                return special(coro, {"name": name, "context": context})
            task = real(loop, coro, name=name, context=context)
            f = getframe(1)
            if f.f_code is not group_create:
                try:
                    loose(task, f)
                except Exception as exc:
                    fail(exc)
            return task

    else:

        def create_task(coro: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            if cold[0]:
                return special(coro, kwargs)
            task = real(loop, coro, **kwargs)
            f = getframe(1)
            if f.f_code is not group_create:
                try:
                    loose(task, f)
                except Exception as exc:
                    fail(exc)
            return task

    return create_task


def group_tasks_class(run: LoopRun) -> type[GroupTasks]:
    """This run's ``GroupTasks``: ``add`` (``TaskGroup.create_task`` adds
    the task it made) queues the spawn, ``discard`` the exit."""
    tids = run.tids
    tids_pop = tids.pop
    nxt = run.ids
    getframe = _getframe
    set_add = set.add
    cold = run.cold
    lib_get = CLASSIFIER.by_id.get
    is_library = CLASSIFIER.is_library
    queue = run.queue
    q_extend = queue.extend
    q_append = queue.append
    cap = run.emitter.queue_cap
    em = run.emitter
    fail = run.fail
    perf = _perf_ns
    set_discard = set.discard
    num = run.run
    exit_kind = E.EXIT
    info_of = outcomes.exit_info
    close = run.group_closed

    def add(tasks: GroupTasks, task: Any) -> None:
        set_add(tasks, task)
        if cold[0] and task in tids:
            return  # made through a task factory: announced before it was made (LoopRun.spawn_special)
        try:
            tid = nxt()
            tids[task] = tid
            f: Any = getframe(2)  # TaskGroup.create_task's caller
            # the first user frame: where the task was made (site_of, inlined: once per task)
            while f is not None:
                code = f.f_code
                lib = lib_get(id(code))
                if lib is None:
                    lib = is_library(code)
                if not lib:
                    line = -1 - f.f_lasti
                    break
                if lib == EDGE:  # the loop's frames: no user line of the task made it
                    f = None
                    continue
                f = f.f_back
            else:
                code = None
                line = 0
            if len(queue) < cap:
                q_extend((tid, perf(), task, tasks.nid, code, line, None))  # flat (see _core.events)
            else:
                em.hook_drops += 1
        except Exception as exc:
            fail(exc)

    def discard(tasks: GroupTasks, task: Any) -> None:
        set_discard(tasks, task)
        try:
            tid = tids_pop(task, None)
            if tid is not None:
                if task._exception is None and task._state == "FINISHED":
                    if len(queue) < cap:
                        q_extend((-tid, perf()))  # returned: flat (see _core.events)
                    else:
                        em.hook_drops += 1
                elif len(queue) < cap:
                    q_append((exit_kind, num, perf(), tid, info_of(run, task, tid, tasks)))
                else:
                    em.hook_drops += 1
            if tasks.closing and not tasks:
                close(tasks)
        except Exception as exc:
            fail(exc)

    return type("GroupTasks", (GroupTasks,), {"__slots__": (), "add": add, "discard": discard})


def exit_callback(run: LoopRun) -> Callable[[Any], None]:
    """A done callback for tasks no task group of the run ends (loose tasks,
    the main task, AnyIO's)."""
    tids_pop = run.tids.pop
    queue = run.queue
    q_extend = queue.extend
    q_append = queue.append
    cap = run.emitter.queue_cap
    em = run.emitter
    fail = run.fail
    perf = _perf_ns
    num = run.run
    exit_kind = E.EXIT
    info_of = outcomes.exit_info
    closes = run.closes_with
    wait_fors = run.wait_fors

    def loose_exit(task: Any) -> None:
        try:
            tid = tids_pop(task, None)
            if tid is None:
                return
            made_by = wait_fors.pop(tid, None) if wait_fors else None
            if task._exception is None and task._state == "FINISHED" and task is not run.main:
                if len(queue) < cap:
                    q_extend((-tid, perf()))
                else:
                    em.hook_drops += 1
            elif len(queue) < cap:
                q_append((exit_kind, num, perf(), tid, info_of(run, task, tid, None, made_by)))
            else:
                em.hook_drops += 1
            if closes:
                after = closes.pop(tid, None)
                if after is not None:
                    after(tid)
        except Exception as exc:
            fail(exc)

    return loose_exit


def pump_tick(run: LoopRun) -> Callable[[], None]:
    """The pump timer: every PUMP_INTERVAL while the loop is busy or events
    wait; while it is idle, at the next sample (at most a sample period
    away), or every IDLE_TICK when nothing is sampled; at most DEBUGGER_WAKE
    apart while a debugger's client is attached (``debugger.attached``)."""
    loop = run.loop
    queue = run.queue
    em = run.emitter
    pump = em.pump_from_loop
    perf = time.perf_counter
    ready = getattr(loop, "_ready", None)  # BaseEventLoop's ready queue; uvloop has none
    idle_every = em.sample_period or IDLE_TICK
    sampling = bool(em.sample_period)
    modules = sys.modules

    def tick() -> None:
        run.tick_handle = None
        if not run.live or not run.running:
            return
        try:
            busy = ready is None or len(ready) > 0
            pump(not busy, perf())
            if busy or queue:
                delay = PUMP_INTERVAL
            elif sampling:  # idle: wake for the next sample, or the first look at new tasks (see pump)
                delay = min(idle_every, max(PUMP_INTERVAL, em.sample_owed_at() - perf()))
            else:
                delay = idle_every
            if not busy and DEBUGGER_MODULE in modules:  # a Pause of a hung program stops here (_core.debugger)
                if PAUSE_NEEDS_HELP:
                    honour_pause()
                if delay > DEBUGGER_WAKE and attached():
                    delay = DEBUGGER_WAKE
            run.tick_handle = loop.call_later(delay, tick)
        except Exception as exc:
            run.fail(exc)

    return tick


def going_idle(run: LoopRun) -> Callable[[float | None], float | None]:
    """Called by the selector wrapper (``beat``) as the loop is about to wait
    for I/O for ``timeout``: when something is queued (a task a timer woke
    made a task) and the pump tick is further away than ``PUMP_INTERVAL``
    (an idle loop's tick waits for the next sample), the tick is brought
    forward to it and the wait cut short, as Trio's ``get_events`` does; the
    first look at new tasks follows. A busy loop's tick is already that close:
    nothing changes, and pumps keep their cadence."""
    loop = run.loop
    queue = run.queue
    em = run.emitter

    def idle(timeout: float | None) -> float | None:
        if not queue or em.backed_up or not run.live or not run.running:
            return timeout
        try:
            handle = run.tick_handle
            if handle is None:
                return timeout
            now = loop.time()
            if handle.when() > now + PUMP_INTERVAL:
                handle.cancel()
                run.tick_handle = handle = loop.call_later(PUMP_INTERVAL, run.tick)
            left: float = max(0.0, handle.when() - now)
            if timeout is None or left < timeout:
                return left
        except Exception as exc:
            run.fail(exc)
        return timeout

    return idle
