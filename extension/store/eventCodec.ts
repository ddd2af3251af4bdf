// How a run's history holds its events compactly (eventLog.ts keeps the
// pages): the frequent events become a kind byte, a flags byte and six
// 32-bit integers; strings, sites and the rare nested objects (errors,
// cancel details, await chains) go to the page's side table by index, one
// copy per distinct string or site. An event that does not fit (an id past
// 2^31, a value this file does not know) is kept whole. Decoding gives an
// event the reducer reads exactly as it read the original:
// test/unit/eventLog.test.ts holds every field of the schema to that.
import type { Site } from '../../contract/rows';
import type {
  NurseryOpenedEvent,
  ScopeChangedEvent,
  TaskExitedEvent,
  TaskFlaggedEvent,
  TaskSpawnedEvent,
  TaskStateEvent,
  WireEvent,
  WireSite,
} from '../../contract/wire';
import type { SiteTable } from './internTable';

/** What changes a run's state apart from its events: the store's own marks. */
export type HistoryMark =
  | { mark: 'recording' }
  /** `ts`: when (run time) the host lost it, past the last event when the program had gone quiet. */
  | { mark: 'disconnected'; reason: string; ts?: number }
  /** The run's debug session ended (after or before its connection did). */
  | { mark: 'session ended' }
  | { mark: 'problem'; message: string }
  /**
   * The host looked for a deadlock or hang at run time `ts` (RunState.judge: a stuck program sends nothing);
   * in the history at that time, so a moment after a program's last event shows what was judged by then.
   */
  | { mark: 'judged'; ts: number };
export type Logged = WireEvent | HistoryMark;

/** Events per page. */
export const PAGE = 1 << 14;
/** Integers per event. */
export const INTS = 6;

export const K = {
  state: 0,
  spawned: 1,
  exited: 2,
  moved: 3,
  flagged: 4,
  opened: 5,
  closed: 6,
  scope: 7,
  scopeClosed: 8,
  /** Kept whole in the side table (rare events, and any that do not fit). */
  whole: 9,
  mark: 10,
} as const;

/**
 * A bit of an entry's flags byte that no kind's encoding uses (they take the
 * low four): the log sets it on an entry about the library's own work, and
 * decoding never reads it.
 */
export const SYSTEM_BIT = 0x80;

/** One page of events: columns, and the side table its integers point into. */
export interface Page {
  kind: Uint8Array;
  bits: Uint8Array;
  /** The newest ts up to each event (so time is searchable even when a ts goes back). */
  ts: Float64Array;
  ints: Int32Array;
  refs: unknown[];
  /** Index of a string or site already in `refs` (dropped when the page is full). */
  refIndex: Map<unknown, number> | null;
  /** Events held. */
  n: number;
}

/** A page with room for `room` events (it grows up to PAGE: a short run's history stays small). */
export function newPage(room: number): Page {
  return {
    kind: new Uint8Array(room),
    bits: new Uint8Array(room),
    ts: new Float64Array(room),
    ints: new Int32Array(room * INTS),
    refs: [],
    refIndex: new Map(),
    n: 0,
  };
}

/** The page with twice the room (at most PAGE), its events kept. */
export function grown(page: Page): Page {
  const bigger = newPage(Math.min(PAGE, page.kind.length * 2));
  bigger.kind.set(page.kind);
  bigger.bits.set(page.bits);
  bigger.ts.set(page.ts);
  bigger.ints.set(page.ints);
  return { ...bigger, refs: page.refs, refIndex: page.refIndex, n: page.n };
}

const STATES = ['running', 'scheduled', 'waiting'] as const;
const OUTCOMES = ['returned', 'raised', 'cancelled'] as const;
const FLAGS = ['pending_at_close', 'exception_never_retrieved'] as const;
const GROUP_KINDS = ['nursery', 'taskgroup', 'anyio'] as const;
const SCOPE_KINDS = ['cancel_scope', 'timeout', 'wait_for', 'shield', 'anyio'] as const;

/** Absent field / null value, where an index or id is expected (ids and indexes are never negative). */
const ABSENT = -2;
const NULL = -1;

const fits = (x: number): boolean => (x | 0) === x && x >= 0;

/** Writes `e` at slot `i` of `page`; false when it does not fit the compact forms (keep it whole). */
export function encode(page: Page, i: number, logged: Logged, sites: SiteTable): boolean {
  const o = i * INTS;
  const ints = page.ints;
  // A mark has no type: it falls to the default (kept whole).
  const e = logged as WireEvent;
  switch (e.type) {
    case 'task.state': {
      const s = STATES.indexOf(e.state);
      if (s < 0 || !fits(e.id)) return false;
      ints[o] = e.id;
      ints[o + 1] = s;
      ints[o + 2] = e.at === undefined ? ABSENT : site(page, e.at, sites);
      ints[o + 3] =
        e.chain === undefined
          ? ABSENT
          : ref(
              page,
              e.chain.map((c) => sites.intern(c)),
            );
      ints[o + 4] = e.waits === undefined ? ABSENT : e.waits === null ? NULL : ref(page, e.waits);
      return put(page, i, K.state, 0);
    }
    case 'task.spawned':
      return encodeSpawned(page, i, e, sites);
    case 'task.exited': {
      const outcome = OUTCOMES.indexOf(e.outcome);
      if (outcome < 0 || !fits(e.id)) return false;
      ints[o] = e.id;
      ints[o + 1] = outcome;
      ints[o + 2] = e.error === undefined ? ABSENT : ref(page, e.error);
      ints[o + 3] = e.cancel === undefined ? ABSENT : ref(page, e.cancel);
      return put(page, i, K.exited, 0);
    }
    case 'task.moved':
      if (!fits(e.id) || !fits(e.nursery)) return false;
      ints[o] = e.id;
      ints[o + 1] = e.nursery;
      return put(page, i, K.moved, 0);
    case 'task.flagged': {
      const flag = FLAGS.indexOf(e.flag);
      if (flag < 0 || !fits(e.id)) return false;
      ints[o] = e.id;
      ints[o + 1] = flag;
      ints[o + 2] = e.error === undefined ? ABSENT : ref(page, e.error);
      return put(page, i, K.flagged, 0);
    }
    case 'nursery.opened': {
      const kind = e.kind === undefined ? ABSENT : GROUP_KINDS.indexOf(e.kind);
      if (kind === -1 || !fits(e.id) || !fits(e.task)) return false;
      ints[o] = e.id;
      ints[o + 1] = e.task;
      ints[o + 2] = site(page, e.site, sites);
      ints[o + 3] = kind;
      return put(page, i, K.opened, presence(e.system, 1) | presence(e.start, 4));
    }
    case 'nursery.closed':
    case 'scope.closed':
      if (!fits(e.id)) return false;
      ints[o] = e.id;
      return put(page, i, e.type === 'nursery.closed' ? K.closed : K.scopeClosed, 0);
    case 'scope.changed':
      return encodeScope(page, i, e, sites);
    default:
      return false;
  }
}

function encodeSpawned(page: Page, i: number, e: TaskSpawnedEvent, sites: SiteTable): boolean {
  const o = i * INTS;
  const ints = page.ints;
  const parent = e.parent ?? ABSENT;
  if (!fits(e.id) || (e.nursery !== null && !fits(e.nursery)) || (parent !== ABSENT && !fits(parent))) return false;
  ints[o] = e.id;
  ints[o + 1] = e.nursery ?? NULL;
  // asyncio's Task-N with the name shown (1.2 default_name): both in one ref, flagged by bit 8
  ints[o + 2] = e.default_name === undefined ? ref(page, e.name, true) : ref(page, [e.name, e.default_name]);
  ints[o + 3] = site(page, e.site, sites);
  ints[o + 4] = e.func === undefined ? ABSENT : site(page, e.func, sites);
  ints[o + 5] = parent;
  const named = e.default_name === undefined ? 0 : 8;
  return put(page, i, K.spawned, (e.system ? 1 : 0) | (e.main === true ? 2 : e.main === false ? 4 : 0) | named);
}

function encodeScope(page: Page, i: number, e: ScopeChangedEvent, sites: SiteTable): boolean {
  const o = i * INTS;
  const ints = page.ints;
  const kind = e.kind === undefined ? ABSENT : SCOPE_KINDS.indexOf(e.kind);
  // 1.2's call and cause leave no int free: such a scope event is kept whole (one per scope made or cancelled).
  if (kind === -1 || !fits(e.id) || !fits(e.task) || e.call !== undefined || e.cause !== undefined) return false;
  ints[o] = e.id;
  ints[o + 1] = e.task;
  ints[o + 2] = e.site === undefined ? ABSENT : site(page, e.site, sites);
  ints[o + 3] = e.deadline === null ? NULL : ref(page, e.deadline);
  ints[o + 4] = e.reason === undefined ? ABSENT : ref(page, e.reason, true);
  ints[o + 5] = kind;
  return put(page, i, K.scope, (e.shield ? 1 : 0) | (e.cancel_called ? 2 : 0));
}

/** An optional boolean in two bits from `bit`: true, false, or absent. */
const presence = (v: boolean | undefined, bit: number): number => (v === true ? bit : v === false ? bit * 2 : 0);
const fromPresence = (bits: number, bit: number): boolean | undefined =>
  bits & bit ? true : bits & (bit * 2) ? false : undefined;

function put(page: Page, i: number, kind: number, bits: number): true {
  page.kind[i] = kind;
  page.bits[i] = bits;
  return true;
}

/** Index of `v` in the page's side table; `shared` (strings, interned sites): one entry per page. */
export function ref(page: Page, v: unknown, shared = false): number {
  const index = page.refIndex;
  if (shared && index !== null) {
    const known = index.get(v);
    if (known !== undefined) return known;
    index.set(v, page.refs.length);
  }
  page.refs.push(v);
  return page.refs.length - 1;
}

function site(page: Page, v: WireSite | null, sites: SiteTable): number {
  return v === null ? NULL : ref(page, sites.intern(v), true);
}

const siteAt = (page: Page, x: number): Site | null => (x === NULL ? null : (page.refs[x] as Site));

/** The event at slot `i` of `page` (run number `run`, time `ts`). */
export function decode(page: Page, i: number, run: number, ts: number): Logged {
  const o = i * INTS;
  const ints = page.ints;
  const refs = page.refs;
  const bits = page.bits[i];
  switch (page.kind[i]) {
    case K.state: {
      const e: TaskStateEvent = { type: 'task.state', run, ts, id: ints[o], state: STATES[ints[o + 1]] };
      if (ints[o + 2] !== ABSENT) e.at = siteAt(page, ints[o + 2]);
      if (ints[o + 3] !== ABSENT) e.chain = refs[ints[o + 3]] as Site[];
      if (ints[o + 4] !== ABSENT)
        e.waits = ints[o + 4] === NULL ? null : (refs[ints[o + 4]] as TaskStateEvent['waits']);
      return e;
    }
    case K.spawned:
      return decodeSpawned(page, i, run, ts);
    case K.exited: {
      const e: TaskExitedEvent = { type: 'task.exited', run, ts, id: ints[o], outcome: OUTCOMES[ints[o + 1]] };
      if (ints[o + 2] !== ABSENT) e.error = refs[ints[o + 2]] as TaskExitedEvent['error'];
      if (ints[o + 3] !== ABSENT) e.cancel = refs[ints[o + 3]] as TaskExitedEvent['cancel'];
      return e;
    }
    case K.moved:
      return { type: 'task.moved', run, ts, id: ints[o], nursery: ints[o + 1] };
    case K.flagged: {
      const e: TaskFlaggedEvent = { type: 'task.flagged', run, ts, id: ints[o], flag: FLAGS[ints[o + 1]] };
      if (ints[o + 2] !== ABSENT) e.error = refs[ints[o + 2]] as TaskFlaggedEvent['error'];
      return e;
    }
    case K.opened: {
      const e: NurseryOpenedEvent = {
        type: 'nursery.opened',
        run,
        ts,
        id: ints[o],
        task: ints[o + 1],
        site: siteAt(page, ints[o + 2]),
      };
      const system = fromPresence(bits, 1);
      const start = fromPresence(bits, 4);
      if (system !== undefined) e.system = system;
      if (start !== undefined) e.start = start;
      if (ints[o + 3] !== ABSENT) e.kind = GROUP_KINDS[ints[o + 3]];
      return e;
    }
    case K.closed:
      return { type: 'nursery.closed', run, ts, id: ints[o] };
    case K.scopeClosed:
      return { type: 'scope.closed', run, ts, id: ints[o] };
    case K.scope:
      return decodeScope(page, i, run, ts);
    default:
      return refs[ints[o]] as Logged;
  }
}

function decodeSpawned(page: Page, i: number, run: number, ts: number): TaskSpawnedEvent {
  const o = i * INTS;
  const ints = page.ints;
  const refs = page.refs;
  const bits = page.bits[i];
  const e: TaskSpawnedEvent = {
    type: 'task.spawned',
    run,
    ts,
    id: ints[o],
    name: bits & 8 ? (refs[ints[o + 2]] as string[])[0] : (refs[ints[o + 2]] as string),
    nursery: ints[o + 1] === NULL ? null : ints[o + 1],
    system: (bits & 1) !== 0,
    site: siteAt(page, ints[o + 3]),
  };
  if (bits & 6) e.main = (bits & 2) !== 0;
  if (ints[o + 4] !== ABSENT) e.func = siteAt(page, ints[o + 4]);
  if (ints[o + 5] !== ABSENT) e.parent = ints[o + 5];
  if (bits & 8) e.default_name = (refs[ints[o + 2]] as string[])[1];
  return e;
}

function decodeScope(page: Page, i: number, run: number, ts: number): ScopeChangedEvent {
  const o = i * INTS;
  const ints = page.ints;
  const refs = page.refs;
  const bits = page.bits[i];
  const e: ScopeChangedEvent = {
    type: 'scope.changed',
    run,
    ts,
    id: ints[o],
    task: ints[o + 1],
    deadline: ints[o + 3] === NULL ? null : (refs[ints[o + 3]] as number),
    shield: (bits & 1) !== 0,
    cancel_called: (bits & 2) !== 0,
  };
  if (ints[o + 2] !== ABSENT) e.site = siteAt(page, ints[o + 2]);
  if (ints[o + 4] !== ABSENT) e.reason = refs[ints[o + 4]] as string;
  if (ints[o + 5] !== ABSENT) e.kind = SCOPE_KINDS[ints[o + 5]];
  return e;
}
