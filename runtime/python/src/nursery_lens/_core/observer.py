"""What every library's instrument does with its emitter, whatever it observes."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from . import dump_signal
from .config import Config, config_from_env
from .emitter import FLUSH_TIMEOUT, Emitter
from .emitters import emitter_for
from .sampler import install_sampler

if TYPE_CHECKING:
    from collections.abc import Callable


class Observer:
    """Configuration, emitter, ``flush`` and ``close`` of an instrument.

    The constructor reads the ``NURSERY_LENS`` environment variable.
    Explicit keyword arguments (``address``, ``record``, ``secret``,
    ``sample_hz``, ``max_buffer``, ``block_ms``, ``warnings``,
    ``coro_origin``, ``batch``) replace it one by one. ``sink`` (a
    callable taking a chunk of NDJSON text) is for tests and embedding: it
    receives exactly the lines a socket would. Instruments configured alike
    (nothing explicit) share one emitter: one connection, one hello.

    An adapter's instrument says which library it observes (``_runtime``)
    and sets up its own state in ``_init_observing``, called last.
    """

    config: Config
    _emitter: Emitter

    def _runtime(self) -> tuple[str, str]:
        """(library name, version) for the hello."""
        raise NotImplementedError

    def _init_observing(self) -> None:
        """The adapter's own state, once configuration and emitter are set."""

    def __init__(
        self,
        *,
        address: str | None = None,
        record: str | None = None,
        secret: str | None = None,
        sample_hz: float | None = None,
        max_buffer: int | None = None,
        config: Config | None = None,
        sink: Callable[[str], None] | None = None,
        block_ms: float | None = None,
        warnings: bool | None = None,
        coro_origin: int | None = None,
        batch: bool | None = None,
    ) -> None:
        given = {
            "address": address,
            "record": os.path.abspath(record) if record is not None else None,
            "secret": secret,
            "sample_hz": sample_hz,
            "max_buffer": max_buffer,
            "block_ms": block_ms,
            "warnings": warnings,
            "coro_origin": coro_origin,
            "batch": batch,
        }
        explicit = {k: v for k, v in given.items() if v is not None}
        if config is None:
            try:
                config = config_from_env()
            except ValueError as exc:
                sys.stderr.write(f"nursery_lens: {exc}; instrumentation off\n")
                config = None
            if config is None:
                config = Config()
            if sink is not None:
                # an in-process sink replaces the environment's destinations
                config = config.replace(address=None, record=None)
        if explicit:
            # explicit keyword arguments win over the environment, one by one
            config = config.replace(**explicit)
        self.config = config
        runtime = self._runtime()
        if sink is not None or explicit:
            self._emitter = Emitter(config, runtime, sink=sink)
        else:
            self._emitter = emitter_for(config, runtime)
        install_sampler(self._emitter)
        dump_signal.install()
        self._init_observing()

    def flush(self, timeout: float = FLUSH_TIMEOUT) -> bool:
        """Block until queued events were written (bounded); True on success."""
        return self._emitter.flush(timeout=timeout)

    def close(self) -> None:
        """Flush and release the connection/file of this instrument's emitter."""
        self._emitter.close()

    @property
    def emitter(self) -> Emitter:
        return self._emitter
