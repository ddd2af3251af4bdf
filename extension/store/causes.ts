// A cancel cause as rows keep it (protocol 1.2's cause: source, reason, by,
// and where and with which exception), made from the wire's, bounded.
import type { CauseInfo } from '../../contract/rows';
import type { WireCause } from '../../contract/wire';
import type { RunTree } from './runTree';
import { clip, errorOf, MAX_TEXT } from './rowEntries';

/** The row's copy of a wire cause (its `scope` is kept on the task row, not here). */
export function causeOf(tree: RunTree, c: WireCause): CauseInfo {
  const out: CauseInfo = {};
  if (c.source !== undefined) out.source = c.source;
  if (c.reason !== undefined) out.reason = clip(c.reason, MAX_TEXT);
  if (c.by !== undefined) out.by = c.by;
  const site = c.site !== undefined ? tree.site(c.site) : null;
  if (site) out.site = site;
  if (c.error !== undefined) out.error = errorOf(tree.siteOf, c.error);
  return out;
}
