import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { type ConcaveLog, integrateLogConcave } from '../../src/numerics/logconcave.ts';

const EPS = Number.EPSILON;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** ψ(u) = log(Gaussian N(u; a, b²)·e^{t u}) written out, with derivatives. */
function gaussTilt(a: number, b: number, t: number): ConcaveLog {
  return {
    logf: (u) => -0.5 * ((u - a) / b) ** 2 - Math.log(b) - LOG_SQRT_2PI + t * u,
    derivs: (u, d) => {
      d[0] = -0.5 * ((u - a) / b) ** 2 - Math.log(b) - LOG_SQRT_2PI + t * u;
      d[1] = -(u - a) / (b * b) + t;
      d[2] = -1 / (b * b);
    },
  };
}

/** ψ(u) = ju − e^u: e^ψ is κ^j e^{−κ} in u = log κ, whose integral is Γ(j). */
function gammaLog(j: number): ConcaveLog {
  return {
    logf: (u) => j * u - Math.exp(u),
    derivs: (u, d) => {
      const k = Math.exp(u);
      d[0] = j * u - k;
      d[1] = j - k;
      d[2] = -k;
    },
  };
}

/** ψ(u) = −|u|: a kink at the mode; ∫ e^{−|u|} = 2. */
const laplaceLog: ConcaveLog = {
  logf: (u) => -Math.abs(u),
  derivs: (u, d) => {
    d[0] = -Math.abs(u);
    d[1] = u > 0 ? -1 : u < 0 ? 1 : 0;
    d[2] = 0;
  },
};

interface Case {
  name: string;
  psi: ConcaveLog;
  lo: number;
  hi: number;
  /** exact value and its derivation */
  exact: number;
  /** the reported relative error must be below this (default 1e−9) */
  tight?: number;
}

// closed forms: Gaussian integrals (∫N e^{tu} = e^{ta + t²b²/2}, the moment generating function), Γ(j)
const CASES: Case[] = [
  { name: 'N(0, 1)', psi: gaussTilt(0, 1, 0), lo: -1, hi: 1, exact: 1 },
  // nodes near u = 3 are known to 3·eps absolutely, 7e−10 of the width 1e−6: the bound carries 8× that
  { name: 'a narrow Gaussian N(3, 1e-12)', psi: gaussTilt(3, 1e-6, 0), lo: 2, hi: 4, exact: 1, tight: 1e-8 },
  { name: 'a wide Gaussian N(−50, 1e8)', psi: gaussTilt(-50, 1e4, 0), lo: -100, hi: 0, exact: 1 },
  { name: 'N(1, 4)·e^{3u} (mgf e^{3 + 18})', psi: gaussTilt(1, 2, 3), lo: 0, hi: 20, exact: Math.exp(3 + 18) },
  { name: 'N(−300, 100)·e^{2u} (mgf e^{−600 + 200}, a value of 1e−174)', psi: gaussTilt(-300, 10, 2), lo: -1000, hi: 1000, exact: Math.exp(-600 + 200) },
  { name: 'Gumbel density e^{u − e^u} (Γ(1))', psi: gammaLog(1), lo: -5, hi: 5, exact: 1 },
  { name: 'κ²e^{−κ} in u (Γ(2) = 1)', psi: gammaLog(2), lo: -5, hi: 5, exact: 1 },
  { name: 'κ^{10}e^{−κ} in u (Γ(10) = 362880)', psi: gammaLog(10), lo: -5, hi: 5, exact: 362880 },
  { name: 'e^{−|u|} (a kink at the mode)', psi: laplaceLog, lo: -1, hi: 1, exact: 2 },
];

describe('integrateLogConcave', () => {
  it.each(CASES)('should integrate $name to within its reported error, which is tight', ({ psi, lo, hi, exact, tight }) => {
    const r = integrateLogConcave(psi, lo, hi);
    const diff = Math.abs(r.value - exact);
    // the bound must hold; and it must say something (relative 1e−9 at most for these smooth cases)
    expect(diff, `got ${r.value} ± ${r.error}, exact ${exact}, diff ${diff}`).toBeLessThanOrEqual(r.error);
    expect(r.error / exact).toBeLessThan(tight ?? 1e-9);
  });

  it('should keep values that underflow a double in its scaled form (value = e^{logPeak}·scaled)', () => {
    // N(−2000, 1)·e^{u}: the integral is e^{−2000 + 1/2}, far below the smallest double
    const r = integrateLogConcave(gaussTilt(-2000, 1, 1), -2010, -1990);
    expect(r.value).toBe(0);
    const logValue = r.logPeak + Math.log(r.scaled);
    expect(Math.abs(logValue - (-2000 + 0.5))).toBeLessThan(1e-9);
  });

  it('should add a rigorous tail bound when the tails are cut early (truncation = 8)', () => {
    // ∫ φ = 1; panels dropping by ≤ 2 each stop where ψ has dropped by 8 to 11 (|u| ≈ 4 to 4.7), leaving
    // 2Q(|u|) ≥ 2Q(4.7) = 2.6e−6 outside: the bound must cover it
    const r = integrateLogConcave(gaussTilt(0, 1, 0), -1, 1, { firstDrop: 2, growth: 0, maxDrop: 2, truncation: 8 });
    expect(Math.abs(r.value - 1)).toBeLessThanOrEqual(r.error);
    expect(Math.abs(r.value - 1)).toBeGreaterThan(2.6e-6);
  });

  it('should widen a bracket that does not hold the mode', () => {
    const r = integrateLogConcave(gaussTilt(100, 1, 0), -3, 3);
    expect(Math.abs(r.value - 1)).toBeLessThanOrEqual(r.error);
    expect(Math.abs(r.mode - 100)).toBeLessThan(1e-6);
  });

  it('should report the work done (panels and evaluations)', () => {
    const r = integrateLogConcave(gammaLog(1), -5, 5);
    expect(r.panels).toBeGreaterThanOrEqual(4);
    expect(r.evaluations).toBeGreaterThanOrEqual(21 * r.panels);
    expect(r.evaluations).toBeLessThan(400);
  });

  it('should reject a bracket that is not an interval of numbers', () => {
    expect(() => integrateLogConcave(gammaLog(1), 1, 0)).toThrow(InvalidInputError);
    expect(() => integrateLogConcave(gammaLog(1), Number.NaN, 0)).toThrow(InvalidInputError);
  });

  it('should carry the rounding of exp(ψ) at large |ψ| in its error (relative ≥ |ψ*|·eps)', () => {
    const r = integrateLogConcave(gaussTilt(0, 1, 30), 0, 60); // peak ψ* = 450
    expect(r.error / r.value).toBeGreaterThanOrEqual(450 * EPS);
    expect(Math.abs(r.value - Math.exp(450)) / Math.exp(450)).toBeLessThanOrEqual(r.error / r.value);
  });
  it('should find a mode far left of a bracket end where e^u dominates ψ′ (Newton alone crawls 1 per step)', () => {
    // N(a, b²)·κe^{−κ} in u with a = −721.46, b² = 401 (the spiked-SLR ν = 401 integrand M1): the mode is
    // a + b²(1 − κ*) ≈ −320.46 with κ* ≈ e^{−320}; from u = 483, where ψ′ ≈ −e^u, a Newton step is ≈ 1 long
    // and 100 plain Newton steps ended at u ≈ 382 (value NaN). Exact: e^{a + b²/2}·(1 − O(e^{−320})).
    const a = -721.4649742439898;
    const b = Math.sqrt(401);
    const psi: ConcaveLog = {
      logf: (u) => -0.5 * ((u - a) / b) ** 2 - Math.log(b) - LOG_SQRT_2PI + u - Math.exp(u),
      derivs: (u, d) => {
        const k = Math.exp(u);
        d[0] = -0.5 * ((u - a) / b) ** 2 - Math.log(b) - LOG_SQRT_2PI + u - k;
        d[1] = -(u - a) / (b * b) + 1 - k;
        d[2] = -1 / (b * b) - k;
      },
    };
    const r = integrateLogConcave(psi, -1123, 483);
    const logExact = a + 0.5 * b * b;
    expect(Math.abs(r.mode - (a + b * b))).toBeLessThan(1e-7 * b); // the stopping rule: 1e−7 of the width of e^ψ
    const diff = Math.abs(r.logPeak + Math.log(r.scaled) - logExact);
    // relative error of the value ≈ difference of the logs; |ψ| ≈ 525 makes the rounding term ≈ 5e−13
    expect(diff, `log value ${r.logPeak + Math.log(r.scaled)}, exact ${logExact}`).toBeLessThanOrEqual(r.scaledError / r.scaled + 1e-13);
    expect(r.scaledError / r.scaled).toBeLessThan(1e-10);
    expect(r.evaluations).toBeLessThan(1000);
  });
});
