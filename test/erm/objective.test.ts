import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/estimator/activation.ts';
import { getActivation, registerActivation } from '../../src/estimator/activations.ts';
import { registerActivationDerivative } from '../../src/erm/derivatives.ts';
import { ErmObjective, learnedOverlaps } from '../../src/erm/objective.ts';
import { RandomStream } from '../../src/numerics/random.ts';
import { fcParams, reportSeed } from '../helpers/arbitraries.ts';
import { pointNearTeacher, smallProblem, smallProblemArb } from './arbitraries.ts';

reportSeed('erm/objective.test.ts');

/**
 * Gradient checks: the analytic gradient of E_train against central
 * differences along random directions d,
 *   F(h) = (E(w + h d) − E(w − h d)) / (2h),
 * compared through the Richardson extrapolant R = (4 F(h/2) − F(h)) / 3
 * (error O(h⁴)). Tolerance, each part named:
 * - TRUNCATION: |F(h) − F(h/2)| = (3/4)·C h² + O(h⁴) estimates the O(h²)
 *   error of F itself, which is far above R's O(h⁴) error;
 * - ROUNDING: each E is a sum over N sequences of squares of dot products of
 *   length D and sums over L tokens, so its rounding error is at most
 *   γ·S with γ = (L_max·D + N + 16)·ε (Higham, Accuracy and Stability, §3.1)
 *   and S = E + Σ|terms| ≤ a few E; R divides differences of E by h, so
 *   ROUNDING = 8·γ·(1 + |E|)/h covers the combination of four evaluations;
 * - FALLBACK (central-difference φ' only): φ' from h_φ = ε^{1/3} has relative
 *   error ~1e−10 (derivatives.ts); 1e−8·(1 + |∇E·d|) leaves a factor 100.
 * A check that cannot fail is worthless: the last test registers a φ' that is
 * off by 1% and requires the check to reject it.
 */
const H = 1e-4;
const EPS = Number.EPSILON;
const FALLBACK_REL = 1e-8;

function gradientCheck(obj: ErmObjective, w: Float64Array, d: Float64Array, fallback: boolean) {
  const g = new Float64Array(obj.size);
  const E = obj.evaluate(w, g);
  let analytic = 0;
  for (let i = 0; i < w.length; i++) analytic += g[i] * d[i];
  const at = (t: number) => {
    const x = Float64Array.from(w, (wi, i) => wi + t * d[i]);
    return obj.evaluate(x);
  };
  const F = (h: number) => (at(h) - at(-h)) / (2 * h);
  const F1 = F(H);
  const F2 = F(H / 2);
  const richardson = (4 * F2 - F1) / 3;
  const gamma = (obj.data.maxLength * obj.D + obj.data.N + 16) * EPS;
  const truncation = Math.abs(F1 - F2);
  const rounding = (8 * gamma * (1 + Math.abs(E))) / H;
  const tolerance = truncation + rounding + (fallback ? FALLBACK_REL * (1 + Math.abs(analytic)) : 0);
  return { E, analytic, richardson, difference: Math.abs(analytic - richardson), tolerance, truncation, rounding };
}

function randomDirection(n: number, rng: RandomStream): Float64Array {
  const d = new Float64Array(n);
  rng.fillNormal(d);
  const norm = Math.hypot(...d);
  return d.map((x) => x / norm);
}

function report(act: string, spec: unknown, c: ReturnType<typeof gradientCheck>): void {
  if (c.difference > c.tolerance) console.error({ act, spec, E: c.E, analytic: c.analytic, finiteDifference: c.richardson, difference: c.difference, tolerance: c.tolerance, truncation: c.truncation, rounding: c.rounding });
}

// user-registered activations: one normalised without a derivative (central-difference fallback),
// one separable with a parameter and analytic derivatives supplied
const tanhKernel: Activation = {
  id: 'test-tanh-kernel',
  label: 'tanh kernel (test)',
  formula: '(1.1 + \\tanh\\chi_\\ell)/\\sum(1.1 + \\tanh\\chi)',
  normalised: true,
  parameters: [],
  growth: 'bounded',
  weight: (x) => 1.1 + Math.tanh(x),
  logWeight: (x) => Math.log(1.1 + Math.tanh(x)),
};
const sigmoidGate: Activation = {
  id: 'test-sigmoid-gate',
  label: 'sigmoid gate (test)',
  formula: '1/(1 + e^{-(\\chi_\\ell - b)})',
  normalised: false,
  parameters: [{ name: 'b', initial: 0, description: 'threshold' }],
  growth: 'bounded',
  weight: (x, th) => 1 / (1 + Math.exp(-(x - th[0]))),
};
registerActivation(tanhKernel);
registerActivation(sigmoidGate);
// φ = s(x − b): φ' = s(1 − s), ∂φ/∂b = −s(1 − s)
registerActivationDerivative(sigmoidGate, {
  dWeight: (x, th) => {
    const s = 1 / (1 + Math.exp(-(x - th[0])));
    return s * (1 - s);
  },
  dTheta: (x, th, out) => {
    const s = 1 / (1 + Math.exp(-(x - th[0])));
    out[0] = -s * (1 - s);
  },
});

const ACTIVATIONS = ['softmax', 'linear', 'erf', 'softplus', 'exp', 'test-tanh-kernel', 'test-sigmoid-gate'];

describe('ErmObjective.evaluate', () => {
  it.each(ACTIVATIONS)('should give the gradient of E_train along random directions for %s (central differences)', (id) => {
    const act = getActivation(id);
    fc.assert(
      fc.property(smallProblemArb, fc.double({ min: 0, max: 0.5, noNaN: true }), (spec, lambda) => {
        const { teacher, data, rng } = smallProblem(spec);
        const obj = new ErmObjective(data, act, { lambdaK: lambda, lambdaV: 2 * lambda });
        const fallback = obj.derivative.method === 'central-difference';
        const w = pointNearTeacher(obj.size, obj.D, teacher, rng, 0.3);
        for (let k = 0; k < 3; k++) {
          const c = gradientCheck(obj, w, randomDirection(obj.size, rng), fallback);
          report(id, spec, c);
          expect(c.difference).toBeLessThanOrEqual(c.tolerance);
        }
        // each σ parameter on its own (a random direction mixes it with 2D others)
        for (let j = 0; j < obj.nTheta; j++) {
          const d = new Float64Array(obj.size);
          d[2 * spec.D + j] = 1;
          const c = gradientCheck(obj, w, d, fallback);
          report(`${id} θ${j}`, spec, c);
          expect(c.difference).toBeLessThanOrEqual(c.tolerance);
        }
      }),
      fcParams,
    );
  });

  it('should use analytic derivatives for every built-in σ and say so', () => {
    const { data } = smallProblem({ task: 'spiked', nu: 1, lengths: [3], delta: 0, D: 6, N: 4, seed: 1 });
    for (const id of ['softmax', 'linear', 'erf', 'softplus', 'exp', 'test-sigmoid-gate']) {
      expect(new ErmObjective(data, getActivation(id), { lambdaK: 0, lambdaV: 0 }).derivative.method).toBe('analytic');
    }
    expect(new ErmObjective(data, tanhKernel, { lambdaK: 0, lambdaV: 0 }).derivative.method).toBe('central-difference');
  });

  it('should reject a wrong derivative (the check can fail): φ\' off by 1%', () => {
    const wrong: Activation = { ...sigmoidGate, id: 'test-wrong-gate' };
    registerActivationDerivative(wrong, {
      dWeight: (x, th) => {
        const s = 1 / (1 + Math.exp(-(x - th[0])));
        return 1.01 * s * (1 - s);
      },
      dTheta: (x, th, out) => {
        const s = 1 / (1 + Math.exp(-(x - th[0])));
        out[0] = -s * (1 - s);
      },
    });
    const spec = { task: 'spiked' as const, nu: 1, lengths: [3], delta: 0, D: 8, N: 20, seed: 5 };
    const { teacher, data, rng } = smallProblem(spec);
    const obj = new ErmObjective(data, wrong, { lambdaK: 0, lambdaV: 0 });
    const w = pointNearTeacher(obj.size, obj.D, teacher, rng, 0.3);
    // the direction along w_k only, where φ' enters
    const d = new Float64Array(obj.size);
    d.set(randomDirection(spec.D, rng), 0);
    const c = gradientCheck(obj, w, d, false);
    expect(c.difference).toBeGreaterThan(10 * c.tolerance);
  });

  it('should equal the direct formula (1/N)Σ(y − Σσz)² + λ_k q_kk + λ_v q_vv on a hand-computed case', () => {
    // one sequence of two tokens in D = 2: x_1 = (1, 0), x_2 = (0, 1); w_k = (a, b), w_v = (c, d)
    const spec = { task: 'spiked' as const, nu: 0, lengths: [2], delta: 0, D: 2, N: 1, seed: 3 };
    const { data } = smallProblem(spec);
    data.chunks[0].set([1, 0, 0, 1]);
    data.y[0] = 0.7;
    const w = Float64Array.from([0.3, -0.2, 0.5, 0.4]);
    const lambdaK = 0.1;
    const lambdaV = 0.2;
    // softmax: χ = (0.3, −0.2), z = (0.5, 0.4); σ_1 = 1/(1 + e^{−0.5})
    const s1 = 1 / (1 + Math.exp(-0.5));
    const f = s1 * 0.5 + (1 - s1) * 0.4;
    const expected = (0.7 - f) ** 2 + lambdaK * (0.09 + 0.04) + lambdaV * (0.25 + 0.16);
    const E = new ErmObjective(data, getActivation('softmax'), { lambdaK, lambdaV }).evaluate(w);
    expect(Math.abs(E - expected)).toBeLessThanOrEqual(8 * EPS);
    // linear: f = (1 + 0.3)·0.5 + (1 − 0.2)·0.4
    const fl = 1.3 * 0.5 + 0.8 * 0.4;
    const El = new ErmObjective(data, getActivation('linear'), { lambdaK, lambdaV }).evaluate(w);
    expect(Math.abs(El - ((0.7 - fl) ** 2 + lambdaK * 0.13 + lambdaV * 0.41))).toBeLessThanOrEqual(8 * EPS);
  });

  it('should stay finite for softmax at huge key projections (stable log-sum-exp)', () => {
    const spec = { task: 'spiked' as const, nu: 1, lengths: [3], delta: 0, D: 8, N: 10, seed: 9 };
    const { teacher, data } = smallProblem(spec);
    const obj = new ErmObjective(data, getActivation('softmax'), { lambdaK: 0, lambdaV: 0 });
    const w = new Float64Array(obj.size);
    for (let i = 0; i < spec.D; i++) {
      w[i] = 1000 * teacher.uk[i]; // χ ~ 1000·χ*: e^χ overflows without the max shift
      w[spec.D + i] = teacher.uv[i];
    }
    const g = new Float64Array(obj.size);
    const E = obj.evaluate(w, g);
    expect(Number.isFinite(E)).toBe(true);
    expect(g.every(Number.isFinite)).toBe(true);
  });
});

describe('learnedOverlaps', () => {
  it('should give m = 1 along the teacher and q = |w|² (k = k*, v = v*)', () => {
    const spec = { task: 'spiked' as const, nu: 1, lengths: [2], delta: 0, D: 50, N: 2, seed: 4 };
    const { teacher } = smallProblem(spec);
    const w = new Float64Array(100);
    w.set(teacher.uk, 0);
    w.set(teacher.uv, 50);
    const o = learnedOverlaps(w, teacher);
    // u_k, u_v are orthonormal to rounding (Gram–Schmidt twice): 64ε covers sums of 50 products
    const TOL = 64 * EPS;
    expect(Math.abs(o.mkk - 1)).toBeLessThan(TOL);
    expect(Math.abs(o.mvv - 1)).toBeLessThan(TOL);
    expect(Math.abs(o.qkk - 1)).toBeLessThan(TOL);
    expect(Math.abs(o.mkv)).toBeLessThan(TOL);
    expect(Math.abs(o.mvk)).toBeLessThan(TOL);
    expect(Math.abs(o.qkv)).toBeLessThan(TOL);
  });
});
