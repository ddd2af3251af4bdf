"""What the hooks put on the queues: flat values, and small tagged tuples.

Hooks run on the loop's thread inside its scheduler, so they only queue
values they already have (ints, floats, strings, code objects) and leave
the rest — timestamps relative to the run, JSON, sites — to a pump
(``emitter``, ``mirror``). The layouts below are the contract between an
adapter's hooks and the core.

Each run has its own deque (``Emitter.start_run``). The two events that are
nearly all the traffic are queued as *flat values*, appended with one
``deque.extend`` (atomic under the GIL, so a record is never split):

===============  ======================================================
spawn (plain)    ``tid, t, name, nursery_id, code, line, func`` (tid > 0)
spawn (again)    ``AGAIN, t``: the id after the previous plain spawn's,
                 with its name, nursery, site and func (a loop's spawns)
spawn (task)     ``tid, t, task, n, code, line, None``: ``task`` is not a
                 str but the library's task, whose name and function the
                 pump asks the run's source for (``describe``: asyncio
                 names a task after making it); ``n`` > 0 is the
                 nursery's id, ``n`` <= 0 a loose task made by task
                 ``-n`` (0: by no task)
exit (returned)  ``-tid, t``
===============  ======================================================

A tuple built for ``extend`` is freed at once, so nothing the garbage
collector tracks stays alive per event (a queued tuple per event made
Python's collections more frequent at 100,000 live tasks). A full
collection still visits every queued value, and a burst of 100,000 spawns
in one loop iteration is all queued before a pump runs: a loop's spawns
take two values each, not seven. Everything else is one tagged tuple:

==========  ===========================================================
kind        tuple
==========  ===========================================================
RUN_START   (kind, run, t, wall_ms, clock0, observed_run, loop_thread_id,
            run_deque)  — on the emitter's own queue, so the run's
            mirror exists before its deque is read (``start_run``)
RUN_END     (kind, run, t, outcome, error)  — the run deque's last item
SPAWN       (kind, run, t, tid, name, nursery_id, flags, code, line, func[, parent])
            — init, main and system tasks (flags != 0), or a site
            only known as a (code, line) pair from a special path;
            ``name`` may be the library's task (see spawn (task))
MOVE        (kind, run, t, tid, nursery_id)
EXIT        (kind, run, t, tid, info)  info: None (returned) or (outcome, error, cancel)
N_OPEN      (kind, run, t, nid, owner_tid, code, line, flags)
N_CLOSE     (kind, run, t, nid)
FLAG        (kind, run, t, tid, flag, error)  — ``task.flagged``
RUN_FAIL    (kind, run, t, reason)  — the adapter stopped observing
            this run (an error of its own): ``runtime.disabled`` for
            the run; its RUN_END still comes when the adapter sees it
DISABLED    (kind, reason)  — on the emitter's own queue
WARNING     (kind, run, t, category, message, warning_kind, (file, line,
            function), coroutine_code, tid)  — a warning on the loop's
            thread (1.2); ``coroutine_code`` and ``tid`` may be None
==========  ===========================================================

``func`` is the code object of the task's coroutine function (where it
is defined: ``task.spawned.func``), or None.
``t`` is ``time.perf_counter_ns()`` (see ``fragments.ms``). ``error`` is ``(type, message, leaves)``
with ``leaves`` a tuple of errors or None; ``cancel`` is
``(source, reason, by_tid)``, each part possibly None, optionally followed
by ``(scope, code, line, error)``: the scope that cancelled (a nursery's id,
or the library's scope object, written as the id the stream gave it), where
the cancel came from, and the exception that caused it. ``line`` is a line
number, or ``-1 - f_lasti`` (an instruction offset the pump turns into a
line, cached).
"""

#: values a flat record takes on a run's deque
SPAWN_VALUES = 7
AGAIN_VALUES = 2
EXIT_VALUES = 2
#: the first value of a spawn like the previous one (None: no allocation,
#: and nothing for the garbage collector to look at)
AGAIN = None
#: A run's deque holds at most this × max_buffer values: about max_buffer
#: events, nearly all of them spawns and exits
VALUES_PER_EVENT = (SPAWN_VALUES + EXIT_VALUES) // 2

RUN_START = 0
RUN_END = 1
SPAWN = 2
MOVE = 3
EXIT = 4
N_OPEN = 5
N_CLOSE = 6
DISABLED = 7
WARNING = 8
FLAG = 9
RUN_FAIL = 10

# task flags
F_SYSTEM = 1
F_MAIN = 2
# nursery flags (and kinds, 1.2: a plain nursery has neither kind bit)
N_SYSTEM = 1
N_START = 2
N_TASKGROUP = 4
N_ANYIO = 8
#: (1.4) a nursery a library function opened for itself in the user's task (see
#: _core.library_work): reported system, with the user's line that called it
N_LIBRARY = 16

# task.flagged's flags
PENDING_AT_CLOSE = "pending_at_close"
NEVER_RETRIEVED = "exception_never_retrieved"

RETURNED = "returned"
RAISED = "raised"
CANCELLED = "cancelled"
