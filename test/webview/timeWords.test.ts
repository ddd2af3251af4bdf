// The timeline's moments in words, in Node: one clock in one sentence.
import assert from 'node:assert/strict';
import { momentWords } from '../../webview/timeline/timeBar';
import { formatMoment } from '../../webview/timeline/timeWords';

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
});
