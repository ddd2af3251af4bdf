// A run's tree as text (runtime/protocol/TREE_TEXT.md), from the store's rows:
// what Copy Tree as Text puts on the clipboard. The Python runtime writes the
// same text (nursery_lens/_core/tree_text.py: `python -m nursery_lens show`,
// the SIGUSR1 dump, the pytest plugin); test/fixtures/*.tree.txt hold what both
// print for the recorded fixtures, byte for byte. Change the two together,
// and the spec first. Pure: no vscode.
import { holdersJoint, labelNamesHolder } from '../../contract/rows';
import type { NurseryRow, Row, RunInfo, ScopeInfo, Site, TaskRow, WaitInfo } from '../../contract/rows';

/** Longest text taken from the program (a name, a message, a file's name), in characters (code points). */
export const MAX_TEXT = 200;
/** Exceptions of a group named after its message. */
const MAX_LEAVES = 5;
/** Holders of a wait named before `and K more`. */
const MAX_HOLDERS = 3;
const INDENT = '  ';
const SEP = ' · ';

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
/** A UTF-16 surrogate without its other half (a JSON string may hold one). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const CANCEL_WORDS: Record<string, string> = {
  deadline: 'by a deadline',
  explicit: 'by a cancel() call',
  nursery: 'by a failing sibling',
  interrupt: 'by Ctrl-C',
  shutdown: 'as the run ended',
};
const SCOPE_WORDS: Record<string, string> = {
  cancel_scope: 'cancel scope',
  timeout: 'asyncio.timeout',
  wait_for: 'asyncio.wait_for',
  shield: 'asyncio.shield',
  anyio: 'AnyIO CancelScope',
};
const GROUP_WORDS: Record<string, string> = { nursery: 'nursery', taskgroup: 'TaskGroup', anyio: 'task group (AnyIO)' };
const FLAG_WORDS: Record<string, string> = {
  pending_at_close: 'pending at close',
  exception_never_retrieved: 'exception never retrieved',
};
const RETIRED_ORDER = ['returned', 'raised', 'cancelled', 'lost'] as const;

/** Program text made safe for one line: cut to `limit` code points, control and direction characters escaped, lone surrogates replaced. */
export function clean(s: string, limit = MAX_TEXT): string {
  let t = s;
  if (t.length > limit) {
    const points = Array.from(t);
    if (points.length > limit) t = points.slice(0, limit - 1).join('') + '…';
  }
  return t.replace(LONE_SURROGATE, '\ufffd').replace(UNSAFE, (c) => NAMED[c] ?? escapeCode(c.charCodeAt(0)));
}

function escapeCode(o: number): string {
  return o <= 0xff ? `\\x${o.toString(16).padStart(2, '0')}` : `\\u${o.toString(16).padStart(4, '0')}`;
}

/** `1.500s`: milliseconds as seconds, rounded to the millisecond. */
export function seconds(ms: number): string {
  const r = Math.floor(ms + 0.5);
  const a = Math.abs(r);
  return `${r < 0 ? '-' : ''}${Math.floor(a / 1000)}.${String(a % 1000).padStart(3, '0')}s`;
}

/** `file.py:12` (the file's base name), or null for no site. */
export function siteText(site: Site | null | undefined): string | null {
  if (!site) return null;
  const file = site.file;
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  return `${clean(base)}:${Number.isInteger(site.line) ? site.line : '?'}`;
}

/** What `errorText` reads of an error: a row's (ErrorInfo) or the wire's. */
interface ErrorWords {
  type: string;
  message: string;
  site?: Site | null;
  exceptions?: ErrorWords[];
}

/** `ValueError: bad url`; a group also names its exceptions' types. */
export function errorText(e: ErrorWords): string {
  let out = clean(e.type);
  if (e.message) out += `: ${clean(e.message)}`;
  const leaves = e.exceptions;
  if (leaves?.length) {
    out += ` [${leaves
      .slice(0, MAX_LEAVES)
      .map((x) => clean(x.type))
      .join(', ')}${leaves.length > MAX_LEAVES ? ', …' : ''}]`;
  }
  return out;
}

/** `returned`, `raised ValueError: bad url @ main.py:12` (where it was raised, when known). */
export function outcomeText(outcome: string, error: ErrorWords | null | undefined): string {
  if (outcome !== 'raised') return clean(outcome);
  if (!error) return 'raised';
  const where = siteText(error.site);
  return `raised ${errorText(error)}${where ? ` @ ${where}` : ''}`;
}

/** `Trio 0.35.0`, `asyncio 3.12.1`, `AnyIO 4.6.0 on Trio 0.35.0`. */
export function libraryWords(
  library: string | undefined,
  version: string | undefined,
  anyio: string | undefined,
): string {
  let lib = library === 'asyncio' ? 'asyncio' : 'Trio';
  if (version) lib += ` ${clean(version)}`;
  return anyio !== undefined ? `AnyIO ${clean(anyio)} on ${lib}` : lib;
}

/** The script's file name (the module after `-m`; a package's name for its `__main__.py`). */
export function programLabel(argv: readonly string[]): string {
  if (!argv.length) return 'program';
  let first = argv[0];
  if ((first === '-m' || first === '-c') && argv.length > 1) first = argv[1];
  const parts = first.split(/[\\/]/);
  let base = parts[parts.length - 1];
  // A package run with -m (pytest, …): its name.
  if (base === '__main__.py' && parts.length > 1 && parts[parts.length - 2]) base = parts[parts.length - 2];
  return base ? clean(base) : 'program';
}

/** What the header says of the run: its outcome, else how it stands. */
export function runStatus(info: RunInfo): string {
  if (info.outcome) return outcomeText(info.outcome, info.error);
  if (info.status === 'live' || info.savedRunning) return 'running';
  // A recording's run that ends in the collector's run.stopped (1.5) ended as the live one did.
  return info.status === 'disconnected' || info.stoppedAt !== undefined ? 'disconnected' : 'not finished';
}

function header(info: RunInfo, status: string, at: number | undefined): string {
  const parts = [programLabel(info.argv), libraryWords(info.library, info.libraryVersion, info.anyio), status];
  if (at !== undefined) parts.push(`at ${seconds(at)}`);
  return parts.join(SEP);
}

function stateText(t: TaskRow): string {
  const state = t.state;
  if (state === 'running' || state === 'scheduled' || state === 'waiting') {
    const at = siteText(t.awaitSite);
    return at ? `${state} @ ${at}` : state;
  }
  if (state === 'cancelled') {
    let out = 'cancelled';
    const words = t.cancelSource ? CANCEL_WORDS[t.cancelSource] : undefined;
    if (words) out += ` ${words}`;
    if (t.cancelReason) out += ` (${clean(t.cancelReason)})`;
    return out;
  }
  return outcomeText(state, t.error);
}

/** `on Lock bob.lock held by transfer bob->alice`; null for none, or for its own nursery's children (the lines below say it; a gather's, named as holders, are said). */
function waitsText(t: TaskRow, nameOf: (id: number) => string): string | null {
  const w: WaitInfo | undefined = t.state === 'waiting' ? t.waits : undefined;
  if (!w || (w.kind === 'children' && !w.holders?.length)) return null;
  let out = `on ${clean(w.label)}`;
  const holders = w.holders ?? [];
  if (holders.length && !labelNamesHolder({ ...w, label: clean(w.label) }, holders.map(nameOf))) {
    const names = holders.slice(0, MAX_HOLDERS).map(nameOf).join(', ');
    const more = holders.length > MAX_HOLDERS ? ` and ${holders.length - MAX_HOLDERS} more` : '';
    out += `${holdersJoint(w)}${names}${more}`;
  }
  if (typeof w.until === 'number') out += ` until ${seconds(w.until)}`;
  if (w.detail) out += ` (${clean(w.detail)})`;
  return out;
}

function scopeText(s: ScopeInfo): string {
  let out = SCOPE_WORDS[s.kind ?? 'cancel_scope'] ?? 'cancel scope';
  const at = siteText(s.site);
  if (at) out += ` @ ${at}`;
  const items: string[] = [];
  if (s.deadline !== null) items.push(`deadline at ${seconds(s.deadline)}`);
  if (s.shield) items.push('shielded');
  if (s.cancelCalled) items.push(s.reason ? `cancelled: ${clean(s.reason)}` : 'cancelled');
  return items.length ? `${out} (${items.join(', ')})` : out;
}

function flagText(t: TaskRow, flag: string): string {
  let out = `⚠ ${FLAG_WORDS[flag] ?? clean(flag)}`;
  if (flag === 'exception_never_retrieved' && t.unretrieved) out += `: ${errorText(t.unretrieved)}`;
  return out;
}

/** A node's line around its `×N`: [before, after]. */
function head(row: Row, nameOf: (id: number) => string): [string, string] {
  if (row.kind === 'nursery') return nurseryHead(row);
  if (row.kind === 'retired') {
    const counts = RETIRED_ORDER.filter((k) => row.byOutcome[k] > 0).map((k) => `${row.byOutcome[k]} ${k}`);
    return [
      `… ${row.count} finished task${row.count === 1 ? '' : 's'} not kept`,
      counts.length ? ` (${counts.join(', ')})` : '',
    ];
  }
  const parts = [stateText(row)];
  const waits = waitsText(row, nameOf);
  if (waits) parts.push(waits);
  if (row.loose) parts.push('loose');
  const at = siteText(row.site);
  if (at) parts.push(`spawned @ ${at}`);
  for (const s of row.scopes) parts.push(scopeText(s));
  for (const f of row.flags ?? []) parts.push(flagText(row, f));
  return [clean(row.name), SEP + parts.join(SEP)];
}

function nurseryHead(n: NurseryRow): [string, string] {
  const word = GROUP_WORDS[n.groupKind ?? 'nursery'] ?? clean(String(n.groupKind));
  const at = siteText(n.site);
  return [n.start ? `${word} of start()` : word, at ? ` @ ${at}` : ''];
}

/**
 * Every shown row under its nearest shown ancestor, in id (spawn) order, the
 * store's retired rows last. The library's own tasks and nurseries are not
 * shown: their children move up (Trio's main task becomes a root).
 */
function shownChildren(rows: readonly Row[]): Map<number | null, Row[]> {
  const byId = new Map<number, Row>();
  for (const r of rows) byId.set(r.id, r);
  const resolved = new Map<number, number | null>();
  const shownAncestor = (pid: number | null): number | null => {
    const path: number[] = [];
    let found: number | null = null;
    let cur = pid;
    while (cur !== null && path.length <= byId.size) {
      const memo = resolved.get(cur);
      if (memo !== undefined) {
        found = memo;
        break;
      }
      const row = byId.get(cur);
      if (!row) break;
      if (row.kind === 'retired' || !row.system) {
        found = cur;
        break;
      }
      path.push(cur);
      cur = row.parent;
    }
    for (const p of path) resolved.set(p, found);
    return found;
  };
  const sorted = [...rows].sort(
    (a, b) => (a.kind === 'retired' ? 1 : 0) - (b.kind === 'retired' ? 1 : 0) || a.id - b.id,
  );
  const kids = new Map<number | null, Row[]>();
  for (const row of sorted) {
    if (row.kind !== 'retired' && row.system) continue;
    const at = shownAncestor(row.parent);
    let list = kids.get(at);
    if (!list) kids.set(at, (list = []));
    list.push(row);
  }
  return kids;
}

type Group = [row: Row, count: number];

/** The tree's lines: siblings whose whole subtrees print alike stand as one, `×N`. */
export function treeLines(rows: readonly Row[]): string[] {
  const kids = shownChildren(rows);
  const order: Row[] = [];
  const stack = [...(kids.get(null) ?? [])];
  while (stack.length) {
    const row = stack.pop()!;
    order.push(row);
    stack.push(...(kids.get(row.id) ?? []));
  }
  const byId = new Map<number, Row>();
  for (const r of rows) byId.set(r.id, r);
  const nameOf = (id: number): string => {
    const r = byId.get(id);
    return r?.kind === 'task' ? clean(r.name) : `#${id}`;
  };
  const heads = new Map<number, [string, string]>();
  for (const row of order) heads.set(row.id, head(row, nameOf));
  const keys = new Map<string, number>(); // a subtree's print, as nested numbers -> its number
  const keyOf = new Map<number, number>();
  const groups = new Map<number, Group[]>();
  const grouped = (children: readonly Row[]): Group[] => {
    const byKey = new Map<number, Group>();
    for (const c of children) {
      const k = keyOf.get(c.id)!;
      const hit = byKey.get(k);
      if (hit) hit[1]++;
      else byKey.set(k, [c, 1]);
    }
    return [...byKey.values()];
  };
  for (let i = order.length - 1; i >= 0; i--) {
    const row = order[i];
    const g = grouped(kids.get(row.id) ?? []);
    groups.set(row.id, g);
    const shape = JSON.stringify([heads.get(row.id), g.map(([c, n]) => [keyOf.get(c.id), n])]);
    let k = keys.get(shape);
    if (k === undefined) keys.set(shape, (k = keys.size));
    keyOf.set(row.id, k);
  }
  const out: string[] = [];
  const todo: Array<[Row, number, number]> = grouped(kids.get(null) ?? [])
    .reverse()
    .map(([r, n]) => [r, n, 0]);
  while (todo.length) {
    const [row, n, depth] = todo.pop()!;
    const [before, after] = heads.get(row.id)!;
    out.push(INDENT.repeat(depth) + before + (n > 1 ? ` ×${n}` : '') + after);
    const g = groups.get(row.id)!;
    for (let i = g.length - 1; i >= 0; i--) todo.push([g[i][0], g[i][1], depth + 1]);
  }
  return out;
}

/**
 * The whole text: the header line, then the tree (`(no tasks)` when empty).
 * `at`: the run-relative time (ms) the rows stand for, when not the run's latest.
 */
export function treeText(rows: readonly Row[], info: RunInfo, at?: number, status = runStatus(info)): string {
  const lines = treeLines(rows);
  return [header(info, status, at), ...(lines.length ? lines : ['(no tasks)'])].join('\n') + '\n';
}

/** The run as it stood at a past moment `at` (ms): running then, unless it had already ended. */
export function pastTreeText(past: { rows: readonly Row[]; info: RunInfo; at: number }): string {
  return treeText(past.rows, past.info, past.at, past.info.outcome ? runStatus(past.info) : 'running');
}
