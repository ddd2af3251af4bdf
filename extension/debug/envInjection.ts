// How a launch gets instrumented: the NURSERY_LENS value, and the env a
// debug configuration (or a terminal) gets. Pure: no vscode, so every path
// style is unit-tested on any OS.
//
// Why PYTHONPATH is merged here: VS Code's Python debugger lets a
// configuration's `env` override the values from its `envFile`, and a
// launched program inherits the extension host's environment. Setting
// `env.PYTHONPATH` to just the bootstrap folder would silently drop the
// user's envFile and inherited PYTHONPATH, so all of them are kept, in that
// order of precedence, behind the bootstrap folder.

import * as path from 'node:path';

export type EnvMap = Record<string, string | null | undefined>;

/**
 * Which env file a debug configuration uses: its `envFile` (relative ones from
 * the workspace folder, as the Python debugger does), else `<folder>/.env`,
 * the Python tools' default. `explicit`: the user named it (a missing file is
 * worth a log line then).
 */
export function envFileLocation(
  envFile: unknown,
  folderPath: string | undefined,
  platform: string = process.platform,
): { file: string; explicit: boolean } | undefined {
  const p = platform === 'win32' ? path.win32 : path.posix;
  if (typeof envFile === 'string' && envFile.trim()) {
    const f = envFile.trim();
    if (p.isAbsolute(f) || !folderPath) return { file: f, explicit: true };
    return { file: p.join(folderPath, f), explicit: true };
  }
  return folderPath ? { file: p.join(folderPath, '.env'), explicit: false } : undefined;
}

export interface NurseryLensConfig {
  address: string;
  secret: string;
  sampleHz: number;
  record?: string | null;
  maxBuffer?: number;
  /** Lints the runtime looks for (protocol 1.2 options block_ms, warnings, coro_origin); absent: its defaults. */
  lints?: { blockMs: number; warnings: boolean; coroOrigin: number };
}

/** The one JSON value of NURSERY_LENS (PROTOCOL.md, "Configuration"). */
export function nurseryLensValue(c: NurseryLensConfig): string {
  const lints = c.lints
    ? { block_ms: c.lints.blockMs, warnings: c.lints.warnings, coro_origin: c.lints.coroOrigin }
    : {};
  return JSON.stringify({
    v: 1,
    address: c.address,
    secret: c.secret,
    options: { sample_hz: c.sampleHz, record: c.record ?? null, max_buffer: c.maxBuffer ?? 1_000_000, ...lints },
  });
}

export const pathSeparator = (platform: string): string => (platform === 'win32' ? ';' : ':');

/** The key of `name` in env: exact on POSIX, case-insensitive on Windows (Path, PYTHONPATH, PythonPath…). */
export function envKey(env: EnvMap | undefined, name: string, platform: string): string | undefined {
  if (!env) return undefined;
  if (Object.prototype.hasOwnProperty.call(env, name)) return name;
  if (platform !== 'win32') return undefined;
  const upper = name.toUpperCase();
  return Object.keys(env).find((k) => k.toUpperCase() === upper);
}

/** Joins path lists: `first` in front, then each list in order; empty entries and repeats dropped. */
export function prependPath(first: string, lists: (string | null | undefined)[], platform: string): string {
  const sep = pathSeparator(platform);
  const norm = (p: string) => (platform === 'win32' ? p.replace(/[\\/]+$/, '').toLowerCase() : p.replace(/\/+$/, ''));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of [first, ...lists.flatMap((l) => (l ? l.split(sep) : []))]) {
    const t = p.trim();
    if (!t || seen.has(norm(t))) continue;
    seen.add(norm(t));
    out.push(t);
  }
  return out.join(sep);
}

export interface InjectionInput {
  platform: string;
  bootstrapDir: string;
  nurseryLens: string;
  /** The debug configuration's own `env` (after variable substitution). */
  configEnv?: EnvMap;
  /** Variables from its `envFile` (already parsed). */
  envFileVars?: Record<string, string>;
  /** The environment the program inherits (the extension host's). */
  inherited?: Record<string, string | undefined>;
}

/** The `env` to put in the debug configuration: the user's values kept, NURSERY_LENS set, PYTHONPATH merged. */
export function injectEnv(input: InjectionInput): Record<string, string | null> {
  const { platform } = input;
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(input.configEnv ?? {})) if (v !== undefined) out[k] = v;

  const ppConfigKey = envKey(input.configEnv, 'PYTHONPATH', platform);
  const ppFileKey = envKey(input.envFileVars, 'PYTHONPATH', platform);
  const ppInheritedKey = envKey(input.inherited, 'PYTHONPATH', platform);
  const fromConfig = ppConfigKey ? input.configEnv![ppConfigKey] : undefined;
  const fromFile = ppFileKey ? input.envFileVars![ppFileKey] : undefined;
  // `null` in a configuration's env means "unset it": then the inherited value is not wanted either.
  const fromInherited = fromConfig === null ? undefined : ppInheritedKey ? input.inherited![ppInheritedKey] : undefined;
  if (ppConfigKey && ppConfigKey !== 'PYTHONPATH') delete out[ppConfigKey];
  out.PYTHONPATH = prependPath(input.bootstrapDir, [fromConfig, fromFile, fromInherited], platform);

  const nlKey = envKey(out, 'NURSERY_LENS', platform);
  if (nlKey && nlKey !== 'NURSERY_LENS') delete out[nlKey];
  out.NURSERY_LENS = input.nurseryLens;
  return out;
}

/**
 * Parses an env file the way VS Code's Python tools read `envFile`: KEY=VALUE
 * lines, `export ` allowed, `#` comments, single or double quotes (double
 * quotes expand \n), and ${NAME} references to earlier variables or the
 * inherited environment.
 */
export function parseEnvFile(text: string, inherited: Record<string, string | undefined> = {}): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*)?\s*$/.exec(raw);
    if (!m) continue;
    const key = m[1];
    let value = (m[2] ?? '').trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\n/g, '\n');
      if (q === "'") {
        vars[key] = value;
        continue;
      }
    } else {
      const hash = value.indexOf(' #');
      if (hash >= 0) value = value.slice(0, hash).trim();
    }
    vars[key] = value.replace(/\$\{([\w.-]+)\}/g, (_, name: string) => vars[name] ?? inherited[name] ?? '');
  }
  return vars;
}
