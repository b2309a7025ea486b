import { describe, expect, it } from 'vitest';
import { getFigure } from '../../src/figures/catalog.ts';
import { computeRiskPoint, riskSpec } from '../../src/figures/risk-point.ts';
import { MIN_POINTS_FOR_POOL, PointPool, resolveWorkers, runSweep } from '../../src/figures/sweep.ts';
import type { Job } from '../../src/figures/types.ts';

describe('runSweep', () => {
  // four Bayes points of `rates`: cheap, and enough for the pool
  const jobs = getFigure('rates').jobs({ points: 2, series: ['bayes'] });

  it('should give the same outcomes on a worker pool as in-process (tsx registered inside the workers)', async () => {
    expect(jobs).toHaveLength(MIN_POINTS_FOR_POOL);
    const seen: number[] = [];
    const pooled = await runSweep('rates', jobs, { workers: 2, onPoint: (done) => seen.push(done) });
    const local = await runSweep('rates', jobs, { workers: 1 });
    expect(pooled.workers).toBe(2);
    expect(local.workers).toBe(1);
    expect(seen).toEqual([1, 2, 3, 4]);
    pooled.records.forEach((r, i) => {
      expect(r.job).toEqual(jobs[i]); // records come back in job order
      const { seconds: _a, ...p } = r.outcome;
      const { seconds: _b, ...l } = local.records[i].outcome;
      expect(p).toEqual(l);
    });
  });

  it('should run several sweeps on one shared pool and leave it open for the caller', async () => {
    const pool = new PointPool(2);
    try {
      const a = await runSweep('rates', jobs, { pool });
      const b = await runSweep('rates', jobs.slice(0, 2), { pool });
      expect(a.workers).toBe(2);
      expect(b.records.map((r) => r.outcome.value)).toEqual(a.records.slice(0, 2).map((r) => r.outcome.value));
    } finally {
      await pool.close();
    }
  });

  it('should fill closed forms in without computing', async () => {
    const job: Job = { kind: 'closed-form', panel: 'p', series: 'ref', x: 2, value: 0.5, method: '1/x' };
    const r = await runSweep('rates', [job]);
    expect(r.records[0].outcome).toMatchObject({ value: 0.5, error: 0, errorKind: 'exact', converged: true });
  });

  it('should propagate a bug (a custom point its figure cannot compute) instead of hiding it', async () => {
    const job: Job = { kind: 'custom', panel: 'spiked-L2', series: 'bayes', x: 1, input: {} };
    await expect(runSweep('rates', [job], { workers: 1 })).rejects.toThrow(/no computePoint/);
  });
});

describe('computeRiskPoint', () => {
  it('should turn a library error into a failed point carrying its message', () => {
    // spiked-SLR Bayes excess at ν = 1e4 is ~e^{−2500}: below double range, a NumericalRangeError
    const o = computeRiskPoint(riskSpec('spiked', 'bayes', '2', 1e4));
    expect(o.value).toBeNull();
    expect(o.converged).toBe(false);
    expect(o.failure).toMatch(/underflows double precision/);
  });
});

describe('resolveWorkers', () => {
  it('should compute in-process below MIN_POINTS_FOR_POOL points on auto, and never use more threads than points', () => {
    expect(resolveWorkers('auto', MIN_POINTS_FOR_POOL - 1)).toBe(1);
    expect(resolveWorkers(8, 3)).toBe(3);
    expect(resolveWorkers(1, 100)).toBe(1);
  });
});
