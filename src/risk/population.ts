import { NumericalRangeError, requireFinite } from '../errors.ts';
import type { Activation } from '../estimator/activation.ts';
import { validateTheta } from '../estimator/activations.ts';
import { integrateVector } from '../numerics/adaptive.ts';
import { normalPdf, normalSf } from '../numerics/special.ts';
import type { LengthLaw } from '../task/length-law.ts';
import { type GaussianComponent, type Task, validateNu } from '../task/tasks.ts';
import { locateMass, selectionCandidates } from './bayes.ts';
import { GAUSSIAN_CUTOFF_SD, breakpointsInside, powerOfComplement, stepBreakpoints } from './laplace.ts';
import { type Family, type Overlaps, isOnManifold, tokenCoefficients } from './overlaps.ts';
import type { RiskResult } from './result.ts';
import {
  A,
  A_PSI_B,
  COMPLEMENT,
  MASS,
  type Moments,
  PSI,
  PSI2,
  PSI_B,
  type TokenContext,
  emptyMoments,
  gaussianTokenMoments,
  selectionTokenMoments,
} from './token-moments.ts';

export interface PopulationRiskInput {
  readonly task: Task;
  readonly nu: number;
  readonly lengths: LengthLaw;
  readonly delta?: number;
  readonly act: Activation;
  readonly theta?: readonly number[];
  readonly overlaps: Overlaps;
}

export interface PopulationRiskOptions {
  /** relative tolerance of the outer integrals (default 1e-9) */
  relTol?: number;
  /** absolute tolerance of T1, T2 (default 1e-12) */
  absTol?: number;
}

/**
 * Population risk E(f_{σ,k,v}) = E[(y − Σ σ(χ)_ℓ z_ℓ)²] at given overlaps, by
 * quadrature, for any task and activation:
 *   E = Δ + 1 − 2 T1 + T2,  T1 = E[a_ε F + c12 σ_ε],  T2 = E[F² + c22 Σ σ_ℓ²],
 * with F = Σ σ_ℓ b_ℓ and a, b, c12, c22 from `tokenCoefficients` (conditioning
 * (z*, z) on (χ*, χ) token by token). Splitting the sums into the spike token
 * and the L − 1 exchangeable others:
 *   T1(L) = (P_aψb + c12 P_ψ) Q_0^{L−1} + (L−1) P_a Q_ψb Q_0^{L−2}
 *   T2(L) = P_ψ2 Q_0^{L−1} + (L−1) Q_ψ2 P_0 Q_0^{L−2} + 2(L−1) P_ψb Q_ψb Q_0^{L−2}
 *           + (L−1)(L−2) Q_ψb² P_0 Q_0^{L−3}
 * where P, Q are the spike's and a bulk token's one-token moments
 * (`token-moments.ts`). Normalised σ adds an outer integral over s = −log t
 * (1/S = ∫e^{−tS}dt, 1/S² = ∫te^{−tS}dt); selection tasks (max-SLR) write
 * E[G(ε)] = L E[p_1 G(1)] with p_1 = e^{cχ*_1}/S_c and add one more outer
 * integral (over r = −log u, or over the spike's χ* for argmax). T2 does not
 * involve ε, and under a selection task χ* is exactly i.i.d. N(0,1), so there
 * it needs no selection integral. Cost does not depend on L.
 *
 * Throws InadmissibleOverlapsError for a non-PSD residual covariance and
 * NumericalRangeError where the risk leaves double range (e.g. unnormalised
 * exp with huge q_kk).
 */
export function populationRisk(input: PopulationRiskInput, opts: PopulationRiskOptions = {}): RiskResult {
  const { task, nu, lengths, act, overlaps } = input;
  const delta = requireFinite('delta', input.delta ?? 0, { min: 0 });
  const terms = riskTerms(input, opts);
  const { T1, T2 } = terms;
  const excess = 1 - 2 * T1.value + T2.value;
  const rounding = 8 * Number.EPSILON * (1 + 2 * Math.abs(T1.value) + Math.abs(T2.value) + delta);
  const error = 2 * T1.error + T2.error + rounding;
  if (!Number.isFinite(excess) || !Number.isFinite(error)) {
    throw new NumericalRangeError(
      `the risk of ${act.id} at these overlaps is not representable in double precision (T1=${T1.value}, T2=${T2.value})`,
    );
  }
  const family: Family = isOnManifold(overlaps) ? 'manifold' : 'full';
  return {
    task: task.id,
    act: act.id,
    nu,
    lengths,
    delta,
    family,
    params: overlaps,
    theta: terms.theta,
    value: delta + excess,
    excess,
    error,
    method: terms.method,
    converged: terms.converged,
    evaluations: terms.evaluations,
  };
}

export interface Term {
  readonly value: number;
  readonly error: number;
  readonly converged: boolean;
}

export interface RiskTerms {
  /** T1 = E[z*_ε f(X)] */
  readonly T1: Term;
  /** T2 = E[f(X)²] */
  readonly T2: Term;
  readonly theta: readonly number[];
  readonly method: string;
  readonly evaluations: number;
  readonly converged: boolean;
}

/** T1 = E[z*_ε f] and T2 = E[f²] at given overlaps (risk = Δ + 1 − 2T1 + T2), with error bounds. */
export function riskTerms(input: PopulationRiskInput, opts: PopulationRiskOptions = {}): RiskTerms {
  const { task, nu, lengths, act, overlaps } = input;
  validateNu(task, nu);
  const theta = validateTheta(act, input.theta ?? act.parameters.map((p) => p.initial));
  const coef = tokenCoefficients(overlaps);
  const relTol = opts.relTol ?? 1e-9;
  const absTol = opts.absTol ?? 1e-12;
  const ctx: TokenContext = {
    act,
    theta,
    coef,
    relTol: Math.min(1e-11, relTol / 100),
    absTol: absTol / 1000,
    counter: { evaluations: 0, converged: true },
  };
  const { T1, T2, method } = termsByQuadrature(task, nu, lengths, ctx, relTol, absTol);
  if (!Number.isFinite(T1.value) || !Number.isFinite(T2.value)) {
    throw new NumericalRangeError(
      `the risk of ${act.id} at these overlaps is not representable in double precision (T1=${T1.value}, T2=${T2.value})`,
    );
  }
  return {
    T1,
    T2,
    theta,
    method,
    evaluations: ctx.counter.evaluations,
    converged: ctx.counter.converged && T1.converged && T2.converged,
  };
}


/** The assembled T1, T2 integrands for one L from spike moments P and bulk moments Q (values and abs error bounds). */
function assemble(L: number, c12: number, P: Moments, Q: Moments, out: { t1: number; t2: number; e1: number; e2: number }): void {
  const v = (M: Moments, j: number) => M.values[j];
  const pw = (n: number, comp: number) => powerOfComplement(comp, n);
  const evalWith = (p: (j: number) => number, q: (j: number) => number, qComp: number) => {
    const q1 = pw(L - 1, qComp);
    const q2 = L >= 2 ? pw(L - 2, qComp) : 0;
    const q3 = L >= 3 ? pw(L - 3, qComp) : 0;
    const t1 = (p(A_PSI_B) + c12 * p(PSI)) * q1 + (L - 1) * p(A) * q(PSI_B) * q2;
    const t2 =
      p(PSI2) * q1 + (L - 1) * q(PSI2) * p(MASS) * q2 + 2 * (L - 1) * p(PSI_B) * q(PSI_B) * q2 + (L - 1) * (L - 2) * q(PSI_B) * q(PSI_B) * p(MASS) * q3;
    return { t1, t2 };
  };
  const exact = evalWith((j) => v(P, j), (j) => v(Q, j), Q.values[COMPLEMENT]);
  // an error bound: every term is a product, so evaluating with |value| + error
  // (and the complement lowered by its error) bounds each |term| from above
  const upper = evalWith(
    (j) => Math.abs(v(P, j)) + P.errors[j],
    (j) => Math.abs(v(Q, j)) + Q.errors[j],
    Math.max(0, Q.values[COMPLEMENT] - Q.errors[COMPLEMENT]),
  );
  const plain = evalWith((j) => Math.abs(v(P, j)), (j) => Math.abs(v(Q, j)), Q.values[COMPLEMENT]);
  out.t1 = exact.t1;
  out.t2 = exact.t2;
  out.e1 = Math.abs(upper.t1 - plain.t1);
  out.e2 = Math.abs(upper.t2 - plain.t2);
}


function termsByQuadrature(
  task: Task,
  nu: number,
  lengths: LengthLaw,
  ctx: TokenContext,
  relTol: number,
  absTol: number,
): { T1: Term; T2: Term; method: string } {
  const { act } = ctx;
  const c12 = ctx.coef.c12;
  const normalised = act.normalised;
  const Ls = lengths.lengths;
  const ps = lengths.probabilities;
  const acc = { t1: 0, t2: 0, e1: 0, e2: 0 };

  /** Σ_L P_L · (T1, T2 integrands), optionally scaled by a per-L factor. */
  const mix = (P: Moments, Q: Moments, factor: (L: number) => number, res: { t1: number; t2: number; e1: number; e2: number }) => {
    res.t1 = res.t2 = res.e1 = res.e2 = 0;
    for (let i = 0; i < Ls.length; i++) {
      assemble(Ls[i], c12, P, Q, acc);
      const f = ps[i] * factor(Ls[i]);
      res.t1 += f * acc.t1;
      res.t2 += f * acc.t2;
      res.e1 += f * acc.e1;
      res.e2 += f * acc.e2;
    }
  };
  const one = () => 1;
  const res = { t1: 0, t2: 0, e1: 0, e2: 0 };

  // ---- moments of i.i.d. N(0,1) tokens, and of a product task's spike ----
  const bulkLaw: readonly GaussianComponent[] = [{ weight: 1, mean: 0, sd: 1 }];
  const lawMoments = (law: readonly GaussianComponent[], s: number): Moments => {
    const M = emptyMoments();
    for (const comp of law) gaussianTokenMoments(ctx, comp, s, M);
    return M;
  };

  // integrate a (value, error) pair of integrands over s ∈ R (normaliser variable)
  const sScale = normaliserScale(ctx);
  const overS = (fn: (s: number) => { v1: number; v2: number; e1: number; e2: number }, candidates: number[]) => {
    const peakProbe = (s: number) => {
      const r = fn(s);
      return Math.abs(r.v1) + Math.abs(r.v2);
    };
    const { lo, hi, breakpoints, peak } = locateMass(peakProbe, sScale, candidates);
    if (!(peak > 0)) return { values: [0, 0], errors: [0, 0], conv: true, inner: [0, 0] };
    const r = integrateVector(
      (s, out) => {
        const f = fn(s);
        out[0] = f.v1;
        out[1] = f.v2;
        out[2] = f.e1;
        out[3] = f.e2;
      },
      4,
      -Infinity,
      Infinity,
      { breakpoints: breakpointsInside([lo, ...breakpoints, hi], -Infinity, Infinity), relTol, absTol, controlled: 2 },
    );
    return {
      values: [r.values[0], r.values[1]],
      errors: [r.errors[0], r.errors[1]],
      inner: [2 * Math.abs(r.values[2]), 2 * Math.abs(r.values[3])],
      conv: r.converged,
    };
  };
  const sCandidates = normaliserCandidates(ctx, task, nu, lengths);

  // ---- T2: product tasks use spike + bulk; selection tasks i.i.d. N(0,1) ----
  const t2Laws = task.kind === 'product' ? { spike: task.spikeLaw(nu), bulk: bulkLaw } : { spike: bulkLaw, bulk: bulkLaw };
  let T2: Term;
  let T1: Term | undefined;
  if (!normalised) {
    const P = lawMoments(t2Laws.spike, NaN);
    const Q = lawMoments(t2Laws.bulk, NaN);
    mix(P, Q, one, res);
    T2 = { value: res.t2, error: res.e2, converged: true };
    if (task.kind === 'product') T1 = { value: res.t1, error: res.e1, converged: true };
  } else {
    const r = overS((s) => {
      const P = lawMoments(t2Laws.spike, s);
      const Q = task.kind === 'product' ? lawMoments(t2Laws.bulk, s) : P;
      mix(P, Q, one, res);
      return { v1: task.kind === 'product' ? res.t1 : 0, v2: res.t2, e1: res.e1, e2: res.e2 };
    }, sCandidates);
    T2 = { value: r.values[1], error: r.errors[1] + r.inner[1], converged: r.conv };
    if (task.kind === 'product') T1 = { value: r.values[0], error: r.errors[0] + r.inner[0], converged: r.conv };
  }
  if (task.kind === 'product') {
    return { T1: T1!, T2, method: methodName(normalised ? 'outer s' : 'no outer integral', 'product') };
  }

  // ---- T1 for a selection task: E[G(ε)] = L E[p_1 G(1)] ----
  const c = task.selectionSlope(nu);
  const Lfactor = (L: number) => L;
  let selectionMoments: (y: number, s: number) => { P: Moments; Q: Moments };
  let yCandidates: number[];
  let yScale: number;
  let yWeight: (y: number) => number;
  const logLmax = Math.log(Math.max(...Ls));
  if (c === Infinity) {
    // argmax: y is the spike's χ*, density φ(y); bulk tokens have χ* < y
    selectionMoments = (y, s) => {
      const P = emptyMoments();
      selectionTokenMoments(ctx, s, spikePoint, { at: y }, P);
      const Q = emptyMoments();
      const lo = -GAUSSIAN_CUTOFF_SD;
      if (y > lo) {
        selectionTokenMoments(ctx, s, (x, out) => ((out[0] = 1), (out[1] = 0)), { lo, hi: y, marks: [] }, Q);
      }
      // the bulk's mass above y is outside the selection: complement += P(χ* > y)
      Q.values[COMPLEMENT] += normalSf(y);
      return { P, Q };
    };
    yCandidates = [0, Math.sqrt(2 * logLmax)];
    yScale = 1;
    yWeight = (y) => normalPdf(y);
  } else {
    // softmax selection, r = −log u: spike weight κe^{−κ}, bulk weight e^{−κ}, κ = e^{cχ* − r}
    selectionMoments = (r, s) => {
      const marks = c > 0 ? stepBreakpoints(r / c, c) : [];
      const range = { lo: -GAUSSIAN_CUTOFF_SD, hi: GAUSSIAN_CUTOFF_SD, marks };
      const P = emptyMoments();
      selectionTokenMoments(
        ctx,
        s,
        (x, out) => {
          const ell = c * x - r;
          out[0] = ell > 40 ? 0 : Math.exp(ell - Math.exp(ell));
          out[1] = 0; // the spike's complement is never used
        },
        range,
        P,
      );
      const Q = emptyMoments();
      selectionTokenMoments(
        ctx,
        s,
        (x, out) => {
          const ell = c * x - r;
          if (ell > 40) {
            out[0] = 0;
            out[1] = 1;
          } else {
            const kappa = Math.exp(ell);
            out[0] = Math.exp(-kappa);
            out[1] = -Math.expm1(-kappa);
          }
        },
        range,
        Q,
      );
      return { P, Q };
    };
    yCandidates = selectionCandidates(c, Math.max(...Ls));
    yScale = Math.max(1, c);
    yWeight = () => 1;
  }

  const t1AtY = (y: number): { v: number; e: number } => {
    if (!normalised) {
      const { P, Q } = selectionMoments(y, NaN);
      mix(P, Q, Lfactor, res);
      const w = yWeight(y);
      return { v: w * res.t1, e: w * res.e1 };
    }
    const r = overS((s) => {
      const { P, Q } = selectionMoments(y, s);
      mix(P, Q, Lfactor, res);
      return { v1: res.t1, v2: 0, e1: res.e1, e2: 0 };
    }, sCandidates);
    const w = yWeight(y);
    if (!r.conv) ctx.counter.converged = false;
    return { v: w * r.values[0], e: w * (r.errors[0] + r.inner[0]) };
  };
  const { lo, hi, breakpoints, peak } = locateMass((y) => Math.abs(t1AtY(y).v), yScale, yCandidates);
  let t1: Term;
  if (!(peak > 0)) {
    t1 = { value: 0, error: 0, converged: true };
  } else {
    const r = integrateVector(
      (y, out) => {
        const f = t1AtY(y);
        out[0] = f.v;
        out[1] = f.e;
      },
      2,
      -Infinity,
      Infinity,
      { breakpoints: breakpointsInside([lo, ...breakpoints, hi], -Infinity, Infinity), relTol, absTol, controlled: 1 },
    );
    t1 = { value: r.values[0], error: r.errors[0] + 2 * Math.abs(r.values[1]), converged: r.converged };
  }
  return {
    T1: t1,
    T2,
    method: methodName(normalised ? 'outer s' : 'no outer integral', c === Infinity ? 'argmax' : 'softmax-selection'),
  };
}

function spikePoint(_x: number, out: Float64Array): void {
  out[0] = 1;
  out[1] = 0;
}


function methodName(normaliser: string, selection: string): string {
  return `exchangeable-token quadrature (${selection}; ${normaliser}); adaptive Gauss–Kronrod, Gauss–Hermite in w for selection tasks`;
}

/** Scale on which the normaliser's log variable s matters: spread of log φ(χ) over a token. */
function normaliserScale(ctx: TokenContext): number {
  if (!ctx.act.normalised) return 1;
  const sd = Math.sqrt(ctx.coef.m * ctx.coef.m + ctx.coef.tau2);
  const lw = ctx.act.logWeight!;
  const spread = Math.abs(lw(sd, ctx.theta) - lw(-sd, ctx.theta)) / 2;
  return Math.max(1, spread);
}

/** Where log S_φ typically sits: candidates for the s-integral's mass. */
function normaliserCandidates(ctx: TokenContext, task: Task, nu: number, lengths: LengthLaw): number[] {
  if (!ctx.act.normalised) return [0];
  const lw = ctx.act.logWeight!;
  const { m, tau2 } = ctx.coef;
  const sd = Math.sqrt(m * m + tau2);
  const Lmax = Math.max(...lengths.lengths);
  const Lmin = Math.min(...lengths.lengths);
  const top = sd * Math.sqrt(2 * Math.log(Math.max(Lmax, 2)));
  const out = [lw(0, ctx.theta), lw(0, ctx.theta) + Math.log(Lmax), lw(0, ctx.theta) + Math.log(Lmin), lw(top, ctx.theta), lw(sd, ctx.theta)];
  if (task.kind === 'product') for (const c of task.spikeLaw(nu)) out.push(lw(m * c.mean, ctx.theta));
  else if (nu > 0) out.push(lw(m * Math.sqrt(2 * Math.log(Math.max(Lmax, 2))), ctx.theta));
  return out.filter(Number.isFinite);
}

