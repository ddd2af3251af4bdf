// Per-launch secrets. Every debug session or terminal run gets its own random
// secret; a connecting program echoes it in `hello`, which tells the collector
// which launch (label, debug session) the program belongs to, and lets it
// refuse anything else that finds the port.
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
}

const MAX_LAUNCHES = 500;

/** Hash first so that lookup time does not depend on how much of a guess matched. */
const digest = (s: string) => createHash('sha256').update(s).digest();

export class LaunchRegistry {
  private readonly byDigest = new Map<string, Launch>();

  create(label: string, kind: Launch['kind'], debugSessionId?: string): Launch {
    const launch: Launch = { secret: randomBytes(32).toString('hex'), label, kind, created: Date.now() };
    if (debugSessionId) launch.debugSessionId = debugSessionId;
    this.byDigest.set(digest(launch.secret).toString('hex'), launch);
    // Old launches go first; a program of a launch this old is long gone.
    while (this.byDigest.size > MAX_LAUNCHES) {
      const oldest = this.byDigest.keys().next().value as string;
      this.byDigest.delete(oldest);
    }
    return launch;
  }

  /** The launch a secret belongs to, or undefined. */
  find(secret: unknown): Launch | undefined {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 1024) return undefined;
    const d = digest(secret);
    const launch = this.byDigest.get(d.toString('hex'));
    if (!launch) return undefined;
    return timingSafeEqual(d, digest(launch.secret)) ? launch : undefined;
  }

  /** Finds a launch by the secret inside a NURSERY_LENS value (as set in a debug configuration's env). */
  fromEnvValue(value: unknown): Launch | undefined {
    if (typeof value !== 'string') return undefined;
    try {
      const parsed = JSON.parse(value) as { secret?: unknown };
      return this.find(parsed.secret);
    } catch {
      return undefined;
    }
  }

  remove(launch: Launch): void {
    this.byDigest.delete(digest(launch.secret).toString('hex'));
  }
}
