import { NumericalRangeError, requireFinite } from '../errors.ts';
import type { Activation } from '../estimator/activation.ts';
import { validateTheta } from '../estimator/activations.ts';
import { GAUSS_WEIGHTS, KRONROD_NODES, KRONROD_WEIGHTS, type Subdivision, integrateVector } from '../numerics/adaptive.ts';
import { normalSf } from '../numerics/special.ts';
import { type SelectionRowsBand, type SelectionRowsLayout, windowSumArena } from '../numerics/window-sums.ts';
import type { LengthLaw } from '../task/length-law.ts';
import { type GaussianComponent, type Task, validateNu } from '../task/tasks.ts';
import { locateMass, selectionCandidates } from './bayes.ts';
import { GAUSSIAN_CUTOFF_SD, breakpointsInside, powerOfComplement, stepBreakpoints } from './laplace.ts';
import { type Family, type Overlaps, isOnManifold, tokenCoefficients, valueFree } from './overlaps.ts';
import type { RiskResult } from './result.ts';
import {
  A,
  A_PSI_B,
  COMPLEMENT,
  MASS,
  type Moments,
  PHI_CACHED_LOG,
  PSI,
  PSI2,
  PSI_B,
  type TokenContext,
  SEL_COMPONENTS,
  SelectionGrid,
  TokenGrid,
  emptyMoments,
  psiOf,
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
  /**
   * relative tolerance of the outer integrals (default 1e-9); the token grids use relTol/100 and
   * widen their panels for looser values (e.g. 1e-7 in the class-risk search). The reported error
   * is an estimate for the tolerance used, whatever it is.
   */
  relTol?: number;
  /** absolute tolerance of T1, T2 (default 1e-12) */
  absTol?: number;
  /**
   * What a call leaves for the next (the class-risk search passes one memo to all its evaluations):
   * the outer s-integrals' final subdivisions and the softmax-selection r-rule with its prepared
   * kernel rows. Where the previous call was at the same task, ν, lengths, σ, θ and tolerances and at
   * overlaps within 1% (a finite-difference neighbour, a KKT probe), each s-integral starts from
   * that call's final subdivision instead of locating the integrand's mass anew (15 probes) and
   * refining from the planned breakpoints, and on the same x-grid the r-rule is taken as it ended
   * there (no planning scan; its rows are not recomputed: they depend on the grid and c only). The
   * refinement and error control are those of any call, so the values agree with a call without the
   * memo to the quadrature error.
   */
  memo?: EvaluationMemo;
}

/**
 * What `PopulationRiskOptions.memo` carries from one call to the next: what the last few calls
 * ended with (a full-family evaluation makes six calls at different overlaps, each the
 * neighbour of one call of the evaluation before).
 */
export class EvaluationMemo {
  private recent: { input: PopulationRiskInput; theta: readonly number[]; relTol: number; absTol: number; entries: ReadonlyMap<string, unknown> }[] = [];
  /** calls that started from a recorded call's, and calls in all */
  reused = 0;
  calls = 0;

  /** What the latest recorded call near these inputs left (see PopulationRiskOptions.memo), else undefined. */
  lookup(input: PopulationRiskInput, theta: readonly number[], relTol: number, absTol: number): ReadonlyMap<string, unknown> | undefined {
    this.calls++;
    const near = this.recent.find((at) => {
      if (at.input.task !== input.task || at.input.act !== input.act || at.input.nu !== input.nu || at.relTol !== relTol || at.absTol !== absTol) return false;
      const L0 = at.input.lengths;
      const L1 = input.lengths;
      if (L0 !== L1 && (L0.lengths.join() !== L1.lengths.join() || L0.probabilities.join() !== L1.probabilities.join())) return false;
      if (at.theta.length !== theta.length || at.theta.some((t, i) => t !== theta[i])) return false;
      const a = at.input.overlaps;
      const b = input.overlaps;
      return (['mkk', 'mkv', 'mvk', 'mvv', 'qkk', 'qvv', 'qkv'] as const).every((k) => Math.abs(a[k] - b[k]) <= 0.01 * Math.max(1, Math.abs(a[k]), Math.abs(b[k])));
    });
    if (near) this.reused++;
    return near?.entries;
  }

  remember(input: PopulationRiskInput, theta: readonly number[], relTol: number, absTol: number, entries: ReadonlyMap<string, unknown>): void {
    this.recent.unshift({ input, theta: [...theta], relTol, absTol, entries });
    if (this.recent.length > EvaluationMemo.KEPT) this.recent.pop();
  }

  private static readonly KEPT = 8;
}

/** What one call finds from a nearby earlier call (`use`, by key) and leaves for the next (`record`). */
interface Reuse {
  readonly use: ReadonlyMap<string, unknown> | undefined;
  readonly record: Map<string, unknown>;
}

/** One s-integral's final subdivisions: (−∞, hi] and the tail t = e^{−s} ∈ (0, e^{−hi}). */
interface SubdivisionEntry {
  readonly hi: number;
  readonly main: Subdivision;
  readonly tail: Subdivision | undefined;
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
 * Numerics: the one-token moments live on fixed Gauss–Kronrod grids built once
 * per call and reused for every s and r (`TokenGrid` in χ; `SelectionGrid` in
 * χ* with the w-moments at each node, cumulative sums for argmax), so the
 * outer integrals cost sums rather than nested adaptive quadratures; the outer
 * integrals are planned from a probe grid, the tail s → ∞ taken in t = e^{−s}.
 * Every grid's error estimate is propagated into the reported error (and a
 * grid is refined when its estimate is not well inside the tolerance).
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
  const { task, nu, lengths, act } = input;
  validateNu(task, nu);
  const relTol = opts.relTol ?? 1e-9;
  const absTol = opts.absTol ?? 1e-12;
  const ctx = tokenContext(input, Math.min(1e-9, relTol / 100), absTol / 1000);
  const memo = opts.memo;
  const recorded = new Map<string, unknown>();
  const reuse = memo ? { use: memo.lookup(input, ctx.theta, relTol, absTol), record: recorded } : undefined;
  const { T1, T2, method } = termsByQuadrature(task, nu, lengths, ctx, relTol, absTol, reuse);
  memo?.remember(input, ctx.theta, relTol, absTol, recorded);
  if (!Number.isFinite(T1.value) || !Number.isFinite(T2.value)) {
    throw new NumericalRangeError(
      `the risk of ${act.id} at these overlaps is not representable in double precision (T1=${T1.value}, T2=${T2.value})`,
    );
  }
  return {
    T1,
    T2,
    theta: ctx.theta,
    method,
    evaluations: ctx.counter.evaluations,
    converged: ctx.counter.converged && T1.converged && T2.converged,
  };
}


/**
 * The number of core panels of the fixed selection rule riskTerms would build at these inputs (0 where
 * there is none: product tasks, separable σ, or ν = ∞). The cost of a call grows with it (softmax at the
 * max-SLR Bayes point, L = 2, full tolerance: 174 panels at ν = 20, 1.6 s; 866 at ν = 100, 3.1 s; 2597
 * at ν = 300, 7.6 s; above MAX_NORMALISED_SELECTION_PANELS, ν ≳ 580, the nested legacy scheme takes
 * minutes), so a caller holding an identity for the value can use it instead.
 */
export function selectionPanels(input: PopulationRiskInput): number {
  const { task, nu, act } = input;
  if (task.kind !== 'selection' || !act.normalised) return 0;
  const c = task.selectionSlope(nu);
  if (!Number.isFinite(c)) return 0;
  return SelectionGrid.panelsFor(tokenContext(input, 1e-9, 1e-15), c);
}

/** The one-token context of σ at these overlaps (θ validated, the initial θ by default) with the token integrals' tolerances. */
function tokenContext(input: PopulationRiskInput, relTol: number, absTol: number): TokenContext {
  const { act, overlaps } = input;
  const theta = validateTheta(act, input.theta ?? act.parameters.map((q) => q.initial));
  return { act, theta, coef: tokenCoefficients(overlaps), relTol, absTol, counter: { evaluations: 0, converged: true } };
}

/** The assembled T1, T2 integrands for one L from spike moments P and bulk moments Q (values and abs error bounds). */
function assemble(L: number, c12: number, P: Moments, Q: Moments, out: { t1: number; t2: number; e1: number; e2: number }): void {
  const pv = P.values;
  const qv = Q.values;
  const pe = P.errors;
  const qe = Q.errors;
  const comp = qv[COMPLEMENT];
  termsWith(L, c12, pv[A_PSI_B], pv[PSI], pv[A], pv[PSI2], pv[MASS], pv[PSI_B], qv[PSI_B], qv[PSI2], comp);
  out.t1 = t1Of;
  out.t2 = t2Of;
  // an error bound: every term is a product, so evaluating with |value| + error (and the complement
  // lowered by its error) bounds each |term| from above; minus the same with |value| alone
  const lowComp = Math.max(0, comp - qe[COMPLEMENT]);
  termsWith(
    L,
    Math.abs(c12),
    Math.abs(pv[A_PSI_B]) + pe[A_PSI_B],
    Math.abs(pv[PSI]) + pe[PSI],
    Math.abs(pv[A]) + pe[A],
    Math.abs(pv[PSI2]) + pe[PSI2],
    Math.abs(pv[MASS]) + pe[MASS],
    Math.abs(pv[PSI_B]) + pe[PSI_B],
    Math.abs(qv[PSI_B]) + qe[PSI_B],
    Math.abs(qv[PSI2]) + qe[PSI2],
    lowComp,
  );
  const u1 = t1Of;
  const u2 = t2Of;
  termsWith(L, Math.abs(c12), Math.abs(pv[A_PSI_B]), Math.abs(pv[PSI]), Math.abs(pv[A]), Math.abs(pv[PSI2]), Math.abs(pv[MASS]), Math.abs(pv[PSI_B]), Math.abs(qv[PSI_B]), Math.abs(qv[PSI2]), comp);
  out.e1 = Math.abs(u1 - t1Of);
  out.e2 = Math.abs(u2 - t2Of);
}

let t1Of = 0;
let t2Of = 0;

/**
 * T1(L) = (P_aψb + c12 P_ψ) Q0^{L−1} + (L−1) P_a Q_ψb Q0^{L−2},
 * T2(L) = P_ψ2 Q0^{L−1} + (L−1) Q_ψ2 P0 Q0^{L−2} + 2(L−1) P_ψb Q_ψb Q0^{L−2} + (L−1)(L−2) Q_ψb² P0 Q0^{L−3},
 * Q0^n from the complement (`powerOfComplement`); results in t1Of, t2Of.
 */
function termsWith(
  L: number,
  c12: number,
  pAPsiB: number,
  pPsi: number,
  pA: number,
  pPsi2: number,
  pMass: number,
  pPsiB: number,
  qPsiB: number,
  qPsi2: number,
  qComp: number,
): void {
  const q1 = powerOfComplement(qComp, L - 1);
  const q2 = L >= 2 ? powerOfComplement(qComp, L - 2) : 0;
  const q3 = L >= 3 ? powerOfComplement(qComp, L - 3) : 0;
  t1Of = (pAPsiB + c12 * pPsi) * q1 + (L - 1) * pA * qPsiB * q2;
  t2Of = pPsi2 * q1 + (L - 1) * qPsi2 * pMass * q2 + 2 * (L - 1) * pPsiB * qPsiB * q2 + (L - 1) * (L - 2) * qPsiB * qPsiB * pMass * q3;
}


function termsByQuadrature(
  task: Task,
  nu: number,
  lengths: LengthLaw,
  ctx: TokenContext,
  relTol: number,
  absTol: number,
  reuse?: Reuse,
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

  // integrate a (value, error) pair of integrands over s ∈ R (normaliser variable)
  const sScale = normaliserScale(ctx);
  // At a search tolerance (relTol ≥ 1e−8) the s-integrals use G7/K15 panels: the integrand is smooth
  // on the planned panels, so the adaptivity ends on the same panels with 15 rather than 21 values
  // each. Measured (softplus kernel, max-SLR ν = 2, ∞ and spiked): values within 6e−14 of K21 (bounds
  // ~1e−9), the gain A²/B as smooth in m as with K21 (4th differences over 17 points, h = 1e−4:
  // 2–3e−16), 0.72–0.83 of the time per call. Reported values (full tolerance) keep K21.
  const sRule = relTol >= 1e-8 ? 15 : 21;
  // the s-integrals of this call in order, per label (T2 once per grid, T1 once per pass): their keys in `reuse`
  const occurrences = new Map<string, number>();
  const overS: Planned = (fn, candidates, scale = sScale, extraDims = 0, label = 's') => {
    const occurrence = occurrences.get(label) ?? 0;
    occurrences.set(label, occurrence + 1);
    const key = `${label}#${occurrence}`;
    const prior = reuse?.use?.get(key) as SubdivisionEntry | undefined;
    let hi: number;
    let breakpoints: number[] = [];
    if (prior) {
      hi = prior.hi;
    } else {
      const peakProbe = (s: number) => {
        const r = fn(s);
        return Math.abs(r.v1) + Math.abs(r.v2);
      };
      const located = locateMass(peakProbe, scale, candidates);
      if (!(located.peak > 0)) return { values: [0, 0], errors: [0, 0], conv: true, inner: [0, 0], extras: new Float64Array(extraDims) };
      hi = located.hi;
      breakpoints = breakpointsInside([located.lo, ...located.breakpoints], -Infinity, hi);
    }
    const dim = 4 + extraDims;
    const body = (s: number, out: Float64Array) => {
      const f = fn(s);
      out[0] = f.v1;
      out[1] = f.v2;
      out[2] = f.e1;
      out[3] = f.e2;
      if (extraDims > 0) out.set(f.extra!, 4);
    };
    // (−∞, hi] in s; (hi, ∞) in t = e^{−s} ∈ (0, e^{−hi}), where the integrand (∝ e^{−s}, e^{−2s} as
    // s → ∞: it is a Laplace transform in t) is smooth down to t = 0 and one panel suffices
    const keep = reuse !== undefined;
    const r = integrateVector(body, dim, -Infinity, hi, { breakpoints, startFrom: prior?.main, keepSubdivision: keep, relTol, absTol, controlled: 2, rule: sRule });
    let tail: Subdivision | undefined;
    const tHi = Math.exp(-hi);
    // e^{−hi} = 0 (hi > 745): the tail, ∝ e^{−s}, adds 0 in double precision (and t = 0 would give 0·∞)
    if (tHi > 0) {
      const tailResult = integrateVector(
        (t, out) => {
          body(-Math.log(t), out);
          for (let j = 0; j < dim; j++) out[j] /= t;
        },
        dim,
        0,
        tHi,
        { startFrom: prior?.tail, keepSubdivision: keep, relTol, absTol, controlled: 2, rule: sRule },
      );
      tail = tailResult.subdivision;
      for (let j = 0; j < dim; j++) {
        r.values[j] += tailResult.values[j];
        r.errors[j] += tailResult.errors[j];
      }
      r.converged &&= tailResult.converged;
    }
    if (reuse && r.subdivision) reuse.record.set(key, { hi, main: r.subdivision, tail });
    return {
      values: [r.values[0], r.values[1]],
      errors: [r.errors[0], r.errors[1]],
      inner: [2 * Math.abs(r.values[2]), 2 * Math.abs(r.values[3])],
      conv: r.converged,
      extras: r.values.slice(4),
    };
  };
  const sCandidates = normaliserCandidates(ctx, task, nu, lengths);

  // ---- T2: product tasks use spike + bulk; selection tasks i.i.d. N(0,1) ----
  // one fixed χ-grid for all laws and every s (refined if its errors exceed the tolerance)
  const spikeLaw = task.kind === 'product' ? task.spikeLaw(nu) : [];
  const gridLaws = [...spikeLaw, ...bulkLaw];
  let T2: Term = { value: 0, error: Infinity, converged: false };
  let T1: Term | undefined;
  let gridOk = false;
  for (let refine = 0; refine < 3 && !gridOk; refine++) {
    const grid = new TokenGrid(ctx, gridLaws, 0.5 ** refine);
    const perLaw = gridLaws.map(() => emptyMoments());
    const P = emptyMoments();
    const Q = perLaw[gridLaws.length - 1];
    const momentsAt = (s: number) => {
      for (const M of perLaw) {
        M.values.fill(0);
        M.errors.fill(0);
      }
      grid.moments(s, perLaw);
      if (task.kind === 'product') {
        P.values.fill(0);
        P.errors.fill(0);
        for (let l = 0; l < spikeLaw.length; l++) {
          for (let j = 0; j < P.values.length; j++) {
            P.values[j] += perLaw[l].values[j];
            P.errors[j] += perLaw[l].errors[j];
          }
        }
        return { P, Q };
      }
      return { P: Q, Q };
    };
    let innerT1 = 0;
    let innerT2 = 0;
    if (!normalised) {
      const { P: Pm, Q: Qm } = momentsAt(NaN);
      mix(Pm, Qm, one, res);
      T2 = { value: res.t2, error: res.e2, converged: true };
      if (task.kind === 'product') T1 = { value: res.t1, error: res.e1, converged: true };
      innerT1 = res.e1;
      innerT2 = res.e2;
    } else {
      const r = overS((s) => {
        const { P: Pm, Q: Qm } = momentsAt(s);
        mix(Pm, Qm, one, res);
        return { v1: task.kind === 'product' ? res.t1 : 0, v2: res.t2, e1: res.e1, e2: res.e2 };
      }, sCandidates, undefined, 0, 'T2');
      T2 = { value: r.values[1], error: r.errors[1] + r.inner[1], converged: r.conv };
      if (task.kind === 'product') T1 = { value: r.values[0], error: r.errors[0] + r.inner[0], converged: r.conv };
      innerT1 = r.inner[0];
      innerT2 = r.inner[1];
    }
    ctx.counter.evaluations += grid.evaluations;
    // the grid's own (propagated) error must sit well inside the tolerance, else refine it
    const ok2 = innerT2 <= 0.1 * Math.max(absTol, relTol * Math.abs(T2.value));
    const ok1 = task.kind !== 'product' || innerT1 <= 0.1 * Math.max(absTol, relTol * Math.abs(T1!.value));
    gridOk = ok1 && ok2;
  }
  if (!gridOk) {
    // the grid's error is in the reported error either way; the tolerance was not met
    T2 = { ...T2, converged: false };
    if (T1) T1 = { ...T1, converged: false };
  }
  if (task.kind === 'product') {
    return { T1: T1!, T2, method: methodName(normalised ? 'outer s' : 'no outer integral', 'product') };
  }

  // ---- T1 for a selection task: E[G(ε)] = L E[p_1 G(1)] ----
  const c = task.selectionSlope(nu);
  const t1 = c === Infinity ? argmaxT1(ctx, lengths, overS, sCandidates) : softmaxSelectionT1(ctx, c, lengths, overS, sCandidates, relTol, absTol, reuse);
  return {
    T1: t1,
    T2,
    method: methodName(normalised ? 'outer s' : 'no outer integral', c === Infinity ? 'argmax' : 'softmax-selection'),
  };
}

/**
 * An outer s-integral of (v1, v2) with carried errors (e1, e2), and of `extraDims` more components
 * (`extra`, not controlling the adaptivity: e.g. per-panel error estimates, whose integrals guide a
 * refinement). `inner` is twice the integrals of e1, e2 (the inner errors, bounded conservatively).
 */
type Planned = (
  fn: (s: number) => { v1: number; v2: number; e1: number; e2: number; extra?: Float64Array },
  candidates: number[],
  scale?: number,
  extraDims?: number,
  /** names the integral among this call's (T1, T2), for `PopulationRiskOptions.memo` */
  label?: string,
) => {
  values: number[];
  errors: number[];
  inner: number[];
  conv: boolean;
  extras: Float64Array;
};

/**
 * Σ_L P_L·L·[(P_aψb + c12 P_ψ) Q0^{L−1} + (L−1) P_a Q_ψb Q0^{L−2}] at one point, with an absolute
 * error bound propagated from the inputs' bounds (as in `assemble`).
 */
function t1Point(
  lengths: LengthLaw,
  c12: number,
  pAPsiB: number,
  pPsi: number,
  pA: number,
  qPsiB: number,
  qComp: number,
  eAPsiB: number,
  ePsi: number,
  eA: number,
  ePsiB: number,
  eComp: number,
  out: { v: number; e: number },
): void {
  const Ls = lengths.lengths;
  const ps = lengths.probabilities;
  let v = 0;
  let e = 0;
  const lowComp = Math.max(0, qComp - eComp);
  // the T1 part of `termsWith`: (1 − c)^n by repeated multiplication of 1 − c up to n = SMALL_POWER
  // (relative error ≤ (n + 1)ε, no transcendental), beyond as powerOfComplement does, exp(n·log1p(−c)),
  // with the two logarithms taken once for all L and only where some L needs them
  let lq = 0;
  let ll = 0;
  for (let i = 0; i < Ls.length; i++) {
    if (Ls[i] - 1 > SMALL_POWER) {
      lq = Math.log1p(-qComp);
      ll = Math.log1p(-lowComp);
      break;
    }
  }
  const bq = 1 - qComp;
  const bl = 1 - lowComp;
  const ac12 = Math.abs(c12);
  const uAPsiB = Math.abs(pAPsiB) + eAPsiB, uPsi = Math.abs(pPsi) + ePsi, uA = Math.abs(pA) + eA, uPsiB = Math.abs(qPsiB) + ePsiB; // prettier-ignore
  const aAPsiB = Math.abs(pAPsiB), aPsi = Math.abs(pPsi), aA = Math.abs(pA), aPsiB = Math.abs(qPsiB); // prettier-ignore
  for (let i = 0; i < Ls.length; i++) {
    const L = Ls[i];
    const f = ps[i] * L;
    const q1 = L === 1 ? 1 : qComp >= 1 ? 0 : powerOf(bq, L - 1, lq);
    const q2 = L < 2 ? 0 : L === 2 ? 1 : qComp >= 1 ? 0 : powerOf(bq, L - 2, lq);
    const l1 = L === 1 ? 1 : lowComp >= 1 ? 0 : powerOf(bl, L - 1, ll);
    const l2 = L < 2 ? 0 : L === 2 ? 1 : lowComp >= 1 ? 0 : powerOf(bl, L - 2, ll);
    v += f * ((pAPsiB + c12 * pPsi) * q1 + (L - 1) * pA * qPsiB * q2);
    const u = (uAPsiB + ac12 * uPsi) * l1 + (L - 1) * uA * uPsiB * l2;
    const a = (aAPsiB + ac12 * aPsi) * q1 + (L - 1) * aA * aPsiB * q2;
    e += f * Math.abs(u - a);
  }
  out.v = v;
  out.e = e;
}

/**
 * t1Point where b ≡ 0 (α = β = m_vk* = 0: P_aψb = P_a = Q_ψb = 0 with zero errors): the sum over L is
 * c12·P_ψ·G(1 − c), G(q) = Σ_L P_L L q^{L−1} with the coefficients of `lengthPolynomial` (Horner,
 * nonnegative terms), and its bound |c12|·[(|P_ψ| + e_ψ)·G(1 − c_low) − |P_ψ|·G(1 − c)], c_low = c − e_c
 * clamped to [0, 1] as t1Point does (the same sum of nonnegative terms, regrouped).
 */
function t1PointValueFree(poly: Float64Array, c12: number, pPsi: number, ePsi: number, qComp: number, eComp: number, out: { v: number; e: number }): void {
  const b = qComp >= 1 ? 0 : 1 - qComp;
  const lowC = qComp - eComp;
  const bl = lowC <= 0 ? 1 : lowC >= 1 ? 0 : 1 - lowC;
  const top = poly.length - 1;
  let hq = poly[top];
  let hl = hq;
  for (let d = top - 1; d >= 0; d--) {
    hq = hq * b + poly[d];
    hl = hl * bl + poly[d];
  }
  const aPsi = Math.abs(pPsi);
  out.v = c12 * pPsi * hq;
  out.e = Math.abs(c12) * Math.max(0, (aPsi + ePsi) * hl - aPsi * hq);
}

/** The largest n for which t1Point takes (1 − c)^n as a product (see there). */
const SMALL_POWER = 16;

/** b^n for 1 ≤ n: by multiplication up to SMALL_POWER, else exp(n·logB) (logB = log b, given by the caller) */
function powerOf(b: number, n: number, logB: number): number {
  if (n > SMALL_POWER) return Math.exp(n * logB);
  let r = b;
  for (let k = 1; k < n; k++) r *= b;
  return r;
}

/**
 * T1 under argmax selection (ν = ∞): ε is the token with the largest χ*, so with y its key,
 * T1 = Σ_L P_L L ∫ dy φ(y) [(P_aψb + c12 P_ψ)(y) Q0(y)^{L−1} + (L−1) P_a(y) Q_ψb(y) Q0(y)^{L−2}]
 * where P are the w-moments of a token with key y and Q the bulk's moments restricted to keys below
 * y (complement: P(χ* > y) plus the normaliser's). On the selection grid, y runs over its nodes and
 * the restricted bulk moments are cumulative integrals (`SelectionGrid.cumulative`): one sweep per s.
 */
function argmaxT1(ctx: TokenContext, lengths: LengthLaw, overS: Planned, sCandidates: number[]): Term {
  const grid = new SelectionGrid(ctx, Infinity);
  const n = grid.nodes;
  const sf = new Float64Array(n);
  for (let i = 0; i < n; i++) sf[i] = normalSf(grid.x[i]);
  const cumB = new Float64Array(n);
  const cumBe = new Float64Array(n);
  const cumC = new Float64Array(n);
  const cumCe = new Float64Array(n);
  const pt = { v: 0, e: 0 };
  const c12 = ctx.coef.c12;
  // the node errors of the w-moments, integrated up to (the end of the panel of) each node
  const upToB = new Float64Array(n);
  const upToC = new Float64Array(n);
  // α = β = m_vk* = 0 (e.g. on the manifold M): b ≡ 0, so the ψb-moments and their errors are exactly 0
  // at every node, and so are their cumulative integrals (left at 0); with L ≤ 64 the polynomial form of t1Point
  const noValue = valueFree(ctx.coef);
  const horner = noValue ? lengthPolynomial(lengths) : undefined;
  const atS = (s: number): { v: number; e: number } => {
    if (grid.normalised) grid.wMoments(s);
    const { A: W, Aerr } = grid;
    if (!noValue) {
      grid.cumulative(W[PSI_B], cumB, cumBe);
      integratedErrors(grid, Aerr[PSI_B], upToB);
    }
    grid.cumulative(W[COMPLEMENT], cumC, cumCe);
    integratedErrors(grid, Aerr[COMPLEMENT], upToC);
    let value = 0;
    let inner = 0;
    let quad = 0;
    const { kw, gw } = grid;
    const [pAPsiB, pPsi, pA, ePsi] = [W[A_PSI_B], W[PSI], W[A], Aerr[PSI]];
    for (let p = 0; p < grid.panels; p++) {
      let k = 0;
      let g = 0;
      let abs = 0;
      for (let q = 0; q < 21; q++) {
        const i = 21 * p + q;
        const wk = kw[i];
        // no ψ-moment and no error there (the weight far above the normaliser at every w): the node
        // adds exactly 0 to every sum below (b ≡ 0: its value and bound are multiples of P_ψ, E_ψ)
        if (wk === 0 || (horner && pPsi[i] === 0 && ePsi[i] === 0)) continue;
        // the cumulative error of a node also covers its Gauss–Hermite errors (integrated below it)
        const qComp = cumC[i] + sf[i];
        const eComp = cumCe[i] + upToC[i] + 4 * Number.EPSILON * sf[i];
        if (horner) t1PointValueFree(horner, c12, pPsi[i], ePsi[i], qComp, eComp, pt);
        else t1Point(lengths, c12, pAPsiB[i], pPsi[i], pA[i], cumB[i], qComp, Aerr[A_PSI_B][i], ePsi[i], Aerr[A][i], cumBe[i] + upToB[i], eComp, pt);
        const v = pt.v;
        k += wk * v;
        g += gw[i] * v;
        abs += wk * Math.abs(v);
        inner += wk * pt.e;
      }
      value += k;
      quad += panelErrorOf(k, g, abs);
    }
    return { v: value, e: inner + quad };
  };
  if (!grid.normalised) {
    const r = atS(NaN);
    ctx.counter.evaluations += grid.evaluations;
    return { value: r.v, error: r.e, converged: true };
  }
  const r = overS((s) => {
    const f = atS(s);
    return { v1: f.v, v2: 0, e1: f.e, e2: 0 };
  }, sCandidates, undefined, 0, 'T1');
  ctx.counter.evaluations += grid.evaluations;
  return { value: r.values[0], error: r.errors[0] + r.inner[0], converged: r.conv };
}

/**
 * Largest L for which `lengthPolynomial` gives the dense coefficients (Horner then costs at most 2·64
 * multiply-adds per node, t1Point's powers about as much). Exported for tests, which set it to 0 to
 * compare the general path.
 */
export const _lengthPolynomial = { maxLength: 64 };

/**
 * The coefficients of Σ_L P_L·L·q^{L−1} (index L − 1), for a law whose lengths are all at most
 * `_lengthPolynomial.maxLength`; undefined otherwise (then t1Point's powers serve).
 */
function lengthPolynomial(lengths: LengthLaw): Float64Array | undefined {
  const maxL = Math.max(...lengths.lengths);
  if (maxL > _lengthPolynomial.maxLength) return undefined;
  const poly = new Float64Array(maxL);
  lengths.lengths.forEach((L, i) => (poly[L - 1] += lengths.probabilities[i] * L));
  return poly;
}

/** out[i] = Σ kw_j·err_j over the panels up to and including that of node i (an upper bound of ∫_{−∞}^{x_i} φ·err). */
function integratedErrors(grid: SelectionGrid, err: Float64Array, out: Float64Array): void {
  let before = 0;
  for (let p = 0; p < grid.panels; p++) {
    let panel = 0;
    for (let q = 0; q < 21; q++) panel += grid.kw[21 * p + q] * err[21 * p + q];
    before += panel;
    for (let q = 0; q < 21; q++) out[21 * p + q] = before;
  }
}

/**
 * T1 under softmax selection at slope c: with 1/S_c = ∫ e^{−uS_c} du, r = −log u, κ = e^{cχ* − r},
 * the selected token weighs κe^{−κ} and every other one e^{−κ}:
 * T1 = Σ_L P_L L ∫ dr [(P_aψb + c12 P_ψ) Q0^{L−1} + (L−1) P_a Q_ψb Q0^{L−2}](r) (and over s for a
 * normalised σ), P and Q the w-moments on the selection grid weighted by κe^{−κ} and e^{−κ}
 * (complement: (1 − e^{−κ}) + e^{−κ}(1 − e)). Separable σ: adaptive Gauss–Kronrod over r (planned,
 * with the tail r → ∞ in t = e^{−r}). Normalised σ: the w-moments are recomputed per s, and the
 * r-integral uses one fixed composite rule whose kernel values are computed once on each row's
 * window (the x-nodes where the selection step cx = r is live, ≈ 30 panels whatever c), so that each
 * s costs sums only (five multiply-adds per (r, node), two where α = β = m_vk* = 0), and only where
 * the window meets the band of x-nodes where the σ-moments live at that s (other rows: prefix sums
 * and precomputed tails). The rule's panels (at most `rPanelWidth` wide to start with) start from
 * the selection weights alone (breakpoints of a probe), panels whose
 * own estimate is large on a scan of s are halved (planning, at most three times), and after the
 * s-integral, while the rule's estimate integrated over s is not below a tenth of the tolerance, the
 * panels carrying it are halved and only their part is integrated again: the plan only saves work,
 * the last check is what keeps the error honest.
 */
function softmaxSelectionT1(
  ctx: TokenContext,
  c: number,
  lengths: LengthLaw,
  overS: Planned,
  sCandidates: number[],
  relTol: number,
  absTol: number,
  reuse?: Reuse,
): Term {
  // the fixed rule's rows and its x-grid grow like c (memory ~4 MB per unit of c: 0.9 GB at ν = 200,
  // 1.6 GB at ν = 400 at the softmax Bayes point of max-SLR): up to 5000 panels (ν ≈ 580 there by
  // SelectionGrid.panelsFor) it is used, beyond that the nested adaptive scheme (its memory does not
  // grow with c, but it takes minutes). Measured 2026-11-30 at that point, L = 2: 7.6 s at ν = 300, more
  // than 12 minutes at ν = 450 (class-risk.ts takes softmax's value there from Prop. 4.2's identity)
  if (ctx.act.normalised && SelectionGrid.panelsFor(ctx, c) > MAX_NORMALISED_SELECTION_PANELS) {
    return legacySelectionT1(ctx, c, lengths, overS, sCandidates, relTol, absTol);
  }
  const grid = new SelectionGrid(ctx, c);
  const n = grid.nodes;
  const Lmax = Math.max(...lengths.lengths);
  const rCandidates = selectionCandidates(c, Lmax);
  const rScale = Math.max(1, c);
  const c12 = ctx.coef.c12;
  const pt = { v: 0, e: 0 };
  const k1 = new Float64Array(n);
  const k0 = new Float64Array(n);
  const c0 = new Float64Array(n);
  // c·x_i once, κ_i = e^{c x_i − r} (not e^{c x_i}·e^{−r}: for c x_i > 709 that is ∞·e^{−r}, read as
  // "beyond the step" even where r ≈ c x_i, and e^{−r} underflows to 0 for r > 745; at ν = 200 the tokens
  // with x > 3.55 lost their selection weight and T1 came out 4e−4 low with a bound of 8e−7)
  const cx = new Float64Array(n);
  for (let i = 0; i < n; i++) cx[i] = c * grid.x[i];
  // e^{c x_i} where |c x_i| ≤ PHI_CACHED_LOG (else NaN): in a row with |r| ≤ PHI_CACHED_LOG, κ_i is the
  // product e^{c x_i}·e^{−r} of two normal numbers (`psiOf`, within 3 ulp); where either factor could
  // overflow or underflow (the failure above) it is the exp of c x_i − r
  const ecx = cx.map((v) => (Math.abs(v) <= PHI_CACHED_LOG ? Math.exp(v) : NaN));
  /** the selection kernels at r: κe^{−κ}, e^{−κ}, 1 − e^{−κ} at every node (one exp per node) */
  const kernelsAt = (r: number, K1: Float64Array, K0: Float64Array, C0: Float64Array, offset: number) => {
    for (let i = 0; i < n; i++) {
      const kappa = Math.exp(cx[i] - r);
      if (!(kappa < 1e17)) {
        // κ > 1e17 (or ∞·t): e^{−κ} is exactly 0
        K1[offset + i] = 0;
        K0[offset + i] = 0;
        C0[offset + i] = 1;
      } else if (kappa < 2.3e-16) {
        // e^{−κ} = 1 − κ to double precision
        K1[offset + i] = kappa;
        K0[offset + i] = 1 - kappa;
        C0[offset + i] = kappa;
      } else {
        const e = Math.exp(-kappa);
        K1[offset + i] = kappa * e;
        K0[offset + i] = e;
        C0[offset + i] = kappa > 0.5 ? 1 - e : -Math.expm1(-kappa);
      }
    }
  };
  if (!grid.normalised) {
    // separable: e = 1, so P_a = αE[w]·(…) = 0 exactly and T1's integrand is
    // Σ_L P_L L (P_aψb + c12 P_ψ)(r) Q0(r)^{L−1}: one weighted sum h_i = (aψb + c12 ψ)(x_i) against κe^{−κ}
    // and the selection complement, both formed in one pass with the kernel
    const h = new Float64Array(n);
    const hErr = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      h[i] = grid.A[A_PSI_B][i] + c12 * grid.A[PSI][i];
      hErr[i] = grid.kw[i] * (grid.Aerr[A_PSI_B][i] + Math.abs(c12) * grid.Aerr[PSI][i]);
    }
    const { kw, gw } = grid;
    const r = overS(
      (rr) => {
        let pk = 0, pa = 0, ck = 0, cg = 0, carry = 0; // prettier-ignore
        for (let p = 0; p < grid.panels; p++) {
          let k = 0, g = 0, a = 0; // prettier-ignore
          for (let i = 21 * p; i < 21 * p + 21; i++) {
            const kappa = Math.exp(cx[i] - rr);
            let k1v: number;
            let comp: number;
            if (!(kappa < 1e17)) {
              k1v = 0;
              comp = 1;
            } else if (kappa < 2.3e-16) {
              k1v = kappa;
              comp = kappa;
            } else {
              const e = Math.exp(-kappa);
              k1v = kappa * e;
              comp = kappa > 0.5 ? 1 - e : -Math.expm1(-kappa);
            }
            const f = k1v * h[i];
            k += kw[i] * f;
            g += gw[i] * f;
            a += kw[i] * Math.abs(f);
            ck += kw[i] * comp;
            cg += gw[i] * comp;
            carry += k1v * hErr[i];
          }
          pk += k;
          pa += panelErrorOf(k, g, a);
        }
        t1Point(lengths, 1, pk, 0, 0, 0, ck, pa + carry, 0, 0, 0, Math.abs(ck - cg) + 50 * Number.EPSILON * ck, pt);
        return { v1: pt.v, v2: 0, e1: pt.e, e2: 0 };
      },
      rCandidates,
      rScale,
      0,
      'T1 over r',
    );
    ctx.counter.evaluations += grid.evaluations;
    return { value: r.values[0], error: r.errors[0] + r.inner[0], converged: r.conv };
  }
  // a fixed r-rule from the selection weights alone: Σ_L P_L L M1(r) Q0(r)^{L−1}, M1 = E[κe^{−κ}]
  const probe = (rr: number) => {
    kernelsAt(rr, k1, k0, c0, 0);
    let m1 = 0;
    let comp = 0;
    for (let i = 0; i < n; i++) {
      m1 += grid.kw[i] * k1[i];
      comp += grid.kw[i] * c0[i];
    }
    let v = 0;
    for (let j = 0; j < lengths.lengths.length; j++) v += lengths.probabilities[j] * lengths.lengths[j] * m1 * powerOfComplement(comp, lengths.lengths[j] - 1);
    return v;
  };
  // the rule of a nearby earlier call on the same x-grid (the class-risk search's neighbours): its
  // final pieces (and their prepared rows when it did not refine) serve as they are; the refinement
  // below still checks them against this call's integrand
  const earlierRule = reuse?.use?.get(SELECTION_RULE_KEY) as SelectionRulePlan | undefined;
  const noValue = valueFree(ctx.coef);
  const sameRule =
    earlierRule !== undefined && earlierRule.c === c && earlierRule.valueFree === noValue && earlierRule.x.length === n && earlierRule.x.every((v, i) => v === grid.x[i])
      ? earlierRule
      : undefined;
  let ends: number[] = [];
  if (!sameRule) {
    const { lo, hi, breakpoints, peak } = locateMass(probe, rScale, rCandidates);
    if (!(peak > 0)) return { value: 0, error: 0, converged: true };
    ends = breakpointsInside([lo, ...breakpoints, hi], -Infinity, Infinity);
  }
  // The r-integrand at every r-node needs, for the current s, the K21 and G10 sums over the x-grid
  //   P_X = Σ_i w_i K1(r, x_i) A_X(x_i) (X = aψb, ψ, a),  Q_ψb = Σ_i w_i K0 A_ψb,
  //   Q_comp = Σ_i w_i C0 + Σ_i w_i K0 A_comp
  // (w = kw or gw). Per s the products w_i·A_X(x_i) are formed once (`u`, and `v` on the G10 nodes
  // only), and the C0 sums do not depend on s (`cK`, `cG`). A row's kernels are computed and summed
  // only on its window, the panels where log κ = cx − r ∈ [log 1e−17, log 750]: above it e^{−κ} is
  // exactly 0 in double precision (K1 = K0 = 0, C0 = 1), below it κ < 1e−17, so K1 = κ is dropped
  // and K0 = 1 − κ taken as 1 (prefix sums of u, per s), each with the bound 1e−17·Σ|u| added to the
  // error. The window spans ≈ 46/c in x, i.e. ≈ 30 panels of the grid whatever the slope c (the whole
  // row grew like c: 491 s-values × 1176 r-nodes × 5040 x-nodes at the softmax Bayes point ν = 10).
  // Each (r, x) pair in a window costs five multiply-adds for K21 (and five on the G10 nodes). The
  // x-grid error is |K21 − G10| of the totals (the G10 error, conservative for K21 at these panel
  // widths), and the carried w-moment errors are bounded by Σ_i kw_i·err_i (times 1/e ≥ κe^{−κ} for
  // the selected token, times 1 ≥ e^{−κ} for the others), computed once per s (`errSum`).
  const errSum = new Float64Array(SEL_COMPONENTS);
  const gIdx = Int32Array.from({ length: n }, (_, i) => i).filter((i) => grid.gw[i] !== 0);
  const allNodes = Int32Array.from({ length: n }, (_, i) => i);
  const ng = gIdx.length;
  const np = grid.panels;
  // per panel: its ends, its first G10 node, and Σ kw, Σ gw from the panel on (C0 = 1 above a window)
  const panelLo = new Float64Array(np);
  const panelHi = new Float64Array(np);
  const gFirst = new Int32Array(np + 1);
  const kwFrom = new Float64Array(np + 1);
  const gwFrom = new Float64Array(np + 1);
  {
    let j = 0;
    for (let p = 0; p <= np; p++) {
      while (j < ng && gIdx[j] < 21 * p) j++;
      gFirst[p] = j;
    }
    for (let p = np - 1; p >= 0; p--) {
      panelLo[p] = grid.x[21 * p + 10] - grid.half[p];
      panelHi[p] = grid.x[21 * p + 10] + grid.half[p];
      let k = 0;
      let g = 0;
      for (let i = 21 * p; i < 21 * p + 21; i++) {
        k += grid.kw[i];
        g += grid.gw[i];
      }
      kwFrom[p] = kwFrom[p + 1] + k;
      gwFrom[p] = gwFrom[p + 1] + g;
    }
  }
  // prefix sums of the K0-weighted moments (u3, u4; v3, v4), and Σ|u_j| for the dropped-κ bounds
  const pu3 = new Float64Array(n + 1), pv3 = new Float64Array(ng + 1); // prettier-ignore
  const absU = new Float64Array(5);
  const fl = 50 * Number.EPSILON;
  const rs = new Float64Array(10);
  // α = β = m_vk* = 0 (e.g. on the manifold M): a ≡ 0 and b ≡ 0, so the w-moments aψb, a, ψb are exactly 0
  // at every node and only P_ψ and Q's complement need sums
  const horner = noValue ? lengthPolynomial(lengths) : undefined;
  const band: SelectionRowsBand = { iBot: 0, iTop: 0, gBot: 0, gTop: 0, c12: 0, skipErr: 0, e1a: 0, e1b: 0, e4a: 0, e4b: 0, e4c: 0 };
  /**
   * a fixed r-rule from its pieces, with the kernels on every row's window and the per-row sums that
   * do not depend on s; a row whose r some rule prepared earlier in this call has (a panel not split
   * since) is copied from there: its window and kernels depend on r alone
   */
  const earlier = new Map<number, { P: Prepared; k: number }>();
  const prepare = (pieces: RulePiece[]) => {
    const rule = fixedRule(pieces);
    const R = rule.nodes.length;
    const start = new Int32Array(R);
    const len = new Int32Array(R);
    const off = new Int32Array(R + 1);
    const gStart = new Int32Array(R);
    const gLen = new Int32Array(R);
    const gOff = new Int32Array(R + 1);
    for (let k = 0; k < R; k++) {
      const r = rule.nodes[k];
      // p0: the first panel reaching log κ ≥ log 1e−17; p1: the last starting below log 750 (bisection: the ends increase)
      const p0 = firstPanel(panelHi, (r + LOG_KAPPA_DROPPED) / c);
      const p1 = Math.max(p0, firstPanel(panelLo, (r + LOG_KAPPA_ZERO) / c)) - 1;
      start[k] = 21 * p0;
      len[k] = 21 * (p1 + 1 - p0);
      off[k + 1] = off[k] + len[k];
      gStart[k] = gFirst[p0];
      gLen[k] = gFirst[p1 + 1] - gFirst[p0];
      gOff[k + 1] = gOff[k] + gLen[k];
    }
    // the kernels and the per-s weighted moments u_j (x-grid), v_j (G10 nodes) live in one arena when
    // WebAssembly SIMD is there, so that the window sums run there (`windowSumArena`); else in JS arrays.
    // On the manifold with a length polynomial the whole row loop runs there (`rows`), so the rule's
    // weights, windows, W0, cK and the prefix sums live there too.
    const rowsThere = horner !== undefined;
    const half = (count: number) => Math.ceil(count / 2);
    const arena = windowSumArena(
      2 * off[R] + 2 * gOff[R] + 5 * n + 5 * ng + n + ng + 2 + (rowsThere ? 6 * half(R + 1) + off[R] + gOff[R] + 6 * R + horner.length + rule.panels : 0),
    );
    let next = arena?.first ?? 0;
    const take = (size: number): { at: number; a: Float64Array } => {
      const at = next;
      next += size;
      return { at, a: arena ? arena.f64.subarray(at, at + size) : new Float64Array(size) };
    };
    /** an Int32 copy of `from` in the arena (at a double index), for `rows` */
    const takeInt = (from: Int32Array): number => {
      const at = next;
      next += half(from.length);
      new Int32Array(arena!.f64.buffer, 8 * at, from.length).set(from);
      return at;
    };
    const [k1, k0, k1g, k0g] = [take(off[R]), take(off[R]), take(gOff[R]), take(gOff[R])];
    const uBlock = take(5 * n);
    const vBlock = take(5 * ng);
    const u = [0, 1, 2, 3, 4].map((j) => uBlock.a.subarray(j * n, (j + 1) * n));
    const v = [0, 1, 2, 3, 4].map((j) => vBlock.a.subarray(j * ng, (j + 1) * ng));
    const K1 = k1.a;
    const K0 = k0.a;
    const K1g = k1g.a;
    const K0g = k0g.a;
    const at = { K1: k1.at, K0: k0.at, K1g: k1g.at, K0g: k0g.at, u: uBlock.at, v: vBlock.at };
    // prefix sums of the K0-weighted moments u4, v4 (per s)
    const pu4Block = take(n + 1);
    const pv4Block = take(ng + 1);
    const rowArrays = arena && rowsThere;
    const cKBlock = rowArrays ? take(R) : undefined;
    const cGBlock = rowArrays ? take(R) : undefined;
    const cK = cKBlock?.a ?? new Float64Array(R);
    const cG = cGBlock?.a ?? new Float64Array(R);
    // per row, cumulative Σ K0·kw over its window from the top (w0[off + q] = Σ_{q' ≥ q}; the same on G10 nodes)
    const W0Block = rowArrays ? take(off[R] + R) : undefined;
    const W0gBlock = rowArrays ? take(gOff[R] + R) : undefined;
    const W0 = W0Block?.a ?? new Float64Array(off[R] + R);
    const W0g = W0gBlock?.a ?? new Float64Array(gOff[R] + R);
    let computed = 0;
    for (let k = 0; k < R; k++) {
      const r = rule.nodes[k];
      const from = earlier.get(r);
      if (from) {
        const { P: Q, k: q } = from;
        K1.set(Q.K1.subarray(Q.off[q], Q.off[q] + len[k]), off[k]);
        K0.set(Q.K0.subarray(Q.off[q], Q.off[q] + len[k]), off[k]);
        K1g.set(Q.K1g.subarray(Q.gOff[q], Q.gOff[q] + gLen[k]), gOff[k]);
        K0g.set(Q.K0g.subarray(Q.gOff[q], Q.gOff[q] + gLen[k]), gOff[k]);
        W0.set(Q.W0.subarray(Q.off[q] + q, Q.off[q] + q + len[k] + 1), off[k] + k);
        W0g.set(Q.W0g.subarray(Q.gOff[q] + q, Q.gOff[q] + q + gLen[k] + 1), gOff[k] + k);
        cK[k] = Q.cK[q];
        cG[k] = Q.cG[q];
        continue;
      }
      computed += len[k];
      const er = Math.abs(r) <= PHI_CACHED_LOG ? Math.exp(-r) : NaN;
      const o = off[k] - start[k];
      let ck = 0;
      let cg = 0;
      for (let i = start[k]; i < start[k] + len[k]; i++) {
        const kappa = psiOf(ecx[i], er, cx[i] - r);
        let comp: number;
        if (!(kappa < 1e17)) {
          K1[o + i] = 0;
          K0[o + i] = 0;
          comp = 1;
        } else if (kappa < 2.3e-16) {
          K1[o + i] = kappa;
          K0[o + i] = 1 - kappa;
          comp = kappa;
        } else {
          const e = Math.exp(-kappa);
          K1[o + i] = kappa * e;
          K0[o + i] = e;
          comp = kappa > 0.5 ? 1 - e : -Math.expm1(-kappa);
        }
        ck += grid.kw[i] * comp;
        cg += grid.gw[i] * comp;
      }
      const pEnd = (start[k] + len[k]) / 21;
      cK[k] = ck + kwFrom[pEnd];
      for (let q = 0; q < gLen[k]; q++) {
        const i = gIdx[gStart[k] + q];
        K1g[gOff[k] + q] = K1[o + i];
        K0g[gOff[k] + q] = K0[o + i];
      }
      cG[k] = cg + gwFrom[pEnd];
      for (let q = len[k] - 1; q >= 0; q--) W0[off[k] + k + q] = W0[off[k] + k + q + 1] + K0[off[k] + q] * grid.kw[start[k] + q];
      for (let q = gLen[k] - 1; q >= 0; q--) W0g[gOff[k] + k + q] = W0g[gOff[k] + k + q + 1] + K0g[gOff[k] + q] * grid.gw[gIdx[gStart[k] + q]];
    }
    ctx.counter.evaluations += computed;
    let layout: SelectionRowsLayout | undefined;
    if (rowArrays) {
      const kW = take(R);
      const gW = take(R);
      kW.a.set(rule.kWeights);
      gW.a.set(rule.gWeights);
      const poly = take(horner.length);
      poly.a.set(horner);
      layout = {
        panels: rule.panels,
        size: 21,
        kW: kW.at,
        gW: gW.at,
        start: takeInt(start),
        len: takeInt(len),
        off: takeInt(off),
        gStart: takeInt(gStart),
        gLen: takeInt(gLen),
        gOff: takeInt(gOff),
        K1: k1.at,
        K0: k0.at,
        K1g: k1g.at,
        K0g: k0g.at,
        u1: uBlock.at + n,
        u4: uBlock.at + 4 * n,
        v1: vBlock.at + ng,
        v4: vBlock.at + 4 * ng,
        pu4: pu4Block.at,
        pv4: pv4Block.at,
        W0: W0Block!.at,
        W0g: W0gBlock!.at,
        cK: cKBlock!.at,
        cG: cGBlock!.at,
        poly: poly.at,
        polyTop: horner.length - 1,
        panelErr: take(rule.panels).at,
      };
    }
    const pu4 = pu4Block.a;
    const pv4 = pv4Block.a;
    const P = { rule, R, K1, K0, K1g, K0g, cK, cG, start, len, off, gStart, gLen, gOff, W0, W0g, u, v, arena, at, pu4, pv4, layout };
    for (let k = 0; k < R; k++) if (!earlier.has(rule.nodes[k])) earlier.set(rule.nodes[k], { P, k });
    return P;
  };
  type Prepared = ReturnType<typeof prepare>;
  /**
   * The r-integral at normaliser s on a prepared rule: value v, carried x-grid and w errors e, the
   * rule's own estimate quad (Σ of QUADPACK panel estimates), and ∫|·| (abs); per-panel estimates
   * into `panelErr` when given (for planning).
   */
  const atS = (s: number, P: Prepared, panelErr?: Float64Array) => {
    const { rule, K1, K0, K1g, K0g, cK, cG, start, len, off, gStart, gLen, gOff, W0, W0g, arena, at, pu4, pv4, layout } = P;
    const [u0, u1, u2, u3, u4] = P.u;
    const [v0, v1, v2, v3, v4] = P.v;
    grid.wMoments(s);
    const { kw, gw } = grid;
    const aPsiB = grid.A[A_PSI_B];
    const aPsi = grid.A[PSI];
    const aA = grid.A[A];
    const aPsiBq = grid.A[PSI_B];
    const aComp = grid.A[COMPLEMENT];
    // Σ_i kw_i·err_i: with the kernels κe^{−κ} ≤ 1/e and e^{−κ} ≤ 1 it bounds every carried error
    if (grid.momentsExact) errSum.fill(0);
    else {
      for (let j = 0; j < SEL_COMPONENTS; j++) {
        let sum = 0;
        const e = grid.Aerr[j];
        for (let i = 0; i < n; i++) sum += kw[i] * e[i];
        errSum[j] = sum;
      }
    }
    // u0 = u2 = u3 = 0 on the manifold (and v0, v2, v3): neither written nor read there (pu3, pv3 stay 0)
    const moments = [aPsiB, aPsi, aA, aPsiBq, aComp];
    weightedMoments(n, allNodes, kw, moments, P.u, pu3, pu4, absU, noValue);
    // the band of x-nodes that matter at this s: above iTop every ψ-moment is exactly 0 and the
    // complement exactly 1 (e^{−ψ} = 0 at every w-point), so a window's part there is Σ K0·kw (`W0`,
    // no s); below iBot every |u_j| sums to at most 1e−17·Σ|u_j| (dropped, bound in the error)
    let iTop = 0;
    for (let i = n - 1; i >= 0; i--) {
      if (u1[i] !== 0 || (kw[i] !== 0 && aComp[i] !== 1) || (!noValue && (u0[i] !== 0 || u2[i] !== 0 || u3[i] !== 0))) {
        iTop = i + 1;
        break;
      }
    }
    let iBot = 0;
    if (noValue) {
      let c1 = 0;
      let c4 = 0;
      while (iBot < iTop) {
        c1 += Math.abs(u1[iBot]);
        c4 += Math.abs(u4[iBot]);
        if (c1 > BAND_DROPPED * absU[1] || c4 > BAND_DROPPED * absU[4]) break;
        iBot++;
      }
    } else {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0; // prettier-ignore
      while (iBot < iTop) {
        c0 += Math.abs(u0[iBot]); c1 += Math.abs(u1[iBot]); c2 += Math.abs(u2[iBot]); c3 += Math.abs(u3[iBot]); c4 += Math.abs(u4[iBot]); // prettier-ignore
        if (c0 > BAND_DROPPED * absU[0] || c1 > BAND_DROPPED * absU[1] || c2 > BAND_DROPPED * absU[2] || c3 > BAND_DROPPED * absU[3] || c4 > BAND_DROPPED * absU[4]) break;
        iBot++;
      }
    }
    let gBot = 0;
    while (gBot < ng && gIdx[gBot] < iBot) gBot++;
    let gTop = gBot;
    while (gTop < ng && gIdx[gTop] < iTop) gTop++;
    weightedMoments(ng, gIdx, gw, moments, P.v, pv3, pv4, undefined, noValue);
    // the error t1Point reports for a row whose P sums are all 0 (a bound for every such row: there
    // |Q_ψb| ≤ Σ|u3|, |K21 − G10| of it ≤ Σ|u3| + Σ|v3|, and the powers of Q0 are ≤ 1)
    let absV3 = 0;
    if (!noValue) for (let j = 0; j < ng; j++) absV3 += Math.abs(v3[j]);
    let skipErr = 0;
    {
      const d0 = INV_E * errSum[A_PSI_B] + (KAPPA_DROPPED + BAND_DROPPED) * absU[0];
      const d1 = INV_E * errSum[PSI] + (KAPPA_DROPPED + BAND_DROPPED) * absU[1];
      const d2 = INV_E * errSum[A] + (KAPPA_DROPPED + BAND_DROPPED) * absU[2];
      const d3 = errSum[PSI_B] + (KAPPA_DROPPED + BAND_DROPPED) * absU[3];
      for (let j = 0; j < lengths.lengths.length; j++) {
        const L = lengths.lengths[j];
        skipErr += lengths.probabilities[j] * L * (d0 + Math.abs(c12) * d1 + (L - 1) * d2 * (2 * absU[3] + absV3 + d3));
      }
    }
    if (layout && arena) {
      // the loop below (with t1PointValueFree, b ≡ 0) in one WebAssembly call, operation for operation
      band.iBot = iBot;
      band.iTop = iTop;
      band.gBot = gBot;
      band.gTop = gTop;
      band.c12 = c12;
      band.skipErr = skipErr;
      band.e1a = INV_E * errSum[PSI];
      band.e1b = (KAPPA_DROPPED + BAND_DROPPED) * absU[1];
      band.e4a = errSum[COMPLEMENT];
      band.e4b = KAPPA_DROPPED * (absU[4] + 1);
      band.e4c = BAND_DROPPED * absU[4];
      arena.rows(layout, band);
      const f = arena.f64;
      if (panelErr) panelErr.set(f.subarray(layout.panelErr, layout.panelErr + rule.panels));
      return { v: f[0], e: f[1], quad: f[2], abs: f[3] };
    }
    let v = 0;
    let e = 0;
    let quad = 0;
    let absTotal = 0;
    for (let p = 0; p < rule.panels; p++) {
      let kSum = 0;
      let gSum = 0;
      let abs = 0;
      for (let q = 0; q < 21; q++) {
        const k = 21 * p + q;
        // the window ∩ [iBot, iTop) (and its G10 nodes ∩ [gBot, gTop))
        const a = Math.max(start[k], iBot);
        const b = Math.min(start[k] + len[k], iTop);
        const ag = Math.max(gStart[k], gBot);
        const bg = Math.min(gStart[k] + gLen[k], gTop);
        if (b <= a) {
          // nothing of the row meets the band: every P sum is exactly 0, so is the integrand (pt.v), and
          // its error is at most `skipErr` (t1Point's bound with P = 0, |Q_ψb| ≤ Σ|u3|, Q0 powers ≤ 1)
          e += rule.kWeights[k] * skipErr;
          continue;
        }
        const o = off[k] - start[k];
        const og = gOff[k] - gStart[k];
        if (arena) {
          const f = arena.f64;
          if (noValue) {
            arena.dot2(at.K1 + o + a, at.K0 + o + a, at.u + n + a, at.u + 4 * n + a, b - a);
            rs[0] = 0; rs[1] = f[0]; rs[2] = 0; rs[3] = 0; rs[4] = f[1]; // prettier-ignore
            arena.dot2(at.K1g + og + ag, at.K0g + og + ag, at.v + ng + ag, at.v + 4 * ng + ag, bg - ag);
            rs[5] = 0; rs[6] = f[0]; rs[7] = 0; rs[8] = 0; rs[9] = f[1]; // prettier-ignore
          } else {
            arena.dot5(at.K1 + o + a, at.K0 + o + a, at.u + a, n, b - a);
            for (let j = 0; j < 5; j++) rs[j] = f[j];
            arena.dot5(at.K1g + og + ag, at.K0g + og + ag, at.v + ag, ng, bg - ag);
            for (let j = 0; j < 5; j++) rs[5 + j] = f[j];
          }
        } else if (noValue) {
          windowSums2(K1, K0, o + a, b - a, a, u1, u4, rs, 0);
          windowSums2(K1g, K0g, og + ag, bg - ag, ag, v1, v4, rs, 5);
        } else {
          windowSums(K1, K0, o + a, b - a, a, u0, u1, u2, u3, u4, rs, 0);
          windowSums(K1g, K0g, og + ag, bg - ag, ag, v0, v1, v2, v3, v4, rs, 5);
        }
        // below the window K0 = 1 (to 1e−17): the prefix sums; above iTop: Σ K0·w over the window's rest
        const top = W0[o + k + Math.max(start[k], Math.min(iTop, start[k] + len[k]))];
        const topG = W0g[og + k + Math.max(gStart[k], Math.min(gTop, gStart[k] + gLen[k]))];
        const k0 = rs[0], k1 = rs[1], k2 = rs[2], k3 = rs[3] + pu3[start[k]]; // prettier-ignore
        const g0s = rs[5], g1s = rs[6], g2s = rs[7], g3s = rs[8] + pv3[gStart[k]]; // prettier-ignore
        const k4 = rs[4] + pu4[start[k]] + top + cK[k];
        const g4s = rs[9] + pv4[gStart[k]] + topG + cG[k];
        // the bounds of P_ψ and of Q's complement (both forms below take them)
        const e1 = Math.abs(k1 - g1s) + fl * Math.abs(k1) + INV_E * errSum[PSI] + (KAPPA_DROPPED + BAND_DROPPED) * absU[1];
        const e4 = Math.abs(k4 - g4s) + fl * Math.abs(k4) + errSum[COMPLEMENT] + KAPPA_DROPPED * (absU[4] + 1) + BAND_DROPPED * absU[4];
        // b ≡ 0: k0 = k2 = k3 = 0 with zero bounds (absU, errSum of aψb, a, ψb are 0), t1Point's sum regrouped
        if (horner) t1PointValueFree(horner, c12, k1, e1, k4, e4, pt);
        else {
          t1Point(
            lengths,
            c12,
            k0,
            k1,
            k2,
            k3,
            k4,
            Math.abs(k0 - g0s) + fl * Math.abs(k0) + INV_E * errSum[A_PSI_B] + (KAPPA_DROPPED + BAND_DROPPED) * absU[0],
            e1,
            Math.abs(k2 - g2s) + fl * Math.abs(k2) + INV_E * errSum[A] + (KAPPA_DROPPED + BAND_DROPPED) * absU[2],
            Math.abs(k3 - g3s) + fl * Math.abs(k3) + errSum[PSI_B] + (KAPPA_DROPPED + BAND_DROPPED) * absU[3],
            e4,
            pt,
          );
        }
        kSum += rule.kWeights[k] * pt.v;
        gSum += rule.gWeights[k] * pt.v;
        abs += rule.kWeights[k] * Math.abs(pt.v);
        e += rule.kWeights[k] * pt.e;
      }
      v += kSum;
      absTotal += abs;
      const pe = panelErrorOf(kSum, gSum, abs);
      quad += pe;
      if (panelErr) panelErr[p] = pe;
    }
    return { v, e, quad, abs: absTotal };
  };
  // Planning: start from the panels between the planned breakpoints (they follow the selection
  // weights, not the σ-dependent integrand) and halve, up to three times, every panel whose own
  // estimate, summed over a scan of s across where log S_φ typically sits (step: the normaliser's
  // scale), exceeds a hundredth of the tolerance on the same sum of ∫|·|; then integrate over s, and
  // refine (below) while the rule's estimate, integrated over s, is not below a tenth of the
  // tolerance (the check that keeps the result honest whatever the plan).
  let pieces = sameRule ? sameRule.pieces : rulePieces(ends, rPanelWidth(ctx, c));
  let prepared = (sameRule?.prepared as Prepared | undefined) ?? prepare(pieces);
  const sScale = normaliserScale(ctx);
  const sLo = Math.min(...sCandidates) - 5 * sScale;
  const sHi = Math.max(...sCandidates) + 5 * sScale;
  const nScan = Math.min(40, Math.max(2, Math.ceil((sHi - sLo) / sScale)));
  const probeS = Array.from({ length: nScan + 1 }, (_, j) => sLo + ((sHi - sLo) * j) / nScan);
  const ds = (sHi - sLo) / nScan;
  for (let pass = 0; pass < 3 && !sameRule; pass++) {
    const panelErr = new Float64Array(pieces.length);
    const errSums = new Float64Array(pieces.length);
    let absSum = 0;
    for (const s of probeS) {
      absSum += atS(s, prepared, panelErr).abs * ds;
      for (let p = 0; p < pieces.length; p++) errSums[p] += panelErr[p] * ds;
    }
    const budget = 0.01 * Math.max(absTol, relTol * absSum);
    const split = Uint8Array.from(errSums, (e) => (e > budget ? 1 : 0));
    if (!split.some((x) => x)) break;
    pieces = splitPieces(pieces, split);
    prepared = prepare(pieces);
  }
  // The s-integral on the planned rule, each panel's own estimate integrated over s alongside. Where
  // the estimates sum to more than a tenth of the tolerance, only the panels that carry them are
  // halved, and only their part is integrated again: ∫ds [atS(halved) − atS(those panels)] is added
  // to the value (the rows elsewhere are unchanged), their estimates replaced by the halves'.
  const integrate = (P: Prepared, minus?: Prepared) => {
    const panelErr = new Float64Array(P.rule.panels);
    const r = overS(
      (s) => {
        const f = atS(s, P, panelErr);
        const v = minus ? f.v - atS(s, minus).v : f.v;
        // e: carried x-grid and w errors; quad: the fixed r-rule's own estimate, panel by panel in `extra`
        return { v1: v, v2: 0, e1: f.e, e2: f.quad, extra: panelErr };
      },
      sCandidates,
      undefined,
      P.rule.panels,
      'T1',
    );
    ctx.counter.evaluations += grid.evaluations;
    grid.evaluations = 0;
    // ×2 as for `inner`: the s-integral of an estimate is itself only estimated
    return { value: r.values[0], sError: r.errors[0], carried: r.inner[0], estimates: Array.from(r.extras, (e) => 2 * Math.abs(e)), conv: r.conv };
  };
  const first = integrate(prepared);
  let value = first.value;
  let sError = first.sError;
  let carried = first.carried;
  let conv = first.conv;
  let panels = pieces.map((piece, p) => ({ piece, estimate: first.estimates[p] }));
  const ruleEstimate = () => panels.reduce((t, p) => t + p.estimate, 0);
  const need = () => 0.1 * Math.max(absTol, relTol * Math.abs(value));
  for (let refine = 0; refine < 3 && ruleEstimate() > need(); refine++) {
    // halve the panels with the largest estimates until the others sum to at most a third of the need
    const order = panels.map((_, p) => p).sort((a, b) => panels[b].estimate - panels[a].estimate);
    let rest = ruleEstimate();
    const flagged = new Set<number>();
    for (const p of order) {
      if (rest <= need() / 3) break;
      flagged.add(p);
      rest -= panels[p].estimate;
    }
    const coarse = panels.filter((_, p) => flagged.has(p)).map((p) => p.piece);
    const fine = splitPieces(coarse, new Uint8Array(coarse.length).fill(1));
    const correction = integrate(prepare(fine), prepare(coarse));
    value += correction.value;
    sError += correction.sError;
    // the coarse rows' carried errors stay in `carried` (a bound either way)
    carried += correction.carried;
    conv &&= correction.conv;
    panels = [...panels.filter((_, p) => !flagged.has(p)), ...fine.map((piece, p) => ({ piece, estimate: correction.estimates[p] }))];
  }
  const quad = ruleEstimate();
  const refined = panels.length !== pieces.length || panels.some((p, k) => p.piece !== pieces[k]);
  const plan: SelectionRulePlan = { c, valueFree: noValue, x: grid.x, pieces: panels.map((p) => p.piece), prepared: refined ? undefined : prepared };
  reuse?.record.set(SELECTION_RULE_KEY, plan);
  const result: Term = { value, error: sError + carried + quad, converged: conv };
  return quad <= need() ? result : { ...result, converged: false };
}

/**
 * The per-s weighted moments of the softmax-selection rule: out_j[q] = w_i·A_j[i] at i = idx[q]
 * (q < count; A = the moments aψb, ψ, a, ψb, complement), the prefix sums p3, p4 of out_3, out_4, and
 * Σ_q |out_j[q]| into abs when given. With `valueFree` (aψb = a = ψb = 0 exactly) only out_1, out_4
 * and p4 are formed (and abs[1], abs[4], the others set to 0): out_0, out_2, out_3 are then not read.
 */
function weightedMoments(
  count: number,
  idx: Int32Array,
  w: Float64Array,
  A: readonly Float64Array[],
  out: readonly Float64Array[],
  p3: Float64Array,
  p4: Float64Array,
  abs: Float64Array | undefined,
  valueFree: boolean,
): void {
  const [a0, a1, a2, a3, a4] = A;
  const [o0, o1, o2, o3, o4] = out;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0; // prettier-ignore
  if (valueFree) {
    for (let q = 0; q < count; q++) {
      const i = idx[q];
      const x1 = w[i] * a1[i];
      const x4 = w[i] * a4[i];
      o1[q] = x1;
      o4[q] = x4;
      p4[q + 1] = p4[q] + x4;
      s1 += Math.abs(x1);
      s4 += Math.abs(x4);
    }
  } else {
    for (let q = 0; q < count; q++) {
      const i = idx[q];
      const wi = w[i];
      const x0 = wi * a0[i], x1 = wi * a1[i], x2 = wi * a2[i], x3 = wi * a3[i], x4 = wi * a4[i]; // prettier-ignore
      o0[q] = x0; o1[q] = x1; o2[q] = x2; o3[q] = x3; o4[q] = x4; // prettier-ignore
      p3[q + 1] = p3[q] + x3;
      p4[q + 1] = p4[q] + x4;
      s0 += Math.abs(x0); s1 += Math.abs(x1); s2 += Math.abs(x2); s3 += Math.abs(x3); s4 += Math.abs(x4); // prettier-ignore
    }
  }
  if (abs) {
    abs[0] = s0;
    abs[1] = s1;
    abs[2] = s2;
    abs[3] = s3;
    abs[4] = s4;
  }
}

/**
 * One row's window of the fixed r-rule against the per-s weighted moments: out[at + j] =
 * Σ_{i<len} K[off + i]·u_j[from + i] for j = 0, 1, 2 (K = k1, the selected token's kernel) and
 * j = 3, 4 (K = k0, the others'). A top-level function over typed arrays, so that the engine
 * compiles a tight loop.
 */
function windowSums(
  k1: Float64Array,
  k0: Float64Array,
  off: number,
  len: number,
  from: number,
  u0: Float64Array,
  u1: Float64Array,
  u2: Float64Array,
  u3: Float64Array,
  u4: Float64Array,
  out: Float64Array,
  at: number,
): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0; // prettier-ignore
  for (let i = 0; i < len; i++) {
    const g1 = k1[off + i];
    const g0 = k0[off + i];
    const j = from + i;
    s0 += g1 * u0[j];
    s1 += g1 * u1[j];
    s2 += g1 * u2[j];
    s3 += g0 * u3[j];
    s4 += g0 * u4[j];
  }
  out[at] = s0;
  out[at + 1] = s1;
  out[at + 2] = s2;
  out[at + 3] = s3;
  out[at + 4] = s4;
}

/** `windowSums` when only u1 (with k1) and u4 (with k0) can be non-zero: out[at + 1], out[at + 4], the others 0. */
function windowSums2(k1: Float64Array, k0: Float64Array, off: number, len: number, from: number, u1: Float64Array, u4: Float64Array, out: Float64Array, at: number): void {
  let s1 = 0;
  let s4 = 0;
  for (let i = 0; i < len; i++) {
    s1 += k1[off + i] * u1[from + i];
    s4 += k0[off + i] * u4[from + i];
  }
  out[at] = 0;
  out[at + 1] = s1;
  out[at + 2] = 0;
  out[at + 3] = 0;
  out[at + 4] = s4;
}

/**
 * Softmax selection for a normalised σ at a slope c so large that the selection grid (panels
 * ≤ 1.6/c) would be too fine: the previous nested scheme — outer adaptive Gauss–Kronrod over
 * r = −log u, for each r an adaptive s-integral, for each (r, s) the token moments by adaptive
 * quadrature in χ* (breakpoints at the kernel's step) and Gauss–Hermite 32/16 in w. Slow (seconds
 * to minutes) but general; its errors are reported as before.
 */
function legacySelectionT1(ctx: TokenContext, c: number, lengths: LengthLaw, overS: Planned, sCandidates: number[], relTol: number, absTol: number): Term {
  const c12 = ctx.coef.c12;
  const Ls = lengths.lengths;
  const ps = lengths.probabilities;
  const acc = { t1: 0, t2: 0, e1: 0, e2: 0 };
  const res = { t1: 0, t2: 0, e1: 0, e2: 0 };
  const mixL = (P: Moments, Q: Moments) => {
    res.t1 = res.e1 = 0;
    for (let i = 0; i < Ls.length; i++) {
      assemble(Ls[i], c12, P, Q, acc);
      res.t1 += ps[i] * Ls[i] * acc.t1;
      res.e1 += ps[i] * Ls[i] * acc.e1;
    }
  };
  const selectionMoments = (r: number, s: number) => {
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
  const t1AtR = (r: number): { v: number; e: number } => {
    const o = overS((s) => {
      const { P, Q } = selectionMoments(r, s);
      mixL(P, Q);
      return { v1: res.t1, v2: 0, e1: res.e1, e2: 0 };
    }, sCandidates, undefined, 0, 'T1 at r');
    if (!o.conv) ctx.counter.converged = false;
    return { v: o.values[0], e: o.errors[0] + o.inner[0] };
  };
  const { lo, hi, breakpoints, peak } = locateMass((r) => Math.abs(t1AtR(r).v), Math.max(1, c), selectionCandidates(c, Math.max(...Ls)));
  if (!(peak > 0)) return { value: 0, error: 0, converged: true };
  const r = integrateVector(
    (y, out) => {
      const f = t1AtR(y);
      out[0] = f.v;
      out[1] = f.e;
    },
    2,
    -Infinity,
    Infinity,
    { breakpoints: breakpointsInside([lo, ...breakpoints, hi], -Infinity, Infinity), relTol, absTol, controlled: 1 },
  );
  return { value: r.values[0], error: r.errors[0] + 2 * Math.abs(r.values[1]), converged: r.converged };
}

/** The first index p with ends[p] ≥ x (ends increasing; ends.length if none), by bisection. */
function firstPanel(ends: Float64Array, x: number): number {
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The key of the softmax-selection rule in `Reuse` maps. */
const SELECTION_RULE_KEY = 'selection rule';

/**
 * The softmax-selection r-rule a call ended with: its final pieces, on the x-grid `x` at slope c,
 * with their prepared rows (kernels, windows, arena) when the rule was not refined after planning.
 * The rows depend on nothing else (not on σ's overlaps), so a later call on the same grid uses them.
 */
interface SelectionRulePlan {
  readonly c: number;
  /** on the manifold (a = b = 0): the rows were prepared for the `rows` kernel with the length polynomial */
  readonly valueFree: boolean;
  readonly x: Float64Array;
  readonly pieces: RulePiece[];
  readonly prepared: unknown;
}

/** A panel of a fixed r-rule: [lo, hi] in its own variable; kind 0 finite, 1 (−∞, first) mapped, 2 (last, ∞) in t = e^{−x}. */
interface RulePiece {
  readonly lo: number;
  readonly hi: number;
  readonly kind: 0 | 1 | 2;
  /** kind 1: the finite end `first` of (−∞, first) */
  readonly first: number;
}

/**
 * The panels of a fixed r-rule from sorted breakpoints: finite panels between them (each split into
 * equal panels at most `maxWidth` wide), (−∞, first) mapped by x = first − (1 − t)/t, t ∈ (0, 1],
 * and (last, ∞) in t = e^{−x} ∈ (0, e^{−last}) (the r-integrands decay like e^{−r}).
 */
function rulePieces(ends: number[], maxWidth = Infinity): RulePiece[] {
  const first = ends[0];
  const pieces: RulePiece[] = [{ lo: 0, hi: 1, kind: 1, first }];
  for (let i = 0; i + 1 < ends.length; i++) {
    const k = Math.max(1, Math.ceil((ends[i + 1] - ends[i]) / maxWidth));
    for (let j = 0; j < k; j++) pieces.push({ lo: ends[i] + ((ends[i + 1] - ends[i]) * j) / k, hi: j + 1 === k ? ends[i + 1] : ends[i] + ((ends[i + 1] - ends[i]) * (j + 1)) / k, kind: 0, first });
  }
  // the tail piece is left out where e^{−last} underflows (last > 745: an integrand ≲ e^{−r} adds 0 there)
  const tHi = Math.exp(-ends[ends.length - 1]);
  if (tHi > 0) pieces.push({ lo: 0, hi: tHi, kind: 2, first });
  return pieces;
}

/** Halve (in its own variable) every panel flagged in `split`. */
function splitPieces(pieces: RulePiece[], split: Uint8Array): RulePiece[] {
  const out: RulePiece[] = [];
  pieces.forEach((p, i) => {
    if (!split[i]) {
      out.push(p);
      return;
    }
    const mid = 0.5 * p.lo + 0.5 * p.hi;
    out.push({ ...p, hi: mid }, { ...p, lo: mid });
  });
  return out;
}

/** A fixed composite G10/K21 rule on R from its panels; weights include the Jacobians. */
function fixedRule(pieces: RulePiece[]): { nodes: Float64Array; kWeights: Float64Array; gWeights: Float64Array; panels: number } {
  const panels = pieces.length;
  const nodes = new Float64Array(21 * panels);
  const kWeights = new Float64Array(21 * panels);
  const gWeights = new Float64Array(21 * panels);
  pieces.forEach(({ lo: a, hi: b, kind, first }, p) => {
    const cen = 0.5 * a + 0.5 * b;
    const h = 0.5 * b - 0.5 * a;
    for (let q = 0; q < 21; q++) {
      const t = q < 10 ? cen - h * KRONROD_NODES[q] : q === 10 ? cen : cen + h * KRONROD_NODES[q - 11];
      let x = t;
      let jac = 1;
      if (kind === 1) {
        x = first - (1 - t) / t;
        jac = 1 / (t * t);
      } else if (kind === 2) {
        x = -Math.log(t);
        jac = 1 / t;
      }
      const k = 21 * p + q;
      nodes[k] = x;
      const wk = q < 10 ? KRONROD_WEIGHTS[q] : q === 10 ? KRONROD_WEIGHTS[10] : KRONROD_WEIGHTS[q - 11];
      const qq = q < 10 ? q : q - 11;
      const wg = q !== 10 && qq & 1 ? GAUSS_WEIGHTS[qq >> 1] : 0;
      kWeights[k] = wk * h * jac;
      gWeights[k] = wg * h * jac;
    }
  });
  return { nodes, kWeights, gWeights, panels };
}

const INV_E = 0.36787944117144233; // 1/e = max of κe^{−κ}
/**
 * Widest finite panel of the fixed r-rule to start from, where the σ-step is as sharp as the
 * selection step (softmax at its Bayes point, c = m). At each s the r-integrand is a bump of
 * width O(1) in r (where the selection step cx = r meets the σ-step), and the bump moves with s
 * across the whole mass region (width ∝ c): starting from panels of width ∝ c, three halvings left
 * the rule's own estimate at 5e−6 at ν = 50. `rPanelWidth` widens it where the σ-step is broader.
 */
const R_PANEL_WIDTH = 4;
/**
 * At most this many times R_PANEL_WIDTH. Measured for the softplus kernel at max-SLR (L = 2, search
 * tolerance): window sums 18.6M → 14.0M per call at ν = 2, m = 2.74 (width 8.6), 333M → 120M at
 * ν = 30, m = 10 (16); at ν = 10, m = 10 (16) the plan misses and one refinement of the flagged panels
 * follows. Values equal to 1e−15, within the bounds.
 */
const R_PANEL_WIDEN_MAX = 4;
/**
 * The start width of the fixed r-rule's panels: R_PANEL_WIDTH times the r-width of the σ-step
 * relative to the selection step's, clamped to [1, R_PANEL_WIDEN_MAX]. The σ-step sits where
 * log φ(χ) = s; with λ = d log φ/dχ there it is ≈ 1/λ wide in χ, 1/(λ|m|) in x, c/(λ|m|) in
 * r = c x, against the selection kernel's O(1) in r. λ is taken at χ = √(m² + τ²), a typical top
 * token: 1 for softmax (so softmax keeps R_PANEL_WIDTH), ≈ 1/χ for the softplus kernel. This only
 * saves work (fewer rows): the rule's own estimate is checked after the s-integral whatever the start.
 */
function rPanelWidth(ctx: TokenContext, c: number): number {
  const lw = ctx.act.logWeight;
  const { m, tau2 } = ctx.coef;
  if (!lw || !(Math.abs(m) > 0)) return R_PANEL_WIDTH;
  const chi = Math.sqrt(m * m + tau2);
  const h = 1e-4 * Math.max(1, chi);
  const slope = Math.abs(lw(chi + h, ctx.theta) - lw(chi - h, ctx.theta)) / (2 * h);
  const ratio = c / (slope * Math.abs(m));
  if (!Number.isFinite(ratio)) return R_PANEL_WIDTH;
  return R_PANEL_WIDTH * Math.min(R_PANEL_WIDEN_MAX, Math.max(1, ratio));
}
/** Below log κ = log 1e−17 a row's window ends: κe^{−κ} is dropped and e^{−κ} taken as 1, each off by at most 1e−17. */
const KAPPA_DROPPED = 1e-17;
const LOG_KAPPA_DROPPED = Math.log(KAPPA_DROPPED);
/** Per s, the x-nodes below the σ-step whose |u_j| sum to at most this fraction of Σ|u_j| are dropped from every row. */
const BAND_DROPPED = 1e-17;
/** Above log κ = log 750 e^{−κ} is exactly 0 in double precision (e^{−745.2} is the least subnormal). */
const LOG_KAPPA_ZERO = Math.log(750);
const MAX_NORMALISED_SELECTION_PANELS = 5000;

/** QUADPACK-style panel error from a K21 sum, a G10 sum and a K21 sum of |f| (see TokenGrid). */
function panelErrorOf(k: number, g: number, abs: number): number {
  if (abs === 0) return 0;
  const r = (200 * Math.abs(k - g)) / abs;
  return Math.max(2 * abs * (r < 1 ? r * Math.sqrt(r) : 1), 50 * Number.EPSILON * abs);
}

function methodName(normaliser: string, selection: string): string {
  return `exchangeable-token quadrature (${selection}; ${normaliser}); fixed G10/K21 token grids (χ for the bulk, χ* with w-moments for selection) reused for every s and r, planned adaptive Gauss–Kronrod over s and r`;
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

