// The rule that folds siblings: tasks of one kind. Real programs name tasks
// uniquely (`worker-17`, `fetch(https://…)`), so a name says little; what
// makes tasks alike is the function they run and the line that started
// them. With the function known (protocol 1.2 `func`), tasks with the same
// function and spawn site are one kind whatever their names; without it,
// tasks from the same spawn site whose names share a pattern (digits and
// call arguments aside) are. Pure: Node tests use it as the page does.
import type { Row, Site, TaskRow } from '../../contract/rows';
import { displayName, shortSite } from './labels';

/** Kind keys per row object: rows are replaced when they change, so a key cached on one stays right. */
const KINDS = new WeakMap<TaskRow, string>();

/** `worker-17` → `worker-#`, `fetch(https://a.org)` → `fetch(…)`: what stays when the varying parts go. */
export function namePattern(name: string): string {
  const call = /^([^()]*)\(.*\)$/s.exec(name);
  const head = call ? `${call[1]}(…)` : name;
  return head.replace(/\d+/g, '#');
}

const siteKey = (s: Site | null | undefined): string => (s ? `${s.file}:${s.line}` : '');

/** The kind of a task: tasks with one key in one nursery fold together. */
export function kindKey(t: TaskRow): string {
  let k = KINDS.get(t);
  if (k === undefined) {
    k = t.func ? `f|${siteKey(t.func)}|${siteKey(t.site)}` : `n|${siteKey(t.site)}|${namePattern(t.name)}`;
    KINDS.set(t, k);
  }
  return k;
}

/** A short stable hash (FNV-1a) of a kind key, for fold keys that survive reloads and make valid element ids. */
export function kindHash(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/** What a fold is called: the function's name when known, else its members' name pattern without the varying part. */
export function kindLabel(first: TaskRow): string {
  if (first.func?.function) return displayName(first.func.function);
  const pattern = namePattern(first.name);
  const cut = pattern.search(/[#(]/);
  const stem = (cut < 0 ? pattern : pattern.slice(0, cut)).replace(/[\s\-_.:,/[]+$/, '');
  return displayName(stem || pattern);
}

const collator = new Intl.Collator('en', { numeric: true });

/** The first and last member names in natural order (`worker-2` before `worker-10`). */
export function nameRange(ids: readonly number[], rows: ReadonlyMap<number, Row>): [string, string] | null {
  let lo: string | null = null;
  let hi: string | null = null;
  for (const id of ids) {
    const r = rows.get(id);
    if (r?.kind !== 'task') continue;
    if (lo === null || collator.compare(r.name, lo) < 0) lo = r.name;
    if (hi === null || collator.compare(r.name, hi) > 0) hi = r.name;
  }
  return lo === null || hi === null ? null : [lo, hi];
}

/** Sentences per fold's member list: each build makes new lists, and names change only with a rebuild. */
const SENTENCES = new WeakMap<readonly number[], string>();

/** The rule in words, for the hover card and the details: "2,000 tasks started at app.py:40 running worker()". */
export function kindSentence(ids: readonly number[], rows: ReadonlyMap<number, Row>): string {
  let s = SENTENCES.get(ids);
  if (s === undefined) SENTENCES.set(ids, (s = sentence(ids, rows)));
  return s;
}

function sentence(ids: readonly number[], rows: ReadonlyMap<number, Row>): string {
  const first = ids.map((id) => rows.get(id)).find((r): r is TaskRow => r?.kind === 'task');
  const n = `${ids.length.toLocaleString('en-US')} tasks`;
  if (!first) return n;
  const started = first.site ? ` started at ${shortSite(first.site)}` : '';
  if (first.func) return `${n}${started} running ${first.func.function}()`;
  const range = nameRange(ids, rows);
  const named = !range ? '' : range[0] === range[1] ? ` named ${range[0]}` : ` named ${range[0]} … ${range[1]}`;
  return `${n}${started}${named}`;
}
