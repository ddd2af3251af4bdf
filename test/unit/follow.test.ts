// Follow mode's choice of what to bring into view (webview/follow.ts), with a
// recording viewport: new activity is followed, a task that already ended
// before the pan (a connection attempt, a short helper) is not.
import assert from 'node:assert/strict';
import type { Row, TaskRow } from '../../contract/rows';
import { Follow } from '../../webview/follow';
import type { FrameScheduler } from '../../webview/tree/frameScheduler';
import type { Layout, Placed } from '../../webview/tree/layout';
import type { Model } from '../../webview/tree/model';
import type { Viewport } from '../../webview/tree/viewport';

type Transform = { x: number; y: number; k: number };

function setup() {
  const sets: Transform[] = [];
  const viewport = {
    panTo: (p: Placed): Transform => ({ x: -p.x, y: -p.y, k: 1 }),
    size: () => ({ width: 400, height: 300 }),
    set: (t: Transform) => sets.push(t),
  } as unknown as Viewport;
  const scheduler = { after: () => undefined } as unknown as FrameScheduler;
  const choice = { following: true, setFollow: () => undefined, pauseFollow: () => true };
  const follow = new Follow(choice, viewport, scheduler, () => false);
  const placed = (id: number, x: number): Placed =>
    ({
      node: { key: String(id), kind: 'task', id },
      x,
      y: 0,
      parent: null,
      children: [],
      depth: 0,
      index: 0,
    }) as unknown as Placed;
  const nodes = [placed(1, 0), placed(2, 900), placed(3, 900)];
  const layout = {
    nodes,
    byKey: new Map(nodes.map((p) => [p.node.key, p])),
    roots: [nodes[0]],
    bounds: { x0: 0 },
  } as unknown as Layout;
  const model = { keyOf: (id: number) => String(id) } as unknown as Model;
  const task = (id: number, state: TaskRow['state']) => ({ kind: 'task', id, state }) as TaskRow;
  return { follow, sets, layout, model, task };
}

describe('Follow: what new activity it brings into view', () => {
  it('pans to a new task that is still running', () => {
    const { follow, sets, layout, model, task } = setup();
    follow.noteAdded([2]);
    follow.step(layout, model, new Map<number, Row>([[2, task(2, 'waiting')]]));
    assert.equal(sets.length, 1);
  });

  it('does not pan to a new task that already ended (it came and went before the pan)', () => {
    const { follow, sets, layout, model, task } = setup();
    follow.noteAdded([3]);
    follow.step(layout, model, new Map<number, Row>([[3, task(3, 'returned')]]));
    assert.equal(sets.length, 0, 'the structure stays where it was');
  });
});
