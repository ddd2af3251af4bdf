import assert from 'node:assert/strict';
import { LaunchRegistry } from '../../extension/collector/launches';
import { LaunchOwners } from '../../extension/debug/launchOwners';

const envOf = (secret: string) => ({ NURSERY_LENS: JSON.stringify({ v: 1, address: '127.0.0.1:1', secret }) });

describe('LaunchOwners: how long a launch secret is accepted', () => {
  it('a debug launch lives until its root session ends; a child session ending changes nothing', () => {
    const launches = new LaunchRegistry();
    const owners = new LaunchOwners(launches);
    const launch = launches.create('dbg', 'debug');
    const root = { id: 'root', configuration: { env: envOf(launch.secret) } };
    const child = { id: 'child', parentSession: root, configuration: { env: envOf(launch.secret) } };
    assert.equal(owners.sessionStarted(root), launch);
    assert.equal(owners.sessionStarted(child), launch);
    assert.equal(launch.debugSessionId, 'root');
    owners.sessionEnded(child);
    assert.equal(launches.find(launch.secret), launch);
    owners.sessionEnded(root);
    assert.equal(launches.find(launch.secret), undefined);
  });

  it('a session restarted with a new configuration does not bring the old secret back', () => {
    const launches = new LaunchRegistry();
    const owners = new LaunchOwners(launches);
    const old = launches.create('dbg', 'debug');
    owners.sessionStarted({ id: 's', configuration: { env: envOf(old.secret) } });
    owners.sessionEnded({ id: 's' });
    const fresh = launches.create('dbg', 'debug');
    assert.equal(owners.sessionStarted({ id: 's', configuration: { env: envOf(fresh.secret) } }), fresh);
    assert.equal(launches.find(old.secret), undefined);
    assert.equal(
      owners.sessionStarted({ id: 'other', configuration: { env: envOf(old.secret) } }),
      undefined,
      'another session cannot revive it',
    );
  });

  it('a launch no owner took is retired after the bound without a connection, from its creation or its last connection', () => {
    let now = 1000;
    const launches = new LaunchRegistry({ unclaimedMs: 120_000, now: () => now });
    const launch = launches.create('x', 'debug');
    now += 119_000;
    assert.equal(launches.find(launch.secret), launch);
    now += 2_000;
    assert.equal(launches.find(launch.secret), undefined);
    const used = launches.create('z', 'terminal');
    launches.connected(used);
    now += 1_000_000;
    assert.equal(launches.find(used.secret), used, 'a connection is open');
    launches.disconnected(used);
    now += 119_000;
    assert.equal(launches.find(used.secret), used, 'idle for less than the bound');
    now += 2_000;
    assert.equal(launches.find(used.secret), undefined, 'idle since its last connection closed');
    const owned = launches.create('y', 'terminal');
    new LaunchOwners(launches).terminalStarted(owned, {});
    now += 1_000_000;
    assert.equal(launches.find(owned.secret), owned);
  });
});
