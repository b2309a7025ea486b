import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { integerLogspace, linspace, logspace } from '../../src/figures/grid.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';
import { intervalArb, pointsArb, positiveIntervalArb } from './arbitraries.ts';

reportSeed('grid.test.ts');
const params = { seed: SEED, numRuns: 50 };

describe('linspace', () => {
  fcTest.prop([intervalArb, pointsArb], params)('should return n increasing values with exact endpoints', ([a, b], n) => {
    const xs = linspace(a, b, n);
    expect(xs).toHaveLength(n);
    expect(xs[0]).toBe(Number(a.toPrecision(12)));
    expect(xs[n - 1]).toBe(b);
    for (let i = 1; i < n; i++) expect(xs[i]).toBeGreaterThan(xs[i - 1]);
  });

  it('should give the decimal grid a user expects (1, 1.5, …, 3)', () => {
    expect(linspace(1, 3, 5)).toEqual([1, 1.5, 2, 2.5, 3]);
  });

  it('should reject fewer than two points', () => {
    expect(() => linspace(0, 1, 1)).toThrow(InvalidInputError);
    expect(() => linspace(0, 1, 2.5)).toThrow(InvalidInputError);
  });
});

describe('logspace', () => {
  fcTest.prop([positiveIntervalArb, pointsArb], params)('should return n values with exact endpoints and a constant ratio', ([a, b], n) => {
    const xs = logspace(a, b, n);
    expect(xs).toHaveLength(n);
    expect(xs[0]).toBe(a);
    expect(xs[n - 1]).toBe(b);
    const step = Math.log(b / a) / (n - 1);
    // rounding to 12 significant digits moves each log x by at most 5e-12, so a log ratio by 1e-11;
    // exp/log in double add a few ulps of |log x| ≤ 14 (< 1e-13): ROUNDING = 1.1e-11
    const ROUNDING = 1.1e-11;
    for (let i = 1; i < n; i++) expect(Math.abs(Math.log(xs[i] / xs[i - 1]) - step)).toBeLessThanOrEqual(ROUNDING);
  });

  it('should reject a non-positive start', () => {
    expect(() => logspace(0, 10, 3)).toThrow(InvalidInputError);
  });
});

describe('integerLogspace', () => {
  fcTest.prop([fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1_000_000 }), pointsArb], params)(
    'should return sorted distinct integers from a to b, both included',
    (a, extra, n) => {
      const b = a + extra;
      const xs = integerLogspace(a, b, n);
      expect(xs[0]).toBe(a);
      expect(xs[xs.length - 1]).toBe(b);
      expect(xs.length).toBeLessThanOrEqual(n);
      for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThan(xs[i - 1]);
      for (const x of xs) expect(Number.isInteger(x)).toBe(true);
    },
  );

  it('should reject a start below 1 and an empty range', () => {
    expect(() => integerLogspace(0, 10, 3)).toThrow(InvalidInputError);
    expect(() => integerLogspace(5, 5, 3)).toThrow(InvalidInputError);
  });
});
