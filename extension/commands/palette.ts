// The extension's commands (the palette's, and the two hidden ones the
// status item and the Tasks view run) and how each is run: a failure is
// logged under the command's title and shown, never thrown at VS Code.
import * as vscode from 'vscode';
import type { PanelCommand } from '../../contract/messages';
import { messageOf } from '../errorMessage';
import { copyTreeAsText, exportChromeTrace, exportImage, type ExportDeps } from '../export/exportCommands';
import type { InstrumentationDeps } from '../debug/launchInstrumentation';
import type { LaunchOwners } from '../debug/launchOwners';
import type { Launch } from '../collector/launches';
import type { RunStore } from '../store/runStore';
import { openRecording, saveRecording, type RecordingDeps } from './recordings';
import { runFileWithTaskTree } from './runFile';

/** The commands the panel's own buttons run, by the panel's name for each. */
export const COMMAND_IDS = {
  runFile: 'nurseryLens.runFile',
  openRecording: 'nurseryLens.openRecording',
  clearFinished: 'nurseryLens.clearFinishedRuns',
  copyText: 'nurseryLens.copyTreeAsText',
  exportSvg: 'nurseryLens.exportSvg',
  exportPng: 'nurseryLens.exportPng',
  exportTrace: 'nurseryLens.exportChromeTrace',
} as const satisfies Record<PanelCommand, string>;

export interface PaletteDeps {
  store: RunStore;
  log: vscode.LogOutputChannel;
  instrumentation: InstrumentationDeps;
  owners: LaunchOwners;
  showLaunch: (launch: Launch, again: boolean) => void;
  showPanel: () => void;
  recordings: RecordingDeps;
  exports: ExportDeps;
  /** The spawn site of a Tasks view item, by its key. */
  taskSite: (key: string) => { file: string; line: number } | null;
  /** Opens a site with the same checks as a click in the panel. */
  openSite: (site: { file: string; line: number }) => void;
}

/** Registers every command. */
export function registerPalette(d: PaletteDeps): vscode.Disposable[] {
  const { store, log } = d;
  return registerCommands(log, {
    'nurseryLens.showTaskTree': ['Show Task Tree', () => d.showPanel()],
    [COMMAND_IDS.runFile]: [
      'Run Python File with Task Tree',
      (arg) => runFileWithTaskTree({ ...d.instrumentation, log, owners: d.owners, showLaunch: d.showLaunch }, arg),
    ],
    [COMMAND_IDS.openRecording]: ['Open Recording', (arg) => openRecording(d.recordings, arg)],
    'nurseryLens.saveRecording': ['Save Recording', () => saveRecording(d.recordings)],
    [COMMAND_IDS.copyText]: ['Copy Tree as Text', () => copyTreeAsText(d.exports)],
    [COMMAND_IDS.exportSvg]: ['Export Tree as SVG', () => exportImage(d.exports, 'svg')],
    [COMMAND_IDS.exportPng]: ['Export Tree as PNG', () => exportImage(d.exports, 'png')],
    [COMMAND_IDS.exportTrace]: ['Export Chrome Trace', () => exportChromeTrace(d.exports)],
    [COMMAND_IDS.clearFinished]: [
      'Clear Finished Runs',
      () => {
        const removed = store.clearFinished();
        log.info(`cleared ${removed.length} finished run(s)`);
        vscode.window.setStatusBarMessage(
          `Nursery Lens: cleared ${removed.length} finished run${removed.length === 1 ? '' : 's'}`,
          3000,
        );
      },
    ],
    // Not in the palette: the status item's way to the log after a refused connection.
    'nurseryLens.showLog': ['Show Log', () => log.show(true)],
    // The Tasks view's inline action.
    'nurseryLens.tasks.openSite': [
      'Open Spawn Site',
      (key) => {
        const site = typeof key === 'string' ? d.taskSite(key) : null;
        if (site) d.openSite(site);
      },
    ],
  });
}

/** Commands by id, each with the title its failures are logged under. */
function registerCommands(
  log: vscode.LogOutputChannel,
  commands: Record<string, [title: string, run: (...args: unknown[]) => unknown]>,
): vscode.Disposable[] {
  return Object.entries(commands).map(([id, [title, run]]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (err) {
        const message = messageOf(err);
        log.error(`${title} failed: ${message}`);
        void vscode.window.showErrorMessage(`Nursery Lens: ${message}`);
      }
    }),
  );
}
