// The task names in the timeline's lanes, cut to the room left of the strip
// so that the rows in sight stay tellable apart.

/**
 * A name cut to `room` characters in its middle, keeping more of its end:
 * `fetch(http://www.cnn.com)` → `fetc…w.cnn.com)`, so names that differ
 * at their end (a URL, a number) stay apart in a narrow strip.
 */
export function cutMiddle(name: string, room: number): string {
  if (name.length <= room) return name;
  if (room < 4) return `${name.slice(0, Math.max(1, room - 1))}…`;
  const head = Math.ceil((room - 1) / 4);
  return `${name.slice(0, head)}…${name.slice(name.length - (room - 1 - head))}`;
}

/**
 * Each name cut to `room` characters (cutMiddle); names that cut makes
 * alike though they differ keep instead the stretch where they differ:
 * `fetc…thon.org)` twice becomes `fetc…w.python…` and `fetc…w.jython…`.
 */
export function cutApart(names: readonly string[], room: number): string[] {
  const cut = names.map((n) => cutMiddle(n, room));
  const alike = new Map<string, number[]>();
  cut.forEach((c, i) => {
    const list = alike.get(c);
    if (list) list.push(i);
    else alike.set(c, [i]);
  });
  const head = Math.ceil((room - 1) / 4); // as cutMiddle, so the rows line up
  const rest = room - 2 - head;
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

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
