// What Save Recording… writes, and how: recordings get shared, so no line
// keeps a `secret` (whatever JSON escapes spell its key), and the file is
// created readable by its owner only. No vscode import: tested in plain Node.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * The recording's lines without a top-level `secret` field. A line is parsed
 * and written again when it could hold that key: a key spelled `secret`
 * either contains those six characters or uses a backslash escape, so other
 * lines are kept byte for byte. Such a line that is not JSON is left out
 * (it can be no hello, and nothing could read it back anyway).
 */
export function withoutSecrets(text: string): { text: string; rewritten: number; leftOut: number } {
  let rewritten = 0;
  let leftOut = 0;
  const out: string[] = [];
  const lines = text.split('\n');
  const last = lines.length - 1;
  for (let i = 0; i <= last; i++) {
    const line = lines[i];
    if (i === last && line === '') break;
    if (!line.includes('secret') && !line.includes('\\')) {
      out.push(line);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      leftOut++;
      continue;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'secret')) {
      const { secret: _secret, ...rest } = value as Record<string, unknown>;
      out.push(JSON.stringify(rest));
      rewritten++;
    } else {
      out.push(line);
    }
  }
  return { text: out.length ? out.join('\n') + '\n' : '', rewritten, leftOut };
}

/**
 * Writes `data` to `file` as a new file of mode 0600 (on POSIX systems): into
 * a fresh temporary file next to it, then renamed over it, so an existing
 * file's wider mode is not inherited and no reader sees half a file.
 */
export async function writePrivateFile(file: string, data: Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * What the user is told when a file they opened as a recording holds no run:
 * not a recording at all (no line was an event: a Chrome trace, a log), or
 * one whose runs could not be read.
 */
export function noRunsMessage(name: string, read: { events: number; badLines: number }): string {
  const lines = `${read.badLines.toLocaleString('en-US')} line${read.badLines === 1 ? '' : 's'}`;
  if (!read.events && read.badLines)
    return `${name} is not a Nursery Lens recording: it holds no event a program sent (${lines} could not be read; see the Nursery Lens log).`;
  return `${name} holds no runs${read.badLines ? ` (${lines} could not be read; see the Nursery Lens log)` : ''}.`;
}

/**
 * The file name offered for what is saved of a run (before its extension),
 * from the run's label: `hett.ndjson: trio_way.py` → `hett_trio_way` (not
 * `hett.ndjson_trio_way.png`), `Hettinger: the Trio way` → `Hettinger_the_Trio_way`.
 */
export function savedFileBase(label: string): string {
  const base = label
    .replace(/\.(ndjson|py)\b/g, '')
    .replace(/[^\w.-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return base || 'run';
}
