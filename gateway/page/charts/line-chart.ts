import type { Series } from './race-series.ts';

/**
 * A hand-written SVG line chart: axes with a few round ticks, one polyline per series labelled at its end, one
 * circle per data point carrying its values (`data-series`, `data-x`, `data-y`, and a `<title>` a pointer or a
 * screen reader shows). Redrawn whole on each call: charts change once a lap, not once a frame.
 */
export interface LineChartSpec {
  /** Said by screen readers (`aria-label`) with the chart's extent. */
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Tick labels and point titles: e.g. a lap time as `1:32.456`. */
  formatY(y: number): string;
  /** Position charts: 1 at the top. */
  invertY?: boolean;
  /** Integer y ticks only (positions). */
  integerY?: boolean;
  /** The drawing's own units (it scales to the element's width): a narrow one keeps text legible on a phone. */
  size?: { width: number; height: number };
}

const SVG = 'http://www.w3.org/2000/svg';
const MARGIN = { top: 26, right: 40, bottom: 36, left: 80 };
/** Distinguishable on the dark pages and in print; lines are also labelled, so colours may repeat. */
export const PALETTE = ['#4e9af1', '#f1a34e', '#5cc98a', '#e0607e', '#b48ef0', '#e8d25a', '#4fd0d6', '#f07fd0', '#9fb3c8', '#c9a27e'];

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Ticks at a round step (1, 2 or 5 × 10^n) giving about `count` of them within [min, max]. */
export function ticks(min: number, max: number, count: number, integer = false): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const steps = [1, 2, 5, 10].map((m) => m * magnitude);
  const off = (s: number) => Math.abs((max - min) / s - count);
  let step = steps.reduce((best, s) => (off(s) < off(best) ? s : best));
  if (integer) step = max - min <= 12 ? 1 : Math.max(1, Math.round(step));
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toFixed(9)));
  return out;
}

export function renderLineChart(svg: SVGSVGElement, spec: LineChartSpec): void {
  const { width: WIDTH, height: HEIGHT } = spec.size ?? { width: 640, height: 320 };
  const points = spec.series.flatMap((s) => s.points);
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute('role', 'img');
  svg.replaceChildren();
  if (points.length === 0) {
    svg.setAttribute('aria-label', `${spec.title}: no laps yet`);
    svg.append(el('text', { x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle', class: 'empty' }, 'no laps yet'));
    return;
  }
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = spec.integerY ? 0 : (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number) => MARGIN.top + (spec.invertY ? (y - y0) / (y1 - y0) : (y1 - y) / (y1 - y0)) * plotH;
  svg.setAttribute('aria-label', `${spec.title}: ${spec.series.length} line${spec.series.length === 1 ? '' : 's'}, ${spec.xLabel} ${x0} to ${Math.max(...xs)}`);

  const axes = el('g', { class: 'axes' });
  for (const y of ticks(y0, y1, 5, spec.integerY)) {
    axes.append(el('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: sy(y), y2: sy(y), class: 'grid' }));
    axes.append(el('text', { x: MARGIN.left - 6, y: sy(y) + 4, 'text-anchor': 'end' }, spec.formatY(y)));
  }
  for (const x of ticks(x0, x1, 8, true)) {
    axes.append(el('text', { x: sx(x), y: HEIGHT - MARGIN.bottom + 16, 'text-anchor': 'middle' }, String(x)));
  }
  axes.append(el('text', { x: MARGIN.left + plotW / 2, y: HEIGHT - 4, 'text-anchor': 'middle', class: 'label' }, spec.xLabel));
  axes.append(el('text', { x: 4, y: 14, class: 'label' }, spec.yLabel));
  svg.append(axes);

  spec.series.forEach((series, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const g = el('g', { class: 'series', 'data-series': series.label, stroke: colour, fill: colour });
    g.append(el('polyline', { points: series.points.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' '), fill: 'none', 'stroke-width': 2 }));
    for (const p of series.points) {
      const dot = el('circle', { cx: sx(p.x), cy: sy(p.y), r: 3, 'data-series': series.label, 'data-x': p.x, 'data-y': p.y });
      dot.append(el('title', {}, `${series.label} · ${spec.xLabel} ${p.x}: ${spec.formatY(p.y)}`));
      g.append(dot);
    }
    const last = series.points[series.points.length - 1];
    if (last) g.append(el('text', { x: sx(last.x) + 5, y: sy(last.y) + 4, stroke: 'none', class: 'end-label' }, series.label));
    svg.append(g);
  });
}
