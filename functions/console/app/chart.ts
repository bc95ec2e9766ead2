/**
 * The arithmetic of the Systems page's small charts: a scale that starts at zero and ends on a
 * round number, and an SVG path through the points. Kept apart from the component so it can be
 * tested without a browser.
 */

/**
 * The top of a chart's scale: the smallest 1, 2, 2.5 or 5 × 10ⁿ at or above `max`; 1 for an
 * empty or all-zero series, so a quiet system draws a flat line at the bottom, not mid-height.
 *
 * @example
 * niceCeiling(42); // 50
 * niceCeiling(0); // 1
 */
export function niceCeiling(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const top = step * power;
    // Rounded, so that 0.3 is not taken for 0.30000000000000004.
    if (top >= max - power * 1e-9) return Number(top.toPrecision(12));
  }
  return 10 * power;
}

export interface Box {
  readonly width: number;
  readonly height: number;
  /** Room kept at each edge, so a line at zero or at the top is not cut in half. */
  readonly inset: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * The points of a series in a box: evenly spaced from left to right (a single value in the
 * middle), zero at the bottom, `top` at the top. Values above `top` are drawn at the top; missing
 * or negative ones at zero.
 */
export function pointsOf(values: readonly number[], top: number, box: Box): Point[] {
  const left = box.inset;
  const right = box.width - box.inset;
  const bottom = box.height - box.inset;
  const span = bottom - box.inset;
  const round = (n: number) => Math.round(n * 100) / 100;
  return values.map((value, index) => {
    const x =
      values.length === 1
        ? (left + right) / 2
        : left + ((right - left) * index) / (values.length - 1);
    const share = Number.isFinite(value) && value > 0 ? Math.min(value / top, 1) : 0;
    return { x: round(x), y: round(bottom - span * share) };
  });
}

/**
 * An SVG path's `d` through the points, straight segments.
 *
 * @example
 * pathOf([{ x: 0, y: 10 }, { x: 5, y: 2 }]); // 'M0 10L5 2'
 */
export const pathOf = (points: readonly Point[]): string =>
  points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x} ${point.y}`).join('');
