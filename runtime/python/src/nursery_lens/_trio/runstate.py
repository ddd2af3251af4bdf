"""What an Instrument knows about the run it observes.

The Instrument's parts (``instrument``, ``tree``, ``outcomes``, the per-run
closures of ``hooks``) share this state; ``Instrument._begin`` sets it when
a run starts (or is attached to), ``after_run`` clears it.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import weakref
    from collections import deque
    from collections.abc import Callable

    from .._core.blocks import LoopBeat
    from .._core.emitter import Emitter
    from .taskids import TaskIds


class RunState:
    _emitter: Emitter
    #: Trio's Runner of the observed run (None between runs)
    _runner: Any
    #: the run's number on the wire
    _run: int
    #: the next id of this run (nurseries and scopes; tasks without Task._counter)
    _next: Callable[[], int]
    #: task -> id (see taskids)
    _tids: TaskIds
    #: nursery -> (id, flags)
    _nurseries: dict[Any, tuple[int, int]]
    #: task -> (outcome, error, cancel) of a task that did not return, until its exit is queued
    _exits: dict[Any, tuple[Any, ...]]
    #: cancel scope -> (source, reason, by, scope, code, line, error): who
    #: cancelled it, seen before Trio acts (see outcomes)
    _causes: weakref.WeakKeyDictionary[Any, tuple[Any, ...]]
    #: cancel scope -> (code, line, call): where user code entered it, with what
    _scope_sites: weakref.WeakKeyDictionary[Any, tuple[Any, int, str | None]]
    #: Trio's init task and system tasks
    _system: set[Any]
    _init: Any
    _main: Any
    #: the run's own queue (see events), its append, its bound
    _queue: deque[Any]
    _q_append: Callable[[Any], None]
    _cap: int
    #: nurseries close when their owner exits (Nursery._nested_child_finished not wrapped)
    _closes_from_exit: bool
    #: when the loop last came back (block lints; None: not watched)
    _beat: LoopBeat | None

    @abstractmethod
    def _fail(self, exc: BaseException) -> None:
        """Internal error: report once, unhook from this run, go quiet."""
