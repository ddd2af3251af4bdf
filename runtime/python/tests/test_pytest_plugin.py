"""``pytest -p nursery_lens.pytest_plugin --nursery-lens-dump``: a test that hangs
prints its task tree before it is stopped.

Each case runs a real pytest in a subprocess (pytester) on a real Trio test
that hangs on an Event nobody sets, and one asyncio test the same way.
"""

from __future__ import annotations

import signal
import textwrap

import pytest

pytest_plugins = ("pytester",)

HANGING = textwrap.dedent("""
    import trio

    async def waiter(event):
        await event.wait()  # waiters wait here

    async def main(seconds):
        event = trio.Event()
        async with trio.open_nursery() as nursery:
            for _ in range(2):
                nursery.start_soon(waiter, event)
            with trio.move_on_after(seconds):
                await event.wait()
            event.set()

    def test_hangs():
        trio.run(main, 1000)

    def test_slow():
        trio.run(main, 3)
""")

PLUGIN = ("-p", "nursery_lens.pytest_plugin", "--nursery-lens-dump")


@pytest.fixture
def hanging(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_hang=HANGING)
    return pytester


def waiters_line(pytester: pytest.Pytester) -> str:
    lines = (pytester.path / "test_hang.py").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "waiters wait here" in text)
    return f"__main__.waiter ×2 · waiting @ test_hang.py:{line}".replace("__main__", "test_hang")


def title(test: str, seconds: str) -> str:
    return f"(test_hang.py::{test} ran past its timeout of {seconds}s)"


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="pytest-timeout's signal method needs SIGALRM")
def test_pytest_timeout_signal_method_prints_the_tree_then_fails_the_test(hanging: pytest.Pytester):
    r = hanging.runpytest_subprocess(*PLUGIN, "--timeout=1", "--timeout-method=signal", "-k", "hangs", timeout=60)
    r.assert_outcomes(failed=1, deselected=1)
    out = r.stdout.str()
    assert title("test_hangs", "1") in out
    assert waiters_line(hanging) in out
    assert "Failed: Timeout (>1.0s) from pytest-timeout" in out
    assert "\npytest · Trio " in out  # python -m pytest: its __main__.py's package
    # written before the test failed: pytest shows it with what the test wrote
    assert out.index("Captured stderr call") < out.index(waiters_line(hanging))


def test_pytest_timeout_thread_method_prints_the_tree_before_it_ends_the_process(hanging: pytest.Pytester):
    r = hanging.runpytest_subprocess(*PLUGIN, "--timeout=2", "--timeout-method=thread", "-k", "hangs", timeout=60)
    out = r.stdout.str() + r.stderr.str()
    assert r.ret != 0
    assert title("test_hangs", "2") in out
    assert waiters_line(hanging) in out
    # written before pytest-timeout ended the process: it shows it with what the test wrote
    assert out.index("+ Timeout +") < out.index("Captured stderr") < out.index(waiters_line(hanging))


def test_own_timeout_without_pytest_timeout_prints_the_tree_and_lets_the_test_go_on(hanging: pytest.Pytester):
    r = hanging.runpytest_subprocess(
        *PLUGIN, "-p", "no:timeout", "--nursery-lens-timeout=1", "-k", "slow", "-s", timeout=60
    )
    r.assert_outcomes(passed=1, deselected=1)
    out = r.stdout.str() + r.stderr.str()
    assert title("test_slow", "1") in out
    assert waiters_line(hanging) in out


def test_no_tree_for_a_test_that_ends_in_time(pytester: pytest.Pytester):
    pytester.makepyfile(
        test_quick="""
        import trio

        def test_quick():
            trio.run(trio.sleep, 0.2)
        """
    )
    r = pytester.runpytest_subprocess(*PLUGIN, "--timeout=5", "--nursery-lens-timeout=5", timeout=60)
    r.assert_outcomes(passed=1)
    assert "task tree" not in r.stdout.str() + r.stderr.str()


def test_without_the_option_the_plugin_stays_out_of_the_way(hanging: pytest.Pytester):
    r = hanging.runpytest_subprocess("-p", "nursery_lens.pytest_plugin", "--timeout=1", "-k", "hangs", timeout=60)
    r.assert_outcomes(failed=1, deselected=1)
    assert "task tree" not in r.stdout.str()
    assert (
        "--nursery-lens-dump" in hanging.runpytest_subprocess("-p", "nursery_lens.pytest_plugin", "--help").stdout.str()
    )


HANGING_ASYNCIO = textwrap.dedent("""
    import asyncio

    async def waiter(event):
        await event.wait()  # waiters wait here

    async def main():
        event = asyncio.Event()
        async with asyncio.TaskGroup() as group:  # the group
            for n in range(2):
                group.create_task(waiter(event), name=f"waiter-{n}")

    def test_hangs():
        asyncio.run(main())
""")


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="pytest-timeout's signal method needs SIGALRM")
def test_a_hanging_asyncio_test_prints_its_tree_then_fails(pytester: pytest.Pytester):
    pytester.makepyfile(test_hang=HANGING_ASYNCIO)
    r = pytester.runpytest_subprocess(*PLUGIN, "--timeout=1", "--timeout-method=signal", timeout=60)
    r.assert_outcomes(failed=1)
    out = r.stdout.str()
    lines = (pytester.path / "test_hang.py").read_text(encoding="utf-8").splitlines()
    at = {
        mark: next(i for i, text in enumerate(lines, 1) if mark in text) for mark in ("waiters wait here", "the group")
    }
    assert title("test_hangs", "1") in out
    assert "\npytest · asyncio " in out
    assert f"  TaskGroup @ test_hang.py:{at['the group']}" in out
    for n in range(2):
        assert f"    waiter-{n} · waiting @ test_hang.py:{at['waiters wait here']}" in out
    assert "Failed: Timeout (>1.0s) from pytest-timeout" in out
