// `npm run bench:abuse`: what hostile local input costs the extension host,
// and whether a real program still gets in meanwhile. The collector runs in
// its own process (bench/abuseCollector.ts); this process is the attacker,
// on the same machine, without the launch secret:
//   calm   the real Trio program (the integration tests' tree.py) alone
//   idle   1,000 connections that send nothing, then the real program
//   flood  1,000 connections each send 1 MiB - 1 bytes with no newline, then the
//          real program
//   deep   200 connections, each a deep-JSON first line (1 MiB, or what the
//          collector lets through): CPU per line
//   churn  5,000 connect/close cycles: warning lines written to the log
// Prints each figure, then one JSON line: {"bench":"abuse",...}.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const python = join(root, '.venv', 'bin', 'python');
const STRANGERS = Number(process.env.ABUSE_STRANGERS ?? 1000);
const DEEP = Number(process.env.ABUSE_DEEP ?? 200);
const CYCLES = Number(process.env.ABUSE_CYCLES ?? 5000);
const REAL_WAIT_MS = 15_000;

interface Stats {
  rss: number; peak: number; cpuMs: number; log: { info: number; warn: number; error: number };
  runs: { label: string; status: string }[]; connections: number;
}

class Collector {
  private next = 1;
  private readonly waiting = new Map<number, (body: unknown) => void>();
  address = '';
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: { id: number; body: unknown }) => {
      this.waiting.get(m.id)?.(m.body);
      this.waiting.delete(m.id);
    });
  }
  static async start(): Promise<Collector> {
    const child = fork(join(__dirname, 'abuseCollector.ts'), [], { execArgv: ['--import=tsx', '--expose-gc'], stdio: 'inherit' });
    const c = new Collector(child);
    const ready = new Promise<{ address: string }>((resolve) => c.waiting.set(0, resolve as (b: unknown) => void));
    c.address = (await ready).address;
    return c;
  }
  ask<T>(kind: string, extra: object = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve) => {
      this.waiting.set(id, resolve as (b: unknown) => void);
      this.child.send({ id, kind, ...extra });
    });
  }
  stats = () => this.ask<Stats>('stats');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (n: number) => Math.round(n / 1e5) / 10;

function connect(address: string): Promise<net.Socket | null> {
  const port = Number(address.split(':')[1]);
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => resolve(null));
    s.once('connect', () => resolve(s));
  });
}

async function strangers(address: string, n: number, payload: Buffer | null): Promise<net.Socket[]> {
  const out: net.Socket[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => connect(address)));
    for (const s of batch) {
      if (!s) continue;
      s.on('error', () => undefined);
      if (payload) s.write(payload);
      out.push(s);
    }
  }
  return out;
}

/** Starts tree.py with a fresh launch; resolves to how long until its run was in the store, finished (or null). */
async function realProgram(c: Collector, label: string): Promise<{ inMs: number | null; exit: number | null }> {
  const { env } = await c.ask<{ env: Record<string, string | null> }>('launch', { label });
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (typeof v === 'string') full[k] = v;
  const t0 = performance.now();
  const child = spawn(python, [join(root, 'test', 'integration', 'programs', 'tree.py')], { env: full, stdio: 'ignore' });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let inMs: number | null = null;
  while (performance.now() - t0 < REAL_WAIT_MS) {
    const st = await c.stats();
    if (st.runs.some((r) => r.label === label && r.status === 'finished')) {
      inMs = Math.round(performance.now() - t0);
      break;
    }
    await sleep(20);
  }
  // A program that got in exits by itself; one that did not is given up on.
  const timer = setTimeout(() => child.kill(), inMs === null ? 0 : 10_000);
  const code = await exit;
  clearTimeout(timer);
  return { inMs, exit: code };
}

async function flood(c: Collector) {
  await c.ask('reset');
  const before = await c.stats();
  const payload = Buffer.alloc(1024 * 1024 - 1, 0x61);
  const t0 = performance.now();
  const socks = await strangers(c.address, STRANGERS, payload);
  await sleep(4000);
  const during = await c.stats();
  const real = await realProgram(c, 'real-flood');
  const after = await c.stats();
  const still = socks.filter((s) => !s.destroyed && !s.readableEnded).length;
  for (const s of socks) s.destroy();
  const r = {
    rss_before_mb: mb(before.rss), rss_peak_mb: mb(Math.max(during.peak, after.peak)), open_after_4s: during.connections,
    strangers_still_connected: still, real_in_ms: real.inMs, real_exit: real.exit, ms: Math.round(performance.now() - t0),
  };
  console.log('flood', JSON.stringify(r));
  return r;
}

async function calm(c: Collector) {
  const real = await realProgram(c, 'real-calm');
  const r = { real_in_ms: real.inMs, real_exit: real.exit };
  console.log('calm', JSON.stringify(r));
  return r;
}

async function idle(c: Collector) {
  await c.ask('reset');
  const socks = await strangers(c.address, STRANGERS, null);
  await sleep(200);
  const real = await realProgram(c, 'real-idle');
  const st = await c.stats();
  for (const s of socks) s.destroy();
  const r = { real_in_ms: real.inMs, real_exit: real.exit, rss_peak_mb: mb(st.peak) };
  console.log('idle', JSON.stringify(r));
  return r;
}

async function deep(c: Collector) {
  await sleep(500);
  await c.ask('reset');
  const half = (1024 * 1024 - 2) / 2;
  const line = Buffer.from('['.repeat(half) + ']'.repeat(half) + '\n');
  const before = await c.stats();
  let done = 0;
  for (let i = 0; i < DEEP; i += 10) {
    const batch = await strangers(c.address, Math.min(10, DEEP - i), line);
    await Promise.all(batch.map((s) => new Promise<void>((resolve) => {
      s.on('close', () => resolve());
      s.resume();
    })));
    done += batch.length;
  }
  const after = await c.stats();
  const r = { lines: done, cpu_ms_per_line: Number(((after.cpuMs - before.cpuMs) / done).toFixed(2)) };
  console.log('deep', JSON.stringify(r));
  return r;
}

async function churn(c: Collector) {
  await sleep(500);
  await c.ask('reset');
  for (let i = 0; i < CYCLES; i += 50) {
    const batch = await strangers(c.address, Math.min(50, CYCLES - i), null);
    for (const s of batch) s.destroy();
  }
  await sleep(1000);
  const st = await c.stats();
  const r = { cycles: CYCLES, warn_lines: st.log.warn, error_lines: st.log.error };
  console.log('churn', JSON.stringify(r));
  return r;
}

async function main() {
  const c = await Collector.start();
  try {
    const result = {
      bench: 'abuse', calm: await calm(c), idle: await idle(c), flood: await flood(c), deep: await deep(c), churn: await churn(c),
      load: Number(loadavg()[0].toFixed(2)),
    };
    console.log(JSON.stringify(result));
  } finally {
    await c.ask('exit');
  }
}

void main();
