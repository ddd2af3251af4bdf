// Per-launch secrets. Every debug session or terminal run gets its own random
// secret; a connecting program echoes it in `hello`, which tells the collector
// which launch (label, debug session) the program belongs to, and lets it
// refuse anything else that finds the port.
//
// A secret is accepted only while its launch can still have programs: until
// its owner (the debug session, the terminal's process) ends, which
// launchOwners.ts reports as `retire`. A launch that no owner claimed is
// retired once UNCLAIMED_MS passed without a connection of its programs (a
// debug configuration resolved for a session that never started, a lost
// owner): counted from its creation, or from when its last connection closed.
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';

export interface Launch {
  /** Random hex, 32 bytes. */
  secret: string;
  /** Human name for the launch's runs (debug session name, script name). */
  label: string;
  kind: 'debug' | 'terminal' | 'external';
  /** VS Code debug session id, once known. */
  debugSessionId?: string;
  created: number;
  /** A debug session or terminal took it: it lives until that ends. */
  owned?: boolean;
  /** Accepted connections of its programs open now. */
  open: number;
  /** Connections ever accepted: none means no program of it started an event loop (the runtime connects then). */
  connections: number;
  /** When its last connection closed (or it was made): an unowned launch's idle time counts from here. */
  idleSince: number;
}

const MAX_LAUNCHES = 500;
/**
 * How long a launch without an owner is accepted without a connection. A
 * debug session starts, and a terminal is made, within seconds of their
 * launch; two minutes leave room for a slow start on a loaded machine, and
 * for a program's reconnects.
 */
export const UNCLAIMED_MS = 2 * 60_000;

/** Hash first so that lookup time does not depend on how much of a guess matched. */
const digest = (s: string) => createHash('sha256').update(s).digest();

/** The secret inside a NURSERY_LENS value (as set in a debug configuration's env), if any. */
export function secretInEnvValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed = JSON.parse(value) as { secret?: unknown };
    return typeof parsed.secret === 'string' ? parsed.secret : undefined;
  } catch {
    return undefined;
  }
}

export class LaunchRegistry {
  private readonly byDigest = new Map<string, Launch>();
  private readonly unclaimedMs: number;
  private readonly now: () => number;

  constructor(options: { unclaimedMs?: number; now?: () => number } = {}) {
    this.unclaimedMs = options.unclaimedMs ?? UNCLAIMED_MS;
    this.now = options.now ?? Date.now;
  }

  create(label: string, kind: Launch['kind'], debugSessionId?: string): Launch {
    const now = this.now();
    const launch: Launch = {
      secret: randomBytes(32).toString('hex'),
      label,
      kind,
      created: now,
      open: 0,
      connections: 0,
      idleSince: now,
    };
    if (debugSessionId) launch.debugSessionId = debugSessionId;
    this.add(launch);
    return launch;
  }

  private add(launch: Launch): void {
    this.byDigest.set(digest(launch.secret).toString('hex'), launch);
    // Old launches go first; a program of a launch this old is long gone.
    while (this.byDigest.size > MAX_LAUNCHES) {
      const oldest = this.byDigest.keys().next().value as string;
      this.byDigest.delete(oldest);
    }
  }

  /** The launch a secret belongs to, or undefined (also once it is retired, or unowned and idle too long). */
  find(secret: unknown): Launch | undefined {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 1024) return undefined;
    const d = digest(secret);
    const launch = this.byDigest.get(d.toString('hex'));
    if (!launch || !timingSafeEqual(d, digest(launch.secret))) return undefined;
    if (!launch.owned && launch.open === 0 && this.now() - launch.idleSince > this.unclaimedMs) {
      this.retire(launch);
      return undefined;
    }
    return launch;
  }

  /** Finds a launch by the secret inside a NURSERY_LENS value (as set in a debug configuration's env). */
  fromEnvValue(value: unknown): Launch | undefined {
    return this.find(secretInEnvValue(value));
  }

  /** The launch a debug session took (its root session), if it is still accepted. */
  bySession(sessionId: string): Launch | undefined {
    for (const l of this.byDigest.values()) if (l.debugSessionId === sessionId) return l;
    return undefined;
  }

  /** An owner (debug session, terminal) took the launch: it is accepted until the owner ends. */
  own(launch: Launch): void {
    launch.owned = true;
  }

  /** A connection of the launch's program was accepted. */
  connected(launch: Launch): void {
    launch.open++;
    launch.connections++;
  }

  /** An accepted connection of the launch closed. */
  disconnected(launch: Launch): void {
    launch.open = Math.max(0, launch.open - 1);
    if (!launch.open) launch.idleSince = this.now();
  }

  /** Its secret is refused from now on (connections already accepted go on). */
  retire(launch: Launch): void {
    this.byDigest.delete(digest(launch.secret).toString('hex'));
  }

  /** Accepts a retired launch's secret again (VS Code restarted its debug session with the same configuration). */
  restore(launch: Launch): void {
    this.add(launch);
  }
}
