import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import {
  type GaussRule,
  _gaussLaguerreVia,
  _stats,
  gaussHermite,
  gaussHermiteNormal,
  gaussLaguerre,
  gaussLegendre,
} from '../../src/numerics/gauss-rules.ts';
import { logGamma } from '../../src/numerics/special.ts';
import reference from '../fixtures/special-reference.json' with { type: 'json' };

const EPS = Number.EPSILON;

/** Monic recurrence coefficients a_k, √β_k (k = 1..n−1) and μ₀ of each family (closed forms). */
interface Family {
  name: string;
  rule: (n: number) => GaussRule;
  a: (k: number) => number;
  sqrtBeta: (k: number) => number;
  mu0: number;
}
const laguerreFamily = (alpha: number): Family => ({
  name: `laguerre(α=${alpha})`,
  rule: (n) => gaussLaguerre(n, alpha),
  a: (k) => 2 * k + alpha + 1,
  sqrtBeta: (k) => Math.sqrt(k * (k + alpha)),
  mu0: Math.exp(logGamma(alpha + 1)),
});
const FAMILIES: Family[] = [
  { name: 'hermite', rule: gaussHermite, a: () => 0, sqrtBeta: (k) => Math.sqrt(k / 2), mu0: Math.sqrt(Math.PI) },
  { name: 'legendre', rule: gaussLegendre, a: () => 0, sqrtBeta: (k) => k / Math.sqrt(4 * k * k - 1), mu0: 2 },
  laguerreFamily(0),
  laguerreFamily(-0.5),
  laguerreFamily(2.5),
  laguerreFamily(20), // exercises the deflation fallback (see gauss-rules.ts)
];

/**
 * Golub–Welsch: the nodes are the eigenvalues of the symmetric tridiagonal
 * Jacobi matrix J (diagonal a_k, off-diagonal √β_k), the weights μ₀·v_{0i}² from
 * the normalised eigenvectors (ml-matrix: Householder tridiagonalisation +
 * implicit QL, the JAMA/EISPACK tred2/tql2 algorithm).
 */
function golubWelsch(f: Family, n: number) {
  const J = Matrix.zeros(n, n);
  let norm = 0; // ‖J‖∞ (Gershgorin) ≥ ‖J‖₂
  for (let i = 0; i < n; i++) {
    J.set(i, i, f.a(i));
    if (i + 1 < n) {
      J.set(i, i + 1, f.sqrtBeta(i + 1));
      J.set(i + 1, i, f.sqrtBeta(i + 1));
    }
    norm = Math.max(norm, Math.abs(f.a(i)) + (i > 0 ? f.sqrtBeta(i) : 0) + (i + 1 < n ? f.sqrtBeta(i + 1) : 0));
  }
  const evd = new EigenvalueDecomposition(J, { assumeSymmetric: true });
  const lambda = evd.realEigenvalues;
  const V = evd.eigenvectorMatrix;
  const order = lambda.map((_, i) => i).sort((p, q) => lambda[p] - lambda[q]);
  return {
    nodes: order.map((i) => lambda[i]),
    v0: order.map((i) => Math.abs(V.get(0, i))),
    norm: Math.max(norm, 1e-300),
  };
}

describe('nodes and weights agree with Golub–Welsch (ml-matrix eigen-solver) for n ≤ 100', () => {
  /*
   * Tolerance. The oracle is the less accurate side: a backward-stable
   * symmetric eigensolver returns the eigenvalues of J + E with
   * ‖E‖₂ ≤ c(n)·eps·‖J‖₂, c(n) a modest polynomial (Wilkinson; linear for
   * Householder + QL) — we take c(n) = 4n — so |Δx_i| ≤ 4n·eps·‖J‖. The
   * eigenvector of λ_i then moves by at most δ_i = 4n·eps·‖J‖/gap_i
   * (Davis–Kahan), so |Δw_i| ≤ μ₀(2|v_{0i}|δ_i + δ_i²). The rules under test are
   * far more accurate (≤ 30 eps relative in the nodes, O(n·eps) relative in the
   * weights, against 200-bit mpmath) and add at most 4n·eps·w_i.
   */
  for (const f of FAMILIES) {
    it(f.name, () => {
      for (const n of [1, 2, 3, 7, 16, 33, 64, 100]) {
        const r = f.rule(n);
        const gw = golubWelsch(f, n);
        const c = 4 * n * EPS * gw.norm;
        for (let i = 0; i < n; i++) {
          expect(Math.abs(r.nodes[i] - gw.nodes[i]), `${f.name} n=${n} node ${i}`).toBeLessThanOrEqual(c);
          const gap = n === 1 ? Infinity : Math.min(i > 0 ? gw.nodes[i] - gw.nodes[i - 1] : Infinity, i + 1 < n ? gw.nodes[i + 1] - gw.nodes[i] : Infinity);
          const delta = n === 1 ? 0 : c / gap;
          const wGW = f.mu0 * gw.v0[i] ** 2;
          const tol = f.mu0 * (2 * gw.v0[i] * delta + delta * delta) + 4 * n * EPS * wGW;
          expect(Math.abs(r.weights[i] - wGW), `${f.name} n=${n} weight ${i}`).toBeLessThanOrEqual(tol);
        }
      }
    });
  }

  it('gaussHermiteNormal is gaussHermite rescaled to N(0, 1)', () => {
    for (const n of [1, 4, 31, 100]) {
      const h = gaussHermite(n);
      const g = gaussHermiteNormal(n);
      for (let i = 0; i < n; i++) {
        expect(g.nodes[i]).toBe(Math.SQRT2 * h.nodes[i]); // computed exactly so
        // log-weights shift by log √π: one rounding of the subtraction
        expect(Math.abs(g.logWeights[i] - (h.logWeights[i] - 0.5 * Math.log(Math.PI)))).toBeLessThanOrEqual(2 * EPS * Math.max(1, Math.abs(h.logWeights[i])));
      }
    }
  });
});

describe('exactness on polynomials of degree ≤ 2n − 1 (known moments)', () => {
  /*
   * Tolerance. Σ w_i x_i^k is a sum of n terms whose relative error is at most
   * k·ε_x + ε_w, with ε_x = 32 eps the node accuracy and ε_w = 4n·eps the
   * weight accuracy established against mpmath (gauss-rules.ts header), plus
   * n·eps for the summation: tol(k) = (32k + 5n)·eps relative to Σ|w_i x_i^k|
   * (the absolute sum, so that vanishing odd moments are covered too).
   */
  const tol = (k: number, n: number) => (32 * k + 5 * n) * EPS;
  const check = (r: GaussRule, n: number, moment: (k: number) => number, label: string) => {
    for (let k = 0; k <= 2 * n - 1; k++) {
      let sum = 0;
      let abs = 0;
      for (let i = 0; i < n; i++) {
        const t = r.weights[i] * r.nodes[i] ** k;
        sum += t;
        abs += Math.abs(t);
      }
      expect(Math.abs(sum - moment(k)), `${label} n=${n} k=${k}`).toBeLessThanOrEqual(tol(k, n) * abs);
    }
  };

  it('Gauss–Hermite (normal): E[X^{2j}] = (2j − 1)!!, odd moments 0', () => {
    // closed form: E[X^k] = (k − 1)!! for even k, 0 for odd k (X ~ N(0, 1))
    const moment = (k: number) => {
      if (k % 2 === 1) return 0;
      let m = 1;
      for (let j = k - 1; j > 1; j -= 2) m *= j;
      return m;
    };
    for (const n of [1, 2, 5, 10, 20, 40]) check(gaussHermiteNormal(n), n, moment, 'hermite-normal');
  });

  it('Gauss–Laguerre: ∫ x^{k+α} e^{−x} dx = Γ(k + α + 1)', () => {
    // closed form; Γ(k+α+1) = exp(logGamma) adds ≤ 4e−15·|log Γ| relative (special.ts),
    // below tol for every k, n used here
    for (const alpha of [0, -0.5, 2.5, 20]) {
      for (const n of [1, 3, 10, 30]) check(gaussLaguerre(n, alpha), n, (k) => Math.exp(logGamma(k + alpha + 1)), `laguerre α=${alpha}`);
    }
  });

  it('Gauss–Legendre: ∫_{−1}^{1} x^k dx = 2/(k + 1) for even k, 0 for odd k', () => {
    for (const n of [1, 2, 5, 16, 50]) check(gaussLegendre(n), n, (k) => (k % 2 === 0 ? 2 / (k + 1) : 0), 'legendre');
  });
});

describe('large n', () => {
  type Row = [number, string, string];
  const big = (reference as unknown as { gaussRules500: Record<string, Row[]> }).gaussRules500;

  it.each([
    ['hermite', () => gaussHermite(500)],
    ['legendre', () => gaussLegendre(500)],
    ['laguerre', () => gaussLaguerre(500)],
  ] as const)('n = 500 %s: sample nodes and log-weights match mpmath (256 bits)', (name, rule) => {
    const r = rule();
    for (const [i, xs, lws] of big[name]) {
      // nodes: the documented 32 eps relative; log-weights: the O(n·eps) relative
      // weight error (4n·eps = 4.4e−13) is an absolute error of the log
      expect(Math.abs(r.nodes[i] - Number(xs)), `${name} node ${i}`).toBeLessThanOrEqual(32 * EPS * Math.abs(Number(xs)));
      expect(Math.abs(r.logWeights[i] - Number(lws)), `${name} log-weight ${i}`).toBeLessThanOrEqual(4 * 500 * EPS);
    }
  });

  it('n = 500 rules are finite, ordered, symmetric where they should be, with sane weight sums', () => {
    for (const [r, total, symmetric] of [
      [gaussHermiteNormal(500), 1, true],
      [gaussHermite(500), Math.sqrt(Math.PI), true],
      [gaussLegendre(500), 2, true],
      [gaussLaguerre(500), 1, false],
      [gaussLaguerre(500, 0.5), Math.exp(logGamma(1.5)), false],
    ] as const) {
      const n = r.nodes.length;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        expect(Number.isFinite(r.nodes[i])).toBe(true);
        expect(Number.isFinite(r.logWeights[i])).toBe(true);
        expect(r.weights[i]).toBe(Math.exp(r.logWeights[i]));
        if (i > 0) expect(r.nodes[i]).toBeGreaterThan(r.nodes[i - 1]);
        if (symmetric) expect(r.nodes[n - 1 - i]).toBe(-r.nodes[i]);
        sum += r.weights[i];
      }
      // n positive terms, each within 4n·eps relative, plus n·eps summation
      expect(Math.abs(sum - total)).toBeLessThanOrEqual(5 * n * EPS * total);
    }
    // the outer Hermite weights underflow at n = 500 but their logs do not
    expect(gaussHermite(500).weights[0]).toBe(0);
    expect(gaussHermite(500).logWeights[0]).toBeLessThan(-745);
  });
});

describe('fallback solvers', () => {
  it('deflated Newton and Sturm bisection reproduce the Newton rule', () => {
    // all three are accurate to ≤ 32 eps relative in the nodes; weights are the
    // same function of the node, so they differ by the node difference times
    // d log w/dx plus each side's 4n·eps
    for (const [n, alpha] of [
      [1, 0],
      [12, 0],
      [40, 2.5],
      [60, -0.5],
    ] as const) {
      const ref = gaussLaguerre(n, alpha);
      for (const stage of ['deflation', 'bisection'] as const) {
        const r = _gaussLaguerreVia(n, alpha, stage);
        for (let i = 0; i < n; i++) {
          expect(Math.abs(r.nodes[i] - ref.nodes[i]), `${stage} n=${n} node ${i}`).toBeLessThanOrEqual(64 * EPS * ref.nodes[i]);
          expect(Math.abs(r.logWeights[i] - ref.logWeights[i]), `${stage} n=${n} weight ${i}`).toBeLessThanOrEqual(8 * n * EPS + 64 * EPS * n);
        }
      }
    }
  });

  it('are not needed for the Hermite, Legendre and small-α Laguerre rules', () => {
    const before = { ..._stats };
    for (const n of [1, 2, 3, 10, 99, 100, 255, 400]) {
      gaussHermite(n);
      gaussLegendre(n);
      gaussLaguerre(n, 0);
      gaussLaguerre(n, 1.5);
    }
    expect(_stats).toEqual(before);
  });
});

describe('caching and validation', () => {
  it('returns the same frozen object on repeated calls', () => {
    expect(gaussHermite(12)).toBe(gaussHermite(12));
    expect(gaussLaguerre(12, 0.5)).toBe(gaussLaguerre(12, 0.5));
    expect(gaussLaguerre(12, 0.5)).not.toBe(gaussLaguerre(12, 1.5));
    expect(Object.isFrozen(gaussLegendre(12))).toBe(true);
  });

  it('rejects bad sizes and exponents', () => {
    for (const n of [0, -1, 501, 2.5, NaN, Infinity]) {
      expect(() => gaussHermite(n)).toThrow(InvalidInputError);
      expect(() => gaussHermiteNormal(n)).toThrow(InvalidInputError);
      expect(() => gaussLegendre(n)).toThrow(InvalidInputError);
      expect(() => gaussLaguerre(n)).toThrow(InvalidInputError);
    }
    expect(() => gaussHermite('3' as unknown as number)).toThrow(InvalidInputError);
    for (const alpha of [-1, -2, NaN, Infinity]) expect(() => gaussLaguerre(5, alpha)).toThrow(InvalidInputError);
  });
});
