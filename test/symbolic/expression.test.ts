import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import {
  compileExpression,
  compileWithError,
  freeNames,
  parseExpression,
  printExpression,
  splitTopLevel,
  texExpression,
  texStatement,
} from '../../src/symbolic/expression.ts';
import { Poly, rationalToNumber } from '../../src/symbolic/polynomial.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';
import { polynomialTextArb } from './arbitraries.ts';

reportSeed('symbolic/expression.test.ts');
const params = { seed: SEED, numRuns: 60 } as const;

describe('parseExpression', () => {
  it('should give ^ precedence over unary minus and associate it to the right', () => {
    const f = compileExpression('-x^2 + 2^3^2 - 2^-1', ['x']);
    expect(f(3)).toBe(-9 + 2 ** 9 - 0.5);
  });

  it('should read nerdamer output (fractions, e, pi, sqrt, negative exponents)', () => {
    const f = compileExpression('(1/2)*e^x*pi - sqrt(y)^(-1) + x^(-2)*L^(-1)', ['x', 'y', 'L']);
    expect(f(1, 4, 2)).toBeCloseTo(0.5 * Math.E * Math.PI - 0.5 + 0.5, 14);
  });

  it('should reject malformed text with the position', () => {
    expect(() => parseExpression('x +* y')).toThrow(/position 3/);
    expect(() => parseExpression('foo(x)')).toThrow(/unknown function "foo"/);
    expect(() => parseExpression('(x + 1')).toThrow(InvalidInputError);
    expect(() => parseExpression('')).toThrow(InvalidInputError);
  });

  it('should list free names without the constants e and pi', () => {
    expect(freeNames(parseExpression('e^x + pi*y_1 + sqrt(x)'))).toEqual(['x', 'y_1']);
  });
});

describe('compileExpression', () => {
  it('should reject names that are not variables', () => {
    expect(() => compileExpression('x + y', ['x'])).toThrow(/uses y/);
  });

  it('should keep long sums flat (no deep nesting in the generated code)', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `${i}*x`).join(' + ');
    expect(compileExpression(text, ['x'])(1)).toBe((4999 * 5000) / 2);
  });
});

describe('printExpression', () => {
  it('should print text that evaluates to the same value (round trip)', () => {
    fc.assert(
      fc.property(polynomialTextArb, fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (text, x, y) => {
        const printed = printExpression(parseExpression(text));
        const a = compileWithError(text, ['x', 'y'])(x, y);
        const b = compileWithError(printed, ['x', 'y'])(x, y);
        // same value up to the two rounding bounds (the printed tree may associate sums differently)
        expect(Math.abs(a.value - b.value)).toBeLessThanOrEqual(4 * (a.error + b.error));
      }),
      params,
    );
  });

  it('should parenthesise only where precedence needs it', () => {
    expect(printExpression(parseExpression('a-(b+c)'))).toBe('a-(b+c)');
    expect(printExpression(parseExpression('a/(b*c)'))).toBe('a/(b*c)');
    expect(printExpression(parseExpression('(a+b)^2'))).toBe('(a+b)^2');
    expect(printExpression(parseExpression('x^(-1)'))).toBe('x^(-1)');
    expect(printExpression(parseExpression('-(a+b)'))).toBe('-(a+b)');
  });
});

describe('compileWithError', () => {
  it('should bound the rounding error of polynomials (against exact rational evaluation)', () => {
    // exact value: the polynomial as an exact Poly at the double point (toFixed(90) is the exact decimal
    // expansion of a double with |x| > 1e−9: at most 82 fractional bits); the difference is taken exactly too
    const exactText = (x: number) => (x < 0 ? `-${(-x).toFixed(90)}` : x.toFixed(90));
    // tiny non-zero doubles have longer exact expansions than toFixed can print
    const coordinate = fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }).filter((x) => x === 0 || Math.abs(x) > 1e-9);
    let rounded = 0;
    fc.assert(
      fc.property(polynomialTextArb, coordinate, coordinate, (text, x, y) => {
        const r = compileWithError(text, ['x', 'y'])(x, y);
        // toFixed prints exponential notation from 1e21 on
        fc.pre(Math.abs(r.value) < 1e20);
        const exact = Poly.parse(text).substitute({ x: Poly.parse(exactText(x)), y: Poly.parse(exactText(y)) });
        const diff = Poly.parse(exactText(r.value)).sub(exact).constantValue()!;
        const d = Math.abs(rationalToNumber(diff));
        if (d > 0) rounded++;
        // first-order bound: allow the documented safety factor 4
        expect(d).toBeLessThanOrEqual(4 * r.error);
      }),
      { seed: SEED, numRuns: 400 },
    );
    // the property must have seen actual rounding errors, or it tests nothing
    expect(rounded).toBeGreaterThan(10);
  });

  it('should count rounded operations', () => {
    expect(compileWithError('x*y + 1', ['x', 'y'])(2, 3).operations).toBe(2);
  });
});

describe('texExpression', () => {
  it('should print Greek names, subscripts, fractions and roots', () => {
    expect(texExpression('Delta + L*(L-1)/(L^2 + nu*(L-1))')).toBe('\\Delta + \\frac{L\\,\\left(L - 1\\right)}{L^{2} + \\nu\\,\\left(L - 1\\right)}');
    expect(texExpression('sqrt(nu)*m_vv^2*chi_e')).toBe('\\sqrt{\\nu}\\,m_{vv}^{2}\\,\\chi_{e}');
    expect(texExpression('exp(-x^2/2)')).toBe('e^{\\frac{-x^{2}}{2}}');
  });

  it('should print lists and equations of a step', () => {
    expect(texStatement('[m = c*(L-1)/L, m_vv = 1/L]')).toBe('\\left[m = \\frac{c\\,\\left(L - 1\\right)}{L},\\ m_{vv} = \\frac{1}{L}\\right]');
    expect(splitTopLevel('a, f(b, c), [d, e]', ',')).toEqual(['a', 'f(b, c)', '[d, e]']);
  });
});
