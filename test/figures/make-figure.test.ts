import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getFigure } from '../../src/figures/catalog.ts';
import { parseCsv } from '../../src/figures/csv.ts';
import { figureFiles, makeFigure } from '../../src/figures/make-figure.ts';

const dir = mkdtempSync(join(tmpdir(), 'slr-make-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('makeFigure', () => {
  it('should keep the finished points in <id>.partial.csv while the sweep runs, and remove it once the figure is written', async () => {
    const files = figureFiles(dir, 'rates');
    const seen: number[] = [];
    // Bayes only: 4 cheap engine points plus the closed-form reference curve
    const out = await makeFigure(getFigure('rates'), {
      outDir: dir,
      points: 2,
      series: ['bayes', 'reported-linear-asymptote'],
      workers: 1,
      onPoint: (done) => seen.push(parseCsv(readFileSync(files.partialCsv, 'utf8')).length - done),
    });
    expect(seen.length).toBe(out.records.length);
    expect(new Set(seen)).toEqual(new Set([0])); // each finished point is on disk before the callback
    expect(existsSync(files.partialCsv)).toBe(false);
    expect(parseCsv(readFileSync(files.csv, 'utf8'))).toHaveLength(out.records.length);
    expect(readFileSync(files.command, 'utf8')).toMatch(/^\(library call\) makeFigure\(rates/);
  });
});
