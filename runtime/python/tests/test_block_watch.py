"""The block watch between two holds of a loop, without a library: a block
the loop came back from, which no pump has ended (the loop's one pump after
it found the pump lock taken by the watching thread), must not hide the
next hold. A fresh-clone CI run missed a 1 s ``time.sleep`` so."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

from nursery_lens._core.blocks import BlockWatch, LoopBeat


def hold(release: threading.Event) -> None:
    release.wait()  # the "loop's thread", held: its stack is what a look samples


def test_a_hold_right_after_a_block_no_pump_ended_is_claimed_and_the_block_ended() -> None:
    release = threading.Event()
    loop = threading.Thread(target=hold, args=(release,), daemon=True)
    loop.start()
    try:
        beat = LoopBeat()
        m: Any = SimpleNamespace(run=1, source=SimpleNamespace(beat=beat), thread_id=loop.ident, tasks={}, t0=0)
        runs = {1: m}
        watch = BlockWatch(100)
        start = time.perf_counter()
        beat.at = start
        # Held 200 ms: the watching thread's look claims block 1 and reports it.
        now = start + 0.2
        assert watch.report_due(runs, now)
        lines: list[str] = []
        watch.look(runs, lines, now)
        assert len(lines) == 1, lines
        assert '"block":1' in lines[0]
        assert '"ongoing":true' in lines[0]
        # The loop comes back at 250 ms, and no pump ends block 1 (finish() does not run) ...
        beat.back(start + 0.25)
        # ... then it is held again, 150 ms on: the watcher must look, and its pump end 1 and claim 2.
        now = start + 0.4
        assert watch.next_look(runs, now) <= now, "the watcher looks at the new hold"
        assert watch.report_due(runs, now), "a new hold, behind a block no pump ended"
        lines = []
        watch.finish(runs, lines)  # what the watcher's pump (em.cycle) runs first ...
        watch.look(runs, lines, now)  # ... then this
        assert len(lines) == 2, lines
        assert '"block":1' in lines[0]
        assert '"ongoing":true' not in lines[0], "block 1's last report"
        assert '"duration":250' in lines[0], "block 1 ended where the loop came back"
        assert '"block":2' in lines[1]
        assert '"duration":150' in lines[1], "block 2 since the loop came back"
    finally:
        release.set()
        loop.join()
