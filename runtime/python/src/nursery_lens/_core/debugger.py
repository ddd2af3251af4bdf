"""Debug: Pause in a hung program.

debugpy (pydevd) pauses a thread at its next trace event in the user's code,
or in a frame the user's code called. A hung program's loop runs none: it
waits for I/O with no deadline. So while a debugger's client is attached
(``attached``), an idle loop comes back every ``DEBUGGER_WAKE`` (the
adapters' pump paths), and a Pause asked meanwhile is honoured from there: on Python 3.12+ (``sys.monitoring``)
and under ``trio.run`` pydevd stops by itself as the loop comes back; under
Python 3.11's tracing an asyncio loop's frames are called from library frames
only, so pydevd never does, and ``honour_pause`` stops the thread at its
innermost frame of the user's code (``asyncio.run(main())``), as a Pause
that found the thread there would.

This reads pydevd's own state (the thread's ``additional_info``, the global
debugger): the one place that does. Anything missing or failing leaves the
Pause as the debugger alone would have it.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

#: While a debugger's client is attached, an idle loop comes back at least
#: this often.
DEBUGGER_WAKE = 0.25

#: pydevd's thread states: a Pause marks a running thread suspended (and it
#: stops at its next trace event); a stopped thread is not running our code.
_STATE_SUSPEND = 2
_MISSING = object()


#: The module whose presence says a debugger is loaded (pydevd: debugpy's
#: too). The loop's paths test ``DEBUGGER_MODULE in sys.modules`` inline.
DEBUGGER_MODULE = "pydevd"

#: Only Python 3.11's tracing needs ``honour_pause`` (3.12+: ``sys.monitoring``
#: stops the thread as the loop comes back).
PAUSE_NEEDS_HELP = sys.version_info < (3, 12)


def attached() -> bool:
    """A debugger's client is connected: pydevd loaded with none (``debugpy.listen()``
    still waiting, or after a detach) has nothing to pause, and wakes no loop."""
    pydevd = sys.modules.get(DEBUGGER_MODULE)
    check = getattr(pydevd, "_is_attached", None)
    if check is None:
        return pydevd is not None
    try:
        return bool(check())
    except Exception:  # the debugger's internals moved: as if attached
        return True


def honour_pause() -> None:
    """If the debugger asked this thread to pause, stop it now, at its
    innermost frame of the user's code. Called only while a debugger's
    client is attached, by an idle loop's wake-up (at most every ``DEBUGGER_WAKE``; a
    busy loop runs its tasks, where pydevd stops by itself)."""
    try:
        thread = threading.current_thread()
        info: Any = getattr(thread, "additional_info", None)
        if info is None or getattr(info, "pydev_state", None) != _STATE_SUSPEND:
            return
        py_db = _global_debugger()
        if py_db is None:
            return
        frame = _users_frame(py_db, sys._getframe(1))
        if frame is None:
            return
        # As pydevd does for a stop it makes from ordinary code: while stopped,
        # code run for the Variables or the Debug Console is not traced (a
        # breakpoint there would stop this thread again, inside the stop).
        info.is_tracing += 1
        try:
            py_db.do_wait_suspend(thread, frame, "line", None)
        finally:
            info.is_tracing -= 1
    except Exception:  # the debugger's internals moved: leave its Pause as it is
        return


def _global_debugger() -> Any:
    pydevd = sys.modules.get(DEBUGGER_MODULE)
    get = getattr(pydevd, "get_global_debugger", None)
    return get() if get is not None else None


def _users_frame(py_db: Any, frame: Any) -> Any:
    """The innermost frame the debugger shows (not filtered out by justMyCode
    or the launch's ``rules``, which leave our runtime out), or None."""
    own = getattr(py_db, "PYDEV_FILE", _MISSING)
    filtering = bool(getattr(py_db, "is_files_filter_enabled", False))
    while frame is not None:
        if py_db.get_file_type(frame) != own and not (
            filtering and py_db.apply_files_filter(frame, frame.f_code.co_filename, False)
        ):
            return frame
        frame = frame.f_back
    return None
