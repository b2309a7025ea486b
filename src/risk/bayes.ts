import { NumericalRangeError, requireFinite } from '../errors.ts';
import { integrateVector } from '../numerics/adaptive.ts';
import { type LengthLaw } from '../task/length-law.ts';
import { type Task, type GaussianComponent, logPosteriorWeight, validateNu } from '../task/tasks.ts';
import { breakpointsInside, gaussianTruncated, powerOfComplement, stepBreakpoints } from './laplace.ts';
import type { RiskResult } from './result.ts';

export interface BayesOptions {
  /** relative tolerance of the outer integral (default 1e-10) */
  relTol?: number;
}

const INV_SQRT_2PI = 0.3989422804014327;

/**
 * Bayes risk E_Bayes = Δ + E[(1 − p_ε)² + Σ_{ℓ≠ε} p_ℓ²], p the posterior of ε
 * (THEORY.md §4, Prop. 4.1), in the form without cancellation so that it stays
 * accurate at 1e−45 and below.
 *
 * With posterior weights ρ_ℓ = e^{λ(χ*_ℓ)} and S = Σ ρ_ℓ, the excess over Δ is
 * E[(S_rest² + Σ_{ℓ≠ε} ρ_ℓ²)/S²]; by 1/S² = ∫ t e^{−tS} dt, t = e^{−s}, κ = e^{λ−s}:
 *   product task:  ∫ ds S0 [2(L−1) M2 M0^{L−2} + (L−1)(L−2) M1² M0^{L−3}]
 *   selection task (χ* i.i.d. N(0,1), E[Σ_{ℓ≠ℓ'} p_ℓ p_ℓ'] form):
 *                  ∫ ds L(L−1) M1² M0^{L−2}
 * where M_j(s) = E_bulk[κ^j e^{−κ}] and S0(s) = E_spike[e^{−κ}]; M0^n is taken
 * from the complement 1 − M0 = E[1 − e^{−κ}] (accurate for L = 10^6).
 * Cost is independent of L. Argmax selection (ν = ∞) has risk Δ exactly.
 *
 * Valid ranges: 0 ≤ ν (≤ ~2500 for spiked-SLR, beyond which the excess
 * e^{−ν/4} leaves double range and a NumericalRangeError is thrown), L ≥ 1,
 * Δ ≥ 0. Edge cases: L = 1 gives Δ exactly; ν = 0 gives Δ + 1 − 1/L.
 */
export function bayesRisk(task: Task, nu: number, lengths: LengthLaw, delta = 0, opts: BayesOptions = {}): RiskResult {
  validateNu(task, nu);
  requireFinite('delta', delta, { min: 0 });
  const base = { task: task.id, act: 'bayes', nu, lengths, delta };
  const exact = (method: string): RiskResult => ({
    ...base,
    value: delta,
    excess: 0,
    error: 0,
    method,
    converged: true,
    evaluations: 0,
  });
  if (lengths.lengths.every((L) => L === 1)) return exact('exact (L = 1: the location is known)');
  if (task.kind === 'selection' && task.selectionSlope(nu) === Infinity) {
    return exact('exact (ν = ∞: ε = argmax χ* is a function of X)');
  }
  const integrand = makeIntegrand(task, nu, lengths);
  const { lo, hi, breakpoints, peak } = locateMass(integrand.value, integrand.scale, integrand.candidates);
  if (!(peak > 0)) {
    throw new NumericalRangeError(
      `the Bayes excess risk of ${task.label} at ν=${nu} underflows double precision (it is below ~1e-300)`,
    );
  }
  const relTol = opts.relTol ?? 1e-10;
  const res = integrateVector(
    (s, out) => {
      const v = integrand.evaluate(s);
      out[0] = v.value;
      out[1] = v.error;
    },
    2,
    -Infinity,
    Infinity,
    { breakpoints: breakpointsInside([lo, ...breakpoints, hi], -Infinity, Infinity), relTol, absTol: 1e-300, controlled: 1 },
  );
  const excess = res.values[0];
  // propagated inner-quadrature error (integrated, doubled for the crude quadrature of an error) + outer error
  const innerError = 2 * Math.abs(res.values[1]);
  const error = res.errors[0] + innerError + Number.EPSILON * (delta + excess);
  if (!Number.isFinite(excess) || excess < 0) {
    throw new NumericalRangeError(`Bayes excess risk came out ${excess} for ${task.label} at ν=${nu}`);
  }
  return {
    ...base,
    value: delta + excess,
    excess,
    error,
    method: `exchangeable-token reduction; outer adaptive Gauss–Kronrod over s = −log t, inner adaptive Gauss–Kronrod`,
    converged: res.converged && integrand.innerConverged(),
    evaluations: res.evaluations + integrand.innerEvaluations(),
  };
}

const INNER_REL_TOL = 1e-12;

interface OuterIntegrand {
  /** integrand value and propagated absolute error bound at s */
  evaluate(s: number): { value: number; error: number };
  value(s: number): number;
  /** natural scale of s on which the integrand varies */
  scale: number;
  /** points near which the mass may sit */
  candidates: number[];
  innerEvaluations(): number;
  innerConverged(): boolean;
}

function makeIntegrand(task: Task, nu: number, lengths: LengthLaw): OuterIntegrand {
  const Ls = lengths.lengths.filter((L) => L >= 2);
  const ps = lengths.lengths.map((L, i) => (L >= 2 ? lengths.probabilities[i] : -1)).filter((p) => p >= 0);
  const Lmax = Math.max(...Ls);
  let evaluations = 0;
  let converged = true;
  const bulk: readonly GaussianComponent[] = [{ weight: 1, mean: 0, sd: 1 }];

  let lambda: (x: number) => number;
  let stepAt: (s: number) => number[]; // where λ(x) = s (breakpoints of the step e^{−κ})
  let slope: number;
  let spike: readonly GaussianComponent[] | undefined;
  let candidates: number[];
  const bulkMax = Math.sqrt(2 * Math.log(Math.max(Lmax, 2)));
  if (task.kind === 'selection') {
    const c = task.selectionSlope(nu);
    lambda = (x) => c * x;
    stepAt = (s) => (c > 0 ? [s / c] : []);
    slope = c;
    candidates = selectionCandidates(c, Lmax);
  } else {
    const law = task.spikeLaw(nu);
    spike = law;
    lambda = (x) => logPosteriorWeight(law, x);
    const single = law.length === 1 && law[0].sd === 1;
    const mu = law[0].mean;
    stepAt = single ? (s) => (mu > 0 ? [(s + 0.5 * mu * mu) / mu] : mu < 0 ? [(s + 0.5 * mu * mu) / mu] : []) : () => [];
    slope = Math.max(Math.abs(lambda(1) - lambda(-1)) / 2, Math.abs(lambda(5) - lambda(-5)) / 10);
    candidates = [lambda(0), lambda(bulkMax), Math.log(Math.max(Lmax - 1, 1)), ...law.map((c) => lambda(c.mean)), ...law.map((c) => lambda(c.mean / 2))];
  }
  const scale = Math.max(1, slope);

  // ∫ over a Gaussian mixture of a vector of functions of κ = e^{λ(x) − s}
  function gaussianIntegrals(
    law: readonly GaussianComponent[],
    s: number,
    dim: number,
    fill: (ell: number, out: Float64Array, dens: number) => void,
  ): { values: Float64Array; errors: Float64Array } {
    const values = new Float64Array(dim);
    const errors = new Float64Array(dim);
    for (const comp of law) {
      const steps = stepAt(s).flatMap((x0) => stepBreakpoints(x0, slope));
      const norm = (comp.weight * INV_SQRT_2PI) / comp.sd;
      const f = (x: number, out: Float64Array) => {
        const z = (x - comp.mean) / comp.sd;
        fill(lambda(x) - s, out, norm * Math.exp(-0.5 * z * z));
      };
      // every kernel here is ≤ 1, so the mass beyond ±12 sd bounds the truncation error
      const r = gaussianTruncated(f, dim, comp.mean, comp.sd, comp.weight, steps, INNER_REL_TOL);
      evaluations += r.evaluations;
      converged &&= r.converged;
      for (let j = 0; j < dim; j++) {
        values[j] += r.values[j];
        errors[j] += r.errors[j];
      }
    }
    return { values, errors };
  }

  // bulk: [1 − M0, M1, M2]
  const fillBulk = (ell: number, out: Float64Array, dens: number) => {
    if (ell > 40) {
      // κ = e^ℓ > 2e17: e^{−κ} and κ^j e^{−κ} underflow to exactly 0
      out[0] = dens;
      out[1] = 0;
      out[2] = 0;
      return;
    }
    const kappa = Math.exp(ell);
    const e = Math.exp(-kappa);
    out[0] = dens * -Math.expm1(-kappa);
    out[1] = dens * kappa * e;
    out[2] = dens * kappa * kappa * e;
  };
  const fillSpike = (ell: number, out: Float64Array, dens: number) => {
    out[0] = ell > 40 ? 0 : dens * Math.exp(-Math.exp(ell));
  };

  function evaluate(s: number): { value: number; error: number } {
    const b = gaussianIntegrals(bulk, s, 3, fillBulk);
    const n0 = Math.min(1, b.values[0]);
    const m1 = b.values[1];
    const m2 = b.values[2];
    const [en0, em1, em2] = b.errors;
    let value = 0;
    let error = 0;
    // (1 − n0)^k and the first-order bound of its error, k·en0·(1 − n0)^{k−1}
    const pw = (k: number) => powerOfComplement(n0, k);
    const dpw = (k: number) => (k > 0 ? k * en0 * powerOfComplement(n0, k - 1) : 0);
    if (spike) {
      const sp = gaussianIntegrals(spike, s, 1, fillSpike);
      const s0 = sp.values[0];
      const es0 = sp.errors[0];
      for (let i = 0; i < Ls.length; i++) {
        const L = Ls[i];
        const cA = 2 * (L - 1);
        const cB = (L - 1) * (L - 2);
        const bracket = cA * m2 * pw(L - 2) + (L >= 3 ? cB * m1 * m1 * pw(L - 3) : 0);
        const bracketError =
          cA * (em2 * pw(L - 2) + m2 * dpw(L - 2)) + (L >= 3 ? cB * (2 * m1 * em1 * pw(L - 3) + m1 * m1 * dpw(L - 3)) : 0);
        value += ps[i] * s0 * bracket;
        error += ps[i] * (es0 * bracket + s0 * bracketError);
      }
    } else {
      for (let i = 0; i < Ls.length; i++) {
        const L = Ls[i];
        const c = L * (L - 1);
        value += ps[i] * c * m1 * m1 * pw(L - 2);
        error += ps[i] * c * (2 * m1 * em1 * pw(L - 2) + m1 * m1 * dpw(L - 2));
      }
    }
    if (!Number.isFinite(value) || !Number.isFinite(error)) {
      throw new NumericalRangeError(`non-finite Bayes integrand at s=${s} (${task.label}, ν=${nu})`);
    }
    return { value, error };
  }
  return {
    evaluate,
    value: (s) => evaluate(s).value,
    scale,
    candidates,
    innerEvaluations: () => evaluations,
    innerConverged: () => converged,
  };
}

/**
 * Where log S_c = log Σ e^{cχ_ℓ} typically sits for L i.i.d. N(0,1) keys:
 * log L + c²/2 while the sum is dominated by many tokens (small c), and
 * c·√(2 log L) (the largest key) once one token dominates. E[S] = L e^{c²/2}
 * is not typical for large c (it is carried by rare events), so it is capped.
 */
export function selectionCandidates(c: number, L: number): number[] {
  const top = c * Math.sqrt(2 * Math.log(Math.max(L, 2)));
  return [0, top, Math.min(Math.log(L) + 0.5 * c * c, top + Math.log(L))];
}

/**
 * Find where a non-negative integrand over R has its mass: scan a grid of
 * spacing 1.5·`scale` around the candidate points, keep the region above 1e−18
 * of the peak, and return breakpoints that bracket it so the adaptive rule
 * cannot step over a narrow peak.
 */
export function locateMass(
  f: (s: number) => number,
  scale: number,
  candidates: number[],
): { lo: number; hi: number; breakpoints: number[]; peak: number } {
  const finite = candidates.filter(Number.isFinite);
  const from = Math.min(...finite) - 10 * scale;
  const to = Math.max(...finite) + 10 * scale;
  // the grid must never be coarser than the integrand's scale, or a peak can fall between its points
  const n = Math.ceil((to - from) / (1.5 * scale));
  if (n > 2000) throw new NumericalRangeError(`cannot bracket the integrand's mass: candidates span ${(to - from).toExponential(2)} at scale ${scale}`);
  const step = (to - from) / n;
  const xs: number[] = [];
  const fs: number[] = [];
  for (let i = 0; i <= n; i++) {
    const x = from + i * step;
    xs.push(x);
    fs.push(f(x));
  }
  let peak = 0;
  let arg = 0;
  fs.forEach((v, i) => {
    if (v > peak) {
      peak = v;
      arg = i;
    }
  });
  if (!(peak > 0)) return { lo: from, hi: to, breakpoints: [], peak };
  let first = arg;
  let last = arg;
  fs.forEach((v, i) => {
    if (v > 1e-18 * peak) {
      first = Math.min(first, i);
      last = Math.max(last, i);
    }
  });
  const lo = xs[Math.max(0, first - 1)];
  const hi = xs[Math.min(n, last + 1)];
  // one breakpoint per ~6 scales inside the significant region, plus the peak
  const breakpoints: number[] = [xs[arg]];
  const every = Math.max(1, Math.round((6 * scale) / step));
  for (let i = first; i <= last; i += every) breakpoints.push(xs[i]);
  return { lo, hi, breakpoints, peak };
}
