// A tiny static server for the harness page and the built bundle, so the page
// runs under a real http origin with the product's CSP (file:// has none).
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
};

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(root: string): Promise<HarnessServer> {
  let origin = '';
  const server: Server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    if (!/^\/(dist|test\/webview)\//.test(path)) {
      res.writeHead(404).end();
      return;
    }
    try {
      let body: Buffer | string = await readFile(join(root, path));
      if (path.endsWith('harness.html')) body = body.toString('utf8').replaceAll('SOURCE', origin);
      res
        .writeHead(200, {
          'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
          'cache-control': 'no-store',
        })
        .end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  origin = `http://127.0.0.1:${addr.port}`;
  return { url: `${origin}/test/webview/harness.html`, close: () => new Promise((r) => server.close(() => r())) };
}
