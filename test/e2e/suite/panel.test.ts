// The task tree panel as a VS Code tab: the command opens exactly one
// webview of the product's view type, and opening it again reveals it.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activeExtension } from './activation.test';

const VIEW_TYPE = 'nurseryLens.taskTree';

function taskTreeTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(VIEW_TYPE));
}

async function until<T>(fn: () => T | undefined | false, what: string, ms = 15000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('task tree panel', () => {
  before(async () => {
    await activeExtension();
  });
  afterEach(async () => {
    // Empty untitled editors close without a prompt.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Show Task Tree opens one webview tab of view type nurseryLens.taskTree', async () => {
    await vscode.commands.executeCommand('nurseryLens.showTaskTree');
    const tabs = await until(() => taskTreeTabs().length > 0 && taskTreeTabs(), 'the task tree tab');
    assert.equal(tabs.length, 1);
  });

  it('running Show Task Tree again reveals the same panel instead of opening a second', async () => {
    await vscode.commands.executeCommand('nurseryLens.showTaskTree');
    await until(() => taskTreeTabs().length > 0, 'the task tree tab');
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    await vscode.commands.executeCommand('nurseryLens.showTaskTree');
    await until(() => taskTreeTabs().some((t) => t.isActive), 'the task tree tab to become active');
    assert.equal(taskTreeTabs().length, 1);
  });

  it('Open Recording with a file argument loads the run and shows it in the panel, without a dialog', async () => {
    // out/e2e/suite → the repository's recorded fixture of the Hettinger example.
    const file = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'hettinger_trio.ndjson');
    assert.ok(existsSync(file), `missing fixture ${file}`);
    await vscode.commands.executeCommand('nurseryLens.openRecording', vscode.Uri.file(file));
    const tabs = await until(
      () => taskTreeTabs().length > 0 && taskTreeTabs(),
      'the task tree tab after Open Recording',
    );
    assert.equal(tabs.length, 1);
    // Clearing finished runs (a recording is finished) must not throw.
    await vscode.commands.executeCommand('nurseryLens.clearFinishedRuns');
  });
});
