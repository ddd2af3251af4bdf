// Play and pause: moves the time cursor on at a chosen speed, one seek per
// animation frame (the cursor sends them no faster than they are answered),
// and stops at the end of what the run holds.
export interface PlayerParts {
  /** The cursor's moment now (ms), or null when live. */
  at(): number | null;
  /** Where playing stops: the newest moment. */
  end(): number;
  /** The first moment (playing from live starts there). */
  start(): number;
  seek(at: number): void;
  /** Playing stopped (at the end, or by pause()). */
  stopped(): void;
}

/** Speeds offered; 0 in the picker stands for "auto" (the run plays in about AUTO_SECONDS). */
export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10];
const AUTO_SECONDS = 8;

/** The speed at which a run of `ms` plays in about AUTO_SECONDS, from SPEEDS (never faster than 1×). */
export function autoSpeed(ms: number): number {
  const want = ms / (AUTO_SECONDS * 1000);
  let best = SPEEDS[0];
  for (const s of SPEEDS) if (s <= Math.min(1, Math.max(want, SPEEDS[0]))) best = s;
  return best;
}

export class Player {
  playing = false;
  private raf: number | null = null;
  private last = 0;

  constructor(
    private readonly p: PlayerParts,
    public speed = 1,
  ) {}

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  play(): void {
    if (this.playing) return;
    const at = this.p.at();
    // From the end (or from live), play from the start.
    if (at === null || at >= this.p.end()) this.p.seek(this.p.start());
    this.playing = true;
    this.last = performance.now();
    this.raf = requestAnimationFrame((t) => this.tick(t));
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    if (this.raf !== null) cancelAnimationFrame(this.raf);
    this.raf = null;
    this.p.stopped();
  }

  private tick(now: number): void {
    this.raf = null;
    if (!this.playing) return;
    const dt = Math.max(0, Math.min(100, now - this.last)); // a background tab's long gap does not jump
    this.last = now;
    const at = (this.p.at() ?? this.p.start()) + dt * this.speed;
    const end = this.p.end();
    if (at >= end) {
      this.p.seek(end);
      this.pause();
      return;
    }
    this.p.seek(at);
    this.raf = requestAnimationFrame((t) => this.tick(t));
  }
}
