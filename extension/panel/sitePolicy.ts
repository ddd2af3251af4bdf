// Which source file a click in the panel may open, and whether to ask first.
// A site's file name comes from the program (or from a recording someone
// shared), so it can name anything: /etc/passwd, /proc/self/environ, a FIFO
// that never ends, a UNC path whose lookup sends the user's credentials to
// another machine. Opened without asking: regular files under the workspace
// folders or the program's own folders (cwd, its script's folder, sys.path as
// its hello said; a recording's hello counts for nothing). Asked first:
// other regular files. Never: pseudo-files, devices, network and device paths.
// No vscode import: siteOpener.ts shows the question and the editor.
import { realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { ProgramPaths } from '../collector/connection';

export type SiteDecision =
  { kind: 'open'; file: string } | { kind: 'ask'; file: string } | { kind: 'refuse'; reason: string };

type PathApi = typeof path.posix;
const pathsFor = (platform: string): PathApi => (platform === 'win32' ? path.win32 : path.posix);

/** Folders taken from one program at most (its argv and sys.path are the program's to make long). */
const MAX_PROGRAM_ROOTS = 200;
/** Linux pseudo-file systems: their files claim to be regular and can be endless or secret. */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

/** Why `file` is never opened, or undefined. Checked on the name as given and again on its real path. */
export function refusedPath(file: string, platform: string = process.platform): string | undefined {
  const p = pathsFor(platform);
  if (file.includes('\0')) return 'a name with a NUL character';
  if (platform === 'win32') {
    // \\server\share, \\?\…, \\.\device and their forward-slash spellings: opening one reaches the network or a device.
    if (/^[\\/]{2}/.test(file)) return 'a network (UNC) or device path';
    if (!/^[A-Za-z]:[\\/]/.test(file)) return 'not an absolute path';
    return undefined;
  }
  if (!p.isAbsolute(file)) return 'not an absolute path';
  const normal = p.normalize(file);
  if (PSEUDO_ROOTS.some((r) => normal === r || normal.startsWith(r + '/'))) return 'a system pseudo-file or device';
  return undefined;
}

/** True when `file` is `root` or inside it (case-insensitively on Windows, as its file systems are). */
export function isUnder(file: string, root: string, platform: string = process.platform): boolean {
  const rel = pathsFor(platform).relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !pathsFor(platform).isAbsolute(rel));
}

/**
 * The folders a program's hello names as its own: cwd, the folder of its
 * script (argv[0], and of any other argv entry naming a .py file), its
 * sys.path. Relative ones are taken from cwd; a whole drive or `/` is not a
 * folder of the program's own, however it is named.
 */
export function programRoots(paths: ProgramPaths, platform: string = process.platform): string[] {
  const p = pathsFor(platform);
  const cwd = p.isAbsolute(paths.cwd) ? paths.cwd : undefined;
  const out = new Set<string>();
  const add = (folder: string | undefined) => {
    if (!folder || out.size >= MAX_PROGRAM_ROOTS) return;
    const abs = p.isAbsolute(folder) ? p.normalize(folder) : cwd ? p.resolve(cwd, folder) : undefined;
    if (abs && p.parse(abs).root !== abs && refusedPath(abs, platform) === undefined) out.add(abs);
  };
  add(cwd);
  const [script, ...rest] = paths.argv;
  if (script && script !== '-c' && script !== '-m') add(p.dirname(script));
  for (const a of rest) if (a.endsWith('.py')) add(p.dirname(a));
  for (const s of paths.sysPath ?? []) if (s) add(s);
  return [...out];
}

async function realOrSame(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    return p;
  }
}

/** Decides what a click on a site naming `file` does, given the allowed roots (workspace folders and program roots). */
export async function decideSite(
  file: string,
  roots: readonly string[],
  platform: string = process.platform,
): Promise<SiteDecision> {
  const refused = refusedPath(file, platform);
  if (refused) return { kind: 'refuse', reason: `not opening ${file}: ${refused}` };
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    return { kind: 'refuse', reason: `not opening ${file}: it does not exist (on this machine)` };
  }
  // On Windows a real path may be a mapped drive's share (the user's own mapping): only the name is checked there.
  const refusedReal = platform === 'win32' ? undefined : refusedPath(real, platform);
  if (refusedReal) return { kind: 'refuse', reason: `not opening ${file}: it leads to ${real}, ${refusedReal}` };
  try {
    if (!(await stat(real)).isFile()) return { kind: 'refuse', reason: `not opening ${file}: not a regular file` };
  } catch {
    return { kind: 'refuse', reason: `not opening ${file}: it cannot be read` };
  }
  // Compare real paths: a link inside the workspace that leads out of it is outside.
  const realRoots = await Promise.all(roots.map(realOrSame));
  const inside = realRoots.some((r) => isUnder(real, r, platform));
  return { kind: inside ? 'open' : 'ask', file: real };
}
