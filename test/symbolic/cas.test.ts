import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError, SlrError } from '../../src/errors.ts';
import {
  SymbolicError,
  SymbolicTimeoutError,
  casStatistics,
  coefficients,
  compile,
  diff,
  expand,
  normalize,
  shutdownCas,
  solvePolynomial,
  substitute,
  toTeX,
} from '../../src/symbolic/cas.ts';
import { checkDerivative, verifyNumerically } from '../../src/symbolic/verify-numerically.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';

reportSeed('symbolic/cas.test.ts');
afterAll(() => shutdownCas());

describe('expand / normalize / diff / coefficients', () => {
  it('should expand and differentiate polynomials (checked numerically)', () => {
    const e = expand('(a + b*x)^2*(c + y)');
    expect(verifyNumerically('(a + b*x)^2*(c + y)', e, ['a', 'b', 'c', 'x', 'y'], [-2, 2], SEED).passed).toBe(true);
    const d = diff('x^3*y + 2*x', 'x');
    expect(checkDerivative('x^3*y + 2*x', d, 'x', ['x', 'y'], [-2, 2], SEED).passed).toBe(true);
  });

  it('should list coefficients by power', () => {
    const cs = coefficients('a*x^2 + b*x + c', 'x');
    expect(cs.length).toBe(3);
    expect(verifyNumerically(`(${cs[0]}) + (${cs[1]})*x + (${cs[2]})*x^2`, 'a*x^2 + b*x + c', ['a', 'b', 'c', 'x'], [-2, 2], SEED).passed).toBe(true);
  });

  it('should reject what it cannot check: bad text, bad variable names', () => {
    expect(() => expand('x +* y')).toThrow(InvalidInputError);
    expect(() => diff('x', 'pi')).toThrow(InvalidInputError);
    expect(() => diff('x', '2x')).toThrow(InvalidInputError);
    expect(() => normalize('')).toThrow(InvalidInputError);
  });
});

describe('nerdamer mistakes the numeric checks catch', () => {
  // These record nerdamer-prime 1.5.0's behaviour. Each test asserts that our checker's verdict equals
  // the truth computed independently, so it stays correct if nerdamer is fixed.
  it('should catch d/dx(sqrt(nu)·x) coming out as ν^{1/4} (the checker agrees with the true derivative)', () => {
    const d = diff('sqrt(nu)*x', 'x');
    const right = verifyNumerically(d, 'sqrt(nu)', ['nu', 'x'], [0.5, 3], SEED).passed;
    const check = checkDerivative('sqrt(nu)*x', d, 'x', ['nu', 'x'], [0.5, 3], SEED);
    expect(check.passed).toBe(right);
    if (!right) console.info(`[cas.test] nerdamer diff(sqrt(nu)*x, x) = ${d}: caught — ${check.detail}`);
  });

  it('should catch the parse of exp(a)/(exp(a)+exp(b))', () => {
    const text = 'exp(nu*x)/(exp(nu*x)+exp(nu*y))';
    const n = normalize(text);
    const check = verifyNumerically(text, n, ['nu', 'x', 'y'], [-1, 1], SEED);
    // independent truth: the logistic form 1/(1 + e^{ν(y−x)}) at one point
    const f = compile(n, ['nu', 'x', 'y']);
    const right = Math.abs(f(0.7, 0.3, -0.4) - 1 / (1 + Math.exp(0.7 * (-0.4 - 0.3)))) < 1e-12;
    expect(check.passed).toBe(right);
    if (!right) console.info(`[cas.test] nerdamer reads ${text} as ${n}: caught — ${check.detail}`);
  });

  it('should fall back to LaTeX of the text as written when nerdamer’s normal form is wrong', () => {
    const tex = toTeX('exp(nu*x)/(exp(nu*x)+exp(nu*y))');
    expect(tex).toContain('\\frac');
    expect(tex).toContain('e^{\\nu\\,x}');
  });
});

describe('solvePolynomial', () => {
  it('should solve linear and quadratic equations by the root formulas (roots check by substitution)', () => {
    for (const [eq, v] of [
      ['2*x - 3*a', 'x'],
      ['L*m^2 - 2*m*c*(L-1) + 3', 'm'],
    ] as const) {
      const roots = solvePolynomial(eq, v);
      for (const r of roots) {
        const vars = v === 'x' ? ['a'] : ['L', 'c'];
        const box = v === 'x' ? [-2, 2] : { L: [2, 10], c: [2, 3] }; // c ≥ 2 keeps the discriminant positive
        expect(verifyNumerically(substitute(eq, { [v]: r }), '0', vars, box as never, SEED).passed).toBe(true);
      }
    }
  });

  it('should use nerdamer for higher degrees and on request', () => {
    const roots = solvePolynomial('x^3 - 6*x^2 + 11*x - 6', 'x');
    expect(roots.map((r) => compile(r, [])()).sort()).toEqual([1, 2, 3]);
    expect(solvePolynomial('2*x - 4', 'x', { method: 'nerdamer' }).map((r) => compile(r, [])())).toEqual([2]);
  });

  it('should reject equations that are not polynomials in the variable', () => {
    expect(() => solvePolynomial('exp(x) - 1', 'x')).toThrow(SymbolicError);
    expect(() => solvePolynomial('a + 1', 'x')).toThrow(SymbolicError);
  });
});

describe('substitute', () => {
  it('should replace simultaneously on our own syntax tree', () => {
    expect(verifyNumerically(substitute('x - 2*y', { x: 'y', y: 'x' }), 'y - 2*x', ['x', 'y'], [-2, 2], SEED).passed).toBe(true);
    expect(compile(substitute('x^2', { x: -3 }), [])()).toBe(9);
  });
});

describe('time limit', () => {
  it('should throw SymbolicTimeoutError (an SlrError) on a call that does not finish, and recover', () => {
    const before = casStatistics();
    const t0 = performance.now();
    let caught: unknown;
    try {
      expand('(a+b+c+d+f)^12', { timeoutMs: 300 });
    } catch (e) {
      caught = e;
    }
    const elapsed = performance.now() - t0;
    expect(caught).toBeInstanceOf(SymbolicTimeoutError);
    expect(caught).toBeInstanceOf(SlrError);
    expect((caught as Error).message).toMatch(/did not finish within 300 ms/);
    // the wait ends at the limit (plus scheduling slack on a loaded machine), not when nerdamer would finish
    expect(elapsed).toBeLessThan(300 + 5000);
    // the worker was replaced: the next call works and a new worker was started
    expect(expand('(x+1)^2')).toBe('1+2*x+x^2');
    const after = casStatistics();
    expect(after.timeouts - before.timeouts).toBe(1);
    expect(after.workerStarts - before.workerStarts).toBe(1);
  });

  it('should turn a nerdamer exception into SymbolicError and reject bad limits', () => {
    expect(() => expand('(0)^0')).toThrow(SymbolicError);
    expect(() => expand('x', { timeoutMs: -1 })).toThrow(InvalidInputError);
  });
});
