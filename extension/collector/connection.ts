// One program connection: hello (protocol major + per-launch secret) first,
// then events into the program's runs. Whatever the program sends, the
// extension host keeps running: every chunk is processed inside try/catch,
// lines are bounded, and a connection that hogs the event loop is paused
// until the loop has turned.
import type { Socket } from 'node:net';
import { LineDecoder, LineTooLongError } from './lineDecoder';
import { MAX_LINE_BYTES, PROTOCOL_MAJOR, type HelloEvent } from '../../contract/wire';
import { validateEvent } from './protocol';
import { StreamReader } from './streamReader';
import type { Launch, LaunchRegistry } from './launches';
import type { ProgramStream, RunStore } from '../store/runStore';
import { messageOf } from '../errorMessage';

export interface CollectorLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** How long a new connection may take to say hello. */
export const HELLO_TIMEOUT_MS = 10_000;
/** Processing time per event-loop turn (all connections together) before sockets are paused. */
const TURN_BUDGET_MS = 25;

/**
 * Shared by all connections: when one turn of the event loop has spent its
 * budget on ingestion, sockets pause until the next turn, so timers, the UI
 * bridge and other connections get their share.
 */
export class IngestBudget {
  private spent = 0;
  private resetPending = false;
  private waiting: (() => void)[] = [];

  charge(ms: number): void {
    this.spent += ms;
    if (!this.resetPending) {
      this.resetPending = true;
      setImmediate(() => {
        this.spent = 0;
        this.resetPending = false;
        const w = this.waiting;
        this.waiting = [];
        for (const f of w) f();
      });
    }
  }

  get exhausted(): boolean {
    return this.spent > TURN_BUDGET_MS;
  }

  nextTurn(f: () => void): void {
    this.waiting.push(f);
  }
}

export interface ConnectionContext {
  launches: LaunchRegistry;
  store: RunStore;
  log: CollectorLog;
  budget: IngestBudget;
  maxLineBytes?: number;
  helloTimeoutMs?: number;
  /** A program of a launch said hello (the first time for its instance). */
  onProgram?(launch: Launch, stream: ProgramStream): void;
  /** A connection was refused before its hello was accepted. */
  onRefused?(reason: string): void;
}

export class Connection {
  private readonly decoder: LineDecoder;
  private phase = 'hello' as 'hello' | 'open' | 'closed';
  private reader: StreamReader | null = null;
  private stream: ProgramStream | null = null;
  private helloTimer: NodeJS.Timeout | undefined;
  readonly name: string;

  constructor(
    private readonly socket: Socket,
    readonly id: number,
    private readonly ctx: ConnectionContext,
    private readonly onClosed: (c: Connection) => void,
  ) {
    this.name = `connection ${id}`;
    this.decoder = new LineDecoder(ctx.maxLineBytes ?? MAX_LINE_BYTES);
    socket.setKeepAlive(true, 15_000); // half-open connections (a vanished peer) get noticed
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      if (this.phase !== 'closed') this.ctx.log.warn(`${this.name}: socket error: ${err.message}`);
    });
    socket.on('close', () => this.onClose());
    socket.on('end', () => socket.end());
    this.helloTimer = setTimeout(() => {
      this.refuse(`no hello within ${Math.round((ctx.helloTimeoutMs ?? HELLO_TIMEOUT_MS) / 1000)} s`);
    }, ctx.helloTimeoutMs ?? HELLO_TIMEOUT_MS);
    this.helloTimer.unref?.();
  }

  /** Not closed (a method, so that TypeScript does not narrow the phase across calls). */
  private isLive(): boolean {
    return this.phase !== 'closed';
  }

  private onData(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    const t0 = performance.now();
    try {
      const lines = this.decoder.push(chunk);
      let i = 0;
      while (i < lines.length && this.phase === 'hello') this.hello(lines[i++]);
      if (i < lines.length && this.phase === 'open') {
        const stream = this.stream!;
        for (let j = i; j < lines.length; j++) stream.record(lines[j]);
        this.reader!.lines(lines, i);
      }
      if (lines.length && this.phase === 'open') this.ctx.store.changed();
    } catch (err) {
      if (err instanceof LineTooLongError) {
        this.refuse(`a line longer than ${err.limit} bytes (the limit is 1 MiB); connection closed`);
      } else {
        this.refuse(`internal error while reading: ${messageOf(err)}; connection closed`);
      }
    }
    this.ctx.budget.charge(performance.now() - t0);
    if (this.ctx.budget.exhausted && this.isLive()) {
      this.socket.pause();
      this.ctx.budget.nextTurn(() => {
        if (this.phase !== 'closed') this.socket.resume();
      });
    }
  }

  /** Refuses a connection that has not been accepted yet (one log line, a status note, close). */
  private refuseHello(reason: string): void {
    this.refuse(reason);
    try {
      this.ctx.onRefused?.(reason);
    } catch {
      // a listener's failure must not matter here
    }
  }

  private hello(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return this.refuseHello('the first line is not JSON (expected a hello); is something other than Nursery Lens connecting?');
    }
    const obj = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    if (obj.type !== 'hello') return this.refuseHello(`the first line is not a hello (got ${JSON.stringify(String(obj.type ?? typeof value)).slice(0, 60)})`);
    if (obj.protocol !== PROTOCOL_MAJOR) {
      return this.refuseHello(`the program speaks protocol ${JSON.stringify(obj.protocol).slice(0, 20)}, this extension knows ${PROTOCOL_MAJOR}: update the extension or the program's nursery_lens`);
    }
    const launch = this.ctx.launches.find(obj.secret);
    if (!launch) {
      return this.refuseHello(obj.secret === undefined
        ? 'no secret in hello: only programs started by this VS Code window (debug session or Run with Task Tree) are accepted'
        : 'wrong secret in hello: only programs started by this VS Code window (debug session or Run with Task Tree) are accepted');
    }
    const v = validateEvent(value);
    if (!v.ok) {
      const what = v.kind === 'invalid' ? `field "${v.field}" is missing or malformed` : v.kind;
      return this.refuseHello(`malformed hello: ${what}`);
    }
    const hello = v.event as HelloEvent;
    clearTimeout(this.helloTimer);
    const origin = {
      launchKey: launch.secret,
      launchLabel: launch.label,
      instance: hello.instance,
      pid: hello.pid,
      argv: hello.argv,
      ...(launch.debugSessionId ? { debugSessionId: launch.debugSessionId } : {}),
    };
    const stream = this.ctx.store.openStream(origin);
    const first = stream.raw.length === 0;
    this.stream = stream;
    this.reader = new StreamReader(stream, this.ctx.log, `${this.name} (pid ${hello.pid})`);
    this.reader.setHello(hello);
    // Saved recordings get shared: keep the hello as received, minus the launch's secret.
    const { secret: _secret, ...withoutSecret } = obj;
    stream.record(line.includes('"secret"') ? JSON.stringify(withoutSecret) : line);
    this.phase = 'open';
    this.ctx.log.info(`${this.name}: program pid ${hello.pid} (${launch.label}, ${hello.runtime} ${hello.runtime_version}, Python ${hello.python}) ${hello.reconnect ? `reconnected (${hello.reconnect})` : 'connected'}`);
    if (v.unknownFields) this.ctx.log.info(`${this.name}: hello has fields this extension does not know: ${v.unknownFields.join(', ').slice(0, 200)} (ignored)`);
    if (first) {
      try {
        this.ctx.onProgram?.(launch, stream);
      } catch (err) {
        this.ctx.log.warn(`${this.name}: ${messageOf(err)}`);
      }
    }
  }

  /** One clear log line, then close. */
  refuse(reason: string): void {
    if (this.phase === 'closed') return;
    const wasOpen = this.phase === 'open';
    this.ctx.log.warn(`${this.name}: ${reason}`);
    this.phase = 'closed';
    if (wasOpen) this.stream?.disconnected(`Connection closed: ${reason}`);
    this.socket.destroy();
  }

  close(): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'open') this.stream?.disconnected('The collector shut down.');
    this.phase = 'closed';
    this.socket.destroy();
  }

  private onClose(): void {
    clearTimeout(this.helloTimer);
    if (this.phase === 'open') {
      this.phase = 'closed';
      const lost = this.decoder.buffered;
      const live = this.stream ? [...this.stream.runs.values()].filter((r) => r.currentStatus === 'live').length : 0;
      if (live) this.ctx.log.warn(`${this.name}: the program disconnected with ${live} run(s) still live${lost ? ` (${lost} bytes of an unfinished line lost)` : ''}`);
      else this.ctx.log.info(`${this.name}: program disconnected`);
      this.stream?.disconnected('The program disconnected before its run finished.');
    } else if (this.phase === 'hello') {
      this.phase = 'closed';
      this.ctx.log.warn(`${this.name}: closed before saying hello`);
    }
    this.onClosed(this);
  }
}
