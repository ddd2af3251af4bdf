"""Zero-code activation: give every ``trio.run`` a nursery_lens Instrument.

The patch goes on ``trio._core._run.setup_runner`` — the one function both
``trio.run`` and ``trio.lowlevel.start_guest_run`` call to build a runner —
rather than on ``trio.run``. That keeps it working when the program did
``from trio import run`` before us, and it keeps our frame off every
traceback: ``setup_runner`` has returned long before user code can raise.

Trio is not imported eagerly: when it is not loaded yet, a one-shot
meta-path finder waits for ``trio._core._run`` to load and patches it then,
so a program that never imports Trio pays one string comparison per import.
"""

from __future__ import annotations

import sys

# typing is not imported at run time: the bootstrap loads this module at
# every interpreter start-up, and typing costs milliseconds.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence
    from typing import Any

    from ._config import Config


_WATCH = "trio._core._run"
_config: Config | None = None
_patched = False
_warned = False


def _warn(msg: str) -> None:
    global _warned
    if _warned:
        return
    _warned = True
    try:
        sys.stderr.write(f"nursery_lens: {msg}; instrumentation off\n")
    except Exception:
        pass


def _import_instrument() -> Any:
    """``Instrument``, loaded with bytecode caching on for this package.

    With PYTHONDONTWRITEBYTECODE set (CI images, some containers) every
    start would compile this package's ~2,500 lines again: ~16 ms of CPU
    at each program's first trio.run. The cache goes into our own package
    folder (next to these files, never the user's tree); a folder we cannot
    write is silently skipped by Python's loader.
    """
    keep = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        from ._instrument import Instrument
    finally:
        sys.dont_write_bytecode = keep
    return Instrument


def _with_instrument(instruments: Sequence[Any]) -> Sequence[Any]:
    Instrument = _import_instrument()

    instruments = tuple(instruments or ())
    if any(isinstance(i, Instrument) for i in instruments):
        return instruments  # the program brought its own: do not observe twice
    return (*instruments, Instrument(config=_config))


def patch_module(run_module: Any) -> bool:
    """Wrap ``setup_runner`` in an already loaded ``trio._core._run``."""
    global _patched
    if _patched:
        return True
    orig = getattr(run_module, "setup_runner", None)
    if orig is None:
        _warn("this Trio has no setup_runner")
        return False
    import functools  # not at module level: only needed once Trio is here
    import inspect  # (costly)

    try:
        names = list(inspect.signature(orig).parameters)
        index = names.index("instruments")
    except (TypeError, ValueError):
        _warn("unexpected setup_runner signature")
        return False

    def setup_runner(*args: Any, **kwargs: Any) -> Any:
        try:
            if "instruments" in kwargs:
                kwargs["instruments"] = _with_instrument(kwargs["instruments"])
            elif len(args) > index:
                args = (*args[:index], _with_instrument(args[index]), *args[index + 1 :])
        except Exception as exc:  # never stop the program's run
            _warn(f"cannot attach: {exc!r}")
        return orig(*args, **kwargs)

    functools.update_wrapper(setup_runner, orig, assigned=("__doc__",), updated=())  # + __wrapped__
    run_module.setup_runner = setup_runner
    _patched = True
    return True


class _TrioWatcher:
    """One-shot meta-path finder: patch ``trio._core._run`` right after it loads."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != _WATCH:
            return None
        try:
            spec = None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
            if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
                return spec
            loader = spec.loader
            real_exec = loader.exec_module

            def exec_module(module: Any) -> None:
                real_exec(module)
                try:
                    _remove_watcher()
                    patch_module(module)
                except Exception as exc:
                    _warn(f"cannot patch Trio: {exc!r}")

            # an instance attribute shadows the loader's method (this spec's loader only)
            loader.__dict__["exec_module"] = exec_module
            return spec
        except Exception as exc:
            _warn(f"import hook failed: {exc!r}")
            return None


_watcher = _TrioWatcher()


def _remove_watcher() -> None:
    try:
        sys.meta_path.remove(_watcher)
    except ValueError:
        pass


def activate(config: Config) -> None:
    """From now on every trio.run in this process is instrumented with ``config``."""
    global _config
    _config = config
    module = sys.modules.get(_WATCH)
    if module is not None and hasattr(module, "setup_runner"):
        patch_module(module)
    elif _watcher not in sys.meta_path:
        sys.meta_path.insert(0, _watcher)
