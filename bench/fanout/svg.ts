/**
 * A grouped horizontal bar chart as hand-written SVG: one group per client count, one bar per system, log scale
 * (capacities span orders of magnitude). No dependencies; the numbers are printed on the bars.
 */
export interface BarGroup {
  label: string;
  bars: { label: string; value: number; note?: string }[];
}

const COLOURS = ['#d62728', '#1f77b4', '#ff7f0e', '#2ca02c', '#7f7f7f', '#9467bd'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const human = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(v < 10 ? 1 : 0));

export function barChart(title: string, unit: string, groups: readonly BarGroup[]): string {
  const barH = 16;
  const left = 170;
  const width = 760;
  const plotW = width - left - 130;
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v > 0);
  const max = Math.max(10, ...values);
  const min = Math.max(1, Math.min(max / 10, ...values) / 2);
  const x = (v: number) => (v <= min ? 0 : (Math.log10(v / min) / Math.log10(max / min)) * plotW);
  const lines: string[] = [];
  let y = 40;
  for (const group of groups) {
    lines.push(`<text x="8" y="${y + 12}" font-weight="bold">${esc(group.label)}</text>`);
    y += 18;
    group.bars.forEach((bar, i) => {
      const w = Math.max(1, x(bar.value));
      lines.push(`<text x="${left - 6}" y="${y + 12}" text-anchor="end">${esc(bar.label)}</text>`);
      lines.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH - 3}" fill="${COLOURS[i % COLOURS.length] ?? '#999'}"/>`);
      lines.push(`<text x="${(left + w + 4).toFixed(1)}" y="${y + 12}">${esc(human(bar.value))}${bar.note ? ` ${esc(bar.note)}` : ''}</text>`);
      y += barH;
    });
    y += 8;
  }
  const height = y + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...lines,
    `<text x="8" y="${height - 8}" fill="#555">${esc(unit)} (log scale). * = client-bound or not saturated: a lower bound, not the server's limit.</text>`,
    '</svg>',
    '',
  ].join('\n');
}
