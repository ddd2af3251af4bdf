"""Protocol lines: each event type's template, written once.

Every function returns one line of ``runtime/protocol/PROTOCOL.md`` without
its newline. Arguments named ``*_json`` are JSON already (``fragments``);
``ts`` is a formatted timestamp (``fragments.ms``). Spawns and returned
exits, nearly all the traffic, are split into a per-run prefix, a ``ts``
and an id, and a tail cached per (nursery, name, site): the pump's hot loop
(``mirror.Mirror.drain``) puts those pieces together inline, exactly as
``with_id`` does. The batch lines of 1.3 (many spawns or exits in one)
are written by ``batches``.
"""

from __future__ import annotations

import os
import sys

from .events import F_MAIN, F_SYSTEM, N_ANYIO, N_START, N_SYSTEM, N_TASKGROUP, RETURNED
from .fragments import MAX_TEXT, q

PROTOCOL_MAJOR = 1
#: 1.2: asyncio and AnyIO (library fields, loose tasks' parent, kinds, flags),
#: task.spawned.func, task.state.chain and waits, cancel causes, scope sites and calls; loop.blocked and warning (lints);
#: 1.3: tasks.spawned and tasks.exited (a loop's alike spawns, and returned exits, a line for many);
#: 1.4: a library's own nurseries and tasks are system; 1.5: run.stopped (the collector writes it, never the runtime)
PROTOCOL_MINOR = 6
#: A collector refuses a first line this long before it knows the secret:
#: the hello drops argv and sys.path entries from the end to stay below it.
HELLO_MAX = 64 * 1024 - 1


def _strings(items: list[str], budget: int) -> str:
    """A JSON array of ``items``, as many from the front as fit in ``budget`` characters."""
    out: list[str] = []
    used = 2
    for item in items:
        s = q(item)
        if used + len(s) + 1 > budget:
            break
        out.append(s)
        used += len(s) + 1
    return "[" + ",".join(out) + "]"


def _sys_path() -> list[str]:
    path = []
    for entry in list(sys.path):
        if isinstance(entry, str):
            try:
                path.append(os.path.abspath(entry or os.curdir))
            except (OSError, ValueError):
                continue
    return list(dict.fromkeys(path))


def hello(secret: str | None, runtime: str, runtime_version: str, instance: str, reconnect: int | None) -> str:
    """The first line; ``secret`` None for a recording (a file never holds it)."""
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
    parts.append(f'"cwd":{q(cwd)},"instance":{q(instance)}')
    if reconnect:
        parts.append(f'"reconnect":{reconnect}')
    # argv and sys.path share what is left of the bound, argv first (it names the program)
    room = HELLO_MAX - sum(len(p) + 1 for p in parts) - len(',"argv":,"sys_path":}')
    argv = _strings([str(a) for a in list(sys.argv)], room)
    parts.append('"argv":' + argv)
    parts.append('"sys_path":' + _strings(_sys_path(), room - len(argv)))
    return ",".join(parts) + "}"


def run_info(library: str, version: str, anyio: str | None) -> str:
    """``run.started``'s library fields (1.2), after ``wall``."""
    via = f',"anyio":{q(anyio)}' if anyio is not None else ""
    return f',"library":{q(library)},"library_version":{q(version)}{via}'


def run_started(run: int, wall: float, resumed: bool = False, info: str = "") -> str:
    again = ',"resumed":true' if resumed else ""
    return f'{{"type":"run.started","run":{run},"ts":0,"wall":{wall:.3f}{info}{again}}}'


def run_finished(run: int, ts: str, outcome: str, error_json: str | None) -> str:
    error = ',"error":' + error_json if error_json is not None else ""
    return f'{{"type":"run.finished","run":{run},"ts":{ts},"outcome":"{outcome}"{error}}}'


def with_id(prefix: str, ts: str, ident: int, tail: str) -> str:
    """A task line from its pieces: ``prefix`` (``spawned_prefix``,
    ``exited_prefix``), ``ts``, the task's id, and its tail."""
    return f'{prefix}{ts},"id":{ident}{tail}'


def spawned_prefix(run: int) -> str:
    return f'{{"type":"task.spawned","run":{run},"ts":'


def spawned_tail(
    name_json: str,
    nursery: int | None,
    flags: int,
    site_json: str,
    func_json: str | None = None,
    parent: int | None = None,
) -> str:
    """The end of a ``task.spawned`` line, after its id (1.2: ``func_json``
    None: where the task's function is defined is not known; ``parent``: a
    loose task's maker)."""
    nid = "null" if nursery is None else nursery
    system = "true" if flags & F_SYSTEM else "false"
    main = ',"main":true' if flags & F_MAIN else ""
    func = _FUNC + func_json if func_json is not None else ""
    made_by = _PARENT + str(parent) if parent is not None else ""
    return f',"name":{name_json},"nursery":{nid}{made_by},"system":{system}{main},"site":{site_json}{func}}}'


#: what every plain tail (flags 0) looks like around its parts
_NAME, _NURSERY, _PLAIN_SITE = ',"name":', ',"nursery":', ',"system":false,"site":'
_FUNC, _PARENT = ',"func":', ',"parent":'


def parse_plain_tail(tail: str) -> tuple[str, int | None, int, str, str | None, int | None]:
    """``TaskRecord``'s arguments (name_json, nursery, flags 0, site_json,
    func_json, parent) from a tail ``spawned_tail`` made with flags 0. A
    JSON string holds no unescaped quote, so the first delimiter found is
    the real one."""
    name_json, _, rest = tail[len(_NAME) :].partition(_NURSERY)
    nid_parent, _, site_json = rest.partition(_PLAIN_SITE)
    nid, _, parent = nid_parent.partition(_PARENT)
    site_json, _, func_json = site_json[:-1].partition(_FUNC)
    nursery = None if nid == "null" else int(nid)
    return name_json, nursery, 0, site_json, func_json or None, int(parent) if parent else None


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


def task_flagged(run: int, ts: str, tid: int, flag: str, error_json: str | None) -> str:
    error = ',"error":' + error_json if error_json is not None else ""
    return f'{{"type":"task.flagged","run":{run},"ts":{ts},"id":{tid},"flag":"{flag}"{error}}}'


def nursery_opened(run: int, ts: str, nid: int, owner: int, site_json: str, flags: int) -> str:
    system = ',"system":true' if flags & N_SYSTEM else ""
    start = ',"start":true' if flags & N_START else ""
    kind = ',"kind":"taskgroup"' if flags & N_TASKGROUP else ',"kind":"anyio"' if flags & N_ANYIO else ""
    return (
        f'{{"type":"nursery.opened","run":{run},"ts":{ts},"id":{nid},"task":{owner},"site":{site_json}'
        f"{kind}{system}{start}}}"
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


def loop_blocked(
    run: int, ts: str, block: int, since: str, duration_ms: float, ongoing: bool, tid: int | None, at_json: str
) -> str:
    """A block of the loop (1.2): ``ongoing`` while it lasts, without it at the end."""
    more = ',"ongoing":true' if ongoing else ""
    task = f',"task":{tid}' if tid is not None else ""
    return (
        f'{{"type":"loop.blocked","run":{run},"ts":{ts},"block":{block},"since":{since},'
        f'"duration":{duration_ms:.3f}{more}{task},"at":{at_json}}}'
    )


def warning(
    run: int,
    ts: str,
    category: str,
    message: str,
    kind: str | None,
    site_json: str,
    func_json: str | None,
    tid: int | None,
) -> str:
    """A warning Python issued on a run's loop thread (1.2)."""
    kind_json = f',"kind":{q(kind)}' if kind is not None else ""
    func = ',"func":' + func_json if func_json is not None else ""
    task = f',"task":{tid}' if tid is not None else ""
    return (
        f'{{"type":"warning","run":{run},"ts":{ts},"category":{q(category[:MAX_TEXT])},'
        f'"message":{q(message[:MAX_TEXT])}{kind_json},"site":{site_json}{func}{task}}}'
    )


def snapshot_begin(run: int, ts: str) -> str:
    return f'{{"type":"snapshot.begin","run":{run},"ts":{ts}}}'


def snapshot_end(run: int, ts: str) -> str:
    return f'{{"type":"snapshot.end","run":{run},"ts":{ts}}}'


def dropped(ts: str, count: int, total: int) -> str:
    return f'{{"type":"dropped","ts":{ts},"count":{count},"total":{total}}}'


def runtime_disabled(reason: str, run: int | None = None, ts: str | None = None) -> str:
    """The runtime stopped observing: one run (``run``, 1.2), or the whole process."""
    where = f'"run":{run},"ts":{ts},' if run is not None and ts is not None else ""
    return f'{{"type":"runtime.disabled",{where}"reason":{q(reason[:MAX_TEXT])}}}'


#: lines that end a run, or the stream: a batch replaced by a snapshot keeps them
ENDINGS = ('{"type":"run.finished"', '{"type":"runtime.disabled"')
