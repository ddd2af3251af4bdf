// The task-state table against the stylesheet and the legend order: every
// state has its own icon and word, and styles.css colours its class wherever
// a state is drawn (tree node, histogram bar, overview dot, inline icon, word).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './browser';
import {
  countStates,
  inStateOrder,
  isFinishedState,
  STATE_ORDER,
  stateClass,
  stateIcon,
  stateWord,
} from '../../webview/tree/taskStates';

describe('webview task states (Node)', () => {
  const css = readFileSync(join(repoRoot, 'webview', 'styles.css'), 'utf8');

  it('gives every state its own word and icon, live states first', () => {
    assert.deepEqual(STATE_ORDER, ['running', 'scheduled', 'waiting', 'returned', 'raised', 'cancelled', 'lost']);
    assert.equal(new Set(STATE_ORDER.map(stateIcon)).size, STATE_ORDER.length);
    assert.equal(new Set(STATE_ORDER.map(stateWord)).size, STATE_ORDER.length);
    assert.deepEqual(STATE_ORDER.filter(isFinishedState), ['returned', 'raised', 'cancelled', 'lost']);
  });

  it('has a colour rule in styles.css for each state class, wherever states are drawn', () => {
    for (const s of STATE_ORDER) {
      const cls = stateClass(s);
      for (const where of [
        `g.node.${cls} `,
        `.histogram rect.${cls}`,
        `.ov.${cls}`,
        `.inline-icon.${cls} `,
        `.state-word.${cls} `,
      ]) {
        assert.ok(css.includes(where), `${where} in styles.css`);
      }
    }
  });

  it('counts states in display order', () => {
    assert.deepEqual(inStateOrder(countStates(['waiting', 'running', 'waiting', 'lost'])), [
      ['running', 1],
      ['waiting', 2],
      ['lost', 1],
    ]);
    assert.deepEqual(inStateOrder({ returned: 3, raised: 0, cancelled: 1, lost: 0 }), [
      ['returned', 3],
      ['cancelled', 1],
    ]);
  });
});
