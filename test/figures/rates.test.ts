import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getFigure } from '../../src/figures/catalog.ts';
import { parseCsv } from '../../src/figures/csv.ts';
import { makeFigure } from '../../src/figures/make-figure.ts';
import { RATE_REFERENCES } from '../../src/figures/rates.ts';

const dir = mkdtempSync(join(tmpdir(), 'slr-rates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The asymptotes retyped here from THEORY.md / the corrected Cor. 4.3 (not
 * imported), so a wrong expression in proofs/ or a wrong series would show.
 * Tolerance: the figure evaluates the same formula through the symbolic
 * layer's compiled expression (a different operation order), so equality is
 * to a few ulps: 1e−14 relative.
 */
const EXPECTED: Record<(typeof RATE_REFERENCES)[number], (L: number, nu: number) => number> = {
  'linear-asymptote': (L, nu) => L / nu,
  'reported-linear-asymptote': (L, nu) => L / ((L - 1) * nu),
  'softmax-asymptote': (L, nu) => (L - 1) * Math.sqrt(Math.PI / (4 * nu)) * Math.exp(-nu / 4),
};
const REL_TOL = 1e-14;

describe('rates figure: asymptotes of Cor. 4.3', () => {
  it('should write the corrected and reported asymptotes to the CSV with the values of their formulas, in both panels', async () => {
    const out = await makeFigure(getFigure('rates'), { outDir: dir, points: 2, series: [...RATE_REFERENCES], workers: 1 });
    const rows = parseCsv(readFileSync(out.files.csv, 'utf8'));
    for (const series of RATE_REFERENCES) {
      for (const L of [2, 10]) {
        const mine = rows.filter((r) => r.series === series && r.panel === `spiked-L${L}`);
        expect(mine.length, `${series} L=${L}`).toBeGreaterThanOrEqual(10);
        for (const r of mine) {
          const expected = EXPECTED[series](L, Number(r.x));
          expect(Math.abs(Number(r.value) - expected), `${series} L=${L} ν=${r.x}: ${r.value} vs ${expected}`).toBeLessThanOrEqual(REL_TOL * expected);
          expect(r.error_kind).toBe('exact');
          expect(r.method).toMatch(/closed form/);
        }
      }
    }
    // the corrected and the reported linear asymptotes agree at L = 2 only
    const at = (series: string, L: number) => rows.find((r) => r.series === series && r.panel === `spiked-L${L}` && r.x === '40')!;
    expect(Number(at('linear-asymptote', 2).value)).toBeCloseTo(Number(at('reported-linear-asymptote', 2).value), 14);
    expect(Number(at('linear-asymptote', 10).value) / Number(at('reported-linear-asymptote', 10).value)).toBeCloseTo(9, 12);
  });

  it('should name each asymptote in the legend, the reported one as reported, and draw them dashed', () => {
    const svg = readFileSync(join(dir, 'rates', 'rates.svg'), 'utf8');
    const def = getFigure('rates');
    expect(svg).toContain('L/ν: linear asymptote (corrected)');
    expect(svg).toContain('L/((L−1)ν): linear asymptote as reported');
    expect(svg).toContain('(L−1)√(π/(4ν))·exp(−ν/4): softmax = Bayes asymptote');
    for (const s of RATE_REFERENCES) expect(def.styles?.[s]?.dash, s).toBeTruthy();
    expect(new Set(RATE_REFERENCES.map((s) => def.styles?.[s]?.dash)).size).toBe(RATE_REFERENCES.length);
  });
});
