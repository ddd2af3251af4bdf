// Hostile-input suite, issue #12 item 8: a click on a site opens only what a
// program may reasonably name. The file names come from a live program (its
// folders are trusted: cwd, its script's folder, sys.path) or from a shared
// recording (nothing in it is trusted). Real files, a real FIFO, a real
// Python program over a real socket; the bridge as the panel drives it, with
// siteOpener's decision (sitePolicy.ts) in place of the VS Code editor.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PanelBridge } from '../../extension/panel/panelBridge';
import { decideSite, programRoots, type SiteDecision } from '../../extension/panel/sitePolicy';
import { replayNdjson } from '../../extension/collector/replay';
import { instrumentLaunch } from '../../extension/debug/launchInstrumentation';
import { startCollector, waitFor, type Harness } from '../unit/collectorHarness';
import { hello, prologue, site, spawned } from '../unit/wireEvents';
import { program, python } from './collectorClient';

const linux = process.platform === 'linux';

/** The bridge as extension.ts wires it, deciding instead of opening editors. */
function clicker(h: Harness, workspace: string) {
  const decisions: (SiteDecision & { asked: string })[] = [];
  const bridge = new PanelBridge(h.store, {
    post: () => undefined,
    runCommand: () => undefined,
    programPaths: (e) => (e.stream ? h.server.pathsOf(e.stream) : undefined),
    openSite: async (file, _line, programs) => {
      decisions.push({
        ...(await decideSite(file, [workspace, ...programs.flatMap((p) => programRoots(p))])),
        asked: file,
      });
      return undefined;
    },
  });
  return {
    click: async (file: string) => {
      await bridge.handle({ type: 'openSite', file, line: 1 });
      return decisions.find((d) => d.asked === file);
    },
    dispose: () => bridge.dispose(),
  };
}

describe('hostile input: source links (issue #12, item 8)', function () {
  this.timeout(30_000);
  let h: Harness | undefined;
  let ws: string;
  before(function () {
    if (!existsSync(python)) throw new Error('.venv/bin/python is missing: run npm install');
    ws = realpathSync(mkdtempSync(join(tmpdir(), 'nl-ws-')));
    mkdirSync(join(ws, 'src'));
    writeFileSync(join(ws, 'src', 'app.py'), 'print(1)\n');
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a shared recording naming /etc/passwd, /proc/self/environ, a FIFO and a link out of the workspace: asked, refused, refused, asked', async function () {
    if (!linux) this.skip(); // these files are Linux's
    h = await startCollector();
    const fifo = join(ws, 'src', 'pipe.py');
    execFileSync('mkfifo', [fifo]);
    const link = join(ws, 'src', 'innocent.py');
    symlinkSync('/etc/passwd', link);
    const procLink = join(ws, 'src', 'env.py');
    symlinkSync('/proc/self/environ', procLink);
    const files = [
      '/etc/passwd',
      '/proc/self/environ',
      fifo,
      link,
      procLink,
      join(ws, 'src', 'app.py'),
      join(ws, 'src'),
    ];
    // The recording's hello claims cwd "/etc": a file's word counts for nothing.
    const text =
      [
        hello({ cwd: '/etc', argv: ['/etc/x.py'], sys_path: ['/etc', '/proc'] }),
        ...prologue(),
        ...files.map((f, i) => spawned(10 + i, 2, `t${i}`, 1, { site: site(1, f) })),
      ]
        .map((v) => JSON.stringify(v))
        .join('\n') + '\n';
    h.store.addRecording(replayNdjson(text).runs, { bytes: [Buffer.from(text)], truncated: false });
    const c = clicker(h, ws);
    assert.equal((await c.click('/etc/passwd'))?.kind, 'ask');
    assert.equal((await c.click('/proc/self/environ'))?.kind, 'refuse');
    assert.match(JSON.stringify(await c.click(fifo)), /not a regular file/);
    assert.deepEqual(
      await c.click(link),
      { kind: 'ask', file: '/etc/passwd', asked: link },
      'a link is judged by where it leads',
    );
    assert.equal((await c.click(procLink))?.kind, 'refuse');
    assert.equal((await c.click(join(ws, 'src', 'app.py')))?.kind, 'open', "the workspace's own file opens at once");
    assert.equal((await c.click(join(ws, 'src')))?.kind, 'refuse', 'a folder is not a source file');
    assert.equal(await c.click('/etc/hostname'), undefined, 'a file no run reported is not even considered');
    c.dispose();
  });

  it("a live program's own script opens without asking; the same file named by a recording, after a question", async () => {
    h = await startCollector();
    const { env } = await instrumentLaunch(
      {
        collector: h.server,
        launches: h.launches,
        bootstrapDir: join(__dirname, '..', '..', 'runtime', 'python', 'bootstrap'),
        inherited: { PYTHONPATH: undefined },
      },
      { label: 'tree', kind: 'terminal', sampleHz: 10 },
    );
    const full: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...env })) if (typeof v === 'string') full[k] = v;
    const child = spawn(python, [program('tree.py')], { env: full, cwd: ws, stdio: 'ignore' });
    assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 0);
    const entry = await waitFor(
      'the run',
      () => h!.store.all().find((e) => e.state.info().status === 'finished'),
      10_000,
    );
    const treePy = [...entry.state.reportedFiles].find((f) => f.endsWith('tree.py'))!;
    assert.ok(treePy, 'the program reported its own file');
    const c = clicker(h, join(ws, 'src'));
    assert.equal((await c.click(treePy))?.kind, 'open', "outside the workspace, but the program's own script");
    c.dispose();
    // The same file named by a recording opens only after a question.
    const text =
      [hello(), ...prologue(), spawned(10, 2, 't', 1, { site: site(1, treePy) })]
        .map((v) => JSON.stringify(v))
        .join('\n') + '\n';
    h.store.clearFinished();
    h.store.addRecording(replayNdjson(text).runs, { bytes: [Buffer.from(text)], truncated: false });
    const r = clicker(h, join(ws, 'src'));
    assert.equal((await r.click(treePy))?.kind, 'ask');
    r.dispose();
  });
});
