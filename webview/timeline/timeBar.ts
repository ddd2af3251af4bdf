// The timeline's bar: show/hide, play and speed, the moment in words, the
// last event, notes on the history, and Live/End. It holds the controls and
// says what the timeline tells it; what the buttons do is the timeline's.
import type { Row, RunInfo } from '../../contract/rows';
import type { PastEvent, TimelineData } from '../../contract/timeline';
import { h, icon, setAttr, setText } from '../elements';
import { eventWords } from './eventWords';
import { SPEEDS } from './player';
import { formatMoment, wallClock } from './timeWords';

export interface BarActions {
  toggle(): void;
  togglePlay(): void;
  setSpeed(speed: number): void;
  live(): void;
}

/** What the bar shows: the moment and what the timeline knows of it. */
export interface BarMoment {
  info: RunInfo | undefined;
  /** The cursor is at a past moment. */
  past: boolean;
  /** The program is paused in the debugger (the cursor stays at the pause). */
  paused: boolean;
  at: number;
  end: number;
  lastEvent: PastEvent | null;
  /** The moment shown as the host sent it (its rows name the event's tasks; its header holds the verdict by then). */
  shown: { info: RunInfo; rows: ReadonlyMap<number, Row> } | undefined;
  /** The tree hides the library's own rows: so do the event's words. */
  hideSystem: boolean;
  /** The moment shown is rebuilt from checkpoints only. */
  coarse: boolean;
  data: TimelineData | null;
  playing: boolean;
}

/** `at 200 ms of 303 ms`, `now 1.2 s of 1.2 s`, `paused at …`, or `at the end, 303 ms` for a run that is over; then the wall clock. */
export function momentWords(m: BarMoment): string {
  const wall = m.info ? wallClock(m.info.wall, m.at) : '';
  const where = m.paused && !m.past ? 'paused at' : m.past ? 'at' : 'now';
  // A run that is over is not "now": its last moment is its end.
  const moment =
    !m.past && m.info && m.info.status !== 'live'
      ? `at the end, ${formatMoment(m.end)}`
      : `${where} ${formatMoment(m.at, m.end)} of ${formatMoment(m.end)}`;
  return `${moment}${wall ? ` · ${wall}` : ''}`;
}

/** Notes on the history: coarse here, coarse before when, tasks left out, still reading. */
function noteWords(m: BarMoment): string {
  const data = m.data;
  const coarse =
    data && data.exactFrom > data.start && m.info
      ? `history before ${wallClock(m.info.wall, data.exactFrom) || formatMoment(data.exactFrom)} is coarse`
      : '';
  const more = data?.more ? `${data.more.toLocaleString('en-US')} more tasks: zoom in` : '';
  return [m.coarse ? 'coarse here' : '', coarse, more, data?.partial ? 'reading the history…' : '']
    .filter(Boolean)
    .join(' · ');
}

/** The play and pause signs, in the 16-unit box of `icon`. */
const PLAY_ICON = 'M-4,-6L6,0L-4,6Z';
const PAUSE_ICON = 'M-5,-6h3.5v12h-3.5Z|M1.5,-6h3.5v12h-3.5Z';

export class TimeBar {
  readonly el: HTMLElement;
  readonly toggleButton: HTMLButtonElement;
  private readonly playButton: HTMLButtonElement;
  private readonly speedSelect: HTMLSelectElement;
  private readonly timeText: HTMLElement;
  private readonly eventText: HTMLElement;
  private readonly noteText: HTMLElement;
  private readonly liveButton: HTMLButtonElement;
  /** The last event worded, and how: a moment's rows only change with its event (a new answer), so it is worded once. */
  private worded: { event: PastEvent; hideSystem: boolean; text: string } | null = null;

  constructor(speed: number, a: BarActions) {
    this.toggleButton = h(
      'button',
      { class: 'tl-toggle', type: 'button', 'aria-expanded': 'true', title: 'Show or hide the timeline' },
      'Timeline',
    );
    this.playButton = h(
      'button',
      { class: 'tl-play', type: 'button', title: 'Play the run from the cursor (Space)', 'aria-label': 'Play' },
      // Drawn, not the characters ▶ and ⏸: the pause sign is missing from common fonts (an empty box in Debian's Chromium).
      icon(PLAY_ICON, 'play-icon'),
      icon(PAUSE_ICON, 'pause-icon'),
    );
    this.speedSelect = h(
      'select',
      { class: 'tl-speed', 'aria-label': 'Playing speed', title: 'Playing speed' },
      h('option', { value: '0' }, 'auto'),
      ...SPEEDS.map((s) => h('option', { value: String(s) }, `${s}×`)),
    );
    this.speedSelect.value = String(speed);
    this.timeText = h('span', { class: 'tl-time', 'aria-live': 'off' });
    this.eventText = h('span', { class: 'tl-event' });
    this.noteText = h('span', { class: 'tl-note' });
    this.liveButton = h(
      'button',
      { class: 'tl-live button secondary', type: 'button', title: 'Back to now, following the run (L)' },
      'Live',
    );
    this.el = h(
      'div',
      { class: 'tl-bar', role: 'toolbar', 'aria-label': 'Time' },
      this.toggleButton,
      this.playButton,
      this.speedSelect,
      this.timeText,
      this.eventText,
      this.noteText,
      this.liveButton,
    );
    this.toggleButton.addEventListener('click', () => a.toggle());
    this.playButton.addEventListener('click', () => a.togglePlay());
    this.speedSelect.addEventListener('change', () => a.setSpeed(Number(this.speedSelect.value)));
    this.liveButton.addEventListener('click', () => a.live());
  }

  /** The moment's words as the bar shows them now (an exported picture is captioned with them). */
  get momentShown(): string {
    return this.timeText.textContent ?? '';
  }

  /**
   * Says the moment; returns its words (the strip's slider speaks them too).
   * Drawn every frame while a live run moves: only what changed is written,
   * so a frame touches the moment's words and leaves the rest of the bar be.
   */
  draw(m: BarMoment): string {
    const words = momentWords(m);
    setText(this.timeText, words);
    setText(this.eventText, m.past && m.lastEvent ? this.lastEventWords(m, m.lastEvent) : '');
    setText(this.noteText, noteWords(m));
    if (this.playButton.classList.contains('playing') !== m.playing)
      this.playButton.classList.toggle('playing', m.playing);
    setAttr(this.playButton, 'aria-label', m.playing ? 'Pause' : 'Play');
    setText(this.liveButton, m.info?.status === 'live' ? 'Live' : 'End');
    if (this.liveButton.disabled !== !m.past) this.liveButton.disabled = !m.past;
    return words;
  }

  private lastEventWords(m: BarMoment, event: PastEvent): string {
    const w = this.worded;
    if (w && w.event === event && w.hideSystem === m.hideSystem) return w.text;
    const text = eventWords(event, { rows: m.shown?.rows, info: m.shown?.info, hideSystem: m.hideSystem });
    this.worded = { event, hideSystem: m.hideSystem, text };
    return text;
  }
}
