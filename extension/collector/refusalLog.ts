// Refused connections, told in the log without letting a stranger fill it:
// the first few of each minute in full, then one line per minute that counts
// the rest by reason. A program with a stale secret still gets its one clear
// line; 5,000 connect/close cycles get a handful.

export interface WarnLog {
  warn(message: string): void;
}

/** Refusals written in full per window; the rest are counted. */
const FULL_PER_WINDOW = 5;
const WINDOW_MS = 60_000;

export class RefusalLog {
  private windowStart = -Infinity;
  private written = 0;
  private readonly held = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly log: WarnLog,
    private readonly windowMs = WINDOW_MS,
    private readonly fullPerWindow = FULL_PER_WINDOW,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * `who` names the connection; `kind` groups the held-back ones (keep it
   * short and free of program data).
   */
  refused(who: string, reason: string, kind = reason): void {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      this.flush();
      this.windowStart = t;
      this.written = 0;
    }
    if (this.written < this.fullPerWindow) {
      this.written++;
      this.log.warn(`${who}: ${reason}`);
      return;
    }
    this.held.set(kind, (this.held.get(kind) ?? 0) + 1);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), Math.max(0, this.windowStart + this.windowMs - t));
      this.timer.unref?.();
    }
  }

  /** Writes the count of held-back refusals, if any (at the window's end, and on close). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.held.size) return;
    let total = 0;
    const parts: string[] = [];
    for (const [kind, n] of this.held) {
      total += n;
      parts.push(`${n} × ${kind}`);
    }
    this.held.clear();
    this.log.warn(`collector: ${total} more connection(s) refused without a log line each: ${parts.join('; ')}`);
  }
}
