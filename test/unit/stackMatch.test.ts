import assert from 'node:assert/strict';
import type { Site, TaskRow } from '../../contract/rows';
import { normalisePath, ownerOfFrame, ownerOfStack, stackOf, type Candidate } from '../../extension/debug/stackMatch';

const PROG = '/home/u/app/workers.py';
const TRIO = '/venv/lib/python3.11/site-packages/trio/_timer.py';
const at = (line: number, fn = 'worker', file = PROG): Site => ({ file, line, function: fn });
const task = (
  id: number,
  state: TaskRow['state'],
  awaitSite: Site | null,
  chain?: Site[],
  run = 'c1.r1',
): Candidate => ({ run, task: { id, state, awaitSite, ...(chain ? { chain } : {}) } });
/** A DAP stack, innermost first, as debugpy answers stackTrace (justMyCode: user frames only). */
const dap = (...frames: Array<[string, number]>) =>
  frames.map(([path, line], i) => ({ id: 1000 + i, name: `f${i}`, line, column: 1, source: { path } }));

describe('debugger stack → task (stackMatch)', () => {
  it('normalises code-server URIs, file URIs and Windows paths so both sides compare', () => {
    assert.equal(normalisePath('vscode-remote://127.0.0.1:8080/home/u/app/workers.py', 'linux'), PROG);
    assert.equal(normalisePath('file:///home/u/my%20app/w.py', 'linux'), '/home/u/my app/w.py');
    assert.equal(normalisePath('/home/u/app/../app/workers.py', 'linux'), PROG);
    assert.equal(normalisePath('file:///C:/Users/U/app/W.py', 'win32'), 'c:\\users\\u\\app\\w.py');
    assert.equal(normalisePath('C:/Users/U/app/W.py', 'win32'), normalisePath('c:\\users\\u\\APP\\w.py', 'win32'));
    // A drive letter is not a URI scheme.
    assert.equal(normalisePath('c:\\x\\y.py', 'win32'), 'c:\\x\\y.py');
  });

  it('finds the one worker of fifty that runs at the breakpoint, from a code-server stack', () => {
    const workers = Array.from({ length: 50 }, (_, i) =>
      task(10 + i, 'waiting', at(12), [at(12), at(40, 'sleep', TRIO)]),
    );
    // Worker 17 was sampled running at the breakpoint's line (11).
    workers[17] = task(27, 'running', at(11), [at(11)]);
    const stack = stackOf(
      dap([`vscode-remote://localhost:9999${PROG}`, 11], [`vscode-remote://localhost:9999${PROG}`, 30]),
      'linux',
    );
    const owner = ownerOfStack(stack, workers, 'linux');
    assert.deepEqual(owner && { id: owner.id, running: owner.running }, { id: 27, running: true });
  });

  it("among tasks waiting at the breakpoint's own line, picks the one sampled running, and none before that sample", () => {
    const stack = stackOf(dap([PROG, 12], [PROG, 30]), 'linux');
    const waiting = Array.from({ length: 5 }, (_, i) =>
      task(10 + i, 'waiting', at(12), [at(12), at(40, 'sleep', TRIO)]),
    );
    assert.equal(ownerOfStack(stack, waiting, 'linux'), null, 'five equally likely tasks: no owner');
    const sampled = [...waiting.slice(0, 3), task(13, 'running', at(12), [at(12)]), waiting[4]];
    assert.equal(ownerOfStack(stack, sampled, 'linux')?.id, 13);
  });

  it('prefers the task whose frames reach the top of the stack over one sharing only an outer frame', () => {
    // 7 stopped inside helper (line 5) called from worker line 20; 8 waits in worker line 20's sibling call.
    const stack = stackOf(dap([PROG, 5], [PROG, 20], [PROG, 30]), 'linux');
    const owner = ownerOfStack(
      stack,
      [task(8, 'waiting', at(20), [at(20)]), task(7, 'scheduled', at(5, 'helper'), [at(20), at(5, 'helper')])],
      'linux',
    );
    assert.equal(owner?.id, 7);
    assert.equal(owner?.outermost, 1, "its outermost frame is worker:20, the stack's second");
  });

  it('matches with only await sites (a runtime without chains) and says the frames below are unknown', () => {
    const stack = stackOf(dap([PROG, 11], [PROG, 30]), 'linux');
    const owner = ownerOfStack(stack, [task(3, 'running', at(11)), task(4, 'waiting', at(15))], 'linux');
    assert.equal(owner?.id, 3);
    assert.equal(owner?.chained, false);
    // Without a chain, every frame of the thread is taken to be the task's.
    assert.equal(ownerOfFrame(owner, 1)?.id, 3);
  });

  it('a picked frame below the task (the module that called trio.run) belongs to no task', () => {
    const stack = stackOf(dap([PROG, 5], [PROG, 20], ['/home/u/app/main.py', 3]), 'linux');
    const owner = ownerOfStack(stack, [task(7, 'running', at(5, 'helper'), [at(20), at(5, 'helper')])], 'linux');
    assert.equal(ownerOfFrame(owner, 0)?.id, 7);
    assert.equal(ownerOfFrame(owner, 1)?.id, 7);
    assert.equal(ownerOfFrame(owner, 2), null);
  });

  it('a stack no task knows (another thread, frames without source) has no owner', () => {
    assert.equal(
      ownerOfStack(
        stackOf(dap(['/usr/lib/python3.11/threading.py', 320]), 'linux'),
        [task(3, 'running', at(11))],
        'linux',
      ),
      null,
    );
    assert.equal(ownerOfStack(stackOf([{ line: 3 }, { source: {} }]), [task(3, 'running', at(11))], 'linux'), null);
  });

  it('tells tasks of two runs apart by their frames', () => {
    const stack = stackOf(dap(['/home/u/app/b.py', 9]), 'linux');
    const owner = ownerOfStack(
      stack,
      [
        task(3, 'running', at(11), undefined, 'c1.r1'),
        task(3, 'running', at(9, 'serve', '/home/u/app/b.py'), undefined, 'c1.r2'),
      ],
      'linux',
    );
    assert.deepEqual(owner && [owner.run, owner.id], ['c1.r2', 3]);
  });
});
