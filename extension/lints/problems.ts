// Lints in the Problems panel: one DiagnosticCollection per run (disposed
// with the run), squiggles at each lint's line, related lines a click away.
// It asks each run for its lints at most every EVALUATE_MS after the store
// changed, and keeps asking while a run is live (a start() may pass its
// threshold with nothing new on the wire); a run that did not change costs
// a comparison. Rows the lints marked reach the panel with the next delta.
import * as vscode from 'vscode';
import type { RunStore } from '../store/runStore';
import type { Lint, LintSettings } from '../store/runLints';
import { DIAGNOSTIC_SOURCE, diagnosticsByFile, lintCounts, type DiagnosticData } from './diagnosticData';

const EVALUATE_MS = 400;

export interface LintTotals {
  warning: number;
  information: number;
}

export class LintProblems implements vscode.Disposable {
  private readonly collections = new Map<string, vscode.DiagnosticCollection>();
  private readonly lints = new Map<string, Lint[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: { dispose(): void };
  /** Runs' labels go with their diagnostics once more than one run has some. */
  private labelled = false;
  private totals: LintTotals = { warning: 0, information: 0 };
  private disposed = false;

  constructor(
    private readonly store: RunStore,
    private readonly settings: () => LintSettings,
    private readonly onTotals: (t: LintTotals) => void,
  ) {
    this.subscription = store.onDidChange((e) => {
      if (e.kind === 'removed') for (const k of e.keys) this.forget(k);
      this.schedule();
    });
  }

  /** The settings changed: every run is looked at again. */
  settingsChanged(): void {
    this.schedule(0);
  }

  /** The lints of a run as last found (for tests and the hints). */
  lintsOf(key: string): readonly Lint[] {
    return this.lints.get(key) ?? [];
  }

  private schedule(delay = EVALUATE_MS): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.evaluate();
    }, delay);
  }

  private evaluate(): void {
    const settings = this.settings();
    const now = Date.now();
    let changed = false;
    let live = false;
    for (const e of this.store.all()) {
      const s = e.state;
      if (s.currentStatus === 'live') live = true;
      const found = s.lints(settings, now);
      if (!found.changed && this.lints.has(s.key)) continue;
      changed = true;
      this.lints.set(s.key, found.lints);
    }
    const labelled = [...this.lints.values()].filter((l) => l.length).length > 1;
    if (changed || labelled !== this.labelled) {
      const relabel = labelled !== this.labelled;
      this.labelled = labelled;
      for (const e of this.store.all()) if (relabel || changed) this.show(e.state.key, e.state.label);
      this.totals = [...this.lints.values()].reduce(
        (t, l) => {
          const c = lintCounts(l);
          return { warning: t.warning + c.warning, information: t.information + c.information };
        },
        { warning: 0, information: 0 },
      );
      this.onTotals(this.totals);
      if (changed) this.store.changed(); // marks on rows: the panel's next delta
    }
    if (live) this.schedule();
  }

  private show(key: string, label: string): void {
    const lints = this.lints.get(key) ?? [];
    let collection = this.collections.get(key);
    if (!lints.length) {
      collection?.clear();
      return;
    }
    if (!collection) {
      collection = vscode.languages.createDiagnosticCollection(`nurseryLens.${key}`);
      this.collections.set(key, collection);
    }
    const entries: Array<[vscode.Uri, vscode.Diagnostic[]]> = [];
    for (const [file, list] of diagnosticsByFile(lints, this.labelled ? label : undefined)) {
      const uri = uriOf(file);
      entries.push([uri, list.map((d) => diagnostic(d, uri))]);
    }
    collection.clear();
    collection.set(entries);
  }

  private forget(key: string): void {
    this.lints.delete(key);
    const c = this.collections.get(key);
    if (c) {
      c.dispose();
      this.collections.delete(key);
    }
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.subscription.dispose();
    for (const c of this.collections.values()) c.dispose();
    this.collections.clear();
  }
}

const SEVERITY = {
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
} as const;

function diagnostic(d: DiagnosticData, uri: vscode.Uri): vscode.Diagnostic {
  const out = new vscode.Diagnostic(lineRange(uri, d.line), d.message, SEVERITY[d.severity]);
  out.source = DIAGNOSTIC_SOURCE;
  out.code = d.code;
  out.relatedInformation = d.related.map(
    (r) =>
      new vscode.DiagnosticRelatedInformation(
        new vscode.Location(uriOf(r.file), new vscode.Position(r.line, 0)),
        r.message,
      ),
  );
  return out;
}

/** The line's text (squiggled from its first character to its end) when the file is open; else the whole line. */
function lineRange(uri: vscode.Uri, line: number): vscode.Range {
  const doc = vscode.workspace.textDocuments.find((x) => x.uri.toString() === uri.toString());
  if (doc && line < doc.lineCount) {
    const text = doc.lineAt(line);
    return new vscode.Range(
      line,
      text.firstNonWhitespaceCharacterIndex,
      line,
      Math.max(text.firstNonWhitespaceCharacterIndex + 1, text.text.length),
    );
  }
  return new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER);
}

/**
 * The URI of a file the program named: the open document's own (under
 * code-server and remotes its scheme may not be `file`), else a workspace
 * folder's scheme for a path under it, else a file URI.
 */
export function uriOf(file: string): vscode.Uri {
  const doc = vscode.workspace.textDocuments.find((x) => x.uri.fsPath === file);
  if (doc) return doc.uri;
  const folder = vscode.workspace.workspaceFolders?.find(
    (f) => f.uri.scheme !== 'file' && file.startsWith(f.uri.fsPath),
  );
  return folder ? folder.uri.with({ path: file }) : vscode.Uri.file(file);
}
