"""The seam between the library-neutral core and one adapter per async library.

The core (this package) owns the wire: configuration, the emitter (queues,
pumps, transport, reconnects, drops), the mirror of what the stream said
and its snapshots, every line template, the sampler's round robin, and
activation. It imports no async library. An adapter (``nursery_lens._trio``,
and one for asyncio) is the only place that knows a library's internals:
how to be told about every run, how a run's tasks spawn, exit, move and
nest, how to read a task's state and cancel scopes, how to classify an
outcome.

What an adapter hands the core:

* ``Library``, a module-level description the activation finds by name
  (``activation.ADAPTERS``), so that activating costs nothing for a library
  the program never imports.
* An instrument per run, built on ``observer.Observer`` (configuration,
  emitter, flush, close). Its hooks put flat values and tagged tuples on the
  run's deque (``events``); ``Emitter.start_run`` gives it that deque.
* An ``ObservedRun`` per run (passed to ``Emitter.start_run``): what the
  pumps ask of the run when they sample states and take snapshots.
* Its library's packages for the user-code classifier
  (``frames.CLASSIFIER.add_packages``), and its pumps: the adapter finds
  the place where its loop's thread waits for I/O, calls
  ``Emitter.pump_from_loop`` there at most every ``PUMP_INTERVAL``, and
  cuts an idle wait short when events are queued or a sample is owed.

Several libraries in one process: instruments configured alike share one
emitter (``emitters.emitter_for``), whose hello names the library of the
run that made it; each run names its own in ``run.started.library``
(``lines.run_info``, passed to ``Emitter.start_run``).

A failure in an adapter's own code is contained to its run: the adapter
stops observing that run and tells ``Emitter.run_failed`` (the run says
so on the wire, later runs are observed as usual).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Set as AbstractSet
    from types import CodeType, FrameType, ModuleType

    from .config import Config
    from .fragments import Renamed

#: (scope, deadline, shield, cancel_called, reason[, kind, site[, cause]]): a
#: cancel scope as a sample sees it. ``scope`` is the library's object (the
#: mirror keys its scope ids by it, holding it only while the scope is
#: reported); ``deadline`` is in seconds on the run's clock (``inf``: none).
#: The 1.2 ``kind`` (None: a Trio cancel scope), ``site`` (a frames.Site
#: where the scope was entered, or None) and ``cause`` (why it was cancelled,
#: see events, or None) may be left out.
ScopeSeen = tuple[Any, ...]


class Library(Protocol):
    """A module-level description of one adapter (``nursery_lens._trio.library``)."""

    #: the hello's ``runtime``: which library this observes
    name: str
    #: the module whose loading means the program uses the library: the
    #: activation waits for it (a one-shot import hook) and patches it then
    watch: str

    def version(self) -> str:
        """The library's version for the hello (``runtime_version``)."""
        ...

    def activate(self, module: ModuleType, config: Config) -> bool:
        """From now on every run of the library is observed with ``config``.

        Called once, with the loaded ``watch`` module, on whichever thread
        imported it. False when the library's shape is unknown (one line on
        stderr; the program runs unobserved)."""
        ...


class ObservedRun(Protocol):
    """One run of an async library, as the core's pumps see it.

    Called from a pump only, never from a hook: on the loop's thread at its
    I/O wait, or on the watching thread while the loop is held (a debugger
    at a breakpoint, a long step). From the watching thread every read races
    with the loop's thread: each attribute read is atomic under the GIL, a
    copy of a container may raise RuntimeError (the core retries or skips),
    and a sample may be a moment stale. Nothing here may block or raise
    anything else into the pump.
    """

    @property
    def observed(self) -> bool:
        """False once the instrument moved on (failed, or observes a later
        run): the pumps stop asking."""
        ...

    @property
    def wakes_for_pumps(self) -> bool:
        """The loop's own pumps end an idle wait early when a pump is owed;
        False: the watching thread looks at an idle loop every ``WATCH_IDLE``."""
        ...

    @property
    def sleep_codes(self) -> AbstractSet[int]:
        """Ids of code objects whose frame in an await chain means the
        innermost cancel scope is the library's own (``trio.sleep``'s): not
        reported."""
        ...

    def next_id(self) -> int:
        """A new id from the run's counter (ids name one thing per run: tasks,
        nurseries and scopes share the counter). Thread-safe."""
        ...

    def live_ids(self) -> Iterable[int]:
        """Ids of every live task (a snapshot leaves out tasks whose exit was
        dropped). May raise RuntimeError (the core retries)."""
        ...

    def live_tasks(self, start: int, stop: int) -> list[tuple[Any, int]]:
        """(task, id) of live tasks ``start:stop``, in an order that is stable
        while the set of live tasks is (the sampler's round robin). May raise
        RuntimeError (the core retries)."""
        ...

    def newer_tasks(self, after: int, most: int) -> list[tuple[Any, int]] | None:
        """(task, id) of the live tasks whose ids are above ``after`` (made
        since), or None when there are more than ``most``. May raise
        RuntimeError (the core retries)."""
        ...

    def running_tid(self, frame: FrameType) -> int | None:
        """The id of the task whose coroutine runs ``frame`` (the outermost
        coroutine frame on the loop thread's stack, which the caller
        sampled), found without scanning the live tasks: from what the
        loop itself says it runs now. None: not known that way (the core
        then scans ``live_tasks``)."""
        ...

    def task_coro(self, task: Any) -> Any:
        """The coroutine the task runs: the sampler reads its frame (running
        if on the loop thread's stack) and walks its ``cr_await`` chain."""
        ...

    def waiting_state(self, task: Any) -> str:
        """``"scheduled"`` (the loop will resume it) or ``"waiting"``; asked
        only of a task that is not running."""
        ...

    def task_scopes(self, task: Any, sleeping: bool) -> Iterable[ScopeSeen]:
        """The cancel scopes entered in the task worth showing (a deadline, a
        shield or a cancel), innermost first. ``sleeping``: the await chain
        passes through a ``sleep_codes`` frame, whose own scope is left out."""
        ...

    def describe(self, task: Any) -> tuple[str | Renamed, CodeType | None]:
        """(name, code of its coroutine function) of a task queued as the
        library's object (see events: asyncio names a task after making it);
        a ``Renamed`` name keeps the library's default beside the one shown."""
        ...

    def fail(self, exc: BaseException) -> None:
        """Reading the library's objects for this run failed (in a pump):
        the adapter stops observing the run (``Emitter.run_failed``)."""
        ...
