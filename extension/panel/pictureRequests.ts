// Pictures of the view asked of the panel (SVG text, or PNG bytes in base64):
// each waits for a page to be there, is asked again of the next page when the
// one it was sent to goes away, and fails after its timeout. The bridge moves
// the messages; what a picture request is and when it settles lives here.
import type { HostMessage, ImageFormat, WebviewMessage } from '../../contract/messages';

/** How long a picture of the view may take (the panel opening, the browser drawing a big tree). */
export const EXPORT_TIMEOUT_MS = 30_000;
/** The largest picture taken from the panel (base64 PNG or SVG text), in characters. */
export const MAX_EXPORT_CHARS = 256 * 1024 * 1024;

interface PendingExport {
  format: ImageFormat;
  sent: boolean;
  resolve(data: string): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class PictureRequests {
  private readonly pending = new Map<number, PendingExport>();
  private next = 1;

  /** `attached`: whether a page is there to send to now; `post` sends to it. */
  constructor(
    private readonly attached: () => boolean,
    private readonly post: (m: HostMessage) => void,
  ) {}

  request(format: ImageFormat, timeoutMs: number): Promise<string> {
    const id = this.next++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(this.attached() ? 'the task tree did not answer in time' : 'the task tree is not open'));
      }, timeoutMs);
      this.pending.set(id, { format, sent: false, resolve, reject, timer });
      this.send();
    });
  }

  /** Sends the requests not sent to the page there now. */
  send(): void {
    if (!this.attached()) return;
    for (const [id, p] of this.pending) {
      if (p.sent) continue;
      p.sent = true;
      this.post({ type: 'export', id, format: p.format });
    }
  }

  /** A picture asked of the page that went away is asked again of the next one. */
  detached(): void {
    for (const p of this.pending.values()) p.sent = false;
  }

  settle(msg: Extract<WebviewMessage, { type: 'exported' | 'exportFailed' }>): void {
    const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.type === 'exportFailed')
      p.reject(new Error(typeof msg.reason === 'string' ? msg.reason.slice(0, 300) : 'the picture could not be made'));
    else if (msg.format !== p.format || typeof msg.data !== 'string' || !msg.data || msg.data.length > MAX_EXPORT_CHARS)
      p.reject(new Error('the task tree sent no usable picture'));
    else p.resolve(msg.data);
  }

  dispose(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('the task tree closed'));
    }
    this.pending.clear();
  }
}
