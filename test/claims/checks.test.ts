import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agreementCheck,
  decideInequality,
  exactQuantity,
  inequalityCheck,
  limitCheck,
  propertyCheck,
  type Quantity,
  richardson,
} from '../../src/claims/checks.ts';
import type { CheckContext, CheckOutcome } from '../../src/claims/types.ts';

/**
 * Each check template must be able to refute: fed a deliberately wrong
 * statement (a mutation), it returns REFUTED; fed the right one, CONFIRMED;
 * and where the errors cannot decide, INCONCLUSIVE. The quantities here are
 * exact closed forms, so every expected verdict follows from the decision
 * rules in src/claims/checks.ts.
 */
const ctx: CheckContext = { seed: 7, fast: false };
const q = (value: number, error: number, converged = true): Quantity => ({ value, error, method: 'test', converged });
const run = (c: { run: (ctx: CheckContext) => CheckOutcome | Promise<CheckOutcome> }) => c.run(ctx) as CheckOutcome;

describe('agreementCheck', () => {
  const make = (rhs: (x: number) => number, tol = 0) =>
    agreementCheck({
      id: 'a',
      description: 'd',
      fast: true,
      points: () => [{ x: 1 }, { x: 2 }],
      left: { label: 'engine', compute: (p) => q(Math.exp(p.x as number), 1e-12) },
      right: { label: 'statement', compute: (p) => exactQuantity(rhs(p.x as number), 'closed form') },
      tolerance: { value: tol, reason: 'test' },
    });
  it('should confirm a true statement', () => {
    expect(run(make(Math.exp)).verdict).toBe('CONFIRMED');
  });
  it('should refute a statement wrong by 1e-9 relative (mutation)', () => {
    const out = run(make((x) => Math.exp(x) * (1 + 1e-9)));
    expect(out.verdict).toBe('REFUTED');
    expect(out.evidence.some((e) => /REFUTED/.test(e.note ?? ''))).toBe(true);
  });
  it('should be inconclusive, not confirmed, when a number has not converged', () => {
    const c = agreementCheck({
      id: 'a',
      description: 'd',
      fast: true,
      points: () => [{ x: 1 }],
      left: { label: 'l', compute: () => q(1, 0, false) },
      right: { label: 'r', compute: () => q(1, 0) },
      tolerance: { value: 0, reason: 'test' },
    });
    expect(run(c).verdict).toBe('INCONCLUSIVE');
  });
});

describe('decideInequality / inequalityCheck', () => {
  it('should decide only beyond the error bars', () => {
    expect(decideInequality(q(1, 0.1), q(0.5, 0.1)).verdict).toBe('CONFIRMED');
    expect(decideInequality(q(0.5, 0.1), q(1, 0.1)).verdict).toBe('REFUTED');
    expect(decideInequality(q(1, 0.3), q(0.5, 0.3)).verdict).toBe('INCONCLUSIVE');
  });
  it('should refute the reversed inequality (mutation)', () => {
    const make = (greater: number, smaller: number) =>
      inequalityCheck({
        id: 'i',
        description: 'd',
        fast: true,
        points: () => [{ p: 0 }],
        greater: { label: 'g', compute: () => q(greater, 1e-9) },
        smaller: { label: 's', compute: () => q(smaller, 1e-9) },
      });
    expect(run(make(2, 1)).verdict).toBe('CONFIRMED');
    expect(run(make(1, 2)).verdict).toBe('REFUTED');
  });
});

describe('richardson', () => {
  it('should extrapolate C + a/x + b/x² exactly from three or more points', () => {
    const xs = [10, 20, 40, 80];
    const g = (x: number) => 3 + 5 / x - 7 / (x * x);
    const r = richardson(xs, xs.map(g), xs.map(() => 0), 1);
    // two elimination steps remove a/x and b/x² exactly; what is left is rounding of O(10·eps)
    expect(Math.abs(r.estimate - 3)).toBeLessThan(1e-13);
  });
});

describe('limitCheck', () => {
  const make = (predicted: number) =>
    limitCheck({
      id: 'l',
      description: 'd',
      fast: true,
      label: 'x·f(x)',
      variable: 'x',
      xs: () => [100, 200, 400, 800, 1600],
      // x·L(L−1)/(L² + x(L−1)) at L = 3: → L = 3 with corrections in 1/x
      compute: (x) => exactQuantity((x * 6) / (9 + 2 * x), 'closed form'),
      predicted,
      correctionOrder: 1,
    });
  it('should confirm the true limit', () => {
    expect(run(make(3)).verdict).toBe('CONFIRMED');
  });
  it('should refute the reported constant L/(L−1) = 1.5 and a constant off by 1e-3 (mutations)', () => {
    expect(run(make(1.5)).verdict).toBe('REFUTED');
    expect(run(make(3.001)).verdict).toBe('REFUTED');
  });
});

describe('propertyCheck', () => {
  const make = (claimOk: (x: number) => boolean) =>
    propertyCheck({
      id: 'p',
      description: 'd',
      fast: true,
      runs: 200,
      fastRuns: 20,
      arbitrary: fc.double({ min: 0, max: 10, noNaN: true }),
      property: (x) => ({ verdict: claimOk(x) ? 'CONFIRMED' : 'REFUTED', detail: `x=${x}` }),
      show: (x) => `x=${x}`,
    });
  it('should confirm a true property and report the seed', () => {
    const out = run(make((x) => x * x >= 0));
    expect(out.verdict).toBe('CONFIRMED');
    expect(out.summary).toContain('seed 7');
  });
  it('should refute a false property with a shrunk counterexample (mutation)', () => {
    const out = run(make((x) => x < 5));
    expect(out.verdict).toBe('REFUTED');
    expect(out.summary).toMatch(/counterexample/);
  });
  it('should be inconclusive when runs cannot be decided', () => {
    const c = propertyCheck({
      id: 'p',
      description: 'd',
      fast: true,
      runs: 10,
      fastRuns: 10,
      arbitrary: fc.integer(),
      property: () => ({ verdict: 'INCONCLUSIVE', detail: 'within errors' }),
      show: String,
    });
    expect(run(c).verdict).toBe('INCONCLUSIVE');
  });
});
