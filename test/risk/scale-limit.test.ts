import { describe, expect, it } from 'vitest';
import { getActivation, linear, softmax, softplusKernel } from '../../src/estimator/activations.ts';
import { RandomStream } from '../../src/numerics/random.ts';
import { _argmaxTerms, scaleLimitRisk } from '../../src/risk/scale-limit.ts';
import { fixedLength, lengthLaw } from '../../src/task/length-law.ts';
import { maxTask, productTask, spikedTask } from '../../src/task/tasks.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';

reportSeed('scale-limit.test.ts');

const atInfinity = (L: number, delta = 0) => scaleLimitRisk({ task: maxTask, nu: Infinity, lengths: fixedLength(L), delta, act: softplusKernel })!;

/**
 * Monte Carlo of A = E[σ∞_ε], B = E[Σσ∞²] for the positive-part limit (p = 1), with standard errors: the
 * spike ε is the argmax of L standard normals (`spikeDraw` undefined, max-SLR at ν = ∞) or token 0 with
 * its value drawn by `spikeDraw` (a product task). Every score ≤ 0: the argmax takes all the weight.
 */
function monteCarloTerms(L: number, n: number, rng: RandomStream, spikeDraw?: (rng: RandomStream) => number): { A: number; B: number; seA: number; seB: number } {
  const x = new Float64Array(L);
  let sA = 0, sA2 = 0, sB = 0, sB2 = 0; // prettier-ignore
  for (let i = 0; i < n; i++) {
    rng.fillNormal(x);
    if (spikeDraw) x[0] = spikeDraw(rng);
    let argmax = 0;
    let sum = 0;
    let sum2 = 0;
    for (let j = 0; j < L; j++) {
      if (x[j] > x[argmax]) argmax = j;
      if (x[j] > 0) {
        sum += x[j];
        sum2 += x[j] * x[j];
      }
    }
    const spike = spikeDraw === undefined ? argmax : 0;
    const a = sum > 0 ? Math.max(x[spike], 0) / sum : argmax === spike ? 1 : 0;
    const b = sum > 0 ? sum2 / (sum * sum) : 1;
    sA += a;
    sA2 += a * a;
    sB += b;
    sB2 += b * b;
  }
  const A = sA / n;
  const B = sB / n;
  return { A, B, seA: Math.sqrt((sA2 / n - A * A) / n), seB: Math.sqrt((sB2 / n - B * B) / n) };
}

describe('scaleLimitRisk: the end of a ray |k| → ∞ for a positive-part scale limit (softplus kernel, max-SLR ν = ∞)', () => {
  it('should match an independent nested quadrature at L = 2', () => {
    // scipy 1.17 integrate.quad, three nested levels (y, t, x) on the original variables (not u = t·y),
    // G(t, y) in closed form by erfcx, epsrel 1e−10 outside: 0.04835189436708254 (A 0.9301589000381629,
    // B 0.9091549430918955); 2·10⁷ numpy draws gave 0.04832 ± 5e−5 besides
    const r = atInfinity(2);
    expect(r.converged).toBe(true);
    expect(Math.abs(r.value - 0.04835189436708254)).toBeLessThanOrEqual(r.error + 1e-11);
    expect(Math.abs(r.A - 0.9301589000381629)).toBeLessThan(1e-11);
    expect(Math.abs(r.B - 0.9091549430918955)).toBeLessThan(1e-11);
  });

  // the two ways of computing A_L, B_L at ε = argmax: three nested adaptive levels (y, u, x), and the
  // swept order (t outer, cumulative sums over a fixed y-grid) that scaleLimitRisk uses for p ≤ 2, L ≤ 300;
  // measured: within 1e−14 of each other at p ∈ {0.5, 1, 2}, L ∈ {2, 3, 10, 1000, 10⁶}
  it.each([
    [2, 1],
    [1000, 1],
    [3, 2],
  ])('should compute the same A_L, B_L both ways within their bounds (L = %i, p = %f)', (L, p) => {
    const nested = _argmaxTerms.nested(L, p);
    const swept = _argmaxTerms.swept(L, p);
    expect(nested.converged && swept.converged).toBe(true);
    expect(Math.abs(swept.A - nested.A)).toBeLessThanOrEqual(swept.eA + nested.eA);
    expect(Math.abs(swept.B - nested.B)).toBeLessThanOrEqual(swept.eB + nested.eB);
    // and the bounds are not vacuous
    expect(swept.eA + nested.eA).toBeLessThan(1e-9);
    expect(swept.eB + nested.eB).toBeLessThan(1e-9);
  });

  it('should give the same terms for a whole length law in one sweep as length by length, weighted', () => {
    const lengths = [1, 2, 3, 20];
    const weights = [0.1, 0.2, 0.3, 0.4];
    const together = _argmaxTerms.sweptLaw(lengths, weights, 1);
    let [A, B, eA, eB] = [0.1, 0.1, 0, 0]; // L = 1: A_1 = B_1 = 1 exactly
    lengths.slice(1).forEach((L, i) => {
      const alone = _argmaxTerms.swept(L, 1);
      A += weights[i + 1] * alone.A;
      B += weights[i + 1] * alone.B;
      eA += weights[i + 1] * alone.eA;
      eB += weights[i + 1] * alone.eB;
    });
    expect(together.converged).toBe(true);
    expect(Math.abs(together.A - A)).toBeLessThanOrEqual(together.eA + eA);
    expect(Math.abs(together.B - B)).toBeLessThanOrEqual(together.eB + eB);
    expect(together.eA + together.eB).toBeLessThan(1e-9);
    // one sweep, not one per length
    expect(together.evaluations).toBeLessThan(1.5 * _argmaxTerms.swept(20, 1).evaluations);
    // the law of one length L = 1 is exact
    expect(_argmaxTerms.sweptLaw([1], [1], 1)).toMatchObject({ A: 1, B: 1, eA: 0, eB: 0 });
  });

  it.each([3, 7])('should agree with Monte Carlo of the limit weights at L = %i (z ≤ 4.4)', (L) => {
    const r = atInfinity(L);
    const mc = monteCarloTerms(L, 400_000, new RandomStream(SEED + L));
    // z = 4.4 per component: two components at two lengths fail by chance with probability ≤ 4e−5
    expect(Math.abs(r.A - mc.A)).toBeLessThanOrEqual(4.4 * mc.seA + 1e-12);
    expect(Math.abs(r.B - mc.B)).toBeLessThanOrEqual(4.4 * mc.seB + 1e-12);
  });

  it('should give the trivial-risk end at L = 1 (one token: weight 1) and carry Δ', () => {
    const r = atInfinity(1, 0.3);
    expect(r.A).toBe(1);
    expect(r.B).toBe(1);
    expect(r.value).toBeCloseTo(0.3, 15);
  });

  it('should average A and B (not the risks) over a length law', () => {
    const mixed = scaleLimitRisk({ task: maxTask, nu: Infinity, lengths: lengthLaw([1, 2, 3]), act: softplusKernel })!;
    const [a1, a2, a3] = [1, 2, 3].map((L) => atInfinity(L));
    const A = (a1.A + a2.A + a3.A) / 3;
    const B = (a1.B + a2.B + a3.B) / 3;
    expect(Math.abs(mixed.value - (1 - (A * A) / B))).toBeLessThan(1e-14);
  });

  it('should tend to the trivial risk 1 as L grows, with the cost independent of L (L = 10^6)', () => {
    const r = atInfinity(1_000_000);
    expect(r.converged).toBe(true);
    expect(r.value).toBeGreaterThan(0.9999);
    expect(r.value).toBeLessThan(1);
    expect(r.error).toBeLessThan(1e-10);
  });

  it('should say undefined where it does not apply (no scale limit, argmax limit, max-SLR at finite ν)', () => {
    expect(scaleLimitRisk({ task: maxTask, nu: Infinity, lengths: fixedLength(2), act: linear })).toBeUndefined();
    expect(scaleLimitRisk({ task: maxTask, nu: Infinity, lengths: fixedLength(2), act: softmax })).toBeUndefined();
    expect(scaleLimitRisk({ task: maxTask, nu: 3, lengths: fixedLength(2), act: softplusKernel })).toBeUndefined();
    expect(scaleLimitRisk({ task: spikedTask, nu: 3, lengths: fixedLength(2), act: linear })).toBeUndefined();
  });
});

describe('scaleLimitRisk on a product task (spiked-SLR: the spike N(√ν, 1) independent of the others)', () => {
  const spiked = (nu: number, L: number) => scaleLimitRisk({ task: spikedTask, nu, lengths: fixedLength(L), act: getActivation('softplus') })!;

  it('should match an independent two-dimensional quadrature at L = 2, ν = 10', () => {
    // scipy 1.17: integrate.quad nested over (y, x) on y, x > 0 (weight y/(x + y), (x² + y²)/(x + y)²) plus
    // the sign regions in closed form (y > 0 ≥ x: weight 1; both ≤ 0: the larger), epsrel 1e−12:
    // A 0.9008674169636972, B 0.8594700766710092, risk 0.055741293413876125
    const r = spiked(10, 2);
    expect(Math.abs(r.value - 0.055741293413876125)).toBeLessThanOrEqual(r.error + 1e-13);
    expect(Math.abs(r.A - 0.9008674169636972)).toBeLessThan(1e-12);
    expect(Math.abs(r.B - 0.8594700766710092)).toBeLessThan(1e-12);
  });

  it("should match the population engine's limit along the ray at L = 1000, ν = 24.2", () => {
    // the risk along m_kk* = 32 … 256 from riskTerms, extrapolated by Aitken (class-risk.ts rayLimit on a softplus
    // kernel without scaleLimit): 0.9537563955870747 ± 5.0e−10 (2026-11-30); a scipy quad of the two-level
    // formula with C(t) = ½ − ½ erfcx(t/√2) in closed form gave 0.9537563954157334
    const r = spiked(24.2, 1000);
    expect(Math.abs(r.value - 0.9537563955870747)).toBeLessThanOrEqual(r.error + 5.0e-10);
    expect(Math.abs(r.value - 0.9537563954157334)).toBeLessThan(1e-13);
  });

  it.each([
    [2, 3],
    [0.5, 5],
  ])('should agree with Monte Carlo of the limit weights at ν = %f, L = %i (z ≤ 4.4)', (nu, L) => {
    const r = spiked(nu, L);
    const mc = monteCarloTerms(L, 400_000, new RandomStream(SEED + 100 * L), (g) => g.normal() + Math.sqrt(nu));
    expect(Math.abs(r.A - mc.A)).toBeLessThanOrEqual(4.4 * mc.seA);
    expect(Math.abs(r.B - mc.B)).toBeLessThanOrEqual(4.4 * mc.seB);
  });

  it('should agree with Monte Carlo on a general product task (a two-component spike law, mostly positive and mostly negative)', () => {
    const law = [
      { weight: 0.6, mean: 2.5, sd: 0.7 },
      { weight: 0.4, mean: -0.5, sd: 1.5 },
    ];
    const task = productTask({ id: 'mixture', spikeLaw: () => law });
    const r = scaleLimitRisk({ task, nu: 1, lengths: fixedLength(3), act: softplusKernel })!;
    expect(r.converged).toBe(true);
    const mc = monteCarloTerms(3, 400_000, new RandomStream(SEED + 7), (g) => {
      const c = g.uniform() < law[0].weight ? law[0] : law[1];
      return c.mean + c.sd * g.normal();
    });
    expect(Math.abs(r.A - mc.A)).toBeLessThanOrEqual(4.4 * mc.seA);
    expect(Math.abs(r.B - mc.B)).toBeLessThanOrEqual(4.4 * mc.seB);
  });

  it('should cost the same at L = 10^6 as at L = 16 and stay below the trivial risk', () => {
    const r = spiked(30, 1_000_000);
    expect(r.converged).toBe(true);
    // scipy, same formula as at L = 1000: 0.2110879025822613 at L = 16
    expect(Math.abs(spiked(30, 16).value - 0.2110879025822613)).toBeLessThan(1e-13);
    expect(r.value).toBeLessThan(1);
    expect(r.value).toBeGreaterThan(0.9999);
  });
});
