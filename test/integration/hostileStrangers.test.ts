// Hostile-input suite, issue #12 item 3: strangers on the same machine (no
// secret) against a real collector in its own process, with a real Trio
// program that must still get in. Figures: `npm run bench:abuse`.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CollectorProcess, python, realProgram, sleep, strangers } from './collectorClient';
import { connect, startCollector, type Harness } from '../unit/collectorHarness';
import { hello } from '../unit/wireEvents';

describe('hostile input: strangers before the hello (issue #12, item 3)', function () {
  this.timeout(90_000);
  let c: CollectorProcess | undefined;
  let h: Harness | undefined;
  before(function () {
    if (!existsSync(python)) throw new Error('.venv/bin/python is missing: run npm install');
  });
  afterEach(async () => {
    if (c?.child.connected) await c.exit();
    c = undefined;
    await h?.close();
    h = undefined;
  });

  it('1,000 strangers sending 1 MiB - 1 bytes without a newline: the host gains < 200 MB, and a real program gets in meanwhile', async () => {
    c = await CollectorProcess.start();
    await c.ask('reset');
    const before = await c.stats();
    const socks = await strangers(c.address, 1000, Buffer.alloc(1024 * 1024 - 1, 0x61));
    const real = await realProgram(c, 'real', [], 10_000);
    await sleep(500);
    const after = await c.stats();
    for (const s of socks) s.destroy();
    assert.ok(real.inMs !== null, 'the real program got in and its run finished');
    assert.equal(real.exit, 0);
    const grew = (after.peak - before.rss) / 1e6;
    assert.ok(grew < 200, `the collector's RSS grew by ${grew.toFixed(0)} MB (it was > 1,000 MB before the limits)`);
  });

  it('1,000 idle strangers do not lock a real program out', async () => {
    c = await CollectorProcess.start();
    const socks = await strangers(c.address, 1000, null);
    await sleep(200);
    const real = await realProgram(c, 'real', [], 8_000);
    for (const s of socks) s.destroy();
    assert.ok(real.inMs !== null, 'the real program got in while the strangers waited');
    assert.ok(real.inMs < 5_000, `in after ${real.inMs} ms`);
  });

  it('a deeply nested first line costs < 5 ms of CPU (it cost ~80 ms)', async () => {
    c = await CollectorProcess.start();
    const half = (1024 * 1024 - 2) / 2;
    const line = Buffer.from('['.repeat(half) + ']'.repeat(half) + '\n');
    const n = 40;
    await sleep(300);
    const before = await c.stats();
    for (let i = 0; i < n; i += 10) {
      const batch = await strangers(c.address, 10, line);
      await Promise.all(
        batch.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.on('close', () => resolve());
              s.resume();
            }),
        ),
      );
    }
    const after = await c.stats();
    const perLine = (after.cpuMs - before.cpuMs) / n;
    assert.ok(perLine < 5, `${perLine.toFixed(1)} ms of CPU per line`);
  });

  it('5,000 connect/close cycles write a handful of warning lines, not one each', async () => {
    c = await CollectorProcess.start();
    for (let i = 0; i < 5000; i += 50) {
      for (const s of await strangers(c.address, 50, null)) s.destroy();
    }
    await sleep(500);
    const st = await c.exit();
    c = undefined;
    assert.ok(st.log.warn >= 1, 'the refusals are still told');
    assert.ok(st.log.warn <= 10, `${st.log.warn} warning lines`);
  });

  it('a real program with a 40 KiB argv gets in; a 65 KiB hello is refused with a clear reason', async () => {
    c = await CollectorProcess.start();
    const args = Array.from(
      { length: 1000 },
      (_, i) => `/some/long/folder/of/input/files/file-${String(i).padStart(5, '0')}.txt`,
    );
    const real = await realProgram(c, 'long argv', args, 10_000);
    assert.ok(real.inMs !== null, 'the program with a long argv got in');
    assert.equal(real.exit, 0);

    h = await startCollector();
    const launch = h.launches.create('x', 'terminal');
    const { socket, closed } = await connect(h.address);
    socket.write(JSON.stringify(hello({ secret: launch.secret, argv: ['p.py', 'x'.repeat(65 * 1024)] })) + '\n');
    assert.equal(await Promise.race([closed.then(() => 'closed'), sleep(5000).then(() => 'still open')]), 'closed');
    assert.equal(h.log.count(/first line longer than 64 KiB/), 1, h.log.lines.join('\n'));
    assert.equal(h.store.all().length, 0);
  });

  it('after its hello, a program may send lines up to 1 MiB (the first-line limit is for the hello only)', async () => {
    h = await startCollector();
    const launch = h.launches.create('big lines', 'terminal');
    const { socket } = await connect(h.address);
    const name = 'n'.repeat(200 * 1024);
    socket.write(
      JSON.stringify(hello({ secret: launch.secret })) +
        '\n' +
        JSON.stringify({ type: 'run.started', run: 1, ts: 0, wall: 1 }) +
        '\n' +
        JSON.stringify({ type: 'task.spawned', run: 1, ts: 1, id: 1, name, nursery: null, system: false, site: null }) +
        '\n',
    );
    const deadline = Date.now() + 5000;
    while (!h.store.all()[0]?.state.info().totalTasks && Date.now() < deadline) await sleep(10);
    assert.equal(h.store.all()[0]?.state.info().totalTasks, 1, h.log.lines.join('\n'));
    socket.destroy();
  });
});
