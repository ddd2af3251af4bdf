// Run File runs a file again in its terminal when that is safe (an idle
// shell, the same launch settings), instead of one more terminal per run.
import assert from 'node:assert/strict';
import { LaunchRegistry } from '../../extension/collector/launches';
import { FileTerminals } from '../../extension/commands/fileTerminals';

describe("Run File's terminal for each file", () => {
  const launches = new LaunchRegistry();
  const settings = JSON.stringify({ sampleHz: 10, lints: {} });
  const integrated = () => true;

  it("runs a file again in its idle terminal, with the launch whose secret that terminal's environment holds", () => {
    const files = new FileTerminals<object>();
    const terminal = {};
    const launch = launches.create('a.py', 'terminal');
    assert.equal(files.again('/w/a.py', settings, integrated), undefined, 'never run: a new terminal');
    files.opened('/w/a.py', terminal, launch, settings);
    files.started(terminal); // Run File typed the command
    assert.equal(files.again('/w/a.py', settings, integrated), undefined, 'its program still runs: not typed into it');
    files.ended(terminal);
    assert.deepEqual(files.again('/w/a.py', settings, integrated), { terminal, launch, settings });
    assert.equal(files.again('/w/b.py', settings, integrated), undefined, 'another file: its own terminal');
  });

  it('opens a new terminal when the settings changed, without shell integration, or once the terminal closed', () => {
    const files = new FileTerminals<object>();
    const terminal = {};
    files.opened('/w/a.py', terminal, launches.create('a.py', 'terminal'), settings);
    assert.equal(files.again('/w/a.py', JSON.stringify({ sampleHz: 50, lints: {} }), integrated), undefined);
    assert.equal(
      files.again('/w/a.py', settings, () => false),
      undefined,
      'whether a command runs is unknown',
    );
    files.closed(terminal);
    assert.equal(files.again('/w/a.py', settings, integrated), undefined);
  });
});
