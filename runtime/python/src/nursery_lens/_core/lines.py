"""Protocol lines: each event type's template, written once.

Every function returns one line of ``runtime/protocol/PROTOCOL.md`` without
its newline. Arguments named ``*_json`` are JSON already (``fragments``);
``ts`` is a formatted timestamp (``fragments.ms``). Spawns and returned
exits, nearly all the traffic, are split into a per-run prefix, a ``ts``
and an id, and a tail cached per (nursery, name, site): the pump's hot loop
(``mirror.Mirror.drain``) puts those pieces together inline, exactly as
``with_id`` does.
"""

from __future__ import annotations

import os
import sys

from .events import F_MAIN, F_SYSTEM, N_START, N_SYSTEM, RETURNED
from .fragments import MAX_TEXT, q

PROTOCOL_MAJOR = 1
#: 1.2: task.spawned.func, task.state.chain and waits, cancel causes, scope sites and calls
PROTOCOL_MINOR = 2


def hello(secret: str | None, runtime: str, runtime_version: str, instance: str, reconnect: int | None) -> str:
    from .. import __version__

    parts = [f'{{"type":"hello","protocol":{PROTOCOL_MAJOR},"minor":{PROTOCOL_MINOR}']
    if secret is not None:
        parts.append(f'"secret":{q(secret)}')
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = ""
    python = "{}.{}.{}".format(*sys.version_info[:3])
    parts.append(
        f'"runtime":{q(runtime)},"runtime_version":{q(runtime_version)},"lens_version":{q(__version__)},'
        f'"python":{q(python)},"pid":{os.getpid()}'
    )
    parts.append('"argv":[' + ",".join(q(str(a)) for a in list(sys.argv)) + "]")
    parts.append(f'"cwd":{q(cwd)},"instance":{q(instance)}')
    if reconnect:
        parts.append(f'"reconnect":{reconnect}')
    return ",".join(parts) + "}"


def run_started(run: int, wall: float, resumed: bool = False) -> str:
    again = ',"resumed":true' if resumed else ""
    return f'{{"type":"run.started","run":{run},"ts":0,"wall":{wall:.3f}{again}}}'


def run_finished(run: int, ts: str, outcome: str, error_json: str | None) -> str:
    error = ',"error":' + error_json if error_json is not None else ""
    return f'{{"type":"run.finished","run":{run},"ts":{ts},"outcome":"{outcome}"{error}}}'


def with_id(prefix: str, ts: str, ident: int, tail: str) -> str:
    """A task line from its pieces: ``prefix`` (``spawned_prefix``,
    ``exited_prefix``), ``ts``, the task's id, and its tail."""
    return f'{prefix}{ts},"id":{ident}{tail}'


def spawned_prefix(run: int) -> str:
    return f'{{"type":"task.spawned","run":{run},"ts":'


def spawned_tail(name_json: str, nursery: int | None, flags: int, site_json: str, func_json: str | None = None) -> str:
    """The end of a ``task.spawned`` line, after its id (``func_json``
    None: where the task's function is defined is not known)."""
    nid = "null" if nursery is None else nursery
    system = "true" if flags & F_SYSTEM else "false"
    main = ',"main":true' if flags & F_MAIN else ""
    func = _FUNC + func_json if func_json is not None else ""
    return f',"name":{name_json},"nursery":{nid},"system":{system}{main},"site":{site_json}{func}}}'


#: what every plain tail (flags 0, a nursery) looks like around its parts
_NAME, _NURSERY, _PLAIN_SITE, _FUNC = ',"name":', ',"nursery":', ',"system":false,"site":', ',"func":'


def parse_plain_tail(tail: str) -> tuple[str, int, str, str | None]:
    """(name_json, nursery, site_json, func_json) of a tail
    ``spawned_tail`` made with flags 0 and a nursery. A JSON string holds no
    unescaped quote, so the first delimiter found is the real one."""
    name_json, _, rest = tail[len(_NAME) :].partition(_NURSERY)
    nid, _, site_json = rest.partition(_PLAIN_SITE)
    site_json, _, func_json = site_json[:-1].partition(_FUNC)
    return name_json, int(nid), site_json, func_json or None


def exited_prefix(run: int) -> str:
    return f'{{"type":"task.exited","run":{run},"ts":'


def exited_tail(outcome: str, error_json: str | None = None, cancel_json: str | None = None) -> str:
    """The end of a ``task.exited`` line, after its id."""
    error = ',"error":' + error_json if error_json is not None else ""
    cancel = ',"cancel":' + cancel_json if cancel_json is not None else ""
    return f',"outcome":"{outcome}"{error}{cancel}}}'


#: the tail of nearly every exit
RETURNED_TAIL = exited_tail(RETURNED)


def task_moved(run: int, ts: str, tid: int, nursery: int) -> str:
    return f'{{"type":"task.moved","run":{run},"ts":{ts},"id":{tid},"nursery":{nursery}}}'


def task_state(
    run: int,
    ts: str,
    tid: int,
    state: str,
    at_json: str | None,
    chain_json: str | None = None,
    waits_json: str | None = None,
) -> str:
    """``at_json``, ``chain_json``, ``waits_json`` None: the await site, the
    await chain, what it waits for have not changed since the last sample."""
    at = ',"at":' + at_json if at_json is not None else ""
    chain = ',"chain":' + chain_json if chain_json is not None else ""
    waits = ',"waits":' + waits_json if waits_json is not None else ""
    return f'{{"type":"task.state","run":{run},"ts":{ts},"id":{tid},"state":"{state}"{at}{chain}{waits}}}'


def nursery_opened(run: int, ts: str, nid: int, owner: int, site_json: str, flags: int) -> str:
    system = ',"system":true' if flags & N_SYSTEM else ""
    start = ',"start":true' if flags & N_START else ""
    return (
        f'{{"type":"nursery.opened","run":{run},"ts":{ts},"id":{nid},"task":{owner},"site":{site_json}{system}{start}}}'
    )


def nursery_closed(run: int, ts: str, nid: int) -> str:
    return f'{{"type":"nursery.closed","run":{run},"ts":{ts},"id":{nid}}}'


def scope_changed(
    run: int,
    ts: str,
    sid: int,
    tid: int,
    deadline_json: str,
    shield: bool,
    called: bool,
    reason: str | None,
    facts: str = "",
) -> str:
    """``facts``: the line's optional end (``scope_facts``)."""
    shield_json = "true" if shield else "false"
    called_json = "true" if called else "false"
    reason_json = ',"reason":' + q(reason[:MAX_TEXT]) if reason is not None else ""
    return (
        f'{{"type":"scope.changed","run":{run},"ts":{ts},"id":{sid},"task":{tid},"deadline":{deadline_json},'
        f'"shield":{shield_json},"cancel_called":{called_json}{reason_json}{facts}}}'
    )


def scope_facts(site_json: str | None, call: str | None, cause_json: str | None) -> str:
    """The optional end of a ``scope.changed`` line (1.2): where the scope was
    entered, what user code called to make it, why it was cancelled."""
    site = ',"site":' + site_json if site_json is not None else ""
    made = ',"call":' + q(call) if call is not None else ""
    cause = ',"cause":' + cause_json if cause_json is not None else ""
    return site + made + cause


def scope_closed(run: int, ts: str, sid: int) -> str:
    return f'{{"type":"scope.closed","run":{run},"ts":{ts},"id":{sid}}}'


def snapshot_begin(run: int, ts: str) -> str:
    return f'{{"type":"snapshot.begin","run":{run},"ts":{ts}}}'


def snapshot_end(run: int, ts: str) -> str:
    return f'{{"type":"snapshot.end","run":{run},"ts":{ts}}}'


def dropped(ts: str, count: int, total: int) -> str:
    return f'{{"type":"dropped","ts":{ts},"count":{count},"total":{total}}}'


def runtime_disabled(reason: str) -> str:
    return f'{{"type":"runtime.disabled","reason":{q(reason[:MAX_TEXT])}}}'


#: lines that end a run, or the stream: a batch replaced by a snapshot keeps them
ENDINGS = ('{"type":"run.finished"', '{"type":"runtime.disabled"')
