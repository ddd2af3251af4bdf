"""``Runner.tasks`` of an observed run: a set whose ``add`` is the spawn hook.

``spawn_impl`` adds every new task to this set: a set whose ``add`` is the
spawn hook (it adds, then queues) replaces Trio's dispatch of
``task_spawned`` (which costs three times as much), and is on no exception
path (a ``spawn_impl`` wrapper would add a frame to the traceback of a
failed ``start_soon``). Installed per run, by the instrument, when the
runner has the shape ``can_hook_spawns`` checks.
"""

from __future__ import annotations

from typing import Any, Callable

from trio.lowlevel import enable_ki_protection

from .patches import KI_WRAPS

#: the frame of start_soon/start's caller, seen from a spawn hook that is
#: the task set's add: hook <- spawn_impl <- start_soon/start <- caller
SET_ADD_CALLER = 4 if KI_WRAPS else 3


class _HookedTasks(set[Any]):
    """``Runner.tasks`` of an observed run is an instance of a subclass made
    per run (``hook_spawns``) whose ``add`` (called by ``spawn_impl`` once
    per new task, once its name and parent nursery are set) is the run's
    spawn hook itself: no frame of ours between Trio and the hook."""

    __slots__ = ()


def can_hook_spawns(runner: Any) -> bool:
    """Whether ``hook_spawns`` works on this runner (else Trio's dispatch of
    ``task_spawned`` must do)."""
    try:
        instruments = runner.instruments
        table = getattr(instruments, "data", instruments)  # UserDict in newer Trio, dict in older
        hooks = table.get("task_spawned")
        return type(runner.tasks) is set and isinstance(table, dict) and isinstance(hooks, (dict, type(None)))
    except Exception:
        return False


def hook_spawns(runner: Any, inst: Any, hook: Callable[[Any, Any], None]) -> bool:
    """Have ``hook(tasks, task)`` called (as the task set's ``add``: it adds
    the task itself) for every task ``runner`` spawns from now on, instead
    of Trio dispatching ``inst.task_spawned``. False (nothing changed) when
    the runner's internals have another shape (``can_hook_spawns``)."""
    try:
        if not can_hook_spawns(runner):
            return False
        table = getattr(runner.instruments, "data", runner.instruments)
        hooks = table.get("task_spawned")
        # runs inside start_soon: see Ctrl-C in patches' docstring
        hooked_cls = type("_HookedTasks", (_HookedTasks,), {"__slots__": (), "add": enable_ki_protection(hook)})
        runner.tasks = hooked_cls(runner.tasks)
        # Trio's own dispatch of task_spawned: off for this instrument only
        # (Instruments.remove_instrument does the same for all its hooks)
        if hooks is not None and inst in hooks:
            del hooks[inst]
            if not hooks:
                del table["task_spawned"]
        return True
    except Exception:
        return False


def unhook_spawns(runner: Any) -> None:
    tasks = getattr(runner, "tasks", None)
    if isinstance(tasks, _HookedTasks):
        runner.tasks = set(tasks)
