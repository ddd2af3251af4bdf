import assert from 'node:assert/strict';
import { MAX_INTERNED, MAX_INTERNED_CHARS, NameTable, SiteTable } from '../../extension/store/internTable';
import { RunState } from '../../extension/store/runState';
import type { TaskRow } from '../../contract/rows';
import { opened, prologue, site, spawned, state } from './wireEvents';

describe('Intern tables (rows share sites and names instead of keeping each parsed copy)', () => {
  it('equal sites give one object; a different function on the same line or another file gives another', () => {
    const t = new SiteTable();
    const a = t.intern(site(10, '/a.py', 'f'));
    assert.equal(t.intern(site(10, '/a.py', 'f')), a);
    assert.deepEqual(a, { file: '/a.py', line: 10, function: 'f' });
    const g = t.intern(site(10, '/a.py', 'g'));
    assert.notEqual(g, a);
    assert.deepEqual(g, { file: '/a.py', line: 10, function: 'g' });
    assert.equal(t.intern(site(10, '/a.py', 'g')), g);
    assert.equal(t.intern(site(10, '/a.py', 'f')), a);
    const b = t.intern(site(10, '/b.py', 'f'));
    assert.deepEqual(b, { file: '/b.py', line: 10, function: 'f' });
    assert.notEqual(b, a);
  });

  it('past MAX_INTERNED entries starts over: never hands back the parsed object, and sharing goes on (#12 item 5)', () => {
    const t = new SiteTable();
    const first = t.intern(site(0, '/many.py'));
    for (let i = 1; i < MAX_INTERNED; i++) t.intern(site(i, '/many.py'));
    const late = { ...site(MAX_INTERNED + 5, '/many.py'), junk: { deep: [[[]]] } };
    const got = t.intern(late);
    assert.notEqual(got, late);
    assert.deepEqual(got, site(MAX_INTERNED + 5, '/many.py'), 'only the three fields');
    assert.equal(t.intern(site(MAX_INTERNED + 5, '/many.py')), got, 'shared again after starting over');
    assert.notEqual(t.intern(site(0, '/many.py')), first, 'the old entries were let go');
    const names = new NameTable();
    for (let i = 0; i < MAX_INTERNED; i++) names.intern(`t${i}`);
    const s = ['late', 'name'].join('-');
    assert.equal(names.intern(s), s);
    assert.equal(names.intern(['late', 'name'].join('-')), s);
  });

  it('bounds the characters it holds too: long paths start it over sooner', () => {
    const t = new SiteTable();
    const long = (i: number) => `/${String(i).padStart(4000, 'd')}.py`;
    const a = t.intern(site(1, long(0)));
    for (let i = 1; i < MAX_INTERNED_CHARS / 4000 + 10; i++) t.intern(site(1, long(i)));
    assert.notEqual(t.intern(site(1, long(0))), a);
  });

  it('the reducer: tasks spawned at the same site share one site object, with the same content as sent', () => {
    const r = new RunState('c1.r1', 'prog.py');
    for (const e of [
      ...prologue(),
      opened(4, 3, 1, { site: site(7) }),
      spawned(5, 4, 'leaf', 1.1, { site: site(9) }),
      spawned(6, 4, 'leaf', 1.2, { site: site(9) }),
      state(5, 1.3, 'waiting', site(12, '/abs/prog.py', 'leaf')),
    ])
      r.apply(e);
    const rows = r.rows();
    const t5 = rows.find((x) => x.id === 5) as TaskRow;
    const t6 = rows.find((x) => x.id === 6) as TaskRow;
    assert.deepEqual(t5.site, site(9));
    assert.equal(t5.site, t6.site);
    assert.equal(t5.name, 'leaf');
    assert.deepEqual(t5.awaitSite, site(12, '/abs/prog.py', 'leaf'));
    assert.deepEqual([...r.reportedFiles], ['/abs/prog.py']);
  });
});
