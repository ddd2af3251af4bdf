// A real collector on a real loopback socket, with an in-memory log, for tests.
import * as net from 'node:net';
import { CollectorServer } from '../../extension/collector/collectorServer';
import type { CollectorLog } from '../../extension/collector/connection';
import { LaunchRegistry, type Launch } from '../../extension/collector/launches';
import { RunStore, type ProgramStream } from '../../extension/store/runStore';
import { DEFAULT_RETAIN_FINISHED } from '../../extension/store/runState';

export class MemoryLog implements CollectorLog {
  readonly lines: string[] = [];
  info(m: string) {
    this.lines.push(`info ${m}`);
  }
  warn(m: string) {
    this.lines.push(`warn ${m}`);
  }
  error(m: string) {
    this.lines.push(`error ${m}`);
  }
  count(re: RegExp): number {
    return this.lines.filter((l) => re.test(l)).length;
  }
}

export async function waitFor<T>(what: string, f: () => T | undefined | false | null, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Harness {
  server: CollectorServer;
  store: RunStore;
  launches: LaunchRegistry;
  log: MemoryLog;
  address: string;
  programs: { launch: Launch; stream: ProgramStream }[];
  refused: string[];
  close(): Promise<void>;
}

export async function startCollector(
  options: { unixSocket?: boolean; helloTimeoutMs?: number; retainFinished?: number; unclaimedMs?: number } = {},
): Promise<Harness> {
  const store = new RunStore(() => options.retainFinished ?? DEFAULT_RETAIN_FINISHED);
  const launches = new LaunchRegistry(options.unclaimedMs ? { unclaimedMs: options.unclaimedMs } : {});
  const log = new MemoryLog();
  const programs: Harness['programs'] = [];
  const refused: string[] = [];
  const server = new CollectorServer({
    store,
    launches,
    log,
    ...(options.unixSocket ? { unixSocket: true } : {}),
    ...(options.helloTimeoutMs ? { helloTimeoutMs: options.helloTimeoutMs } : {}),
    onProgram: (launch, stream) => programs.push({ launch, stream }),
    onRefused: (reason) => refused.push(reason),
  });
  const address = await server.start();
  return { server, store, launches, log, address, programs, refused, close: () => server.close() };
}

/** A raw client socket; `closed` resolves when the collector (or we) closed it. */
export async function connect(address: string): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  const socket =
    address.includes(':') && !address.startsWith('/')
      ? net.connect(Number(address.split(':')[1]), '127.0.0.1')
      : net.connect(address);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed };
}

export const line = (v: unknown) => JSON.stringify(v) + '\n';
