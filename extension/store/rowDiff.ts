// What differs between two states of one run (two moments of its history),
// as the delta a panel that shows the first needs to show the second. Rows
// are compared field by field, nested values (sites, scopes, errors) by
// value: two moments rebuilt apart share no objects.
import type { Delta } from './deltaLog';
import { copyRow, type Entry } from './rowEntries';
import type { RunTree } from './runTree';

/** Delta bookkeeping, not row content. */
const TRACKING = new Set(['dirty', 'sent', 'gone']);
/** Nested values go no deeper than this in a row (an error group's leaves). */
const MAX_DEPTH = 8;

function same(u: unknown, v: unknown, depth: number): boolean {
  if (u === v) return true;
  if (typeof u !== 'object' || typeof v !== 'object' || u === null || v === null || depth > MAX_DEPTH) return false;
  if (Array.isArray(u) || Array.isArray(v)) {
    if (!Array.isArray(u) || !Array.isArray(v) || u.length !== v.length) return false;
    for (let i = 0; i < u.length; i++) if (!same(u[i], v[i], depth + 1)) return false;
    return true;
  }
  const x = u as Record<string, unknown>;
  const y = v as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    n++;
    if (!same(x[k], y[k], depth + 1)) return false;
  }
  for (const _ in y) n--;
  return n === 0;
}

/** True when the two stored rows would reach a consumer alike. */
export function sameEntry(a: Entry, b: Entry): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  for (const k in x) {
    if (!TRACKING.has(k) && !same(x[k], y[k], 0)) return false;
  }
  return true;
}
/** The delta from `old` to `next`; `next`'s rows count as seen afterwards (their removal will be told). */
export function deltaBetween(old: RunTree, next: RunTree): Delta {
  const upsert = [];
  const remove: number[] = [];
  for (const e of next.entries()) {
    const before = old.row(e.id);
    if (!before || !sameEntry(before, e)) upsert.push(copyRow(e));
    e.sent = true;
  }
  for (const e of old.entries()) if (!next.row(e.id)) remove.push(e.id);
  next.changes.discard();
  return { upsert, remove };
}
