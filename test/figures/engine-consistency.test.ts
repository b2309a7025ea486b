import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from './cli.ts';
import { parseCsv } from '../../src/figures/csv.ts';
import { RandomStream } from '../../src/numerics/random.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';
import { SMALL_ARGS } from './small-figure.ts';

reportSeed('engine-consistency.test.ts');

/**
 * `slr figure` end to end: the CSV's points are recomputed with `slr risk`
 * from the command written in each row, and must come out identical — the
 * figure is made by the same deterministic engine call (tolerance 0: the same
 * code path on the same inputs gives the same double).
 */
describe('slr figure (rates, small sweep)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slr-fig-'));
  let result: { code: number; out: string; err: string };
  let rows: Record<string, string>[];
  beforeAll(async () => {
    result = await run([...SMALL_ARGS, '--out', dir]);
    rows = parseCsv(readFileSync(join(dir, 'rates', 'rates.csv'), 'utf8'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should exit 0 and print one summary line with the work done', () => {
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^rates: 12 points \(2 per curve\), all converged; \d+ evaluations; sweep [\d.]+ s on 1 thread\(s\)/);
  });

  it('should write the SVG, PNG, CSV and command of the figure', () => {
    for (const ext of ['svg', 'png', 'csv', 'command.txt']) expect(statSync(join(dir, 'rates', `rates.${ext}`)).size).toBeGreaterThan(100);
    const png = readFileSync(join(dir, 'rates', 'rates.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const command = readFileSync(join(dir, 'rates', 'rates.command.txt'), 'utf8').split('\n');
    expect(command[0]).toBe(`npx slr ${SMALL_ARGS.join(' ')} --out ${dir}`);
    expect(command.join('\n')).toMatch(/@observablehq\/plot \d+\.\d+\.\d+/);
    expect(command.join('\n')).toMatch(/node v\d+/);
  });

  it('should write every plotted point with its error, method, work and convergence', () => {
    expect(rows).toHaveLength(12);
    for (const r of rows) {
      expect(Number(r.value)).toBeGreaterThan(0);
      expect(Number(r.error)).toBeGreaterThan(0);
      expect(r.error_kind).toBe('bound');
      expect(r.method.length).toBeGreaterThan(10);
      expect(r.converged).toBe('true');
      expect(Number(r.evaluations)).toBeGreaterThan(0);
      expect(r.command).toMatch(/^npx slr risk /);
    }
    expect(new Set(rows.map((r) => r.series))).toEqual(new Set(['bayes', 'linear', 'erf']));
  });

  it('should plot values that slr risk reproduces exactly (three rows picked at random)', async () => {
    const rng = new RandomStream(SEED);
    const picked = new Set<number>();
    while (picked.size < 3) picked.add(Math.floor(rng.uniform() * rows.length));
    for (const i of picked) {
      const row = rows[i];
      const args = row.command.split(' ').slice(2); // drop "npx slr"
      const r = await run(args);
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out) as { risk: number; error: number; converged: boolean };
      const context = `row ${i}: ${row.command}: CSV ${row.value} ± ${row.error}, slr risk ${j.risk} ± ${j.error}`;
      expect(j.risk, context).toBe(Number(row.value));
      expect(j.error, context).toBe(Number(row.error));
      expect(String(j.converged), context).toBe(row.converged);
    }
  });
});
