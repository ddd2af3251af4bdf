"""The name a wait gives the object waited on when the program holds it in an
attribute (``self.lock``, ``src.lock``): found without making the holder's
``__dict__`` (which slows every later method call on it, from CPython 3.11)
and without running the program's code (properties, ``__getattr__``)."""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING, Any

import pytest
import trio

from test_waits import HOLD, HZ, waited

if TYPE_CHECKING:
    from conftest import Recording


#: 3.11 and 3.12 show a made dict to gc; from 3.13 it shares the inline values and is not seen.
DICT_SEEN = sys.version_info < (3, 13)
#: Before 3.11 every instance has its dict from the start: there is none to keep from being made.
lazy_dicts = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="instances have their dict from the start before 3.11"
)


def has_dict(obj: Any) -> bool:
    """Whether ``obj``'s attributes live in a dict (made by reading ``__dict__``), seen without making one."""
    return any(type(ref) is dict for ref in gc.get_referents(obj))


class Account:
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.lock = trio.Lock()

    async def hold(self, got: trio.Event) -> None:
        async with self.lock:
            got.set()
            await trio.sleep_forever()

    async def audit(self) -> None:
        async with self.lock:
            pass


async def transfer(src: Account) -> None:
    async with src.lock:
        pass


def held_and_waited(record: Any, account: Any, *waiters: tuple[str, Any]) -> Recording:
    """``account.hold`` holds its lock while each waiter (name, coroutine function) queues for it."""

    async def main() -> None:
        got = trio.Event()
        async with trio.open_nursery() as n:
            n.start_soon(account.hold, got, name="holder")
            await got.wait()
            for name, fn in waiters:
                n.start_soon(fn, name=name)
            await trio.sleep(HOLD)
            n.cancel_scope.cancel()

    rec: Recording = record(main, sample_hz=HZ)
    return rec


@lazy_dicts
def test_self_lock_and_a_locals_lock_are_named_and_the_holder_keeps_no_dict(record):
    alice = Account("alice")
    rec = held_and_waited(record, alice, ("audit", alice.audit), ("transfer", lambda: transfer(alice)))
    # self and src are parameters: the name the spawning code gives the account wins
    assert waited(rec, "audit")["label"] == "Lock account.lock"
    assert waited(rec, "transfer")["label"] == "Lock account.lock"
    assert not has_dict(alice), "naming made alice's __dict__"


class Box:
    pass


@lazy_dicts
def test_an_attribute_only_a_dict_knows_is_named_once_the_program_made_that_dict(record):
    # set and read under a computed name: neither a class's code nor the waiting code says it
    attr = "gate_" + "7"

    async def hold_gate(box: Box, got: trio.Event) -> None:
        async with getattr(box, attr):
            got.set()
            await trio.sleep_forever()

    async def through_gate(box: Box) -> None:
        async with getattr(box, attr):
            pass

    async def main(box: Box) -> None:
        got = trio.Event()
        async with trio.open_nursery() as n:
            n.start_soon(hold_gate, box, got, name="holder")
            await got.wait()
            n.start_soon(through_gate, box, name="waiter")
            await trio.sleep(HOLD)
            n.cancel_scope.cancel()

    quiet, made = Box(), Box()
    for box in (quiet, made):
        setattr(box, attr, trio.Lock())
    vars(made)  # the program asked for the dict itself
    assert (has_dict(quiet), has_dict(made)) == (False, DICT_SEEN)
    labels = [waited(record(main, box, sample_hz=HZ), "waiter")["label"] for box in (quiet, made)]
    assert labels == ["Lock", "Lock box.gate_7" if DICT_SEEN else "Lock"]
    assert not has_dict(quiet), "naming made the box's __dict__"


def test_naming_runs_none_of_the_programs_code(record):
    class Guarded(Account):
        reads = 0

        @property
        def guarded(self) -> trio.Lock:
            Guarded.reads += 1
            return self.lock

        async def audit(self) -> None:
            async with self.guarded:
                pass

    looked_up: list[str] = []

    class Proxy:
        def __init__(self, target: Account) -> None:
            self.target = target

        def __getattr__(self, name: str) -> Any:
            looked_up.append(name)
            return getattr(self.target, name)

    async def via_proxy(proxy: Proxy) -> None:
        async with proxy.lock:
            pass

    bob = Guarded("bob")
    rec = held_and_waited(record, bob, ("audit", bob.audit), ("proxied", lambda: via_proxy(Proxy(bob))))
    # the program's own reads only: once by audit, once by the proxied waiter
    assert (Guarded.reads, looked_up) == (1, ["lock"])
    assert waited(rec, "audit")["label"] == "Lock account.lock"
    assert waited(rec, "proxied")["kind"] == "lock"
