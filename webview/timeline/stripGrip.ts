// The grip over the timeline strip: drag it, or focus it and press ↑/↓, to
// resize the strip. It is a window splitter to assistive technology: its
// value is the strip's height in pixels, within the limits a drag has.
import { setAttr } from '../elements';

export const MIN_HEIGHT = 90;
/** ↑/↓ on the grip: this many pixels per press. */
const KEY_STEP = 16;

export class StripGrip {
  /** `chosen`: the user gave the strip this height (remembered with the panel's state). */
  constructor(
    private readonly grip: HTMLElement,
    private readonly body: HTMLElement,
    private readonly chosen: (height: number) => void,
  ) {
    grip.addEventListener('pointerdown', (e) => {
      grip.setPointerCapture(e.pointerId);
      const y0 = e.clientY;
      const h0 = this.height;
      const move = (m: PointerEvent) => this.resize(h0 - (m.clientY - y0));
      const up = () => {
        grip.removeEventListener('pointermove', move);
        grip.removeEventListener('pointerup', up);
      };
      grip.addEventListener('pointermove', move);
      grip.addEventListener('pointerup', up);
    });
    grip.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
      e.preventDefault();
      this.resize(this.height + (e.key === 'ArrowUp' ? KEY_STEP : -KEY_STEP));
    });
  }

  get height(): number {
    return this.body.getBoundingClientRect().height;
  }

  /** The height remembered from an earlier visit (not cut to this window: the panel may grow). */
  restore(px: number): void {
    this.show(Math.max(MIN_HEIGHT, px));
  }

  /** A height the user asked for, kept between the least and 70% of the window. */
  private resize(px: number): void {
    const height = Math.round(Math.max(MIN_HEIGHT, Math.min(this.max(), px)));
    this.show(height);
    this.chosen(height);
  }

  private max(): number {
    return Math.max(MIN_HEIGHT, window.innerHeight * 0.7);
  }

  private show(height: number): void {
    this.body.style.height = `${height}px`;
    setAttr(this.grip, 'aria-valuemin', String(MIN_HEIGHT));
    setAttr(this.grip, 'aria-valuemax', String(Math.round(Math.max(height, this.max()))));
    setAttr(this.grip, 'aria-valuenow', String(Math.round(height)));
    setAttr(this.grip, 'aria-valuetext', `timeline ${Math.round(height)} pixels tall`);
  }
}
