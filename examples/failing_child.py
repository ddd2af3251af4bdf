"""A failing child cancels its siblings (and their children).

    python failing_child.py [--fail-after SECONDS]

What to look at in the Nursery Lens panel:
  * the main task owns one nursery with four children: `check config`,
    `download`, `parse feed` and `uploader`; `uploader` owns a nursery of
    its own with two `upload chunk N` tasks;
  * `check config` returns early (returned);
  * after 0.3 s `parse feed` raises ValueError (raised, with the message);
  * that failure cancels everything else still running in the nursery: the
    `download` sibling and, one level down, the `uploader` and both chunk
    uploads (cancelled: a sibling failed);
  * the main task catches the ValueError from the nursery's exception group
    and returns normally; the program exits with status 1 to say the job failed.

Output is deterministic: the siblings record their cancellation and main
prints them in a fixed order once the nursery has closed.
"""

from __future__ import annotations

import argparse
import sys

import trio

cancelled: list[str] = []


async def check_config() -> None:
    await trio.sleep(0.1)
    print("check config: ok", flush=True)


async def download(seconds: float) -> None:
    try:
        await trio.sleep(seconds)  # would take far longer than the feed parser
        print("download: finished", flush=True)
    except trio.Cancelled:
        cancelled.append("download")
        raise  # a Cancelled must always be re-raised


async def parse_feed(fail_after: float) -> None:
    await trio.sleep(fail_after)
    print("parse feed: item 3 has no date, raising ValueError", flush=True)
    raise ValueError("feed item 3 has no date")


async def upload_chunk(index: int) -> None:
    try:
        await trio.sleep(10)
    except trio.Cancelled:
        cancelled.append(f"upload chunk {index}")
        raise


async def uploader() -> None:
    # Cancelling this task cancels its nursery's children too; what comes out
    # of the nursery is then a group of Cancelled, which Trio absorbs at the
    # scope that was cancelled (main's nursery).
    async with trio.open_nursery() as nursery:
        for index in range(2):
            nursery.start_soon(upload_chunk, index, name=f"upload chunk {index}")


async def main(fail_after: float) -> int:
    failed = False
    try:
        # strict_exception_groups=True is the default from Trio 0.25 on;
        # spelled out so Trio 0.22 behaves the same.
        async with trio.open_nursery(strict_exception_groups=True) as nursery:
            nursery.start_soon(check_config, name="check config")
            nursery.start_soon(download, 10.0, name="download")
            nursery.start_soon(parse_feed, fail_after, name="parse feed")
            nursery.start_soon(uploader, name="uploader")
    except* ValueError as group:
        for error in group.exceptions:
            print(f"main: the nursery raised {type(error).__name__}: {error}")
        failed = True
    print(f"main: cancelled by the failure: {', '.join(sorted(cancelled)) or 'nothing'}")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A failing child cancels its siblings.")
    parser.add_argument("--fail-after", type=float, default=0.3, help="seconds before `parse feed` raises (default 0.3)")
    args = parser.parse_args()
    sys.exit(trio.run(main, args.fail_after))
