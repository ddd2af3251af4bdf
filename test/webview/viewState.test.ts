// The remembered state in Node: an older page's unfolded folds come back as a
// first page, and what the user opens, pages and focuses survives a reload;
// the filter and a pan's end of Follow belong to the run, not the panel.
import assert from 'node:assert/strict';
import type { ViewNode } from '../../webview/tree/model';
import { Choices, type StateStore } from '../../webview/viewState';

class Store implements StateStore {
  constructor(public state: unknown = null) {}
  getState(): unknown {
    return this.state;
  }
  setState(s: unknown): void {
    this.state = JSON.parse(JSON.stringify(s));
  }
}

const node = (key: string, kind: ViewNode['kind'], over: Partial<ViewNode> = {}): ViewNode => ({
  key,
  kind,
  id: 4,
  children: [],
  hiddenChildren: 0,
  expandable: true,
  match: false,
  ...over,
});

describe('webview remembered state (Node)', () => {
  it("an older state's unfolded folds show their first page", () => {
    const older = {
      v: 1,
      run: 'r',
      follow: true,
      hideFinished: false,
      hideSystem: null,
      search: '',
      detailsOpen: true,
      recent: ['r'],
      runs: { r: { collapsed: ['7'], folds: ['f4:job'], transform: null, selected: null } },
    };
    const c = new Choices(new Store(older));
    c.showRun('r');
    const o = c.modelOptions(null);
    assert.deepEqual([...o.pages], [['f4:job', 1]]);
    assert.deepEqual([...o.collapsed], ['7']);
    assert.equal(o.focus, null);
  });

  it('opened, collapsed, pages, whole subtrees and the focus survive a reload', () => {
    const store = new Store();
    const c = new Choices(store);
    c.showRun('r');
    c.setOpen(node('9', 'nursery'), true);
    c.setOpen(node('11', 'task', { children: [node('12', 'nursery')] }));
    c.setOpen(node('f4:abc', 'fold'));
    c.showMore(node('m:f4:abc', 'more', { more: { owner: 'f4:abc', page: 50, left: 1950 } }));
    c.openAll(node('3', 'task'));
    c.save({ x: 1, y: 2, k: 1 });
    // The page saves no view while a new one is due (the focus's first view).
    c.setFocus('f4:abc');
    c.save(null);
    const again = new Choices(new Store(store.state));
    again.showRun('r');
    const o = again.modelOptions({ rows: 40, depth: 8, width: 20 });
    assert.deepEqual([...o.opened], ['9']);
    assert.deepEqual([...o.collapsed], ['11'], 'a node shown open is collapsed by a toggle');
    assert.deepEqual([...o.pages], [['f4:abc', 2]]);
    assert.deepEqual([...o.deep], ['3']);
    assert.equal(o.focus, 'f4:abc');
    assert.equal(again.savedTransform, null, 'a new focus starts its view afresh');
    assert.deepEqual(o.budget, { rows: 40, depth: 8, width: 20 });
  });

  it("a run's filter and a pan's end of Follow stay with it; a new run starts without either", () => {
    const store = new Store();
    const c = new Choices(store);
    c.showRun('a');
    c.search = 'worker';
    assert.equal(c.pauseFollow(), true);
    assert.equal(c.following, false);
    c.showRun('b');
    assert.equal(c.search, '');
    assert.equal(c.following, true, 'the toggle is still on');
    assert.equal(c.modelOptions(null).search, '');
    c.save(null);
    const again = new Choices(new Store(store.state));
    again.showRun('a');
    assert.equal(again.search, 'worker');
    assert.equal(again.following, false);
    again.setFollow(false); // the toggle, off: for the runs to come too
    again.showRun('c');
    assert.equal(again.following, false);
  });

  it("an older state's one filter becomes the filter of the run it was shown with", () => {
    const older = { v: 1, run: 'r', follow: true, search: 'fetch', recent: ['r', 's'], runs: { r: {}, s: {} } };
    const c = new Choices(new Store(older));
    c.showRun('r');
    assert.equal(c.search, 'fetch');
    c.showRun('s');
    assert.equal(c.search, '');
  });
});
