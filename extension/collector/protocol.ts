// The collector's validator for wire protocol v1: a fast hand-written check
// driven by one table. Unknown event types and unknown fields are reported,
// never fatal. The types live in contract/wire.ts.
import { MAX_BATCH } from '../../contract/wire';
import type { WireLine, WireLineType } from '../../contract/wire';

// ------------------------------------------------------------ field checks

type Check = (v: unknown) => boolean;

const isInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v);
const isNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
/** An id names one row: from 1 to 2^53 - 1 (past it, two ids written apart can parse to one number). */
const isId = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const int: Check = isInt;
const number: Check = isNum;
const id: Check = isId;
const idOrNull: Check = (v) => v === null || isId(v);
const ts: Check = (v) => isNum(v) && (v as number) >= 0;
const count: Check = (v) => isInt(v) && (v as number) >= 1;
const nonNegInt: Check = (v) => isInt(v) && (v as number) >= 0;
const numOrNull: Check = (v) => v === null || isNum(v);
const strings: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const oneOf =
  (...values: unknown[]): Check =>
  (v) =>
    values.includes(v);
/** Longest `file` of a site (PATH_MAX on Linux) and `function` (a qualified name) accepted. */
export const MAX_SITE_FILE = 4096;
export const MAX_SITE_FUNCTION = 1024;
/**
 * A site: `file` and `function` strings of sane length, a line. A field this
 * version does not know may hold a scalar (minor versions may add one); one
 * holding an object or array is junk, and the site is refused with its event.
 */
const site: Check = (v) => {
  if (v === null) return true;
  if (typeof v !== 'object' || Array.isArray(v)) return false;
  const s = v as Record<string, unknown>;
  const { file, line } = s;
  const fn = s.function;
  if (
    typeof file !== 'string' ||
    typeof fn !== 'string' ||
    file.length > MAX_SITE_FILE ||
    fn.length > MAX_SITE_FUNCTION
  )
    return false;
  if (typeof line !== 'number' || !Number.isSafeInteger(line) || line < 0) return false;
  let keys = 0;
  for (const _ in s) keys++;
  return keys === 3 || scalarsOnly(s);
};
function scalarsOnly(s: Record<string, unknown>): boolean {
  for (const k in s) if (typeof s[k] === 'object' && s[k] !== null) return false;
  return true;
}
const sites: Check = (v) => Array.isArray(v) && v.length <= 64 && v.every((x) => x !== null && site(x));
const error = (v: unknown, depth = 0): boolean => {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || depth > 8) return false;
  const e = v as Record<string, unknown>;
  if (typeof e.type !== 'string' || typeof e.message !== 'string' || e.message.length > 2000) return false;
  if (e.site !== undefined && e.site !== null && !site(e.site)) return false; // 1.6: where it was raised
  if (e.exceptions === undefined) return true;
  return Array.isArray(e.exceptions) && e.exceptions.length <= 20 && e.exceptions.every((x) => error(x, depth + 1));
};
/** A cause (task.exited.cancel, scope.changed.cause): what cancelled it. */
const cancel: Check = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const c = v as Record<string, unknown>;
  return (
    (c.source === undefined ||
      ['deadline', 'explicit', 'nursery', 'interrupt', 'shutdown', 'unknown'].includes(c.source as string)) &&
    (c.reason === undefined || typeof c.reason === 'string') &&
    (c.by === undefined || id(c.by)) &&
    (c.scope === undefined || id(c.scope)) &&
    (c.site === undefined || site(c.site)) &&
    (c.error === undefined || error(c.error))
  );
};
/** Longest `label` and `detail` of a task's waits, and most `holders` (the schema's bounds). */
export const MAX_WAIT_TEXT = 300;
export const MAX_HOLDERS = 16;
const boundedText = (v: unknown, max: number): boolean => typeof v === 'string' && v.length <= max;
/** A task's waits (1.2): null, or what it waits for. */
const waits: Check = (v) => {
  if (v === null) return true;
  if (typeof v !== 'object' || Array.isArray(v)) return false;
  const w = v as Record<string, unknown>;
  return (
    boundedText(w.kind, 64) &&
    boundedText(w.label, MAX_WAIT_TEXT) &&
    (w.obj === undefined || id(w.obj)) &&
    (w.holders === undefined || (Array.isArray(w.holders) && w.holders.length <= MAX_HOLDERS && w.holders.every(id))) &&
    (w.until === undefined || ts(w.until)) &&
    (w.wakes === undefined || typeof w.wakes === 'boolean') &&
    (w.detail === undefined || boundedText(w.detail, MAX_WAIT_TEXT))
  );
};
const outcome = oneOf('returned', 'raised', 'cancelled');
/** 1.3: a batch's lists: 1 to MAX_BATCH entries. */
const batchOf =
  (item: (v: unknown) => boolean): Check =>
  (v) =>
    Array.isArray(v) && v.length >= 1 && v.length <= MAX_BATCH && v.every(item);
const offsets = batchOf((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0);
const ids = batchOf(isId);
/** Program text the schema bounds at 2,000 characters (a warning's category and message). */
const text: Check = (v) => typeof v === 'string' && v.length <= 2000;
const nonNegNum: Check = (v) => isNum(v) && (v as number) >= 0;

export interface EventSpec {
  required: Record<string, Check>;
  optional: Record<string, Check>;
}

/** Every event type of protocol 1.x with its fields (besides `type`). */
export const EVENT_SPECS: Record<WireLineType, EventSpec> = {
  hello: {
    required: {
      protocol: int,
      minor: nonNegInt,
      runtime: str,
      runtime_version: str,
      lens_version: str,
      python: str,
      pid: int,
      argv: strings,
      cwd: str,
      instance: str,
    },
    optional: { secret: str, reconnect: nonNegInt, sys_path: strings },
  },
  'run.started': {
    required: { run: id, ts, wall: number },
    optional: { resumed: bool, library: oneOf('trio', 'asyncio'), library_version: str, anyio: str },
  },
  'run.finished': { required: { run: id, ts, outcome }, optional: { error } },
  'run.stopped': { required: { run: id, ts, reason: text }, optional: { session_ended: bool, running: bool } },
  'task.spawned': {
    required: { run: id, ts, id, name: str, nursery: idOrNull, system: bool, site },
    optional: { main: bool, parent: id, func: site, default_name: str },
  },
  'tasks.spawned': {
    required: { run: id, ts, first: id, after_us: offsets, name: str, nursery: idOrNull, system: bool, site },
    optional: { main: bool, parent: id, func: site, default_name: str, default_names: batchOf(str) },
  },
  'task.moved': { required: { run: id, ts, id, nursery: id }, optional: {} },
  'task.state': {
    required: { run: id, ts, id, state: oneOf('running', 'scheduled', 'waiting') },
    optional: { at: site, chain: sites, waits },
  },
  'task.exited': { required: { run: id, ts, id, outcome }, optional: { error, cancel } },
  'tasks.exited': { required: { run: id, ts, ids, after_us: offsets, outcome: oneOf('returned') }, optional: {} },
  'task.flagged': {
    required: { run: id, ts, id, flag: oneOf('pending_at_close', 'exception_never_retrieved') },
    optional: { error },
  },
  'loop.blocked': {
    required: { run: id, ts, block: id, since: ts, duration: nonNegNum },
    optional: { ongoing: bool, task: id, at: site },
  },
  warning: {
    required: { run: id, ts, category: text, message: text, site },
    optional: { kind: oneOf('never_awaited'), func: site, task: id },
  },
  'nursery.opened': {
    required: { run: id, ts, id, task: id, site },
    optional: { system: bool, start: bool, kind: oneOf('nursery', 'taskgroup', 'anyio') },
  },
  'nursery.closed': { required: { run: id, ts, id }, optional: {} },
  'scope.changed': {
    required: { run: id, ts, id, task: id, deadline: numOrNull, shield: bool, cancel_called: bool },
    optional: {
      reason: str,
      kind: oneOf('cancel_scope', 'timeout', 'wait_for', 'shield', 'anyio'),
      site,
      call: (v) => boundedText(v, 64),
      cause: cancel,
    },
  },
  'scope.closed': { required: { run: id, ts, id }, optional: {} },
  dropped: { required: { ts, count, total: count }, optional: { run: id } },
  'snapshot.begin': { required: { run: id, ts }, optional: {} },
  'snapshot.end': { required: { run: id, ts }, optional: {} },
  'runtime.disabled': { required: { reason: str }, optional: { run: id, ts } },
};

// The hello's `protocol` and `runtime` are checked by the connection (with a
// clear message) rather than rejected as malformed here.

export type Validation =
  | { ok: true; event: WireLine; unknownFields: string[] | null }
  | { ok: false; kind: 'not-object' | 'no-type' }
  | { ok: false; kind: 'unknown-type'; type: string }
  | { ok: false; kind: 'invalid'; type: string; field: string };

/** The table as flat arrays (required fields first): faster to walk than object keys. */
const COMPILED = new Map(
  Object.entries(EVENT_SPECS).map(([type, spec]) => {
    const names = [...Object.keys(spec.required), ...Object.keys(spec.optional)];
    const checks = [...Object.values(spec.required), ...Object.values(spec.optional)];
    return [type, { names, checks, nRequired: Object.keys(spec.required).length, all: new Set(names) }];
  }),
);

export type Problem =
  | { kind: 'not-object' | 'no-type' }
  | { kind: 'unknown-type'; type: string }
  | { kind: 'invalid'; type: string; field: string };

const NOT_OBJECT: Problem = { kind: 'not-object' };
const NO_TYPE: Problem = { kind: 'no-type' };

// ------------------------------------------- hot types, checked inline
// Same rules as EVENT_SPECS (protocolDrift.test.ts runs both against the
// schema): true only for a valid event without unknown fields.

const isTs = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function keyCount(obj: Record<string, unknown>): number {
  let n = 0;
  for (const _ in obj) n++;
  return n;
}

function exitedOk(o: Record<string, unknown>): boolean {
  if (!isId(o.run) || !isTs(o.ts) || !isId(o.id)) return false;
  const out = o.outcome;
  if (out !== 'returned' && out !== 'raised' && out !== 'cancelled') return false;
  let known = 5;
  if (o.error !== undefined) {
    if (!error(o.error)) return false;
    known++;
  }
  if (o.cancel !== undefined) {
    if (!cancel(o.cancel)) return false;
    known++;
  }
  return keyCount(o) === known;
}

function spawnedOk(o: Record<string, unknown>): boolean {
  if (!isId(o.run) || !isTs(o.ts) || !isId(o.id) || typeof o.name !== 'string' || typeof o.system !== 'boolean')
    return false;
  if (o.nursery !== null && !isId(o.nursery)) return false;
  if (!site(o.site)) return false;
  let known = 8;
  if (o.main !== undefined) {
    if (typeof o.main !== 'boolean') return false;
    known++;
  }
  if (o.parent !== undefined) {
    if (!isId(o.parent)) return false;
    known++;
  }
  if (o.func !== undefined) {
    if (!site(o.func)) return false;
    known++;
  }
  return keyCount(o) === known;
}

function stateOk(o: Record<string, unknown>): boolean {
  if (!isId(o.run) || !isTs(o.ts) || !isId(o.id)) return false;
  const st = o.state;
  if (st !== 'running' && st !== 'scheduled' && st !== 'waiting') return false;
  let known = 5;
  if (o.at !== undefined) {
    if (!site(o.at)) return false;
    known++;
  }
  if (o.chain !== undefined) {
    if (!sites(o.chain)) return false;
    known++;
  }
  if (o.waits !== undefined) {
    if (!waits(o.waits)) return false;
    known++;
  }
  return keyCount(o) === known;
}

/**
 * The hot path: null when `value` is a valid event. Names of unknown fields
 * are pushed to `unknown` (cleared by the caller). Allocates nothing for a
 * valid event, so a million events a second stay cheap for the GC.
 */
export function checkEvent(value: unknown, unknown: string[]): Problem | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return NOT_OBJECT;
  const obj = value as Record<string, unknown>;
  const type = obj.type;
  if (typeof type !== 'string') return NO_TYPE;
  // The three types that make up nearly all of a busy stream are checked by
  // straight-line code first; anything it does not accept (including unknown
  // fields) goes through the table below, which names the problem.
  if (
    type === 'task.exited'
      ? exitedOk(obj)
      : type === 'task.spawned'
        ? spawnedOk(obj)
        : type === 'task.state' && stateOk(obj)
  )
    return null;
  const spec = COMPILED.get(type);
  if (!spec) return { kind: 'unknown-type', type };
  const { names, checks, nRequired } = spec;
  let known = 1; // `type`
  for (let i = 0; i < names.length; i++) {
    const v = obj[names[i]];
    if (i >= nRequired && v === undefined) continue;
    if (!checks[i](v)) return { kind: 'invalid', type, field: names[i] };
    known++;
  }
  // 1.3's batches: what no single field says
  if (type === 'tasks.exited' && (obj.ids as unknown[]).length !== (obj.after_us as unknown[]).length)
    return { kind: 'invalid', type, field: 'after_us' };
  if (type === 'tasks.spawned') {
    const n = (obj.after_us as unknown[]).length;
    if (!isId((obj.first as number) + n - 1)) return { kind: 'invalid', type, field: 'first' };
    if (obj.default_names !== undefined && (obj.default_names as unknown[]).length !== n)
      return { kind: 'invalid', type, field: 'default_names' };
  }
  // Only collect names when there are more keys than we recognised.
  let keys = 0;
  for (const _ in obj) keys++;
  if (keys !== known) {
    for (const k in obj) if (k !== 'type' && !spec.all.has(k)) unknown.push(k);
  }
  return null;
}

/** Validates one parsed line (the convenient form of checkEvent). */
export function validateEvent(value: unknown): Validation {
  const unknown: string[] = [];
  const problem = checkEvent(value, unknown);
  if (problem) return { ok: false, ...problem } as Validation;
  return { ok: true, event: value as WireLine, unknownFields: unknown.length ? unknown : null };
}
