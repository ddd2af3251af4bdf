"""What the hooks put on the queue: small tuples, tagged by an int.

Hooks run on Trio's thread inside its scheduler, so they only build a tuple
of already-extracted small values (ints, strings, code objects) and append
it. Everything else — timestamps relative to the run, JSON, sites — happens
later, in a pump (``_emitter``). The layouts below are the contract between
the two.

==========  ===========================================================
kind        tuple
==========  ===========================================================
RUN_START   (kind, run, t, wall_ms, clock0, instrument, trio_thread_id)
RUN_END     (kind, run, t, outcome, error)
SPAWN       (kind, run, t, tid, name, nursery_id, flags, code, line)
MOVE        (kind, run, t, tid, nursery_id)
EXIT        (kind, run, t, tid, info)  info: None (returned) or (outcome, error, cancel)
N_OPEN      (kind, run, t, nid, owner_tid, code, line, flags)
N_CLOSE     (kind, run, t, nid)
DISABLED    (kind, reason)
FLUSH       (kind, threading.Event)
==========  ===========================================================

``t`` is ``time.perf_counter()``. ``error`` is ``(type, message, leaves)``
with ``leaves`` a tuple of errors or None; ``cancel`` is
``(source, reason, by_tid)``, each part possibly None.
"""

RUN_START = 0
RUN_END = 1
SPAWN = 2
MOVE = 3
EXIT = 4
N_OPEN = 5
N_CLOSE = 6
DISABLED = 7
FLUSH = 8

# task flags
F_SYSTEM = 1
F_MAIN = 2
# nursery flags
N_SYSTEM = 1
N_START = 2

RETURNED = "returned"
RAISED = "raised"
CANCELLED = "cancelled"
