// The product's showcase, live: Hettinger's Trio crawler (test/fixtures,
// recorded with the real runtime) replayed through the store up to the moment
// ten fetches are at work and four are queued. What a user must be able to
// read at a glance: which site each task fetches, where each one waits, and
// which ones wait at the same place; and Fit must show all of it.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { Harness, openSession, repoRoot, type Session, type Theme } from './browser';
import type { HostMessage } from '../../contract/messages';
import type { WaitInfo } from '../../contract/rows';
import { eventsOf, LiveRun, readStream, runsMessage } from './streams';
import { prologue } from './synthetic';

const SHOTS = join(repoRoot, 'screenshots', 'webview');
type Ev = Record<string, unknown>;
interface At {
  file: string;
  line: number;
  function: string;
}

const events = eventsOf(readStream('test/fixtures/hettinger_trio.ndjson'));
// Everything up to the first fetch of the second wave: 10 fetches in page_size, 4 queued.
// (That fetch's connection nursery is the first nursery opened after a sample
// of the fetches; the runtime may also sample Trio's init task at the start.)
const fetchIds = new Set(
  events.filter((e) => e.type === 'task.spawned' && String(e.name).startsWith('fetch(')).map((e) => e.id),
);
const stop = events.findIndex(
  (e, i) =>
    i > 0 &&
    e.type === 'nursery.opened' &&
    events.slice(0, i).some((x) => x.type === 'task.state' && fetchIds.has(x.id)),
);
const shown = events.slice(0, stop);
const fetches = new Map<number, string>(
  shown
    .filter((e) => e.type === 'task.spawned' && String(e.name).startsWith('fetch('))
    .map((e) => [e.id as number, e.name as string]),
);
const waitsAt = new Map<number, At>();
for (const e of shown)
  if (e.type === 'task.state' && e.state === 'waiting' && e.at && fetches.has(e.id as number))
    waitsAt.set(e.id as number, e.at as At);

function showcase(): LiveRun {
  return new LiveRun('live-hettinger', 'Hettinger: the Trio way').feed(shown);
}

const fetchNode = (h: Harness, name: string): Locator =>
  h.page.locator(`g.node[aria-label^=${JSON.stringify(`task ${name},`)}]`);

/** Screen boxes of every node's marker and label. */
async function boxes(h: Harness) {
  return h.page.$$eval('g.node', (els) =>
    els.map((el) => {
      const g = el as SVGGElement;
      const shape = g.querySelector('.shape')!.getBoundingClientRect();
      const text = g.querySelector('text')!.getBoundingClientRect();
      return {
        key: g.dataset.key!,
        name: g.querySelector('tspan.name')?.textContent ?? '',
        shape: { x0: shape.left, x1: shape.right, y: (shape.top + shape.bottom) / 2 },
        text: { x0: text.left, x1: text.right, y0: text.top, y1: text.bottom },
      };
    }),
  );
}

describe('webview: the Hettinger showcase (live)', function () {
  let s: Session;

  before(async () => {
    assert.ok(stop > 0 && fetches.size === 14 && waitsAt.size === 14, 'the fixture holds the showcase moment');
    s = await openSession();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => s?.close());

  it('labels keep the whole site; await labels read function:line; tasks waiting at one place share a mark', async () => {
    const h = await Harness.open(s, { width: 1100, height: 570 });
    await h.send(runsMessage([showcase().state]), showcase().snapshot());
    const marks = new Map<string, string>();
    for (const [id, name] of fetches) {
      const node = fetchNode(h, name);
      assert.equal(await node.locator('tspan.name').textContent(), name, 'the site is not cut away');
      const at = waitsAt.get(id)!;
      assert.equal((await node.locator('tspan.extra').textContent())!.trim(), `${at.function}:${at.line}`);
      assert.match(
        (await node.getAttribute('aria-label'))!,
        new RegExp(`waiting, at trio_way\\.py:${at.line} in ${at.function}`),
      );
      const mark = node.locator('path.site-mark');
      const look = `${await mark.getAttribute('d')}|${await mark.getAttribute('class')}`;
      assert.ok(/tint-\d/.test(look), 'a tinted mark');
      const key = `${at.file}:${at.line}`;
      if (marks.has(key))
        assert.equal(look, marks.get(key), `${name} shares the mark of the tasks waiting at ${at.function}:${at.line}`);
      marks.set(key, look);
    }
    assert.equal(marks.size, 2, 'two await sites: page_size (working) and fetch (queued for the limiter)');
    const [a, b] = [...marks.values()].map((v) => v.split('|'));
    assert.notEqual(a[0], b[0], 'different sites: different shapes (colour is never alone)');
    assert.notEqual(a[1], b[1], 'and different tints');

    // No label runs into the next column: a label ends left of every marker to its right on its row.
    const all = await boxes(h);
    for (const p of all) {
      for (const q of all) {
        if (q.shape.x0 <= p.shape.x0 + 1 || q.shape.y < p.text.y0 || q.shape.y > p.text.y1) continue;
        assert.ok(p.text.x1 < q.shape.x0, `label "${p.name}" (ends ${p.text.x1}) clears the node at ${q.shape.x0}`);
      }
    }

    // The hover card says where it waits, in words and in full, and what the mark means.
    const queued = [...fetches].find(([id]) => waitsAt.get(id)!.function === 'fetch')!;
    await fetchNode(h, queued[1]).locator('tspan.name').hover();
    await h.page.waitForSelector('.tooltip:not([hidden])');
    const card = (await h.page.locator('.tooltip').textContent())!;
    const at = waitsAt.get(queued[0])!;
    assert.match(card, new RegExp(`waits at fetch:${at.line} in trio_way\\.py`));
    assert.ok(card.includes(`${at.file}:${at.line}`));
    assert.match(card, /Tasks with this mark wait at the same place/);
    assert.equal(await h.page.locator('.tooltip svg.site-mark').count(), 1, 'with the mark itself');
    const card0 = (await h.page.locator('.tooltip').boundingBox())!;
    assert.ok(card0.y + card0.height <= 570, 'the card stays inside the panel');
    assert.deepEqual(h.errors, []);
    await h.page.close();
  });

  it('a long name is cut so its site survives, and its column widens instead of overlapping', async () => {
    const h = await Harness.open(s, { width: 1100, height: 570 });
    const site = { file: '/home/user/app/swarm.py', line: 12, function: 'main' };
    const names = [
      'fetch(https://www.a-rather-long-hostname-for-a-web-site.example.org/some/page)',
      'fetch(https://www.another-long-hostname-for-a-web-site.example.org/some/page)',
      'short',
    ];
    const run = new LiveRun('long', 'long.py').feed([
      ...prologue(),
      ...names.map((name, i): Ev => ({
        type: 'task.spawned',
        run: 1,
        ts: 2,
        id: 10 + i,
        name,
        nursery: 4,
        system: false,
        site,
      })),
      { type: 'nursery.opened', run: 1, ts: 3, id: 20, task: 12, site },
      { type: 'task.spawned', run: 1, ts: 3, id: 21, name: 'child', nursery: 20, system: false, site },
      ...names.map((_, i): Ev => ({
        type: 'task.state',
        run: 1,
        ts: 4,
        id: 10 + i,
        state: 'waiting',
        at: { file: '/home/user/app/net.py', line: 40 + i, function: 'get' },
      })),
    ]);
    await h.send(runsMessage([run.state]), run.snapshot());
    const labels = await Promise.all(names.slice(0, 2).map((n) => fetchNode(h, n).locator('tspan.name').textContent()));
    assert.match(labels[0]!, /^fetch\(…a-rather-long-hostname/);
    assert.match(labels[1]!, /^fetch\(…another-long-hostname/);
    // The await site is in another file than the spawn site: the label names it.
    assert.equal((await fetchNode(h, names[0]).locator('tspan.extra').textContent())!.trim(), 'net.py › get:40');
    const all = await boxes(h);
    const child = all.find((b) => b.name === 'child')!;
    for (const b of all)
      if (b.name.startsWith('fetch(')) assert.ok(b.text.x1 < child.shape.x0, `"${b.name}" ends before the next column`);
    // A state change alone (no new task) that makes the widest label of a column longer widens the column.
    run.feed([
      {
        type: 'task.state',
        run: 1,
        ts: 5,
        id: 10,
        state: 'waiting',
        at: { file: '/home/user/app/storage.py', line: 901, function: 'wait_for_replica_quorum' },
      },
    ]);
    await h.send(run.delta()!);
    await h.settle(50);
    const first = fetchNode(h, names[0]);
    // Too long for the ~28 characters an await label gets: the file goes first (it is in the hover card).
    assert.equal((await first.locator('tspan.extra').textContent())!.trim(), 'wait_for_replica_quorum:901');
    assert.equal(await first.locator('tspan.name').textContent(), labels[0], 'the name keeps its room');
    const after = await boxes(h);
    const widened = after.find((b) => b.name === labels[0])!;
    const child2 = after.find((b) => b.name === 'child')!;
    assert.ok(child2.shape.x0 > child.shape.x0, 'the next column moved right');
    assert.ok(
      widened.text.x1 < child2.shape.x0,
      `the longer label (ends ${widened.text.x1}) clears the next column (${child2.shape.x0})`,
    );
    await h.page.close();
  });

  it('names the limiter the queued fetches wait on (protocol 1.2 waits), and keeps the site of those reading a socket', async () => {
    const h = await Harness.open(s, { width: 1100, height: 570 });
    const snap = showcase().snapshot() as Extract<HostMessage, { type: 'snapshot' }>;
    // The fixture was recorded before waits: what today's runtime sends for these two waits is stood in for here.
    const queued = (at: At): boolean => at.function === 'fetch';
    const waits = (at: At): WaitInfo =>
      queued(at)
        ? {
            kind: 'limiter',
            obj: 99,
            label: 'CapacityLimiter limiter',
            holders: [],
            detail: '10/10 tokens borrowed',
          }
        : { kind: 'io', label: 'socket', wakes: true, detail: 'until readable, peer 127.0.0.1:8000' };
    const rows = snap.rows.map((r) =>
      r.kind === 'task' && waitsAt.has(r.id) ? { ...r, waits: waits(waitsAt.get(r.id)!) } : r,
    );
    await h.send(runsMessage([showcase().state]), { ...snap, rows });
    const seen = new Map<string, string>();
    for (const [id, name] of fetches) {
      const node = fetchNode(h, name);
      const at = waitsAt.get(id)!;
      const want = queued(at) ? 'CapacityLimiter limiter' : `page_size:${at.line}`;
      assert.equal((await node.locator('tspan.extra').textContent())!.trim(), want);
      if (queued(at))
        assert.match(
          (await node.getAttribute('aria-label'))!,
          /waiting, at trio_way\.py:\d+ in fetch, on CapacityLimiter limiter/,
        );
      const d = (await node.locator('path.site-mark').getAttribute('d'))!;
      if (seen.has(want)) assert.equal(d, seen.get(want));
      seen.set(want, d);
    }
    assert.equal(new Set(seen.values()).size, 2, 'one mark for the limiter, one for the reading site');
    const reading = [...fetches.keys()].find((id) => !queued(waitsAt.get(id)!))!;
    await fetchNode(h, fetches.get(reading)!).locator('tspan.name').hover();
    await h.page.waitForSelector('.tooltip:not([hidden])');
    assert.match(
      (await h.page.locator('.tooltip').textContent())!,
      /waits for socket.*waits at page_size:\d+ in trio_way\.py/s,
    );
    await h.page.close();
  });

  it("1.4: open_tcp_stream's nursery and connection attempts are Trio's own work, hidden with Hide system", async () => {
    // What protocol 1.4 sends for this moment: the nurseries the fetches own, and their tasks, are system.
    const owned = new Set(
      shown.filter((e) => e.type === 'nursery.opened' && fetchIds.has(e.task)).map((e) => e.id as number),
    );
    const library = shown.map((e) =>
      (e.type === 'nursery.opened' && owned.has(e.id as number)) ||
      (e.type === 'task.spawned' && owned.has(e.nursery as number))
        ? { ...e, system: true }
        : e,
    );
    assert.equal(owned.size, 10, 'ten fetches are connecting at this moment');
    const run = new LiveRun('live-hettinger', 'Hettinger: the Trio way').feed(library);
    const h = await Harness.open(s, { width: 1600, height: 1000 });
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.settle(100);
    const names = async () => (await boxes(h)).map((b) => b.name);
    assert.equal((await names()).length, 1 + 1 + 14, 'crawl, its nursery and the 14 fetches');
    assert.ok(!(await names()).includes('attempt_connect'));
    assert.equal(
      await h.page.locator('.toolbar .counts').textContent(),
      '15 live · 15 total',
      'the program counts 15 tasks',
    );
    await h.page.getByRole('button', { name: 'Hide system' }).click();
    await h.settle(100);
    const all = await names();
    assert.equal(
      all.filter((n) => n === 'attempt_connect').length,
      10,
      `with Hide system off, Trio's work shows: ${all.join(', ')}`,
    );
    await h.page.close();
  });

  for (const [width, follow] of [
    [525, false],
    [525, true],
    [1050, true],
  ] as const)
    it(`live from its root at ${width}×560 (Follow ${follow ? 'on' : 'off'}): the first view grows with the tree, no label cut`, async () => {
      // The user pass saw the first view chosen for the root alone (1:1) keep every fetch's label cut at the right.
      const h = await Harness.open(s, { width, height: 560 });
      try {
        const run = new LiveRun('grow-hettinger', 'Hettinger: the Trio way');
        const first = shown.findIndex((e) => e.type === 'nursery.opened');
        run.feed(shown.slice(0, first));
        await h.send(runsMessage([run.state]), run.snapshot());
        await h.settle(100);
        // Follow is on by default: off, the first view still grows with the tree.
        const toggle = h.page.getByRole('button', { name: 'Follow' });
        if ((await toggle.getAttribute('aria-pressed')) !== String(follow)) await toggle.click();
        await h.page.waitForFunction(
          (on) =>
            Array.from(document.querySelectorAll('button.toggle')).some(
              (b) => b.textContent === 'Follow' && b.getAttribute('aria-pressed') === on,
            ),
          String(follow),
        );
        for (let i = first; i < shown.length; i += 12) {
          run.feed(shown.slice(i, i + 12));
          const d = run.delta();
          if (d) await h.send(runsMessage([run.state]), d);
        }
        await h.settle(1000); // Follow pans at most every 400 ms
        // crawl and the fetches, whole (the fetches' connection nurseries may go on at the right);
        // a loaded machine may draw the last frames late: looked at again for a few seconds
        const cut = async () => {
          const area = (await h.page.locator('svg.tree').boundingBox())!;
          const named = (await boxes(h)).filter(
            (b) => b.name === 'crawl' || fetches.has(Number(b.key.replace(/\D/g, ''))),
          );
          const out = named
            .filter((b) => b.shape.x0 < area.x || b.text.x1 > area.x + area.width + 0.5)
            .map((b) => b.name || b.key);
          return named.length === 15 ? out : [`only ${named.length} of crawl and its 14 fetches drawn`];
        };
        let out = await cut();
        for (let i = 0; i < 10 && out.length; i++) {
          await h.settle(300);
          out = await cut();
        }
        await h.page.screenshot({ path: join(SHOTS, `showcase-live-${width}${follow ? '-follow' : ''}.png`) });
        assert.deepEqual(out, [], 'every node and its label in view');
        assert.deepEqual(h.errors, []);
      } finally {
        await h.page.close();
      }
    });

  for (const [width, height] of [
    [1100, 570],
    [1400, 860],
  ]) {
    it(`Fit shows the whole tree at ${width}×${height}, with the details pane open too`, async () => {
      const h = await Harness.open(s, { width, height });
      await h.send(runsMessage([showcase().state]), showcase().snapshot());
      const inside = async (): Promise<number> => {
        const area = (await h.page.locator('svg.tree').boundingBox())!;
        const all = await boxes(h);
        assert.equal(
          all.length,
          14 + 1 + 1 + 10 * 2,
          'crawl, its nursery, 14 fetches, 10 nurseries with their attempt_connect',
        );
        for (const b of all)
          assert.ok(
            b.shape.x0 >= area.x &&
              b.text.x1 <= area.x + area.width &&
              b.text.y0 >= area.y &&
              b.text.y1 <= area.y + area.height,
            `${b.name || b.key} inside the tree area`,
          );
        const t = (await h.page.locator('g.viewport').getAttribute('transform'))!;
        return Number(/scale\(([\d.e-]+)\)/.exec(t)?.[1] ?? 1);
      };
      await h.page.getByRole('button', { name: 'Fit' }).click();
      await h.settle(450);
      const k = await inside();
      if (width >= 1100) assert.equal(k, 1, 'the tree fits at 1:1: nothing is shrunk needlessly');
      await fetchNode(h, fetches.get(8) ?? [...fetches.values()][0]).click();
      await h.settle(100);
      assert.ok(await h.page.locator('aside.details').isVisible());
      await h.page.getByRole('button', { name: 'Fit' }).click();
      await h.settle(450);
      const k2 = await inside();
      assert.ok(k2 <= 1 && k2 >= 0.6, `still readable beside the details pane (scale ${k2})`);
      await h.page.screenshot({ path: join(SHOTS, `showcase-${width}x${height}-details-fit.png`) });
      await h.page.close();
    });
  }

  for (const theme of [
    'vscode-dark',
    'vscode-light',
    'vscode-high-contrast',
    'vscode-high-contrast-light',
  ] as Theme[]) {
    it(`marks and labels in ${theme} (screenshot)`, async () => {
      const h = await Harness.open(s, { width: 1100, height: 570, theme });
      await h.send(runsMessage([showcase().state]), showcase().snapshot());
      const fills = await h.page.$$eval('g.node path.site-mark[d]:not([d=""])', (els) => [
        ...new Set(els.map((e) => getComputedStyle(e).fill)),
      ]);
      assert.equal(fills.length, 3, `three await sites, three tints (${fills.join(', ')})`);
      const bg = await h.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.ok(!fills.includes(bg), 'no mark in the background colour');
      await h.page.screenshot({ path: join(SHOTS, `showcase-${theme}.png`) });
      await h.page.close();
    });
  }
});
