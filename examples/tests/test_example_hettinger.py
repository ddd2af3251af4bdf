"""Hettinger's example, all three versions, as real subprocesses against the stand-in server."""

from __future__ import annotations

import ast
import re
import subprocess

import pytest

from example_process import HETTINGER, ctrl_c, run, start

import http_body  # noqa: E402  (examples/hettinger, put on sys.path by example_process)
import sites  # noqa: E402
from in_flight import InFlight  # noqa: E402

PROGRAMS = ["trio_way.py", "asyncio_way.py", "threads.py"]
WITH_LIMITER = ["trio_way.py", "asyncio_way.py"]
SUMMARY = re.compile(r"^14 sites in [0-9.]+ s, at most (\d+) fetches at once \(limit (\d+)\)$", re.M)


def results(stdout: str) -> list[tuple[str, int]]:
    """The (url, size) lines, parsed back into tuples."""
    return [ast.literal_eval(line) for line in stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("program", PROGRAMS)
def test_every_site_prints_once_with_its_size(program: str) -> None:
    done = run(HETTINGER / program)
    assert done.returncode == 0, done.stderr
    got = results(done.stdout)
    assert sorted(got) == sorted(sites.SIZES.items())
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("program", PROGRAMS)
def test_ordered_prints_in_input_order(program: str) -> None:
    done = run(HETTINGER / program, "--ordered")
    assert done.returncode == 0, done.stderr
    assert results(done.stdout) == [(url, sites.SIZES[url]) for url in sites.URLS]


@pytest.mark.parametrize("program", WITH_LIMITER)
@pytest.mark.parametrize("limit", [10, 3])
def test_limit_is_reached_and_never_exceeded(program: str, limit: int) -> None:
    # The program raises AssertionError itself if more than `limit` fetches
    # are ever in flight (in_flight.py); the summary says how many there were.
    done = run(HETTINGER / program, "--limit", str(limit))
    assert done.returncode == 0, done.stderr
    summary = SUMMARY.search(done.stderr)
    assert summary, done.stderr
    assert (int(summary.group(1)), int(summary.group(2))) == (limit, limit)
    assert sorted(results(done.stdout)) == sorted(sites.SIZES.items())


def test_limit_of_one_fetches_one_at_a_time() -> None:
    done = run(HETTINGER / "trio_way.py", "--limit", "1", speed=20)
    assert done.returncode == 0, done.stderr
    assert "at most 1 fetches at once (limit 1)" in done.stderr


def test_in_flight_counter_fails_loudly_past_the_limit() -> None:
    counter = InFlight(2)
    with counter.fetching("a"), counter.fetching("b"):
        with pytest.raises(AssertionError, match=r"3 fetches in flight when c started, but --limit is 2"):
            with counter.fetching("c"):
                pass
    assert (counter.now, counter.most) == (0, 3)


@pytest.mark.parametrize("program", PROGRAMS)
def test_timeout_reports_what_finished_and_what_did_not(program: str) -> None:
    # Speed 0.5: delays 0.4-2.4 s. At 1.2 s facebook (0.4 s) has answered and
    # jython (2.4 s) has not, whatever order the tasks started in, with
    # margins wide enough for a busy machine.
    done = run(HETTINGER / program, "--timeout", "1.2", speed=0.5)
    assert done.returncode == 1, done.stderr
    match = re.search(r"^timed out after 1.2 s: (\d+) of 14 sites unfinished: (.*)$", done.stderr, re.M)
    assert match, done.stderr
    unfinished = match.group(2).split()
    printed = results(done.stdout)
    assert int(match.group(1)) == len(unfinished)
    assert all(size == sites.SIZES[url] for url, size in printed)
    assert {url for url, _ in printed} | set(unfinished) == set(sites.URLS)
    assert "http://www.jython.org" in unfinished
    if program != "threads.py":  # imap_unordered waits on the pool, not per site
        assert ("http://www.facebook.com", 61_570) in printed
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("program", PROGRAMS)
def test_ctrl_c_cancels_cleanly(program: str) -> None:
    def launch() -> tuple[subprocess.Popen[str], str]:
        process = start(HETTINGER / program, speed=1)
        first = process.stdout.readline() if process.stdout else ""
        assert first.startswith("("), first  # the crawl is under way: fetches in flight
        return process, first

    code, out, err = ctrl_c(launch, trio=program == "trio_way.py")
    assert code == 130, err
    assert "Traceback" not in err
    assert "interrupted" in err
    assert len(results(out)) < 14


def test_a_fetch_that_finishes_after_the_crawl_stopped_listening_returns_quietly() -> None:
    # On Ctrl-C the crawl closes its end of the channel while fetches are
    # still finishing. A fetch that then raised BrokenResourceError would
    # fail the nursery while the crawl is still closing its channel; the
    # Cancelled that follows replaces the crawl's KeyboardInterrupt, and the
    # program ended with a BrokenResourceError traceback instead of
    # "interrupted" (about 1 Ctrl-C in 300 under the runtime's timing).
    import trio

    import trio_way

    url = sites.URLS[0]

    async def main() -> None:
        send, receive = trio.open_memory_channel(0)
        receive.close()  # the crawl has stopped listening
        with sites.serve_sites(speed=50) as local:
            assert await trio_way.fetch(url, trio.CapacityLimiter(1), send, InFlight(1), local) is None

    trio.run(main)


@pytest.mark.parametrize("program", WITH_LIMITER)
def test_bad_limit_is_refused(program: str) -> None:
    done = run(HETTINGER / program, "--limit", "0")
    assert done.returncode == 2
    assert "--limit must be at least 1" in done.stderr


def test_body_counter_handles_every_split_of_a_chunked_response() -> None:
    body = b"x" * 300
    wire = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n%s\r\n" % (100, body[:100])
        + b"%x;ext=1\r\n%s\r\n" % (200, body[100:])
        + b"0\r\nTrailer: yes\r\n\r\n"
    )
    for step in (1, 2, 7, len(wire)):
        counter = http_body.BodyCounter()
        for start_at in range(0, len(wire), step):
            counter.feed(wire[start_at : start_at + step])
        assert (counter.status, counter.size, counter.complete) == (200, 300, True)


def test_body_counter_rejects_a_body_cut_short() -> None:
    counter = http_body.BodyCounter()
    counter.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345")
    with pytest.raises(http_body.ProtocolError, match="after 5 body bytes"):
        counter.eof()


def test_stand_in_pages_have_the_listed_sizes() -> None:
    assert len(sites.SITES) == 14
    assert all(len(sites.page(site)) == site.size for site in sites.SITES)
