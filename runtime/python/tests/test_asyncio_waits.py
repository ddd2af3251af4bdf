"""What a waiting asyncio task waits for (``task.state.waits``): another task,
a gather, each of asyncio's primitives and sleep, in real asyncio runs."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import TYPE_CHECKING, Any

import pytest

from test_waits import HOLD, HZ, tid, waited, waits_of

if TYPE_CHECKING:
    from conftest import Recording


def run(arecord: Any, main: Any) -> Recording:
    return arecord(lambda: asyncio.run(main()), sample_hz=HZ)  # type: ignore[no-any-return]


async def cancel_after_hold(*tasks: asyncio.Task[Any]) -> None:
    await asyncio.sleep(HOLD)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def test_a_task_awaiting_a_task_names_it_as_holder(arecord):
    async def slow():
        await asyncio.Event().wait()

    async def awaiter(other):
        await other

    async def main():
        worker = asyncio.create_task(slow(), name="worker")
        waiting = asyncio.create_task(awaiter(worker), name="awaiter")
        await cancel_after_hold(worker, waiting)

    rec = run(arecord, main)
    w = waited(rec, "awaiter")
    assert (w["kind"], w["label"], w["holders"]) == ("task", "task worker", [tid(rec, "worker")])
    assert w["detail"] == "until it finishes"
    assert "wakes" not in w


def test_an_awaited_task_is_named_as_the_tree_names_it_not_by_its_variable(arecord):
    """``await warmer`` on a task named "warm cache" reads "task warm cache"
    (the tree's name for it); a task asyncio named ``Task-N`` reads as the
    tree shows it too (its function, with its module)."""

    async def slow():
        await asyncio.Event().wait()

    async def awaiter(other):
        await other

    async def main():
        warmer = asyncio.create_task(slow(), name="warm cache")
        unnamed = asyncio.create_task(slow())
        first = asyncio.create_task(awaiter(warmer), name="first")
        second = asyncio.create_task(awaiter(unnamed), name="second")
        await cancel_after_hold(warmer, unnamed, first, second)

    rec = run(arecord, main)
    assert waited(rec, "first")["label"] == "task warm cache"
    unnamed = rec.task(".slow")
    assert waited(rec, "second")["label"] == f"task {unnamed['name']}"
    assert waited(rec, "second")["holders"] == [unnamed["id"]]


def test_a_gather_names_its_children_still_running(arecord):
    async def quick():
        await asyncio.sleep(0)

    async def stuck():
        await asyncio.Event().wait()

    async def gatherer():
        await asyncio.gather(quick(), stuck(), stuck())

    async def main():
        g = asyncio.create_task(gatherer(), name="gatherer")
        await cancel_after_hold(g)

    rec = run(arecord, main)
    children = [e["id"] for e in rec.of("task.spawned") if e["name"] != "gatherer" and e["id"] != rec.main()["id"]]
    stuck_ids = [c for c in children if rec.exit(c)["outcome"] == "cancelled"]
    assert len(stuck_ids) == 2
    # the quick child finishes at once: the wait settles on the two stuck ones (a sample
    # taken once the cancel has ended one of them names one, or none: CI caught that race)
    cancelled_at = min(rec.exit(c)["ts"] for c in stuck_ids)
    gid = rec.task("gatherer")["id"]
    found = [e["waits"] for e in rec.of("task.state") if e["id"] == gid and e.get("waits") and e["ts"] < cancelled_at]
    w = found[-1]
    assert (w["kind"], w["label"]) == ("children", "gather")  # done when all are, as a nursery
    assert sorted(w["holders"]) == sorted(stuck_ids)
    assert w["detail"] == "2 of 3 still running"


def test_the_end_of_a_task_group_waits_for_its_children(arecord):
    async def stuck():
        await asyncio.Event().wait()

    async def owner():
        async with asyncio.TaskGroup() as tg:
            tg.create_task(stuck(), name="child")
        # the body ended: the owner waits in TaskGroup.__aexit__

    async def main():
        await cancel_after_hold(asyncio.create_task(owner(), name="owner"))

    rec = run(arecord, main)
    w = waited(rec, "owner")
    (group,) = [e for e in rec.of("nursery.opened") if e["task"] == tid(rec, "owner")]
    assert w == {"kind": "children", "obj": group["id"], "label": "TaskGroup", "detail": "until its children finish"}
    assert rec.task("child")["nursery"] == group["id"]


def test_lock_names_its_holder_and_waiters_share_it(arecord):
    async def waiter(db_lock):
        async with db_lock:
            pass

    async def main():
        db_lock = asyncio.Lock()
        await db_lock.acquire()  # main holds it (acquire, not async with: both are seen)
        one = asyncio.create_task(waiter(db_lock), name="waiter-1")
        two = asyncio.create_task(waiter(db_lock), name="waiter-2")
        await cancel_after_hold(one, two)

    rec = run(arecord, main)
    one, two = waited(rec, "waiter-1"), waited(rec, "waiter-2")
    assert (one["kind"], one["label"]) == ("lock", "Lock db_lock")
    assert one["obj"] == two["obj"]
    assert one["holders"] == [rec.main()["id"]] == two["holders"]
    last = [w for w in waits_of(rec, "waiter-1") if w is not None][-1]
    assert last["detail"] == "2 waiting"


def test_two_tasks_two_locks_hold_what_the_other_waits_for(arecord):
    async def transfer(src, dst, both, both_locked):
        async with src:
            both.append(src)
            if len(both) == 2:
                both_locked.set()
            await both_locked.wait()
            async with dst:  # the other transfer holds it
                pass

    async def main():
        alice_lock, bob_lock = asyncio.Lock(), asyncio.Lock()
        both: list[asyncio.Lock] = []
        both_locked = asyncio.Event()
        ab = asyncio.create_task(transfer(alice_lock, bob_lock, both, both_locked), name="alice->bob")
        ba = asyncio.create_task(transfer(bob_lock, alice_lock, both, both_locked), name="bob->alice")
        await cancel_after_hold(ab, ba)
        # cancelled in the middle of the wait: each let its own lock go, nobody holds one
        assert not alice_lock.locked()
        assert not bob_lock.locked()

    rec = run(arecord, main)
    ab, ba = waited(rec, "alice->bob"), waited(rec, "bob->alice")
    assert (ab["kind"], ab["label"], ab["holders"]) == ("lock", "Lock dst", [tid(rec, "bob->alice")])
    assert (ba["kind"], ba["label"], ba["holders"]) == ("lock", "Lock dst", [tid(rec, "alice->bob")])
    assert ab["obj"] != ba["obj"]
    assert "wakes" not in ab  # only the other task could wake it
    assert "until" not in ab


def test_a_lock_taken_before_the_runtime_began_reads_as_held_by_nobody_known():
    from nursery_lens._asyncio import lock_owners

    assert lock_owners.install()  # installed once per process (observe_asyncio did it)
    lock = asyncio.Lock()
    # a lock made before the runtime installed its property keeps asyncio's own flag
    del lock.__dict__["_nl_locked"]
    lock.__dict__["_locked"] = True
    assert lock.locked()
    assert lock_owners.owner(lock) is None
    lock.release()  # asyncio's release, through the property: from now on the lock is recorded
    assert not lock.locked()

    async def take() -> object:
        async with lock:
            return lock_owners.owner(lock)

    async def main() -> None:
        assert await take() is asyncio.current_task()
        assert lock_owners.owner(lock) is None

    asyncio.run(main())


def test_semaphores_event_and_condition(arecord):
    async def take(slots):
        async with slots:
            pass

    async def wait_event(ready):
        await ready.wait()

    async def wait_cond(cond):
        async with cond:
            await cond.wait()

    async def main():
        slots = asyncio.BoundedSemaphore(1)
        plain = asyncio.Semaphore(0)
        ready = asyncio.Event()
        cond = asyncio.Condition()
        await slots.acquire()
        tasks = [
            asyncio.create_task(take(slots), name="bounded"),
            asyncio.create_task(take(plain), name="plain"),
            asyncio.create_task(wait_event(ready), name="event"),
            asyncio.create_task(wait_cond(cond), name="cond"),
        ]
        await asyncio.sleep(HOLD)
        # notify while holding the lock: the waiter then waits for the lock
        async with cond:
            cond.notify()
            await asyncio.sleep(HOLD)
        await cancel_after_hold(*tasks)

    rec = run(arecord, main)
    b = waited(rec, "bounded")
    assert (b["kind"], b["label"], b["detail"]) == (
        "semaphore",
        "BoundedSemaphore slots",
        "value 0 of at most 1; 1 waiting",
    )
    assert b["holders"] == [rec.main()["id"]]  # main took it with acquire()
    p = waited(rec, "plain")
    assert (p["kind"], p["label"], p["detail"]) == ("semaphore", "Semaphore slots", "value 0; 1 waiting")
    assert p["holders"] == []  # made at 0: nobody took it
    e = waited(rec, "event")
    assert (e["kind"], e["label"], e["detail"]) == ("event", "Event ready", "until set() is called")
    states = [w for w in waits_of(rec, "cond") if w is not None]
    assert (states[0]["kind"], states[0]["label"]) == ("condition", "Condition cond")
    assert any(w["kind"] == "lock" for w in states[1:]), states


def test_a_semaphore_names_the_tasks_that_took_it_as_it_passes_from_one_to_the_next(arecord):
    """Hettinger's limit with asyncio: at most two fetches at once. The
    others wait on the Semaphore "taken by" the two inside it; when one
    leaves, the next waiter holds it, and the last waiter says so."""
    done = {name: asyncio.Event() for name in ("a", "b", "c", "d")}

    async def fetch(name, limit):
        async with limit:
            await done[name].wait()

    async def main():
        limit = asyncio.Semaphore(2)
        tasks = [asyncio.create_task(fetch(n, limit), name=f"fetch {n}") for n in "abcd"]
        await asyncio.sleep(HOLD)
        done["a"].set()  # a leaves: c takes its place
        await asyncio.sleep(HOLD)
        await cancel_after_hold(*tasks)

    rec = run(arecord, main)
    a, b, c = (tid(rec, f"fetch {n}") for n in "abc")
    seen = [w for w in waits_of(rec, "fetch d") if w is not None]
    assert {w["label"] for w in seen} == {"Semaphore limit"}
    holders = [w["holders"] for w in seen]
    assert holders[0] == [a, b], holders
    assert holders[-1] == [b, c], holders
    assert set(map(tuple, holders)) <= {(a, b), (b, c)}, "never a task that does not hold it"
    first = next(w for w in waits_of(rec, "fetch c") if w is not None)
    assert first["holders"] == [a, b]


def test_semaphore_holders_follow_handoffs_releases_by_others_and_cancelled_waiters():
    """The bookkeeping itself, in one real loop: a free semaphore taken, a
    release handing it to the first waiter, a release by a task that did not
    take it (the longest holder lets go), a woken waiter cancelled before it
    ran (it gives its place back), and a semaphore made before the runtime."""
    from nursery_lens._asyncio import semaphore_holders as sh

    assert sh.install()  # installed once per process (observe_asyncio did it)

    async def main() -> None:
        me = asyncio.current_task()
        sem = asyncio.Semaphore(1)
        await sem.acquire()
        assert sh.holders(sem) == [me]

        async def take() -> None:
            await sem.acquire()

        waiter = asyncio.create_task(take(), name="waiter")
        await asyncio.sleep(0)
        sem.release()  # handed over: the waiter holds it before it runs
        assert sh.holders(sem) == [waiter]
        await waiter

        async def release_for_it() -> None:
            sem.release()

        await asyncio.create_task(release_for_it())  # not a holder: the longest holder lets go
        assert sh.holders(sem) == []

        await sem.acquire()
        late = asyncio.create_task(take(), name="late")
        await asyncio.sleep(0)
        sem.release()  # woken...
        assert sh.holders(sem) == [late]
        late.cancel()  # ...and cancelled before it ran: its place goes back
        await asyncio.gather(late, return_exceptions=True)
        assert sh.holders(sem) == []
        assert sem._value == 1

        old = asyncio.Semaphore(1)
        del old.__dict__["_nl_value"], old.__dict__["_nl_holders"]
        old.__dict__["_value"] = 0  # as a semaphore taken before install keeps it
        assert old.locked()
        old.release()
        assert sh.holders(old) is None, "who took it before is not known, so none is named"
        assert not old.locked()

    asyncio.run(main())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_child_forked_inside_a_task_names_no_holder_from_its_parent():
    """A process forked while its loop runs a task is running neither: a
    Lock it takes outside any loop has no owner (not the parent's task)."""
    from nursery_lens._asyncio import current, lock_owners

    assert lock_owners.install()

    async def main() -> int:
        current.THREAD.loop = asyncio.get_running_loop()  # as the runtime's _set_running_loop notes it
        assert current.reader()() is asyncio.current_task()
        pid = os.fork()
        if pid == 0:  # the child: no loop runs here
            lock = asyncio.Lock()
            ok = current.reader()() is None and lock._locked is False
            lock._locked = True
            os._exit(0 if ok and lock_owners.owner(lock) is None else 1)
        return pid

    try:
        assert os.waitstatus_to_exitcode(os.waitpid(asyncio.run(main()), 0)[1]) == 0
    finally:
        current.THREAD.__dict__.pop("loop", None)


def test_queue_says_which_end_and_how_full(arecord):
    async def get_one(inbox):
        await inbox.get()

    async def put_one(outbox):
        await outbox.put("y")

    async def main():
        inbox: asyncio.Queue[str] = asyncio.Queue()
        outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=2)
        outbox.put_nowait("a")
        outbox.put_nowait("b")
        getter = asyncio.create_task(get_one(inbox), name="getter")
        putter = asyncio.create_task(put_one(outbox), name="putter")
        await cancel_after_hold(getter, putter)

    rec = run(arecord, main)
    g = waited(rec, "getter")
    assert (g["kind"], g["label"], g["detail"]) == ("receive", "Queue inbox", "empty; 1 waiting to get")
    p = waited(rec, "putter")
    assert (p["kind"], p["label"], p["detail"]) == ("send", "Queue outbox", "full (2/2); 1 waiting to put")
    assert g["obj"] != p["obj"]


def test_sleep_and_timeouts_say_when_the_task_wakes(arecord):
    async def nap():
        await asyncio.sleep(30)

    async def bounded():
        async with asyncio.timeout(20):
            await asyncio.Event().wait()

    async def main():
        await cancel_after_hold(asyncio.create_task(nap(), name="nap"), asyncio.create_task(bounded(), name="bounded"))

    rec = run(arecord, main)
    n = waited(rec, "nap")
    assert (n["kind"], n["label"], n["wakes"]) == ("sleep", "asyncio.sleep", True)
    assert 29_000 < n["until"] < 31_000
    b = waited(rec, "bounded")
    assert (b["kind"], b["wakes"]) == ("event", True)
    assert 19_000 < b["until"] < 21_000


def test_asyncio_wait_names_the_tasks_and_two_such_waits_are_a_cycle(arecord):
    # (two tasks awaiting each other directly are a cycle too, but asyncio cannot
    # cancel them: Task.cancel() recurses through each one's awaited task forever)
    async def wait_for_other(tasks, other):
        await asyncio.sleep(0.01)  # both exist by then
        await asyncio.wait([tasks[other]])

    async def main():
        tasks: dict[str, asyncio.Task[None]] = {}
        tasks["a"] = asyncio.create_task(wait_for_other(tasks, "b"), name="a")
        tasks["b"] = asyncio.create_task(wait_for_other(tasks, "a"), name="b")
        timed = asyncio.create_task(
            asyncio.wait([tasks["a"]], timeout=20, return_when=asyncio.FIRST_COMPLETED), name="timed"
        )
        await cancel_after_hold(tasks["a"], tasks["b"], timed)

    rec = run(arecord, main)
    # (a loaded machine may sample either first in its 10 ms sleep)
    a, b = (next(w for w in waits_of(rec, n) if w and w["label"] == "asyncio.wait") for n in "ab")
    assert (a["kind"], a["label"], a["holders"]) == ("future", "asyncio.wait", [tid(rec, "b")])
    assert (b["kind"], b["holders"], b["detail"]) == ("future", [tid(rec, "a")], "for all of 1 to finish")
    assert "wakes" not in a
    t = waited(rec, "timed")
    assert (t["holders"], t["wakes"], t["detail"]) == ([tid(rec, "a")], True, "for the first of 1 to finish")
    assert 19_000 < t["until"] < 21_000


def test_a_stream_read_says_whom_it_reads_from_and_to_thread_what_runs(arecord):
    import threading

    release = threading.Event()

    def crunch() -> None:
        release.wait(5)

    async def read_one(reader):
        await reader.readline()

    async def in_thread():
        await asyncio.to_thread(crunch)

    accepted: list[asyncio.StreamWriter] = []

    async def main():
        server = await asyncio.start_server(lambda r, w: accepted.append(w), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        reading = asyncio.create_task(read_one(reader), name="reading")
        crunching = asyncio.create_task(in_thread(), name="crunching")
        await asyncio.sleep(HOLD)
        release.set()
        await crunching
        reading.cancel()
        for w in [writer, *accepted]:
            w.close()
            await w.wait_closed()
        server.close()
        await server.wait_closed()
        return port

    ports: list[int] = []
    rec = arecord(lambda: ports.append(asyncio.run(main())), sample_hz=HZ)
    r = waited(rec, "reading")
    assert (r["kind"], r["label"], r["wakes"]) == ("io", "asyncio stream", True)
    assert r["detail"] == f"reads from 127.0.0.1:{ports[0]}"
    t = waited(rec, "crunching")
    assert (t["kind"], t["label"], t["wakes"]) == ("thread", "asyncio.to_thread", True)
    assert t["detail"] == f"runs {crunch.__qualname__}() in a worker thread"


def test_the_loops_socket_calls_say_whom_they_read_from_or_accept_on(arecord):
    import socket

    async def read_one(loop, sock):
        await loop.sock_recv(sock, 1)  # a bare future the selector completes: "Future" without its frame

    async def accept_one(loop, sock):
        await loop.sock_accept(sock)

    async def main(server, client):
        loop = asyncio.get_running_loop()
        reading = asyncio.create_task(read_one(loop, client), name="reading")
        accepting = asyncio.create_task(accept_one(loop, server), name="accepting")
        await cancel_after_hold(reading, accepting)

    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client, server.accept()[0]:
            server.setblocking(False)
            client.setblocking(False)
            rec = arecord(lambda: asyncio.run(main(server, client)), sample_hz=HZ)
    r = waited(rec, "reading")
    assert r == {"kind": "io", "label": "socket", "wakes": True, "detail": f"reads from 127.0.0.1:{port}"}
    a = waited(rec, "accepting")
    assert a == {"kind": "io", "label": "socket", "wakes": True, "detail": f"accepts connections on 127.0.0.1:{port}"}


def test_run_in_executor_says_what_runs_in_the_worker_and_what_waits_for_one(arecord):
    import concurrent.futures
    import functools
    import threading

    release = threading.Event()

    def crunch(n: int) -> None:
        release.wait(5)

    async def offloaded(pool):
        await asyncio.get_running_loop().run_in_executor(pool, functools.partial(crunch, 1))

    async def main():
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            first = asyncio.create_task(offloaded(pool), name="offloaded")
            queued = asyncio.create_task(offloaded(pool), name="queued")  # the one worker is busy
            await asyncio.sleep(HOLD)
            release.set()
            await asyncio.gather(first, queued)

    rec = run(arecord, main)
    w = waited(rec, "offloaded")
    assert (w["kind"], w["label"], w["wakes"]) == ("thread", "run_in_executor", True)
    assert w["detail"] == f"runs {crunch.__qualname__}() in a worker thread"
    q = waited(rec, "queued")
    assert (q["kind"], q["label"], q["detail"]) == ("thread", "run_in_executor", "queued for an executor's worker")


def _nap(seconds: float) -> None:
    """Runs in a worker process (a module-level function: it is pickled)."""
    time.sleep(seconds)


def test_run_in_executor_on_a_process_pool_says_its_call_runs_in_a_worker(arecord):
    # the work item lives in the other process: no thread here shows what runs
    import concurrent.futures
    import multiprocessing

    async def main():
        ctx = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(pool, _nap, 0)  # the worker process is up
            await asyncio.create_task(offloaded(loop, pool), name="offloaded")

    async def offloaded(loop, pool):
        await loop.run_in_executor(pool, _nap, HOLD * 2)

    rec = run(arecord, main)
    found = [w for w in waits_of(rec, "offloaded") if w is not None]
    assert found, "offloaded said what it waits for"
    assert all((w["kind"], w["label"]) == ("thread", "run_in_executor") for w in found), found
    # (a first look may come while the pool's thread has not yet handed the call over: "queued for")
    assert found[-1]["detail"] == "runs in an executor's worker", found


def test_wait_for_names_the_task_it_waits_for_and_when_it_gives_up(arecord):
    async def slow():
        await asyncio.Event().wait()

    async def bounded():
        await asyncio.wait_for(slow(), timeout=20)

    async def main():
        await cancel_after_hold(asyncio.create_task(bounded(), name="bounded"))

    rec = run(arecord, main)
    w = waited(rec, "bounded")
    if sys.version_info < (3, 12):  # wait_for runs the coroutine as a task of its own, and waits for it
        (inner,) = [e["id"] for e in rec.of("task.spawned") if e.get("parent") == tid(rec, "bounded")]
        assert (w["kind"], w["holders"], w["wakes"]) == ("task", [inner], True)
    else:  # 3.12+ awaits it in an asyncio.timeout: the Event it waits on, and the deadline
        assert (w["kind"], w["wakes"]) == ("event", True)
    assert 19_000 < w["until"] < 21_000
