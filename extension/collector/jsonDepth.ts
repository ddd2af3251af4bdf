// How deep a JSON text nests, found without parsing it: JSON.parse spends
// ~80 ms on one 1 MiB line of brackets, while no event of the protocol nests
// more than about twenty deep (an exception group's nested groups).

/** Deeper than any event of the protocol nests. */
export const MAX_EVENT_DEPTH = 32;

/**
 * True when the JSON text nests deeper than `max` (objects and arrays),
 * found by one scan that skips strings: a linear check, so that a stranger's
 * deeply nested line costs no more than reading it.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  // Fast path (most lines): too few brackets to nest that deep, counted by native indexOf.
  if (countUpTo(text, '{', max + 1) + countUpTo(text, '[', max + 1) <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** How often `c` occurs in `text`, counting no further than `limit`. */
function countUpTo(text: string, c: string, limit: number): number {
  let n = 0;
  for (let i = text.indexOf(c); i >= 0 && n < limit; i = text.indexOf(c, i + 1)) n++;
  return n;
}
