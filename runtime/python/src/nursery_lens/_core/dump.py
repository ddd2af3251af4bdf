"""The live tree as text, for a program that hangs: on ``SIGUSR1``
(``dump_signal``), and for the pytest plugin when a test runs past its timeout.

Built from the runtime's own mirror (what the stream said is live), never
by calling into the async library: after one pump (a fresh sample of where
each task waits, when sampling is on) each run's ``Mirror.snapshot`` lines
go through ``tree_rows`` to ``tree_text``, the text the extension copies and
``python -m nursery_lens show`` prints. A dump shows what is live; finished
tasks have left the mirror. From a signal handler it runs in the loop's
thread between two bytecodes: the frame the signal interrupted tells which
task was running.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import TYPE_CHECKING

from . import emitters, sampler
from .fragments import ms
from .tree_rows import RunRows
from .tree_text import tree_text

if TYPE_CHECKING:
    from types import FrameType

    from .emitter import Emitter

#: How long a dump waits for a pump under way elsewhere (the writer thread's).
LOCK_WAIT = 0.25


def live_texts(frame: FrameType | None = None) -> list[str]:
    """One text per run observed now, in every emitter of this process.

    ``frame``: the frame a signal interrupted on the loop's thread, so the
    task it belongs to is sampled ``running`` there."""
    texts: list[str] = []
    try:
        ems = list(emitters.ALL)
    except RuntimeError:  # the set changed meanwhile: take the shared ones
        ems = emitters.shared_emitters()
    for em in ems:
        if not em.stopped and not em.disabled:
            texts.extend(_emitter_texts(em, frame))
    return texts


def _emitter_texts(em: Emitter, frame: FrameType | None) -> list[str]:
    # The loop's thread may hold the lock itself (a signal during its pump):
    # then, after a short wait, the mirror is read as it is.
    locked = em.pump_lock.acquire(timeout=LOCK_WAIT)
    me = threading.get_ident()
    try:
        if locked:
            if frame is not None:
                sampler.interrupted[me] = frame
            if em.sample_period:
                em.next_sample = 0.0  # sample now: where each task waits
            try:
                em.cycle()
            finally:
                sampler.interrupted.pop(me, None)
        now = time.perf_counter_ns()
        texts = []
        for m in list(em.mirror.runs.values()):
            run = RunRows(m.run)
            name, version = em.runtime
            run.apply({"type": "hello", "runtime": name, "runtime_version": version, "argv": list(sys.argv)})
            run.apply({"type": "run.started", "run": m.run, "ts": 0, "library": name, "library_version": version})
            for line in m.snapshot(ms(now, m.t0), resumed=False):
                run.apply(json.loads(line))
            texts.append(tree_text(run, "running", (now - m.t0) / 1e6))
        return texts
    finally:
        if locked:
            em.pump_lock.release()


def dump_text(frame: FrameType | None = None, why: str = "") -> str:
    """The dump: a title line, then each observed run's tree (a blank line between)."""
    title = f"nursery_lens: task tree of pid {os.getpid()}{f' ({why})' if why else ''}\n"
    try:
        texts = live_texts(frame)
    except Exception as exc:  # a dump must never take the program down
        return title + f"nursery_lens: no tree: {exc!r}\n"
    return title + ("\n".join(texts) if texts else "no run of an async library is being observed\n")


def write_fd(fd: int, text: str) -> None:
    """All of ``text`` to ``fd``, unbuffered; given up on any error (a closed
    or non-blocking stderr)."""
    data = text.encode("utf-8", "replace")
    while data:
        try:
            n = os.write(fd, data)
        except OSError:
            return
        if n <= 0:
            return
        data = data[n:]
