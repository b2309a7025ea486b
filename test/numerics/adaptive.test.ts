import { describe, expect, it } from 'vitest';
import { InvalidInputError, NumericalRangeError } from '../../src/errors.ts';
import {
  GAUSS7_WEIGHTS,
  GAUSS_WEIGHTS,
  KRONROD15_NODES,
  KRONROD15_WEIGHTS,
  KRONROD_NODES,
  KRONROD_WEIGHTS,
  type QuadratureOptions,
  integrate,
  integrateFixed,
  integrateVector,
} from '../../src/numerics/adaptive.ts';
import { gaussLegendre } from '../../src/numerics/gauss-rules.ts';

const EPS = Number.EPSILON;
const SQRT_PI = Math.sqrt(Math.PI);
const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

interface Case {
  name: string;
  f: (x: number) => number;
  a: number;
  b: number;
  /** exact value and where it comes from */
  exact: number;
  opts?: QuadratureOptions;
}

/*
 * Integrals with known values. "closed form" values are evaluated in double
 * precision (≤ a few ulp, far below the tolerances); "mpmath" values were
 * computed with mpmath 1.3.0 at 40 significant digits (mp.dps = 40) and are
 * quoted to 17 digits.
 */
const CASES: Case[] = [
  { name: 'Gaussian tail ∫_30^∞ φ = Q(30)', f: phi, a: 30, b: Infinity, exact: 4.906713927148187e-198 /* mpmath erfc(30/√2)/2 */ },
  { name: 'Gaussian lower tail ∫_−∞^−5 φ = Q(5)', f: phi, a: -Infinity, b: -5, exact: 2.866515718791939e-7 /* mpmath */ },
  {
    name: 'smoothed step ∫ exp(−e^{50x}) φ(x) dx over R',
    f: (x) => Math.exp(-Math.exp(50 * x)) * phi(x),
    a: -Infinity,
    b: Infinity,
    exact: 0.4953973778281092, // mpmath: Φ(−10) + quad over [−10, 1] split at the step
  },
  {
    name: 'logistic step ∫ φ(x)/(1 + e^{−200(x−0.3)}) dx with a breakpoint at 0.3',
    f: (x) => phi(x) / (1 + Math.exp(-200 * (x - 0.3))),
    a: -Infinity,
    b: Infinity,
    exact: 0.3820932826005295, // mpmath: quad over [−10, 10] split at the step + Q(10) upper tail
    opts: { breakpoints: [0.3] },
  },
  { name: '∫_0^∞ e^{−x} x³ = 3! = 6', f: (x) => Math.exp(-x) * x ** 3, a: 0, b: Infinity, exact: 6 },
  { name: '∫_0^∞ e^{−x} x^{1/2} = Γ(3/2)', f: (x) => Math.exp(-x) * Math.sqrt(x), a: 0, b: Infinity, exact: 0.886226925452758 /* mpmath Γ(1.5) = √π/2 */ },
  { name: '∫_0^∞ e^{−x} x^{5/2} = Γ(7/2)', f: (x) => Math.exp(-x) * x ** 2.5, a: 0, b: Infinity, exact: 3.323350970447843 /* mpmath Γ(3.5) */ },
  { name: '∫_R e^{−x²} = √π', f: (x) => Math.exp(-x * x), a: -Infinity, b: Infinity, exact: SQRT_PI },
  { name: '∫_R x² e^{−x²} = √π/2', f: (x) => x * x * Math.exp(-x * x), a: -Infinity, b: Infinity, exact: SQRT_PI / 2 },
  { name: '∫_R x⁴ φ = 3', f: (x) => x ** 4 * phi(x), a: -Infinity, b: Infinity, exact: 3 },
  // e^x·φ(x) written as one exponential: e^{920}·φ(920) would be ∞·0 = NaN (and throw)
  { name: '∫_R e^x φ = e^{1/2}', f: (x) => Math.exp(x - 0.5 * x * x) / Math.sqrt(2 * Math.PI), a: -Infinity, b: Infinity, exact: Math.exp(0.5) },
  { name: '∫_R 1/(1 + x²) = π', f: (x) => 1 / (1 + x * x), a: -Infinity, b: Infinity, exact: Math.PI },
  { name: '∫_R cos(3x) e^{−x²} = √π e^{−9/4}', f: (x) => Math.cos(3 * x) * Math.exp(-x * x), a: -Infinity, b: Infinity, exact: 0.1868152614571317 /* mpmath */ },
  { name: '∫_−∞^0 e^x = 1', f: Math.exp, a: -Infinity, b: 0, exact: 1 },
  { name: '∫_1^∞ x^{−2} = 1', f: (x) => 1 / (x * x), a: 1, b: Infinity, exact: 1 },
  { name: '∫_1^∞ x^{−3/2} = 2 (slow algebraic decay)', f: (x) => x ** -1.5, a: 1, b: Infinity, exact: 2 },
  { name: '∫_0^∞ e^{−x} cos x = 1/2', f: (x) => Math.exp(-x) * Math.cos(x), a: 0, b: Infinity, exact: 0.5 },
  { name: '∫_0^∞ 1/(1 + x)² = 1', f: (x) => 1 / (1 + x) ** 2, a: 0, b: Infinity, exact: 1 },
  { name: 'oscillatory ∫_0^1 cos(50x) = sin(50)/50', f: (x) => Math.cos(50 * x), a: 0, b: 1, exact: -0.005247497074078576 /* mpmath */ },
  { name: 'oscillatory ∫_0^{2π} x² cos(20x) = 4π/400', f: (x) => x * x * Math.cos(20 * x), a: 0, b: 2 * Math.PI, exact: (4 * Math.PI) / 400 },
  { name: 'oscillatory ∫_0^{10π} sin²(x) = 5π', f: (x) => Math.sin(x) ** 2, a: 0, b: 10 * Math.PI, exact: 5 * Math.PI },
  { name: 'Runge ∫_−1^1 1/(1 + 25x²) = (2/5) atan 5', f: (x) => 1 / (1 + 25 * x * x), a: -1, b: 1, exact: 0.5493603067780063 /* mpmath */ },
  { name: 'peak ∫_−1^1 1/(1e−4 + x²) = 200 atan 100', f: (x) => 1 / (1e-4 + x * x), a: -1, b: 1, exact: 312.1593320216463 /* mpmath */ },
  { name: 'endpoint singularity ∫_0^1 x^{−1/2} = 2', f: (x) => 1 / Math.sqrt(x), a: 0, b: 1, exact: 2 },
  { name: 'endpoint singularity ∫_0^1 log x = −1', f: Math.log, a: 0, b: 1, exact: -1 },
  { name: '∫_0^1 √x = 2/3', f: Math.sqrt, a: 0, b: 1, exact: 2 / 3 },
  { name: 'kink ∫_0^1 |x − 1/3| = 5/18 (no breakpoint)', f: (x) => Math.abs(x - 1 / 3), a: 0, b: 1, exact: 5 / 18 },
  { name: 'kink ∫_0^1 |x − 1/3| = 5/18 (breakpoint)', f: (x) => Math.abs(x - 1 / 3), a: 0, b: 1, exact: 5 / 18, opts: { breakpoints: [1 / 3] } },
  { name: 'jump ∫_0^1 [x > 0.3] = 0.7 (no breakpoint)', f: (x) => (x > 0.3 ? 1 : 0), a: 0, b: 1, exact: 0.7 },
  {
    name: 'narrow peak ∫_0^1 exp(−(x−0.3)²/2e−6) = 1e−3√(2π) (breakpoint)',
    f: (x) => Math.exp(-(((x - 0.3) / 1e-3) ** 2) / 2),
    a: 0,
    b: 1,
    exact: 1e-3 * Math.sqrt(2 * Math.PI), // closed form; the tails beyond [0, 1] are < e^{−45000}
    opts: { breakpoints: [0.3] },
  },
  { name: 'polynomial ∫_−2^3 (x³ − x + 1) = 18.75', f: (x) => x ** 3 - x + 1, a: -2, b: 3, exact: 18.75 },
  { name: 'backwards ∫_∞^0 e^{−x} = −1', f: (x) => Math.exp(-x), a: Infinity, b: 0, exact: -1 },
  { name: 'tight tolerance ∫_0^π sin = 2 at relTol 1e−13', f: Math.sin, a: 0, b: Math.PI, exact: 2, opts: { relTol: 1e-13, absTol: 0 } },
];

describe('known integrals', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const r = integrate(c.f, c.a, c.b, c.opts);
    expect(r.converged).toBe(true);
    expect(r.method).toBe('gauss-kronrod-21 adaptive');
    // the reported error is meant as a bound: check it, plus ½ ulp for rounding the exact value
    expect(Math.abs(r.value - c.exact), `value ${r.value}, error ${r.error}`).toBeLessThanOrEqual(r.error + 0.5 * EPS * Math.abs(c.exact));
    // and the requested accuracy was reached (defaults: absTol 1e−12, relTol 1e−10),
    // unless it was below the round-off floor (then flagged)
    const relTol = c.opts?.relTol ?? 1e-10;
    const absTol = c.opts?.absTol ?? 1e-12;
    if (!r.roundoffLimited) expect(r.error).toBeLessThanOrEqual(Math.max(absTol, relTol * Math.abs(r.value)));
    // evaluations: 21 per initial piece, 42 per bisection
    expect(r.evaluations % 21).toBe(0);
  });

  it.each([21, 15] as const)('|true error| ≤ reported error over a sweep of tolerances and parameters (rule %i)', (rule) => {
    // families with closed forms: ∫_0^1 cos(ωx) = sin ω/ω, ∫_0^∞ x^k e^{−λx} = k!/λ^{k+1},
    // ∫_R e^{−(x−μ)²/(2s²)} = s√(2π); each at several tolerances
    let checked = 0;
    for (const relTol of [1e-4, 1e-7, 1e-10, 1e-13]) {
      const opts = { relTol, absTol: 0, rule };
      for (const w of [1, 7.5, 30, 100, 333]) {
        const r = integrate((x) => Math.cos(w * x), 0, 1, opts);
        const exact = Math.sin(w) / w;
        expect(Math.abs(r.value - exact), `cos ${w} @${relTol}`).toBeLessThanOrEqual(r.error + EPS * Math.abs(exact));
        checked++;
      }
      for (const k of [0, 1, 4, 9]) {
        for (const lambda of [0.05, 1, 20]) {
          let fact = 1;
          for (let i = 2; i <= k; i++) fact *= i;
          const exact = fact / lambda ** (k + 1);
          const r = integrate((x) => x ** k * Math.exp(-lambda * x), 0, Infinity, opts);
          // closed form evaluated with ≤ k + 2 roundings
          expect(Math.abs(r.value - exact), `x^${k}e^(-${lambda}x) @${relTol}`).toBeLessThanOrEqual(r.error + (k + 2) * EPS * exact);
          checked++;
        }
      }
      for (const [mu, s] of [
        [0, 1],
        [3, 0.01],
        [-40, 5],
        [1e3, 30],
      ]) {
        const r = integrate((x) => Math.exp(-0.5 * ((x - mu) / s) ** 2), -Infinity, Infinity, { ...opts, breakpoints: [mu] });
        const exact = s * Math.sqrt(2 * Math.PI);
        expect(Math.abs(r.value - exact), `gauss ${mu},${s} @${relTol}`).toBeLessThanOrEqual(r.error + 2 * EPS * exact);
        checked++;
      }
    }
    expect(checked).toBe(4 * (5 + 12 + 4));
  });
});

describe('non-convergence and errors', () => {
  it('reports converged = false (and an honest error) when maxIntervals is hit', () => {
    // ∫_0^1 sin(1/x) dx = 0.50406706190692837… (mpmath, 40 digits); infinitely many oscillations at 0
    const r = integrate((x) => Math.sin(1 / x), 0, 1, { maxIntervals: 50 });
    expect(r.converged).toBe(false);
    expect(r.intervals).toBe(50);
    expect(Math.abs(r.value - 0.5040670619069284)).toBeLessThanOrEqual(r.error);
    // a divergent integral never converges
    const d = integrate((x) => 1 / x, 0, 1, { maxIntervals: 200 });
    expect(d.converged).toBe(false);
  });

  it('throws NumericalRangeError naming x for NaN or infinite integrand values', () => {
    expect(() => integrate((x) => (x < 0.5 ? 1 : NaN), 0, 1)).toThrow(NumericalRangeError);
    expect(() => integrate((x) => (x < 0.5 ? 1 : NaN), 0, 1)).toThrow(/x = 0\.[5-9]/);
    expect(() => integrate((x) => (x > 0.7 ? Infinity : 0), 0, 1)).toThrow(/Infinity at x = /);
    expect(() => integrateVector((x, out) => ((out[0] = 1), (out[1] = NaN)), 2, 0, 1)).toThrow(/component 1 is NaN/);
  });

  it('rejects bad arguments with InvalidInputError', () => {
    const f = (x: number) => x;
    expect(() => integrate(f, NaN, 1)).toThrow(InvalidInputError);
    expect(() => integrate(f, 0, 1, { relTol: -1 })).toThrow(InvalidInputError);
    expect(() => integrate(f, 0, 1, { absTol: NaN })).toThrow(InvalidInputError);
    expect(() => integrate(f, 0, 1, { maxIntervals: 0 })).toThrow(InvalidInputError);
    expect(() => integrate(f, 0, 1, { breakpoints: [NaN] })).toThrow(InvalidInputError);
    expect(() => integrateVector(() => {}, 0, 0, 1)).toThrow(InvalidInputError);
    expect(() => integrateVector(() => {}, 2, 0, 1, { controlled: 3 })).toThrow(InvalidInputError);
  });

  it('handles empty and degenerate ranges', () => {
    expect(integrate(Math.exp, 2, 2)).toMatchObject({ value: 0, error: 0, converged: true, evaluations: 0 });
    expect(integrate(Math.exp, Infinity, Infinity).value).toBe(0);
  });

  it('falls back to the round-off floor when the tolerance is unreachable', () => {
    // ∫_−1^1 x dx = 0 (closed form): relTol·|I| = 0 and absTol = 0 cannot be met; the
    // floor 100·eps·∫|f| is used instead
    const r = integrate((x) => x, -1, 1, { absTol: 0 });
    expect(r.converged).toBe(true);
    expect(r.roundoffLimited).toBe(true);
    expect(Math.abs(r.value)).toBeLessThanOrEqual(r.error);
    expect(r.error).toBeLessThanOrEqual(100 * EPS * 1); // ∫|x| = 1
  });
});

describe('breakpoints and infinite ranges', () => {
  it('uses breakpoints inside the range and ignores those outside', () => {
    const r = integrate((x) => Math.abs(x - 1 / 3), 0, 1, { breakpoints: [1 / 3, -5, 7, 1] });
    // with the kink at an interval end, K21 is exact on both linear pieces: 2 pieces, no bisection
    expect(r.intervals).toBe(2);
    expect(r.evaluations).toBe(42);
    expect(Math.abs(r.value - 5 / 18)).toBeLessThanOrEqual(r.error + EPS);
  });

  it('anchors (−∞, ∞) at the breakpoints', () => {
    // ∫ φ(x − 100): the mass sits far from 0; anchored at 100 it is found at once
    const r = integrate((x) => phi(x - 100), -Infinity, Infinity, { breakpoints: [100] });
    expect(Math.abs(r.value - 1)).toBeLessThanOrEqual(r.error + EPS);
    expect(r.converged).toBe(true);
  });

  it('is re-entrant (nested integrals)', () => {
    // ∫_0^1 ∫_0^x y dy dx = ∫_0^1 x²/2 dx = 1/6 (closed form)
    const r = integrate((x) => integrate((y) => y, 0, x).value, 0, 1);
    expect(Math.abs(r.value - 1 / 6)).toBeLessThanOrEqual(r.error + 1e-15);
  });
});

describe('integrateVector', () => {
  it('integrates all components on one subdivision, each with its own error', () => {
    // E[1], E[X²], E[X⁴], E[e^X] under N(0, 1): 1, 1, 3, e^{1/2} (closed forms)
    const exact = [1, 1, 3, Math.exp(0.5)];
    const r = integrateVector(
      (x, out) => {
        const p = phi(x);
        out[0] = p;
        out[1] = x * x * p;
        out[2] = x ** 4 * p;
        out[3] = Math.exp(x - 0.5 * x * x) / Math.sqrt(2 * Math.PI);
      },
      4,
      -Infinity,
      Infinity,
    );
    expect(r.converged).toBe(true);
    expect(r.method).toBe('gauss-kronrod-21 adaptive');
    for (let j = 0; j < 4; j++) {
      expect(Math.abs(r.values[j] - exact[j]), `component ${j}`).toBeLessThanOrEqual(r.errors[j] + EPS * exact[j]);
      expect(r.errors[j]).toBeLessThanOrEqual(1e-10 * exact[j]);
    }
  });

  it('refines for a component with a small integral at its own relative tolerance', () => {
    // component 1 is 1e−8 × a narrow-ish bump: its relative tolerance, not component 0's, drives refinement
    const r = integrateVector(
      (x, out) => {
        out[0] = 1;
        out[1] = 1e-8 * Math.exp(-(((x - 0.5) / 0.01) ** 2));
      },
      2,
      0,
      1,
      { relTol: 1e-10, absTol: 0 },
    );
    const exact1 = 1e-8 * 0.01 * Math.sqrt(Math.PI); // closed form; tails beyond [0,1] < e^{−2500}
    expect(r.converged).toBe(true);
    expect(Math.abs(r.values[1] - exact1)).toBeLessThanOrEqual(r.errors[1] + 2 * EPS * exact1);
    expect(r.errors[1]).toBeLessThanOrEqual(1e-10 * exact1);
  });

  it('lets uncontrolled components ride along', () => {
    // component 1 (a wild integrand) does not drive the refinement when controlled = 1
    const r = integrateVector(
      (x, out) => {
        out[0] = x;
        out[1] = Math.sin(1 / x);
      },
      2,
      0,
      1,
      { controlled: 1 },
    );
    expect(r.converged).toBe(true);
    expect(r.intervals).toBe(1);
    expect(r.errors[1]).toBeGreaterThan(1e-6); // …but its (large) error is still reported
  });

  it('reports non-convergence of any controlled component', () => {
    const r = integrateVector(
      (x, out) => {
        out[0] = x;
        out[1] = Math.sin(1 / x);
      },
      2,
      0,
      1,
      { maxIntervals: 30 },
    );
    expect(r.converged).toBe(false);
    expect(r.intervals).toBe(30);
  });

  it("should measure the tolerance against ∫|f| with relativeTo 'magnitude' (a cancelling component stops being chased)", () => {
    // ∫_{−1}^{1} x e^{−(x−1e−9)²·50} dx ≈ 0 by symmetry; relative to |value| its target is ~0 and the rule
    // bisects to its limit, relative to ∫|f| = 0.02 it is met at once; the value is the same either way
    const f = (x: number, out: Float64Array) => {
      out[0] = x * Math.exp(-50 * (x - 1e-9) ** 2);
    };
    const byValue = integrateVector(f, 1, -1, 1, { relTol: 1e-12, absTol: 0, maxIntervals: 200 });
    const byMagnitude = integrateVector(f, 1, -1, 1, { relTol: 1e-12, absTol: 0, relativeTo: 'magnitude' });
    expect(byMagnitude.converged).toBe(true);
    expect(byMagnitude.evaluations).toBeLessThan(byValue.evaluations);
    expect(Math.abs(byMagnitude.values[0] - byValue.values[0])).toBeLessThanOrEqual(byMagnitude.errors[0] + byValue.errors[0]);
    expect(() => integrateVector(f, 1, 0, 1, { relativeTo: 'other' as 'value' })).toThrow(InvalidInputError);
  });

  it('zeroes `out` before each call', () => {
    const r = integrateVector(
      (x, out) => {
        out[0] += 1; // accumulates into a zeroed buffer: integrand 1
      },
      1,
      0,
      2,
    );
    expect(r.values[0]).toBeCloseTo(2, 14);
  });
});

describe('integrateVector from an earlier subdivision (startFrom, keepSubdivision)', () => {
  // a peaked integrand on (−∞, 3] (a half-line piece and finite pieces), and a neighbour of it
  const peaked = (c: number) => (x: number, out: Float64Array) => {
    out[0] = Math.exp(-0.5 * (x - c) ** 2) / (1 + 0.1 * x * x);
    out[1] = x * out[0];
  };
  const opts: QuadratureOptions = { relTol: 1e-10, absTol: 1e-14, breakpoints: [-1, 0.3], rule: 15 };

  it('should return the final intervals, which tile the range (mapped half-lines included)', () => {
    const r = integrateVector(peaked(0.3), 2, -Infinity, 3, { ...opts, keepSubdivision: true });
    const sub = r.subdivision!;
    expect(sub.lo.length).toBe(r.intervals);
    expect([sub.a, sub.b, sub.rule]).toEqual([-Infinity, 3, 15]);
    // finite intervals tile [x0, 3] with the half-line's mapped pieces tiling t ∈ (0, 1] at x0
    const finite = [...sub.lo.keys()].filter((i) => sub.kind[i] === 0);
    const mapped = [...sub.lo.keys()].filter((i) => sub.kind[i] !== 0);
    const x0 = Math.min(...finite.map((i) => sub.lo[i]));
    expect(finite.reduce((acc, i) => acc + (sub.hi[i] - sub.lo[i]), 0)).toBeCloseTo(3 - x0, 13);
    expect(mapped.reduce((acc, i) => acc + (sub.hi[i] - sub.lo[i]), 0)).toBeCloseTo(1, 13);
    for (const i of mapped) expect(sub.origin[i]).toBe(x0);
    expect(integrateVector(peaked(0.3), 2, -Infinity, 3, opts).subdivision).toBeUndefined();
  });

  it("should give a neighbour's integral within the error bounds, with fewer evaluations, from the earlier subdivision", () => {
    const first = integrateVector(peaked(0.3), 2, -Infinity, 3, { ...opts, keepSubdivision: true });
    const fresh = integrateVector(peaked(0.30003), 2, -Infinity, 3, opts);
    const reused = integrateVector(peaked(0.30003), 2, -Infinity, 3, { ...opts, startFrom: first.subdivision });
    expect(reused.converged).toBe(true);
    for (const j of [0, 1]) expect(Math.abs(reused.values[j] - fresh.values[j])).toBeLessThanOrEqual(reused.errors[j] + fresh.errors[j]);
    expect(reused.evaluations).toBe(15 * first.intervals);
    expect(reused.evaluations).toBeLessThan(fresh.evaluations);
  });

  it('should still refine where the earlier subdivision is too coarse for the new integrand', () => {
    const coarse = integrateVector(peaked(0.3), 2, -Infinity, 3, { ...opts, relTol: 1e-4, keepSubdivision: true });
    const r = integrateVector(peaked(0.3), 2, -Infinity, 3, { ...opts, startFrom: coarse.subdivision });
    const fresh = integrateVector(peaked(0.3), 2, -Infinity, 3, opts);
    expect(r.converged).toBe(true);
    expect(r.intervals).toBeGreaterThan(coarse.intervals);
    for (const j of [0, 1]) expect(Math.abs(r.values[j] - fresh.values[j])).toBeLessThanOrEqual(r.errors[j] + fresh.errors[j]);
  });

  it('should ignore a subdivision made for other limits or another rule', () => {
    const other = integrateVector(peaked(0.3), 2, -Infinity, 2, { ...opts, keepSubdivision: true });
    const fresh = integrateVector(peaked(0.3), 2, -Infinity, 3, opts);
    const r = integrateVector(peaked(0.3), 2, -Infinity, 3, { ...opts, startFrom: other.subdivision });
    expect(r.evaluations).toBe(fresh.evaluations);
    expect(Array.from(r.values)).toEqual(Array.from(fresh.values));
    const k21 = integrateVector(peaked(0.3), 2, -Infinity, 3, { ...opts, rule: 21, keepSubdivision: true });
    expect(integrateVector(peaked(0.3), 2, -Infinity, 3, { ...opts, startFrom: k21.subdivision }).evaluations).toBe(fresh.evaluations);
  });
});

describe('rule constants and integrateFixed', () => {
  it('K21 is exact to degree 31 and G10 to degree 19 (QUADPACK constants)', () => {
    // ∫_−1^1 x^k = 2/(k+1) for even k (closed form); a 21-term sum of positive terms
    // ≤ 1 with rounding ≤ 21·eps relative
    for (let k = 0; k <= 30; k += 2) {
      let sk = KRONROD_WEIGHTS[10] * (k === 0 ? 1 : 0);
      for (let i = 0; i < 10; i++) sk += 2 * KRONROD_WEIGHTS[i] * KRONROD_NODES[i] ** k;
      expect(Math.abs(sk - 2 / (k + 1)), `K21 degree ${k}`).toBeLessThanOrEqual(21 * EPS);
      if (k <= 18) {
        let sg = 0;
        for (let i = 0; i < 5; i++) sg += 2 * GAUSS_WEIGHTS[i] * KRONROD_NODES[2 * i + 1] ** k;
        expect(Math.abs(sg - 2 / (k + 1)), `G10 degree ${k}`).toBeLessThanOrEqual(10 * EPS);
      }
    }
    // and not beyond (degree 32 for K21, 20 for G10): the rules are what they claim
    let s32 = 0;
    for (let i = 0; i < 10; i++) s32 += 2 * KRONROD_WEIGHTS[i] * KRONROD_NODES[i] ** 32;
    expect(Math.abs(s32 - 2 / 33)).toBeGreaterThan(1e-12);
  });

  it('K15 is exact to degree 22 and G7 to degree 13 (QUADPACK dqk15 constants)', () => {
    // as for K21: ∫_−1^1 x^k = 2/(k+1) for even k; 15 positive terms, rounding ≤ 15·eps relative
    const n = KRONROD15_NODES.length - 1; // 7 positive nodes and 0
    for (let k = 0; k <= 22; k += 2) {
      let sk = KRONROD15_WEIGHTS[n] * (k === 0 ? 1 : 0);
      for (let i = 0; i < n; i++) sk += 2 * KRONROD15_WEIGHTS[i] * KRONROD15_NODES[i] ** k;
      expect(Math.abs(sk - 2 / (k + 1)), `K15 degree ${k}`).toBeLessThanOrEqual(15 * EPS);
      if (k <= 12) {
        let sg = GAUSS7_WEIGHTS[3] * (k === 0 ? 1 : 0);
        for (let i = 0; i < 3; i++) sg += 2 * GAUSS7_WEIGHTS[i] * KRONROD15_NODES[2 * i + 1] ** k;
        expect(Math.abs(sg - 2 / (k + 1)), `G7 degree ${k}`).toBeLessThanOrEqual(7 * EPS);
      }
    }
    let s24 = 0;
    for (let i = 0; i < n; i++) s24 += 2 * KRONROD15_WEIGHTS[i] * KRONROD15_NODES[i] ** 24;
    expect(Math.abs(s24 - 2 / 25)).toBeGreaterThan(1e-12);
  });

  it('rule 15 takes 15 evaluations per panel and names itself; any other rule is rejected', () => {
    const r = integrateVector((x, o) => (o[0] = Math.exp(x)), 1, 0, 1, { rule: 15 });
    expect(r.method).toBe('gauss-kronrod-15 adaptive');
    expect(r.evaluations % 15).toBe(0);
    expect(Math.abs(r.values[0] - Math.expm1(1))).toBeLessThanOrEqual(r.errors[0] + EPS);
    expect(() => integrateVector((x, o) => (o[0] = x), 1, 0, 1, { rule: 17 as unknown as 15 })).toThrow(InvalidInputError);
  });

  it('integrateFixed applies a Gauss–Legendre rule on [a, b]', () => {
    // 10-point Gauss–Legendre is exact for degree 19: ∫_1^3 x^19 = (3^20 − 1)/20 (closed form);
    // 10 positive terms of size ≤ 3^19·2, relative rounding ≤ 10·eps… plus node/weight accuracy (gauss-rules: 32 eps, 4n eps)
    const exact = (3 ** 20 - 1) / 20;
    expect(Math.abs(integrateFixed((x) => x ** 19, 1, 3, gaussLegendre(10)) - exact)).toBeLessThanOrEqual((10 + 19 * 32 + 40) * EPS * exact);
    expect(() => integrateFixed(() => NaN, 0, 1, gaussLegendre(3))).toThrow(NumericalRangeError);
    expect(() => integrateFixed((x) => x, 0, Infinity, gaussLegendre(3))).toThrow(InvalidInputError);
  });
});
