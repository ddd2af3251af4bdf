import { Harness, openSession, type Session } from './browser';
import { LiveRun, runsMessage } from './streams';
import { prologue } from './synthetic';

const FILE = '/home/user/app/workers.py';
const at = (line: number, fn = 'worker', file = FILE) => ({ file, line, function: fn });
function workers(count: number): LiveRun {
  const events: Array<Record<string, unknown>> = [...prologue()];
  for (let i = 0; i < count; i++) {
    events.push({ type: 'task.spawned', run: 1, ts: 2, id: 10 + i, name: 'worker', nursery: 4, system: false, site: at(30, 'main') });
    events.push({ type: 'task.state', run: 1, ts: 3, id: 10 + i, state: 'waiting', at: at(12), chain: [at(12)] });
  }
  return new LiveRun('c1.r1', 'workers.py').feed(events);
}

describe('probe', function () {
  let s: Session;
  before(async () => { s = await openSession(); });
  after(async () => s?.close());
  for (const width of [471, 1042]) {
    it(`fold at ${width}`, async () => {
      const h = await Harness.open(s, { width, height: 382 });
      const run = workers(2000);
      await h.send(runsMessage([run.state]), run.snapshot());
      await h.settle(500);
      await h.page.screenshot({ path: `/tmp/probe-${width}-a.png` });
      await h.page.locator('g.node.fold').click();
      await h.settle(800);
      await h.page.screenshot({ path: `/tmp/probe-${width}-b.png` });
      await h.page.keyboard.press('Enter');
      await h.settle(800);
      await h.page.screenshot({ path: `/tmp/probe-${width}-c.png` });
      await h.page.close();
    });
  }
});
