// Open Recording… (NDJSON written by `--record`, or by Save Recording…) and
// Save Recording… (the lines a program sent, as received, minus any secret;
// the file private to the user: recordingFile.ts). Reading a recording is
// vscode-free (collector/recordingReader.ts); here are its dialogs and its
// progress notification.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { chunksOf, readRecording, readRecordingFile, type RecordingRead } from '../collector/recordingReader';
import { recordingRunLabel } from '../collector/replay';
import { MAX_ENDED_RUNS, MAX_RUNS, type RunEntry, type RunStore } from '../store/runStore';
import type { PanelBridge } from '../panel/panelBridge';
import { noRunsMessage, savedFileBase, withoutSecrets, writePrivateFile } from './recordingFile';
import { messageOf } from '../errorMessage';

const FILTERS = { 'Nursery Lens recordings': ['ndjson', 'jsonl', 'json'], 'All files': ['*'] };

export interface RecordingDeps {
  store: RunStore;
  bridge: PanelBridge;
  log: vscode.LogOutputChannel;
  showPanel(): void;
  retainFinished(): number;
}

/** Files larger than this are read with a progress notification that can cancel. */
const PROGRESS_FROM_BYTES = 4 * 1024 * 1024;

export async function openRecording(deps: RecordingDeps, arg?: unknown): Promise<void> {
  const uris =
    arg instanceof vscode.Uri
      ? [arg]
      : await vscode.window.showOpenDialog({ canSelectMany: true, filters: FILTERS, openLabel: 'Open Recording' });
  if (!uris?.length) return;
  let firstKey: string | undefined;
  for (const uri of uris) {
    const name = path.basename(uri.path);
    let result: RecordingRead;
    let source: string;
    try {
      const { size, mtime } = await vscode.workspace.fs.stat(uri);
      source = `${uri.toString()}|${size}|${mtime}`;
      const held = deps.store.fromSource(source);
      if (held.length) {
        // Opened again unchanged, its runs all still here: show them, rather than a second copy of each.
        deps.log.info(`recording ${uri.fsPath} is open already: showing its runs`);
        firstKey ??= held[0].state.key;
        continue;
      }
      result = await readWithProgress(uri, name, size, deps.retainFinished());
    } catch (err) {
      void vscode.window.showErrorMessage(`Could not read ${name}: ${messageOf(err)}`);
      continue;
    }
    if (result.cancelled) {
      deps.log.info(`opening recording ${uri.fsPath} cancelled`);
      continue;
    }
    for (const p of result.problems) deps.log.warn(`${name}: ${p.replace(/^recording: /, '')}`);
    deps.log.info(
      `opened recording ${uri.fsPath}: ${result.runs.length} run(s), ${result.events} events, ${result.badLines} bad line(s)`,
    );
    if (!result.runs.length) {
      void vscode.window.showWarningMessage(noRunsMessage(name, result));
      continue;
    }
    for (const r of result.runs) r.label = recordingRunLabel(name, r.label, result.runs.length);
    const entries = deps.store.addRecording(result.runs, { ...result, source });
    if (!entries.length) {
      void vscode.window.showWarningMessage(
        `${name} was read, but every run Nursery Lens holds is live: close a program first.`,
      );
      continue;
    }
    if (entries.length < result.runs.length) {
      deps.log.warn(
        `${name}: ${result.runs.length - entries.length} of its runs are not shown: the runs held are bounded (${MAX_RUNS} in all, ${MAX_ENDED_RUNS} that are over)`,
      );
    }
    firstKey ??= entries[0].state.key;
    if (result.badLines) {
      const choice = await vscode.window.showWarningMessage(
        `${name}: ${result.badLines} line(s) could not be used; the rest was loaded.`,
        'Show Log',
      );
      if (choice) deps.log.show(true);
    }
  }
  if (firstKey) {
    deps.showPanel();
    deps.bridge.select(firstKey);
  }
}

/** Reads a recording as a stream; a large one under a progress notification that can cancel. */
async function readWithProgress(
  uri: vscode.Uri,
  name: string,
  size: number,
  retainFinished: number,
): Promise<RecordingRead> {
  const read = async (signal?: AbortSignal, onProgress?: (bytes: number) => void) => {
    const options = { retainFinished, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) };
    // A file where the extension runs (a vscode-remote path is one there too, as under code-server) is
    // streamed; one from another file system is fetched whole, then read the same way.
    return uri.scheme === 'file' || uri.scheme === 'vscode-remote'
      ? readRecordingFile(uri.fsPath, options)
      : readRecording(chunksOf(await vscode.workspace.fs.readFile(uri)), options);
  };
  if (size <= PROGRESS_FROM_BYTES) return read();
  const mb = (bytes: number) => (bytes / 1e6).toFixed(0);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Opening ${name}`, cancellable: true },
    (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      return read(abort.signal, (bytes) => {
        const percent = Math.floor((bytes / size) * 100);
        if (percent <= reported) return;
        progress.report({ increment: percent - reported, message: `${mb(bytes)} of ${mb(size)} MB` });
        reported = percent;
      });
    },
  );
}

/** The run a command acts on: the panel's, else the only one, else the user's pick (undefined: none, or cancelled). */
export async function pickRun(store: RunStore, bridge: PanelBridge, question: string): Promise<RunEntry | undefined> {
  const entries = store.all();
  if (!entries.length) {
    void vscode.window.showInformationMessage('There is no run yet.');
    return undefined;
  }
  const key = bridge.selectedRun;
  if (key && store.get(key)) return store.get(key);
  if (entries.length === 1) return entries[0];
  const pick = await vscode.window.showQuickPick(
    entries.map((e) => ({ label: e.state.label, description: e.state.currentStatus, key: e.state.key })),
    { placeHolder: question },
  );
  return pick ? store.get(pick.key) : undefined;
}

/** A save dialog for a file of a run, starting in the workspace with a name made of the run's label. */
export function askWhereToSave(
  entry: RunEntry,
  extension: string,
  saveLabel: string,
  filters: Record<string, string[]>,
): Thenable<vscode.Uri | undefined> {
  const base = savedFileBase(entry.state.label);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return vscode.window.showSaveDialog({
    filters,
    saveLabel,
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${base}${extension}`) } : {}),
  });
}

export async function saveRecording(deps: RecordingDeps): Promise<void> {
  const entry = await pickRun(deps.store, deps.bridge, 'Which run should be saved?');
  if (!entry) return;
  const rec = deps.store.recordingOf(entry.state.key);
  if (!rec) return;
  if (rec.dropped) {
    void vscode.window.showWarningMessage(
      `The lines of ${entry.state.label} were let go to keep memory bounded (newer programs sent more than 128 MB). Record long runs with \`python -m nursery_lens --record FILE\`.`,
    );
    return;
  }
  const target = await askWhereToSave(entry, '.ndjson', 'Save Recording', FILTERS);
  if (!target) return;
  const clean = withoutSecrets(rec.text);
  const bytes = new TextEncoder().encode(clean.text);
  // The extension runs where the files are (also under code-server and remotes): a path here is a path there.
  if (target.scheme === 'file' || target.scheme === 'vscode-remote') await writePrivateFile(target.fsPath, bytes);
  else {
    await vscode.workspace.fs.writeFile(target, bytes);
    deps.log.warn(
      `${target.toString()} is not on a local file system: its permissions were left as that file system makes them`,
    );
  }
  if (clean.rewritten) deps.log.info(`left a launch secret out of ${clean.rewritten} line(s) of ${entry.state.label}`);
  if (clean.leftOut) deps.log.warn(`left ${clean.leftOut} unreadable line(s) out of ${entry.state.label}`);
  deps.log.info(
    `saved ${entry.state.label} to ${target.fsPath} (readable by you only)${rec.truncated ? ' (cut short: the program sent more than the 32 MB kept in memory)' : ''}`,
  );
  savedMessage(`the recording of ${entry.state.label}`, target);
  if (rec.truncated)
    void vscode.window.showWarningMessage(
      'The recording was cut short: the program sent more than the 32 MB Nursery Lens keeps in memory.',
    );
}

/** Says where a save went, as Copy says what it copied: briefly, in the status bar. */
export function savedMessage(what: string, target: vscode.Uri): void {
  // Where it went: relative to the workspace (`out/deadlock.png`), or the whole path outside it.
  vscode.window.setStatusBarMessage(
    `Nursery Lens: saved ${what} to ${vscode.workspace.asRelativePath(target, false)}`,
    5000,
  );
}
