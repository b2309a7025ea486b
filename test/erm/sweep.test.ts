import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvHeader, csvRow, ermCsvWriter, parseErmCsv, readErmCsv } from '../../src/erm/csv.ts';
import type { ErmPoint } from '../../src/erm/point.ts';
import { pairedDifferences, seedMean, summariseErm } from '../../src/erm/summary.ts';
import { type ErmProgress, type ErmSweepOptions, ermSweep, evaluationThreadsPerFit, pointKey, sweepSizes, sweepSpecs } from '../../src/erm/sweep.ts';
import { fixedLength } from '../../src/task/length-law.ts';
import { reportSeed } from '../helpers/arbitraries.ts';

reportSeed('erm/sweep.test.ts');

const dir = mkdtempSync(join(tmpdir(), 'slr-erm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options: ErmSweepOptions = {
  task: 'spiked',
  nu: 1,
  lengths: fixedLength(3),
  acts: ['softmax', 'linear'],
  alphas: [1, 4],
  D: 24,
  seeds: 2,
  testSamples: 200,
};

const strip = (p: ErmPoint) => ({ ...p, seconds: 0 });

describe('ermSweep', () => {
  let inProcess: ErmPoint[] = [];

  it('should run every (activation, α, seed) point in this thread, in order, reporting progress', async () => {
    const progress: ErmProgress[] = [];
    inProcess = await ermSweep({ ...options, workers: 0 }, (p) => progress.push(p));
    expect(inProcess.map((p) => `${p.act} ${p.alpha} ${p.seed}`)).toEqual([
      'softmax 1 1', 'softmax 1 2', 'softmax 4 1', 'softmax 4 2', 'linear 1 1', 'linear 1 2', 'linear 4 1', 'linear 4 2',
    ]);
    expect(progress.map((p) => p.done)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(progress.every((p) => p.total === 8 && p.skipped === 0)).toBe(true);
  });

  it('should give the same points on a pool of 2 worker threads', async () => {
    const pooled = await ermSweep({ ...options, workers: 2 });
    expect(pooled.map(strip)).toEqual(inProcess.map(strip));
  });

  it('should skip completed points (resume) and return them unchanged', async () => {
    const completed = inProcess.slice(0, 5);
    const progress: ErmProgress[] = [];
    const resumed = await ermSweep({ ...options, workers: 0, completed }, (p) => progress.push(p));
    expect(progress[0]).toEqual({ done: 5, total: 8, skipped: 5 });
    expect(progress).toHaveLength(4); // the initial call and the three points run
    expect(resumed.slice(0, 5)).toEqual(completed);
    expect(resumed.map(strip)).toEqual(inProcess.map(strip));
  });
});

describe('sweepSizes / sweepSpecs', () => {
  it('should run a repeated activation or α once', () => {
    const specs = sweepSpecs({ ...options, acts: ['linear', 'linear'], alphas: [1, 4, 1], seeds: 1 });
    expect(specs.map((s) => `${s.act} ${s.alpha}`)).toEqual(['linear 1', 'linear 4']);
  });

  it('should fix √(ND) when asked: D = round(s/√α), N = round(αD)', () => {
    expect(sweepSizes({ alphas: [1, 4, 0.5], sqrtND: 100 })).toEqual([
      { alpha: 1, D: 100, N: 100 },
      { alpha: 4, D: 50, N: 200 },
      { alpha: 0.5, D: 141, N: 71 },
    ]);
  });

  it.each([
    [{ D: 1 }, /D must be >= 2/],
    [{ D: 0 }, /D must be >= 2/],
    [{ alphas: [0] }, /alpha must be > 0/],
    [{ alphas: [-1] }, /alpha must be > 0/],
    [{ alphas: [NaN] }, /alpha must be a number/],
    [{ lambdaK: -0.1 }, /lambda-k must be >= 0/],
    [{ lambdaGrid: [0.1, -1] }, /lambda-grid entry must be >= 0/],
    [{ acts: ['softmax', 'nope'] }, /unknown activation "nope"/],
    [{ acts: ['bayes'] }, /bayes is not one/],
    [{ task: 'nope' }, /unknown task/],
    [{ nu: -1 }, /nu must be >= 0/],
    [{ seeds: 0 }, /seeds must be >= 1/],
    [{ D: undefined }, /exactly one of D and sqrt-nd/],
    [{ alphas: [0.01], D: 10 }, /N = 0 < 1/],
  ])('should reject %j with a typed error', (patch, message) => {
    expect(() => sweepSpecs({ ...options, ...(patch as Partial<ErmSweepOptions>) })).toThrow(message as RegExp);
  });
});

describe('ERM CSV', () => {
  it('should round-trip points exactly (numbers, NaN, ∞, θ lists, quoted fields)', async () => {
    const [p] = await ermSweep({ ...options, acts: ['erf'], alphas: [1], seeds: 1, workers: 0 });
    const odd: ErmPoint = { ...p, nu: Infinity, validationLoss: NaN, message: 'a "quoted", message', L: 'Unif{1,2,3}' };
    const back = parseErmCsv(csvHeader() + csvRow(p) + csvRow(odd));
    expect(back[0]).toEqual(p);
    expect(back[1]).toEqual(odd);
    expect(back[0].theta).toHaveLength(1);
  });

  it('should append rows as points finish, drop an interrupted last row, and refuse a foreign file', async () => {
    const file = join(dir, 'resume.csv');
    const write = ermCsvWriter(file);
    const first = await ermSweep({ ...options, alphas: [1], seeds: 1, workers: 0 }, (pr) => pr.point && write(pr.point));
    expect(readErmCsv(file).map(pointKey)).toEqual(first.map(pointKey));
    // an interrupted write leaves half a row: it is ignored on reading and cut by the next writer
    writeFileSync(file, readFileSync(file, 'utf8') + 'spiked,1,3,0,soft');
    expect(readErmCsv(file)).toHaveLength(2);
    ermCsvWriter(file);
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    const foreign = join(dir, 'foreign.csv');
    writeFileSync(foreign, 'a,b,c\n1,2,3\n');
    expect(() => ermCsvWriter(foreign)).toThrow(/does not have the columns of an slr erm CSV/);
  });
});

describe('summariseErm / pairedDifferences', () => {
  it('should aggregate over seeds with Student-t intervals, and pair activations by seed', async () => {
    const points = await ermSweep({ ...options, workers: 0 });
    const rows = summariseErm(points, 0.95);
    expect(rows).toHaveLength(4);
    const r = rows[0];
    const values = points.filter((p) => p.act === r.act && p.alpha === r.alpha).map((p) => p.testRisk);
    // two seeds: mean ± t_1(0.95)·sd/√2, t_1(0.95) = tan(0.95·π/2) = 12.706…
    const mean = (values[0] + values[1]) / 2;
    const sd = Math.abs(values[0] - values[1]) / Math.SQRT2;
    expect(r.testRisk.mean).toBeCloseTo(mean, 14);
    expect(r.testRisk.halfWidth / ((Math.tan((0.95 * Math.PI) / 2) * sd) / Math.SQRT2)).toBeCloseTo(1, 10);
    const d = pairedDifferences(points, 'softmax', 'linear', 0.95);
    expect(d.map((x) => x.alpha)).toEqual([1, 4]);
    const diffs = [1, 2].map((s) => points.find((p) => p.act === 'softmax' && p.alpha === 1 && p.seed === s)!.testRisk - points.find((p) => p.act === 'linear' && p.alpha === 1 && p.seed === s)!.testRisk);
    expect(d[0].difference.mean).toBeCloseTo((diffs[0] + diffs[1]) / 2, 14);
    expect(seedMean([1], 0.95).halfWidth).toBe(Infinity);
  });
});

describe('evaluationThreadsPerFit', () => {
  it('should share the allowed cores among the points running at once, at least one thread each', () => {
    expect(evaluationThreadsPerFit(2, 2, 2)).toBe(1); // a point per core: no split
    expect(evaluationThreadsPerFit(2, 1, 2)).toBe(2); // one point left in this thread: split over both cores
    expect(evaluationThreadsPerFit(8, 1, 2)).toBe(2); // never more than the cores
    expect(evaluationThreadsPerFit(0, 1, 4)).toBe(1); // workers = 0: everything in this thread
    expect(evaluationThreadsPerFit(8, 2, 8)).toBe(4);
    expect(evaluationThreadsPerFit(3, 2, 8)).toBe(1);
  });
});
