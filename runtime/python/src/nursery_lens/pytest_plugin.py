"""A test that hangs prints its task tree: ``pytest -p nursery_lens.pytest_plugin --nursery-lens-dump``.

With ``--nursery-lens-dump`` the runtime observes every run of the test
session in memory (or as ``NURSERY_LENS`` says, when set: under VS Code the
panel shows them too), and when a test runs past its timeout the live tree
(``runtime/protocol/TREE_TEXT.md``) goes to stderr, where pytest shows it
with the test's captured output:

* **pytest-timeout** (``--timeout``, ``timeout`` marks, ini): with its
  ``signal`` method the tree is printed from its ``SIGALRM``, just before its
  handler fails the test; with its ``thread`` method (no ``SIGALRM``, or not
  the main thread) a timer of ours prints it ``THREAD_LEAD`` earlier, as
  pytest-timeout then ends the whole process.
* otherwise ``--nursery-lens-timeout SECONDS``: the tree is printed and the
  test goes on, as with ``faulthandler.dump_traceback_later`` (stop it with
  Ctrl-C, or let pytest-timeout fail it: raising into a Trio loop from a
  signal, as its ``signal`` method does, leaves Trio unable to run again in
  that process, so later Trio tests fail too).

Also ``SIGUSR1`` prints it at any moment (see ``_core.dump_signal``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import TYPE_CHECKING, Any

import pytest

from ._core import activation
from ._core.config import Config, config_from_env
from ._core.dump import dump_text, write_fd

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator
    from types import FrameType

#: With pytest-timeout's thread method, our timer prints this long (at most
#: a tenth of the timeout) before it ends the process.
THREAD_LEAD = 0.5

#: The test's timeout is pytest-timeout's: our own is not needed.
_TIMED = pytest.StashKey[bool]()
#: Our timer for pytest-timeout's thread method, to cancel.
_TIMER = pytest.StashKey[threading.Timer]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nursery-lens", "Nursery Lens: task trees of tests that hang")
    group.addoption(
        "--nursery-lens-dump",
        action="store_true",
        default=False,
        help="observe the async runs of the tests and print the task tree of a test that times out",
    )
    group.addoption(
        "--nursery-lens-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="with --nursery-lens-dump: a test that pytest-timeout does not time out prints its tree "
        "after SECONDS (and goes on)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("nursery_lens_dump"):
        return
    try:
        runtime_config = config_from_env() or Config()
    except ValueError:
        runtime_config = Config()
    activation.activate(runtime_config)
    config.pluginmanager.register(_Dumps(config.getoption("nursery_lens_timeout")), "nursery-lens-dumps")


def _dump(item: pytest.Item, timeout: float, frame: FrameType | None = None) -> None:
    write_fd(2, dump_text(frame, f"{item.nodeid} ran past its timeout of {timeout:g}s"))


class _Dumps:
    """The hooks, registered once ``--nursery-lens-dump`` is given."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout if timeout is not None and timeout > 0 else None

    @pytest.hookimpl(hookwrapper=True, optionalhook=True)
    def pytest_timeout_set_timer(self, item: pytest.Item, settings: Any) -> Generator[None, None, None]:
        yield  # pytest-timeout's timer is set now
        item.stash[_TIMED] = True
        timeout = float(settings.timeout)
        alarm = getattr(signal, "SIGALRM", None)
        theirs = signal.getsignal(alarm) if alarm is not None else None
        if settings.method == "signal" and callable(theirs) and threading.current_thread() is threading.main_thread():
            signal.signal(alarm, _before(theirs, item, timeout))  # type: ignore[arg-type]
            return
        lead = min(THREAD_LEAD, timeout / 10)
        timer = threading.Timer(max(0.0, timeout - lead), _dump, (item, timeout))
        timer.daemon = True
        timer.name = f"nursery-lens dump {item.nodeid}"
        item.stash[_TIMER] = timer
        timer.start()

    @pytest.hookimpl(hookwrapper=True, optionalhook=True)
    def pytest_timeout_cancel_timer(self, item: pytest.Item) -> Generator[None, None, None]:
        timer = item.stash.get(_TIMER, None)
        if timer is not None:
            timer.cancel()
            del item.stash[_TIMER]
        yield

    @pytest.hookimpl(hookwrapper=True, trylast=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        # Innermost: pytest-timeout has set its timer (if it times this test) before this runs.
        if self.timeout is None or item.stash.get(_TIMED, False):
            yield
            return
        with _own_timeout(item, self.timeout):
            yield


def _before(theirs: Callable[[int, FrameType | None], Any], item: pytest.Item, timeout: float) -> Any:
    """pytest-timeout's SIGALRM handler, with the tree printed first."""

    def handler(signum: int, frame: FrameType | None) -> Any:
        _dump(item, timeout, frame)
        return theirs(signum, frame)

    return handler


@contextlib.contextmanager
def _own_timeout(item: pytest.Item, timeout: float) -> Iterator[None]:
    """``--nursery-lens-timeout``: the tree after ``timeout`` seconds, from a
    timer thread; the test goes on (failing it by raising into the loop
    would leave Trio unable to run again in this process)."""
    timer = threading.Timer(timeout, _dump, (item, timeout))
    timer.daemon = True
    timer.name = f"nursery-lens dump {item.nodeid}"
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
