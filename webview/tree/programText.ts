// Text from the program (task names, exception messages, function and file
// names) is shown as the program wrote it, except for characters that would
// make it read as something else: direction controls (U+202E turns
// "invoice\u202Efdp.exe" into "invoiceexe.pdf" on screen), other invisible
// controls and line separators. Those are shown escaped (`\u202e`), the same
// way Copy as text writes them (extension/export/treeText.ts). It is always
// inserted as text, never as HTML; this is about what the eye sees.
import type { CauseInfo, ErrorInfo, LintMark, Row, RunInfo, Site, VerdictTask, WaitInfo } from '../../contract/rows';
import type { TimelineData } from '../../contract/timeline';

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex -- the same set, without the global flag, for test()
const HAS_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with direction and other invisible controls made visible. */
export function visible(s: string): string {
  return HAS_UNSAFE.test(s) ? s.replace(UNSAFE, escape) : s;
}

function visibleSite(site: Site | null | undefined): void {
  if (site) site.function = visible(site.function);
}

function visibleError(e: ErrorInfo | undefined, depth = 0): void {
  if (!e || depth > 8) return;
  e.type = visible(e.type);
  e.message = visible(e.message);
  visibleSite(e.site);
  for (const x of e.exceptions ?? []) visibleError(x, depth + 1);
}

/** A lint's words name tasks, functions and files of the program. */
function visibleLints(lints: LintMark[] | undefined): void {
  for (const l of lints ?? []) {
    l.badge = visible(l.badge);
    l.sentence = visible(l.sentence);
  }
}

function visibleWaits(w: WaitInfo | undefined): void {
  if (!w) return;
  w.label = visible(w.label);
  if (w.detail !== undefined) w.detail = visible(w.detail);
}

function visibleCause(c: CauseInfo | undefined): void {
  if (!c) return;
  if (c.reason !== undefined) c.reason = visible(c.reason);
  visibleSite(c.site);
  visibleError(c.error);
}

function visibleVerdictTask(t: VerdictTask): void {
  t.name = visible(t.name);
  visibleWaits(t.waits);
}

/**
 * Makes a row from the host safe to show, in place (rows arrive as fresh
 * copies through postMessage). File paths are left exact: the panel sends
 * them back to open the file; `baseName` makes them visible for the eye.
 */
export function visibleRow(row: Row): Row {
  if (row.kind === 'task') {
    row.name = visible(row.name);
    if (row.defaultName !== undefined) row.defaultName = visible(row.defaultName);
    visibleSite(row.site);
    visibleSite(row.awaitSite);
    visibleSite(row.func);
    visibleError(row.error);
    visibleError(row.unretrieved);
    if (row.cancelReason !== undefined) row.cancelReason = visible(row.cancelReason);
    visibleSite(row.cancelSite);
    visibleError(row.cancelError);
    visibleWaits(row.waits);
    for (const s of row.scopes) {
      if (s.reason !== undefined) s.reason = visible(s.reason);
      if (s.call !== undefined) s.call = visible(s.call);
      visibleSite(s.site);
      visibleCause(s.cause);
    }
    visibleLints(row.lints);
  } else if (row.kind === 'nursery') {
    visibleSite(row.site);
    visibleLints(row.lints);
  }
  return row;
}

/** The same for a run's header: its label comes from the program's argv, its verdict names tasks and what they wait on. */
export function visibleInfo(info: RunInfo): RunInfo {
  info.label = visible(info.label);
  visibleError(info.error);
  info.verdict?.tasks.forEach(visibleVerdictTask);
  info.verdict?.behind.forEach(visibleVerdictTask);
  return info;
}

/** The same for a timeline answer: its task names and errors, and its lint marks' lines and coroutines. */
export function visibleTimeline(d: TimelineData): TimelineData {
  for (const l of d.lines) {
    l.name = visible(l.name);
    visibleError(l.error);
  }
  for (const m of d.marks) {
    visibleSite(m.site);
    if (m.coroutine !== undefined) m.coroutine = visible(m.coroutine);
  }
  return d;
}
