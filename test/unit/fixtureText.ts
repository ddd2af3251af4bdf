// A recorded fixture's text. Large recordings are committed gzipped
// (NAME.ndjson.gz) so the repository holds no file much over 200 KiB; every
// reader goes through here so both forms read alike.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export function fixtureText(path: string): string {
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** The recording `NAME.ndjson` a golden text was made from, or its gzipped form when that is what is committed. */
export function recordingFile(stem: string): string {
  return existsSync(`${stem}.ndjson`) ? `${stem}.ndjson` : `${stem}.ndjson.gz`;
}
