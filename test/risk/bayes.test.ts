import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { InvalidInputError, NumericalRangeError } from '../../src/errors.ts';
import { integrate } from '../../src/numerics/adaptive.ts';
import { bayesRisk } from '../../src/risk/bayes.ts';
import { fixedLength, lengthLaw } from '../../src/task/length-law.ts';
import { type Task, maxTask, productTask, spikedTask } from '../../src/task/tasks.ts';
import type { LengthLaw } from '../../src/task/length-law.ts';
import { SEED, lengthArb, reportSeed, wideNuArb } from '../helpers/arbitraries.ts';

reportSeed('bayes.test.ts');

/**
 * Independent representation for L = 2 (no Laplace transform, no token
 * factorisation): with D = χ*_1 − χ*_2, the excess is 2E[sigmoid(−cD)²] with
 * D ~ N(c, 2) for spiked-SLR (c = √ν), and 2E[p_1 p_2] with D ~ N(0, 2) for
 * max-SLR (c = ν).
 */
function directL2(task: 'spiked' | 'max', nu: number): { value: number; error: number } {
  const c = task === 'spiked' ? Math.sqrt(nu) : nu;
  const mu = task === 'spiked' ? c : 0;
  const r = integrate(
    (d) => {
      const dens = Math.exp(-((d - mu) ** 2) / 4) / Math.sqrt(4 * Math.PI);
      const s = 1 / (1 + Math.exp(c * d)); // p_2
      return task === 'spiked' ? 2 * dens * s * s : 2 * dens * s * (1 - s);
    },
    -Infinity,
    Infinity,
    { relTol: 1e-13, absTol: 0, breakpoints: [mu, 0, mu - 6, mu + 6] },
  );
  return { value: r.value, error: r.error };
}

describe('bayesRisk', () => {
  it('should give Δ exactly for L = 1 (the location is known)', () => {
    const r = bayesRisk(spikedTask, 3, fixedLength(1), 0.25);
    expect(r.value).toBe(0.25);
    expect(r.error).toBe(0);
  });

  it('should give Δ exactly for max-SLR at ν = ∞ (argmax is a function of X)', () => {
    expect(bayesRisk(maxTask, Infinity, fixedLength(7), 0.5).value).toBe(0.5);
  });

  it.each([2, 5, 1000, 1_000_000])('should give Δ + 1 − 1/L at ν = 0 (uniform posterior), L = %i', (L) => {
    for (const task of [spikedTask, maxTask]) {
      const r = bayesRisk(task, 0, fixedLength(L), 0.1);
      // closed form; the tolerance is the reported bound plus 4 ulps of the sum
      expect(Math.abs(r.value - (0.1 + 1 - 1 / L))).toBeLessThanOrEqual(r.error + 4 * Number.EPSILON);
    }
  });

  it.each([
    ['spiked', 0.5],
    ['spiked', 5],
    ['spiked', 50],
    ['spiked', 100],
    ['max', 0.5],
    ['max', 5],
    ['max', 100],
    ['max', 1000],
  ] as const)('should match the direct one-dimensional L = 2 integral for %s at ν = %s', (task, nu) => {
    const r = bayesRisk(task === 'spiked' ? spikedTask : maxTask, nu, fixedLength(2));
    const d = directL2(task, nu);
    // both are quadratures with their own bounds; they must overlap
    expect(Math.abs(r.excess - d.value)).toBeLessThanOrEqual(r.error + d.error);
    expect(r.converged).toBe(true);
  });

  it('should mix fixed lengths linearly for a variable P_L', () => {
    const law = lengthLaw([1, 2, 3], [1, 2, 3]);
    const mix = bayesRisk(spikedTask, 2, law);
    const parts = [1, 2, 3].map((L) => bayesRisk(spikedTask, 2, fixedLength(L)));
    const expected = (parts[0].value + 2 * parts[1].value + 3 * parts[2].value) / 6;
    expect(Math.abs(mix.value - expected)).toBeLessThanOrEqual(mix.error + parts.reduce((s, p) => s + p.error, 0));
  });

  it('should keep relative accuracy where the risk is ~1e-45 (spiked, ν = 400)', () => {
    const r = bayesRisk(spikedTask, 400, fixedLength(3));
    expect(r.excess).toBeGreaterThan(1e-46);
    expect(r.excess).toBeLessThan(1e-43);
    expect(r.error / r.excess).toBeLessThan(1e-6);
  });

  it('should not lose L = 10^6 to cancellation (spiked, small ν)', () => {
    const r = bayesRisk(spikedTask, 0.01, fixedLength(1_000_000));
    expect(r.value).toBeLessThan(1);
    expect(r.value).toBeGreaterThan(0.999);
    expect(r.error).toBeLessThan(1e-10);
  });

  it('should treat a one-component Gaussian product task exactly like spiked-SLR', () => {
    const custom = productTask({ id: 'shifted', spikeLaw: (nu) => [{ weight: 1, mean: Math.sqrt(nu), sd: 1 }] });
    const a = bayesRisk(custom, 3, fixedLength(4));
    const b = bayesRisk(spikedTask, 3, fixedLength(4));
    expect(Math.abs(a.value - b.value)).toBeLessThanOrEqual(a.error + b.error);
  });

  it.each([
    [2, 3],
    [5, 1],
    [1000, 8],
  ])('should agree between the linear-λ path (E[1 − p_ε]) and the generic pairwise form, L = %i, ν = %s', (L, nu) => {
    // a spike law given as two identical N(√ν, 1) halves is spiked-SLR, but is not recognised as one
    // component, so it takes the generic path (pairwise form, adaptive quadrature in χ*)
    const halves = productTask({
      id: 'halves',
      spikeLaw: (v) => [
        { weight: 0.5, mean: Math.sqrt(v), sd: 1 },
        { weight: 0.5, mean: Math.sqrt(v), sd: 1 },
      ],
    });
    const generic = bayesRisk(halves, nu, fixedLength(L));
    const fast = bayesRisk(spikedTask, nu, fixedLength(L));
    expect(generic.method).not.toBe(fast.method);
    expect(Math.abs(generic.value - fast.value)).toBeLessThanOrEqual(generic.error + fast.error);
  });

  it('should reject bad input with typed errors', () => {
    expect(() => bayesRisk(spikedTask, -1, fixedLength(2))).toThrow(InvalidInputError);
    expect(() => bayesRisk(spikedTask, Infinity, fixedLength(2))).toThrow(/only defined for max-SLR/);
    expect(() => bayesRisk(spikedTask, NaN, fixedLength(2))).toThrow(InvalidInputError);
    expect(() => bayesRisk(spikedTask, 1, fixedLength(2), -0.1)).toThrow(InvalidInputError);
  });

  it('should refuse, not return 0, when the excess leaves double range (spiked, ν = 5000)', () => {
    expect(() => bayesRisk(spikedTask, 5000, fixedLength(2))).toThrow(NumericalRangeError);
  });
});

describe('bayesRisk properties', () => {
  fcTest.prop([fc.integer({ min: 2, max: 50 }), fc.double({ min: 0.05, max: 20, noNaN: true }), fc.double({ min: 0.05, max: 20, noNaN: true })], {
    seed: SEED,
    numRuns: 8,
  })('should be nonincreasing in ν (more signal never hurts the Bayes predictor)', (L, a, b) => {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    for (const task of [spikedTask, maxTask]) {
      const rLo = bayesRisk(task, lo, fixedLength(L));
      const rHi = bayesRisk(task, hi, fixedLength(L));
      expect(rHi.value).toBeLessThanOrEqual(rLo.value + rLo.error + rHi.error);
    }
  });
});

/** The accuracy contract, applied to the reported error: ≤ 1e−10 absolute, and ≤ 1e−6 relative below 1e−6. */
function meetsContract(excess: number, error: number): boolean {
  return Number.isFinite(excess) && Number.isFinite(error) && excess >= 0 && error >= 0 && error <= 1e-10 && (excess >= 1e-6 || error <= 1e-6 * excess);
}

describe('bayesRisk over the edges of ν', () => {
  // every ν where main threw ('underflows' for ν ≤ 1e−50; integrand ∞/NaN for spiked ν = 374, 401, 434, …,
  // and NaN for Unif{1,2,3}, where M0 underflows and M0^0 came out 0·log 0) and the neighbours that did not
  const nus = [0, 5e-324, 1e-320, 1e-300, 1e-100, 1e-20, 1e-8, 1e-4, 0.1, 1, 10, 100, 350, 374, 392, 399, 400, 401, 402, 434, 500.5, 721, 998, 999, 1000];
  const laws: [string, LengthLaw][] = [
    ['1', fixedLength(1)],
    ['2', fixedLength(2)],
    ['3', fixedLength(3)],
    ['5', fixedLength(5)],
    ['100', fixedLength(100)],
    ['1e6', fixedLength(1e6)],
    ['Unif{1,2,3}', lengthLaw([1, 2, 3])],
  ];
  it.each(laws)('should give a finite, non-negative, non-increasing risk within the contract at L = %s', (_, law) => {
    const problems: string[] = [];
    for (const task of [spikedTask, maxTask] as Task[]) {
      let prev: { nu: number; value: number; error: number } | undefined;
      for (const nu of task === maxTask ? [...nus, Infinity] : nus) {
        const r = bayesRisk(task, nu, law);
        if (!meetsContract(r.excess, r.error)) problems.push(`${task.id} ν=${nu}: ${r.excess} ± ${r.error}`);
        // more signal never hurts the Bayes predictor (allowing both errors)
        if (prev && r.value > prev.value + prev.error + r.error) problems.push(`${task.id} ν=${prev.nu} → ${nu}: ${prev.value} → ${r.value}`);
        prev = { nu, value: r.value, error: r.error };
      }
    }
    expect(problems).toEqual([]);
  });

  it('should tend to the ν = 0 value 1 − 1/L continuously (ν = 5e−324, 1e−300, 1e−20)', () => {
    for (const task of [spikedTask, maxTask] as Task[]) {
      for (const L of [2, 3, 5, 100, 1e6]) {
        const r0 = bayesRisk(task, 0, fixedLength(L));
        for (const nu of [5e-324, 1e-300, 1e-20]) {
          // R(ν) = 1 − 1/L − O(ν) (spiked) or O(ν²) (max): below the rounding of 1 − 1/L for these ν
          const r = bayesRisk(task, nu, fixedLength(L));
          expect(Math.abs(r.value - r0.value), `${task.id} L=${L} ν=${nu}: ${r.value} ± ${r.error} vs ${r0.value}`).toBeLessThanOrEqual(r.error + r0.error);
        }
      }
    }
  });

  fcTest.prop([fc.constantFrom<Task>(spikedTask, maxTask), wideNuArb, fc.oneof(lengthArb, fc.constant(1_000_000))], { seed: SEED, numRuns: 24 })(
    'should never throw and meet the contract for any ν in [0, 1000] and L',
    (task, nu, L) => {
      const r = bayesRisk(task, nu, fixedLength(L));
      expect(meetsContract(r.excess, r.error), `${task.id} ν=${nu} L=${L}: ${r.excess} ± ${r.error}`).toBe(true);
    },
  );
});
