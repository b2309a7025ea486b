import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { expand, shutdownCas } from '../../src/symbolic/cas.ts';
import { Poly, expandPolynomial } from '../../src/symbolic/polynomial.ts';
import { checkDerivative, verifyNumerically } from '../../src/symbolic/verify-numerically.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';
import { polynomialTextArb } from './arbitraries.ts';

reportSeed('symbolic/polynomial.test.ts');
afterAll(() => shutdownCas());

const same = (a: Poly, b: Poly) => a.sub(b).isZero();

describe('Poly.parse / expandPolynomial', () => {
  it('should expand exactly as nerdamer does (equal as exact polynomials)', () => {
    fc.assert(
      fc.property(polynomialTextArb, (text) => {
        // nerdamer rejects 0^0 ("undefined"); we (like Math.pow) take it as 1
        fc.pre(!/\^0/.test(text));
        const ours = Poly.parse(text);
        const theirs = Poly.parse(expand(text));
        expect(same(ours, theirs)).toBe(true);
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

  it('should keep the value of the input (numeric check of the expansion)', () => {
    fc.assert(
      fc.property(polynomialTextArb, (text) => {
        expect(verifyNumerically(text, expandPolynomial(text), ['x', 'y'], [-2, 2], SEED).passed).toBe(true);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('should read decimal literals as exact decimals and divide by constants and monomials', () => {
    expect(Poly.parse('0.1*x + 0.2*x').toString()).toBe('(3/10)*x');
    expect(Poly.parse('(x^2*L + L)/L').toString()).toBe('x^2+1');
    expect(Poly.parse('x/(2*L)').toString()).toBe('(1/2)*L^(-1)*x');
  });

  it('should keep non-polynomial parts as opaque atoms', () => {
    const p = Poly.parse('sqrt(nu)*x + sqrt(nu)*x + x/(a+b)');
    expect(p.toString()).toBe('2*sqrt(nu)*x+(a+b)^(-1)*x');
    expect(verifyNumerically('sqrt(nu)*x + sqrt(nu)*x + x/(a+b)', p.toString(), ['nu', 'x', 'a', 'b'], [0.5, 2], SEED).passed).toBe(true);
  });

  it('should reject division by zero', () => {
    expect(() => Poly.parse('x/(1-1)')).toThrow(InvalidInputError);
  });
});

describe('Poly arithmetic', () => {
  it('should satisfy the ring laws (distributivity, commutativity)', () => {
    fc.assert(
      fc.property(polynomialTextArb, polynomialTextArb, polynomialTextArb, (a, b, c) => {
        const [p, q, r] = [a, b, c].map((t) => Poly.parse(t));
        expect(same(p.mul(q.add(r)), p.mul(q).add(p.mul(r)))).toBe(true);
        expect(same(p.mul(q), q.mul(p))).toBe(true);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('should rebuild a polynomial from its coefficients in a variable', () => {
    fc.assert(
      fc.property(polynomialTextArb, (text) => {
        const p = Poly.parse(text);
        const { low, coefficients } = p.coefficientsIn('x');
        let back = Poly.zero();
        coefficients.forEach((c, i) => {
          back = back.add(c.mul(Poly.factor('x', i + low)));
        });
        expect(same(back, p)).toBe(true);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('should differentiate correctly (difference quotients)', () => {
    fc.assert(
      fc.property(polynomialTextArb, (text) => {
        const d = Poly.parse(text).derivative('x').toString();
        expect(checkDerivative(text, d, 'x', ['x', 'y'], [-2, 2], SEED).passed).toBe(true);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('should substitute simultaneously', () => {
    expect(Poly.parse('x - y').substitute({ x: Poly.parse('y'), y: Poly.parse('x') }).toString()).toBe('-x+y');
  });
});
