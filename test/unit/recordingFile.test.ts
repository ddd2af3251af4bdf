import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noRunsMessage, savedFileBase, withoutSecrets, writePrivateFile } from '../../extension/commands/recordingFile';
import { readRecordingFile } from '../../extension/collector/recordingReader';
import { recordingRunLabel, replayNdjson } from '../../extension/collector/replay';
import { RunStore } from '../../extension/store/runStore';
import { hello, prologue, spawned } from './wireEvents';

const SECRET = 'ab'.repeat(32);
const j = (v: unknown) => JSON.stringify(v);

describe('Save Recording…: what is written', () => {
  it('drops a top-level secret however its key is spelled, and keeps every other line byte for byte', () => {
    const lines = [
      j(hello({ secret: SECRET })),
      j(hello({ secret: SECRET })).replace('"secret"', '"s\\u0065cret"'),
      j(hello({ secret: SECRET })).replace('"secret"', '"\\u0073\\u0065\\u0063\\u0072\\u0065\\u0074"'),
      `{"type":"hello","secret":"${SECRET}","secret":"${SECRET}x","pid":1}`,
      '{ "run": 1,  "type":"task.spawned" , "id":4, "name":"C:\\\\work\\\\x.py", "ts":1,"nursery":2,"system":false,"site":null}',
      j(spawned(5, 2, 'secretary', 2)),
    ];
    const out = withoutSecrets(lines.join('\n') + '\n');
    assert.ok(!out.text.includes(SECRET), out.text);
    assert.equal(out.rewritten, 4);
    const back = out.text.split('\n');
    assert.equal(back.length, lines.length + 1);
    assert.equal(back[4], lines[4], 'a line without a secret is kept as it was, spacing and escapes included');
    assert.equal(back[5], lines[5]);
    for (const l of back.slice(0, 4)) assert.equal(JSON.parse(l).type, 'hello');
  });

  it('leaves out a broken line that could hold a secret, and keeps other broken lines', () => {
    const out = withoutSecrets(`{"type":"hello","s\\u0065cret":"${SECRET}"\n{"type": "task.spawned", "run": 1, \n`);
    assert.equal(out.text, '{"type": "task.spawned", "run": 1, \n');
    assert.equal(out.leftOut, 1);
  });

  it('a recording opened from a file and saved again loses its secret', () => {
    const text =
      [j(hello({ secret: SECRET })).replace('"secret"', '"s\\u0065cret"'), ...prologue().map(j)].join('\n') + '\n';
    const store = new RunStore();
    const [entry] = store.addRecording(replayNdjson(text).runs, { bytes: [Buffer.from(text)], truncated: false });
    const rec = store.recordingOf(entry.state.key)!;
    assert.ok(rec.text.includes(SECRET), 'the store keeps the file as it was opened');
    assert.ok(!withoutSecrets(rec.text).text.includes(SECRET));
  });

  it('writes a new 0600 file, also over an existing world-readable one or a link, and leaves no temporary file', async () => {
    const posix = process.platform !== 'win32';
    const dir = mkdtempSync(join(tmpdir(), 'nl-private-'));
    const fresh = join(dir, 'a.ndjson');
    await writePrivateFile(fresh, new TextEncoder().encode('x\n'));
    if (posix) assert.equal(statSync(fresh).mode & 0o777, 0o600);
    const old = join(dir, 'b.ndjson');
    writeFileSync(old, 'old\n', { mode: 0o644 });
    await writePrivateFile(old, new TextEncoder().encode('new\n'));
    assert.equal(readFileSync(old, 'utf8'), 'new\n');
    if (posix) assert.equal(statSync(old).mode & 0o777, 0o600);
    if (!posix) return; // symbolic links need privileges there
    const elsewhere = join(dir, 'shared.txt');
    writeFileSync(elsewhere, 'keep me\n', { mode: 0o644 });
    const link = join(dir, 'c.ndjson');
    symlinkSync(elsewhere, link);
    await writePrivateFile(link, new TextEncoder().encode('rec\n'));
    assert.equal(readFileSync(elsewhere, 'utf8'), 'keep me\n', "the link's target is not written through");
    assert.equal(readFileSync(link, 'utf8'), 'rec\n');
    assert.deepEqual(readdirSync(dir).sort(), ['a.ndjson', 'b.ndjson', 'c.ndjson', 'shared.txt']);
  });
});

describe('Open Recording…: a file that holds no run says what it is', () => {
  it('a Chrome trace (the Export menu\'s) is "not a Nursery Lens recording"; a recording whose lines are bad counts them in words', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nl-open-'));
    const trace = join(dir, 'run.trace.json');
    writeFileSync(trace, JSON.stringify({ traceEvents: [{ name: 'main', ph: 'X', ts: 0, dur: 5, pid: 1, tid: 1 }] }));
    assert.equal(
      noRunsMessage('run.trace.json', await readRecordingFile(trace)),
      'run.trace.json is not a Nursery Lens recording: it holds no event a program sent (1 line could not be read; see the Nursery Lens log).',
    );
    const helloOnly = join(dir, 'hello.ndjson');
    // a hello, then a task of a run that never started, and two lines that are not JSON
    writeFileSync(helloOnly, `${JSON.stringify(hello())}\n${JSON.stringify(spawned(5, 4, 'a', 1))}\n{oops\n{oops\n`);
    assert.equal(
      noRunsMessage('hello.ndjson', await readRecordingFile(helloOnly)),
      'hello.ndjson holds no runs (2 lines could not be read; see the Nursery Lens log).',
    );
  });
});

describe('Open Recording…: the name a recording run goes by in the run picker', () => {
  it("names the file when it says more than the program's name, so two recordings of one program differ", () => {
    assert.equal(recordingRunLabel('hang.ndjson', 'deadlock.py', 1), 'hang.ndjson: deadlock.py');
    assert.equal(recordingRunLabel('stopped.ndjson', 'deadlock.py', 1), 'stopped.ndjson: deadlock.py');
    assert.equal(
      recordingRunLabel('trio_way.ndjson', 'trio_way.py', 1),
      'trio_way.py',
      'Save Recording… names its file so',
    );
    assert.equal(recordingRunLabel('two.ndjson', 'app.py · run 2', 2), 'two.ndjson: app.py · run 2');
    assert.equal(recordingRunLabel('x.ndjson', 'recording', 1), 'x.ndjson: recording', 'no program named in it');
  });

  it('offers a file name from the run: no `.ndjson` or `.py` in it, no spaces or colons', () => {
    assert.equal(savedFileBase(recordingRunLabel('hett.ndjson', 'trio_way.py', 2)), 'hett_trio_way');
    assert.equal(savedFileBase('Hettinger: the Trio way'), 'Hettinger_the_Trio_way');
    assert.equal(savedFileBase('server_like.py'), 'server_like');
    assert.equal(savedFileBase('two.ndjson: app.py · run 2'), 'two_app_run_2');
    assert.equal(savedFileBase('::'), 'run');
  });
});
