"""Zero-code activation: every run of every supported library gets observed.

Nothing of any async library is imported here, nor an adapter: ``ADAPTERS``
names, per library, the module whose loading means the program uses it and
the adapter module that knows it. A library already loaded is activated at
once; otherwise a one-shot meta-path finder waits for its module to load and
activates the adapter then, so a program that never imports a library pays
one string comparison per import for it.
"""

from __future__ import annotations

import sys

from . import dump_signal

# typing is not imported at run time: the bootstrap loads this module at
# every interpreter start-up, and typing costs milliseconds.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from types import ModuleType
    from typing import Any

    from .config import Config

#: watched module -> the adapter module whose ``library`` (see
#: ``adapter.Library``) activates it
ADAPTERS = {
    "trio._core._run": "nursery_lens._trio.library",
    "asyncio": "nursery_lens._asyncio.library",
    "uvloop": "nursery_lens._asyncio.library",
    "anyio._backends._asyncio": "nursery_lens._anyio.library",
    "anyio._backends._trio": "nursery_lens._anyio.library",
}

_config: Config | None = None
_activated: set[str] = set()
_warned = False


def warn(msg: str) -> None:
    """One line on stderr, once per process: instrumentation is off."""
    global _warned
    if _warned:
        return
    _warned = True
    try:
        sys.stderr.write(f"nursery_lens: {msg}; instrumentation off\n")
    except Exception:
        pass


def import_cached(name: str) -> ModuleType:
    """Import one of this package's modules with bytecode caching on
    (``_OwnBytecode``), whatever the program says."""
    import importlib

    _cache_own_bytecode()
    return importlib.import_module(name)


class _OwnBytecode:
    """Meta-path finder: this package's modules get their bytecode cached
    even under PYTHONDONTWRITEBYTECODE (CI images, some containers), which
    would otherwise have every start compile the modules a first run
    imports (~8 ms of CPU at each asyncio program's first run, measured).

    The cache goes into our own package folder (next to these files, never
    the user's tree); a folder we cannot write is silently skipped by
    Python's loader. Every other import pays one ``startswith``.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if not name.startswith("nursery_lens.") or not sys.dont_write_bytecode:
            return None
        try:
            from importlib._bootstrap_external import PathFinder

            spec = PathFinder.find_spec(name, path, target)
            real = getattr(getattr(spec, "loader", None), "get_code", None)
            if real is None or spec is None:
                return spec

            def get_code(fullname: str) -> Any:
                keep = sys.dont_write_bytecode
                sys.dont_write_bytecode = False
                try:
                    return real(fullname)
                finally:
                    sys.dont_write_bytecode = keep

            # an instance attribute shadows the loader's method (this spec's loader only)
            spec.loader.__dict__["get_code"] = get_code
            return spec
        except Exception:
            return None  # the usual finders load it, uncached


_own_bytecode = _OwnBytecode()


def _cache_own_bytecode() -> None:
    if _own_bytecode not in sys.meta_path:
        sys.meta_path.insert(0, _own_bytecode)


def current_config() -> Config | None:
    """The configuration activated last."""
    return _config


def _activate(watched: str, module: ModuleType) -> None:
    if watched in _activated or _config is None:
        return
    _activated.add(watched)
    try:
        library = import_cached(ADAPTERS[watched]).library
        library.activate(module, _config)
    except Exception as exc:  # never stop the program
        warn(f"cannot observe {watched.partition('.')[0]}: {exc!r}")


class _Watcher:
    """One-shot meta-path finder: activate an adapter right after its
    library's module loads."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in ADAPTERS:
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
                if all(w in _activated or w == name for w in ADAPTERS):
                    _remove_watcher()
                _activate(name, module)

            # an instance attribute shadows the loader's method (this spec's loader only)
            loader.__dict__["exec_module"] = exec_module
            return spec
        except Exception as exc:
            warn(f"import hook failed: {exc!r}")
            return None


_watcher = _Watcher()


def _remove_watcher() -> None:
    try:
        sys.meta_path.remove(_watcher)
    except ValueError:
        pass


def activate(config: Config) -> None:
    """From now on every run of a supported library in this process is observed with ``config``."""
    global _config
    _config = config
    _cache_own_bytecode()
    dump_signal.install()
    waiting = False
    for watched in ADAPTERS:
        module = sys.modules.get(watched)
        # (one still being imported is left alone: half a module cannot be patched)
        if module is not None and not getattr(getattr(module, "__spec__", None), "_initializing", False):
            _activate(watched, module)
        elif watched not in _activated:
            waiting = True
    if waiting and _watcher not in sys.meta_path:
        sys.meta_path.insert(0, _watcher)
