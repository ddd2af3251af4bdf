// Which tasks a failure cancelled (TaskRow.cancelledBy), as drawable pairs:
// dashed lines between siblings, and "related" marks for the other end of a
// focused (selected or hovered) task's links.
import type { Row } from '../../contract/rows';
import type { Layout, Placed } from './layout';
import type { Model } from './model';
import type { CancelLink } from './render';

/** Failing task id → the task ids its failure cancelled. */
export function victimsIndex(rows: ReadonlyMap<number, Row>): Map<number, number[]> {
  const victims = new Map<number, number[]>();
  for (const r of rows.values()) {
    if (r.kind !== 'task' || r.cancelledBy === undefined) continue;
    let list = victims.get(r.cancelledBy);
    if (!list) victims.set(r.cancelledBy, (list = []));
    list.push(r.id);
  }
  return victims;
}

export function cancelLinks(
  model: Model,
  layout: Layout,
  rows: ReadonlyMap<number, Row>,
  victims: ReadonlyMap<number, number[]>,
  visible: Placed[],
  focus: string | null,
): { links: CancelLink[]; related: Set<string> } {
  const links: CancelLink[] = [];
  const related = new Set<string>();
  if (victims.size === 0) return { links, related };
  const seen = new Set<string>();
  const add = (failerId: number, victimId: number): void => {
    // A folded task is drawn by its fold: link the fold.
    const fk = model.keyOf(failerId);
    const vk = model.keyOf(victimId);
    if (fk === null || vk === null || fk === vk) return;
    const id = `${fk}>${vk}`;
    if (seen.has(id)) return;
    const failer = layout.byKey.get(fk);
    const victim = layout.byKey.get(vk);
    if (!failer || !victim) return;
    seen.add(id);
    // Lines only within one column (siblings): lines to cousins would cross
    // labels. Cousins are still marked when either end is focused.
    if (failer.x === victim.x) links.push({ failer, victim });
    if (focus === fk) related.add(vk);
    if (focus === vk) related.add(fk);
  };
  for (const p of visible) {
    const row = rows.get(p.node.id);
    if (p.node.kind !== 'task' || row?.kind !== 'task') continue;
    if (row.cancelledBy !== undefined) add(row.cancelledBy, row.id);
    for (const v of victims.get(row.id) ?? []) add(row.id, v);
  }
  return { links, related };
}
