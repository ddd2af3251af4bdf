// The lint settings (nurseryLens.lints.*, nurseryLens.editorHints): what the
// store's lints take, and what a launched program's runtime is told (the
// NURSERY_LENS options block_ms, warnings, coro_origin). No vscode import:
// the settings arrive through a getter, so defaults are tested in plain Node.
import { DEFAULT_LINT_SETTINGS, type LintSettings } from '../store/runLints';

/** Reads one setting of the `nurseryLens` section (vscode's WorkspaceConfiguration.get). */
export type SettingGetter = <T>(key: string, fallback: T) => T;

/** The loop-blocked threshold's default (ms); package.json says the same (a test holds them equal). */
export const DEFAULT_BLOCK_MS = 100;
/** Frames of origin each coroutine records in a debug session (never-awaited lints name the line that made it). */
export const DEBUG_CORO_ORIGIN = 2;

/** A switch that is on unless the user set it to false. */
const on = (get: SettingGetter, key: string): boolean => get<unknown>(key, true) !== false;
const positive = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;

export function lintSettings(get: SettingGetter): LintSettings {
  const d = DEFAULT_LINT_SETTINGS;
  return {
    loopBlocked: on(get, 'lints.loopBlocked.enabled'),
    startNotStartedMs: on(get, 'lints.startNotStarted.enabled')
      ? positive(get('lints.startNotStarted.thresholdMs', d.startNotStartedMs), d.startNotStartedMs)
      : 0,
    runawayChildren: on(get, 'lints.runawayNursery.enabled')
      ? Math.floor(positive(get('lints.runawayNursery.maxChildren', d.runawayChildren), d.runawayChildren))
      : 0,
    orphans: on(get, 'lints.orphanTasks.enabled'),
    neverAwaited: on(get, 'lints.neverAwaited.enabled'),
  };
}

/** What the runtime of a launched program is told: `kind` 'debug' also tracks coroutine origins. */
export interface RuntimeLintOptions {
  blockMs: number;
  warnings: boolean;
  coroOrigin: number;
}

export function runtimeLintOptions(get: SettingGetter, kind: 'debug' | 'terminal'): RuntimeLintOptions {
  const s = lintSettings(get);
  return {
    blockMs: s.loopBlocked ? positive(get('lints.loopBlocked.thresholdMs', DEFAULT_BLOCK_MS), DEFAULT_BLOCK_MS) : 0,
    warnings: s.neverAwaited,
    // Every coroutine made pays for its origin (~0.1 µs a frame): only where the program runs at a debugger's pace anyway.
    coroOrigin: s.neverAwaited && kind === 'debug' ? DEBUG_CORO_ORIGIN : 0,
  };
}

export const editorHintsOn = (get: SettingGetter): boolean => on(get, 'editorHints');
