// The task names in the timeline's lanes, cut to the room left of the strip
// so that the rows in sight stay tellable apart.
import type { TimelineLine } from '../../contract/timeline';
import { displayName } from '../tree/labels';

/** The lanes in sight's names by task id: as the tree names them (`main` for `__main__.main`), cut to `room` characters (cutApart). */
export function laneNames(
  shown: readonly TimelineLine[],
  all: readonly TimelineLine[],
  room: number,
): Map<number, string> {
  const cuts = cutWithHead(
    shown.map((l) => displayName(l.name)),
    room,
    headFor(all, room),
  );
  return new Map(shown.map((l, i) => [l.id, cuts[i]]));
}

/**
 * The head kept for `all`'s lanes at `room`: decided once per lane list (the
 * timeline rebuilds its rows as a new array when they change), not in every
 * frame's draw, which would read every lane's name per frame.
 */
const heads = new WeakMap<readonly TimelineLine[], { room: number; head: number }>();
function headFor(all: readonly TimelineLine[], room: number): number {
  const known = heads.get(all);
  if (known?.room === room) return known.head;
  const head = sharedStart(
    all.map((l) => displayName(l.name)),
    room,
  )
    ? 0
    : headOf(room);
  heads.set(all, { room, head });
  return head;
}

/**
 * A name cut to `room` characters in its middle, keeping more of its end:
 * `fetch(http://www.cnn.com)` → `fetc…w.cnn.com)`, so names that differ
 * at their end (a URL, a number) stay apart in a narrow strip. `head`: the
 * characters kept at its start.
 */
export function cutMiddle(name: string, room: number, head = headOf(room)): string {
  if (name.length <= room) return name;
  if (room < 4) return `${name.slice(0, Math.max(1, room - 1))}…`;
  return `${name.slice(0, head)}…${name.slice(name.length - (room - 1 - head))}`;
}

const headOf = (room: number): number => Math.ceil((room - 1) / 4);

/**
 * Each name cut to `room` characters (cutMiddle); when every name of
 * `all` (the strip's lanes, not only those in sight: the cut stays put as
 * rows scroll) that is cut starts alike, and they are not all one name,
 * the start says nothing and goes (`…w.cnn.com)`, not `fetc….cnn.com)`:
 * at 400 px the fetches read `fet…ps://…`). Names that cut makes alike
 * though they differ keep instead the stretch where they differ:
 * `…thon.org)` twice becomes `…w.python…` and `…w.jython…`.
 */
export function cutApart(names: readonly string[], room: number, all: readonly string[] = names): string[] {
  return cutWithHead(names, room, sharedStart(all, room) ? 0 : headOf(room));
}

/** cutApart with the head already decided. */
function cutWithHead(names: readonly string[], room: number, head: number): string[] {
  const cut = names.map((n) => cutMiddle(n, room, head));
  const alike = new Map<string, number[]>();
  cut.forEach((c, i) => {
    const list = alike.get(c);
    if (list) list.push(i);
    else alike.set(c, [i]);
  });
  const rest = room - 2 - head; // after the same head as cutMiddle's, so the rows line up
  for (const group of alike.values()) {
    if (group.length < 2 || rest < 3) continue;
    for (const i of group) {
      const name = names[i];
      let d = name.length; // where it first differs from those it was cut alike with
      for (const j of group) if (names[j] !== name) d = Math.min(d, firstDifference(name, names[j]));
      if (name.length <= room || d >= name.length) continue;
      const from = Math.max(head, Math.min(d - Math.floor(rest / 4), name.length - rest));
      cut[i] = `${name.slice(0, head)}…${name.slice(from, from + rest)}${from + rest < name.length ? '…' : ''}`;
    }
  }
  return cut;
}

/** Whether the names longer than `room` are several, not all one, and start with the same head. */
function sharedStart(all: readonly string[], room: number): boolean {
  let first: string | undefined;
  let several = false;
  for (const n of all) {
    if (n.length <= room) continue;
    if (first === undefined) first = n;
    else if (!n.startsWith(first.slice(0, headOf(room)))) return false;
    else if (n !== first) several = true;
  }
  return several;
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
