// The collector: a loopback TCP listener on an ephemeral port (127.0.0.1
// only), or a Unix socket in a private 0700 folder. One connection is one
// program; many at once, but few strangers (connections before their hello:
// admission.ts). Owns its connections and closes them all.
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import {
  Connection,
  IngestBudget,
  type CollectorLog,
  type ConnectionContext,
  type ConnectionHooks,
  type ProgramPaths,
} from './connection';
import { PendingConnections } from './admission';
import { RefusalLog } from './refusalLog';
import type { LaunchRegistry, Launch } from './launches';
import type { ProgramStream, RunStore } from '../store/runStore';
import { messageOf } from '../errorMessage';

/** More simultaneous programs than any sane launch makes; beyond it new connections are turned away. */
const MAX_CONNECTIONS = 1000;

export interface CollectorOptions {
  launches: LaunchRegistry;
  store: RunStore;
  log: CollectorLog;
  /** Listen on a Unix socket instead of loopback TCP (not on Windows). */
  unixSocket?: boolean;
  maxLineBytes?: number;
  helloTimeoutMs?: number;
  onProgram?(launch: Launch, stream: ProgramStream): void;
  onRefused?(reason: string): void;
}

export class CollectorServer {
  private server: net.Server | null = null;
  private starting: Promise<string> | null = null;
  private socketDir: string | undefined;
  private readonly connections = new Set<Connection>();
  private readonly pending = new PendingConnections<Connection>();
  private nextId = 1;
  private readonly ctx: ConnectionContext;
  private readonly hooks: ConnectionHooks = {
    accepted: (c) => this.pending.delete(c),
    closed: (c) => {
      this.connections.delete(c);
      this.pending.delete(c);
    },
  };

  constructor(private readonly options: CollectorOptions) {
    this.ctx = {
      launches: options.launches,
      store: options.store,
      log: options.log,
      budget: new IngestBudget(),
      refusals: new RefusalLog(options.log),
      liveInstances: new Set(),
      programPaths: new WeakMap(),
      ...(options.maxLineBytes ? { maxLineBytes: options.maxLineBytes } : {}),
      ...(options.helloTimeoutMs ? { helloTimeoutMs: options.helloTimeoutMs } : {}),
      ...(options.onProgram ? { onProgram: options.onProgram } : {}),
      ...(options.onRefused ? { onRefused: options.onRefused } : {}),
    };
  }

  /** Starts listening (once); resolves to the address programs connect to. */
  start(): Promise<string> {
    this.starting ??= this.listen().catch((err: unknown) => {
      this.starting = null;
      throw err;
    });
    return this.starting;
  }

  /** Where a live program's hello said it runs (its folders may open sites without asking). */
  pathsOf(stream: ProgramStream): ProgramPaths | undefined {
    return this.ctx.programPaths.get(stream);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private async listen(): Promise<string> {
    const server = net.createServer({ allowHalfOpen: false, pauseOnConnect: false }, (socket) => this.accept(socket));
    server.on('error', (err) => this.options.log.error(`collector: ${err.message}`));
    const useUnix = this.options.unixSocket && process.platform !== 'win32';
    let target: net.ListenOptions;
    if (useUnix) {
      // A private folder: only this user can reach the socket inside it.
      this.socketDir = await mkdtemp(path.join(os.tmpdir(), 'nursery-lens-'));
      target = { path: path.join(this.socketDir, 'collector.sock') };
    } else {
      target = { host: '127.0.0.1', port: 0 };
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(target, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    const a = server.address();
    const address = typeof a === 'string' ? a : `127.0.0.1:${a!.port}`;
    this.options.log.info(`collector listening on ${address}`);
    return address;
  }

  private accept(socket: net.Socket): void {
    if (this.connections.size - this.pending.size >= MAX_CONNECTIONS) {
      this.ctx.refusals.refused(
        'collector',
        `${MAX_CONNECTIONS} programs connected; turning new connections away`,
        'too many programs',
      );
      socket.destroy();
      return;
    }
    try {
      const c = new Connection(socket, this.nextId++, this.ctx, this.hooks);
      this.connections.add(c);
      // The stranger that waited longest makes room: a real program's hello comes at once.
      this.pending
        .add(c)
        ?.refuse(
          `pushed out by newer connections before saying hello (${this.pending.size} wait at most)`,
          'pushed out before a hello',
        );
    } catch (err) {
      this.options.log.error(`collector: could not set up a connection: ${messageOf(err)}`);
      socket.destroy();
    }
  }

  /** Closes the listener and every connection, and removes the socket folder. */
  async close(): Promise<void> {
    for (const c of [...this.connections]) c.close();
    this.connections.clear();
    this.ctx.refusals.flush();
    const server = this.server;
    this.server = null;
    this.starting = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.socketDir) {
      const dir = this.socketDir;
      this.socketDir = undefined;
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
