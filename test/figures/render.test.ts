import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { getFigure } from '../../src/figures/catalog.ts';
import { pngFonts, rasterise } from '../../src/figures/png.ts';
import { errorNote, formatTick, logTicks, renderFigureSvg, resolveScale } from '../../src/figures/render.ts';
import { seriesStyle } from '../../src/figures/series-style.ts';
import type { FigureDefinition, PointOutcome, PointRecord } from '../../src/figures/types.ts';

/**
 * Rendering is tested on synthetic outcomes (what the engine returns is
 * tested in engine-consistency.test.ts): a decreasing positive value per
 * series, so that log panels span decades.
 */
function synthetic(def: FigureDefinition, points: number, tweak: (r: PointRecord, i: number) => Partial<PointOutcome> = () => ({})): PointRecord[] {
  return def.jobs({ points }).map((job, i) => {
    const k = def.series.indexOf(job.series) + 1;
    const value = Math.exp(-job.x / (2 * k)) / 2 + 1e-6;
    const r: PointRecord = { figure: def.id, job, outcome: { value, error: 1e-3 * value, errorKind: 'bound', method: 'synthetic', converged: true, seconds: 0 } };
    return { ...r, outcome: { ...r.outcome, ...tweak(r, i) } };
  });
}

function parse(svg: string) {
  const { document } = parseHTML(`<!doctype html><html><body>${svg}</body></html>`);
  return document;
}

function texts(svg: string): string[] {
  return [...parse(svg).querySelectorAll('text')].map((t) => t.textContent ?? '');
}

describe('renderFigureSvg', () => {
  const fig2 = getFigure('fig2');
  const svg = renderFigureSvg(fig2, synthetic(fig2, 3));

  it('should produce a standalone SVG document with the SVG namespace and a white background', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toMatch(/<rect x="0" y="0" width="\d+" height="\d+" fill="white"\/>/);
  });

  it('should show the title, every panel title and every axis label', () => {
    const all = texts(svg).join('\n');
    expect(all).toContain('Figure 2 (recomputed)');
    for (const p of fig2.panels) {
      expect(all).toContain(p.title);
      expect(all).toContain(p.x.label);
      expect(all).toContain(p.y.label);
    }
  });

  it('should show a legend entry for every series', () => {
    const all = texts(svg);
    for (const s of fig2.series) expect(all).toContain(seriesStyle(s, fig2.styles).label);
  });

  it('should draw Bayes as a black curve heavier than every other curve', () => {
    const doc = parse(svg);
    const lines = [...doc.querySelectorAll('g[aria-label="line"]')];
    const black = lines.filter((g) => g.getAttribute('stroke') === '#000000');
    expect(black).toHaveLength(fig2.panels.length); // one Bayes curve per panel
    const width = (g: { getAttribute(n: string): string | null }) => Number(g.getAttribute('stroke-width'));
    const others = lines.filter((g) => g.getAttribute('stroke') !== '#000000');
    expect(others.length).toBeGreaterThan(0);
    for (const g of others) expect(width(g)).toBeLessThan(width(black[0]));
  });

  it('should draw an error bar for every point with a positive error', () => {
    const doc = parse(svg);
    const bars = [...doc.querySelectorAll('g[aria-label="rule"] line')];
    expect(bars.length).toBe(synthetic(fig2, 3).length);
  });

  it('should use a log axis with power-of-ten labels where the figure asks for it', () => {
    const rates = getFigure('rates');
    const out = texts(renderFigureSvg(rates, synthetic(rates, 4)));
    expect(out.some((t) => /^10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+$/.test(t))).toBe(true);
  });

  it('should mark a point that did not converge with a red × and say so in the legend', () => {
    const out = renderFigureSvg(fig2, synthetic(fig2, 3, (_r, i) => (i === 5 ? { converged: false } : {})));
    expect(out).toContain('stroke="#D00000"');
    expect(texts(out)).toContain('not converged, or error bar reaching 0 (see CSV)');
    expect(svg).not.toContain('stroke="#D00000"');
  });

  it('should leave out a failed point (it is in the CSV) and still draw the figure', () => {
    const records = synthetic(fig2, 3, (_r, i) => (i === 0 ? { value: null, error: null, failure: 'underflow' } : {}));
    const out = renderFigureSvg(fig2, records);
    expect(parse(out).querySelectorAll('g[aria-label="rule"] line').length).toBe(records.length - 1);
  });

  it('should say so in a panel where no point could be computed', () => {
    const out = renderFigureSvg(fig2, synthetic(fig2, 3, (r) => (r.job.panel === 'max-inf' ? { value: null, error: null, failure: 'x' } : {})));
    expect(texts(out)).toContain('no point could be computed (see the CSV)');
  });
});

describe('rasterise', () => {
  const fig2 = getFigure('fig2');
  const svg = renderFigureSvg(fig2, synthetic(fig2, 3));
  const withoutText = svg.replace(/<text\b[^>]*>[^<]*<\/text>/g, '');
  /** dark pixels (luma < 128) in the title band, the top 50 px of the figure (×2 scale) */
  const darkInTitle = (r: { width: number; pixels: Buffer }) => {
    let n = 0;
    for (let y = 0; y < 100; y++) {
      for (let x = 0; x < r.width; x++) {
        const o = 4 * (y * r.width + x);
        if (0.299 * r.pixels[o] + 0.587 * r.pixels[o + 1] + 0.114 * r.pixels[o + 2] < 128) n++;
      }
    }
    return n;
  };

  it('should draw the text of the figure (the title band holds ink only when there is text)', () => {
    const png = rasterise(svg);
    // the bold title at 17 px ×2 covers thousands of pixels; without its text the band is blank
    expect(darkInTitle(png)).toBeGreaterThan(2000);
    expect(darkInTitle(rasterise(withoutText))).toBe(0);
  });

  it('should not depend on system fonts: with no font at all resvg draws no text (what the check above detects)', () => {
    const noFonts = rasterise(svg, 2, { files: [], family: 'none' });
    expect(darkInTitle(noFonts)).toBe(0);
    expect(pngFonts().files.length).toBeGreaterThan(0);
  });

  it('should render at twice the SVG size', () => {
    const w = Number(/width="(\d+)"/.exec(svg)![1]);
    expect(rasterise(svg).width).toBe(2 * w);
  });
});

describe('resolveScale', () => {
  it('should choose log for positive values spanning two decades or more, linear otherwise', () => {
    expect(resolveScale('auto', [1e-3, 0.5])).toBe('log');
    expect(resolveScale('auto', [0.02, 0.5])).toBe('linear');
    expect(resolveScale('auto', [0, 0.5, 1e-9])).toBe('linear'); // a zero cannot go on a log axis
    expect(resolveScale('linear', [1e-9, 1])).toBe('linear');
  });
});

describe('logTicks', () => {
  it('should give the powers of ten inside the domain', () => {
    expect(logTicks([1e-6, 10])).toEqual([1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10]);
  });
  it('should thin out more than eight decades', () => {
    expect(logTicks([1e-20, 1])).toEqual([1e-20, 1e-17, 1e-14, 1e-11, 1e-8, 1e-5, 1e-2]);
  });
  it('should add 2× and 5× ticks on a short range', () => {
    expect(logTicks([2, 60])).toEqual([2, 5, 10, 20, 50]);
  });
});

describe('formatTick', () => {
  it('should write large and small powers of ten with superscripts and the rest as decimals', () => {
    expect(formatTick(1e-6)).toBe('10⁻⁶');
    expect(formatTick(1e6)).toBe('10⁶');
    expect(formatTick(0.01)).toBe('0.01');
    expect(formatTick(1000)).toBe('1000');
    expect(formatTick(20)).toBe('20');
  });
});

describe('errorNote', () => {
  const fig = getFigure('rates');
  it('should give the largest error bar, relative size, and counts of failed and unconverged points', () => {
    const records = synthetic(fig, 2, (r, i) => (i === 0 ? { error: 0.25 * (r.outcome.value as number) } : i === 1 ? { value: null, error: null } : i === 2 ? { converged: false } : {}));
    const note = errorNote(records);
    expect(note).toMatch(/^Error bars: largest ±\S+ \(relative 2\.5e-1, \S+ at x = \S+\); drawn where larger than the markers\./);
    expect(note).toContain(`${records.length - 1} points plotted, 1 failed (in the CSV), 1 not converged (×).`);
  });
  it('should say when every error bar is smaller than the markers', () => {
    expect(errorNote(synthetic(fig, 2, () => ({ error: 1e-12 })))).toMatch(/all smaller than the markers\./);
  });
});

describe('renderFigureSvg on a panel of equal values', () => {
  it('should give the axis a range (a Bayes risk of exactly 0 is drawn on [0, 1], not on a point)', () => {
    const fig = getFigure('fig2');
    const records = synthetic(fig, 2, (r) => (r.job.panel === 'max-inf' ? { value: 0, error: 0 } : {}));
    const out = texts(renderFigureSvg(fig, records));
    expect(out).not.toContain('0.000000');
    expect(out).toContain('1.0');
  });
});
