/*
 * Tests of the optimiser the class minimum runs on (`boundedNewton`,
 * `symmetricEigen` in src/numerics/optimize.ts). They live here, next to the
 * class-risk tests, because that file's owner added them; they belong with
 * test/numerics/optimize.test.ts when the owners agree.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { boundedNewton, symmetricEigen } from '../../src/numerics/optimize.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';

reportSeed('class-risk-optimizer.test.ts');

const EPS = Number.EPSILON;

describe('symmetricEigen', () => {
  // symmetric matrices with entries in [−10, 10], n = 1…5
  const symmetricArb = fc.integer({ min: 1, max: 5 }).chain((n) =>
    fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: (n * (n + 1)) / 2, maxLength: (n * (n + 1)) / 2 }).map((v) => {
      const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      let k = 0;
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i][j] = a[j][i] = v[k++];
      return a;
    }),
  );

  fcTest.prop([symmetricArb], { seed: SEED, numRuns: 50 })('should reconstruct A = QΛQᵀ with orthonormal Q and match ml-matrix', (a) => {
    const n = a.length;
    const { values, vectors } = symmetricEigen(a);
    const norm = Math.sqrt(a.flat().reduce((s, v) => s + v * v, 0));
    // backward-stable Jacobi: residuals of order n·EPS·‖A‖_F (factor 64 for the sweeps' accumulated rotations)
    const tol = 64 * n * EPS * Math.max(1, norm);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let r = 0;
        let qq = 0;
        for (let k = 0; k < n; k++) {
          r += vectors[i][k] * values[k] * vectors[j][k];
          qq += vectors[k][i] * vectors[k][j];
        }
        expect(Math.abs(r - a[i][j]), `A[${i}][${j}] reconstruction, A = ${JSON.stringify(a)}`).toBeLessThanOrEqual(tol);
        expect(Math.abs(qq - (i === j ? 1 : 0)), `QᵀQ[${i}][${j}]`).toBeLessThanOrEqual(64 * n * EPS);
      }
    }
    // ml-matrix's tql2 fails on subnormal entries (a bug of the reference, not of the input): compare only without them
    if (a.flat().some((v) => v !== 0 && Math.abs(v) < 1e-300)) return;
    const ref = new EigenvalueDecomposition(new Matrix(a), { assumeSymmetric: true }).realEigenvalues.sort((x, y) => x - y);
    values.forEach((v, i) => expect(Math.abs(v - ref[i]), `eigenvalue ${i} of ${JSON.stringify(a)}`).toBeLessThanOrEqual(tol));
  });

  it('should throw InvalidInputError for non-finite entries', () => {
    expect(() => symmetricEigen([[1, Number.NaN], [Number.NaN, 1]])).toThrow(InvalidInputError);
  });
});

describe('boundedNewton', () => {
  it('should minimise Rosenbrock from (−1.2, 1) to (1, 1) (closed-form minimum)', () => {
    const r = boundedNewton((x) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2, [-1.2, 1]);
    expect(r.converged).toBe(true);
    // Hessian at (1,1) is [[802, −400], [−400, 200]] (λ_min ≈ 0.4); f − f* ≤ fTol-scale ⇒ |x − x*| ≲ √(2·1e−10/0.4) ≈ 2e−5
    expect(Math.abs(r.x[0] - 1)).toBeLessThan(1e-4);
    expect(Math.abs(r.x[1] - 1)).toBeLessThan(1e-4);
    expect(r.value).toBeLessThan(1e-9);
  });

  it('should solve a strictly convex quadratic in one Newton step (evaluation count 1 + 2n + n(n−1)/2 + 1, then one more model)', () => {
    // f = ½(x−c)ᵀA(x−c): central differences are exact for a quadratic up to rounding, so the first
    // Newton step lands on c; the model at c (another 2n + n(n−1)/2) then predicts no decrease
    const A = [
      [4, 1, 0],
      [1, 3, 0.5],
      [0, 0.5, 2],
    ];
    const c = [0.3, -0.2, 0.1];
    const f = (x: Float64Array) => {
      let s = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += 0.5 * (x[i] - c[i]) * A[i][j] * (x[j] - c[j]);
      return s;
    };
    const r = boundedNewton(f, [0, 0, 0], { initialRadius: 10 });
    expect(r.converged).toBe(true);
    const model = 2 * 3 + 3;
    expect(r.evaluations).toBe(1 + model + 1 + model);
    for (let i = 0; i < 3; i++) expect(Math.abs(r.x[i] - c[i])).toBeLessThan(1e-6);
  });

  it('should hold a coordinate at its bound and report the KKT multiplier (min (x−1)² + (y+1)², y ≥ 0)', () => {
    // the constrained minimum is (1, 0) with ∂f/∂y = 2(y + 1) = 2 there (closed form)
    const r = boundedNewton((x) => (x[0] - 1) ** 2 + (x[1] + 1) ** 2, [3, 0], { lower: [-Infinity, 0] });
    expect(r.converged).toBe(true);
    expect(Array.from(r.atBound)).toEqual([0, -1]);
    expect(r.x[1]).toBe(0);
    // one-sided second-order formula is exact for a quadratic up to rounding/h
    expect(Math.abs(r.gradient[1] - 2)).toBeLessThan(1e-6);
    expect(Math.abs(r.x[0] - 1)).toBeLessThan(1e-6);
  });

  it('should release a bound when the one-sided derivative points inside (min (x−1)² + (y−½)², y ≥ 0, from y = 0)', () => {
    const r = boundedNewton((x) => (x[0] - 1) ** 2 + (x[1] - 0.5) ** 2, [3, 0], { lower: [-Infinity, 0] });
    expect(r.converged).toBe(true);
    expect(Array.from(r.atBound)).toEqual([0, 0]);
    expect(Math.abs(r.x[1] - 0.5)).toBeLessThan(1e-6);
  });

  it('should end on an upper bound with the derivative pointing outward when f decreases to it (f = 1/x, x ≤ 64)', () => {
    const r = boundedNewton((x) => 1 / x[0], [1], { lower: [0.1], upper: [64] });
    expect(r.x[0]).toBe(64);
    expect(r.atBound[0]).toBe(1);
    expect(r.gradient[0]).toBeLessThan(0);
  });

  it('should step back from where f is not finite', () => {
    // f = +∞ for x < 0.5, minimum of (x − 1)² at 1 from x0 = 3 with a big radius (first step overshoots to < 0.5)
    const r = boundedNewton((x) => (x[0] < 0.5 ? Number.NaN : (x[0] - 1) ** 2 + 0.1 * (x[0] - 1) ** 4), [3], { initialRadius: 4 });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.x[0] - 1)).toBeLessThan(1e-5);
  });

  it.each([
    ['an empty start', [], {}],
    ['a non-finite start', [Number.NaN], {}],
    ['lower ≥ upper', [0], { lower: [1], upper: [1] }],
    ['a zero step', [0], { steps: [0] }],
    ['a start where f is not finite', [-1], {}],
  ])('should throw InvalidInputError for %s', (_what, x0, opts) => {
    expect(() => boundedNewton((x) => (x[0] < 0 ? Infinity : x[0] ** 2), x0, opts)).toThrow(InvalidInputError);
  });
});
