"""``python -m nursery_lens [--connect ADDRESS] [--record FILE] script.py [args…]``.

Also ``… -m module [args…]``, and ``python -m nursery_lens show RECORDING``
(``show``: a recording's tree as text). The program must not be able to tell it was
launched through us: ``sys.argv``, ``sys.path[0]``, ``__main__``, stdout,
stderr, the exit status and the traceback of an uncaught exception are what
``python script.py`` / ``python -m module`` would give. ``runpy`` provides
the ``__main__`` semantics; the traceback is printed by ``sys.excepthook``
with our own and runpy's frames cut off.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys

from .activation import activate
from .config import Config, config_from_env

# typing is not imported at run time (start-up cost), nor what it names
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from types import TracebackType

USAGE = """usage: python -m nursery_lens [--connect ADDRESS] [--record FILE] script.py [args...]
       python -m nursery_lens [--connect ADDRESS] [--record FILE] -m module [args...]
       python -m nursery_lens show RECORDING [--run N] [--at SECONDS]

Runs a Python program with its event loops instrumented by Nursery Lens:
every trio.run, asyncio.run (or Runner, run_until_complete, run_forever)
and anyio.run, once the program imports the library.
  --connect ADDRESS  collector address: HOST:PORT (loopback TCP) or a Unix socket path
  --record FILE      write the event stream (NDJSON) to FILE
Without options, NURSERY_LENS (JSON) from the environment configures it;
with nowhere to send, the runs are observed in memory only. While it runs,
SIGUSR1 prints its task tree to stderr (not on Windows).
show prints a recording's tree as text (show --help says more)."""


class UsageError(Exception):
    pass


def usage_answer(message: str, prog: str, usage: str) -> int:
    """A usage problem (``message``): said on stderr, exit status 2; a request
    for help (no message): the usage on stdout, 0."""
    if message:
        sys.stderr.write(f"{prog}: {message}\n{usage}\n")
        return 2
    sys.stdout.write(usage + "\n")
    return 0


def parse_args(argv: list[str]) -> tuple[str | None, str | None, str | None, str | None, list[str]]:
    """Our options end at the first non-option (the script) or at ``-m``."""
    connect = record = script = module = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            raise UsageError("")
        if arg == "--":
            i += 1
            break
        if arg == "-m":
            if i + 1 >= len(argv):
                raise UsageError("-m needs a module name")
            module = argv[i + 1]
            return connect, record, None, module, argv[i + 2 :]
        for name in ("--connect", "--record"):
            if arg == name or arg.startswith(name + "="):
                if arg == name:
                    if i + 1 >= len(argv):
                        raise UsageError(f"{name} needs a value")
                    value = argv[i + 1]
                    i += 1
                else:
                    value = arg[len(name) + 1 :]
                if name == "--connect":
                    connect = value
                else:
                    record = value
                break
        else:
            if arg.startswith("-") and arg != "-":
                raise UsageError(f"unknown option {arg}")
            break
        i += 1
    if i >= len(argv):
        raise UsageError("no script given")
    script = argv[i]
    return connect, record, script, module, argv[i + 1 :]


def _config(connect: str | None, record: str | None) -> Config:
    try:
        env = config_from_env()
    except ValueError as exc:
        sys.stderr.write(f"nursery_lens: {exc}; ignoring it\n")
        env = None
    base = env or Config()
    if record is not None:
        record = os.path.abspath(record)  # the program may chdir
    # every other option of the environment's (lints, batch lines) stays as given
    return base.replace(
        address=connect if connect is not None else base.address,
        record=record if record is not None else base.record,
    )


def _trimmed(tb: TracebackType | None) -> TracebackType | None:
    """Drop the leading frames that belong to this package."""
    here = os.path.dirname(os.path.abspath(__file__))
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if os.path.dirname(os.path.abspath(name)) != here:
            break
        tb = tb.tb_next
    return tb


def _uncaught(exc: BaseException) -> int:
    """What the interpreter does with an uncaught exception in __main__."""
    tb = _trimmed(exc.__traceback__)
    exc.__traceback__ = tb
    sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, tb
    try:
        sys.excepthook(type(exc), exc, tb)
    except Exception:
        pass
    if isinstance(exc, KeyboardInterrupt):
        # Like CPython: finish up, then die of SIGINT so the parent sees it.
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:
            pass
        try:
            import atexit

            atexit._run_exitfuncs()
        except Exception:
            pass
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        except Exception:
            pass
        return 130
    return 1


def _run_module(module: str) -> None:
    """Run a module the way ``python -m module`` does (runpy's own entry).

    ``runpy._run_module_as_main`` is what the interpreter calls for ``-m``;
    it runs the code in ``sys.modules['__main__']``, so a fresh module takes
    our place there first. Its frames stay in tracebacks, as with ``-m``.
    """
    import builtins
    import types

    entry = getattr(runpy, "_run_module_as_main", None)
    if entry is None:  # pragma: no cover - not in CPython 3.9-3.13
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return
    fresh = types.ModuleType("__main__")
    fresh.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = fresh
    entry(module, True)


def _run_file(script: str) -> None:
    """Run a file the way ``python script.py`` does.

    Not ``runpy.run_path``: it would put the path as typed into the code's
    file name and ``sys.argv[0]``, where CPython uses the absolute path for
    ``__file__``/tracebacks and keeps argv[0] as typed.
    """
    import builtins
    import io
    import types
    from importlib.machinery import SourceFileLoader

    path = os.path.abspath(script)
    sys.path[0] = os.path.dirname(os.path.realpath(script))
    with io.open_code(path) as f:
        source = f.read()
    main_module = types.ModuleType("__main__")
    main_module.__dict__.update(
        {
            "__file__": path,
            "__cached__": None,
            "__builtins__": builtins,
            "__loader__": SourceFileLoader("__main__", path),
            "__spec__": None,
            "__package__": None,
        }
    )
    sys.modules["__main__"] = main_module
    code = compile(source, path, "exec", dont_inherit=True)
    exec(code, main_module.__dict__)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "show":  # a script named "show": ./show, or -- show
        from .show import main as show

        return show(args[1:])
    try:
        connect, record, script, module, rest = parse_args(args)
    except UsageError as exc:
        return usage_answer(str(exc), "nursery_lens", USAGE)
    try:
        config = _config(connect, record)
        # nowhere to send: observed in memory all the same, for SIGUSR1's dumps
        activate(config)
    except Exception as exc:  # the program runs even if we cannot observe it
        sys.stderr.write(f"nursery_lens: cannot activate: {exc!r}\n")
    if module is not None:
        sys.argv[:] = ["-m", *rest]  # runpy replaces argv[0] with the module's file
        try:
            _run_module(module)
        except SystemExit:
            raise
        except BaseException as exc:
            return _uncaught(exc)
        return 0
    assert script is not None
    if not os.path.exists(script):
        sys.stderr.write(
            f"{sys.executable}: can't open file {os.path.abspath(script)!r}: [Errno 2] No such file or directory\n"
        )
        return 2
    sys.argv[:] = [script, *rest]
    try:
        if os.path.isfile(script):
            _run_file(script)
        else:  # a directory or zip file with __main__.py
            runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as exc:
        return _uncaught(exc)
    return 0
