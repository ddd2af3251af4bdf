// The user-facing scenarios, in the order they run.
import palette from './palette.mjs';
import debugSession from './debugSession.mjs';
import breakpoint from './breakpoint.mjs';
import pausedWorker from './pausedWorker.mjs';
import recording from './recording.mjs';
import cliRecording from './cliRecording.mjs';
import deadlock from './deadlock.mjs';
import lints from './lints.mjs';
import asyncioSession from './asyncioSession.mjs';
import asyncioStep from './asyncioStep.mjs';
import timeTravel from './timeTravel.mjs';

export const scenarios = [
  palette,
  debugSession,
  breakpoint,
  pausedWorker,
  recording,
  cliRecording,
  deadlock,
  lints,
  asyncioSession,
  asyncioStep,
  timeTravel,
];
