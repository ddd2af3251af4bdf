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

  it("a command is quiet when no program of its launch connected while it ran: counted from the terminal's last command", () => {
    const launches = new LaunchRegistry();
    const launch = launches.create('threads.py', 'terminal');
    const quiet = new QuietCommands<object>();
    const terminal = {};
    const command = '/usr/bin/python3 /home/me/app/threads.py';
    quiet.opened(terminal, launch, '/home/me/app/threads.py');
    assert.equal(quiet.endedQuietly(terminal, command), '/home/me/app/threads.py', 'nothing connected');
    // Typed again; its program starts its loop (the runtime connects), then is killed while hung: not quiet.
    launches.connected(launch);
    launches.disconnected(launch);
    assert.equal(quiet.endedQuietly(terminal, command), undefined);
    assert.equal(quiet.endedQuietly(terminal, command), '/home/me/app/threads.py', 'a later run counts on its own');
    assert.equal(quiet.endedQuietly(terminal, 'ls -l'), undefined, 'a command that is not the program');
    assert.equal(quiet.endedQuietly({}, command), undefined, 'a terminal Run File did not open');
  });
});
