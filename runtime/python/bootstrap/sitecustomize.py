"""Nursery Lens bootstrap: zero-code instrumentation of every ``trio.run``.

The VS Code extension prepends this folder to ``PYTHONPATH`` and sets
``NURSERY_LENS``; Python's ``site`` module then imports this file at start-up.

* ``NURSERY_LENS`` unset or empty: nothing but chaining (below) happens.
* Otherwise the ``nursery_lens`` package next to this folder
  (``../src/nursery_lens``, found relative to this file so it works from
  inside an installed VSIX) is loaded without touching ``sys.path``, and a
  one-shot import hook patches Trio when (if ever) the program imports it.
* Guarded against double loading; chains to the next ``sitecustomize`` on
  ``sys.path`` (the user's or the distribution's), which ours shadows.
* Never raises: any failure is one line on stderr and the program goes on.
"""

import os
import sys

# Neither typing nor __future__ is imported at run time (this runs at every
# interpreter start-up): annotations naming types are strings.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from importlib.machinery import ModuleSpec
    from types import ModuleType


def _spec_from_file(name: str, path: str, search: "list[str]") -> "ModuleSpec | None":
    # importlib.util would import contextlib/functools/collections (~3 ms at
    # every start-up); the frozen bootstrap modules it wraps are loaded anyway.
    try:
        from importlib._bootstrap_external import spec_from_file_location
    except ImportError:  # pragma: no cover
        from importlib.util import spec_from_file_location
    return spec_from_file_location(name, path, submodule_search_locations=search)


def _module_from_spec(spec: "ModuleSpec") -> "ModuleType":
    try:
        from importlib._bootstrap import module_from_spec
    except ImportError:  # pragma: no cover
        from importlib.util import module_from_spec
    return module_from_spec(spec)


def _nursery_lens_activate() -> None:
    raw = os.environ.get("NURSERY_LENS")
    if not raw or not raw.strip():
        return
    # our own package folder gets its bytecode cached even under
    # PYTHONDONTWRITEBYTECODE (see nursery_lens._core.activation)
    keep = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        _nursery_lens_load()
    finally:
        sys.dont_write_bytecode = keep


def _nursery_lens_load() -> None:
    if "nursery_lens" not in sys.modules:
        src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
        init = os.path.join(src, "nursery_lens", "__init__.py")
        spec = _spec_from_file("nursery_lens", init, [os.path.dirname(init)]) if os.path.isfile(init) else None
        if spec is not None and spec.loader is not None:
            module = _module_from_spec(spec)
            sys.modules["nursery_lens"] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop("nursery_lens", None)
                raise
    from nursery_lens._core.activation import activate
    from nursery_lens._core.config import config_from_env

    config = config_from_env()
    if config is not None:
        activate(config)


def _nursery_lens_chain() -> None:
    """Run the sitecustomize this file shadows, as site.py would have."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    try:
        from importlib._bootstrap_external import PathFinder
    except ImportError:  # pragma: no cover
        from importlib.machinery import PathFinder

    spec = PathFinder.find_spec("sitecustomize", path)
    if spec is None or spec.loader is None:
        return
    origin = getattr(spec, "origin", None)
    if origin and os.path.abspath(origin) == os.path.abspath(__file__):
        return
    module = _module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        # what site.py prints for a failing sitecustomize
        sys.stderr.write(f"Error in sitecustomize; set PYTHONVERBOSE for traceback:\n{type(exc).__name__}: {exc}\n")


if not getattr(sys, "_nursery_lens_bootstrapped", False):
    sys.__dict__["_nursery_lens_bootstrapped"] = True
    try:
        _nursery_lens_activate()
    except Exception as _exc:
        try:
            sys.stderr.write(f"nursery_lens: bootstrap failed, running without instrumentation: {_exc!r}\n")
        except Exception:
            pass
    try:
        _nursery_lens_chain()
    except Exception as _exc:
        try:
            sys.stderr.write(f"nursery_lens: could not run the next sitecustomize: {_exc!r}\n")
        except Exception:
            pass
