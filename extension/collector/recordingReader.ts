// Open Recording…'s reading, without vscode: a recording of any size is read
// as a stream of chunks (never whole into memory), through RecordingReplay
// (the limits of a live connection), giving the event loop back every few
// milliseconds so the extension host stays responsive, with progress and
// cancel. The lines are kept for Save Recording… up to a bound.
import { createReadStream } from 'node:fs';
import { MAX_RAW_BYTES } from '../store/runStore';
import { RecordingReplay, type ReplayOptions, type ReplayResult } from './replay';

export interface ReadOptions extends ReplayOptions {
  /** Aborting stops the reading; the result then says `cancelled` and holds no runs. */
  signal?: AbortSignal;
  /** Bytes read so far, after each chunk. */
  onProgress?(bytes: number): void;
  /** Bytes of the recording kept for Save Recording… (whole lines; default MAX_RAW_BYTES). */
  keepBytes?: number;
}

export interface RecordingRead extends ReplayResult {
  /** The recording's first lines, up to keepBytes (as read, in pieces). */
  bytes: Buffer[];
  /** The recording was longer than the kept text. */
  truncated: boolean;
  cancelled: boolean;
}

/** Longest stretch of work between two turns of the event loop. */
const SLICE_MS = 10;
/** Bytes per chunk: the default 64 KiB of a file stream costs more turns than it saves latency. */
const CHUNK_BYTES = 256 * 1024;

/** `bytes` in chunks, as a file stream gives them (for a file that is not on disk, read whole by the caller). */
export async function* chunksOf(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  for (let off = 0; off < bytes.length; off += CHUNK_BYTES) yield bytes.subarray(off, off + CHUNK_BYTES);
}

export function readRecordingFile(path: string, options: ReadOptions = {}): Promise<RecordingRead> {
  return readRecording(createReadStream(path, { highWaterMark: CHUNK_BYTES }), options);
}

export async function readRecording(
  chunks: AsyncIterable<Uint8Array>,
  options: ReadOptions = {},
): Promise<RecordingRead> {
  const replay = new RecordingReplay(options);
  const kept = new KeptLines(options.keepBytes ?? MAX_RAW_BYTES);
  let bytes = 0;
  let sliceStart = performance.now();
  for await (const chunk of chunks) {
    if (options.signal?.aborted) break;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    bytes += buf.length;
    kept.add(buf);
    const more = replay.push(buf);
    options.onProgress?.(bytes);
    if (!more) break; // leaving the loop closes the file
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  if (options.signal?.aborted)
    return { runs: [], problems: [], badLines: 0, events: 0, bytes: [], truncated: false, cancelled: true };
  return { ...replay.end(), bytes: kept.parts, truncated: kept.truncated, cancelled: false };
}

/** The first whole lines of a stream, up to a bound of bytes. */
class KeptLines {
  readonly parts: Buffer[] = [];
  private bytes = 0;
  truncated = false;

  constructor(private readonly max: number) {}

  add(chunk: Buffer): void {
    if (this.truncated) return;
    if (this.bytes + chunk.length <= this.max) {
      this.parts.push(Buffer.from(chunk)); // a file stream may reuse its buffer
      this.bytes += chunk.length;
      return;
    }
    this.truncated = true;
    const room = chunk.subarray(0, this.max - this.bytes);
    const end = room.lastIndexOf(10);
    if (end >= 0) this.parts.push(Buffer.from(room.subarray(0, end + 1)));
    else this.dropPartialLine();
  }

  /** The kept bytes end inside a line: keep up to its start. */
  private dropPartialLine(): void {
    while (this.parts.length) {
      const last = this.parts[this.parts.length - 1];
      const nl = last.lastIndexOf(10);
      if (nl >= 0) {
        this.parts[this.parts.length - 1] = last.subarray(0, nl + 1);
        return;
      }
      this.parts.pop();
    }
  }
}
