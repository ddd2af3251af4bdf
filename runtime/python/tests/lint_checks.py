"""What a user sees of each lint, checked alike for Trio (``test_lints``)
and asyncio (``test_asyncio_lints``): each runs its own library's program,
these say what its recording must show."""

from __future__ import annotations

from typing import Any, Callable

import pytest


def blocks_of(rec: Any, final_only: bool = False) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = rec.of("loop.blocked")
    return [b for b in out if not b.get("ongoing")] if final_only else out


def check_spin_blocked_the_loop(rec: Any, line: int) -> None:
    """Task ``spin`` held the loop 350 ms at ``line`` (threshold 100 ms):
    reported while it lasted, soon after the threshold, and once when it ended."""
    tid = rec.task("spin")["id"]
    reports = blocks_of(rec)
    ongoing = [b for b in reports if b.get("ongoing")]
    final = blocks_of(rec, final_only=True)
    assert ongoing, "reported while it lasted"
    assert len(final) == 1, reports
    assert {b["block"] for b in reports} == {final[0]["block"]} == {1}
    for b in reports:
        assert b["task"] == tid
        assert b["at"]["line"] == line
        assert b["at"]["function"] == "spin"
    assert 100 <= ongoing[0]["duration"] < 300, ongoing[0]
    assert ongoing[0]["ts"] < final[0]["ts"]
    assert 340 <= final[0]["duration"] < 600, final[0]
    assert final[0]["since"] + final[0]["duration"] == pytest.approx(final[0]["ts"], abs=0.01)


def check_fetch_never_awaited(rec: Any, shown: list[Any], line: int, fetch: Callable[..., Any]) -> None:
    """Task ``worker`` called ``fetch`` at ``line`` without awaiting it: one
    warning names the line, the function never run and the task, and the
    program's own RuntimeWarning is still shown (``shown``)."""
    (w,) = rec.of("warning")
    assert w["kind"] == "never_awaited"
    assert w["category"] == "RuntimeWarning"
    assert w["message"] == "coroutine 'fetch' was never awaited"
    assert w["site"]["line"] == line
    assert w["site"]["function"] == "worker"
    code = fetch.__code__
    assert w["func"] == {"file": code.co_filename, "line": code.co_firstlineno, "function": "fetch"}
    assert w["task"] == rec.task("worker")["id"]
    assert any("was never awaited" in str(s.message) for s in shown), "the program's warning is shown as before"


def watch_scans(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records each scan of a run's live tasks for the one running a frame
    (what a lint falls back to when the loop cannot say which task it runs)."""
    from nursery_lens._core import running

    calls: list[Any] = []
    real = running._scan

    def scan(source: Any, frame: Any) -> int | None:
        calls.append(frame)
        return real(source, frame)

    monkeypatch.setattr(running, "_scan", scan)
    return calls
