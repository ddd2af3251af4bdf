"""What a waiting task waits for (``task.state.waits``), for each of Trio's
primitives, in real runs on the newest Trio and on 0.22.2."""

from __future__ import annotations

import socket
import threading
from typing import TYPE_CHECKING, Any

import pytest
import trio
import trio.testing

if TYPE_CHECKING:
    from conftest import Recording


#: samples a second in these runs; each situation is held for HOLD seconds
HZ = 50
HOLD = 0.3


def waits_of(rec: Recording, name: str) -> list[dict[str, Any] | None]:
    """Every ``waits`` sent for the task named ``name``, in order."""
    tid = rec.task(name)["id"]
    return [e["waits"] for e in rec.of("task.state") if e["id"] == tid and "waits" in e]


def waited(rec: Recording, name: str) -> dict[str, Any]:
    """The first non-null ``waits`` of the task named ``name``."""
    found = [w for w in waits_of(rec, name) if w is not None]
    assert found, f"{name} never said what it waits for: {waits_of(rec, name)}"
    return found[0]


def tid(rec: Recording, name: str) -> int:
    return int(rec.task(name)["id"])


async def hold_then_cancel(nursery: trio.Nursery) -> None:
    await trio.sleep(HOLD)
    nursery.cancel_scope.cancel()


def test_lock_names_its_owner_and_waiters_share_the_object(record):
    async def holder(lock, got):
        async with lock:
            got.set()
            await trio.sleep_forever()

    async def main():
        db_lock = trio.Lock()
        got = trio.Event()
        async with trio.open_nursery() as n:
            n.start_soon(holder, db_lock, got, name="holder")
            await got.wait()
            n.start_soon(db_lock.acquire, name="waiter-1")
            n.start_soon(db_lock.acquire, name="waiter-2")
            await hold_then_cancel(n)

    rec = record(main, sample_hz=HZ)
    one, two = waited(rec, "waiter-1"), waited(rec, "waiter-2")
    assert one["kind"] == "lock" == two["kind"]
    assert one["holders"] == [tid(rec, "holder")] == two["holders"]
    assert one["obj"] == two["obj"]
    # the name main gave it, found in the spawning task's frame
    assert one["label"] == "Lock db_lock"
    assert "until" not in one
    assert "wakes" not in one
    # the holder sleeps forever: nothing can wake it but a cancel
    assert waited(rec, "holder") == {"kind": "sleep", "label": "trio.sleep_forever"}
    # once cancelled and gone, a waiter sends null only if sampled again; its exit ends it anyway
    assert all(
        e["id"] != tid(rec, "waiter-1") for e in rec.of("task.state") if e["ts"] > rec.exit(tid(rec, "waiter-1"))["ts"]
    )


def test_strict_fifo_lock_and_semaphore(record):
    async def main():
        fifo = trio.StrictFIFOLock()
        slots = trio.Semaphore(1, max_value=1)
        await fifo.acquire()
        await slots.acquire()
        async with trio.open_nursery() as n:
            n.start_soon(fifo.acquire, name="fifo-waiter")
            n.start_soon(slots.acquire, name="slot-waiter")
            await hold_then_cancel(n)

    rec = record(main, sample_hz=HZ)
    fifo = waited(rec, "fifo-waiter")
    assert (fifo["kind"], fifo["label"], fifo["holders"]) == ("lock", "StrictFIFOLock fifo", [rec.main()["id"]])
    slot = waited(rec, "slot-waiter")
    assert (slot["kind"], slot["label"]) == ("semaphore", "Semaphore slots")
    assert slot["holders"] == [rec.main()["id"]]  # Trio keeps no takers: the runtime notes them
    assert slot["detail"] == "value 0 of at most 1"


def test_a_semaphore_names_the_tasks_that_took_it_as_it_passes_from_one_to_the_next(record):
    """At most two fetches at once: the others wait on the Semaphore "taken
    by" the two inside it; when one leaves, Trio hands it to the next waiter
    (its count untouched), and the last waiter names the new pair."""

    async def fetch(limit: trio.Semaphore, done: trio.Event) -> None:
        async with limit:
            await done.wait()

    async def main() -> None:
        limit = trio.Semaphore(2)
        done = {n: trio.Event() for n in "abcd"}
        async with trio.open_nursery() as n:
            for name in "abcd":
                n.start_soon(fetch, limit, done[name], name=f"fetch {name}")
                await trio.sleep(0.01)  # in this order
            await trio.sleep(HOLD)
            done["a"].set()  # a leaves: c takes its place
            await hold_then_cancel(n)

    rec = record(main, sample_hz=HZ)
    a, b, c = (tid(rec, f"fetch {n}") for n in "abc")
    seen = [w for w in waits_of(rec, "fetch d") if w is not None]
    assert {w["label"] for w in seen} == {"Semaphore limit"}
    holders = [w["holders"] for w in seen]
    assert holders[0] == [a, b], holders
    assert holders[-1] == [b, c], holders
    assert set(map(tuple, holders)) <= {(a, b), (b, c)}, "never a task that does not hold it"


def test_semaphore_holders_follow_handoffs_releases_by_others_and_ended_takers():
    """The bookkeeping itself, in one real run: a free semaphore taken, a
    release handing it to the first waiter, a release by a task that did not
    take it (the longest holder lets go), one its takers never give back (the
    ended ones dropped once many are noted), and one made before the runtime."""
    from nursery_lens._core import noted
    from nursery_lens._trio import semaphore_holders as sh

    assert sh.install()

    async def main() -> None:
        me = trio.lowlevel.current_task()
        sem = trio.Semaphore(1)
        await sem.acquire()
        assert sh.holders(sem) == [me]
        got: list[Any] = []

        async def take() -> None:
            got.append(trio.lowlevel.current_task())
            await sem.acquire()

        async with trio.open_nursery() as n:
            n.start_soon(take)
            await trio.testing.wait_all_tasks_blocked()
            sem.release()  # handed over: the waiter holds it before it runs
            assert sh.holders(sem) == got
        assert sem.value == 0

        async def release_for_it() -> None:
            sem.release()

        async with trio.open_nursery() as n:
            n.start_soon(release_for_it)  # not a holder: the longest holder lets go
        assert sh.holders(sem) == []
        assert sem.value == 1

        leaky = trio.Semaphore(10 * noted.PRUNE_AT)
        for _ in range(3):
            async with trio.open_nursery() as n:  # tasks that take it and end without giving it back
                for _ in range(noted.PRUNE_AT):
                    n.start_soon(leaky.acquire)
        kept = sh.holders(leaky)
        assert kept is not None
        assert len(kept) <= noted.PRUNE_AT, f"{len(kept)} ended takers kept"

        old = trio.Semaphore(1)
        del old.__dict__["_nl_value"], old.__dict__["_nl_holders"]
        old.__dict__["_value"] = 0  # as a semaphore taken before install keeps it
        old.release()
        assert sh.holders(old) is None, "who took it before is not known, so none is named"
        assert old.value == 1

    trio.run(main)


def test_capacity_limiter_names_its_borrowers(record):
    async def borrower(limiter, got=None):
        async with limiter:
            if got is not None:
                got.set()
            await trio.sleep_forever()

    async def main():
        limiter = trio.CapacityLimiter(2)
        async with trio.open_nursery() as n:
            for i in range(2):
                got = trio.Event()
                n.start_soon(borrower, limiter, got, name=f"b{i}")
                await got.wait()
            n.start_soon(borrower, limiter, name="queued")
            await hold_then_cancel(n)

    rec = record(main, sample_hz=HZ)
    w = waited(rec, "queued")
    assert w["kind"] == "limiter"
    assert w["label"] == "CapacityLimiter limiter"
    assert sorted(w["holders"]) == sorted([tid(rec, "b0"), tid(rec, "b1")])
    assert w["detail"] == "2/2 tokens borrowed"
    assert "wakes" not in w


def test_memory_channels_say_what_the_other_end_does(record):
    async def ends_quietly(recv):
        with pytest.raises(trio.EndOfChannel):
            await recv.receive()

    async def main():
        send_full, recv_idle = trio.open_memory_channel(1)
        await send_full.send("x")  # the buffer is full now
        send_idle, recv_empty = trio.open_memory_channel(0)
        lonely_send, lonely_recv = trio.open_memory_channel(0)
        async with trio.open_nursery() as n:
            n.start_soon(send_full.send, "y", name="sender")
            n.start_soon(recv_empty.receive, name="receiver")
            n.start_soon(ends_quietly, lonely_recv, name="lonely")
            await trio.sleep(HOLD / 2)
            await lonely_send.aclose()  # the last send end closes: the receiver is told at once
            await hold_then_cancel(n)
        del recv_idle, send_idle

    rec = record(main, sample_hz=HZ)
    s = waited(rec, "sender")
    assert (s["kind"], s["label"]) == ("send", "memory channel send_full")
    assert s["detail"] == "buffer full (1/1), nobody receiving; 1 receive end open"
    r = waited(rec, "receiver")
    assert (r["kind"], r["label"]) == ("receive", "memory channel recv_empty")
    assert r["detail"] == "nothing sent yet; 1 send end open"
    assert s["obj"] != r["obj"]
    # no task waits on a channel whose last send end closed: Trio ends the wait at once
    assert rec.exit(tid(rec, "lonely"))["ts"] < rec.exit(tid(rec, "receiver"))["ts"]


def test_event_condition_and_parking_lot(record):
    async def notified_then_blocked(cond, lock_taken):
        async with cond:
            await cond.wait()

    async def main():
        ready = trio.Event()
        lot = trio.lowlevel.ParkingLot()
        cond = trio.Condition()
        async with trio.open_nursery() as n:
            n.start_soon(ready.wait, name="event-waiter")
            n.start_soon(lot.park, name="parked")
            n.start_soon(notified_then_blocked, cond, None, name="cond-waiter")
            await trio.sleep(HOLD)
            # notify while holding the lock: the waiter moves to the lock's queue, and waits for main
            async with cond:
                cond.notify()
                await trio.sleep(HOLD)
            n.cancel_scope.cancel()

    rec = record(main, sample_hz=HZ)
    e = waited(rec, "event-waiter")
    assert (e["kind"], e["label"], e["detail"]) == ("event", "Event ready", "until set() is called")
    p = waited(rec, "parked")
    assert (p["kind"], p["label"]) == ("parking_lot", "ParkingLot lot")
    states = [w for w in waits_of(rec, "cond-waiter") if w is not None]
    assert states[0]["kind"] == "condition"
    assert states[0]["label"] == "Condition cond"
    # after notify(): waiting for the condition's lock, which main holds
    assert any(w["kind"] == "lock" and w["holders"] == [rec.main()["id"]] for w in states[1:]), states


def test_sleep_and_enclosing_deadlines_say_when_the_task_wakes(record):
    async def nap():
        await trio.sleep(30)

    async def bounded():
        with trio.move_on_after(20):
            await trio.Event().wait()

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(nap, name="nap")
            n.start_soon(bounded, name="bounded")
            await hold_then_cancel(n)

    rec = record(main, sample_hz=HZ)
    nap_w = waited(rec, "nap")
    assert (nap_w["kind"], nap_w["label"], nap_w["wakes"]) == ("sleep", "trio.sleep", True)
    assert 29_000 < nap_w["until"] < 31_000
    bounded_w = waited(rec, "bounded")
    assert (bounded_w["kind"], bounded_w["wakes"]) == ("event", True)
    assert 19_000 < bounded_w["until"] < 21_000


def test_socket_waits_name_the_peer_and_the_listener(record):
    async def listening():
        sock = trio.socket.socket()
        await sock.bind(("127.0.0.1", 0))
        sock.listen()
        return sock

    async def main():
        idle = await listening()  # nobody connects: accept() waits
        server = await listening()
        port = server.getsockname()[1]
        async with trio.open_nursery() as n:
            n.start_soon(idle.accept, name="accepting")
            client = await trio.open_tcp_stream("127.0.0.1", port)
            conn, _ = await server.accept()
            n.start_soon(client.receive_some, name="reading")
            await hold_then_cancel(n)
        await client.aclose()
        for s in (conn, server, idle):
            s.close()

    rec = record(main, sample_hz=HZ)
    accepting = waited(rec, "accepting")
    assert (accepting["kind"], accepting["label"], accepting["wakes"]) == ("io", "socket", True)
    assert accepting["detail"].startswith("until readable, on 127.0.0.1:")
    reading = waited(rec, "reading")
    assert reading["kind"] == "io"
    assert reading["detail"].startswith("until readable, peer 127.0.0.1:")
    assert reading["detail"] != accepting["detail"].replace(", on ", ", peer ")  # the server's port, not the idle one


def test_to_thread_says_what_the_thread_runs(record):
    release = threading.Event()

    def crunch_numbers():
        release.wait(5)

    async def main():
        limiter = trio.CapacityLimiter(1)
        async with trio.open_nursery() as n:
            n.start_soon(lambda: trio.to_thread.run_sync(crunch_numbers, limiter=limiter), name="offloaded")
            await trio.sleep(0.05)
            n.start_soon(lambda: trio.to_thread.run_sync(crunch_numbers, limiter=limiter), name="queued")
            await trio.sleep(HOLD)
            release.set()

    rec = record(main, sample_hz=HZ)
    t = waited(rec, "offloaded")
    assert (t["kind"], t["label"], t["wakes"]) == ("thread", "to_thread.run_sync", True)
    assert t["detail"].startswith("runs test_to_thread_says_what_the_thread_runs.<locals>.crunch_numbers() in thread ")
    q = waited(rec, "queued")
    # queued behind the thread on the limiter: a thread holds the token, and gives it back when done
    assert (q["kind"], q["holders"], q["wakes"]) == ("limiter", [], True)
    assert q["detail"] == "1/1 tokens borrowed, some by threads"


def test_start_waits_for_the_child_to_call_started(record):
    async def slow_server(task_status=trio.TASK_STATUS_IGNORED):
        await trio.sleep(HOLD)
        task_status.started()
        await trio.sleep_forever()

    async def opener(n):
        await n.start(slow_server, name="server")

    async def main():
        async with trio.open_nursery() as n:
            n.start_soon(opener, n, name="opener")
            await trio.sleep(HOLD * 2)
            n.cancel_scope.cancel()

    rec = record(main, sample_hz=HZ)
    w = waited(rec, "opener")
    assert (w["kind"], w["label"], w["holders"]) == ("start", "nursery.start()", [tid(rec, "server")])
    assert w["detail"].endswith("calls task_status.started()")
    # the nursery's owner waits for its children while they run (the root task does too)
    init = rec.of("task.spawned")[0]["id"]
    main_nursery_wait = [e for e in rec.of("task.state") if e["id"] == init and e.get("waits")]
    assert main_nursery_wait
    assert main_nursery_wait[0]["waits"]["kind"] == "children"


def test_a_task_that_stops_waiting_says_null(record):
    async def setter(ev):
        await trio.sleep(HOLD)
        ev.set()

    async def main():
        ev = trio.Event()
        async with trio.open_nursery() as n:
            n.start_soon(setter, ev, name="setter")
            await ev.wait()
            busy_until = trio.current_time() + HOLD
            while trio.current_time() < busy_until:  # scheduled, over and over
                await trio.lowlevel.checkpoint()

    rec = record(main, sample_hz=HZ)
    seq = [e.get("waits", "absent") for e in rec.of("task.state") if e["id"] == rec.main()["id"]]
    first = seq.index(next(w for w in seq if isinstance(w, dict) and w["kind"] == "event"))
    assert None in seq[first:], seq


def test_a_real_deadlock_two_tasks_two_locks(record):
    async def worker(first, second, mine, theirs):
        async with first:
            mine.set()
            await theirs.wait()
            async with second:
                pass

    async def main():
        lock_a, lock_b = trio.Lock(), trio.Lock()
        one, two = trio.Event(), trio.Event()
        with trio.move_on_after(HOLD * 2):
            async with trio.open_nursery() as n:
                n.start_soon(worker, lock_a, lock_b, one, two, name="w1")
                n.start_soon(worker, lock_b, lock_a, two, one, name="w2")

    rec = record(main, sample_hz=HZ)
    w1, w2 = waited(rec, "w1"), waited(rec, "w2")
    # a cycle: each waits for a lock the other holds
    assert (w1["holders"], w2["holders"]) == ([tid(rec, "w2")], [tid(rec, "w1")])
    assert {w1["label"], w2["label"]} == {"Lock lock_a", "Lock lock_b"}
    assert w1["obj"] != w2["obj"]
    # the move_on_after around them is a deadline that wakes them
    assert w1["wakes"] is True
    assert w1["until"] > 0


def test_a_real_hang_an_event_nobody_sets(record):
    async def waiter(ev):
        await ev.wait()

    async def main():
        never = trio.Event()
        async with trio.open_nursery() as n:
            n.start_soon(waiter, never, name="waiter")
            await trio.sleep(HOLD)
            n.cancel_scope.cancel()

    rec = record(main, sample_hz=HZ)
    w = waited(rec, "waiter")
    assert w == {"kind": "event", "obj": w["obj"], "label": "Event never", "detail": "until set() is called"}


def test_waits_are_replayed_in_a_snapshot(record):
    """A collector that connects late still learns what each task waits for."""
    from nursery_lens._core.emitters import ALL

    async def main():
        lock = trio.Lock()
        await lock.acquire()
        async with trio.open_nursery() as n:
            n.start_soon(lock.acquire, name="blocked")
            await trio.sleep(HOLD)
            (em,) = [e for e in ALL if e.mirror.runs]
            snap = em.mirror.snapshot(resumed=True)
            n.cancel_scope.cancel()
        return snap

    box: dict[str, Any] = {}

    async def wrapper():
        box["snap"] = await main()

    record(wrapper, sample_hz=HZ)
    states = [line for line in box["snap"] if '"task.state"' in line and '"waits":{"kind":"lock"' in line]
    assert states, box["snap"]


def test_a_socket_pair_is_closed(record):
    # the waits of io on a socketpair (no address) say only which way
    a, b = socket.socketpair()

    async def main():
        sa = trio.socket.from_stdlib_socket(a)
        async with trio.open_nursery() as n:
            n.start_soon(sa.recv, 10, name="pair-reader")
            await hold_then_cancel(n)

    try:
        rec = record(main, sample_hz=HZ)
    finally:
        a.close()
        b.close()
    assert waited(rec, "pair-reader")["detail"] == "until readable"
