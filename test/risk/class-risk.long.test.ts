/*
 * Long class-minimum checks (npm run test:long): max-SLR with normalised σ,
 * where one risk evaluation takes 30 s to minutes with the current engine
 * (see bench/class-risk.ts), and the full family on max-SLR.
 */
import { describe, expect, it } from 'vitest';
import { getActivation, linear, softmax, softplusKernel, unnormalisedExp } from '../../src/estimator/activations.ts';
import { bayesRisk } from '../../src/risk/bayes.ts';
import { classRisk } from '../../src/risk/class-risk.ts';
import { scaleLimitRisk } from '../../src/risk/scale-limit.ts';
import { populationRisk } from '../../src/risk/population.ts';
import { type LengthLaw, fixedLength, lengthLaw } from '../../src/task/length-law.ts';
import { maxTask, spikedTask } from '../../src/task/tasks.ts';
import { reportSeed } from '../helpers/arbitraries.ts';

reportSeed('class-risk.long.test.ts');

/** 64 ulp of an O(1) closed form (see class-risk.test.ts) */
const ROUNDING = 64 * Number.EPSILON;

function expectWithin(what: string, inputs: string, computed: number, expected: number, tol: number): void {
  const diff = Math.abs(computed - expected);
  expect(diff, `${what} [${inputs}]: computed ${computed}, expected ${expected}, |difference| ${diff.toExponential(3)} > tolerance ${tol.toExponential(3)}`).toBeLessThanOrEqual(tol);
}

function meanLength(law: LengthLaw): number {
  return law.lengths.reduce((s, L, i) => s + L * law.probabilities[i], 0);
}

describe('classRisk (long)', () => {
  /*
   * Linear attention on max-SLR at finite ν, derived: χ* ~ N(0, I_L) exactly, so
   * B = L̄(1 + m² + τ²) and A = 1 + m μ̄ with μ̄ = E[χ*_ε] = E[Σ_ℓ p_ℓ χ*_ℓ],
   * p = softmax(νχ*). Gaussian integration by parts: E[p_ℓχ*_ℓ] = E[∂p_ℓ/∂χ*_ℓ]
   * = ν E[p_ℓ(1 − p_ℓ)], so μ̄ = ν(1 − E[Σp²]) = ν(E_Bayes − Δ) by Prop. 4.1,
   * per L and hence for P_L. Then m* = μ̄ and E_linear = Δ + 1 − (1 + μ̄²)/L̄.
   * The oracle uses bayesRisk (a separate code path); its error propagates as
   * 2μ̄ν/L̄·err_B.
   */
  it.each([
    ['2', fixedLength(2)],
    ['Unif{1,2,3}', lengthLaw([1, 2, 3])],
  ])('should find E_linear on max-SLR at ν = 2 (L ~ %s) within its error', (_name, law) => {
    const nu = 2;
    const b = bayesRisk(maxTask, nu, law, 0.1);
    const mu = nu * b.excess;
    const Lbar = meanLength(law);
    const oracle = 0.1 + 1 - (1 + mu * mu) / Lbar;
    const r = classRisk({ task: maxTask, nu, lengths: law, delta: 0.1, act: linear });
    expectWithin('E_linear', `max, ν 2, L ${law.lengths.join(',')}`, r.value, oracle, r.error + (2 * mu * nu * b.error) / Lbar + ROUNDING);
    expect(r.converged).toBe(true);
  });

  it('should give the same E_linear on the full family as on the manifold (max-SLR, ν = ∞, L ~ Unif{1,2,3})', () => {
    const input = { task: maxTask, nu: Infinity, lengths: lengthLaw([1, 2, 3]), act: linear };
    const full = classRisk({ ...input, family: 'full' });
    const man = classRisk(input);
    expectWithin('full vs manifold', 'max, ν ∞, L Unif{1,2,3}', full.value, man.value, full.error + man.error);
    for (const k of full.kkt) expect(k.satisfied).toBe(true);
  });

  it('should give softmax the Bayes risk on max-SLR at finite ν (certified closed form m = ν)', () => {
    const r = classRisk({ task: maxTask, nu: 2, lengths: fixedLength(2), act: softmax });
    const b = bayesRisk(maxTask, 2, fixedLength(2));
    expectWithin('E_softmax − E_Bayes', 'max, ν 2, L 2', r.value, b.value, r.error + b.error);
    expect(r.bayes?.certified).toBe(true);
  });

  it('should give softmax on max-SLR at ν = ∞ the exact limit Δ = E_Bayes along m_kk* → ∞, the ray decreasing towards it like C/m', () => {
    const delta = 0.1;
    const r = classRisk({ task: maxTask, nu: Infinity, lengths: fixedLength(2), delta, act: softmax });
    // E_Bayes = Δ exactly at ν = ∞ (ε = argmax χ* is a function of X), and hard attention on argmax χ* is ε
    expect(r.ray).toBeDefined();
    const pts = r.ray!.points;
    expect(pts).toHaveLength(3);
    for (let j = 1; j < pts.length; j++) expect(pts[j].risk, `risk at m = ${pts[j].mkk}`).toBeLessThan(pts[j - 1].risk);
    expect(r.ray!.lower).toBe(delta);
    // the risk approaches Δ like C/m: the fitted order at m = 2 → 4 is 0.91 (0.99 at 16 → 32)
    expect(Math.abs(r.ray!.powerLaw!.order - 1)).toBeLessThan(0.15);
    expect(r.value).toBe(delta);
    expect(r.converged).toBe(true);
    expect(r.bayes?.certified).toBe(true);
  });

  it('should extrapolate the ray by Aitken where no scale limit is declared (softplus kernel without it, spiked L = 1000, ν = 24.2)', () => {
    // measured 2026-11-30: the ray 32 … 256 has difference ratios 0.127, 0.128 (a 1/m³ approach) and
    // Aitken estimates 0.953756396036, 0.953756395587; 10 s CPU
    const { scaleLimit: _, ...noLimit } = softplusKernel;
    const r = classRisk({ task: spikedTask, nu: 24.2, lengths: fixedLength(1000), act: { ...noLimit, id: 'softplus-no-limit' } });
    expect(r.ray?.limit).toBeDefined();
    expect(r.ray?.exactLimit).toBeUndefined();
    expect(r.converged).toBe(true);
    expect(r.error).toBeLessThanOrEqual(1e-7);
    for (const p of r.ray!.points) expect(r.value).toBeLessThan(p.risk);
    // the last ray point is within the extrapolation's reach of the value (a 1/8-geometric tail beyond it)
    const last = r.ray!.points[r.ray!.points.length - 1];
    const before = r.ray!.points[r.ray!.points.length - 2];
    expect(last.risk - r.value).toBeLessThan((before.risk - last.risk) * 0.2);
    // and the limit computed at the limit (src/risk/scale-limit.ts) lies within the extrapolation's error
    const exact = classRisk({ task: spikedTask, nu: 24.2, lengths: fixedLength(1000), act: softplusKernel });
    expect(exact.ray?.exactLimit).toBeDefined();
    expect(Math.abs(exact.value - r.value)).toBeLessThanOrEqual(r.error + exact.error);
  });

  it('should give softplus on max-SLR at ν = ∞ its minimum at m_kk* → ∞, computed at the limit, the ray decreasing towards it', () => {
    const input = { task: maxTask, nu: Infinity, lengths: fixedLength(2), act: softplusKernel };
    const r = classRisk(input);
    expect(r.ray?.exactLimit).toBeDefined();
    expect(r.converged).toBe(true);
    expect(r.value).toBe(scaleLimitRisk(input)!.value);
    const pts = r.ray!.points;
    expect(pts).toHaveLength(2);
    expect(pts[1].risk).toBeLessThan(pts[0].risk);
    for (const p of pts) expect(p.risk).toBeGreaterThan(r.value + r.error);
    // a local minimum at infinity, not certified by Bayes (E_Bayes = 0 here): the search tolerance applies
    expect(r.bayes?.certified).toBe(false);
    expect(r.searchTolerance).toBe(1e-7);
    // the old extrapolation agrees: Aitken on the ray 32 … 512 gave 0.0483584 ± 1.7e−5 (measured 2026-11-30)
    expect(Math.abs(r.value - 0.0483584)).toBeLessThan(1.7e-5);
  });

  it('should report failed evaluations of exp on max-SLR at ν = ∞ and still find the minimum', () => {
    const input = { task: maxTask, nu: Infinity, lengths: fixedLength(2), act: unnormalisedExp };
    const r = classRisk(input);
    expect(r.converged).toBe(true);
    const p = populationRisk({ ...input, overlaps: r.params! });
    expectWithin('populationRisk at the minimiser', 'exp, max, ν ∞, L 2', p.value, r.value, p.error + r.quadratureError + ROUNDING);
  });

  it('should not put the full-family minimum above the manifold one for softplus (spiked, ν = 5, L = 2)', () => {
    const input = { task: spikedTask, nu: 5, lengths: fixedLength(2), act: getActivation('softplus') };
    const full = classRisk({ ...input, family: 'full' });
    const man = classRisk(input);
    expect(full.value).toBeLessThanOrEqual(man.value + full.error + man.error);
  });

  it('should give softmax on max-SLR at ν = ∞, L = 3 the exact limit without running the ray out of quadrature range', () => {
    const r = classRisk({ task: maxTask, nu: Infinity, lengths: fixedLength(3), act: softmax });
    expect(r.ray).toBeDefined();
    expect(r.ray!.lower).toBeLessThanOrEqual(1e-12);
    expect(r.ray!.upper).toBeGreaterThan(0);
    expect(r.value).toBe(0);
    expect(r.converged).toBe(true);
  });

});
