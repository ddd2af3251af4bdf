// One program connection: hello (protocol major + per-launch secret) first,
// then events into the program's runs. Whatever the program sends, the
// extension host keeps running: every chunk is processed inside try/catch,
// lines are bounded (the hello far more tightly: admission.ts), and a
// connection that hogs the event loop is paused until the loop has turned.
import type { Socket } from 'node:net';
import { LineDecoder, LineTooLongError } from './lineDecoder';
import { MAX_LINE_BYTES, PROTOCOL_MAJOR, type HelloEvent } from '../../contract/wire';
import { validateEvent } from './protocol';
import { HELLO_MAX_BYTES, HELLO_TIMEOUT_MS, parseFirstLine } from './admission';
import type { RefusalLog } from './refusalLog';
import { StreamReader } from './streamReader';
import type { Launch, LaunchRegistry } from './launches';
import type { ProgramStream, RunStore } from '../store/runStore';
import { DISCONNECTED_EARLY } from '../store/runFacts';
import { messageOf } from '../errorMessage';

export interface CollectorLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

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
  /** Refusals before the hello: rate-limited, since anyone on the machine can cause them. */
  refusals: RefusalLog;
  /** Program instances (launch secret + hello.instance) with an open connection: one at a time each. */
  liveInstances: Set<string>;
  /** Per program, where its latest hello said it runs. */
  programPaths: WeakMap<ProgramStream, ProgramPaths>;
  maxLineBytes?: number;
  helloTimeoutMs?: number;
  /** A program of a launch said hello (the first time for its instance). */
  onProgram?(launch: Launch, stream: ProgramStream): void;
  /** A connection was refused before its hello was accepted. */
  onRefused?(reason: string): void;
}

/** What a live program's hello said about where it runs: the folders it may open sites from (panel/sitePolicy.ts). */
export interface ProgramPaths {
  cwd: string;
  argv: readonly string[];
  sysPath?: readonly string[];
}

/** What the collector hears from one connection. */
export interface ConnectionHooks {
  /** The hello was accepted: the connection is no stranger any more. */
  accepted(c: Connection): void;
  closed(c: Connection): void;
}

/** A hello that passed every check, with what opening its stream needs. */
interface Admitted {
  launch: Launch;
  hello: HelloEvent;
  /** The hello as parsed, secret and all (the recording gets it without the secret). */
  obj: Record<string, unknown>;
  instanceKey: string;
  unknownFields: string[] | null;
}

const formatBytes = (n: number) => (n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MiB` : `${Math.round(n / 1024)} KiB`);

export class Connection {
  private readonly decoder: LineDecoder;
  private phase = 'hello' as 'hello' | 'open' | 'closed';
  private reader: StreamReader | null = null;
  private stream: ProgramStream | null = null;
  private helloTimer: NodeJS.Timeout | undefined;
  /** This connection's entry in ctx.liveInstances, and its launch, while open. */
  private instanceKey: string | null = null;
  private launch: Launch | null = null;
  readonly name: string;

  constructor(
    private readonly socket: Socket,
    readonly id: number,
    private readonly ctx: ConnectionContext,
    private readonly hooks: ConnectionHooks,
  ) {
    this.name = `connection ${id}`;
    const max = ctx.maxLineBytes ?? MAX_LINE_BYTES;
    this.decoder = new LineDecoder(max, Math.min(max, HELLO_MAX_BYTES));
    socket.setKeepAlive(true, 15_000); // half-open connections (a vanished peer) get noticed
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      if (this.phase === 'open') this.ctx.log.warn(`${this.name}: socket error: ${err.message}`);
      else if (this.phase === 'hello')
        this.ctx.refusals.refused(
          this.name,
          `socket error before a hello: ${err.message}`,
          'socket error before a hello',
        );
    });
    socket.on('close', () => this.onClose());
    socket.on('end', () => socket.end());
    const timeout = ctx.helloTimeoutMs ?? HELLO_TIMEOUT_MS;
    this.helloTimer = setTimeout(() => this.refuse(`no hello within ${timeout / 1000} s`, 'no hello in time'), timeout);
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
        this.refuse(
          this.phase === 'hello'
            ? `a first line longer than ${formatBytes(err.limit)} (${err.limit} bytes), too long for a hello; connection closed`
            : `a line longer than ${err.limit} bytes (the limit is ${formatBytes(err.limit)}); connection closed`,
          'first line too long',
        );
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

  /** Refuses a connection that has not been accepted yet (a log line, a status note, close). */
  private refuseHello(reason: string, kind: string): void {
    this.refuse(reason, kind);
    try {
      this.ctx.onRefused?.(reason);
    } catch {
      // a listener's failure must not matter here
    }
  }

  private hello(line: string): void {
    const admitted = this.admit(line);
    if (admitted) this.open(admitted);
  }

  /** The hello's checks, in order; null when it was refused (and the refusal logged). */
  private admit(line: string): Admitted | null {
    const refused = (reason: string, kind: string): null => {
      this.refuseHello(reason, kind);
      return null;
    };
    const parsed = parseFirstLine(line);
    if (!parsed.ok) return refused(parsed.reason, 'first line not a hello');
    const value = parsed.value;
    const obj = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    if (obj.type !== 'hello')
      return refused(
        `the first line is not a hello (got ${JSON.stringify(String(obj.type ?? typeof value)).slice(0, 60)})`,
        'first line not a hello',
      );
    if (obj.protocol !== PROTOCOL_MAJOR) {
      return refused(
        `the program speaks protocol ${JSON.stringify(obj.protocol).slice(0, 20)}, this extension knows ${PROTOCOL_MAJOR}: update the extension or the program's nursery_lens`,
        'other protocol',
      );
    }
    const launch = this.ctx.launches.find(obj.secret);
    if (!launch) {
      return obj.secret === undefined
        ? refused(
            'no secret in hello: only programs started by this VS Code window (debug session or Run with Task Tree) are accepted',
            'no secret',
          )
        : refused(
            'wrong secret in hello: only programs started by this VS Code window (debug session or Run with Task Tree) are accepted',
            'wrong secret',
          );
    }
    const v = validateEvent(value);
    if (!v.ok) {
      const what = v.kind === 'invalid' ? `field "${v.field}" is missing or malformed` : v.kind;
      return refused(`malformed hello: ${what}`, 'malformed hello');
    }
    const hello = v.event as HelloEvent;
    // A program reconnects only after its old connection closed; a second one
    // at once holds a copy of the secret and must not write into the first's runs.
    const instanceKey = `${launch.secret}\u0000${hello.instance}`;
    if (this.ctx.liveInstances.has(instanceKey)) {
      return refused(
        `a second connection for program instance ${hello.instance.slice(0, 40)} of "${launch.label}" while its first is still connected; refused (a copy of the launch's secret?)`,
        'instance already connected',
      );
    }
    return { launch, hello, obj, instanceKey, unknownFields: v.unknownFields };
  }

  /** An admitted program: its stream, its paths, its reader; the hello goes into the recording without the secret. */
  private open({ launch, hello, obj, instanceKey, unknownFields }: Admitted): void {
    this.ctx.liveInstances.add(instanceKey);
    this.instanceKey = instanceKey;
    this.launch = launch;
    this.ctx.launches.connected(launch);
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
    this.ctx.programPaths.set(stream, {
      cwd: hello.cwd,
      argv: hello.argv,
      ...(hello.sys_path ? { sysPath: hello.sys_path } : {}),
    });
    this.reader = new StreamReader(stream, this.ctx.log, `${this.name} (pid ${hello.pid})`);
    this.reader.setHello(hello);
    // Saved recordings get shared: the hello as parsed (whatever escapes spelled
    // its keys) without the launch's secret, never the raw line.
    const { secret: _secret, ...withoutSecret } = obj;
    stream.record(JSON.stringify(withoutSecret));
    this.phase = 'open';
    this.hooks.accepted(this);
    this.ctx.log.info(
      `${this.name}: program pid ${hello.pid} (${launch.label}, ${hello.runtime} ${hello.runtime_version}, Python ${hello.python}) ${hello.reconnect ? `reconnected (${hello.reconnect})` : 'connected'}`,
    );
    if (unknownFields)
      this.ctx.log.info(
        `${this.name}: hello has fields this extension does not know: ${unknownFields.join(', ').slice(0, 200)} (ignored)`,
      );
    if (first) {
      try {
        this.ctx.onProgram?.(launch, stream);
      } catch (err) {
        this.ctx.log.warn(`${this.name}: ${messageOf(err)}`);
      }
    }
  }

  /**
   * One clear log line, then close. Before the hello the line goes through
   * the rate-limited refusal log, counted under `kind`.
   */
  refuse(reason: string, kind = reason): void {
    if (this.phase === 'closed') return;
    const wasOpen = this.phase === 'open';
    if (wasOpen) this.ctx.log.warn(`${this.name}: ${reason}`);
    else this.ctx.refusals.refused(this.name, reason, kind);
    this.setClosed();
    if (wasOpen) this.stream?.disconnected(`Connection closed: ${reason}`);
    this.socket.destroy();
  }

  close(): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'open') this.stream?.disconnected('The collector shut down.');
    this.setClosed();
    this.socket.destroy();
  }

  /** The phase becomes closed; the program instance may connect again. */
  private setClosed(): void {
    this.phase = 'closed';
    if (this.instanceKey) this.ctx.liveInstances.delete(this.instanceKey);
    if (this.launch) this.ctx.launches.disconnected(this.launch);
    this.instanceKey = null;
    this.launch = null;
  }

  private onClose(): void {
    clearTimeout(this.helloTimer);
    if (this.phase === 'open') {
      this.setClosed();
      const lost = this.decoder.buffered;
      const live = this.stream ? [...this.stream.runs.values()].filter((r) => r.currentStatus === 'live').length : 0;
      if (live)
        this.ctx.log.warn(
          `${this.name}: the program disconnected with ${live === 1 ? 'its run' : `${live} runs`} still live${lost ? ` (${lost} bytes of an unfinished line lost)` : ''}`,
        );
      else this.ctx.log.info(`${this.name}: program disconnected`);
      this.stream?.disconnected(DISCONNECTED_EARLY);
    } else if (this.phase === 'hello') {
      this.setClosed();
      this.ctx.refusals.refused(this.name, 'closed before saying hello', 'closed before a hello');
    }
    this.hooks.closed(this);
  }
}
