"""``SIGUSR1`` prints the live task tree to stderr (POSIX; Windows has no
such signal).

Installed at activation (and by an explicitly created instrument), from the
main thread only (Python's rule for handlers), and only while the signal
has its default action: a program's own handler is never replaced, and one
line on stderr says there will be no dumps. A handler the program installs
later simply takes over. Python runs the handler in the main thread between
two bytecodes, also while the loop waits for I/O (the wait then resumes);
it builds the text from the runtime's mirror (``dump``) and writes it with
``os.write(2, ...)``, which no buffered stream of the program can be in the
middle of. Loaded at every instrumented start-up: it imports only ``_signal``
(loaded by the interpreter anyway); ``dump`` is imported on the first signal.
"""

from __future__ import annotations

import sys

# typing is not imported at run time (start-up cost), nor signal (it imports enum)
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import signal as _signal
    from types import FrameType
    from typing import Any
else:
    import _signal

#: installed, or found taken, once in the main thread: never again (a
#: handler the program set since is the program's business)
_decided = False


def _on_sigusr1(signum: int, frame: FrameType | None) -> None:
    from .dump import dump_text, write_fd

    write_fd(2, dump_text(frame, "SIGUSR1"))


def install() -> None:
    """``SIGUSR1`` dumps the tree, unless the program deals with that signal
    itself. Decided once, at the first call from the main thread."""
    global _decided
    sig = getattr(_signal, "SIGUSR1", None)
    if sig is None or _decided:
        return
    current: Any = None
    try:
        current = _signal.getsignal(sig)
        if current == _signal.SIG_DFL:
            _signal.signal(sig, _on_sigusr1)
            _decided = True
            return
    except ValueError:
        return  # not the main thread: a later call from it decides
    except (OSError, RuntimeError):
        pass
    _decided = True
    if current is _on_sigusr1:
        return
    what = "is ignored" if current == _signal.SIG_IGN else "has another handler"
    try:
        sys.stderr.write(f"nursery_lens: SIGUSR1 {what} in this program: no task-tree dumps on SIGUSR1\n")
    except Exception:
        pass


def uninstall() -> None:
    """``SIGUSR1`` back to its default action, if the handler is still ours."""
    sig = getattr(_signal, "SIGUSR1", None)
    try:
        if sig is not None and _signal.getsignal(sig) is _on_sigusr1:
            _signal.signal(sig, _signal.SIG_DFL)
    except (OSError, ValueError, RuntimeError):
        pass
