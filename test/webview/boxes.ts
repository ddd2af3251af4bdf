// Boxes on the page (Playwright's boundingBox): one inside another (half a
// pixel of rounding allowed), two overlapping.
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const inside = (a: Box, b: Box): boolean =>
  a.x >= b.x - 0.5 &&
  a.y >= b.y - 0.5 &&
  a.x + a.width <= b.x + b.width + 0.5 &&
  a.y + a.height <= b.y + b.height + 0.5;

export const overlap = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
