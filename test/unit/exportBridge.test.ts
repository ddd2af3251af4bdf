// The host's half of Export Tree as SVG…/PNG… and of the toolbar's export
// menu: PanelBridge asks the page for a picture (`export`, by id), waits for
// the page to be there, and takes only the answer it asked for.
import assert from 'node:assert/strict';
import { PanelBridge } from '../../extension/panel/panelBridge';
import type { HostMessage } from '../../contract/messages';
import { RunStore } from '../../extension/store/runStore';

function setup() {
  const posted: HostMessage[] = [];
  const commands: string[] = [];
  const bridge = new PanelBridge(new RunStore(), {
    post: (m) => posted.push(m),
    openSite: async () => undefined,
    runCommand: (c) => commands.push(c),
  });
  const asked = () => posted.flatMap((m) => (m.type === 'export' ? [m] : []));
  return { posted, commands, bridge, asked };
}

describe('PanelBridge: pictures of the view and the export menu', () => {
  it('asks a page that is not there yet once it says ready, and resolves with its answer', async () => {
    const t = setup();
    const png = t.bridge.requestImage('png');
    assert.deepEqual(t.asked(), []);
    await t.bridge.handle({ type: 'ready' });
    const [ask] = t.asked();
    assert.equal(ask.format, 'png');
    await t.bridge.handle({ type: 'exported', id: ask.id + 100, format: 'png', data: 'not-ours' });
    await t.bridge.handle({ type: 'exported', id: ask.id, format: 'png', data: 'iVBORw0KGgo=' });
    assert.equal(await png, 'iVBORw0KGgo=');
  });

  it('passes on why the page could not draw, and refuses an answer in the wrong format or empty', async () => {
    const t = setup();
    await t.bridge.handle({ type: 'ready' });
    const failed = t.bridge.requestImage('svg');
    await t.bridge.handle({ type: 'exportFailed', id: t.asked()[0].id, reason: 'no run is shown' });
    await assert.rejects(failed, /no run is shown/);
    const wrong = t.bridge.requestImage('svg');
    await t.bridge.handle({ type: 'exported', id: t.asked()[1].id, format: 'png', data: 'x' });
    await assert.rejects(wrong, /no usable picture/);
    const empty = t.bridge.requestImage('svg');
    await t.bridge.handle({ type: 'exported', id: t.asked()[2].id, format: 'svg', data: '' });
    await assert.rejects(empty, /no usable picture/);
  });

  it('asks the next page again when the page went away before answering, and gives up in time', async () => {
    const t = setup();
    await t.bridge.handle({ type: 'ready' });
    const svg = t.bridge.requestImage('svg');
    t.bridge.detach();
    await t.bridge.handle({ type: 'ready' });
    const asks = t.asked();
    assert.equal(asks.length, 2);
    assert.equal(asks[0].id, asks[1].id);
    await t.bridge.handle({ type: 'exported', id: asks[1].id, format: 'svg', data: '<svg/>' });
    assert.equal(await svg, '<svg/>');
    await assert.rejects(t.bridge.requestImage('svg', 20), /did not answer in time/);
    t.bridge.detach();
    await assert.rejects(t.bridge.requestImage('png', 20), /not open/);
  });

  it("runs the export menu's commands, and no others", async () => {
    const t = setup();
    for (const command of ['copyText', 'exportSvg', 'exportPng', 'exportTrace', 'deleteEverything']) {
      await t.bridge.handle({ type: 'command', command });
    }
    assert.deepEqual(t.commands, ['copyText', 'exportSvg', 'exportPng', 'exportTrace']);
  });
});
