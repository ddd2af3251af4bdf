// Instruments Python debug sessions (`debugpy`, `python`): after VS Code has
// substituted variables, add NURSERY_LENS and put the runtime's bootstrap
// folder first on PYTHONPATH; the runtime's frames are not the user's code
// (debugpy `rules`). Any failure leaves the configuration as it
// was: Nursery Lens must never stop someone from debugging.
import * as vscode from 'vscode';
import { envFileLocation, parseEnvFile, type EnvMap } from './envInjection';
import { instrumentLaunch, rulesHidingRuntime, type InstrumentationDeps } from './launchInstrumentation';
import { messageOf } from '../errorMessage';
import { runtimeLintOptions } from '../lints/lintSettings';

export const PYTHON_DEBUG_TYPES = ['debugpy', 'python'] as const;

export class PythonDebugInstrumenter implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly deps: InstrumentationDeps,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    const settings = vscode.workspace.getConfiguration('nurseryLens', folder);
    if (!settings.get<boolean>('instrumentDebugSessions', true)) return config;
    // Attaching to a running process: its environment is already fixed.
    if (config.request === 'attach') return config;
    try {
      const configEnv = (config.env && typeof config.env === 'object' ? config.env : {}) as EnvMap;
      const envFileVars = await this.readEnvFile(folder, config, configEnv);
      const { launch, env } = await instrumentLaunch(this.deps, {
        label: typeof config.name === 'string' && config.name ? config.name : 'Python debug session',
        kind: 'debug',
        sampleHz: settings.get<number>('sampleHz', 10),
        lints: runtimeLintOptions((k, d) => settings.get(k, d), 'debug'),
        configEnv,
        envFileVars,
      });
      this.log.info(`instrumenting debug session "${launch.label}" (${config.type})`);
      return { ...config, env, rules: rulesHidingRuntime(config.rules, this.deps.bootstrapDir) };
    } catch (err) {
      this.log.error(`could not instrument debug session "${String(config.name)}": ${messageOf(err)}`);
      return config;
    }
  }

  /** The variables of the configuration's envFile (or the Python default, <folder>/.env). */
  private async readEnvFile(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
    configEnv: EnvMap,
  ): Promise<Record<string, string>> {
    // The extension runs where the files are (also under code-server / remotes), so a folder's path is local here.
    const folderPath =
      folder && (folder.uri.scheme === 'file' || folder.uri.scheme === 'vscode-remote') ? folder.uri.fsPath : undefined;
    const where = envFileLocation(config.envFile, folderPath);
    if (!where) return {};
    const { file, explicit } = where;
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(file));
      const inherited: Record<string, string | undefined> = { ...process.env };
      for (const [k, v] of Object.entries(configEnv)) if (typeof v === 'string') inherited[k] = v;
      return parseEnvFile(new TextDecoder().decode(bytes), inherited);
    } catch (err) {
      if (explicit) this.log.warn(`could not read envFile ${file}: ${messageOf(err)}`);
      return {};
    }
  }
}

/** Instruments every Python debug launch (each debug type the Python extension has had). */
export function registerPythonDebugInstrumenter(
  deps: InstrumentationDeps,
  log: vscode.LogOutputChannel,
): vscode.Disposable[] {
  const instrumenter = new PythonDebugInstrumenter(deps, log);
  return PYTHON_DEBUG_TYPES.map((type) => vscode.debug.registerDebugConfigurationProvider(type, instrumenter));
}
