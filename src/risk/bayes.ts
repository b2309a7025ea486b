import { NumericalRangeError, requireFinite } from '../errors.ts';
import { integrateVector } from '../numerics/adaptive.ts';
import { type LengthLaw } from '../task/length-law.ts';
import { type Task, type GaussianComponent, logPosteriorWeight, validateNu } from '../task/tasks.ts';
import {
  KERNEL_COMPLEMENT,
  KERNEL_E1,
  breakpointsInside,
  gaussianLaplace,
  gaussianTruncated,
  powerOfComplement,
  stepBreakpoints,
} from './laplace.ts';
import type { RiskResult } from './result.ts';

export interface BayesOptions {
  /** relative tolerance of the outer integral (default 1e-10) */
  relTol?: number;
}

const INV_SQRT_2PI = 0.3989422804014327;

/**
 * Bayes risk E_Bayes = Δ + E[(1 − p_ε)² + Σ_{ℓ≠ε} p_ℓ²], p the posterior of ε
 * (THEORY.md §4, Prop. 4.1), computed in a form without cancellation so that
 * it stays accurate at 1e−45 and below.
 *
 * Since p is the posterior, E[p_ε | X] = Σ_ℓ p_ℓ², so the excess over Δ is
 * also E[1 − p_ε] = E[Σ_{ℓ≠ε} p_ℓ], again a sum of positive terms. With
 * posterior weights ρ_ℓ = e^{λ(χ*_ℓ)}, S = Σ ρ_ℓ, 1/S = ∫ e^{−tS} dt,
 * t = e^{−s}, κ = e^{λ − s}, tokens become independent given s:
 *   product task:   (L−1) ∫ ds S0 M1 M0^{L−2}       (E[p_2], token 2 ≠ ε)
 *   selection task: L(L−1) ∫ ds M1² M0^{L−2}         (E[Σ_{ℓ≠ℓ'} p_ℓ p_ℓ'], χ* i.i.d. N(0,1))
 * where M_j(s) = E_bulk[κ^j e^{−κ}] and S0(s) = E_spike[e^{−κ}]. Where λ is
 * linear in χ* (spiked-SLR, max-SLR, any one-component N(μ, 1) spike) the
 * one-token integrals are Gaussian integrals of κ-kernels in u = log κ,
 * S0 = e^s M1, and everything is done by log-concave quadrature (see
 * `bayesRiskLinear`); other product tasks use the pairwise form
 * ∫ ds S0 [2(L−1) M2 M0^{L−2} + (L−1)(L−2) M1² M0^{L−3}] with adaptive inner
 * quadrature. M0^n is taken from the complement 1 − M0 = E[1 − e^{−κ}]
 * (accurate for L = 10^6). Cost is independent of L. Argmax selection
 * (ν = ∞) has risk Δ exactly.
 *
 * Valid ranges: 0 ≤ ν (≤ ~2500 for spiked-SLR, beyond which the excess
 * e^{−ν/4} leaves double range and a NumericalRangeError is thrown), L ≥ 1,
 * Δ ≥ 0. Edge cases: L = 1 gives Δ exactly; ν = 0 gives Δ + 1 − 1/L exactly,
 * and ν → 0 (down to 5e−324) tends to it continuously (the one-token
 * integrals then have a Gaussian narrower than the spacing of doubles near its
 * mean, handled by `gaussianLaplace` in standardised form); a length law that
 * mixes L = 2 with longer sequences keeps M0^0 = 1 where M0 underflows.
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
  if (nu === 0) {
    // the posterior is uniform: E[(1 − 1/L)² + (L − 1)/L²] = 1 − 1/L
    let excess = 0;
    lengths.lengths.forEach((L, i) => (excess += lengths.probabilities[i] * (1 - 1 / L)));
    return { ...base, value: delta + excess, excess, error: 4 * Number.EPSILON * (delta + excess), method: 'exact (ν = 0: the posterior is uniform, excess 1 − 1/L)', converged: true, evaluations: 0 };
  }
  const linear = linearLogWeight(task, nu);
  if (linear) return bayesRiskLinear(task, nu, lengths, delta, linear, opts, base);
  return bayesRiskGeneric(task, nu, lengths, delta, opts, base);
}

/** The posterior log-weight λ(χ*) = slope·χ* + offset when it is linear (selection tasks; one N(μ, 1) spike), else undefined. */
function linearLogWeight(task: Task, nu: number): { slope: number; offset: number } | undefined {
  if (task.kind === 'selection') return { slope: task.selectionSlope(nu), offset: 0 };
  const law = task.spikeLaw(nu);
  if (law.length === 1 && law[0].sd === 1) {
    const mu = law[0].mean;
    return { slope: Math.abs(mu), offset: -0.5 * mu * mu };
  }
  return undefined;
}

type Base = Pick<RiskResult, 'task' | 'act' | 'nu' | 'lengths' | 'delta'>;

/**
 * Linear posterior log-weight λ = cχ* + λ0 (spiked-SLR: c = √ν, λ0 = −ν/2;
 * max-SLR: c = ν, λ0 = 0). By the posterior identity E[p_ε | X] = Σ_ℓ p_ℓ²,
 * E_Bayes − Δ = E[1 − p_ε] = E[Σ_{ℓ≠ε} p_ℓ], a sum of positive terms, and with
 * 1/S = ∫ e^{−tS} dt, t = e^{−s}, a bulk token's U = log(tρ) = cχ* + λ0 − s ~ N(a, c²),
 * a = λ0 − s:
 *   product task:   (L − 1) ∫ da e^{λ0 − a} M1(a)² M0(a)^{L−2}     (spike: E[e^{−κ}] = e^{s} M1)
 *   selection task: L(L − 1) ∫ da M1(a)² M0(a)^{L−2}
 * with M1 = E[κe^{−κ}], M0 = E[e^{−κ}] = 1 − E[1 − e^{−κ}] under U ~ N(a, c²),
 * κ = e^U. These one-token integrals are log-concave in U and are taken by
 * `gaussianLaplace`; M0^{L−2} = exp((L − 2) log1p(−(1 − M0))) from the
 * complement (L = 10⁶ loses nothing).
 * Everything is assembled in logs, so e^{λ0 − a} (up to e^{ν/2}) never overflows.
 */
function bayesRiskLinear(
  task: Task,
  nu: number,
  lengths: LengthLaw,
  delta: number,
  lin: { slope: number; offset: number },
  opts: BayesOptions,
  base: Base,
): RiskResult {
  const c = lin.slope;
  const lambda0 = lin.offset;
  const product = task.kind === 'product';
  const Ls: number[] = [];
  const coef: number[] = [];
  lengths.lengths.forEach((L, i) => {
    if (L < 2) return;
    Ls.push(L);
    coef.push(lengths.probabilities[i] * (product ? L - 1 : L * (L - 1)));
  });
  const needComplement = Ls.some((L) => L > 2);
  let inner = 0;
  let innerConverged = true;
  const logCoef = coef.map(Math.log);
  // out[0] = Σ_L integrand, out[1] = its propagated error bound, out[2 + i] = the term of length Ls[i]
  const evaluate = (a: number, out: Float64Array) => {
    const m1 = gaussianLaplace(KERNEL_E1, a, c);
    inner += m1.evaluations;
    if (!(m1.scaled > 0)) return; // M1 underflows: the integrand is 0 to double precision
    if (!(m1.scaledError < Infinity)) innerConverged = false;
    const logM1 = m1.logPeak + Math.log(m1.scaled);
    const relM1 = m1.scaledError / m1.scaled;
    // log M0 and the relative error of M0
    // from the complement 1 − M0 (relative accuracy where M0 ≈ 1, which matters for L = 10⁶); where
    // the complement is close to 1, M0 = 1 − it is less accurate, and the propagated error says so
    // (there M0^{L−2} ≤ 2^{2−L}, and M1 is small too)
    let logM0 = 0;
    let relM0 = 0;
    if (needComplement) {
      const comp = gaussianLaplace(KERNEL_COMPLEMENT, a, c);
      inner += comp.evaluations;
      const m0 = 1 - comp.value;
      logM0 = m0 > 0 ? Math.log1p(-comp.value) : -Infinity;
      relM0 = m0 > 0 ? comp.error / m0 : 0;
    }
    const tilt = product ? lambda0 - a : 0;
    let value = 0;
    let error = 0;
    for (let i = 0; i < Ls.length; i++) {
      const n = Ls[i] - 2;
      // M0^n with n = 0 is 1 even where M0 underflows to 0 (0·log 0 would be NaN)
      const logPow = n > 0 ? n * logM0 : 0;
      const logI = logCoef[i] + tilt + 2 * logM1 + logPow;
      const I = Math.exp(logI);
      if (I === 0) continue;
      // first-order propagation of the inner errors, with a factor 2 for the neglected higher orders,
      // plus the rounding of the exponent (absolute ≈ eps·Σ|terms|)
      const rel = 2 * (2 * relM1 + n * relM0) + 4 * Number.EPSILON * (Math.abs(logCoef[i]) + Math.abs(tilt) + 2 * Math.abs(logM1) + Math.abs(logPow) + 1);
      value += I;
      error += I * rel;
      if (out.length > 2) out[2 + i] = I;
    }
    out[0] = value;
    out[1] = error;
  };
  // where the mass sits, in s (then a = λ0 − s)
  const Lmax = Math.max(...Ls);
  const sCandidates = product
    ? [lambda0, c * Math.sqrt(2 * Math.log(Math.max(Lmax, 2))) + lambda0, Math.log(Math.max(Lmax - 1, 1)), c * c + lambda0, 0.5 * c * c + lambda0]
    : selectionCandidates(c, Lmax);
  const res = integrateLogConcaveTerms(evaluate, Ls.length, Math.max(1, c), sCandidates.map((s) => lambda0 - s), opts.relTol ?? 1e-10);
  if (!res) {
    throw new NumericalRangeError(`the Bayes excess risk of ${task.label} at ν=${nu} underflows double precision (it is below ~1e-300)`);
  }
  const excess = res.value;
  const error = res.error + Number.EPSILON * (delta + excess);
  if (!Number.isFinite(excess) || excess < 0 || !Number.isFinite(error)) {
    throw new NumericalRangeError(`Bayes excess risk came out ${excess} ± ${error} for ${task.label} at ν=${nu}`);
  }
  return {
    ...base,
    value: delta + excess,
    excess,
    error,
    method: 'exchangeable-token reduction, E[1 − p_ε]; outer Gauss–Kronrod over a = λ0 − log t on panels planned from a probe grid, tails bounded by log-concavity; inner log-concave Gauss–Kronrod panels in u = log κ',
    converged: res.converged && innerConverged,
    evaluations: res.evaluations + inner,
  };
}

/**
 * ∫_R Σ_i I_i(a) da for positive log-concave terms I_i (each I_L(a) above is a
 * product of log-concave functions of a: Prékopa–Leindler), given
 * `evaluate(a, out)` writing [Σ I_i, its propagated error bound, I_0, I_1, …].
 *
 * A probe grid of spacing 1.5·scale around the candidate points finds the
 * peak and the region [lo, hi] (grid points) outside which the sum is below
 * e^−40 of it; panel ends go where log Σ has dropped by 8 and 24 (as in
 * `integrateLogConcave`), so adaptive Gauss–Kronrod on [lo, hi] rarely needs
 * to bisect. The tails are not integrated but bounded: for
 * log-concave I_i beyond its mode, log I_i lies below the secant through the
 * last two grid points, so ∫_hi^∞ I_i ≤ I_i(hi)·h / log(I_i(hi − h)/I_i(hi))
 * (and likewise at lo); the bound is added to the error. Where a secant does
 * not slope down (a term not yet past its mode) the region is widened.
 * Returns undefined when the sum underflows everywhere on the grid.
 */
function integrateLogConcaveTerms(
  evaluate: (a: number, out: Float64Array) => void,
  terms: number,
  scale: number,
  candidates: number[],
  relTol: number,
): { value: number; error: number; evaluations: number; converged: boolean } | undefined {
  const finite = candidates.filter(Number.isFinite);
  const h = 1.5 * scale;
  let from = Math.min(...finite) - 10 * scale;
  let to = Math.max(...finite) + 10 * scale;
  const n = Math.ceil((to - from) / h);
  if (n > 2000) throw new NumericalRangeError(`cannot bracket the integrand's mass: candidates span ${(to - from).toExponential(2)} at scale ${scale}`);
  to = from + n * h;
  const width = 2 + terms;
  // grid values, row-major [x, total, error, terms…]; grown at either end when needed
  const xs: number[] = [];
  const rows: Float64Array[] = [];
  let evaluations = 0;
  const at = (x: number): Float64Array => {
    const out = new Float64Array(width);
    evaluate(x, out);
    evaluations++;
    return out;
  };
  for (let i = 0; i <= n; i++) {
    const x = from + i * h;
    xs.push(x);
    rows.push(at(x));
  }
  let peak = 0;
  for (const r of rows) if (r[0] > peak) peak = r[0];
  if (!(peak > 0)) return undefined;
  const threshold = 4e-18 * peak; // e^−40
  // a tail bound of every term across the step (x0 → x1, moving away from the mass); Infinity if a term is not decreasing
  const tailBound = (near: Float64Array, far: Float64Array): number => {
    let bound = 0;
    for (let i = 0; i < terms; i++) {
      const a = near[2 + i];
      const b = far[2 + i];
      if (b === 0) continue;
      if (!(a > b)) return Infinity;
      bound += (b * h) / Math.log(a / b);
    }
    return bound;
  };
  // widen until both edges are below the threshold and every term decreases outwards there
  for (let k = 0; k < 200; k++) {
    const left = rows[0][0] > threshold || tailBound(rows[1], rows[0]) === Infinity;
    const right = rows[rows.length - 1][0] > threshold || tailBound(rows[rows.length - 2], rows[rows.length - 1]) === Infinity;
    if (!left && !right) break;
    if (left) {
      from -= h;
      xs.unshift(from);
      rows.unshift(at(from));
    }
    if (right) {
      to += h;
      xs.push(to);
      rows.push(at(to));
    }
  }
  // trim to the significant region (one grid point beyond it on each side)
  let first = 0;
  let last = rows.length - 1;
  while (first + 2 < last && rows[first + 1][0] <= threshold && tailBound(rows[first + 2], rows[first + 1]) < Infinity) first++;
  while (last - 2 > first && rows[last - 1][0] <= threshold && tailBound(rows[last - 2], rows[last - 1]) < Infinity) last--;
  const tails = tailBound(rows[first + 1], rows[first]) + tailBound(rows[last - 1], rows[last]);
  let arg = first;
  for (let i = first; i <= last; i++) if (rows[i][0] > rows[arg][0]) arg = i;
  // panel ends where log Σ has dropped by 8 and 24 below the peak (log-linear interpolation between grid
  // points): GK21 on a log-concave panel with a drop of 8 (then 16, then what is left down to e^−40
  // at the region's edge, whose share is ≤ e^−24) meets 1e−10 without bisection
  const logAt = (i: number) => (rows[i][0] > 0 ? Math.log(rows[i][0] / peak) : -Infinity);
  const breaks: number[] = [xs[arg]];
  for (const dir of [1, -1]) {
    let i = arg;
    for (const level of [8, 24]) {
      while (i + dir > first && i + dir < last && -logAt(i + dir) < level) i += dir;
      if (!(i + dir > first && i + dir < last)) break;
      const d0 = -logAt(i);
      const d1 = -logAt(i + dir);
      const t = d1 > d0 ? (level - d0) / (d1 - d0) : 0.5;
      breaks.push(xs[i] + dir * h * Math.min(1, Math.max(0, t)));
    }
  }
  const res = integrateVector((a, out) => evaluate(a, out), 2, xs[first], xs[last], { breakpoints: breaks, relTol, absTol: 1e-300, controlled: 1 });
  return {
    value: res.values[0],
    // outer estimate + integrated inner error bound + the tails beyond the region
    error: res.errors[0] + res.values[1] + tails,
    evaluations: evaluations + res.evaluations,
    converged: res.converged && Number.isFinite(tails),
  };
}

/** Any product task (e.g. a Gaussian-mixture spike): the pairwise form with inner adaptive quadrature in χ*. */
function bayesRiskGeneric(task: Task, nu: number, lengths: LengthLaw, delta: number, opts: BayesOptions, base: Base): RiskResult {
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
 * cannot step over a narrow peak: the region's ends, the peak and any other
 * local maximum, and where log f has dropped by 8 and 24 on either side.
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
    const v = f(x);
    // a NaN would compare false with every value and could leave the peak at 0: the integral would be 0, silently
    if (Number.isNaN(v)) throw new NumericalRangeError(`the integrand is NaN at ${x} (scale ${scale})`);
    fs.push(v);
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
  // breakpoints: the peak, every other local maximum of the grid, and on each side of the peak the
  // points where log f has dropped by 8 and 24 (log-linear interpolation between grid points), so that
  // a Gauss–Kronrod panel never spans more than a bounded drop near the mass
  const breakpoints: number[] = [xs[arg]];
  for (let i = Math.max(first, 1); i <= Math.min(last, n - 1); i++) if (i !== arg && fs[i] > fs[i - 1] && fs[i] >= fs[i + 1]) breakpoints.push(xs[i]);
  const drop = (i: number) => (fs[i] > 0 ? Math.log(peak / fs[i]) : Infinity);
  for (const dir of [1, -1]) {
    let i = arg;
    for (const level of [8, 24]) {
      while (i + dir >= first && i + dir <= last && drop(i + dir) < level) i += dir;
      if (!(i + dir >= first && i + dir <= last)) break;
      const d0 = drop(i);
      const d1 = drop(i + dir);
      const t = Number.isFinite(d1) && d1 > d0 ? (level - d0) / (d1 - d0) : 0.5;
      breakpoints.push(xs[i] + dir * step * Math.min(1, Math.max(0, t)));
    }
  }
  return { lo, hi, breakpoints, peak };
}
