// A real host behind the harness page: the extension's own RunStore and
// PanelBridge in Node, the page's messages handed to the bridge as VS Code
// would, the bridge's posted into the page in order. For the time cursor and
// the timeline, whose answers come from the store's history.
import type { HostMessage } from '../../contract/messages';
import { replayNdjson } from '../../extension/collector/replay';
import { PanelBridge } from '../../extension/panel/panelBridge';
import { RunStore } from '../../extension/store/runStore';
import type { RunState } from '../../extension/store/runState';
import { Harness, openSession, type Session } from './browser';
import { readStream } from './streams';

/** The host behind each page (the page's function is exposed once, and finds the current host here). */
const hosts = new WeakMap<object, LiveHost>();
const exposed = new WeakSet<object>();

export class LiveHost {
  readonly store = new RunStore();
  readonly bridge: PanelBridge;
  private queue: Promise<void> = Promise.resolve();
  /** Every message posted to the page. */
  readonly sent: HostMessage[] = [];

  private constructor(
    private readonly h: Harness,
    recordingsOpenAt: 'start' | 'end',
  ) {
    this.bridge = new PanelBridge(this.store, {
      post: (m) => this.toPage(m),
      openSite: async () => undefined,
      runCommand: () => undefined,
      recordingsOpenAt: () => recordingsOpenAt,
    });
  }

  /** Connects a host to the page (it then says `ready` by reloading). */
  static async attach(h: Harness, opts: { recordingsOpenAt?: 'start' | 'end' } = {}): Promise<LiveHost> {
    const host = new LiveHost(h, opts.recordingsOpenAt ?? 'start');
    hosts.get(h.page)?.dispose();
    hosts.set(h.page, host);
    if (!exposed.has(h.page)) {
      exposed.add(h.page);
      await h.page.exposeFunction('__toHost', (m: unknown) => {
        void hosts.get(h.page)?.bridge.handle(m);
      });
    }
    await host.bridge.handle({ type: 'ready' });
    return host;
  }

  private toPage(m: HostMessage): void {
    this.sent.push(m);
    this.queue = this.queue
      .then(() =>
        this.h.page.evaluate((msg) => {
          window.postMessage(msg, '*');
        }, m as unknown),
      )
      .catch(() => undefined);
  }

  /** Opens a recording as the Open Recording command does. */
  open(path: string): RunState {
    return this.openText(readStream(path));
  }

  /** Opens a recording of this text as the Open Recording command does. */
  openText(text: string): RunState {
    const read = replayNdjson(text);
    const entries = this.store.addRecording(read.runs, { bytes: [Buffer.from(text)], truncated: false });
    this.bridge.select(entries[0].state.key);
    return entries[0].state;
  }

  /**
   * A live run of `events` from a new program connection (swarm.py), shown
   * with the timeline strip opened and at least `rows` of its rows drawn.
   */
  async liveWithStrip(events: Array<Record<string, unknown>>, rows: number): Promise<RunState> {
    const stream = this.store.openStream({ launchKey: 'k', instance: 'i', argv: ['swarm.py'] });
    const run = stream.run(1)!;
    for (const e of events) run.apply(e as never);
    this.store.changed();
    await this.settle(200);
    await this.h.page.locator('.tl-toggle').click();
    await this.settle(300);
    await this.h.page.waitForFunction((n) => document.querySelectorAll('g.tl-row').length >= n, rows);
    return run;
  }

  /** Waits until every message posted so far has reached the page, and a frame is drawn. */
  async settle(ms = 0): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await this.queue;
    }
    await this.h.settle(ms);
  }

  dispose(): void {
    this.bridge.dispose();
    if (hosts.get(this.h.page) === this) hosts.delete(this.h.page);
  }
}

/**
 * Mocha hooks for a suite whose tests each get a fresh host: one browser
 * session and harness page of `size` for the suite, the page reset and a new
 * LiveHost attached before each test; `use` receives them (and the session,
 * for pages of a test's own) each time.
 */
export function eachTestWithLiveHost(
  size: { width: number; height: number },
  use: (h: Harness, host: LiveHost, s: Session) => void,
): void {
  let s: Session | undefined;
  let h: Harness;
  let host: LiveHost | undefined;
  before(async () => {
    s = await openSession();
    h = await Harness.open(s, size);
  });
  after(async () => {
    host?.dispose();
    await s?.close();
  });
  beforeEach(async () => {
    host?.dispose();
    await h.reset();
    host = await LiveHost.attach(h);
    use(h, host, s!);
  });
}
