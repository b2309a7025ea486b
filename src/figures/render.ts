import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { escapeXml as esc } from './escape.ts';
import { seriesStyle } from './series-style.ts';
import type { FigureDefinition, PanelSpec, PointRecord, ScaleType, SeriesStyle } from './types.ts';

/** Geometry of the composed figure (px; the PNG is rendered at 2×). */
const PANEL_WIDTH = 460;
const PANEL_HEIGHT = 310;
const GAP = 24;
const MARGIN = 20;
const TITLE_SIZE = 17;
const SUBTITLE_SIZE = 12;
const PANEL_TITLE_SIZE = 14;
const LEGEND_SIZE = 13;
const NOTE_SIZE = 11.5;
const FONT = 'system-ui, sans-serif';
/** average glyph advance / font size for the fonts we render with (DejaVu Sans ≈ 0.6); used only to wrap text and lay out the legend */
const CHAR_WIDTH = 0.6;
/** colour of the marker drawn over points that did not converge (or whose error bar reaches 0 on a log axis) */
const FLAG_COLOR = '#D00000';

interface Datum {
  x: number;
  y: number;
  lo: number;
  hi: number;
  flagged: boolean;
}

/**
 * The figure as one standalone SVG document (with xmlns): title, subtitle,
 * a grid of Observable Plot panels drawn with linkedom's document, and a
 * legend. Failed points (value null) are left out of the plot (they are in
 * the CSV); points that did not converge are overdrawn with a red ×.
 */
export function renderFigureSvg(def: FigureDefinition, records: readonly PointRecord[]): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const columns = Math.min(def.columns ?? 2, def.panels.length);
  const rows = Math.ceil(def.panels.length / columns);
  const width = 2 * MARGIN + columns * PANEL_WIDTH + (columns - 1) * GAP;

  const titleLines = wrap(def.title, width - 2 * MARGIN, TITLE_SIZE);
  const subtitleLines = wrap(def.subtitleOf ? def.subtitleOf(records) : def.subtitle, width - 2 * MARGIN, SUBTITLE_SIZE);
  let y = MARGIN;
  const parts: string[] = [];
  for (const line of titleLines) {
    y += TITLE_SIZE * 1.25;
    parts.push(text(width / 2, y, line, { size: TITLE_SIZE, weight: 'bold', anchor: 'middle' }));
  }
  for (const line of subtitleLines) {
    y += SUBTITLE_SIZE * 1.4;
    parts.push(text(width / 2, y, line, { size: SUBTITLE_SIZE, anchor: 'middle', fill: '#333333' }));
  }
  y += 12;

  let anyFlagged = false;
  const presentSeries = new Set<string>();
  const panelTop = y;
  const rowHeight = PANEL_TITLE_SIZE * 1.6 + PANEL_HEIGHT + GAP;
  def.panels.forEach((panel, i) => {
    const px = MARGIN + (i % columns) * (PANEL_WIDTH + GAP);
    const py = panelTop + Math.floor(i / columns) * rowHeight;
    const mine = records.filter((r) => r.job.panel === panel.id);
    for (const r of mine) if (r.outcome.value !== null) presentSeries.add(r.job.series);
    const { svg, flagged } = renderPanel(document, def, panel, mine);
    anyFlagged ||= flagged;
    parts.push(text(px + PANEL_WIDTH / 2, py + PANEL_TITLE_SIZE, panel.title, { size: PANEL_TITLE_SIZE, weight: 'bold', anchor: 'middle' }));
    parts.push(svg.replace(/^<svg/, `<svg x="${px}" y="${py + PANEL_TITLE_SIZE * 1.6}"`));
  });
  y = panelTop + rows * rowHeight;

  const legend = legendItems(def, presentSeries, anyFlagged);
  const { svg: legendSvg, height: legendHeight } = renderLegend(legend, width, y);
  parts.push(legendSvg);
  y += legendHeight;
  for (const line of wrap(errorNote(records, (id) => seriesStyle(id, def.styles).label), width - 2 * MARGIN, NOTE_SIZE)) {
    y += NOTE_SIZE * 1.35;
    parts.push(text(MARGIN, y, line, { size: NOTE_SIZE, fill: '#333333' }));
  }
  const height = Math.ceil(y + MARGIN);

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" role="img" aria-label="${esc(def.title)}">`,
    `<title>${esc(def.title)}</title>`,
    `<desc>${esc(def.caption)}</desc>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
}

function renderPanel(document: unknown, def: FigureDefinition, panel: PanelSpec, records: readonly PointRecord[]): { svg: string; flagged: boolean } {
  const points = records.filter((r) => r.outcome.value !== null);
  const values = points.map((r) => r.outcome.value as number);
  const yType = resolveScale(panel.y.type, values);
  const xType = panel.x.type === 'auto' ? resolveScale('auto', points.map((r) => r.job.x).filter(Number.isFinite)) : panel.x.type;
  const bySeries = def.series
    .map((id) => ({
      style: seriesStyle(id, def.styles),
      data: points
        .filter((r) => r.job.series === id)
        .map((r): Datum => {
          const v = r.outcome.value as number;
          const e = r.outcome.error ?? 0;
          // on a log axis an interval reaching 0 cannot be drawn: the bar is cut at v/10 and the point flagged
          const unresolved = yType === 'log' && e >= v;
          return { x: r.job.x, y: v, lo: unresolved ? v / 10 : v - e, hi: v + e, flagged: !r.outcome.converged || unresolved };
        })
        .sort((a, b) => a.x - b.x),
    }))
    .filter((s) => s.data.length > 0);
  const marks: Plot.Markish[] = [];
  for (const { style, data } of bySeries) {
    marks.push(...(style.horizontal ? horizontalMarks(data, style) : seriesMarks(data, style)));
    const flagged = data.filter((d) => d.flagged);
    if (flagged.length) marks.push(Plot.dot(flagged, { x: 'x', y: 'y', symbol: 'times', stroke: FLAG_COLOR, strokeWidth: 2.2, r: 7 }));
  }
  const flaggedAny = bySeries.some((s) => s.data.some((d) => d.flagged));
  if (points.length === 0) marks.push(Plot.text(['no point could be computed (see the CSV)'], { frameAnchor: 'middle', fontSize: 13 }));
  // log axes span whole decades (y, error bars included) or the data (x), and carry only ticks inside that domain
  const all = bySeries.flatMap((s) => s.data);
  // horizontal references span the panel: their x does not enter the x domain
  const placed = bySeries.filter((s) => !s.style.horizontal).flatMap((s) => s.data);
  const yDomain = panel.y.domain ?? (all.length ? (yType === 'log' ? decades(all.flatMap((d) => [d.lo, d.hi])) : flatDomain(all)) : undefined);
  const pad = panel.x.padding ?? 1;
  const xDomain = panel.x.domain ?? (xType === 'log' && placed.length ? ([Math.min(...placed.map((d) => d.x)) / pad, Math.max(...placed.map((d) => d.x)) * pad] as const) : undefined);
  const yTicks = yType === 'log' && yDomain ? logTicks(yDomain) : undefined;
  const xTicks = xType === 'log' && xDomain ? logTicks(xDomain) : undefined;
  const el = Plot.plot({
    document: document as never,
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    marginLeft: 62,
    marginRight: 16,
    marginBottom: 44,
    style: { fontSize: '12px', background: 'white' } as never,
    x: {
      type: xType,
      label: panel.x.label,
      labelAnchor: 'center',
      labelArrow: 'none',
      ...(xDomain ? { domain: [...xDomain] } : {}),
      ...(xTicks ? { ticks: xTicks, tickFormat: formatTick } : {}),
    },
    y: {
      type: yType,
      label: panel.y.label,
      labelArrow: 'none',
      grid: true,
      ...(yType === 'linear' ? { zero: true } : {}),
      ...(yDomain ? { domain: [...yDomain] } : {}),
      ...(yTicks ? { ticks: yTicks, tickFormat: formatTick } : {}),
    },
    marks: [Plot.frame({ stroke: '#999999' }), ...marks],
  }) as unknown as { outerHTML: string };
  return { svg: el.outerHTML, flagged: flaggedAny };
}

function seriesMarks(data: Datum[], s: SeriesStyle): Plot.Markish[] {
  const marks: Plot.Markish[] = [];
  if (s.line !== false && data.length > 1) {
    marks.push(Plot.line(data, { x: 'x', y: 'y', stroke: s.color, strokeWidth: s.strokeWidth, ...(s.dash ? { strokeDasharray: s.dash } : {}) }));
  }
  const bars = data.filter((d) => d.hi > d.lo);
  if (bars.length) marks.push(Plot.ruleX(bars, { x: 'x', y1: 'lo', y2: 'hi', stroke: s.color, strokeWidth: 1.5 }));
  if (s.marker) {
    marks.push(
      Plot.dot(data, { x: 'x', y: 'y', symbol: s.marker, r: 4, stroke: s.color, strokeWidth: 1.5, fill: s.hollow ? 'white' : s.color }),
    );
  }
  return marks;
}

/** A horizontal reference: a rule across the panel at each value (error bars are not drawn: see the CSV and the note under the figure). */
function horizontalMarks(data: Datum[], s: SeriesStyle): Plot.Markish[] {
  return [Plot.ruleY(data, { y: 'y', stroke: s.color, strokeWidth: s.strokeWidth, ...(s.dash ? { strokeDasharray: s.dash } : {}) })];
}

/** 'auto' → log when every value is positive and they span at least two decades. */
export function resolveScale(type: ScaleType | 'auto', values: readonly number[]): ScaleType {
  if (type !== 'auto') return type;
  const pos = values.filter((v) => v > 0);
  if (values.length === 0 || pos.length < values.length) return 'linear';
  return Math.max(...pos) / Math.min(...pos) >= 100 ? 'log' : 'linear';
}

/** A linear axis whose values are all equal (e.g. a Bayes risk of exactly 0) gets [min(0, v), max(1, 2v)] instead of a point; otherwise Plot's own domain. */
function flatDomain(data: readonly Datum[]): [number, number] | undefined {
  const lo = Math.min(...data.map((d) => d.lo));
  const hi = Math.max(...data.map((d) => d.hi));
  return hi > lo ? undefined : [Math.min(0, lo), Math.max(1, 2 * hi)];
}

/** The smallest range of whole decades [10^a, 10^b] containing the positive values. */
export function decades(values: readonly number[]): [number, number] {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  const a = Math.floor(Math.log10(Math.min(...pos)));
  const b = Math.ceil(Math.log10(Math.max(...pos)));
  return [pow10(a), pow10(b > a ? b : a + 1)];
}

/** 10^k as the nearest double to the decimal 1e{k} (10 ** k is off by an ulp for k < 0) */
function pow10(k: number, mantissa = 1): number {
  return Number(`${mantissa}e${k}`);
}

/**
 * Ticks of a log axis over [lo, hi] (0 < lo ≤ hi): the powers of ten inside
 * (every k-th when more than eight decades), or 1-2-5 multiples when fewer
 * than three powers fall inside.
 */
export function logTicks([lo, hi]: readonly [number, number]): number[] {
  const inside = (t: number) => t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9);
  const k0 = Math.floor(Math.log10(lo));
  const k1 = Math.ceil(Math.log10(hi));
  const step = Math.max(1, Math.ceil((k1 - k0) / 8));
  const powers: number[] = [];
  for (let k = k0; k <= k1; k += step) if (inside(pow10(k))) powers.push(pow10(k));
  if (powers.length >= 3) return powers;
  const ticks: number[] = [];
  for (let k = k0; k <= k1; k++) for (const m of [1, 2, 5]) if (inside(pow10(k, m))) ticks.push(pow10(k, m));
  return ticks;
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** Tick labels: 10ⁿ for powers of ten beyond [0.01, 1000], plain decimals otherwise. */
export function formatTick(d: number): string {
  const k = Math.round(Math.log10(d));
  if (Math.abs(d - pow10(k)) <= 1e-9 * d && (k < -2 || k > 3)) return `10${String(k).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c])}`;
  return String(Number(d.toPrecision(6)));
}

/**
 * The footnote on error bars: the largest error of any plotted point, so a
 * reader knows whether invisible bars mean tiny errors, and how many points
 * failed or did not converge.
 */
export function errorNote(records: readonly PointRecord[], label: (series: string) => string = (s) => s): string {
  const plotted = records.filter((r) => r.outcome.value !== null);
  let worst: PointRecord | undefined;
  let worstRel = -1;
  for (const r of plotted) {
    const v = Math.abs(r.outcome.value as number);
    const rel = v > 0 ? (r.outcome.error ?? 0) / v : (r.outcome.error ?? 0) > 0 ? Infinity : 0;
    if (rel > worstRel) [worst, worstRel] = [r, rel];
  }
  const parts = [
    worst
      ? `Error bars: largest ±${(worst.outcome.error ?? 0).toExponential(1)} (relative ${worstRel === Infinity ? '∞' : worstRel.toExponential(1)}, ${label(worst.job.series)} at x = ${worst.job.x}); ` +
        (worstRel < 1e-3 ? 'all smaller than the markers.' : 'drawn where larger than the markers.')
      : 'No point could be plotted.',
  ];
  const failed = records.length - plotted.length;
  const notConverged = plotted.filter((r) => !r.outcome.converged).length;
  parts.push(`${plotted.length} points plotted${failed ? `, ${failed} failed (in the CSV)` : ''}${notConverged ? `, ${notConverged} not converged (×)` : ''}.`);
  return parts.join(' ');
}

interface LegendItem {
  readonly label: string;
  readonly style: SeriesStyle | 'flag';
}

function legendItems(def: FigureDefinition, present: Set<string>, flagged: boolean): LegendItem[] {
  const items: LegendItem[] = def.series.filter((id) => present.has(id)).map((id) => ({ label: seriesStyle(id, def.styles).label, style: seriesStyle(id, def.styles) }));
  if (flagged) items.push({ label: 'not converged, or error bar reaching 0 (see CSV)', style: 'flag' });
  return items;
}

function renderLegend(items: readonly LegendItem[], width: number, top: number): { svg: string; height: number } {
  const swatch = 34;
  const rowH = LEGEND_SIZE * 1.9;
  const out: string[] = [];
  let x = MARGIN;
  let row = 0;
  const widths = items.map((it) => swatch + 8 + it.label.length * LEGEND_SIZE * CHAR_WIDTH + 22);
  items.forEach((it, i) => {
    if (x + widths[i] > width - MARGIN && x > MARGIN) {
      row++;
      x = MARGIN;
    }
    const cy = top + row * rowH + rowH / 2;
    if (it.style === 'flag') {
      out.push(markerSvg('times', x + swatch / 2, cy, 7, FLAG_COLOR, false, 2.2));
    } else {
      const s = it.style;
      if (s.line !== false) {
        out.push(`<line x1="${x}" y1="${cy}" x2="${x + swatch}" y2="${cy}" stroke="${s.color}" stroke-width="${s.strokeWidth}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      }
      if (s.marker) out.push(markerSvg(s.marker, x + swatch / 2, cy, 4.5, s.color, s.hollow ?? false, 1.5));
    }
    out.push(text(x + swatch + 8, cy + LEGEND_SIZE * 0.35, it.label, { size: LEGEND_SIZE }));
    x += widths[i];
  });
  return { svg: `<g aria-label="legend">${out.join('')}</g>`, height: items.length ? (row + 1) * rowH : 0 };
}

function markerSvg(symbol: string, cx: number, cy: number, r: number, color: string, hollow: boolean, width: number): string {
  const paint = `stroke="${color}" stroke-width="${width}" fill="${hollow ? 'white' : color}"`;
  const poly = (pts: [number, number][]) => `<polygon points="${pts.map(([a, b]) => `${(cx + a).toFixed(2)},${(cy + b).toFixed(2)}`).join(' ')}" ${paint}/>`;
  switch (symbol) {
    case 'circle':
      return `<circle cx="${cx}" cy="${cy}" r="${r}" ${paint}/>`;
    case 'square':
      return `<rect x="${cx - r * 0.9}" y="${cy - r * 0.9}" width="${1.8 * r}" height="${1.8 * r}" ${paint}/>`;
    case 'triangle':
      return poly([[0, -r * 1.2], [r * 1.1, r * 0.8], [-r * 1.1, r * 0.8]]);
    case 'diamond':
      return poly([[0, -r * 1.3], [r, 0], [0, r * 1.3], [-r, 0]]);
    case 'star': {
      const pts: [number, number][] = [];
      for (let k = 0; k < 10; k++) {
        const a = (Math.PI * k) / 5 - Math.PI / 2;
        const rr = k % 2 === 0 ? r * 1.3 : r * 0.55;
        pts.push([rr * Math.cos(a), rr * Math.sin(a)]);
      }
      return poly(pts);
    }
    case 'times':
      return `<path d="M${cx - r},${cy - r}L${cx + r},${cy + r}M${cx - r},${cy + r}L${cx + r},${cy - r}" stroke="${color}" stroke-width="${width}" fill="none"/>`;
    default:
      return `<path d="M${cx - r},${cy}L${cx + r},${cy}M${cx},${cy - r}L${cx},${cy + r}" stroke="${color}" stroke-width="${width}" fill="none"/>`;
  }
}

function text(x: number, y: number, s: string, o: { size: number; weight?: string; anchor?: string; fill?: string }): string {
  return `<text x="${x}" y="${y.toFixed(1)}" font-size="${o.size}"${o.weight ? ` font-weight="${o.weight}"` : ''} text-anchor="${o.anchor ?? 'start'}" fill="${o.fill ?? '#000000'}">${esc(s)}</text>`;
}

/** Greedy word wrap to a pixel width, using the average glyph width. */
function wrap(s: string, width: number, size: number): string[] {
  const max = Math.max(10, Math.floor(width / (size * CHAR_WIDTH)));
  const lines: string[] = [];
  let cur = '';
  for (const word of s.split(/\s+/)) {
    if (cur && (cur + ' ' + word).length > max) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines;
}
