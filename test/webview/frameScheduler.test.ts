// The frame scheduler in Node, on a hand-driven clock: a burst of requests is
// one frame with all their flags; a waiting slot costs one timer however
// often it is asked for.
import assert from 'node:assert/strict';
import { FrameScheduler, type SchedulerClock } from '../../webview/tree/frameScheduler';

class HandClock implements SchedulerClock {
  frames: Array<() => void> = [];
  timers: Array<{ at: number; cb: () => void }> = [];
  now = 0;

  frame(cb: () => void): number {
    this.frames.push(cb);
    return this.frames.length;
  }

  timeout(cb: () => void, ms: number): number {
    this.timers.push({ at: this.now + ms, cb });
    return this.timers.length;
  }

  nextFrame(): void {
    const due = this.frames;
    this.frames = [];
    for (const cb of due) cb();
  }

  advance(ms: number): void {
    this.now += ms;
    const due = this.timers.filter((t) => t.at <= this.now);
    this.timers = this.timers.filter((t) => t.at > this.now);
    for (const t of due) t.cb();
  }
}

describe('webview frame scheduler (Node)', () => {
  it('draws once per frame with the flags of every request since the last', () => {
    const clock = new HandClock();
    const frames: number[] = [];
    const s = new FrameScheduler((f) => frames.push(f), clock);
    s.request(1);
    s.request(4);
    s.request(1);
    assert.equal(clock.frames.length, 1, 'one frame asked for');
    clock.nextFrame();
    assert.deepEqual(frames, [5]);
    s.request(2);
    clock.nextFrame();
    assert.deepEqual(frames, [5, 2]);
  });

  it('a waiting slot keeps its first time; once it fired it can wait again', () => {
    const clock = new HandClock();
    const frames: number[] = [];
    const saves: number[] = [];
    const s = new FrameScheduler((f) => frames.push(f), clock);
    s.after('rows', 300, 16);
    clock.advance(100);
    s.after('rows', 300, 16);
    s.after('save', 200, () => saves.push(clock.now));
    s.after('save', 200, () => saves.push(-1));
    assert.equal(clock.timers.length, 2, 'one timer per slot');
    clock.advance(200);
    assert.deepEqual(saves, [300], 'the first save, at its first time');
    clock.nextFrame();
    assert.deepEqual(frames, [16], 'rows fired at 300 ms, not 400');
    s.after('save', 200, () => saves.push(clock.now));
    clock.advance(200);
    assert.deepEqual(saves, [300, 500]);
  });
});
