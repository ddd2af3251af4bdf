// Hostile-input suite, issue #12 item 1: a launch's secret, once copied
// (a recording, a colleague's file, another process's environment), must not
// let anyone in after the launch is over, nor into a program's live run, and
// Save Recording… must never write it. Real collector, real sockets, real
// Python programs for what a user runs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instrumentLaunch } from '../../extension/debug/launchInstrumentation';
import { LaunchOwners } from '../../extension/debug/launchOwners';
import { withoutSecrets, writePrivateFile } from '../../extension/commands/recordingFile';
import { connect, line, startCollector, waitFor, type Harness } from '../unit/collectorHarness';
import { hello, prologue, spawned } from '../unit/wireEvents';
import { program, python } from './collectorClient';

const bootstrapDir = join(__dirname, '..', '..', 'runtime', 'python', 'bootstrap');

function run(args: string[], env: Record<string, string | null>) {
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (typeof v === 'string') full[k] = v;
  const child = spawn(python, args, { env: full, stdio: ['pipe', 'pipe', 'pipe'] });
  const p = { child, stdout: '', stderr: '', exit: new Promise<number | null>((resolve) => child.on('exit', resolve)) };
  child.stdout.on('data', (d) => {
    p.stdout += d;
  });
  child.stderr.on('data', (d) => {
    p.stderr += d;
  });
  return p;
}

/** A TCP relay in front of the collector: cut() drops every relayed connection, as a network hiccup would. */
async function relay(target: string) {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(target.split(':')[1]), '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [inbound, outbound];
    pairs.add(pair);
    for (const s of pair)
      s.on('error', () => undefined).on('close', () => {
        pairs.delete(pair);
        inbound.destroy();
        outbound.destroy();
      });
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    cut: () => {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Says hello with `secret` (and the rest of a tiny run); resolves to whether the collector kept the connection. */
async function tryHello(h: Harness, secret: string, instance = 'intruder'): Promise<boolean> {
  const { socket, closed } = await connect(h.address);
  socket.write([hello({ secret, instance }), ...prologue(), spawned(4, 2, 'injected', 1)].map(line).join(''));
  const outcome = await Promise.race([
    closed.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), 400)),
  ]);
  socket.destroy();
  return outcome;
}

describe('hostile input: launch secrets (issue #12, item 1)', function () {
  this.timeout(60_000);
  let h: Harness | undefined;
  before(function () {
    if (!existsSync(python)) throw new Error('.venv/bin/python is missing: run npm install');
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('Save Recording… writes no secret when the hello spells its key with an escape, into a file only its owner can read', async () => {
    h = await startCollector();
    const launch = h.launches.create('escaped', 'terminal');
    const { socket } = await connect(h.address);
    const helloLine = line(hello({ secret: launch.secret })).replace('"secret"', '"s\\u0065cret"');
    assert.ok(helloLine.includes('s\\u0065cret') && !helloLine.includes('"secret"'));
    socket.write(helloLine + prologue().map(line).join(''));
    const entry = await waitFor('the run', () => h!.store.all()[0]);
    await waitFor('its tasks', () => entry.state.info().totalTasks === 2);
    const rec = h.store.recordingOf(entry.state.key)!;
    assert.ok(!rec.text.includes(launch.secret), 'the recording kept in memory has no secret');
    const dir = mkdtempSync(join(tmpdir(), 'nl-save-'));
    const target = join(dir, 'run.ndjson');
    writeFileSync(target, 'an older file, world-readable\n', { mode: 0o644 });
    await writePrivateFile(target, new TextEncoder().encode(withoutSecrets(rec.text).text));
    const saved = readFileSync(target, 'utf8');
    assert.ok(!saved.includes(launch.secret), 'the saved file has no secret');
    assert.equal(JSON.parse(saved.split('\n')[0]).pid, 4242, 'the hello is still there');
    if (process.platform !== 'win32') assert.equal(statSync(target).mode & 0o777, 0o600);
    socket.destroy();
  });

  it('a debug launch: its program, a subprocess and a reconnect get in during the session; its secret is refused once the session ended, and accepted again when VS Code restarts that session', async () => {
    h = await startCollector();
    const owners = new LaunchOwners(h.launches);
    const { launch, env } = await instrumentLaunch(
      { collector: h.server, launches: h.launches, bootstrapDir, inherited: { PYTHONPATH: undefined } },
      { label: 'Python: family', kind: 'debug', sampleHz: 10 },
    );
    const session = { id: 'session-1', configuration: { env } };
    assert.equal(owners.sessionStarted(session), launch);
    const hop = await relay(h.address);
    const config = JSON.parse(env.NURSERY_LENS!);
    const p = run([program('family.py')], {
      ...env,
      NURSERY_LENS: JSON.stringify({ ...config, address: hop.address }),
    });
    try {
      await waitFor('READY', () => p.stdout.includes('READY'), 20_000);
      const streams = () => new Set(h!.store.all().map((e) => e.stream));
      await waitFor('the parent and its subprocess', () => streams().size === 2, 10_000);
      assert.deepEqual(
        h.store
          .all()
          .map((e) => e.state.info().label)
          .sort((a, b) => a.length - b.length)[0],
        'Python: family',
      );
      hop.cut();
      await waitFor('the program reconnected', () => h!.log.count(/reconnected \(1\)/) === 1, 10_000);
      assert.equal(streams().size, 2, 'the reconnect continued its own stream');
      p.child.stdin.end('\n');
      assert.equal(await p.exit, 0, p.stderr);
    } finally {
      p.child.kill();
      await hop.close();
    }
    owners.sessionEnded(session);
    assert.equal(await tryHello(h, launch.secret), false, "the ended session's secret is refused");
    assert.equal(
      h.store.all().some((e) => e.state.rows().some((r) => r.kind === 'task' && r.name === 'injected')),
      false,
    );
    assert.equal(h.log.count(/wrong secret/), 1, h.log.lines.join('\n'));
    // Restart: VS Code starts the same session again with the same configuration.
    owners.sessionStarted(session);
    const again = run([program('tree.py')], env);
    assert.equal(await again.exit, 0, again.stderr);
    await waitFor(
      "the restarted program's run",
      () => h!.store.all().filter((e) => e.state.info().status === 'finished').length >= 1,
      10_000,
    );
  });

  it("a terminal launch's secret is refused once its terminal closed", async () => {
    h = await startCollector();
    const owners = new LaunchOwners(h.launches);
    const launch = h.launches.create('script.py', 'terminal');
    const terminal = {};
    owners.terminalStarted(launch, terminal);
    assert.equal(await tryHello(h, launch.secret, 'a'), true);
    owners.terminalEnded(terminal);
    assert.equal(await tryHello(h, launch.secret, 'b'), false);
  });

  it('a launch no owner took is refused once its bound passed without a connection; an owned one is not', async () => {
    h = await startCollector({ unclaimedMs: 300 });
    const owners = new LaunchOwners(h.launches);
    const idle = h.launches.create('idle', 'debug');
    const owned = h.launches.create('owned', 'terminal');
    owners.terminalStarted(owned, {});
    const busy = h.launches.create('busy', 'terminal');
    const parent = await connect(h.address);
    parent.socket.write([hello({ secret: busy.secret, instance: 'parent' }), ...prologue()].map(line).join(''));
    await waitFor('the parent', () => h!.store.all().length === 1);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await tryHello(h, idle.secret), false, 'unowned and never connected: retired');
    assert.equal(await tryHello(h, owned.secret), true, 'its terminal still runs');
    assert.equal(await tryHello(h, busy.secret, 'child'), true, 'its program is still connected: a subprocess gets in');
    parent.socket.destroy();
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await tryHello(h, busy.secret, 'late'), false, 'its last connection closed longer ago than the bound');
  });

  it('a second connection with the same secret and instance, while the first is connected, is refused and changes nothing in its run', async () => {
    h = await startCollector();
    const launch = h.launches.create('victim', 'debug');
    const first = await connect(h.address);
    first.socket.write([hello({ secret: launch.secret, instance: 'i1' }), ...prologue()].map(line).join(''));
    const entry = await waitFor('the run', () => h!.store.all()[0]);
    await waitFor('its tasks', () => entry.state.info().totalTasks === 2);
    const second = await connect(h.address);
    second.socket.write(
      [hello({ secret: launch.secret, instance: 'i1', pid: 666 }), spawned(9, 2, 'injected', 2)].map(line).join(''),
    );
    assert.equal(
      await Promise.race([second.closed.then(() => 'refused'), new Promise((r) => setTimeout(() => r('kept'), 3000))]),
      'refused',
    );
    assert.equal(h.log.count(/second connection for program instance i1/), 1, h.log.lines.join('\n'));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(entry.state.info().totalTasks, 2, 'nothing was injected');
    assert.equal(entry.state.info().pid, 4242);
    assert.equal(h.store.all().length, 1);
    first.socket.write(line(spawned(5, 2, 'own', 3)));
    await waitFor('the first still writes', () => entry.state.info().totalTasks === 3);
    first.socket.destroy();
    await waitFor('disconnected', () => entry.state.info().status === 'disconnected');
    const back = await connect(h.address);
    back.socket.write(
      [
        hello({ secret: launch.secret, instance: 'i1', reconnect: 1 }),
        { type: 'run.started', run: 1, ts: 5, wall: 1, resumed: true },
      ]
        .map(line)
        .join(''),
    );
    await waitFor('its reconnect is accepted', () => entry.state.info().status === 'live');
    back.socket.destroy();
  });
});
