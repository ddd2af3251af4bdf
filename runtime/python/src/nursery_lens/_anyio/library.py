"""AnyIO, on whichever library runs it: activation (``adapter.Library``).

AnyIO runs on asyncio or Trio; the adapters of those see its runs. What
they cannot know is AnyIO's own: which of its frames are the user's (none),
which run went through ``anyio.run``, and its task groups, ``start()`` and
cancel scopes as the user wrote them. This adapter tells them, once AnyIO
loads a backend (``on_asyncio``, ``on_trio``): AnyIO imports a backend when
the first run or task group needs it, before any of its tasks exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core import activation
from .._core.frames import CLASSIFIER, register_run_via

if TYPE_CHECKING:
    from types import ModuleType

    from .._core.config import Config

#: run.started.anyio when absent from the metadata
UNKNOWN = "unknown"


def version() -> str:
    try:
        from importlib.metadata import version as dist_version

        return dist_version("anyio")
    except Exception:
        return UNKNOWN


class _AnyIO:
    """``adapter.Library`` for AnyIO's backends."""

    name = "anyio"
    watch = "anyio._backends._asyncio"

    def version(self) -> str:
        return version()

    def activate(self, module: ModuleType, config: Config | None) -> bool:
        if module.__name__ in _installed:
            return True
        _installed.add(module.__name__)
        CLASSIFIER.add_packages(("anyio",))
        try:
            from anyio._core import _eventloop

            register_run_via(_eventloop.run.__code__, version())
        except Exception:
            pass
        if module.__name__.endswith("_asyncio"):
            from . import on_asyncio

            return on_asyncio.install(module)
        if module.__name__.endswith("_trio"):
            from . import on_trio

            return on_trio.install(module)
        return False


library = _AnyIO()
_installed: set[str] = set()


def activate_loaded(backend: str) -> None:
    """Explicit use (``observe_asyncio``, ``Instrument``): AnyIO's backend, if
    the program has already loaded it (zero-code use waits for it instead)."""
    import sys

    module = sys.modules.get(f"anyio._backends._{backend}")
    if module is not None:
        try:
            library.activate(module, None)
        except Exception as exc:
            activation.warn(f"cannot observe AnyIO: {exc!r}")


def warn(what: str) -> None:
    activation.warn(f"AnyIO's {what} has an unknown shape; its tasks read as plain ones")
