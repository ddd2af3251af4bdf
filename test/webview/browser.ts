// Real Chromium (Debian's, never a downloaded one) showing the harness page,
// plus helpers to post host messages into it and read what it posted back.
import { chromium, type Browser, type Page } from 'playwright-core';
import { join } from 'node:path';
import type { HostMessage, WebviewMessage } from '../../contract/messages';
import { startServer, type HarnessServer } from './server';

export const repoRoot = join(__dirname, '..', '..');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export type Theme = 'vscode-light' | 'vscode-dark' | 'vscode-high-contrast' | 'vscode-high-contrast-light';

export interface Session {
  browser: Browser;
  server: HarnessServer;
  close(): Promise<void>;
}

export async function openSession(): Promise<Session> {
  const browser = await chromium.launch({
    executablePath: process.env.NURSERY_LENS_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const server = await startServer(repoRoot);
  return {
    browser,
    server,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * One Chromium and one page for the describe block it is called in: opened
 * before its tests (`use` gets them), reset before each, closed after.
 */
export function suitePage(use: (h: Harness, s: Session) => void, opts: Parameters<typeof Harness.open>[1] = {}): void {
  let s: Session | undefined;
  let h: Harness | undefined;
  before(async () => {
    s = await openSession();
    h = await Harness.open(s, opts);
    use(h, s);
  });
  after(async () => s?.close());
  beforeEach(async () => h?.reset());
}

export class Harness {
  private static slots = 0;

  private constructor(
    readonly page: Page,
    public url: string,
  ) {}

  static async open(
    s: Session,
    opts: { theme?: Theme; width?: number; height?: number; motion?: boolean } = {},
  ): Promise<Harness> {
    const page = await s.browser.newPage({
      viewport: { width: opts.width ?? 1100, height: opts.height ?? 700 },
      reducedMotion: opts.motion ? 'no-preference' : 'reduce',
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const h = new Harness(page, `${s.server.url}?theme=${opts.theme ?? 'vscode-dark'}`);
    h.errors = errors;
    await page.goto(h.url);
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    return h;
  }

  errors: string[] = [];

  /** A fresh page state: clears remembered state and reloads. */
  async reset(theme?: Theme): Promise<void> {
    await this.page.evaluate(() => sessionStorage.clear());
    if (theme) this.url = this.url.replace(/theme=[\w-]+/, `theme=${theme}`);
    // A fresh state slot: the page being left may still write its debounced state.
    this.url = this.url.replace(/&slot=\d+|$/, `&slot=${++Harness.slots}`);
    await this.page.goto(this.url);
    await this.page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
  }

  async reload(): Promise<void> {
    // Let the debounced setState land first, as it would before a real reload.
    await this.page.waitForTimeout(350);
    await this.page.reload();
    await this.page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
  }

  async send(...messages: HostMessage[]): Promise<void> {
    const expected = await this.page.evaluate((ms) => {
      const w = window as unknown as { __received: number };
      const target = w.__received + ms.length;
      for (const m of ms) window.postMessage(m, '*');
      return target;
    }, messages as unknown[]);
    await this.page.waitForFunction((n) => (window as unknown as { __received: number }).__received >= n, expected);
    await this.settle();
  }

  /** Waits until pending messages are handled and a frame (plus transitions) is drawn. */
  async settle(ms = 0): Promise<void> {
    await this.page.evaluate(
      () =>
        new Promise<void>((r) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => r())), 0)),
    );
    if (ms) await this.page.waitForTimeout(ms);
  }

  /** What the page asked of the host; its `drawn` acks (the host's pacing, rowsFeed.ts) only with `acks`. */
  async posted({ acks = false } = {}): Promise<WebviewMessage[]> {
    const all = await this.page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted);
    return acks ? all : all.filter((m) => m.type !== 'drawn');
  }

  async clearPosted(): Promise<void> {
    await this.page.evaluate(() => {
      (window as unknown as { __posted: unknown[] }).__posted.length = 0;
    });
  }

  /** Node elements: key, kind, parent key, classes, label text, aria-label, position. */
  async nodes(): Promise<
    Array<{
      key: string;
      kind: string;
      parent: string | null;
      cls: string;
      text: string;
      aria: string;
      x: number;
      y: number;
      expanded: string | null;
      selected: string | null;
    }>
  > {
    return this.page.$$eval('g.node', (els) =>
      els.map((el) => {
        const g = el as SVGGElement;
        const m = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(g.getAttribute('transform') ?? '');
        return {
          key: g.dataset.key ?? '',
          kind: g.dataset.kind ?? '',
          parent: g.dataset.parent ?? null,
          cls: g.getAttribute('class') ?? '',
          text: g.querySelector('text')?.textContent ?? '',
          aria: g.getAttribute('aria-label') ?? '',
          x: m ? Number(m[1]) : NaN,
          y: m ? Number(m[2]) : NaN,
          expanded: g.getAttribute('aria-expanded'),
          selected: g.getAttribute('aria-selected'),
        };
      }),
    );
  }

  /** The node of the task with this full name (its ARIA label starts with it). */
  task(name: string) {
    return this.page.locator(`g.node[aria-label^=${JSON.stringify(`task ${name},`)}]`).first();
  }

  nodeByText(text: string) {
    return this.page.locator('g.node', { hasText: text }).first();
  }
}
