"""Telling the user's code from library code, cheaply.

Every site the runtime reports (where a task was spawned, where a nursery
was opened, where a task waits) is "the innermost frame of *user* code".
Deciding whether a code object is user code means looking at its file name;
that is done once per code object and cached, so the hot hooks pay one dict
lookup per frame they walk.
"""

from __future__ import annotations

import os
import sys
from types import CodeType, FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Set as AbstractSet

#: (code object, line number): what hooks queue instead of frames, so no
#: frame (and none of its locals) is kept alive by the event queue.
Site = tuple[CodeType, int]


def _package_dir(name: str) -> str | None:
    module = sys.modules.get(name)
    path: str | None = getattr(module, "__file__", None)
    if not path:
        return None
    return os.path.dirname(os.path.abspath(path)) + os.sep


#: Packages whose code is never "user code": this one, the exception group
#: backport, the debugger (pydevd frames sit on top of the stack at a
#: breakpoint); adapters add their library's (``CodeClassifier.add_packages``).
_PACKAGES = ["nursery_lens", "exceptiongroup", "debugpy"]


def _library_prefixes(packages: list[str]) -> tuple[str, ...]:
    """Directories whose code is never "user code": the ``packages`` that
    are loaded, and the import system's frozen modules. Besides these only
    the async plumbing of the standard library (``_library_files``) is
    library code: other stdlib modules are user code on purpose, a task
    waiting in e.g. ``subprocess`` is worth showing."""
    prefixes = []
    for name in packages:
        d = _package_dir(name)
        if d:
            prefixes.append(d)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # nursery_lens/
    prefixes.append(here)
    prefixes.append("<frozen ")  # the import system's own frozen modules
    return tuple(dict.fromkeys(prefixes))


def _library_files() -> frozenset[str]:
    stdlib = os.path.dirname(os.__file__)  # not sysconfig: costly to import
    names = ("contextlib.py", "functools.py", "threading.py", "runpy.py")
    files = set()
    for n in names:
        files.add(os.path.join(stdlib, n))
    for mod in ("contextlib", "functools", "threading", "runpy"):
        f = getattr(sys.modules.get(mod), "__file__", None)
        if f:
            files.add(f)
    return frozenset(files)


#: what ``is_library`` says (truthy: library code) of a code where a task's own
#: frames end and the loop's begin (asyncio's ``Handle._run``, Trio's run
#: loop): a walk for the user's frame stops there, not at the line that
#: started the whole run (``asyncio.run(main())``), which made no task
EDGE = 2


class CodeClassifier:
    """Caches, per code object, whether it belongs to library code.

    One instance per process is enough; the cache only grows with the number
    of distinct code objects, which is bounded by the program's source.
    """

    def __init__(self) -> None:
        self.cache: dict[CodeType, int] = {}
        #: the same answers keyed by id(code), for the hot hooks: hashing a
        #: code object hashes its bytecode and constants, an int is free.
        #: Valid because ``cache`` keeps every code object it names alive
        #: (no id is reused while its entry exists); both are cleared together.
        self.by_id: dict[int, int] = {}
        #: the codes where a task's frames end (``add_edges``), kept alive
        self._edges: dict[CodeType, None] = {}
        self._packages = list(_PACKAGES)
        self._prefixes = _library_prefixes(self._packages)
        self._files = _library_files()
        #: id(code) -> (code, is the debugger's): see ``is_debugger``
        self.debugger: dict[int, tuple[CodeType, bool]] = {}
        self._debugpy = _package_dir("debugpy")

    def add_packages(self, names: tuple[str, ...]) -> None:
        """An adapter's library code (its package, the helpers its await
        chains pass through): never user code. Call once they are imported."""
        missing = [n for n in names if n not in self._packages]
        if missing:
            self._packages.extend(missing)
            self.refresh()

    def refresh(self) -> None:
        """Re-read library locations (a package may be imported after us)."""
        self._prefixes = _library_prefixes(self._packages)
        self._files = _library_files()
        self._debugpy = _package_dir("debugpy")
        self.cache.clear()
        self.by_id.clear()
        self.debugger.clear()
        self._mark_edges()

    def add_edges(self, codes: Iterable[CodeType | None]) -> None:
        """An adapter's codes where a task's own frames end (``EDGE``)."""
        self._edges.update(dict.fromkeys(c for c in codes if c is not None))
        self._mark_edges()

    def _mark_edges(self) -> None:
        for code in self._edges:
            self.cache[code] = EDGE
            self.by_id[id(code)] = EDGE

    def is_library(self, code: CodeType) -> int:
        """Truthy for library code (``EDGE`` where a task's frames end)."""
        hit = self.cache.get(code)
        if hit is None:
            hit = self.is_library_file(code.co_filename)
            self.cache[code] = hit
            self.by_id[id(code)] = hit
        return hit

    def is_library_file(self, name: str) -> bool:
        """Whether code of file ``name`` is library code (uncached)."""
        return name.startswith(self._prefixes) or name in self._files or "pydevd" in name or os.sep + "_pydev" in name

    def is_debugger(self, code: CodeType) -> bool:
        """Code of the debugger (pydevd, debugpy): what sits on top of a
        task stopped at a breakpoint. Cached per code object."""
        hit = self.debugger.get(id(code))
        if hit is not None and hit[0] is code:
            return hit[1]
        name = code.co_filename
        found = (
            "pydevd" in name
            or os.sep + "_pydev" in name
            or (self._debugpy is not None and name.startswith(self._debugpy))
        )
        self.debugger[id(code)] = (code, found)
        return found

    def user_frame(
        self,
        frame: FrameType | None,
        marks: AbstractSet[int] = frozenset(),
        cross: bool = False,
        last: FrameType | None = None,
    ) -> tuple[FrameType | None, bool]:
        """The first frame from ``frame`` outward that is user code (or
        None), and whether a library frame whose code's id is in ``marks``
        came before it. It stops where the task's frames end (``EDGE``)
        unless ``cross`` (the main task: made by the call that ran the loop),
        and after ``last`` (a task's own coroutine frame, where no frame
        marks the edge: uvloop runs its callbacks from compiled code)."""
        by_id = self.by_id
        marked = False
        while frame is not None:
            code = frame.f_code
            lib = by_id.get(id(code))
            if lib is None:
                lib = self.is_library(code)
            if not lib:
                return frame, marked
            if lib == EDGE and not cross:  # the task's frames ended: the loop's are not where it did anything
                break
            if id(code) in marks:
                marked = True
            if frame is last:
                break
            frame = frame.f_back
        return None, marked

    def user_site(self, frame: FrameType | None, cross: bool = False) -> Site | None:
        """The site of the first frame from ``frame`` outward that is user code."""
        found, _ = self.user_frame(frame, cross=cross)
        return (found.f_code, found.f_lineno) if found is not None else None


CLASSIFIER = CodeClassifier()


#: id(code) -> (code, version) of the functions of a library that starts
#: runs of another (AnyIO's ``run``): its adapter registers them
#: (``register_run_via``), the run's adapter finds them on the stack
#: (``run_via``) for ``run.started.anyio``
_RUN_VIA: dict[int, tuple[CodeType, str]] = {}
#: frames looked at above the run's start
_VIA_DEPTH = 40


def register_run_via(code: CodeType, version: str) -> None:
    _RUN_VIA[id(code)] = (code, version)


def run_via(frame: FrameType | None) -> str | None:
    """The version of the library whose registered function (see
    ``register_run_via``) is on the stack from ``frame`` out, or None."""
    if not _RUN_VIA:
        return None
    depth = 0
    while frame is not None and depth < _VIA_DEPTH:
        hit = _RUN_VIA.get(id(frame.f_code))
        if hit is not None and hit[0] is frame.f_code:
            return hit[1]
        frame = frame.f_back
        depth += 1
    return None
