import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectFigures } from '../../src/cli/figure-command.ts';
import { seedMean } from '../../src/erm/summary.ts';
import { allFigureIds, getFigure } from '../../src/figures/catalog.ts';
import { parseCsv } from '../../src/figures/csv.ts';
import { alphaGrid } from '../../src/figures/fig3.ts';
import { expectUsageError, runCli } from './cli.ts';

/**
 * `slr figure fig3` at a test size: D = 10, two α, two seeds, a fixed
 * penalty, in this thread; the softmax class minimum on spiked-SLR (seconds
 * each) is left out with --series, the other references are kept.
 */
const dir = mkdtempSync(join(tmpdir(), 'slr-fig3-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ARGS = ['figure', 'fig3', '--out', dir, '--D', '10', '--alpha', '1,3', '--seeds', '2', '--seed', '7', '--lambda', '0.1', '--test-samples', '50',
  '--series', 'bayes,softmax,linear,linear-population', '--workers', '1', '--no-progress'];

describe('slr figure fig3', () => {
  let run: { code: number; out: string; err: string };
  let rows: Record<string, string>[];
  beforeAll(async () => {
    run = await runCli(ARGS);
    rows = run.code === 0 ? parseCsv(readFileSync(join(dir, 'fig3', 'fig3.csv'), 'utf8')) : [];
  }, 120_000);

  it('should write the SVG, PNG, CSV and command file', () => {
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    for (const ext of ['svg', 'png', 'csv', 'command.txt']) expect(existsSync(join(dir, 'fig3', `fig3.${ext}`)), ext).toBe(true);
    expect(readFileSync(join(dir, 'fig3', 'fig3.command.txt'), 'utf8').split('\n')[0]).toBe(`npx slr ${ARGS.join(' ')}`);
  });

  it('should have one row per (panel, σ, α) with its interval, seeds, N, D and λ, and one per reference', () => {
    const erm = rows.filter((r) => r.series === 'softmax' || r.series === 'linear');
    expect(erm).toHaveLength(3 * 2 * 2);
    for (const r of erm) {
      expect(r.error_kind).toBe('ci-half-width');
      expect(r.confidence).toBe('0.95');
      expect(Number(r.error)).toBeGreaterThan(0);
      expect(r.D).toBe('10');
      expect(r.N).toBe(String(Math.round(Number(r.x) * 10)));
      expect(r.seeds).toBe('7;8');
      expect(r.lambda_k).toBe('0.1;0.1');
      expect(r.lambda_v).toBe('0.1;0.1');
      expect(r.seed_values.split(';')).toHaveLength(2);
      expect(r.command).toMatch(/^npx slr erm /);
      expect(r.L).toBe('3');
    }
    const refs = rows.filter((r) => r.x === 'inf');
    expect(refs.map((r) => `${r.panel}/${r.series}`).sort()).toEqual(
      ['max-nuinf', 'spiked-nu1', 'spiked-nu2'].flatMap((p) => [`${p}/bayes`, `${p}/linear-population`]).sort(),
    );
    for (const r of refs) expect(r.command).toMatch(/^npx slr risk /);
  });

  it('should report as value the mean of the seeds and as error the Student-t half-width', () => {
    for (const r of rows.filter((q) => q.series === 'softmax' || q.series === 'linear')) {
      const m = seedMean(r.seed_values.split(';').map(Number), 0.95);
      expect(Number(r.value)).toBe(m.mean);
      expect(Number(r.error)).toBe(m.halfWidth);
    }
  });

  it('should give each ERM point the slr erm command that recomputes its seeds exactly', async () => {
    const row = rows.find((r) => r.panel === 'spiked-nu2' && r.series === 'softmax' && r.x === '3')!;
    const args = row.command.split(' ').slice(2); // drop "npx slr"
    const again = await runCli([...args, '--workers', '0', '--no-progress']);
    expect(again.code).toBe(0);
    const json = JSON.parse(again.out) as { points: { seed: number; testRisk: number; D: number; N: number }[] };
    expect(json.points.map((p) => p.seed)).toEqual([7, 8]);
    expect(json.points.map((p) => String(p.testRisk)).join(';')).toBe(row.seed_values);
    expect(json.points.every((p) => p.D === 10 && p.N === 30)).toBe(true);
  }, 60_000);

  it('should label the figure: title, axes, legend with ERM and population series', () => {
    const svg = readFileSync(join(dir, 'fig3', 'fig3.svg'), 'utf8');
    expect(svg).toContain('Figure 3 (recomputed)');
    expect(svg).toContain('sample ratio α = N/D (log scale)');
    expect(svg).toContain('test risk');
    for (const label of ['softmax, ERM', 'linear, ERM', 'E_linear, population class risk', 'E_Bayes (population)']) expect(svg).toContain(label);
    expect(svg).toContain('D = 10, 2 seeds, λ_k = λ_v = 0.1');
  });
});

describe('slr figure fig3: bad options', () => {
  it.each([
    [['--D', '1'], /D must be >= 2/],
    [['--D', '10', '--sqrt-nd', '100'], /--D or --sqrt-nd, not both/],
    [['--alpha', '0'], /alpha must be > 0/],
    [['--alpha', '1,,2'], /alpha has an empty entry/],
    [['--alpha', 'x'], /alpha must be a number/],
    [['--seeds', '0'], /seeds must be >= 1/],
    [['--lambda', '-1'], /lambda must be >= 0/],
    [['--lambda', '0.1', '--lambda-grid', '1'], /--lambda or --lambda-grid, not both/],
    [['--lambda-grid', '1,-2'], /lambda-grid entries must be >= 0/],
    [['--test-samples', '1'], /test-samples must be >= 2/],
    [['--D', '10', '--alpha', '0.01'], /N = 0 < 1/],
  ])('should print one line and exit 2 for %j', async (extra, message) => {
    expectUsageError(await runCli(['figure', 'fig3', '--out', dir, ...(extra as string[])]), message as RegExp);
  });

  it('should refuse fig3 options for another figure', async () => {
    expectUsageError(await runCli(['figure', 'rates', '--out', dir, '--D', '10']), /--D is an option of fig3, not of rates/);
  });
});

describe('fig3 in the catalog', () => {
  it('should not be part of all (it is expensive) but be made when named', () => {
    expect(allFigureIds()).not.toContain('fig3');
    expect(selectFigures(['all']).map((d) => d.id)).toEqual(allFigureIds());
    expect(selectFigures(['all', 'fig3']).map((d) => d.id)).toContain('fig3');
  });

  it('should take the softmax reference of max-SLR at ν = ∞ as E_Bayes, and the others from slr risk', () => {
    const jobs = getFigure('fig3').jobs({ points: 2 });
    const refs = jobs.filter((j) => j.x === Infinity);
    expect(refs).toHaveLength(9);
    for (const j of refs) {
      if (j.panel === 'max-nuinf' && j.series === 'softmax-population') {
        expect(j.kind).toBe('custom');
        expect(j.kind === 'custom' && j.command).toMatch(/--act bayes/);
      } else {
        expect(j.kind).toBe('risk');
      }
    }
  });

  it('should pick the α ladder 0.5 … 20 for --points ≤ 6 and log-spaced values beyond', () => {
    expect(alphaGrid(6)).toEqual([0.5, 1, 2, 5, 10, 20]);
    expect(alphaGrid(3)).toEqual([0.5, 5, 20]);
    expect(alphaGrid(2)).toEqual([0.5, 20]);
    const many = alphaGrid(9);
    expect(many).toHaveLength(9);
    expect(many[0]).toBe(0.5);
    expect(many[8]).toBe(20);
  });
});
