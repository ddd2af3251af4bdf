// A program run with the task tree that starts no event loop never connects:
// when its debug session or its Run File command ends with no connection of
// its launch, the user is told why the panel shows nothing.
import assert from 'node:assert/strict';
import { LaunchRegistry } from '../../extension/collector/launches';
import { QuietCommands, quietMessage } from '../../extension/debug/quietLaunch';

describe('a launch whose program started no event loop', () => {
  it('says which program ended, and its failing exit code', () => {
    assert.equal(
      quietMessage('threads.py'),
      'threads.py ended before starting a Trio, asyncio or AnyIO event loop: there is no task tree to show.',
    );
    assert.equal(quietMessage('threads.py', 0), quietMessage('threads.py'));
    assert.match(quietMessage('broken.py', 1), /^broken\.py exited with code 1 before starting/);
  });

  it('a command is quiet when no program of its launch connected while it ran; each command of its terminal on its own', () => {
    const launches = new LaunchRegistry();
    const launch = launches.create('threads.py', 'terminal');
    const quiet = new QuietCommands<object>();
    const terminal = {};
    quiet.started(terminal, launch);
    assert.equal(quiet.endedQuietly(terminal), true, 'nothing connected');
    quiet.started(terminal, launch); // typed again there
    launches.connected(launch); // its event loop started: the runtime connected
    launches.disconnected(launch);
    assert.equal(quiet.endedQuietly(terminal), false);
    assert.equal(quiet.endedQuietly(terminal), false, 'a command that was not the program (ls, typed in its terminal)');
    assert.equal(quiet.endedQuietly({}), false, 'another terminal');
    quiet.started(terminal, launch);
    assert.equal(quiet.endedQuietly(terminal), true, 'an earlier connection does not count for a later command');
  });
});
