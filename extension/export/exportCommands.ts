// The export commands: Copy Tree as Text (treeText.ts, from the store's rows),
// Export Tree as SVG…/PNG… (the panel draws the picture of its view:
// webview/exportImage.ts) and Export Chrome Trace… (chromeTrace.ts, from the
// run's kept lines). Each acts on the run the panel shows, else asks which.
import * as vscode from 'vscode';
import type { ImageFormat } from '../../contract/messages';
import type { PanelBridge } from '../panel/panelBridge';
import type { RunStore } from '../store/runStore';
import { askWhereToSave, pickRun, savedMessage } from '../commands/recordings';
import { chromeTrace } from './chromeTrace';
import { eventsOfRun, runAddress } from './runLines';
import { pastTreeText, seconds, treeText } from './treeText';

export interface ExportDeps {
  store: RunStore;
  bridge: PanelBridge;
  log: vscode.LogOutputChannel;
  /** Opens (or reveals) the task tree, which draws the pictures. */
  showPanel(): void;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export async function copyTreeAsText(deps: ExportDeps): Promise<void> {
  const entry = await pickRun(deps.store, deps.bridge, 'Which run should be copied as text?');
  if (!entry) return;
  // The moment the panel shows: a past one (the time cursor) is copied as it stood then, as Export PNG draws it.
  const past = deps.bridge.pastOf(entry.state.key);
  const text = past ? pastTreeText(past) : treeText(entry.state.rows(), entry.state.info());
  await vscode.env.clipboard.writeText(text);
  const lines = text.split('\n').length - 2;
  const when = past ? ` at ${seconds(past.at)}` : '';
  vscode.window.setStatusBarMessage(
    `Nursery Lens: copied the tree of ${entry.state.label}${when} (${lines} line${lines === 1 ? '' : 's'})`,
    4000,
  );
}

export async function exportImage(deps: ExportDeps, format: ImageFormat): Promise<void> {
  const entry = await pickRun(deps.store, deps.bridge, `Which run should be saved as ${format.toUpperCase()}?`);
  if (!entry) return;
  // The panel draws what it shows: show this run there.
  if (deps.bridge.selectedRun !== entry.state.key) deps.bridge.select(entry.state.key);
  deps.showPanel();
  const data = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Drawing the tree as ${format.toUpperCase()}` },
    () => deps.bridge.requestImage(format),
  );
  const bytes = format === 'svg' ? new TextEncoder().encode(data) : Buffer.from(data, 'base64');
  if (format === 'svg' ? !data.startsWith('<svg') : !PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    throw new Error(`the task tree sent something that is not ${format.toUpperCase()}`);
  }
  const filters: Record<string, string[]> = format === 'svg' ? { 'SVG images': ['svg'] } : { 'PNG images': ['png'] };
  const target = await askWhereToSave(entry, `.${format}`, `Save ${format.toUpperCase()}`, filters);
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, bytes);
  deps.log.info(
    `saved the tree of ${entry.state.label} as ${format.toUpperCase()} to ${target.fsPath} (${bytes.length} bytes)`,
  );
  savedMessage(`the tree of ${entry.state.label}`, target);
}

export async function exportChromeTrace(deps: ExportDeps): Promise<void> {
  const entry = await pickRun(deps.store, deps.bridge, 'Which run should be saved as a Chrome trace?');
  if (!entry) return;
  const rec = deps.store.recordingOf(entry.state.key);
  const at = runAddress(entry.state.key);
  if (!rec || !at || rec.dropped) {
    void vscode.window.showWarningMessage(
      `The lines of ${entry.state.label} are not kept any more (memory is bounded): record long runs with \`python -m nursery_lens --record FILE\` and open the recording.`,
    );
    return;
  }
  const { hello, events } = eventsOfRun(rec.text, at);
  const trace = chromeTrace(events, hello);
  const target = await askWhereToSave(entry, '.trace.json', 'Save Chrome Trace', { 'Trace Event JSON': ['json'] });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(JSON.stringify(trace)));
  deps.log.info(
    `saved ${entry.state.label} as a Chrome trace to ${target.fsPath} (${trace.traceEvents.length} trace events; open it in ui.perfetto.dev or chrome://tracing)`,
  );
  savedMessage(`${entry.state.label} as a Chrome trace (open it in ui.perfetto.dev)`, target);
  if (rec.truncated)
    void vscode.window.showWarningMessage(
      'The trace stops early: the program sent more than the 32 MB Nursery Lens keeps in memory.',
    );
}
