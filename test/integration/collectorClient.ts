// The attacker's side of the hostile-input suite and of `bench:abuse`: a real
// collector in its own process (collectorProcess.ts, so that its memory and
// CPU are measured apart from ours), strangers that connect without a secret,
// and a real Trio program started with a fresh launch.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
export const python = join(root, '.venv', 'bin', 'python');
export const program = (name: string) => join(__dirname, 'programs', name);

export interface CollectorStats {
  rss: number;
  peak: number;
  cpuMs: number;
  log: { info: number; warn: number; error: number };
  runs: { label: string; status: string }[];
  connections: number;
}

export class CollectorProcess {
  private next = 1;
  private readonly waiting = new Map<number, (body: unknown) => void>();
  address = '';

  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: { id: number; body: unknown }) => {
      this.waiting.get(m.id)?.(m.body);
      this.waiting.delete(m.id);
    });
  }

  static async start(): Promise<CollectorProcess> {
    const child = fork(join(__dirname, 'collectorProcess.ts'), [], {
      execArgv: ['--import=tsx', '--expose-gc'],
      stdio: 'inherit',
    });
    const c = new CollectorProcess(child);
    const ready = new Promise<{ address: string }>((resolve) => c.waiting.set(0, resolve as (b: unknown) => void));
    c.address = (await ready).address;
    return c;
  }

  ask<T>(kind: 'launch' | 'stats' | 'reset' | 'exit', extra: object = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve) => {
      this.waiting.set(id, resolve as (b: unknown) => void);
      this.child.send({ id, kind, ...extra });
    });
  }

  stats(): Promise<CollectorStats> {
    return this.ask<CollectorStats>('stats');
  }

  /** Closes the collector (a rate-limited log writes what it held back) and ends the process; its last stats. */
  async exit(): Promise<CollectorStats> {
    if (!this.child.connected) throw new Error('the collector process is gone');
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const st = await this.ask<CollectorStats>('exit');
    await exited;
    return st;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connect(address: string): Promise<net.Socket | null> {
  const port = Number(address.split(':')[1]);
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => resolve(null));
    s.once('connect', () => resolve(s));
  });
}

/** `n` connections without a secret, 50 at a time, each sending `payload` (or nothing). */
export async function strangers(address: string, n: number, payload: Buffer | null): Promise<net.Socket[]> {
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

/**
 * Starts tree.py (extra args appended) with a fresh launch; resolves to how
 * long until its run was in the store and finished (null: not within
 * `waitMs`), and its exit code.
 */
export async function realProgram(
  c: CollectorProcess,
  label: string,
  args: string[] = [],
  waitMs = 15_000,
): Promise<{ inMs: number | null; exit: number | null }> {
  const { env } = await c.ask<{ env: Record<string, string | null> }>('launch', { label });
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (typeof v === 'string') full[k] = v;
  const t0 = performance.now();
  const child = spawn(python, [program('tree.py'), ...args], { env: full, stdio: 'ignore' });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let inMs: number | null = null;
  while (performance.now() - t0 < waitMs) {
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
