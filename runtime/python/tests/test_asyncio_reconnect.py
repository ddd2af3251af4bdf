"""A collector restarted in the middle of an asyncio run gets a snapshot of
what lives, then the live stream: the tasks it never saw spawn are replayed
exactly as first announced (asyncio's default names, shown names, nursery,
site and function), so the new stream stands on its own."""

from __future__ import annotations

import json
import textwrap
import threading
from typing import TYPE_CHECKING

from collector import Collector, wait_for
from conftest import Recording, check_order
from test_transport import run

if TYPE_CHECKING:
    from pathlib import Path

PROGRAM = textwrap.dedent("""
    import asyncio

    async def sleeper(seconds):
        await asyncio.sleep(seconds)

    async def main():
        async with asyncio.TaskGroup() as tg:
            for _ in range(20):
                tg.create_task(sleeper(2.5))  # live across the restart, named by asyncio
            tg.create_task(sleeper(2.5), name="named")
            for _ in range(40):
                for _ in range(5):
                    tg.create_task(sleeper(0))
                await asyncio.sleep(0.05)

    asyncio.run(main())
""")


def test_a_restarted_collector_gets_the_live_asyncio_tasks_as_first_announced(tmp_path: Path):
    prog = tmp_path / "load.py"
    prog.write_text(PROGRAM, encoding="utf-8")
    first = Collector("kill_after", kill_after=60)
    holder = {}

    def restart():
        first._thread.join(20)
        holder["second"] = Collector("read", port=first.port)

    t = threading.Thread(target=restart)
    t.start()
    r, _ = run(prog, (), first.address)
    t.join()
    second = holder["second"]
    assert wait_for(lambda: second.done.is_set() or second.connections, 5)
    second.stop()
    second.wait()
    assert r.returncode == 0, r.stderr
    before = Recording(first.lines()).events
    after = Recording(second.lines()).events
    assert after[0]["reconnect"] == 1
    types = [e["type"] for e in after]
    begin, end = types.index("snapshot.begin"), types.index("snapshot.end")
    replayed = {e["id"] for e in after[begin:end] if e["type"] == "task.spawned"}
    sleepers = [
        e["id"]
        for e in before
        if e["type"] == "task.spawned" and (e.get("default_name") or e["name"] == "named") and e["id"] in replayed
    ]
    assert len(sleepers) >= 21, "the long sleepers, announced on the first connection, are replayed"
    # compared as text: what follows the id is the same, byte for byte (a
    # JSON reader would let a repeated key hide a garbled line)
    first_text, second_text = spawn_tails(first.lines()), spawn_tails(second.lines())
    for tid in sleepers:
        assert second_text[tid] == first_text[tid]
    assert '"default_name":"Task-' in first_text[sleepers[0]]
    check_order(after)
    assert after[-1]["type"] == "run.finished"


def spawn_tails(text: str) -> dict[int, str]:
    """id -> the text after ``"id":N`` of each task.spawned line (for a
    tasks.spawned line of asyncio's tasks, 1.3: its text after the shown
    name, with each task's default name where a task.spawned has it)."""
    out = {}
    for line in text.splitlines():
        if line.startswith('{"type":"task.spawned"'):
            tail = line.partition(',"id":')[2]
            digits = tail.split(",", 1)[0]
            out[int(digits)] = tail[len(digits) :]
        elif line.startswith('{"type":"tasks.spawned"') and '"default_names":' in line:
            batch = json.loads(line)
            shared = line[line.index(',"name":') :]
            _, end = json.JSONDecoder().raw_decode(shared, len(',"name":'))
            for i, default in enumerate(batch["default_names"]):
                out[batch["first"] + i] = shared[:end] + f',"default_name":"{default}"' + shared[end:]
    return out
