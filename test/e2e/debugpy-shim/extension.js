// TEST ONLY: the `debugpy` debug type, backed by the real debugpy adapter
// (`python -m debugpy.adapter`), for VS Code builds where Microsoft's Python
// Debugger extension cannot be installed (code-server here). Nursery Lens
// itself never contributes a debugger; it only decorates debugpy sessions.
'use strict';
const vscode = require('vscode');

/** The interpreter named by the launch configuration, else $NURSERY_LENS_E2E_PYTHON, else python3. */
function interpreter(configuration) {
  const p = configuration.python ?? configuration.pythonPath;
  if (Array.isArray(p) && p.length) return { command: String(p[0]), args: p.slice(1).map(String) };
  if (typeof p === 'string' && p) return { command: p, args: [] };
  return { command: process.env.NURSERY_LENS_E2E_PYTHON || 'python3', args: [] };
}

function activate(context) {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('debugpy', {
      createDebugAdapterDescriptor(session) {
        const { command, args } = interpreter(session.configuration);
        return new vscode.DebugAdapterExecutable(command, [...args, '-m', 'debugpy.adapter']);
      },
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
