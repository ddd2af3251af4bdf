// The packaged extension as VS Code sees it: found, activates, and every
// command the manifest promises is registered.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'nursery-lens.nursery-lens';

export async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed in this VS Code`);
  await ext.activate();
  return ext;
}

describe('activation', () => {
  it('activates without error', async () => {
    const ext = await activeExtension();
    assert.equal(ext.isActive, true);
  });

  it('registers every command the manifest contributes', async () => {
    const ext = await activeExtension();
    const manifest = JSON.parse(readFileSync(join(ext.extensionPath, 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string }[] };
    };
    const promised = manifest.contributes.commands.map((c) => c.command);
    assert.ok(promised.includes('nurseryLens.showTaskTree'));
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = promised.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `commands in package.json but not registered: ${missing.join(', ')}`);
  });

  it('ships the Python runtime and bootstrap next to the bundle', async () => {
    const ext = await activeExtension();
    const sitecustomize = vscode.Uri.file(
      join(ext.extensionPath, 'runtime', 'python', 'bootstrap', 'sitecustomize.py'),
    );
    const stat = await vscode.workspace.fs.stat(sitecustomize);
    assert.equal(stat.type, vscode.FileType.File);
  });
});
