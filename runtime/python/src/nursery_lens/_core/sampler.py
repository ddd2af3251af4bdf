"""Sampled task states, await sites and cancel scopes (in a pump).

Hooking every task step costs 1.5–2.8× on busy programs (DESIGN.md §4), so
states are *sampled* ``sample_hz`` times a second, as part of a pump, and
only changes are sent. New tasks also get a first look soon after their
first step (``first_look``, when the pump says: ``pump.FIRST_LOOK_*``), so
a short task is not shown ``scheduled`` for its whole life. A busy loop
samples on its own thread at its I/O wait (no task is running then: each
is scheduled or waiting, exactly). An
idle loop, or one held at a breakpoint or by a long step, is sampled by the
writer thread: the task holding the breakpoint shows as ``running`` at the
breakpoint's line.

Reading the library's objects from another thread is safe under the GIL
(each attribute read is atomic); a sample may be a moment out of date,
never wrong in a way that breaks the stream: only tasks the stream has
already announced (present in the mirror) are reported.

This is the library-neutral part; the run's adapter (``adapter.ObservedRun``)
lists the live tasks and reads each one's coroutine, waiting state and
cancel scopes.

* state: ``running`` if the task's coroutine frame is on the loop thread's
  stack right now, else what the adapter says (``scheduled``, ``waiting``).
* at: the innermost *user* frame of the await chain (``cr_await`` links),
  so a task queued on a ``CapacityLimiter`` and one inside its fetch differ
  by their await site.
* chain (protocol 1.2): every frame of the await chain, library frames
  included; for the running task, the loop thread's stack above its
  coroutine, less a debugger's frames on top (``chains``). Sent when changed.
* scopes: what the adapter reports, as ``scope.changed`` when new or
  changed and ``scope.closed`` when a sampled task no longer has them.
"""

from __future__ import annotations

import sys
import threading
import time
from math import inf
from typing import TYPE_CHECKING, Any

from . import lines as L
from .chains import LASTI, stack_chain
from .fragments import cancel_json, chain_json, ms, site_json
from .frames import CLASSIFIER
from .run_mirror import ScopeRecord

if TYPE_CHECKING:
    from collections.abc import Callable, Set as AbstractSet

    from .emitter import Emitter
    from .frames import Site
    from .run_mirror import RunMirror

#: Tasks examined per sample; beyond that a cursor walks round the rest.
MAX_PER_SAMPLE = 2000
#: Wall-clock budget of one sample (a sample holds the program for its length).
BUDGET_S = 0.002
#: ... from another thread than the loop's (a loop held, or stopped at a
#: breakpoint): the loop waits for the GIL meanwhile, and nothing but the
#: task holding it has run since the last sample, so a tenth of that
#: (measured, 3,000 tasks: ~0.8 ms of CPU a sample, 2.1-3.4 ms before)
AWAY_PER_SAMPLE = 200
AWAY_BUDGET_S = 0.0005
#: ... from the loop's thread with nothing ready to run, while the last
#: sample found most of what it looked at changed (catching up: a burst of
#: spawns, then all waiting): the program waits anyway, and a longer sample
#: delays only its next I/O or timer (by at most this). 1,000 tasks first
#: seen take ~35 ms of looks: 0.7 s of samples at this budget, 1.8 s at
#: BUDGET_S. A program idle with nothing changing keeps BUDGET_S.
IDLE_BUDGET_S = 0.005
#: ... checked every CLOCK_EVERY tasks (a power of two)
CLOCK_EVERY = 32
#: Most links followed in one await chain, and most frames of the loop
#: thread's stack looked at.
MAX_DEPTH = 200
_MAX_STACK = 10_000
#: Tries at copying the live tasks, which the loop's thread may change meanwhile.
_COPY_TRIES = 3
#: thread id -> the frame a signal interrupted on that thread, while a dump
#: samples from inside the handler (``dump``): the task on that stack runs.
interrupted: dict[int, Any] = {}


def install_sampler(emitter: Emitter) -> None:
    if emitter.sampler is None:
        emitter.sampler = sample
        emitter.looker = first_look


def await_site(coro: Any, sleep_codes: AbstractSet[int], frames: list[Any] | None = None) -> tuple[Site | None, bool]:
    """(innermost user (code, line) or None, whether a ``sleep_codes`` frame is in the chain);
    ``frames``: gets the whole chain, outermost first (``chains``). Lines are
    taken as ``-1 - f_lasti`` where Python allows (``chains.frame_line``,
    inlined: one attribute read; ``site_json`` maps it to a line once per
    offset) instead of ``f_lineno``, which decodes the line table each time."""
    best = None
    sleeping = False
    by_id = CLASSIFIER.by_id
    lasti_ok = LASTI
    depth = 0
    while coro is not None and depth < MAX_DEPTH:
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
        if lasti_ok:
            line = frame.f_lasti
            line = -1 - line if line >= 0 else frame.f_lineno
        else:
            line = frame.f_lineno
        if frames is not None:
            frames.append(code)
            frames.append(line)
        if id(code) in sleep_codes:
            sleeping = True
        lib = by_id.get(id(code))
        if lib is None:
            lib = CLASSIFIER.is_library(code)
        if not lib:
            best = (code, line)
        coro = nxt
    return best, sleeping


def newest(tids: dict[Any, int], after: int, most: int) -> list[tuple[Any, int]] | None:
    """(task, id) of a task -> id dict (in spawn order) with ids above
    ``after``, oldest first, or None: more than ``most`` (``newer_tasks``)."""
    found: list[tuple[Any, int]] = []
    for pair in reversed(tids.items()):
        if pair[1] <= after:
            break
        if len(found) == most:
            return None
        found.append(pair)
    found.reverse()
    return found


def _copied(read: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
    """(True, ``read(*args)``), or (False, None) when it kept failing.

    The live tasks belong to the loop's thread. Copying them is one C loop,
    but an allocation in it can start a garbage collection whose finalizers
    run Python code, and the loop's thread may then change them: Python
    raises RuntimeError, and the copy is simply retried, or the look skipped.
    """
    for _ in range(_COPY_TRIES):
        try:
            return True, read(*args)
        except RuntimeError:
            continue
    return False, None


def _deadline_json(deadline: float, mirror: RunMirror) -> str:
    if deadline == inf or deadline != deadline:
        return "null"
    if deadline == -inf:
        return "0"
    return f"{(deadline - mirror.clock0) * 1000.0:.3f}"


def sample(m: RunMirror, lines: list[str]) -> None:
    source = m.source
    if not source.observed:
        m.round_done_from = time.perf_counter()  # nothing to go round: owe no sample
        return
    # A slice of the live tasks per sample (round robin). Copying only the
    # slice (in C, atomically under the GIL) keeps no dead task alive.
    away = threading.get_ident() != m.thread_id
    count = AWAY_PER_SAMPLE if away else MAX_PER_SAMPLE
    cursor = m.sample_cursor
    ok, items = _copied(source.live_tasks, cursor, cursor + count)
    if not ok:
        return
    if not items and cursor:
        cursor = 0
        ok, items = _copied(source.live_tasks, 0, count)
        if not ok:
            return
    if not cursor:
        m.round_began = time.perf_counter()
    if not items:
        m.sample_cursor = 0
        m.round_done_from = m.round_began
        return
    done = _look(m, lines, items, away)
    end = len(items)
    m.sample_cursor = 0 if done >= end and end < MAX_PER_SAMPLE else cursor + done
    if not m.sample_cursor:
        m.round_done_from = m.round_began


def first_look(m: RunMirror, lines: list[str], after: int, most: int) -> None:
    """Samples only the live tasks with ids above ``after`` (new since the
    last look: the pump's first look); nothing when there are more than
    ``most`` of them (a burst of spawns)."""
    source = m.source
    if not source.observed:
        return
    ok, items = _copied(source.newer_tasks, after, most)
    if ok and items:
        _look(m, lines, items, threading.get_ident() != m.thread_id)


def _look(m: RunMirror, lines: list[str], items: list[tuple[Any, int]], away: bool) -> int:
    """Samples ``items`` ((task, id) pairs) into ``lines``; how many it got
    through in its time budget."""
    source = m.source
    top, on_stack = _loop_stack(m, away)
    running_site = CLASSIFIER.user_site(top) if top is not None else None
    ts = ms(time.perf_counter_ns(), m.t0)
    run = m.run
    tasks = m.tasks
    scopes = m.scopes
    sampled: set[int] = set()
    seen: set[Any] = set()
    task_coro = source.task_coro
    waiting_state = source.waiting_state
    task_scopes = source.task_scopes
    sleep_codes = source.sleep_codes
    # what waiting tasks wait for, where the adapter can say (see waits)
    reader = getattr(source, "waits", None)
    scope_facts = getattr(source, "scope_facts", None)
    deadline = time.perf_counter() + (
        AWAY_BUDGET_S if away else IDLE_BUDGET_S if m.idle and m.catching_up else BUDGET_S
    )
    told = len(lines)
    clock_mask = CLOCK_EVERY - 1
    end = len(items)
    i = 0
    while i < end:
        task, tid = items[i]
        i += 1
        if not i & clock_mask and time.perf_counter() > deadline:
            i -= 1  # not looked at: the next sample starts with it
            break
        if tid not in tasks:
            continue
        rec = m.record(tid)
        sampled.add(tid)
        coro = task_coro(task)
        frame = getattr(coro, "cr_frame", None)
        chain: list[Any] = []
        if frame is not None and frame in on_stack:
            state = "running"
            at = running_site
            sleeping = False
            stack_chain(top, frame, chain)
        else:
            state = waiting_state(task)
            at, sleeping = await_site(coro, sleep_codes, chain)
        atj = site_json(at[0], at[1]) if at is not None else "null"
        wj = reader.changed(rec, task, coro, state == "waiting") if reader is not None else None
        chj = None
        if chain != rec.chain:  # sent only when it changed
            rec.chain = chain
            chj = rec.chain_json = chain_json(chain)
        if rec.state != state or rec.at != atj or chj is not None or wj is not None:
            lines.append(L.task_state(run, ts, tid, state, atj if rec.at != atj else None, chj, wj))
            rec.state = state
            rec.at = atj
        for seen_scope in task_scopes(task, sleeping):
            scope, sdeadline, shield, called, reason = seen_scope[:5]
            seen.add(scope)
            dj = _deadline_json(sdeadline, m)
            srec = scopes.get(scope)
            if srec is None:
                srec = scopes[scope] = ScopeRecord(source.next_id(), tid, dj, shield, called, reason)
            elif srec.deadline != dj or srec.shield != shield or srec.called != called or srec.reason != reason:
                srec.deadline, srec.shield, srec.called, srec.reason = dj, shield, called, reason
            else:
                continue
            srec.facts = _scope_facts(seen_scope, scope_facts)
            lines.append(srec.line(run, ts))
    if scopes:
        for scope, srec in list(scopes.items()):
            if srec.task in sampled and scope not in seen:
                del scopes[scope]
                lines.append(L.scope_closed(run, ts, srec.id))
    m.catching_up = (len(lines) - told) * 2 >= i  # half of those looked at had changed
    return i


def _loop_stack(m: RunMirror, away: bool) -> tuple[Any, set[Any]]:
    """The loop thread's innermost frame and the frames on its stack. On the
    loop's thread itself (a pump at its I/O wait) no task is running, unless
    a signal interrupted one; from another thread, the loop thread's stack
    says which task runs."""
    top = sys._current_frames().get(m.thread_id) if away else interrupted.get(threading.get_ident())
    on_stack: set[Any] = set()
    f = top
    depth = 0
    while f is not None and depth < _MAX_STACK:
        on_stack.add(f)
        f = f.f_back
        depth += 1
    return top, on_stack


def _scope_facts(seen_scope: tuple[Any, ...], scope_facts: Any) -> str:
    """A changed scope's facts: the adapter's, and for a library's scope
    (asyncio, AnyIO) its kind, its site unless given, and its cause."""
    facts: str = scope_facts(seen_scope[0]) if scope_facts is not None else ""
    if len(seen_scope) > 5:
        kind, where = seen_scope[5:7]
        cause = seen_scope[7] if len(seen_scope) > 7 else None
        if ',"site":' not in facts:
            facts = (
                L.scope_facts(
                    site_json(where[0], where[1]) if where is not None else "null",
                    None,
                    cancel_json(cause) if cause is not None else None,
                )
                + facts
            )
        facts = f',"kind":"{kind}"' + facts
    return facts
