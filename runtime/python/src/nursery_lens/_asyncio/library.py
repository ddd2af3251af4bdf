"""asyncio as the core's activation sees it (``adapter.Library``), and the observer runs report to.

Zero-code: once ``asyncio`` is imported, ``patches`` wraps what tells a
run's story, and every event loop run in the process is observed with the
configuration activated last (its observer, and so its emitter, is made at
the first run: a program that imports asyncio and never runs a loop
connects nowhere). uvloop's loop class is wrapped when uvloop is imported.

Explicit: ``nursery_lens.observe_asyncio(**options)`` (the ``Instrument``
options) observes every loop run of the process from then on with those
options, until its ``close()``.

Loaded by ``_core.activation`` once ``asyncio`` is (never before).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .._core import activation
from .._core.observer import Observer

if TYPE_CHECKING:
    from types import ModuleType

    from typing_extensions import Self

    from .._core.config import Config
    from .run import LoopRun

#: the hello's ``runtime``
NAME = "asyncio"
#: packages whose frames are never user code (asyncio's own files are the
#: standard library's: by file, see ``_library_files``)
PACKAGES = ("asyncio", "uvloop")


def version() -> str:
    return "{}.{}.{}".format(*sys.version_info[:3])


class AsyncioObserver(Observer):
    """Configuration and emitter of asyncio's runs (one for the process)."""

    def _runtime(self) -> tuple[str, str]:
        return (NAME, version())


#: the observer new runs report to: an explicit one, or the zero-code one made at the first run
_observer: AsyncioObserver | None = None
_explicit: list[AsyncioObserver] = []


def observer() -> AsyncioObserver | None:
    global _observer
    if _explicit:
        return _explicit[-1]
    if _observer is None or _observer.emitter.stopped:
        config = activation.current_config()
        if config is None:
            return None
        _observer = AsyncioObserver(config=config)
    return _observer


def begin(loop: Any) -> LoopRun | None:
    """A run for a loop no run observes, or None (not observed)."""
    from . import patches
    from .run import LoopRun

    obs = observer()
    if obs is None or obs.emitter.disabled or patches.RUNS.get(loop) is not None:
        return patches.RUNS.get(loop)
    try:
        run = LoopRun(loop, obs, sys._getframe(2))
    except Exception as exc:  # this loop cannot be observed (say once; the loop runs as is)
        activation.warn(f"cannot observe the {type(loop).__name__} event loop: {exc!r}")
        return None
    patches.RUNS[loop] = run
    return run


class _Asyncio:
    """``adapter.Library`` for asyncio (and uvloop, which asyncio's adapter knows)."""

    name = NAME
    watch = "asyncio"

    def version(self) -> str:
        return version()

    def activate(self, module: ModuleType, config: Config) -> bool:
        return install(module)


library = _Asyncio()


def install(module: ModuleType | None = None) -> bool:
    """Wrap asyncio (once) and, if loaded, uvloop."""
    from .._core.frames import CLASSIFIER
    from . import patches

    if module is None or module.__name__ == "asyncio":
        import asyncio

        patches.install(asyncio)
        if not patches.BEGIN:
            patches.BEGIN.append(begin)
        CLASSIFIER.add_packages(PACKAGES)
    uv = module if module is not None and module.__name__ == "uvloop" else sys.modules.get("uvloop")
    if uv is not None and getattr(uv, "Loop", None) is not None:
        patches.install_uvloop(uv)
        CLASSIFIER.add_packages(PACKAGES)
    if module is None:  # explicit use: AnyIO, if the program loaded it already
        from .._anyio.library import activate_loaded

        activate_loaded("asyncio")
    return True


class ObservedAsyncio(AsyncioObserver):
    """``observe_asyncio()``'s handle: ``flush()``, ``close()``, or ``with``."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self in _explicit:
            _explicit.remove(self)
        super().close()


def observe(**options: Any) -> ObservedAsyncio:
    """Observe every asyncio event loop run of this process from now on
    (the ``Instrument`` options: ``address``, ``record``, ``secret``,
    ``sample_hz``, ``max_buffer``, ``sink``)."""
    obs = ObservedAsyncio(**options)
    install()
    _explicit.append(obs)
    return obs
