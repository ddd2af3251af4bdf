// Export Tree as SVG…/PNG… and the toolbar's export menu, in real Chromium:
// the host asks the page for a picture of its view (`export`), the page
// answers with the SVG text or the PNG (`exported`). The SVG must parse, hold
// the whole tree (not only what the viewport shows) with the program's
// strings as text, use the theme's colours, and carry nothing active.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ImageFormat, WebviewMessage } from '../../contract/messages';
import { Harness, openSession, type Session, type Theme } from './browser';
import { LiveRun, recording, runsMessage, snapshotMessage } from './streams';
import { stuckRun } from './stuckRuns';

type Exported = Extract<WebviewMessage, { type: 'exported' | 'exportFailed' }>;
let nextId = 1;

async function picture(h: Harness, format: ImageFormat): Promise<Exported> {
  const id = nextId++;
  await h.send({ type: 'export', id, format });
  await h.page.waitForFunction(
    (n) => (window as unknown as { __posted: Array<{ id?: number }> }).__posted.some((m) => m.id === n),
    id,
  );
  return (await h.posted()).find((m) => 'id' in m && m.id === id) as Exported;
}

async function svgOf(h: Harness): Promise<string> {
  const m = await picture(h, 'svg');
  assert.equal(m.type, 'exported', m.type === 'exportFailed' ? m.reason : '');
  return (m as Extract<Exported, { type: 'exported' }>).data;
}

/** What an SVG viewer would see: parsed as XML in a blank page of its own. */
interface Parsed {
  error: string | null;
  root: string;
  width: number;
  height: number;
  texts: string[];
  /** The words above the tree. */
  caption: string | null;
  elements: string[];
  handlers: string[];
  background: string;
  raisedFill: string | null;
  /** The fill of the first name of a returned task (muted text). */
  returnedName: string | null;
  /** Elements with a style attribute. */
  styled: number;
}

async function parse(page: Page, svg: string): Promise<Parsed> {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = doc.documentElement;
    const all = Array.from(doc.getElementsByTagName('*'));
    const raised = doc.querySelector('g.node.s-raised .shape');
    const returned = doc.querySelector('g.node.s-returned text');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: `${root.namespaceURI} ${root.localName}`,
      width: Number(root.getAttribute('width')),
      height: Number(root.getAttribute('height')),
      texts: Array.from(doc.querySelectorAll('tspan.name')).map((t) => t.textContent ?? ''),
      caption: doc.querySelector('text.caption')?.textContent ?? null,
      elements: [...new Set(all.map((e) => e.localName))].sort(),
      handlers: all.flatMap((e) =>
        Array.from(e.attributes)
          .filter((a) => /^on/i.test(a.name) || /javascript:/i.test(a.value))
          .map((a) => a.name),
      ),
      // the computed colours, as presentation attributes (a style attribute would break the panel's CSP)
      background: doc.querySelector('rect.background')?.getAttribute('fill') ?? '',
      raisedFill: raised?.getAttribute('fill') ?? null,
      returnedName: returned?.getAttribute('fill') ?? null,
      styled: all.filter((e) => e.hasAttribute('style')).length,
    };
  }, svg);
}

describe('webview: exports', function () {
  let s: Session;
  let h: Harness;
  let blank: Page;

  before(async () => {
    s = await openSession();
    h = await Harness.open(s, { width: 420, height: 320 });
    blank = await s.browser.newPage();
  });
  after(async () => s?.close());

  async function show(theme: Theme, fixture = 'failing_child'): Promise<void> {
    await h.reset(theme);
    const rec = recording(`test/fixtures/${fixture}.ndjson`);
    await h.send(runsMessage(rec), snapshotMessage(rec[0]));
  }

  it('SVG: parses, names every task as text, holds the whole tree however little the panel shows', async () => {
    await show('vscode-dark', 'deep_and_wide');
    const shownNow = await h.page.locator('g.node').count();
    const svg = await svgOf(h);
    const p = await parse(blank, svg);
    assert.equal(p.error, null);
    assert.equal(p.root, 'http://www.w3.org/2000/svg svg');
    assert.ok(p.width > 400 && p.height > 300, `${p.width}×${p.height}`);
    assert.ok(p.texts.includes('node 1.3.3.3.3'), 'a task far outside the 420×320 view');
    assert.ok(p.texts.length > shownNow, `${p.texts.length} named in the file, ${shownNow} drawn in the panel`);
    assert.deepEqual(p.handlers, []);
    assert.deepEqual(
      p.elements.filter((e) => !['svg', 'g', 'path', 'rect', 'text', 'tspan', 'title', 'defs', 'marker'].includes(e)),
      [],
    );
  });

  it('SVG: a caption above the tree names the run and the moment it shows, as the time bar says it', async () => {
    await show('vscode-light');
    const bar = (await h.page.locator('.tl-time').textContent()) ?? '';
    assert.match(bar, /^at the end, 303 ms/);
    const p = await parse(blank, await svgOf(h));
    assert.ok(p.caption?.endsWith(` · ${bar}`), `the caption "${p.caption}" ends with the bar's "${bar}"`);
    assert.match(p.caption ?? '', /^failing_child/, 'the run first');
  });

  it("SVG: the theme's colours, written on the elements (light and dark differ), with no CSP violation", async () => {
    const colours: Record<string, Parsed> = {};
    // Writing styles on elements of the panel's own document breaks its CSP (no inline styles), one console error each.
    const violations: string[] = [];
    const onConsole = (m: { text(): string }) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    };
    for (const theme of ['vscode-dark', 'vscode-light'] as const) {
      await show(theme);
      h.page.on('console', onConsole);
      const svg = await svgOf(h);
      h.page.off('console', onConsole);
      assert.doesNotMatch(svg, /var\(--/, 'no CSS variable is left to resolve');
      colours[theme] = await parse(blank, svg);
      assert.ok(colours[theme].texts.includes('parse feed'));
    }
    // Dark+ errorForeground #f85149, its editor background #1f1f1f; Light+'s #ffffff (test/webview/themes.css).
    assert.equal(colours['vscode-dark'].raisedFill, 'rgb(248, 81, 73)');
    assert.equal(colours['vscode-dark'].background, 'rgb(31, 31, 31)');
    assert.equal(colours['vscode-light'].background, 'rgb(255, 255, 255)');
    assert.equal(colours['vscode-dark'].styled, 0, 'no style attribute');
    // A finished task's muted label: descriptionForeground of each theme.
    assert.match(colours['vscode-dark'].returnedName ?? '', /^rgb\(/);
    assert.notEqual(colours['vscode-light'].returnedName, colours['vscode-dark'].returnedName);
    assert.deepEqual(violations.slice(0, 3), [], `${violations.length} CSP violations`);
  });

  it("SVG: a task's name is text, whatever it holds", async () => {
    await h.reset('vscode-dark');
    const evil = '</text><script>alert(1)</script>';
    const evil2 = '<img src=x onerror=alert(2)>';
    const live = new LiveRun('evil', 'evil.py').feed([
      {
        type: 'hello',
        protocol: 1,
        minor: 2,
        runtime: 'trio',
        runtime_version: '0.35.0',
        lens_version: '0.1.0',
        python: '3.11',
        pid: 1,
        argv: ['evil.py'],
        cwd: '/',
        instance: 'x',
      },
      { type: 'run.started', run: 1, ts: 0, wall: 1 },
      {
        type: 'task.spawned',
        run: 1,
        ts: 1,
        id: 1,
        name: 'main',
        nursery: null,
        system: false,
        main: true,
        site: null,
      },
      { type: 'nursery.opened', run: 1, ts: 2, id: 2, task: 1, site: null },
      { type: 'task.spawned', run: 1, ts: 3, id: 3, name: evil, nursery: 2, system: false, site: null },
      { type: 'task.spawned', run: 1, ts: 3, id: 4, name: evil2, nursery: 2, system: false, site: null },
    ]);
    await h.send(runsMessage([live.state]), live.snapshot());
    const svg = await svgOf(h);
    const p = await parse(blank, svg);
    assert.equal(p.error, null);
    assert.ok(p.texts.includes(evil), p.texts.join(' | '));
    assert.ok(p.texts.includes(evil2), p.texts.join(' | '));
    assert.deepEqual(
      p.elements.filter((e) => e === 'script' || e === 'foreignObject' || e === 'img'),
      [],
    );
    assert.deepEqual(p.handlers, []);
  });

  it("SVG: a deadlock's cycle and rings are in the picture, its arrowheads with them", async () => {
    await h.reset('vscode-light');
    const { run } = stuckRun('deadlock.ndjson', 'dl', 'deadlock.py');
    await h.send(runsMessage([run.state]), run.snapshot());
    await h.page.locator('.wait-links path.wait-link.deadlock').first().waitFor();
    const svg = await svgOf(h);
    const seen = await blank.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const links = Array.from(doc.querySelectorAll('path.wait-link.deadlock'));
      const ringed = Array.from(doc.querySelectorAll('g.node.stuck .shape'));
      return {
        links: links.length,
        heads: links.map((l) => l.getAttribute('marker-end')),
        marker: doc.getElementById('nl-arrow-deadlock')?.localName ?? null,
        linkStroke: links[0]?.getAttribute('stroke') ?? null,
        rings: ringed.length,
        ringStroke: ringed[0]?.getAttribute('stroke') ?? null,
        ringWidth: ringed[0]?.getAttribute('stroke-width') ?? null,
      };
    }, svg);
    assert.ok(seen.links >= 2, `the cycle's arrows (${seen.links})`);
    assert.ok(
      seen.heads.every((m) => m === 'url(#nl-arrow-deadlock)'),
      seen.heads.join(),
    );
    assert.equal(seen.marker, 'marker', 'the arrowhead they point to is in the file');
    assert.ok(seen.linkStroke && seen.linkStroke !== 'none', `drawn in a colour (${seen.linkStroke})`);
    assert.ok(seen.rings >= 2, `the stuck tasks ringed (${seen.rings})`);
    assert.equal(seen.ringWidth, '3px', 'the ring is the bold stroke the panel draws');
  });

  it('PNG: twice the size of the SVG, drawn in the colours of the view', async () => {
    await show('vscode-dark');
    const svg = await parse(blank, await svgOf(h));
    const m = await picture(h, 'png');
    assert.equal(m.type, 'exported');
    const bytes = Buffer.from((m as Extract<Exported, { type: 'exported' }>).data, 'base64');
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(bytes.readUInt32BE(16), svg.width * 2);
    assert.equal(bytes.readUInt32BE(20), svg.height * 2);
    // Decoded again by the browser: the background's colour in a corner, and the failure's red somewhere.
    const seen = await blank.evaluate(
      async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, c.width, c.height).data;
        let red = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i] === 248 && px[i + 1] === 81 && px[i + 2] === 73) red++;
        return { corner: [...px.slice(0, 3)], red };
      },
      (m as Extract<Exported, { type: 'exported' }>).data,
    );
    assert.deepEqual(seen.corner, [31, 31, 31]);
    assert.ok(seen.red > 20, `${seen.red} pixels of the raised task's red`);
  });

  it('says why when there is nothing to draw', async () => {
    await h.reset('vscode-dark');
    const m = await picture(h, 'svg');
    assert.equal(m.type, 'exportFailed');
    assert.match((m as Extract<Exported, { type: 'exportFailed' }>).reason, /no run is shown/);
  });

  it("the toolbar's Export menu asks the host for each export, by mouse and by keyboard", async () => {
    await show('vscode-dark');
    await h.clearPosted();
    const button = h.page.getByRole('button', { name: 'Export' });
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    await button.click();
    const items = h.page.getByRole('menuitem');
    assert.deepEqual(await items.allTextContents(), [
      'Copy as text',
      'Save as SVG…',
      'Save as PNG…',
      'Save Chrome trace…',
    ]);
    await h.page.getByRole('menuitem', { name: 'Save as SVG…' }).click();
    assert.equal(await h.page.locator('.export-menu').isHidden(), true);
    await button.click();
    await h.page.keyboard.press('ArrowDown');
    await h.page.keyboard.press('ArrowDown');
    await h.page.keyboard.press('ArrowDown');
    await h.page.keyboard.press('Enter');
    await button.click();
    await h.page.keyboard.press('Escape');
    assert.equal(await h.page.locator('.export-menu').isHidden(), true);
    await button.click();
    await h.page.keyboard.press('Enter');
    const commands = (await h.posted()).flatMap((m) => (m.type === 'command' ? [m.command] : []));
    assert.deepEqual(commands, ['exportSvg', 'exportTrace', 'copyText']);
  });
});
