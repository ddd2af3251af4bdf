"""Nursery Lens runtime: stream the live tree of Trio nurseries and tasks.

``trio.run(main, instruments=[nursery_lens.Instrument()])`` for explicit use,
``python -m nursery_lens script.py`` or the ``bootstrap/`` folder on
``PYTHONPATH`` (with ``NURSERY_LENS`` set) for zero-code use.

Importing this package imports no async library: ``Instrument`` (Trio's)
is loaded on first access, so ``python -m nursery_lens`` costs nothing for a
program that never uses Trio, and works without Trio installed.

Layout: ``_core`` is library-neutral (configuration, activation, the
emitter, the wire's line templates, the mirror and its snapshots, the
sampler's framework, the CLI; ``_core.adapter`` states the seam); one
adapter per library (``_trio``) is the only place that knows its internals.
"""

from __future__ import annotations

from ._core.config import Config

# typing is not imported at run time: the bootstrap loads this module at
# every interpreter start-up, and typing costs milliseconds.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

    from ._asyncio.library import observe as observe_asyncio
    from ._trio.instrument import Instrument

__version__ = "0.1.0"
__all__ = ["Config", "Instrument", "__version__", "observe_asyncio"]


def __getattr__(name: str) -> Any:
    if name == "Instrument":
        from ._trio.instrument import Instrument

        return Instrument
    if name == "observe_asyncio":
        from ._asyncio.library import observe

        return observe
    raise AttributeError(f"module 'nursery_lens' has no attribute {name!r}")
