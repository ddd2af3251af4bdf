// Lints as diagnostics, without vscode: which file and line each one marks,
// its severity, code, message and related lines. problems.ts turns these
// into vscode.Diagnostics of the run's collection. A lint without a line
// marks nothing in the editor (it still counts, and marks its task).
import type { Site } from '../../contract/rows';
import type { Lint, LintSeverity } from '../store/runLints';

export const DIAGNOSTIC_SOURCE = 'Nursery Lens';

export interface DiagnosticData {
  /** 0-based, as vscode counts. */
  line: number;
  severity: LintSeverity;
  /** The lint's code (`loop-blocked`, …). */
  code: string;
  message: string;
  related: Array<{ file: string; line: number; message: string }>;
  /** Tasks (or the task group) it is about, for the panel. */
  ids: number[];
}

/** Most diagnostics a run puts in one file (a program spawning from 10,000 lines must not flood the Problems panel). */
export const MAX_PER_FILE = 200;

const lineOf = (s: Site): number => Math.max(0, Math.floor(s.line) - 1);

/** A lint the Problems panel can show: at a line of a file (a block with no program line is not). */
const inFile = (lint: Lint): lint is Lint & { site: Site } => !!lint.site?.file && lint.site.line >= 1;

/** The run's lints by file, each file's in line order. `label`: the run's, said when more than one run has lints. */
export function diagnosticsByFile(lints: readonly Lint[], label?: string): Map<string, DiagnosticData[]> {
  const out = new Map<string, DiagnosticData[]>();
  for (const lint of lints) {
    if (!inFile(lint)) continue;
    const site = lint.site;
    const list = out.get(site.file) ?? [];
    if (!out.has(site.file)) out.set(site.file, list);
    if (list.length >= MAX_PER_FILE) continue;
    list.push({
      line: lineOf(site),
      severity: lint.severity,
      code: lint.code,
      message: label ? `${lint.message} (${label})` : lint.message,
      related: lint.related
        .filter((r) => r.site.line >= 1)
        .map((r) => ({ file: r.site.file, line: lineOf(r.site), message: r.message })),
      ids: lint.ids,
    });
  }
  for (const list of out.values()) list.sort((a, b) => a.line - b.line);
  return out;
}

/** How many lints of each severity the Problems panel shows, for the status bar (which says they are there). */
export function lintCounts(lints: readonly Lint[]): { warning: number; information: number } {
  let warning = 0;
  let information = 0;
  for (const l of lints) {
    if (!inFile(l)) continue;
    if (l.severity === 'warning') warning++;
    else information++;
  }
  return { warning, information };
}

/** The status bar's lint counts, as the Problems panel counts them: `$(warning) 10 $(info) 1`; empty for none. */
export function lintBadge(c: { warning: number; information: number }): string {
  const parts: string[] = [];
  if (c.warning) parts.push(`$(warning) ${c.warning.toLocaleString('en-US')}`);
  if (c.information) parts.push(`$(info) ${c.information.toLocaleString('en-US')}`);
  return parts.join(' ');
}
