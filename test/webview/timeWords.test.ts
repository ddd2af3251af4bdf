// The timeline's moments in words, in Node: one clock in one sentence.
import assert from 'node:assert/strict';
import { momentWords } from '../../webview/timeline/timeBar';
import { formatMoment, tickLabel, ticks } from '../../webview/timeline/timeWords';

describe('timeline moments in words (Node)', () => {
  it('reads each moment in the unit that suits it', () => {
    assert.deepEqual(
      [0, 0.3, 532, 5117, 12_530, 61_300, 125_400].map((ms) => formatMoment(ms)),
      ['0 ms', '0.30 ms', '532 ms', '5.117 s', '12.53 s', '1:01.3', '2:05.4'],
    );
  });

  it('rounds into the next minute rather than past 59 seconds', () => {
    assert.equal(formatMoment(119_960), '2:00.0');
  });

  it('names a moment beside a run past a minute in minutes too', () => {
    const words = momentWords({
      at: 5117,
      end: 61_300,
      past: true,
      paused: false,
      info: undefined,
      lastEvent: null,
      shown: undefined,
      hideSystem: true,
      coarse: false,
      data: null,
      playing: false,
    });
    assert.equal(words, 'at 0:05.117 of 1:01.3');
    assert.equal(formatMoment(59_999.7, 61_300), '1:00.0', 'never 0:60.000');
    assert.equal(formatMoment(75_000, 61_300), '1:15.0');
  });

  it('labels axis ticks as round as their step: 5 s, not 5.000 s; minutes past a minute', () => {
    const axis = (to: number, width: number, from = 0) => {
      const tk = ticks(from, to, width);
      return tk.map((v) => tickLabel(v, tk[1] - tk[0], to));
    };
    assert.deepEqual(axis(53_900, 1100), [
      '0',
      '5 s',
      '10 s',
      '15 s',
      '20 s',
      '25 s',
      '30 s',
      '35 s',
      '40 s',
      '45 s',
      '50 s',
    ]);
    assert.deepEqual(axis(2060, 700), ['0', '500 ms', '1.0 s', '1.5 s', '2.0 s']);
    assert.deepEqual(axis(303, 700), ['0', '50 ms', '100 ms', '150 ms', '200 ms', '250 ms', '300 ms']);
    assert.deepEqual(axis(0.9, 600), ['0', '0.2 ms', '0.4 ms', '0.6 ms', '0.8 ms']);
    assert.deepEqual(axis(125_000, 900), ['0', '0:15', '0:30', '0:45', '1:00', '1:15', '1:30', '1:45', '2:00']);
    assert.deepEqual(
      axis(300_000, 600),
      ['0', '1:00', '2:00', '3:00', '4:00', '5:00'],
      "a clock's steps past a minute",
    );
    // zoomed in: the step's decimals, where a moment's words would round two ticks alike
    assert.deepEqual(axis(1004, 500, 1000), ['1.000 s', '1.001 s', '1.002 s', '1.003 s', '1.004 s']);
    assert.deepEqual(axis(61_502, 200, 61_500), ['1:01.500', '1:01.501', '1:01.502']);
  });
});
