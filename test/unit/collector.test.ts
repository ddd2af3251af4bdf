import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TaskRow } from '../../contract/rows';
import { connect, line, startCollector, waitFor, type Harness } from './collectorHarness';
import { closed, exited, hello, opened, prologue, runFinished, spawned, state, site } from './wireEvents';

describe('collector (real loopback sockets)', function () {
  this.timeout(10_000);
  let h: Harness;
  afterEach(async () => h?.close());

  it('listens on 127.0.0.1 only, on an ephemeral port', async () => {
    h = await startCollector();
    assert.match(h.address, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(h.address, '127.0.0.1:0');
  });

  it('accepts a program with its launch secret and builds its run, named after the launch', async () => {
    h = await startCollector();
    const launch = h.launches.create('Python: crawl', 'debug', 'session-1');
    const { socket } = await connect(h.address);
    socket.write(
      [hello({ secret: launch.secret }), ...prologue(), opened(4, 3, 1), spawned(5, 4, 'fetch', 2)].map(line).join(''),
    );
    const entry = await waitFor('a run', () => h.store.all()[0]);
    await waitFor('tasks', () => entry.state.info().totalTasks === 3);
    assert.equal(entry.state.info().label, 'Python: crawl');
    assert.equal(entry.debugSessionId, 'session-1');
    assert.equal(entry.state.info().pid, 4242);
    assert.equal(h.programs.length, 1);
    assert.equal(h.programs[0].launch, launch);
    socket.end(
      line(exited(5, 3)) + line(closed(4, 4)) + line(exited(3, 5)) + line(exited(1, 6)) + line(runFinished(7)),
    );
    await waitFor('finished', () => entry.state.info().status === 'finished');
    assert.ok(h.log.lines.some((l) => /program pid 4242 .*connected/.test(l)));
    const saved = h.store.recordingOf(entry.state.key)!.text.split('\n');
    assert.equal(saved.length, 13, 'every line as received (12 lines + final newline)');
    assert.equal(JSON.parse(saved[0]).secret, undefined, 'a saved recording does not carry the launch secret');
    assert.equal(JSON.parse(saved[0]).pid, 4242);
    assert.deepEqual(JSON.parse(saved[6]), spawned(5, 4, 'fetch', 2));
  });

  for (const [name, helloExtra, expect] of [
    ['a wrong secret', { secret: 'f00d' }, /wrong secret/],
    ['no secret', { secret: undefined }, /no secret/],
    ['protocol major 2', { protocol: 2 }, /speaks protocol 2, this extension knows 1/],
  ] as const) {
    it(`refuses ${name} with one clear log line and closes`, async () => {
      h = await startCollector();
      const launch = h.launches.create('x', 'terminal');
      const { socket, closed: done } = await connect(h.address);
      const hl = { ...hello({ secret: launch.secret }), ...helloExtra };
      socket.write(line(hl) + prologue().map(line).join(''));
      await done;
      assert.equal(h.log.count(expect), 1, h.log.lines.join('\n'));
      assert.equal(h.store.all().length, 0);
      assert.equal(h.refused.length, 1, 'the status bar hears about it once');
      assert.match(h.refused[0], expect);
    });
  }

  it('refuses a first line that is not a hello, and random bytes', async () => {
    h = await startCollector();
    const a = await connect(h.address);
    a.socket.write(line(spawned(1, null, 'x', 0)));
    await a.closed;
    const b = await connect(h.address);
    b.socket.write(Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x0a, 0x9c, 0x0a]));
    await b.closed;
    assert.equal(h.log.count(/first line is not a hello/), 1);
    assert.equal(h.log.count(/first line is not JSON/), 1);
  });

  it('closes a connection that never says hello', async () => {
    h = await startCollector({ helloTimeoutMs: 200 });
    const { closed: done } = await connect(h.address);
    await done;
    assert.equal(h.log.count(/no hello within/), 1);
  });

  it('reassembles events split at every byte, including inside UTF-8 characters', async () => {
    h = await startCollector();
    const launch = h.launches.create('split', 'terminal');
    const { socket } = await connect(h.address);
    const text = [hello({ secret: launch.secret }), ...prologue(), spawned(4, 2, 'Grüße 🌳 木', 1)].map(line).join('');
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < bytes.length; i += 7) {
      socket.write(bytes.subarray(i, i + 7));
      if (i % 70 === 0) await new Promise((r) => setImmediate(r));
    }
    const entry = await waitFor('run', () => h.store.all()[0]);
    const t = await waitFor('task 4', () => entry.state.rows().find((r) => r.id === 4) as TaskRow | undefined);
    assert.equal(t.name, 'Grüße 🌳 木');
  });

  it('closes a connection whose line is longer than 1 MiB, marks its run disconnected, and keeps serving others', async () => {
    h = await startCollector();
    const launch = h.launches.create('big', 'terminal');
    const bad = await connect(h.address);
    bad.socket.write([hello({ secret: launch.secret, instance: 'one' }), ...prologue()].map(line).join(''));
    const entry = await waitFor('run', () => h.store.all()[0]);
    await waitFor('prologue', () => entry.state.info().totalTasks === 2);
    bad.socket.write('{"type":"task.spawned","name":"' + 'x'.repeat(1024 * 1024 + 10) + '"}\n');
    await bad.closed;
    assert.equal(h.log.count(/longer than 1048576 bytes/), 1);
    assert.equal(entry.state.info().status, 'disconnected');
    assert.equal(entry.state.info().totalTasks, 2, 'what arrived before stays');
    const good = await connect(h.address);
    good.socket.write([hello({ secret: launch.secret, instance: 'two', pid: 7 }), ...prologue()].map(line).join(''));
    await waitFor('second run', () => h.store.all().length === 2);
    // the first program had gone: the launch's program run again, named as it was (not as a subprocess)
    assert.equal(h.store.all()[1].state.info().label, 'big');
  });

  it('counts and logs bad lines once per kind per connection, never fatal', async () => {
    h = await startCollector();
    const launch = h.launches.create('noisy', 'terminal');
    const { socket } = await connect(h.address);
    const lines = [line(hello({ secret: launch.secret })), ...prologue().map(line)];
    for (let i = 0; i < 5; i++) {
      lines.push(
        '{not json\n',
        line({ type: 'task.teleported', run: 1, ts: 1 }),
        line({ ...spawned(10 + i, 2, 'w', 1), colour: 'red' }),
      );
      lines.push(line({ type: 'task.spawned', run: 1, ts: 1, id: -1 }));
    }
    socket.write(lines.join(''));
    const entry = await waitFor('run', () => h.store.all()[0]);
    await waitFor('all tasks', () => entry.state.info().totalTasks === 7);
    assert.equal(h.log.count(/malformed JSON/), 1);
    assert.equal(h.log.count(/unknown event type "task.teleported"/), 1);
    assert.equal(h.log.count(/unknown field "colour"/), 1);
    assert.equal(h.log.count(/invalid task.spawned event/), 1);
  });

  it('follows at most 200 runs per program (a program cannot make the host keep unbounded runs)', async () => {
    h = await startCollector();
    const launch = h.launches.create('runs', 'terminal');
    const { socket } = await connect(h.address);
    const lines = [line(hello({ secret: launch.secret }))];
    for (let run = 1; run <= 250; run++) lines.push(line({ type: 'run.started', run, ts: 0, wall: 1 }));
    socket.write(lines.join(''));
    await waitFor('200 runs', () => h.store.all().length === 200);
    await waitFor('the log line', () => h.log.count(/no room for more runs/) === 1);
    socket.write(line({ type: 'run.started', run: 300, ts: 0, wall: 1 }) + line(spawned(1, null, 'x', 0, {}, 7)));
    await waitFor(
      'run 7 gets its task',
      () =>
        h.store
          .all()
          .find((e) => e.state.key.endsWith('.r7'))!
          .state.info().totalTasks === 1,
    );
    assert.equal(h.store.all().length, 200);
    assert.equal(h.log.count(/no room for more runs/), 1);
  });

  it('keeps two programs apart', async () => {
    h = await startCollector();
    const la = h.launches.create('A', 'debug');
    const lb = h.launches.create('B', 'debug');
    const a = await connect(h.address);
    const b = await connect(h.address);
    a.socket.write(
      [hello({ secret: la.secret, instance: 'a' }), ...prologue(), spawned(4, 2, 'only-in-a', 1)].map(line).join(''),
    );
    b.socket.write(
      [hello({ secret: lb.secret, instance: 'b' }), ...prologue(), spawned(4, 2, 'only-in-b', 1)].map(line).join(''),
    );
    await waitFor(
      'two runs',
      () => h.store.all().length === 2 && h.store.all().every((e) => e.state.info().totalTasks === 3),
    );
    const byLabel = new Map(h.store.all().map((e) => [e.state.info().label, e.state]));
    assert.equal(
      (
        byLabel
          .get('A')!
          .rows()
          .find((r) => r.id === 4) as TaskRow
      ).name,
      'only-in-a',
    );
    assert.equal(
      (
        byLabel
          .get('B')!
          .rows()
          .find((r) => r.id === 4) as TaskRow
      ).name,
      'only-in-b',
    );
  });

  it('a reconnecting program (same instance) continues its run after a snapshot', async () => {
    h = await startCollector();
    const launch = h.launches.create('re', 'debug');
    const first = await connect(h.address);
    first.socket.write(
      [hello({ secret: launch.secret }), ...prologue(), opened(4, 3, 1), spawned(5, 4, 'a', 1), spawned(6, 4, 'b', 1)]
        .map(line)
        .join(''),
    );
    const entry = await waitFor('run', () => h.store.all()[0]);
    await waitFor('tasks', () => entry.state.info().totalTasks === 4);
    first.socket.destroy();
    await waitFor('disconnected', () => entry.state.info().status === 'disconnected');
    const second = await connect(h.address);
    second.socket.write(
      [
        hello({ secret: launch.secret, reconnect: 1 }),
        { type: 'run.started', run: 1, ts: 50, wall: 1, resumed: true },
        { type: 'snapshot.begin', run: 1, ts: 50 },
        spawned(1, null, '<init>', 0.01, { system: true }),
        opened(2, 1, 0.02, { system: true, site: null }),
        spawned(3, 2, 'main', 0.03, { main: true }),
        opened(4, 3, 1),
        spawned(5, 4, 'a', 1),
        state(5, 50, 'waiting', site(9)),
        { type: 'snapshot.end', run: 1, ts: 50 },
      ]
        .map(line)
        .join(''),
    );
    await waitFor('live again', () => entry.state.info().status === 'live' && entry.state.info().liveTasks === 3);
    assert.equal(h.store.all().length, 1, 'the same run, not a new one');
    assert.equal((entry.state.rows().find((r) => r.id === 6) as TaskRow).state, 'lost');
  });

  it('a flooding program does not starve another: ingestion yields between event-loop turns', async () => {
    h = await startCollector();
    const la = h.launches.create('flood', 'terminal');
    const lb = h.launches.create('small', 'terminal');
    const flood = await connect(h.address);
    const N = 150_000;
    const parts = [line(hello({ secret: la.secret, instance: 'f' })), ...prologue().map(line)];
    for (let i = 0; i < N; i++) parts.push(line(spawned(10 + i, 2, 'w', 1)));
    flood.socket.write(parts.join(''));
    const small = await connect(h.address);
    small.socket.write([hello({ secret: lb.secret, instance: 's' }), ...prologue()].map(line).join(''));
    const smallRun = await waitFor(
      'the small run',
      () => h.store.all().find((e) => e.state.info().label === 'small' && e.state.info().totalTasks === 2),
      20_000,
    );
    const floodRun = h.store.all().find((e) => e.state.info().label === 'flood')!;
    assert.ok(smallRun);
    assert.ok(
      floodRun.state.info().totalTasks < N + 2,
      `the small program was served while the flood was still being read (${floodRun.state.info().totalTasks})`,
    );
    await waitFor('the whole flood', () => floodRun.state.info().totalTasks === N + 2, 30_000);
  });

  it('takes 100 connections at once', async () => {
    h = await startCollector();
    const launch = h.launches.create('many', 'terminal');
    const clients = await Promise.all(Array.from({ length: 100 }, () => connect(h.address)));
    clients.forEach((c, i) =>
      c.socket.write(
        [hello({ secret: launch.secret, instance: `i${i}`, pid: 1000 + i }), ...prologue()].map(line).join(''),
      ),
    );
    await waitFor(
      '100 runs',
      () => h.store.all().length === 100 && h.store.all().every((e) => e.state.info().totalTasks === 2),
      10_000,
    );
    assert.equal(h.server.connectionCount, 100);
    for (const c of clients) c.socket.destroy();
    await waitFor('all closed', () => h.server.connectionCount === 0);
    assert.ok(h.store.all().every((e) => e.state.info().status === 'disconnected'));
  });

  it('on a Unix socket in a private 0700 folder, removed on close', async function () {
    if (process.platform === 'win32') this.skip();
    h = await startCollector({ unixSocket: true });
    assert.ok(h.address.startsWith('/'));
    assert.equal(statSync(dirname(h.address)).mode & 0o777, 0o700);
    const launch = h.launches.create('unix', 'terminal');
    const { socket } = await connect(h.address);
    socket.write([hello({ secret: launch.secret }), ...prologue()].map(line).join(''));
    await waitFor('run', () => h.store.all()[0]?.state.info().totalTasks === 2);
    await h.close();
    assert.equal(existsSync(dirname(h.address)), false);
  });

  it('close() drops every connection', async () => {
    h = await startCollector();
    const launch = h.launches.create('bye', 'terminal');
    const c = await connect(h.address);
    c.socket.write([hello({ secret: launch.secret }), ...prologue()].map(line).join(''));
    const entry = await waitFor('run', () => h.store.all()[0]);
    await h.close();
    await c.closed;
    assert.equal(entry.state.info().status, 'disconnected');
  });
});
