// Sizes of the drawn tree, in CSS pixels at zoom 1. The tree grows to the
// right: depth along x, siblings along y.
import type { NodeKind } from './model';

export const ROW_HEIGHT = 24;
/** Horizontal room a node of this kind gives its children (its label lives there). */
export const COLUMN: Record<NodeKind, number> = { task: 280, nursery: 150, fold: 220, retired: 200 };
export const MARKER_RADIUS = 7;
/** Below this zoom labels are unreadable: draw the overview (dots and one path per state). */
export const OVERVIEW_SCALE = 0.45;
/** Above this many rendered nodes, changes jump instead of animating. */
export const TRANSITION_LIMIT = 300;
export const FONT_SIZE = 12;
export const SMALL_FONT_SIZE = 11;
/** Room for the label: from the marker to just before the children's column. */
export const labelRoom = (kind: NodeKind): number => COLUMN[kind] - MARKER_RADIUS - 34;
