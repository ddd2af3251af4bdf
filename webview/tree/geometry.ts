// Sizes of the drawn tree, in CSS pixels at zoom 1. The tree grows to the
// right: depth along x, siblings along y.
import type { NodeKind } from './model';

export const ROW_HEIGHT = 24;
/** Column widths for layouts made without label widths (Node tests). */
export const COLUMN: Record<NodeKind, number> = { task: 280, nursery: 150, fold: 220, retired: 200, more: 160 };
export const MARKER_RADIUS = 7;
/** From a node's centre to the start of its label. */
export const LABEL_X = MARKER_RADIUS + 5;
/** Between the end of a label and the start of the links to its children. */
export const PORT_GAP = 6;
/** Horizontal run of a link, from the parent's port to the child's marker. */
const LINK_RUN = 34;
/** A column's width beyond its widest label. */
export const COLUMN_EXTRA = LABEL_X + PORT_GAP + LINK_RUN + MARKER_RADIUS + 3;
/** Names get about this many characters (measured as this many `x`s) before they are cut. */
export const NAME_CHARS = 40;
/** Await labels and other dim text after the name: about this many characters. */
export const EXTRA_CHARS = 28;
/** Below this zoom labels are unreadable: draw the overview (dots and one path per state). */
export const OVERVIEW_SCALE = 0.45;
/** Above this many rendered nodes, changes jump instead of animating. */
export const TRANSITION_LIMIT = 300;
export const FONT_SIZE = 12;
export const SMALL_FONT_SIZE = 11;
/** No column is wider than this (culling margins rely on it). */
export const MAX_COLUMN = 640;
