"""One run of an event loop, from its first sign of life to its end.

A run begins when a loop no run observes makes a task or starts running
(``patches``), and ends when the loop closes; a loop that stops with no task
of the run left pending ends it then, unless a ``Runner`` (``asyncio.run``)
holds it: a Runner's loop is one run through its shutdown, to its close.
So ``asyncio.run`` is one run, and so is each ``run_until_complete`` of a
bare loop that leaves nothing pending.

The run's own hooks are attributes of its loop instance, set when it
begins and removed when it ends (``create_task``, ``set_task_factory``,
``call_exception_handler``): ``hooks`` holds the hot ones. The main task is
the one ``Runner.run`` or ``run_until_complete(coro)`` makes; asyncio's own
tasks (``shutdown_asyncgens``, ``shutdown_default_executor``) are system
tasks. Flags are here; task groups and timeouts in ``run_groups``; outcomes in ``outcomes``;
what the pumps ask, in ``sampling``.

Ids: one ``itertools.count`` per run (its ``next`` is atomic, so a pump
on another thread may number scopes from it). Tasks are keyed by the task
object while they live: an ``id()`` is reused, and a task no one else
holds while it waits is kept until its loop closes, when it is flagged
pending (without the runtime asyncio would destroy it sooner and say "Task
was destroyed but it is pending!").
"""

from __future__ import annotations

import itertools
import os
import sys
import time
import weakref
from typing import TYPE_CHECKING, Any

from .._core import events as E, lines as L
from .._core.errors import error_info
from .._core.frames import run_via
from . import beat as _beat, hooks, patches, waits as _waits
from .run_groups import RunGroups
from .sampling import Sampling
from .task_coro import coro_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._core.observer import Observer

_perf_ns = time.perf_counter_ns
_getframe = sys._getframe
#: frames looked at above a moment that matters (a Runner holding the loop, a shutdown)
_STACK_DEPTH = 12
#: instance attributes a run sets on its loop
_HOOKED = ("create_task", "set_task_factory", "call_exception_handler")
#: id(code) -> f(run, frame, task) -> (n, task id) (n: see _core.events' spawn
#: (task)): a library on top of asyncio whose frame makes the task names its
#: group (AnyIO), and numbers the task after any nursery it opens for it
SPAWN_VIA: dict[int, Callable[..., tuple[int | None, int]]] = {}


def on_stack(frame: Any, codes: Any) -> Any:
    """The first frame from ``frame`` out whose code is one of ``codes``, or None."""
    depth = 0
    while frame is not None and depth < _STACK_DEPTH:
        if frame.f_code in codes:
            return frame
        frame = frame.f_back
        depth += 1
    return None


class LoopRun(Sampling, RunGroups):
    def __init__(self, loop: Any, observer: Observer, frame: Any) -> None:
        import asyncio

        codes = patches.CODES
        assert codes is not None
        self.loop = loop
        self.codes = codes
        self.emitter = em = observer.emitter
        self.pid = os.getpid()
        self.run = em.new_run()
        self.ids = itertools.count(1).__next__
        #: live task -> id
        self.tids: dict[Any, int] = {}
        #: task id -> [(Timeout, kind, site)] the task entered
        self.timeouts: dict[int, list[tuple[Any, str, Any]]] = {}
        #: tasks that raised -> id, weakly: flagged at the end if nobody retrieved the exception
        self.raised: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        #: task id -> called with it once its exit is queued (AnyIO's groups close with their last task)
        self.closes_with: dict[int, Callable[[int], None]] = {}
        #: task id -> the frame of 3.11's wait_for that made the task of its
        #: awaitable (wait_for cancels it when its time is up: a deadline)
        self.wait_fors: dict[int, Any] = {}
        #: (coroutine, id) of tasks being made through a task factory (one may run eagerly)
        self.pending: list[tuple[Any, int]] = []
        #: (task, the frame that made it): a task made by asyncio.Task(...) itself (set by hooks.spawn_hook)
        self.spawn_direct: Callable[[Any, Any], None] = lambda task, f: None
        self.main: Any = None
        self.runner: Any = None
        self.outcome: Any = None
        self.live = True
        self.failed = False
        self.running = False
        #: [True]: spawns take the cold path (the loop is not running, or a
        #: task factory is set); a list, so the spawn hook reads it as a cell
        self.cold = [True]
        self.shutting_down = False
        self.held = on_stack(frame, codes.holding) is not None
        self.tick_handle: Any = None
        self.spawn_via = SPAWN_VIA
        self.current_task = asyncio.current_task
        try:
            clock0 = float(loop.time())
        except Exception:
            clock0 = 0.0
        #: what waiting tasks wait for (the sampler asks)
        self.waits = _waits.reader_for(self, clock0)
        info = L.run_info("asyncio", "{}.{}.{}".format(*sys.version_info[:3]), run_via(frame))
        self.queue = em.start_run(self.run, self, clock0, info)
        #: when the loop last came back (block lints; None: not watched) and how to stop watching
        self.tick = hooks.pump_tick(self)
        self.beat, self._unwatch = _beat.watch_select(loop, em, hooks.going_idle(self))
        self.group_tasks = hooks.group_tasks_class(self)
        self.loose_exit = hooks.exit_callback(self)
        real = type(loop).create_task
        self.real_create = real = patches.CREATE_TASK_ORIGINALS.get(real, real)
        self.create_task = hooks.spawn_hook(self, real, _takes_name_and_context(real))
        self.factory = _task_factory(loop)
        cls = type(loop)
        self._real_set_factory = cls.set_task_factory
        self._real_handler = cls.call_exception_handler
        loop.create_task = self.create_task
        loop.set_task_factory = self._set_task_factory
        loop.call_exception_handler = self._call_exception_handler

    # ------------------------------------------------------------ life
    def started(self, frame: Any) -> None:
        """The loop starts running (run_forever); ``frame``: who started it."""
        if not self.live or self.pid != os.getpid():
            return
        self.running = True
        _beat.running(self.beat, True)
        self.cold[0] = self.factory is not None
        self.shutting_down = self.codes.cancel_all is not None and on_stack(frame, (self.codes.cancel_all,)) is not None
        if self.tick_handle is None and not self.failed:
            try:
                self.tick_handle = self.loop.call_soon(self.tick)
            except Exception as exc:
                self.fail(exc)

    def stopped(self) -> None:
        """The loop stopped running: the run ends unless something is left for later."""
        if not self.live or self.pid != os.getpid():
            return
        self.running = False
        _beat.running(self.beat, False)
        self.cold[0] = True
        self.shutting_down = False
        if not self.held and not self.tids:
            self.end()
        else:
            self.emitter.pump_soon()

    def closed(self) -> None:
        if self.live and self.pid == os.getpid():
            self.end()

    def end(self) -> None:
        """Flags for what never finished, then run.finished; the loop is let go."""
        if not self.live:
            return
        self.live = False
        queue = self.queue
        num = self.run
        try:
            if not self.failed:
                for task, tid in list(self.tids.items()):
                    if not task.done():
                        queue.append((E.FLAG, num, _perf_ns(), tid, E.PENDING_AT_CLOSE, None))
                for task, tid in list(self.raised.items()):
                    if task._log_traceback:
                        err = error_info(task._exception)
                        queue.append((E.FLAG, num, _perf_ns(), tid, E.NEVER_RETRIEVED, err))
            kind, error = E.RETURNED, None
            if self.outcome is not None:
                kind, error = self.outcome[0], self.outcome[1]
            _beat.running(self.beat, False)  # a block held to the end ends with the run
            queue.append((E.RUN_END, num, _perf_ns(), kind, error))
            self.emitter.end_run()  # coroutine origins: the thread's setting from before
        finally:
            self._let_go()
            self.emitter.pump_soon()

    def _let_go(self) -> None:
        loop = self.loop
        self._stop_watching(keep_beat=True)  # its last stamp ends a block held to the end
        _unhook(loop)
        if patches.RUNS.get(loop) is self:
            del patches.RUNS[loop]
        handle, self.tick_handle = self.tick_handle, None
        if handle is not None:
            try:
                handle.cancel()
            except Exception:
                pass
        self.tids = {}
        self.raised = weakref.WeakKeyDictionary()
        self.timeouts = {}

    def _stop_watching(self, keep_beat: bool = False) -> None:
        unwatch, self._unwatch = self._unwatch, None
        if not keep_beat:
            self.beat = None
        if unwatch is not None:
            unwatch()

    def fail(self, exc: BaseException) -> None:
        """Internal error: this run says so and is not observed from here on
        (its end still is); the process's other runs are observed as usual."""
        if self.failed:
            return
        self.failed = True
        try:
            self._stop_watching()
            _unhook(self.loop)
            self.emitter.run_failed(self.run, self.queue, exc)
        except Exception:
            pass

    # ------------------------------------------------------------ the loop's own hooks
    def _set_task_factory(self, factory: Any) -> None:
        self._real_set_factory(self.loop, factory)
        self.factory = factory
        self.cold[0] = factory is not None or not self.running

    def _call_exception_handler(self, context: dict[str, Any]) -> Any:
        """asyncio says a task's exception was never retrieved as it destroys
        the task: flag it then, if the run is still going."""
        try:
            task = context.get("future")
            tid = self.raised.get(task) if task is not None and self.live and not self.failed else None
            if task is not None and tid is not None and "never retrieved" in str(context.get("message", "")):
                del self.raised[task]
                err = error_info(task._exception)
                self.queue.append((E.FLAG, self.run, _perf_ns(), tid, E.NEVER_RETRIEVED, err))
        except Exception as exc:
            self.fail(exc)
        return self._real_handler(self.loop, context)

    # ------------------------------------------------------------ tasks made on the cold path
    def tid_of(self, task: Any) -> int | None:
        tid = self.tids.get(task)
        if tid is None and self.pending and task is not None:
            tid = self.pending_tid(task)
        return tid

    def pending_tid(self, task: Any) -> int | None:
        """The id of a task a task factory is making right now (it may run its first step at once)."""
        coro = coro_of(task) if task is not None else None
        for made, tid in reversed(self.pending):
            if made is coro:
                return int(tid)
        return None

    def spawn_special(self, coro: Any, kwargs: dict[str, Any]) -> Any:
        """A task made while the loop is not running (the main task,
        asyncio's own), or through a task factory (which may run the task's
        first step before returning it: its spawn is queued before)."""
        loop = self.loop
        f = _caller(_getframe(2))  # create_task's caller
        if self.running and not self.failed:
            return self._spawn_through_factory(coro, kwargs, f)
        task = self.real_create(loop, coro, **kwargs)
        if not self.live or self.failed:
            return task
        try:
            code = getattr(coro, "cr_code", None)
            if code in self.codes.system or (
                code is not None and (code.co_filename, code.co_name) in self.codes.system_named
            ):
                self._queue_flagged(task, E.F_SYSTEM, None, 0)
            elif self._makes_main(f):
                self.main = task
                self._queue_flagged(task, E.F_MAIN, *hooks.site_of(f))
            else:
                self.tids[task] = tid = self.ids()
                task.add_done_callback(self.loose_exit)
                self.queue.append((E.SPAWN, self.run, _perf_ns(), tid, task, None, 0, *hooks.site_of(f), None))
        except Exception as exc:
            self.fail(exc)
        return task

    def _queue_flagged(self, task: Any, flags: int, code: Any, line: int) -> None:
        self.tids[task] = tid = self.ids()
        task.add_done_callback(self.loose_exit)
        self.queue.append((E.SPAWN, self.run, _perf_ns(), tid, task, None, flags, code, line, None))

    def _makes_main(self, f: Any) -> bool:
        """``Runner.run`` makes the task itself; ``run_until_complete(coro)``
        through ``ensure_future``."""
        codes = self.codes
        if f is not None and f.f_code is codes.runner_run:
            self.runner = f.f_locals.get("self")
            return True
        return codes.run_until_complete is not None and on_stack(f, (codes.run_until_complete,)) is not None

    def _spawn_through_factory(self, coro: Any, kwargs: dict[str, Any], f: Any) -> Any:
        tid = self.ids()
        nid = parent = None
        if f.f_code is self.codes.group_create:
            tasks = f.f_locals["self"]._tasks
            if type(tasks) is self.group_tasks:
                nid = tasks.nid
            f = f.f_back
        if nid is None:
            parent = self.tid_of(self.current_task(self.loop))
        box = [coro]  # the task, once made (the pump reads its name then)
        code, line = hooks.site_of(f)
        self.queue.append((E.SPAWN, self.run, _perf_ns(), tid, box, nid, 0, code, line, None, parent))
        self.pending.append((coro, tid))
        try:
            task = self.real_create(self.loop, coro, **kwargs)
        except BaseException as exc:
            self.queue.append((E.EXIT, self.run, _perf_ns(), tid, (E.RAISED, error_info(exc), None)))
            raise
        finally:
            self.pending.pop()
        box[0] = task
        self.tids[task] = tid
        if nid is None:
            task.add_done_callback(self.loose_exit)
        return task


_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # nursery_lens/


def _unhook(loop: Any) -> None:
    """The run's hooks off its loop, without reading ``loop.__dict__``: on
    Python 3.11 an object whose dict was read once keeps it, and the
    interpreter then calls its methods the slow way (every ``self.call_soon``
    and ``self._call_soon`` of the loop: +15% on a checkpoint-heavy program)."""
    for name in _HOOKED:
        try:
            delattr(loop, name)
        except AttributeError:
            pass


def _caller(f: Any) -> Any:
    """The first frame from ``f`` out that is not this package's (the run's
    hook may be reached through the class-level starter: see patches)."""
    while f is not None and f.f_code.co_filename.startswith(_HERE):
        f = f.f_back
    return f


def _task_factory(loop: Any) -> Any:
    try:
        return loop.get_task_factory()
    except Exception:
        return None


def _takes_name_and_context(real: Any) -> bool:
    """``create_task(self, coro, *, name=None, context=None)`` exactly (3.11-3.13)."""
    import inspect

    try:
        params = list(inspect.signature(real).parameters.values())
    except (TypeError, ValueError):
        return False
    kinds = [(p.name, p.kind) for p in params]
    kw = inspect.Parameter.KEYWORD_ONLY
    return kinds[2:] == [("name", kw), ("context", kw)] and len(kinds) == 4
