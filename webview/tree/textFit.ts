// Fitting text into a number of pixels: every cut label in the tree goes
// through here. Pure (the measure is passed in), so Node tests cut by
// character count.
import { baseName, displayName } from './labels';

/** Anything that measures text in pixels (a TextMeasure; a character count in Node tests). */
export interface Measure {
  width(text: string): number;
}

/** `text`, or its longest prefix + "…" that fits in `max` px ('' when nothing does). */
function fitStart(m: Measure, text: string, max: number): string {
  if (max <= 0) return '';
  if (m.width(text) <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (m.width(text.slice(0, mid) + '…') <= max) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + '…';
}

/** `text` in `max` px, cutting the middle so both ends survive; `tail` is the end's share of the room. */
export function fitMiddle(m: Measure, text: string, max: number, tail = 0.55): string {
  if (m.width(text) <= max) return text;
  if (m.width('…') > max) return '';
  const cut = (n: number): string => {
    const back = Math.round(n * tail);
    return text.slice(0, n - back) + '…' + (back ? text.slice(text.length - back) : '');
  };
  let lo = 0;
  let hi = text.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (m.width(cut(mid)) <= max) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}

/** `file.py:12` in `max` px, cutting the middle of the file name so the line number stays. */
export function fitSite(m: Measure, file: string, line: number, max: number): string {
  const full = `${baseName(file)}:${line}`;
  if (m.width(full) <= max) return full;
  const tail = `…:${line}`;
  const stem = fitStart(m, baseName(file), max - m.width(tail) + m.width('…'));
  return stem.endsWith('…') ? stem.slice(0, -1) + tail : stem + tail.slice(1);
}

const URL_ARG = /^[a-z][\w+.-]*:\/\/(?:www\.)?(.+)$/i;

/**
 * A task name in `max` px, cut so the part that tells siblings apart survives.
 * Dotted identifiers are drawn by their last part (displayName). For names of
 * the form `f(arg)` the argument is what differs between siblings
 * (`fetch(http://www.cnn.com)`), so `f(` and `)` stay, a URL loses its scheme
 * and `www.` first (its host is the part that differs), and other arguments
 * lose their middle. Anything else loses its middle, keeping both ends
 * (`worker-17`, `upload chunk 12`).
 */
export function cutName(m: Measure, name: string, max: number): string {
  const shown = displayName(name);
  if (m.width(shown) <= max) return shown;
  const call = /^([^()]+)\((.+)\)$/s.exec(shown);
  if (call) {
    const open = `${displayName(call[1])}(`;
    const room = max - m.width(open) - m.width(')');
    if (room >= m.width('…') * 5) {
      const url = URL_ARG.exec(call[2]);
      const arg = url ? fitStart(m, '…' + url[1], room) : fitMiddle(m, call[2], room, 0.6);
      if (arg.length > 1) return `${open}${arg})`;
    }
  }
  return fitMiddle(m, shown, max);
}
