"""Trio as the core's activation sees it (``adapter.Library``).

Zero-code activation gives every ``trio.run`` a nursery_lens Instrument.
The patch goes on ``trio._core._run.setup_runner`` — the one function both
``trio.run`` and ``trio.lowlevel.start_guest_run`` call to build a runner —
rather than on ``trio.run``. That keeps it working when the program did
``from trio import run`` before us, and it keeps our frame off every
traceback: ``setup_runner`` has returned long before user code can raise.

Loaded by ``_core.activation`` once ``trio._core._run`` is (never before):
importing it imports nothing of Trio's that is not loaded yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._core import activation

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType

    from .._core.config import Config

#: the hello's ``runtime``
NAME = "trio"
#: packages whose frames are never user code: Trio, and the helpers its
#: await chains and internals pass through
PACKAGES = ("trio", "outcome", "attr", "attrs", "sniffio")


def version() -> str:
    try:
        import trio

        return str(trio.__version__)
    except Exception:
        return "unknown"


class _Trio:
    """``adapter.Library`` for Trio."""

    name = NAME
    watch = "trio._core._run"

    def version(self) -> str:
        return version()

    def activate(self, module: ModuleType, config: Config) -> bool:
        # each run takes the configuration activated last (the CLI's options
        # win over the environment's, whichever came first)
        return _patch_setup_runner(module)


library = _Trio()


def _with_instrument(instruments: Sequence[Any]) -> Sequence[Any]:
    # the first run imports the instrument (bytecode cached: see import_cached)
    instrument_cls = activation.import_cached("nursery_lens._trio.instrument").Instrument
    instruments = tuple(instruments or ())
    if any(isinstance(i, instrument_cls) for i in instruments):
        return instruments  # the program brought its own: do not observe twice
    return (*instruments, instrument_cls(config=activation.current_config()))


def _patch_setup_runner(run_module: ModuleType) -> bool:
    """Wrap ``setup_runner`` in the loaded ``trio._core._run``."""
    orig = getattr(run_module, "setup_runner", None)
    if orig is None:
        activation.warn("this Trio has no setup_runner")
        return False
    import functools  # not at module level: only needed once Trio is here
    import inspect  # (costly)

    try:
        names = list(inspect.signature(orig).parameters)
        index = names.index("instruments")
    except (TypeError, ValueError):
        activation.warn("unexpected setup_runner signature")
        return False

    def setup_runner(*args: Any, **kwargs: Any) -> Any:
        try:
            if "instruments" in kwargs:
                kwargs["instruments"] = _with_instrument(kwargs["instruments"])
            elif len(args) > index:
                args = (*args[:index], _with_instrument(args[index]), *args[index + 1 :])
        except Exception as exc:  # never stop the program's run
            activation.warn(f"cannot attach: {exc!r}")
        return orig(*args, **kwargs)

    functools.update_wrapper(setup_runner, orig, assigned=("__doc__",), updated=())  # + __wrapped__
    run_module.__dict__["setup_runner"] = setup_runner
    return True
