import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { expandPolynomial } from '../../src/symbolic/polynomial.ts';
import { checkDerivative, checkGaussianExpectation, gaussianExpectationByQuadrature, verifyNumerically } from '../../src/symbolic/verify-numerically.ts';
import { gaussianExpectation } from '../../src/symbolic/wick.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';
import { polynomialTextArb } from './arbitraries.ts';

reportSeed('symbolic/verify-numerically.test.ts');

describe('verifyNumerically', () => {
  it('should pass true identities, including ones with cancellation and functions', () => {
    expect(verifyNumerically('(x+1)^2 - x^2 - 2*x', '1', ['x'], [-3, 3], SEED).passed).toBe(true);
    expect(verifyNumerically('log(exp(a)*exp(b))', 'a + b', ['a', 'b'], [-5, 5], SEED).passed).toBe(true);
    expect(verifyNumerically('sin(x)^2 + cos(x)^2', '1', ['x'], [-10, 10], SEED).passed).toBe(true);
  });

  it('should pass every expansion of a polynomial (property)', () => {
    fc.assert(
      fc.property(polynomialTextArb, (text) => verifyNumerically(text, expandPolynomial(text), ['x', 'y'], [-2, 2], SEED).passed),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('should FAIL a wrong identity (mutation: off by 1e−3 relative, or by 1e−9 on O(1) values)', () => {
    fc.assert(
      fc.property(polynomialTextArb, fc.constantFrom(1e-3, 1), (text, delta) => {
        // the mutation moves the value by delta·(|value| + 1), delta ≥ 1e−3: far above the tolerance at the
        // accepted (well-conditioned) points, ≤ 1e−8·max(1, |value|)
        const p = expandPolynomial(text);
        const wrong = `${p} + ${delta}*(1 + abs(${p}))`;
        const r = verifyNumerically(text, wrong, ['x', 'y'], [-2, 2], SEED);
        expect(r.passed, r.detail).toBe(false);
      }),
      { seed: SEED, numRuns: 60 },
    );
    // an O(1) value off by 1e−9: still caught (the rounding tolerance there is ~1e−15)
    const tiny = verifyNumerically('x^2 + 1', 'x^2 + 1 + 1e-9', ['x'], [-1, 1], SEED);
    expect(tiny.passed).toBe(false);
  });

  it('should report the failing point, both values, the difference and the tolerance', () => {
    const r = verifyNumerically('x^2', 'x^2 + 0.5', ['x'], [-1, 1], SEED);
    expect(r.passed).toBe(false);
    expect(r.failure).toBeDefined();
    expect(r.failure!.difference).toBeCloseTo(0.5, 12);
    expect(r.detail).toMatch(/differs at x=.*difference 0\.5.* > tolerance/);
  });

  it('should avoid singular points and say so when it cannot', () => {
    // 1/(x − y) is ill-conditioned near x = y; points there are redrawn
    expect(verifyNumerically('1/(x-y)', '-1/(y-x)', ['x', 'y'], [-1, 1], SEED).passed).toBe(true);
    const nowhere = verifyNumerically('1/(x-x)', '1/(x-x)', ['x'], [-1, 1], SEED);
    expect(nowhere.passed).toBe(false);
    expect(nowhere.detail).toMatch(/could not find/);
  });

  it('should reject unknown names and bad domains', () => {
    expect(() => verifyNumerically('x + z', 'x', ['x'], [-1, 1], SEED)).toThrow(/uses z/);
    expect(() => verifyNumerically('x', 'x', ['x'], [1, 1], SEED)).toThrow(InvalidInputError);
    expect(() => verifyNumerically('x', 'x', ['x'], { y: [0, 1] }, SEED)).toThrow(/no sampling interval/);
  });
});

describe('checkDerivative', () => {
  it('should accept true derivatives (polynomial, exponential, rational)', () => {
    expect(checkDerivative('x^3*y', '3*x^2*y', 'x', ['x', 'y'], [-2, 2], SEED).passed).toBe(true);
    expect(checkDerivative('exp(nu*x)/(exp(nu*x) + S)', 'nu*exp(nu*x)*S/(exp(nu*x) + S)^2', 'x', ['nu', 'x', 'S'], [0.5, 3], SEED).passed).toBe(true);
    expect(checkDerivative('1/(1 + x^2)', '-2*x/(1 + x^2)^2', 'x', ['x'], [-3, 3], SEED).passed).toBe(true);
  });

  it('should FAIL wrong derivatives: a factor 2, a missing term, an offset of 1e−6 (mutation)', () => {
    expect(checkDerivative('x^3*y', '6*x^2*y', 'x', ['x', 'y'], [-2, 2], SEED).passed).toBe(false);
    expect(checkDerivative('x^3 + x', '3*x^2', 'x', ['x'], [-2, 2], SEED).passed).toBe(false);
    expect(checkDerivative('exp(x)', 'exp(x) + 1e-6', 'x', ['x'], [-2, 2], SEED).passed).toBe(false);
  });

  it('should FAIL the derivative with respect to the wrong variable', () => {
    fc.assert(
      fc.property(polynomialTextArb, (text) => {
        const dx = `${expandPolynomial(text)}`;
        // ∂f/∂x compared with f itself: equal only if f = C e^x, impossible for a non-zero polynomial
        fc.pre(expandPolynomial(text) !== '0');
        const r = checkDerivative(text, dx, 'x', ['x', 'y'], [-2, 2], SEED);
        expect(r.passed, r.detail).toBe(false);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });
});

describe('gaussianExpectationByQuadrature / checkGaussianExpectation', () => {
  it('should integrate polynomials exactly (E g⁴ = 3 with 3 nodes)', () => {
    const r = gaussianExpectationByQuadrature((x) => ({ value: x[0] ** 4, error: 0 }), [0], [[1]], 3);
    expect(Math.abs(r.value - 3)).toBeLessThanOrEqual(r.error + 4 * Number.EPSILON);
    expect(r.evaluations).toBe(3);
  });

  it('should FAIL a wrong moment (3σ⁴ replaced by 2σ⁴: mutation)', () => {
    const law = { variables: ['x'], variance: { x: 's' } };
    expect(checkGaussianExpectation('x^4', '3*s^2', law, 4, ['s'], { s: [0.5, 2] }, SEED).passed).toBe(true);
    expect(checkGaussianExpectation('x^4', '2*s^2', law, 4, ['s'], { s: [0.5, 2] }, SEED).passed).toBe(false);
  });

  it('should FAIL a Wick result with one covariance term dropped', () => {
    const law = { variables: ['x', 'y'], variance: { x: 'a', y: 'b' }, covariance: { 'x,y': 'r' } };
    const right = gaussianExpectation('x^2*y^2', law).expression;
    const box = { a: [0.5, 2], b: [0.5, 2], r: [-0.4, 0.4] } as const;
    expect(checkGaussianExpectation('x^2*y^2', right, law, 4, ['a', 'b', 'r'], box, SEED).passed).toBe(true);
    expect(checkGaussianExpectation('x^2*y^2', 'a*b + r^2', law, 4, ['a', 'b', 'r'], box, SEED).passed).toBe(false);
  });

  it('should reject non-PSD covariances', () => {
    expect(() => gaussianExpectationByQuadrature(() => ({ value: 1, error: 0 }), [0, 0], [[1, 2], [2, 1]], 2)).toThrow(/positive semi-definite/);
  });
});
