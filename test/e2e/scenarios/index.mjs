// The user-facing scenarios, in the order they run.
import palette from './palette.mjs';

export const scenarios = [palette];
