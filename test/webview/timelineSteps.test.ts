// Stepping through Hettinger's Trio crawler with `[` / `]` in real Chromium,
// the extension's store and bridge behind the page (liveHost.ts), as a
// protocol 1.4 runtime records it (open_tcp_stream's nurseries and
// connection attempts are Trio's own work). What a user found: with Hide
// system on, steps landed on Trio's internals and the bar read
// "trio._highlevel_open_tcp_stream.open_tcp_stream.<locals>.attempt_connect
// waits", "a task group closed" (a Trio run, and a hidden nursery), and
// "<init> opened a task group" three times over.
import assert from 'node:assert/strict';
import type { Harness } from './browser';
import { eachTestWithLiveHost, type LiveHost } from './liveHost';
import { hettingerOwnWork } from '../unit/hettingerOwnWork';

const eventText = async (h: Harness) => (await h.page.locator('.tl-event').textContent()) ?? '';

/** The bar's event once it reads other than `prev` (a step's answer came), or null when it does not within `ms`. */
async function nextText(h: Harness, prev: string, ms = 1500): Promise<string | null> {
  try {
    await h.page.waitForFunction(
      (p) => {
        const t = document.querySelector('.tl-event')?.textContent ?? '';
        return t !== '' && t !== p;
      },
      prev,
      { timeout: ms },
    );
  } catch {
    return null;
  }
  return eventText(h);
}

/** Presses `key` until the bar's event stops changing (or `max` presses), and returns what it said after each. */
async function stepAll(h: Harness, host: LiveHost, key: string, max: number, until?: string): Promise<string[]> {
  const said = [await eventText(h)];
  for (let k = 0; k < max && said.at(-1) !== until; k++) {
    await h.page.keyboard.press(key);
    await host.settle(10);
    const next = await nextText(h, said.at(-1)!);
    if (next === null) break;
    said.push(next);
  }
  return said;
}

describe('webview: the time cursor steps through the program, in its own words', () => {
  let h: Harness;
  let host: LiveHost | undefined;
  eachTestWithLiveHost({ width: 1000, height: 760 }, (page, live) => {
    h = page;
    host = live;
  });

  async function openCrawler(): Promise<void> {
    host!.openText(hettingerOwnWork());
    await host!.settle(300);
    assert.equal(await nextText(h, ''), 'crawl started', 'a recording opens at its first task');
    await h.page.locator('.tl-top-svg').focus();
  }

  it("with Hide system, ] goes from crawl's start to the run's end over Trio's own work, naming tasks as the tree does", async () => {
    await openCrawler();
    const said = await stepAll(h, host!, ']', 80);
    assert.deepEqual(
      said.filter((t) => /trio\.|<init>|TrioToken|attempt_connect|task group|own work/.test(t)),
      [],
      `no step about Trio's internals: ${said.join(' | ')}`,
    );
    assert.deepEqual(said.slice(0, 3), [
      'crawl started',
      'crawl opened a nursery',
      'fetch(https://www.yahoo.com) started',
    ]);
    assert.ok(said.includes("crawl's nursery closed"), said.join(' | '));
    assert.equal(said.at(-1), 'the run returned');
    // One step for each of the program's own events after its first, none read the same as the one before.
    assert.equal(said.length, 54, said.join(' | '));
    assert.deepEqual(h.errors, []);
  });

  it("without Hide system, Trio's steps read apart (init's three nurseries, ten attempt_connect); Hide system on says whose work it is", async () => {
    await openCrawler();
    await h.page.getByRole('button', { name: 'Hide system' }).click();
    await host!.settle(100);
    const back = await stepAll(h, host!, '[', 10);
    assert.deepEqual(back, [
      'crawl started',
      '<init> opened its 3rd nursery',
      '<init> opened its 2nd nursery',
      '<init> opened a nursery',
      '<init> is scheduled',
      '<init> started',
      'the run started',
      'the program connected',
      'the recording begins',
    ]);
    const on = await stepAll(h, host!, ']', 60, "fetch(http://www.cnbc.com/)'s nursery closed");
    const ends = on.filter((t) => t.endsWith(' returned'));
    assert.equal(ends.length, 10, on.join(' | '));
    assert.ok(
      ends.every((t) => /^attempt_connect in fetch\(http[^)]+\) returned$/.test(t)),
      `each attempt by the fetch it connects for: ${ends.join(' | ')}`,
    );
    assert.equal(new Set(ends).size, 10);
    assert.equal(on.at(-1), "fetch(http://www.cnbc.com/)'s nursery closed");

    await h.page.getByRole('button', { name: 'Hide system' }).click();
    assert.equal(
      await nextText(h, on.at(-1)!),
      "Trio's own work in fetch(http://www.cnbc.com/), hidden",
      'the moment stays; its event, hidden now, is said to be Trio at work',
    );
    const hidden = await eventText(h);
    await h.page.keyboard.press(']');
    await host!.settle(10);
    assert.match((await nextText(h, hidden)) ?? '', /^crawl waits/, 'the next step is the program again');
    assert.deepEqual(h.errors, []);
  });
});
