// Where a moment is on the timeline strip, read from its drawn axis as a
// user's eye would, dragging the cursor there, and the strip's rows: shared
// by the timeline's browser tests.
import type { Harness } from './browser';

/** Client x of moment `t` on the strip, from two of its axis ticks (and a y on the curve). */
export async function xOf(h: Harness, t: number): Promise<{ x: number; y: number }> {
  const box = (await h.page.locator('.tl-top-svg').boundingBox())!;
  const ticks = await h.page.$$eval('g.tl-tick', (els) =>
    els.map((g) => [g.querySelector('text')!.textContent!, g.getAttribute('transform')!] as const),
  );
  const val = (s: string) => (s === '0' ? 0 : s.endsWith(' ms') ? parseFloat(s) : parseFloat(s) * 1000);
  const px = (tr: string) => Number(/translate\(([-\d.]+)/.exec(tr)![1]);
  const [a, b] = [ticks[0], ticks[ticks.length - 1]];
  const x = px(a[1]) + ((t - val(a[0])) / (val(b[0]) - val(a[0]))) * (px(b[1]) - px(a[1]));
  return { x: box.x + x, y: box.y + 20 };
}

/** Drags the time cursor to moment `t` (a press, a small move and back, a release). */
export async function dragTo(h: Harness, t: number): Promise<void> {
  const p = await xOf(h, t);
  await h.page.mouse.move(p.x, p.y);
  await h.page.mouse.down();
  await h.page.mouse.move(p.x + 1, p.y);
  await h.page.mouse.move(p.x, p.y);
  await h.page.mouse.up();
}

/** Task rows of the timeline, top to bottom: their names. */
export const rowNames = (h: Harness) =>
  h.page.$$eval('g.tl-row', (els) =>
    els
      .map(
        (e) =>
          [
            Number((e.getAttribute('transform') ?? '').replace(/.*,([-\d.]+)\)/, '$1')),
            e.querySelector('text')?.textContent ?? '',
          ] as const,
      )
      .sort((a, b) => a[0] - b[0])
      .map(([, n]) => n),
  );
