// A small SVG line chart of one number over time: no library, a few hundred bytes per chart.
const SVG = 'http://www.w3.org/2000/svg';

/** One point: time (ms) and value (undefined: no data, a gap). */
export interface Point {
  readonly t: number;
  readonly v: number | undefined;
}

/**
 * A sparkline of `points` over [`from`, `to`] (ms), scaled to its own maximum (at least
 * `floor`), labelled for screen readers with `label`.
 */
export function sparkline(
  points: readonly Point[],
  options: { from: number; to: number; floor: number; label: string },
): SVGSVGElement {
  const width = 120;
  const height = 28;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', options.label);
  svg.setAttribute('preserveAspectRatio', 'none');
  const max = Math.max(options.floor, ...points.map((p) => p.v ?? 0));
  const span = Math.max(1, options.to - options.from);
  const x = (t: number) => ((t - options.from) / span) * width;
  const y = (v: number) => height - 1 - (v / max) * (height - 2);
  let path = '';
  let pen = false;
  for (const point of points) {
    if (point.v === undefined) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${x(point.t).toFixed(1)},${y(point.v).toFixed(1)}`;
    pen = true;
  }
  const base = document.createElementNS(SVG, 'line');
  base.setAttribute('x1', '0');
  base.setAttribute('x2', String(width));
  base.setAttribute('y1', String(height - 0.5));
  base.setAttribute('y2', String(height - 0.5));
  base.setAttribute('class', 'spark-base');
  svg.appendChild(base);
  if (path !== '') {
    const line = document.createElementNS(SVG, 'path');
    line.setAttribute('d', path);
    line.setAttribute('class', 'spark-line');
    line.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.appendChild(line);
  }
  return svg;
}
