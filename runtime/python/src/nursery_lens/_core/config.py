"""The runtime's configuration: the ``NURSERY_LENS`` environment variable.

One JSON object with its own version field (see PROTOCOL.md,
"Configuration"). A malformed value must never stop the program, so parsing
reports a problem instead of raising it.
"""

from __future__ import annotations

import json
import os

# typing is not imported at run time: the bootstrap loads this module at
# every interpreter start-up, and typing costs milliseconds.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, Union

ENV_VAR = "NURSERY_LENS"
#: the "v" field: the layout of the JSON value
VERSION = 1

DEFAULT_SAMPLE_HZ = 10.0
DEFAULT_MAX_BUFFER = 1_000_000
#: a loop that does not come back for longer than this is reported blocked (ms; 0: off)
DEFAULT_BLOCK_MS = 100.0

if TYPE_CHECKING:  # pragma: no cover
    #: ("tcp", (host, port)) or ("unix", path)
    Address = tuple[str, Union[tuple[str, int], str]]


class Config:
    """What an emitter needs: where to send, what to record, the secret.

    A plain class rather than a dataclass: the bootstrap imports this at
    every interpreter start-up, and ``dataclasses`` costs milliseconds.
    """

    __slots__ = (
        "address",
        "batch",
        "block_ms",
        "coro_origin",
        "max_buffer",
        "record",
        "sample_hz",
        "secret",
        "warnings",
    )

    def __init__(
        self,
        address: str | None = None,
        record: str | None = None,
        secret: str | None = None,
        sample_hz: float = DEFAULT_SAMPLE_HZ,
        max_buffer: int = DEFAULT_MAX_BUFFER,
        block_ms: float = DEFAULT_BLOCK_MS,
        warnings: bool = True,
        coro_origin: int = 0,
        batch: bool = True,
    ) -> None:
        self.address = address
        self.record = record
        self.secret = secret
        self.sample_hz = sample_hz
        self.max_buffer = max_buffer
        #: lints (protocol 1.2): the loop held longer than this; coroutines
        #: never awaited; how many frames of origin each coroutine keeps
        self.block_ms = block_ms
        self.warnings = warnings
        self.coro_origin = coro_origin
        #: 1.3: a loop's alike spawns and its returned exits in one line each
        #: (tasks.spawned, tasks.exited); False: a line per task, for 1.2 readers
        self.batch = batch

    def replace(self, **changes: Any) -> Config:
        """A copy with ``changes`` (field names as keyword arguments)."""
        fields = {name: getattr(self, name) for name in self.__slots__}
        fields.update(changes)
        return Config(**fields)

    def __repr__(self) -> str:
        return (
            f"Config(address={self.address!r}, record={self.record!r}, sample_hz={self.sample_hz!r}, "
            f"max_buffer={self.max_buffer!r}, block_ms={self.block_ms!r}, warnings={self.warnings!r}, "
            f"coro_origin={self.coro_origin!r}, batch={self.batch!r})"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def key(self) -> tuple[Any, ...]:
        return (
            self.address,
            self.record,
            self.secret,
            self.sample_hz,
            self.max_buffer,
            self.block_ms,
            self.warnings,
            self.coro_origin,
            self.batch,
        )


def parse_address(address: str) -> Address:
    """``HOST:PORT`` is loopback TCP; anything else is a Unix socket path.

    A path may contain ':' too, so TCP is only assumed when the part after
    the last ':' is a port number and the address does not start with '/'.
    """
    if not address.startswith(("/", ".")) and ":" in address:
        host, _, port = address.rpartition(":")
        if port.isdigit():
            host = host.strip("[]") or "127.0.0.1"
            return ("tcp", (host, int(port)))
    return ("unix", address)


def config_from_json(raw: str) -> Config:
    """Parse the env var's JSON; raises ValueError with a readable message."""
    try:
        obj = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{ENV_VAR} is not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise ValueError(f"{ENV_VAR} must be a JSON object")
    if obj.get("v", VERSION) != VERSION:
        raise ValueError(f"{ENV_VAR} has unknown version v={obj.get('v')!r}")
    options: dict[str, Any] = obj.get("options") or {}
    if not isinstance(options, dict):
        raise ValueError(f"{ENV_VAR}.options must be an object")
    address = obj.get("address")
    record = options.get("record")
    secret = obj.get("secret")
    hz = options.get("sample_hz", DEFAULT_SAMPLE_HZ)
    max_buffer = options.get("max_buffer", DEFAULT_MAX_BUFFER)
    block_ms = options.get("block_ms", DEFAULT_BLOCK_MS)
    warnings = options.get("warnings", True)
    coro_origin = options.get("coro_origin", 0)
    batch = options.get("batch", True)
    if address is not None and not isinstance(address, str):
        raise ValueError(f"{ENV_VAR}.address must be a string")
    if record is not None and not isinstance(record, str):
        raise ValueError(f"{ENV_VAR}.options.record must be a string")
    if secret is not None and not isinstance(secret, str):
        raise ValueError(f"{ENV_VAR}.secret must be a string")
    if not isinstance(hz, (int, float)) or hz < 0:
        raise ValueError(f"{ENV_VAR}.options.sample_hz must be a number >= 0")
    if not isinstance(max_buffer, int) or max_buffer < 1:
        raise ValueError(f"{ENV_VAR}.options.max_buffer must be an integer >= 1")
    if not isinstance(block_ms, (int, float)) or isinstance(block_ms, bool) or not 0 <= block_ms < 1e9:
        raise ValueError(f"{ENV_VAR}.options.block_ms must be a number >= 0")
    if not isinstance(warnings, bool):
        raise ValueError(f"{ENV_VAR}.options.warnings must be true or false")
    if not isinstance(coro_origin, int) or isinstance(coro_origin, bool) or not 0 <= coro_origin <= 100:
        raise ValueError(f"{ENV_VAR}.options.coro_origin must be an integer from 0 to 100")
    if not isinstance(batch, bool):
        raise ValueError(f"{ENV_VAR}.options.batch must be true or false")
    return Config(
        address=address or None,
        record=record or None,
        secret=secret,
        sample_hz=float(hz),
        max_buffer=max_buffer,
        block_ms=float(block_ms),
        warnings=warnings,
        coro_origin=coro_origin,
        batch=batch,
    )


def config_from_env(environ: dict[str, str] | None = None) -> Config | None:
    """The configuration in ``NURSERY_LENS``, or None when it is unset/empty."""
    raw = (environ if environ is not None else os.environ).get(ENV_VAR)
    if not raw or not raw.strip():
        return None
    return config_from_json(raw)


def config_to_json(config: Config) -> str:
    """The inverse of :func:`config_from_json` (the CLI passes it on)."""
    obj: dict[str, Any] = {
        "v": VERSION,
        "options": {
            "sample_hz": config.sample_hz,
            "record": config.record,
            "max_buffer": config.max_buffer,
            "block_ms": config.block_ms,
            "warnings": config.warnings,
            "coro_origin": config.coro_origin,
            "batch": config.batch,
        },
    }
    if config.address:
        obj["address"] = config.address
    if config.secret is not None:
        obj["secret"] = config.secret
    return json.dumps(obj)
