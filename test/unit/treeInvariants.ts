// What the panel relies on in every snapshot the store hands out, checked
// plainly (no store code): ids are unique, every parent chain ends, every
// cancelledBy chain ends, and the rows survive postMessage's structured clone.
import type { Row } from '../../contract/rows';

/** Each way `rows` break the panel's assumptions (empty: none). */
export function treeProblems(rows: readonly Row[]): string[] {
  const out: string[] = [];
  const byId = new Map<number, Row>();
  for (const r of rows) {
    if (byId.has(r.id)) out.push(`duplicate id ${r.id}`);
    byId.set(r.id, r);
  }
  // Each row's parent chain, walked once: rows known to reach a root end a later walk early.
  const rooted = new Set<number>();
  for (const r of rows) {
    const path = new Set<number>();
    let at: Row | undefined = r;
    while (at && !rooted.has(at.id)) {
      if (path.has(at.id)) {
        out.push(`parent cycle through ${at.id}`);
        break;
      }
      path.add(at.id);
      at = at.parent === null ? undefined : byId.get(at.parent);
    }
    if (!at || rooted.has(at.id)) for (const id of path) rooted.add(id);
  }
  for (const r of rows) {
    if (r.kind !== 'task') continue;
    const chain = new Set<number>([r.id]);
    for (let by = r.cancelledBy; by !== undefined;) {
      if (chain.has(by)) {
        out.push(`cancelledBy cycle through ${r.id}`);
        break;
      }
      chain.add(by);
      const next = byId.get(by);
      by = next?.kind === 'task' ? next.cancelledBy : undefined;
    }
  }
  try {
    structuredClone(rows);
    JSON.stringify(rows);
  } catch (err) {
    out.push(`not serializable: ${String(err)}`);
  }
  return out;
}
