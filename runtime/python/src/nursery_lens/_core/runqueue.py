"""How long a thread has waited for a CPU (Linux), for the block lint.

On a machine busier than its cores, a loop's thread can be ready to run and
not be run: the loop does not come back, yet no line of the program holds
it. ``/proc/self/task/<tid>/schedstat`` says how long a thread has waited on
a run queue; the block lint takes that time out of a block (``blocks``), so
a loaded machine is not blamed on whatever line happened to be running (a
user pass saw "blocked here for 843 ms" at an ``await trio.sleep(...)``).
Where there is no such file, nothing is taken out.
"""

from __future__ import annotations

import threading


def _readable() -> bool:
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/schedstat", "rb") as f:
            return len(f.read().split()) >= 2
    except (OSError, AttributeError):
        return False


AVAILABLE = _readable()


def waited(native_id: int) -> float | None:
    """Seconds thread ``native_id`` of this process has waited to run so far
    (None: not known here, or the thread is gone)."""
    if not AVAILABLE or not native_id:
        return None
    try:
        with open(f"/proc/self/task/{native_id}/schedstat", "rb") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None
