import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { RandomStream } from '../../src/numerics/random.ts';
import { zQuantile } from '../../src/numerics/statistics.ts';
import { compileExpression } from '../../src/symbolic/expression.ts';
import { Poly } from '../../src/symbolic/polynomial.ts';
import { checkGaussianExpectation, verifyNumerically } from '../../src/symbolic/verify-numerically.ts';
import { type GaussianLaw, gaussianExpectation, gaussianMoment } from '../../src/symbolic/wick.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';
import { exponentsArb } from './arbitraries.ts';

reportSeed('symbolic/wick.test.ts');

/** Exact polynomial equality of two texts. */
const same = (a: string, b: string) => Poly.parse(a).sub(Poly.parse(b)).isZero();

describe('gaussianMoment', () => {
  // expected values: the classical moments (2k−1)!! σ^{2k} and, for non-zero means,
  // E(μ + σg)^n expanded by the binomial theorem with E g^{2j} = (2j−1)!!
  it('should give E x⁴ = 3σ⁴ and E x⁶ = 15σ⁶ (x ~ N(0, s), s = σ²)', () => {
    const law = { variables: ['x'], variance: { x: 's' } };
    expect(same(gaussianMoment({ x: 4 }, law), '3*s^2')).toBe(true);
    expect(same(gaussianMoment({ x: 6 }, law), '15*s^3')).toBe(true);
    expect(same(gaussianMoment({ x: 5 }, law), '0')).toBe(true);
  });

  it('should give E[x²y²] = σx²σy² + 2σxy² for correlated x, y', () => {
    const law = { variables: ['x', 'y'], variance: { x: 'a', y: 'b' }, covariance: { 'x,y': 'r' } };
    expect(same(gaussianMoment({ x: 2, y: 2 }, law), 'a*b + 2*r^2')).toBe(true);
    expect(same(gaussianMoment({ x: 3, y: 1 }, law), '3*a*r')).toBe(true);
  });

  it('should shift by non-zero means: E x² = μ² + s, E x³ = μ³ + 3μs, E x⁴ = μ⁴ + 6μ²s + 3s²', () => {
    const law = { variables: ['x'], mean: { x: 'mu' }, variance: { x: 's' } };
    expect(same(gaussianMoment({ x: 2 }, law), 'mu^2 + s')).toBe(true);
    expect(same(gaussianMoment({ x: 3 }, law), 'mu^3 + 3*mu*s')).toBe(true);
    expect(same(gaussianMoment({ x: 4 }, law), 'mu^4 + 6*mu^2*s + 3*s^2')).toBe(true);
  });

  it('should reject bad laws and exponents', () => {
    expect(() => gaussianMoment({ x: -1 }, { variables: ['x'] })).toThrow(InvalidInputError);
    expect(() => gaussianMoment({ z: 1 }, { variables: ['x'] })).toThrow(/not among the variables/);
    expect(() => gaussianMoment({ x: 1 }, { variables: ['x', 'x'] })).toThrow(/twice/);
    expect(() => gaussianMoment({ x: 1 }, { variables: ['x'], mean: { x: 'x + 1' } })).toThrow(/must not involve/);
    expect(() => gaussianMoment({ x: 1 }, { variables: ['x', 'y'], covariance: { 'x,x': '1' } })).toThrow(/diagonal/);
  });
});

describe('gaussianExpectation', () => {
  const law3: GaussianLaw = {
    variables: ['x', 'y', 'z'],
    mean: { x: 'p', z: 'q' },
    variance: { x: 'a', y: 'b' },
    covariance: { 'x,y': 'r', 'y,z': 'w' },
  };
  const params = ['p', 'q', 'a', 'b', 'r', 'w'];
  // boxes keep the covariance PSD often enough (others are redrawn)
  const box = { p: [-1, 1], q: [-1, 1], a: [0.5, 2], b: [0.5, 2], r: [-0.5, 0.5], w: [-0.5, 0.5] } as const;

  it('should equal tensor Gauss–Hermite quadrature for random monomials (exact rule)', () => {
    fc.assert(
      fc.property(exponentsArb, fc.integer({ min: 0, max: 1000 }), ([i, j, k], s) => {
        const poly = `x^${i}*y^${j}*z^${k}`;
        const r = gaussianExpectation(poly, law3);
        const check = checkGaussianExpectation(poly, r.expression, law3, i + j + k, params, box, SEED + s, { points: 2 });
        expect(check.passed, check.detail).toBe(true);
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

  it('should be linear and treat other names as constants', () => {
    const r = gaussianExpectation('3*c*x^2 - sqrt(nu)*x*y + 7', law3);
    const expected = `3*c*(p^2 + a) - sqrt(nu)*(p*0 + r) + 7`;
    expect(verifyNumerically(r.expression, expected, ['c', 'nu', 'p', 'a', 'r'], [0.5, 2], SEED).passed).toBe(true);
    expect(r.monomials).toBe(3);
  });

  it('should agree with Monte Carlo (99.9% interval, false-failure probability 1e−3)', () => {
    // E[(x + y z)²] at fixed numbers, x ~ N(0.3, 1.2), y ~ N(0, 0.8), z ~ N(−0.5, 1), Cov(x, y) = 0.4
    const law: GaussianLaw = { variables: ['x', 'y', 'z'], mean: { x: '0.3', z: '-0.5' }, variance: { x: '1.2', y: '0.8' }, covariance: { 'x,y': '0.4' } };
    const poly = '(x + y*z)^2';
    const exact = compileExpression(gaussianExpectation(poly, law).expression, [])();
    const rng = new RandomStream(SEED);
    const n = 200_000;
    let sum = 0;
    let sum2 = 0;
    // Cholesky of [[1.2, 0.4], [0.4, 0.8]]
    const l11 = Math.sqrt(1.2);
    const l21 = 0.4 / l11;
    const l22 = Math.sqrt(0.8 - l21 * l21);
    for (let t = 0; t < n; t++) {
      const g1 = rng.normal();
      const g2 = rng.normal();
      const x = 0.3 + l11 * g1;
      const y = l21 * g1 + l22 * g2;
      const z = -0.5 + rng.normal();
      const v = (x + y * z) ** 2;
      sum += v;
      sum2 += v * v;
    }
    const mean = sum / n;
    const sd = Math.sqrt((sum2 / n - mean * mean) * (n / (n - 1)));
    const half = zQuantile(0.999) * (sd / Math.sqrt(n));
    expect(Math.abs(mean - exact), `MC ${mean} ± ${half} vs Wick ${exact}`).toBeLessThanOrEqual(half);
  });

  it('should reject non-polynomial use of the random variables', () => {
    expect(() => gaussianExpectation('exp(x)', { variables: ['x'] })).toThrow(/inside exp\(x\)/);
    expect(() => gaussianExpectation('1/x', { variables: ['x'] })).toThrow(/not a polynomial/);
    expect(() => gaussianExpectation('x^(1/2)', { variables: ['x'] })).toThrow(/not a polynomial/);
  });
});
