"""Sampled task states, await sites and cancel scopes (in a pump).

Hooking every task step costs 1.5–2.8× on busy programs (DESIGN.md §4), so
states are *sampled* ``sample_hz`` times a second, as part of a pump, and
only changes are sent. A busy loop samples on the Trio thread at its I/O
wait (no task is running then: each is scheduled or waiting, exactly). An
idle loop, or one held at a breakpoint or by a long step, is sampled by the
writer thread: the task holding the breakpoint shows as ``running`` at the
breakpoint's line.

Reading Trio's objects from another thread is safe under the GIL (each
attribute read is atomic); a sample may be a moment out of date, never
wrong in a way that breaks the stream: only tasks the stream has already
announced (present in the mirror) are reported.

* state: ``running`` if the task's coroutine frame is on the Trio thread's
  stack right now, ``scheduled`` if Trio has a value to send it
  (``_next_send_fn``), else ``waiting``.
* at: the innermost *user* frame of the await chain (``cr_await`` links),
  so a task queued on a ``CapacityLimiter`` and one inside its fetch differ
  by their await site.
* scopes: the cancel scopes entered in the task (its cancel-status chain up
  to its parent nursery's) that have a deadline, a shield or a cancel. The
  scope ``trio.sleep`` opens for itself is noise and is skipped.
"""

from __future__ import annotations

import sys
import threading
import time
from math import inf
from typing import Any

from . import _patches
from ._emitter import Emitter, RunMirror, task_record
from ._encode import ms, site_json
from ._frames import CLASSIFIER
from ._taskids import TaskIds, live_slice

#: Tasks examined per sample; beyond that a cursor walks round the rest.
MAX_PER_SAMPLE = 2000
#: Wall-clock budget of one sample (a sample holds the program for its length).
BUDGET_S = 0.002
#: ... checked every CLOCK_EVERY tasks (a power of two)
CLOCK_EVERY = 32
#: Most links followed in one await chain or cancel-status chain, and most
#: frames of the Trio thread's stack looked at.
_MAX_DEPTH = 200
_MAX_STACK = 10_000
#: Tries at copying the live tasks, which the Trio thread may change meanwhile.
_COPY_TRIES = 3


def install_sampler(emitter: Emitter) -> None:
    if emitter.sampler is None:
        emitter.sampler = lambda mirror, lines: sample(emitter, mirror, lines)


def _await_site(coro: Any) -> Any:
    """(innermost user (code, line) or None, whether trio.sleep is in the chain)."""
    best = None
    sleeping = False
    by_id = CLASSIFIER.by_id
    sleep_ids = _patches.SLEEP_IDS
    depth = 0
    while coro is not None and depth < _MAX_DEPTH:
        depth += 1
        frame = getattr(coro, "cr_frame", None)
        if frame is None:
            frame = getattr(coro, "gi_frame", None)
            if frame is None:
                break
            nxt = getattr(coro, "gi_yieldfrom", None)
        else:
            nxt = coro.cr_await
        code = frame.f_code
        if id(code) in sleep_ids:
            sleeping = True
        lib = by_id.get(id(code))
        if lib is None:
            lib = CLASSIFIER.is_library(code)
        if not lib:
            best = (code, frame.f_lineno)
        coro = nxt
    return best, sleeping


def _slice(tids: TaskIds, start: int) -> list[Any] | None:
    """Up to MAX_PER_SAMPLE (task, id) pairs from ``start``, or None.

    The dict (or Trio's set of tasks) belongs to the Trio thread. Copying it
    is one C loop, but an allocation in it can start a garbage collection
    whose finalizers run Python code, and the Trio thread may then change
    it: Python raises RuntimeError, and the sample is simply retried or
    skipped.
    """
    for _ in range(_COPY_TRIES):
        try:
            return live_slice(tids, start, start + MAX_PER_SAMPLE)
        except RuntimeError:
            continue
    return None


def _deadline_json(deadline: float, mirror: RunMirror) -> str:
    if deadline == inf or deadline != deadline:
        return "null"
    if deadline == -inf:
        return "0"
    return f"{(deadline - mirror.clock0) * 1000.0:.3f}"


def sample(em: Emitter, m: RunMirror, lines: list[str]) -> None:
    inst = m.inst
    if getattr(inst, "_run", None) != m.run:
        return
    tids: TaskIds | None = getattr(inst, "_tids", None)
    if not tids:
        return
    # A slice of the live tasks per sample (round robin). Copying only the
    # slice (in C, atomically under the GIL) keeps no dead task alive.
    cursor = m.sample_cursor
    items = _slice(tids, cursor)
    if items is None:
        return
    if not items and cursor:
        cursor = 0
        items = _slice(tids, 0)
        if items is None:
            return
    # On the Trio thread itself (a pump at its I/O wait) no task is running;
    # from another thread, the Trio thread's stack says which task runs.
    top = None if threading.get_ident() == m.thread_id else sys._current_frames().get(m.thread_id)
    on_stack: set[Any] = set()
    f = top
    depth = 0
    while f is not None and depth < _MAX_STACK:
        on_stack.add(f)
        f = f.f_back
        depth += 1
    running_site = CLASSIFIER.user_site(top) if top is not None else None
    ts = ms(time.perf_counter_ns(), m.t0)
    run = m.run
    tasks = m.tasks
    scopes = m.scopes
    sampled: set[int] = set()
    seen: set[Any] = set()
    next_id = getattr(inst, "_next", None)
    deadline = time.perf_counter() + BUDGET_S
    clock_mask = CLOCK_EVERY - 1
    end = len(items)
    i = 0
    while i < end:
        task, tid = items[i]
        i += 1
        if not i & clock_mask and time.perf_counter() > deadline:
            break
        if tid not in tasks:
            continue
        rec = task_record(m, tid)
        sampled.add(tid)
        coro = task.coro
        frame = getattr(coro, "cr_frame", None)
        if frame is not None and frame in on_stack:
            state = "running"
            at = running_site
            sleeping = False
        else:
            state = "scheduled" if task._next_send_fn is not None else "waiting"
            at, sleeping = _await_site(coro)
        atj = site_json(at[0], at[1]) if at is not None else "null"
        if rec[4] != state or rec[5] != atj:
            if rec[5] != atj:
                lines.append(f'{{"type":"task.state","run":{run},"ts":{ts},"id":{tid},"state":"{state}","at":{atj}}}')
            else:
                lines.append(f'{{"type":"task.state","run":{run},"ts":{ts},"id":{tid},"state":"{state}"}}')
            rec[4] = state
            rec[5] = atj
        # cancel scopes entered in this task
        status = task._cancel_status
        parent = task._parent_nursery
        stop = getattr(parent, "_cancel_status", None) if parent is not None else None
        first = True
        depth = 0
        while status is not None and status is not stop and depth < _MAX_DEPTH:
            depth += 1
            scope = status._scope
            shield = scope._shield
            called = scope._cancel_called
            sdeadline = scope._deadline
            if first and sleeping and not shield and not called:
                pass  # trio.sleep's own scope
            elif sdeadline != inf or shield or called:
                seen.add(scope)
                cr = getattr(scope, "_cancel_reason", None)
                reason = getattr(cr, "reason", None) if cr is not None else None
                dj = _deadline_json(sdeadline, m)
                srec = scopes.get(scope)
                if srec is None:
                    if next_id is None:
                        break
                    srec = [next_id(), tid, dj, shield, called, reason]
                    scopes[scope] = srec
                    lines.append(em.scope_line(m, srec, ts))
                elif srec[2] != dj or srec[3] != shield or srec[4] != called or srec[5] != reason:
                    srec[2], srec[3], srec[4], srec[5] = dj, shield, called, reason
                    lines.append(em.scope_line(m, srec, ts))
            first = False
            status = status._parent
    m.sample_cursor = 0 if i >= end and end < MAX_PER_SAMPLE else cursor + i
    if scopes:
        for scope, srec in list(scopes.items()):
            if srec[1] in sampled and scope not in seen:
                del scopes[scope]
                lines.append(f'{{"type":"scope.closed","run":{run},"ts":{ts},"id":{srec[0]}}}')
