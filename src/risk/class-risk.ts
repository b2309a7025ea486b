import { InvalidInputError, NumericalRangeError, requireFinite } from '../errors.ts';
import type { Activation } from '../estimator/activation.ts';
import { type BoundedNewtonResult, BoundedNewtonStepper, symmetricEigen } from '../numerics/optimize.ts';
import type { LengthLaw } from '../task/length-law.ts';
import { type Task, validateNu } from '../task/tasks.ts';
import { bayesRisk } from './bayes.ts';
import { scaleLimitApplies, scaleLimitRisk } from './scale-limit.ts';
import type { Family, Overlaps } from './overlaps.ts';
import { type PopulationRiskOptions, EvaluationMemo, riskTerms, selectionPanels } from './population.ts';
import type { RiskResult } from './result.ts';

export interface ClassRiskInput {
  readonly task: Task;
  readonly nu: number;
  readonly lengths: LengthLaw;
  readonly delta?: number;
  readonly act: Activation;
  /** 'manifold' (m_kv* = m_vk* = q_kv = 0, default) or 'full' (all seven overlaps) */
  readonly family?: Family;
}

export interface ClassRiskOptions extends PopulationRiskOptions {
  /**
   * Starting points of the key-side search, in overlap units:
   * manifold [m_kk*, τ, θ…], full [m_kk*, τ, m_kv*, θ…], where τ is the norm
   * of the part of k/√D orthogonal to k* and v* (τ² = R_kk on the manifold).
   * Only τ², m_kv*² matter (the risk is even in τ and in m_kv*). Default: a
   * closed-form start where one is known and task-based guesses, all on the
   * face τ = m_kv* = 0. On the full family the manifold minimum is found
   * first (with its default starts) and `starts` are the off-manifold starts.
   */
  starts?: number[][];
  /** Newton iterations per start (default 60) */
  maxIterations?: number;
  /** risk evaluations per start (default 240; one full-family evaluation counts as its risk-term calls) */
  maxEvaluations?: number;
  /**
   * |m_kk*| ≤ searchBoundary during the search (default 32, or 8 where the end of the ray is computed
   * exactly, see `scaleLimitApplies`); a minimiser on it triggers the ray analysis
   */
  searchBoundary?: number;
  /** doublings of m_kk* in the ray analysis beyond the search boundary (default 8) */
  rayDoublings?: number;
  /** the accuracy in risk the search aims at (default 1e−7): the ray analysis reports converged only when its interval is this narrow */
  riskTolerance?: number;
}

export interface StartReport {
  /** the start as given: [m_kk*, τ (, m_kv*), θ…] */
  readonly start: readonly number[];
  /** risk at the start's end point, search tolerance (a start merged by the hill–valley test ends where it began); null when skipped or not computable (status says which) */
  readonly risk: number | null;
  readonly iterations: number;
  readonly converged: boolean;
  /** the end point, same layout as `start` */
  readonly end: readonly number[];
  /** risk evaluations spent by this start (risk-term calls) */
  readonly evaluations: number;
  /**
   * converged | merged (in an earlier minimum's valley, or joined its basin) |
   * skipped (a certified start made it unnecessary) | failed (risk not
   * computable at the start) | not converged | certified (closed form reaches
   * the Bayes lower bound)
   */
  readonly status: 'converged' | 'merged' | 'skipped' | 'failed' | 'not converged' | 'certified';
  readonly message: string;
}

/** First-order optimality at a bound: the one-sided derivative of the risk into the feasible region. */
export interface KktReport {
  /** 'tau2' = τ² (R_kk on the manifold), 'mkv2' = m_kv*² (full family) */
  readonly variable: 'tau2' | 'mkv2';
  /** ∂E/∂variable at 0 (one-sided, second-order finite difference); ≥ 0 is the KKT condition; null when not computable (see `reason`) */
  readonly derivative: number | null;
  readonly error: number | null;
  /** derivative ≥ −error; false when the derivative is not computable */
  readonly satisfied: boolean;
  /** why the derivative is null (the risk is not computable next to the bound) */
  readonly reason?: string;
}

/** Infimum approached along a ray m_kk* → ∞ (other coordinates fixed): the sequence and a bracket of E_σ. */
export interface RayReport {
  readonly points: readonly { readonly mkk: number; readonly risk: number; readonly error: number }[];
  /** E_σ ≥ lower: the Bayes risk minus its error (no predictor beats Bayes) */
  readonly lower: number;
  /** E_σ ≤ upper: the smallest risk on the ray plus its error */
  readonly upper: number;
  /** geometric (Aitken) extrapolation of the sequence, when its differences shrink geometrically */
  readonly extrapolated?: number;
  /**
   * fit of the last two points to risk − lower ≈ C·m_kk*^(−order): order ≈ 1
   * with C steady means the risk approaches `lower` like C/m (e.g. softmax →
   * argmax at c_ν = ∞); order drifting to 0 means a limit above `lower`
   */
  readonly powerLaw?: { readonly order: number; readonly C: number };
  /** the limit along the ray by Aitken's Δ² with its error, when the sequence converges geometrically */
  readonly limit?: RayLimit;
  /** the limit along the ray computed exactly (Bayes for softmax at c_ν = ∞, or a scale limit), when it was */
  readonly exactLimit?: { readonly value: number; readonly error: number; readonly why: string };
  readonly reason: string;
}

export interface ClassRiskResult extends RiskResult {
  readonly starts: readonly StartReport[];
  /** KKT tests of the bounds held at the minimiser (τ² = 0, and m_kv*² = 0 on the full family) */
  readonly kkt: readonly KktReport[];
  /** quadrature error bound of the reported value (plus rounding) */
  readonly quadratureError: number;
  /** Newton-model estimate ½gᵀH⁻¹g of how far the minimiser's risk is above the local minimum (included in `error`) */
  readonly optimisationGap: number;
  /**
   * The accuracy the search aims at (riskTolerance, 1e−7) where nothing
   * certifies the minimum (0 when the Bayes bound does, or for a ray's
   * bracket). Not in `error`: the Newton-model gap is a local estimate, and a
   * long flat valley can hide more than it says, up to this tolerance. An
   * error bound on E_σ as an infimum is `error + searchTolerance`
   * (`slr risk` prints that).
   */
  readonly searchTolerance: number;
  /** risk evaluations (riskTerms calls) in all; `evaluations` counts quadrature nodes */
  readonly riskEvaluations: number;
  /** evaluations that threw NumericalRangeError during the search (treated as +∞ there) */
  readonly failedEvaluations: number;
  /** the Bayes risk, when it was used (certificate of a closed-form minimum, lower end of a ray bracket) */
  readonly bayes?: { readonly value: number; readonly error: number; readonly certified: boolean };
  readonly ray?: RayReport;
}

/** Search defaults and why. */
const SEARCH = {
  /** search quadrature: relTol 1e−7 / absTol 1e−10 (the reported value is re-evaluated at full tolerance) */
  relTol: 1e-7,
  absTol: 1e-10,
  /**
   * Newton stops when the model predicts ≤ 1e−10 further decrease in risk,
   * 1000× below the 1e−7 target. Evaluation scatter at the search tolerance
   * is ~1e−14 (second differences at h = 1e−5 agree to that level), so
   * finite differences with h = 1e−4 carry ~1e−10 relative gradient noise.
   */
  fTol: 1e-10,
  noise: 1e-13,
  /**
   * When the risk excess E − Δ is itself near fTol (erf at ν = 200: ~1e−10 at
   * the first stop, 1.2e−12 at the minimum), a run that converged is refined
   * with fTol = max(fTolFloor, fTolRelative·(E − Δ)): the optimisation gap
   * then stays a small fraction of the excess. The floor is 10× the noise.
   */
  fTolRelative: 1e-3,
  fTolFloor: 1e-12,
  /** relative finite-difference step (m_kk*, τ², m_kv*²) */
  fdStep: 1e-4,
  /**
   * finite-difference step of σ's parameters θ, relative to max(1, |θ|):
   * 1e−3 ≈ (noise/f⁗)^¼ balances the noise term noise/h² of a second
   * difference against its truncation h²f⁗/12 for derivatives of order one.
   * At 1e−4 the noise term (1e−5) exceeds the θ-curvature of flat problems
   * (erf at ν = 0.01, where the risk varies by ~1e−7 over Δθ = 0.5) and the
   * trust region collapsed without converging.
   */
  thetaStep: 1e-3,
  /** a running start this close (scaled ∞-norm) to a found minimum, and not lower, is in its basin and stops */
  mergeRadius: 0.1,
  /** |θ| ≤ 50 (erf's offset: erf(±50) is ±1 to double precision, the search cannot gain beyond) */
  thetaBound: 50,
};

/**
 * Class risk E_σ = inf over admissible overlaps (and σ's own parameters θ) of
 * the population risk, with how it was found.
 *
 * Value side, exact: for fixed key side the risk is quadratic in v. On the
 * manifold E = Δ + 1 − A²/B (Cauchy–Schwarz), A = E[σ_ε], B = E[Σ σ_ℓ²], at
 * m_vv* = A/B, R_vv = 0. On the full family v ranges over span(k*, v*, k_⊥)
 * and E = Δ + 1 − gᵀH⁺g, g_i = T1(e_i), H the Gram form of T2 (six risk-term
 * calls; H⁺ by eigen-decomposition).
 *
 * Key side, searched: the variables are m_kk*, τ² ≥ 0 (and m_kv*² ≥ 0 on the
 * full family) and θ. The risk is even in τ and in m_kv* (reflect k_⊥, or
 * v* → −v*), hence smooth in τ², m_kv*², and the manifold / τ = 0 are faces
 * of the box. Bounded trust-region Newton with finite-difference derivatives
 * (`BoundedNewtonStepper`) stays on the face τ² = m_kv*² = 0 while it
 * minimises over m_kk*, θ, then tests the bound by its one-sided derivative
 * (KKT: ∂E/∂τ² ≥ 0, reported) and leaves the face only if that fails. The
 * search runs in asinh m_kk* (≈ log 2m for large m). Several starts: all are
 * evaluated, the lowest runs to convergence, the others are first put to a
 * hill–valley test against the minima found (merged if the risk decreases
 * monotonically towards one) and run only otherwise; every start is
 * reported with its status.
 *
 * Closed forms used as warm starts: softmax-type σ (log φ(x) = x + const)
 * under the ratio condition with finite c_ν: k = c_ν k* reaches the Bayes
 * risk (Prop. 4.2), so if the risk there equals E_Bayes within both error
 * bounds the minimum is certified global (no predictor beats Bayes) and no
 * search is needed. With c_ν = ∞ (max-SLR, ν = ∞) the infimum is approached
 * along the ray m_kk* → ∞ and is reported as such. Linear σ on a product task
 * with spike N(μ, 1): m* = μ(L̄ − 1)/L̄ (A and B are linear in L).
 *
 * At infinity: if the best point sits on |m_kk*| = searchBoundary, the risk is
 * followed along m_kk* = 2^j·boundary at full tolerance. If it turns up, a
 * finite minimum lies beyond and the search resumes there; otherwise E_σ is
 * reported as the limit: E_σ ∈ [E_Bayes − err, min risk on the ray + err],
 * value the (clamped) Aitken extrapolation, error the half-width that covers
 * the bracket, converged only if the bracket is narrower than riskTolerance.
 *
 * Reported value: re-evaluated at the minimiser at full tolerance; error =
 * quadrature bound + rounding + the Newton model's optimisation gap.
 * Inputs: ν ≥ 0 valid for the task, Δ ≥ 0, family manifold|full; starts of
 * the right length (else InvalidInputError).
 */
export function classRisk(input: ClassRiskInput, opts: ClassRiskOptions = {}): ClassRiskResult {
  const family = input.family ?? 'manifold';
  if (family !== 'manifold' && family !== 'full') throw new InvalidInputError(`family must be manifold or full, got ${String(family)}`);
  validateNu(input.task, input.nu);
  const delta = requireFinite('delta', input.delta ?? 0, { min: 0 });
  const boundary = requireFinite('searchBoundary', opts.searchBoundary ?? 32, { min: 0 });
  if (!(boundary > 0)) throw new InvalidInputError(`searchBoundary must be > 0, got ${boundary}`);
  requireFinite('rayDoublings', opts.rayDoublings ?? 8, { min: 0, max: 60, integer: true });
  requireFinite('riskTolerance', opts.riskTolerance ?? 1e-7, { min: 0 });
  if (opts.starts) {
    const nTheta = input.act.parameters.length;
    const need = (family === 'manifold' ? 2 : 3) + nTheta;
    for (const s of opts.starts) {
      if (!Array.isArray(s) || s.length !== need) {
        throw new InvalidInputError(`a start needs ${need} numbers ([m_kk*, τ${family === 'full' ? ', m_kv*' : ''}${nTheta ? ', θ…' : ''}]), got ${Array.isArray(s) ? s.length : String(s)}`);
      }
      s.forEach((v, i) => requireFinite(`start[${i}]`, v));
      if (Math.abs(s[0]) >= boundary) throw new InvalidInputError(`a start needs |m_kk*| < searchBoundary = ${boundary}, got ${s[0]}`);
    }
  }
  const search = new Search({ ...input, delta }, opts, boundary);
  // the caller's starts were checked against the default boundary: keep it for them
  if (opts.searchBoundary === undefined && !opts.starts && scaleLimitApplies(input.task, input.nu, input.act)) chooseExactLimitBoundary(search);
  return family === 'manifold' ? manifoldMinimum(search) : fullMinimum(search);
}

/**
 * The search boundary where the end of the ray is known exactly (a
 * positive-part scale limit, on a product task or max-SLR at ν = ∞,
 * src/risk/scale-limit.ts): the ray is then evidence, not the estimate, and
 * the risk's cost grows with the slope |m_kk*| (softplus, max-SLR ν = ∞,
 * L = 2: 0.45 s per evaluation at m = 8, 1.4 s at 32, 6.9 s at 128), so the
 * search stops at 8 and the ray's two points (8, 16) show the approach —
 * unless the risk at 8 is already below the limit (chooseExactLimitBoundary).
 * A finite minimum beyond shows as the risk turning up on the ray or falling
 * below the limit, and the search resumes there (boundary 32).
 */
const EXACT_LIMIT_BOUNDARY = 8;

// ---------------------------------------------------------------------------
// objective

interface Evaluation {
  /** 1 + Δ − risk at the optimal value side (A²/B or gᵀH⁺g) */
  readonly gain: number;
  readonly gainError: number;
  readonly overlaps: Overlaps;
  readonly method: string;
  /** quadrature nodes */
  readonly nodes: number;
  /** risk-term calls */
  readonly calls: number;
  readonly quadratureConverged: boolean;
  /** manifold only: A = E[σ_ε], B = E[Σσ²] */
  readonly A?: number;
  readonly B?: number;
}

/** Search state. Points are [m_kk*, τ², θ…] (manifold) or [m_kk*, m_kv*², τ², θ…] (full); the optimiser sees [asinh m_kk*, …]. */
class Search {
  readonly nKey: number;
  readonly nTheta: number;
  nodes = 0;
  calls = 0;
  failed = 0;
  unconvergedSearch = 0;
  iterations = 0;
  /** set on the search resumed beyond the boundary after the ray test saw the risk turn up (resumes once) */
  resumed = false;
  /** the exact end of the ray m_kk* → ∞ (scaleLimitOf), once computed; null where there is none */
  exactLimit: ExactLimit | null | undefined = undefined;
  private readonly cache = new Map<string, Evaluation | null>();
  readonly searchOpts: PopulationRiskOptions;

  constructor(
    readonly input: ClassRiskInput & { delta: number },
    readonly opts: ClassRiskOptions,
    public boundary: number,
  ) {
    this.nKey = (input.family ?? 'manifold') === 'manifold' ? 2 : 3;
    this.nTheta = input.act.parameters.length;
    // search evaluations start their s-integrals from those of a nearby earlier evaluation (finite-difference
    // neighbours, KKT probes); the value at the minimiser is re-evaluated without (`opts`)
    this.searchOpts = {
      relTol: Math.max(opts.relTol ?? 1e-9, SEARCH.relTol),
      absTol: Math.max(opts.absTol ?? 1e-12, SEARCH.absTol),
      memo: new EvaluationMemo(),
    };
  }

  get family(): Family {
    return this.nKey === 2 ? 'manifold' : 'full';
  }

  /** What every result of this search starts with: the setting, and the overlaps and θ at `point`. */
  resultHead(point: readonly number[], params: Overlaps) {
    const { task, nu, lengths, delta, act } = this.input;
    return { task: task.id, act: act.id, nu, lengths, delta, family: this.family, params, theta: point.slice(this.nKey) };
  }

  /**
   * Evaluate at a point [m_kk*, τ², θ…] (manifold) or [m_kk*, m_kv*², τ², θ…]
   * (full); `final` uses the caller's full tolerances.
   */
  evaluate(point: ArrayLike<number>, final = false): Evaluation {
    const v = Array.from(point);
    const theta = v.slice(this.nKey);
    const o = final ? this.opts : this.searchOpts;
    const ev = this.nKey === 2 ? manifoldObjective(this.input, v[0], v[1], theta, o) : fullObjective(this.input, v[0], v[1], v[2], theta, o);
    this.nodes += ev.nodes;
    this.calls += ev.calls;
    if (!final && !ev.quadratureConverged) this.unconvergedSearch++;
    return ev;
  }

  /** Search-tolerance evaluation at a point, cached; null where it threw NumericalRangeError (counted in `failed`). */
  cached(point: readonly number[]): Evaluation | null {
    const key = point.join(',');
    let ev = this.cache.get(key);
    if (ev === undefined) {
      try {
        ev = this.evaluate(point);
      } catch (e) {
        if (!(e instanceof NumericalRangeError)) throw e;
        this.failed++;
        ev = null;
      }
      this.cache.set(key, ev);
    }
    return ev;
  }

  /**
   * Take over `full`'s search-tolerance evaluations on the face m_kv*² = 0 (this search being that
   * face's manifold search): there the full objective is the manifold's, one risk-term call each
   * (`fullObjective`), so e.g. the boundary probes of `chooseExactLimitBoundary` are not repeated.
   */
  adoptFaceEvaluations(full: Search): void {
    for (const [key, ev] of full.cache) {
      const [m, p, ...rest] = key.split(',').map(Number);
      if (p !== 0) continue;
      const face = [m, ...rest].join(',');
      if (!this.cache.has(face)) this.cache.set(face, ev);
    }
  }

  /** The search objective −gain (= risk − Δ − 1) at a search vector; +∞ where the evaluation failed. */
  objective = (u: ArrayLike<number>): number => {
    const ev = this.cached(this.toPoint(u));
    return ev === null ? Infinity : -ev.gain;
  };

  /**
   * Search vector → point: the search runs in u = asinh(m_kk*) (≈ m near 0,
   * ≈ log 2m for large m), on which the risk is closer to quadratic where it
   * flattens at large m_kk* (softplus, normalised kernels) and a ray m → ∞ is
   * followed geometrically.
   */
  toPoint(u: ArrayLike<number>): number[] {
    const v = Array.from(u);
    return [Math.sinh(v[0]), ...v.slice(1)];
  }

  toSearchVector(point: readonly number[]): number[] {
    return [Math.asinh(point[0]), ...point.slice(1)];
  }

  /** User start [m, τ (, m_kv), θ…] → point. */
  pointFromStart(start: readonly number[]): number[] {
    if (this.nKey === 2) return [start[0], start[1] * start[1], ...start.slice(2)];
    return [start[0], start[2] * start[2], start[1] * start[1], ...start.slice(3)];
  }

  /** Point → user layout [m, τ (, m_kv), θ…]. */
  startFromPoint(point: ArrayLike<number>): number[] {
    const v = Array.from(point);
    if (this.nKey === 2) return [v[0], Math.sqrt(v[1]), ...v.slice(2)];
    return [v[0], Math.sqrt(v[2]), Math.sqrt(v[1]), ...v.slice(3)];
  }
}

function manifoldObjective(input: ClassRiskInput, m: number, tau2: number, theta: number[], opts: PopulationRiskOptions): Evaluation {
  const probe: Overlaps = { mkk: m, mkv: 0, mvk: 0, mvv: 1, qkk: m * m + tau2, qvv: 1, qkv: 0 };
  // at m_vv* = q_vv = 1 on M: T1 = A = E[σ_ε], T2 = B = E[Σσ²]
  const t = riskTerms({ ...input, theta, overlaps: probe }, opts);
  const A = t.T1.value;
  const B = t.T2.value;
  const base = { method: t.method, nodes: t.evaluations, calls: 1, quadratureConverged: t.converged, A, B };
  if (!(B > 0)) return { ...base, gain: 0, gainError: 0, overlaps: { ...probe, mvv: 0, qvv: 0 } };
  const mvv = A / B;
  return {
    ...base,
    gain: (A * A) / B,
    gainError: (2 * Math.abs(A) * t.T1.error) / B + (A * A * t.T2.error) / (B * B),
    overlaps: { ...probe, mvv, qvv: mvv * mvv },
  };
}

/**
 * Full family: k = (a1, a2, a3) and v = (b1, b2, b3, b4) in the orthonormal
 * frame (k*, v*, e3, e4)·√D, which reaches every admissible set of seven
 * overlaps: m_kk* = a1, m_kv* = a2, q_kk = |a|², m_vk* = b1, m_vv* = b2,
 * q_vv = |b|², q_kv = a·b. b4 only adds noise, so b4 = 0 and b ∈ R³ minimises
 * −2gᵀb + bᵀHb: b = H⁺g, gain gᵀH⁺g. Called with p = a2², s = a3².
 *
 * At a2 = 0 (the manifold face) g1 = g3 = 0 and H12 = H23 = 0 exactly (z* is
 * symmetric and independent of (χ*, ε, r)), so the gain is the manifold's
 * A²/B: one risk-term call instead of six. Near a2 = 0 but a2 ≠ 0 the
 * per-token conditioning (α = m_kv* / τ², β ∝ 1/τ² in `tokenCoefficients`) is
 * ill-conditioned: the search never evaluates 0 < a2² < h/2 (h the
 * finite-difference step, 1e−4), see `BoundedNewtonStepper`'s snapping.
 */
function fullObjective(input: ClassRiskInput, a1: number, p: number, s: number, theta: number[], opts: PopulationRiskOptions): Evaluation {
  // on the face the optimal v is b2 v* (q_kv = a·b = 0): the manifold's overlaps
  if (p === 0) return manifoldObjective(input, a1, s, theta, opts);
  const a2 = Math.sqrt(p);
  const a3 = Math.sqrt(s);
  const overlapsFor = (b: number[]): Overlaps => ({
    mkk: a1,
    mkv: a2,
    mvk: b[0],
    mvv: b[1],
    qkk: a1 * a1 + p + s,
    qvv: b[0] * b[0] + b[1] * b[1] + b[2] * b[2],
    qkv: a1 * b[0] + a2 * b[1] + a3 * b[2],
  });
  let nodes = 0;
  let calls = 0;
  let converged = true;
  let method = '';
  const terms = (b: number[]) => {
    const t = riskTerms({ ...input, theta, overlaps: overlapsFor(b) }, opts);
    nodes += t.evaluations;
    calls++;
    converged &&= t.converged;
    method = t.method;
    return t;
  };
  const e = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  const g = [0, 0, 0];
  const gErr = [0, 0, 0];
  const H = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  const hErr = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let i = 0; i < 3; i++) {
    const t = terms(e[i]);
    g[i] = t.T1.value;
    gErr[i] = t.T1.error;
    H[i][i] = t.T2.value;
    hErr[i][i] = t.T2.error;
  }
  for (let i = 0; i < 3; i++) {
    for (let j = i + 1; j < 3; j++) {
      // polarisation: T2(e_i + e_j) = H_ii + H_jj + 2H_ij
      const t = terms(e[i].map((v, k) => v + e[j][k]));
      H[i][j] = H[j][i] = (t.T2.value - H[i][i] - H[j][j]) / 2;
      hErr[i][j] = hErr[j][i] = (t.T2.error + hErr[i][i] + hErr[j][j]) / 2;
    }
  }
  const { values, vectors } = symmetricEigen(H);
  // pseudo-inverse: a direction with no curvature carries no signal (|gᵀu|² ≤ E[z*²]·uᵀHu by Cauchy–Schwarz)
  const cut = 1e-12 * Math.max(...values.map(Math.abs));
  const b = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    if (!(values[c] > cut)) continue;
    const proj = vectors[0][c] * g[0] + vectors[1][c] * g[1] + vectors[2][c] * g[2];
    for (let r = 0; r < 3; r++) b[r] += (proj / values[c]) * vectors[r][c];
  }
  const gain = g[0] * b[0] + g[1] * b[1] + g[2] * b[2];
  // first-order perturbation of gᵀH⁺g at the optimum: δ(gain) = 2bᵀδg − bᵀδH b
  let gainError = 0;
  for (let i = 0; i < 3; i++) {
    gainError += 2 * Math.abs(b[i]) * gErr[i];
    for (let j = 0; j < 3; j++) gainError += Math.abs(b[i]) * hErr[i][j] * Math.abs(b[j]);
  }
  return { gain, gainError, overlaps: overlapsFor(b), method, nodes, calls, quadratureConverged: converged };
}

/**
 * The exact value-side minimum of the full family at a fixed key side: k has
 * m_kk* = mkk, m_kv* = mkv and a part of norm `tau` orthogonal to k* and v*
 * (q_kk = mkk² + mkv² + tau²); v is chosen optimally,
 * min over (m_vk*, m_vv*, q_vv, q_kv) of the risk = Δ + 1 − gᵀH⁺g (see
 * `classRisk`). Returns the risk, its quadrature error bound and the
 * minimising overlaps. mkv = 0 reduces to the manifold's A²/B. Needs finite
 * mkk, mkv, tau (else InvalidInputError).
 */
export function valueSideMinimum(
  input: ClassRiskInput,
  key: { readonly mkk: number; readonly mkv: number; readonly tau: number },
  theta?: readonly number[],
  opts: PopulationRiskOptions = {},
): { value: number; error: number; overlaps: Overlaps; riskEvaluations: number } {
  validateNu(input.task, input.nu);
  const delta = requireFinite('delta', input.delta ?? 0, { min: 0 });
  const mkk = requireFinite('mkk', key.mkk);
  const mkv = requireFinite('mkv', key.mkv);
  const tau = requireFinite('tau', key.tau);
  const th = [...(theta ?? input.act.parameters.map((p) => p.initial))];
  const ev = fullObjective({ ...input, delta }, mkk, mkv * mkv, tau * tau, th, opts);
  return { value: delta + 1 - ev.gain, error: ev.gainError + 8 * Number.EPSILON * (1 + delta), overlaps: ev.overlaps, riskEvaluations: ev.calls };
}

// ---------------------------------------------------------------------------
// searches

interface Run {
  /** user layout [m, τ (, m_kv), θ…] */
  readonly start: readonly number[];
  /** risk-term calls spent */
  calls: number;
  iterations: number;
  status: StartReport['status'];
  message: string;
  /** end point [m, τ² …] and the search objective −gain there */
  point: number[];
  f: number;
  result?: BoundedNewtonResult;
}

/** σ(χ) = softmax(χ): normalised with log φ(x) = x + const (checked at a few points, exactly). */
function isSoftmaxType(act: Activation): boolean {
  if (!act.normalised || !act.logWeight || act.parameters.length > 0) return false;
  const l0 = act.logWeight(0, []);
  return [1, -2, 3.5].every((x) => act.logWeight!(x, []) - l0 === x);
}

/** σ_ℓ = 1 + χ_ℓ: separable, no parameters, φ(x) = 1 + x (checked at a few points). */
function isLinear(act: Activation): boolean {
  return !act.normalised && act.parameters.length === 0 && [0, 1, -0.5, 3].every((x) => act.weight(x, []) === 1 + x);
}

function meanLength(lengths: LengthLaw): number {
  return lengths.lengths.reduce((sum, L, i) => sum + L * lengths.probabilities[i], 0);
}

/**
 * Default manifold starts [m, τ, θ…], all on the face τ = 0: a closed form
 * where one is known, then c_ν and the spread guesses 0.3, 3, 1 (3 in all;
 * `runStarts` works from the lowest risk).
 * Linear σ: A = E[σ_ε] = 1 + m μ̄ with μ̄ = E[χ*_ε], B = E[Σσ²] =
 * L̄(1 + τ²) + 2m E[Σχ*] + m² E[Σχ*²]. Product task with spike N(μ, 1):
 * E[Σχ*] = μ, E[Σχ*²] = L̄ + μ², so dA²/B/dm = 0 at m* = μ(L̄ − 1)/L̄.
 * Selection task: χ* ~ N(0, I_L) exactly, B = L̄(1 + m² + τ²), m* = μ̄,
 * read off one evaluation A(1) = 1 + μ̄.
 */
function defaultManifoldStarts(s: Search): number[][] {
  const { task, nu, act, lengths } = s.input;
  const theta0 = act.parameters.map((p) => p.initial);
  const out: number[][] = [];
  const add = (m0: number, theta: number[]) => {
    if (!Number.isFinite(m0)) return;
    // a guess outside the search box moves halfway to its edge
    const m = Math.abs(m0) < s.boundary ? m0 : Math.sign(m0) * 0.5 * s.boundary;
    if (out.some((o) => Math.abs(o[0] - m) <= 0.25 * Math.max(1, Math.abs(m)) && o.slice(2).every((t, i) => t === theta[i]))) return;
    out.push([m, 0, ...theta]);
  };
  if (isLinear(act)) {
    if (task.kind === 'product') {
      const law = task.spikeLaw(nu);
      if (law.length === 1 && law[0].sd === 1) {
        const Lbar = meanLength(lengths);
        add((law[0].mean * (Lbar - 1)) / Lbar, theta0);
      }
    } else {
      const ev = s.cached([1, 0]);
      if (ev?.A !== undefined) add(ev.A - 1, theta0);
    }
  }
  const c = task.nishimoriSlope(nu);
  if (c !== undefined && Number.isFinite(c) && c > 0.5) add(c, theta0);
  add(0.3, theta0.map((t) => t - 0.5));
  add(3, theta0);
  add(1, theta0);
  return out.slice(0, 3);
}

function newStepper(s: Search, point: number[], fTol: number = SEARCH.fTol): BoundedNewtonStepper {
  const u0 = s.toSearchVector(point);
  const n = u0.length;
  const m2 = Math.max(1, point[0] * point[0]);
  const lower = new Array<number>(n).fill(-SEARCH.thetaBound);
  const upper = new Array<number>(n).fill(SEARCH.thetaBound);
  const steps = new Array<number>(n).fill(SEARCH.fdStep);
  const scales = new Array<number>(n).fill(1);
  lower[0] = -Math.asinh(s.boundary);
  upper[0] = Math.asinh(s.boundary);
  for (let i = 1; i < s.nKey; i++) {
    // τ², m_kv*² ≥ 0, on the scale of q_kk
    lower[i] = 0;
    upper[i] = Infinity;
    steps[i] = SEARCH.fdStep * m2;
    scales[i] = m2;
  }
  for (let i = s.nKey; i < n; i++) steps[i] = SEARCH.thetaStep * Math.max(1, Math.abs(u0[i]));
  return new BoundedNewtonStepper(s.objective, u0, {
    lower,
    upper,
    steps,
    scales,
    fTol,
    noise: SEARCH.noise,
    maxEvaluations: s.opts.maxEvaluations ?? 240,
    maxIterations: s.opts.maxIterations ?? 60,
  });
}

/** Scaled ∞-distance between two points: m via asinh, τ² and m_kv*² relative to max(1, m²), θ absolute. */
function scaledDistance(s: Search, x: readonly number[], y: readonly number[]): number {
  const m2 = Math.max(1, x[0] * x[0], y[0] * y[0]);
  let d = Math.abs(Math.asinh(x[0]) - Math.asinh(y[0]));
  for (let i = 1; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]) / (i < s.nKey ? m2 : 1));
  return d;
}

/**
 * Starts: all are evaluated, then taken from the lowest risk up. The first
 * runs to convergence. Each later start is first
 * compared with the minima found so far by a hill–valley test (Ursem 2000;
 * Maree et al. 2018): if the search objective decreases monotonically along
 * the segment from the start to a minimum (at 1 to 3 equally spaced interior
 * points, one per unit of scaled distance) the start lies in that minimum's
 * valley and is reported as merged (1 to 3 evaluations instead of a full
 * run); otherwise it runs, and stops as merged if it comes within 0.1
 * (scaled) of a minimum without being lower.
 */
function runStarts(s: Search, starts: readonly (readonly number[])[]): Run[] {
  const tie = 1e-12; // evaluation scatter at the search tolerance is ~1e−14
  // evaluate every start first (the hill–valley test needs these values anyway), then work from the lowest
  const runs: Run[] = starts.map((start) => {
    const point = s.pointFromStart(start);
    const before = s.calls;
    const f = s.objective(s.toSearchVector(point));
    return { start, calls: s.calls - before, iterations: 0, status: 'not converged', message: '', point, f };
  });
  const minima: Run[] = [];
  const order = runs.map((_, i) => i).sort((i, j) => runs[i].f - runs[j].f);
  for (const idx of order) {
    const run = runs[idx];
    const { point } = run;
    const f0 = run.f;
    const before = s.calls - run.calls;
    if (f0 === Infinity) {
      run.status = 'failed';
      run.message = 'not run: the risk is not computable at the start (NumericalRangeError from the risk engine)';
      continue;
    }
    const u0 = s.toSearchVector(point);
    // hill–valley test against the minima found so far, best first
    for (const k of [...minima].sort((a, b) => a.f - b.f)) {
      if (f0 < k.f - tie) continue; // lower than that minimum: not in its valley
      const u1 = s.toSearchVector(k.point);
      // one interior point per unit of scaled distance (asinh m, τ²/m², θ), 1 to 3
      const nPts = Math.min(3, Math.max(1, Math.ceil(scaledDistance(s, point, k.point))));
      let prev = f0;
      let monotone = true;
      for (let q = 1; q <= nPts; q++) {
        const fz = s.objective(u0.map((v, i) => v + (q / (nPts + 1)) * (u1[i] - v)));
        if (fz > prev + tie) {
          monotone = false;
          break;
        }
        prev = fz;
      }
      if (monotone && k.f <= prev + tie) {
        run.status = 'merged';
        run.message = `in the valley of start ${runs.indexOf(k) + 1}: the risk decreases monotonically along the segment to its minimum (hill–valley test, ${nPts} interior point${nPts > 1 ? 's' : ''})`;
        break;
      }
    }
    if (run.status === 'merged') {
      run.calls = s.calls - before;
      continue;
    }
    const stepper = newStepper(s, point);
    while (!stepper.step()) {
      const here = s.toPoint(stepper.x);
      const near = minima.find((k) => scaledDistance(s, here, k.point) <= SEARCH.mergeRadius && stepper.fx >= k.f - tie);
      if (near) {
        run.status = 'merged';
        run.message = `joined the basin of start ${runs.indexOf(near) + 1} (within ${SEARCH.mergeRadius} scaled, risk not lower)`;
        stepper.stop(run.message);
      }
    }
    let res = stepper.result();
    // a risk excess near fTol: the absolute stopping rule says little (the
    // Newton model's gap is local, the valley may go on); refine relative to it
    for (let pass = 0; pass < 3 && run.status !== 'merged' && res.converged; pass++) {
      const fTol = Math.max(SEARCH.fTolFloor, SEARCH.fTolRelative * (1 + res.value));
      if (!(fTol < SEARCH.fTol) || !(res.predictedDecrease > fTol)) break;
      const refine = newStepper(s, s.toPoint(res.x), fTol);
      while (!refine.step());
      const again = refine.result();
      again.iterations += res.iterations;
      if (!again.converged) again.message = `${again.message} (refining to fTol = ${fTol.toExponential(1)}, relative to the risk excess ${(1 + res.value).toExponential(2)}, after converging at the absolute fTol)`;
      res = again;
    }
    run.result = res;
    run.point = s.toPoint(res.x);
    run.f = res.value;
    run.iterations = res.iterations;
    if (run.status !== 'merged') {
      run.status = res.converged ? 'converged' : 'not converged';
      run.message = res.message;
      if (res.converged) minima.push(run);
    }
    run.calls = s.calls - before;
    s.iterations += res.iterations;
  }
  return runs;
}

function report(s: Search, r: Run): StartReport {
  return {
    start: r.start,
    risk: Number.isFinite(r.f) ? s.input.delta + 1 + r.f : null,
    iterations: r.iterations,
    converged: r.status === 'converged' || r.status === 'certified',
    end: s.startFromPoint(r.point),
    evaluations: r.calls,
    status: r.status,
    message: r.message,
  };
}

/** The lowest run that ran (merged runs only point at another's minimum). */
function bestRun(runs: Run[]): Run {
  let best: Run | undefined;
  for (const r of runs) if (r.result && (!best || r.f < best.f)) best = r;
  if (!best) throw new NumericalRangeError('class minimum: the risk is not computable at any start (see the starts)');
  return best;
}

/** θ on its artificial search bound ±50: the minimum may lie beyond, so the result is not converged. */
function thetaOnBound(s: Search, point: readonly number[]): boolean {
  return point.slice(s.nKey).some((t) => Math.abs(t) >= SEARCH.thetaBound * (1 - 1e-12));
}

function thetaBoundNote(s: Search, point: readonly number[]): string {
  return thetaOnBound(s, point) ? `; NOT converged: θ ended on its search bound ±${SEARCH.thetaBound}` : '';
}

function onBoundary(s: Search, r: Run): boolean {
  return Math.abs(r.point[0]) >= s.boundary * (1 - 1e-12);
}

function manifoldMinimum(s: Search): ClassRiskResult {
  const { task, nu, act, lengths, delta } = s.input;
  const c = task.nishimoriSlope(nu);
  const theta0 = act.parameters.map((p) => p.initial);
  let starts = s.opts.starts ?? defaultManifoldStarts(s);
  const reports: StartReport[] = [];
  let bayesInfo: ClassRiskResult['bayes'];

  // Prop. 4.2 closed form: softmax at k = c_ν k*, v = v* has the Bayes risk under the ratio condition
  if (!s.opts.starts && isSoftmaxType(act) && c !== undefined && c >= 0) {
    if (c === Infinity) {
      // at c_ν = ∞ the posterior of ε is one-hot (ε = argmax χ*), so E_Bayes = Δ; the guard keeps the argument honest
      const b = bayesRisk(task, nu, lengths, delta);
      const exact = Math.abs(b.value - delta) <= b.error + 8 * Number.EPSILON * (1 + delta);
      return rayMinimum(
        s,
        [1, 0, ...theta0],
        [],
        'c_ν = ∞: softmax reaches the Bayes risk only as m_kk* → ∞ (k = c_ν k*, Prop. 4.2)',
        exact
          ? {
              value: b.value,
              error: b.error,
              why: 'E_Bayes: along k = c k*, c → ∞ the softmax weights tend to the argmax of χ*, which is ε at c_ν = ∞, so the risk tends to Δ = E_Bayes (dominated convergence: the weights are bounded by 1)',
              bayes: true,
              evidence: 3,
            }
          : undefined,
      );
    }
    const point = [c, 0, ...theta0];
    const bayesPoint: Overlaps = { mkk: c, mkv: 0, mvk: 0, mvv: 1, qkk: c * c, qvv: 1, qkv: 0 };
    if (selectionPanels({ task, nu, lengths, act, theta: theta0, overlaps: bayesPoint }) > CERTIFY_MAX_PANELS) return bayesIdentity(s, point, bayesPoint, starts);
    const before = s.calls;
    const ev = s.evaluate(point, true);
    const b = bayesRisk(task, nu, lengths, delta);
    const risk = delta + 1 - ev.gain;
    const qErr = ev.gainError + 8 * Number.EPSILON * (1 + delta);
    const certified = risk - b.value <= qErr + b.error;
    bayesInfo = { value: b.value, error: b.error, certified };
    if (certified) {
      return certifiedClosedForm(s, point, ev, starts, {
        risk,
        evaluations: s.calls - before,
        startMessage: `closed form k = c_ν k* (Prop. 4.2): risk − E_Bayes = ${(risk - b.value).toExponential(2)} ≤ errors ${(qErr + b.error).toExponential(2)}: global minimum`,
        // E_σ ∈ [E_Bayes − err_B, risk + err]: the error covers both ends
        extraError: Math.max(0, risk - b.value + b.error - qErr),
        bayes: bayesInfo,
        converged: ev.quadratureConverged,
        how: 'closed form k = c_ν k*, τ = 0 (Prop. 4.2), certified global by the Bayes lower bound (E_σ ≥ E_Bayes), no search needed',
      });
    }
    // not certified (should not happen under the ratio condition): search, from the closed form first
    starts = [s.startFromPoint(point), ...starts];
  }

  const runs = runStarts(s, starts);
  reports.push(...runs.map((r) => report(s, r)));
  const best = bestRun(runs);
  if (onBoundary(s, best)) {
    return rayMinimum(s, best.point, reports, `the best start ended on the search boundary |m_kk*| = ${s.boundary} with the risk still decreasing`, scaleLimitOf(s));
  }
  return searchedMinimum(s, best, runs, reports, { bayes: bayesInfo });
}

/**
 * The class minimum at a search's best end point: re-evaluated at full tolerance, the bounds it holds
 * KKT-tested, and where the search did not converge the Bayes certificate tried. `alsoConverged` is
 * what else the search's convergence needs (the full family: its manifold minimum converged), `bayes`
 * a Bayes value already computed (the uncertified closed form), `describe` wraps the description.
 */
function searchedMinimum(
  s: Search,
  best: Run,
  runs: Run[],
  reports: StartReport[],
  opts: { alsoConverged?: boolean; bayes?: ClassRiskResult['bayes']; describe?: (core: string, cert: ReturnType<typeof bayesCertificate>) => string },
): ClassRiskResult {
  const res = best.result!;
  const kkt = kktReports(s, best);
  const ev = s.evaluate(best.point, true);
  const searched = res.converged && kkt.every((k) => k.satisfied) && (opts.alsoConverged ?? true) && !thetaOnBound(s, best.point);
  const cert = searched ? undefined : bayesCertificate(s, ev);
  const core = searchDescription(s, runs) + thetaBoundNote(s, best.point) + notConvergedNote(best, kkt, cert);
  return assemble(s, {
    point: best.point,
    ev,
    reports,
    kkt,
    gap: cert ? 0 : Number.isFinite(res.predictedDecrease) ? res.predictedDecrease : 0,
    extraError: cert?.extraError ?? 0,
    bayes: cert?.bayes ?? opts.bayes,
    converged: (searched || cert !== undefined) && ev.quadratureConverged,
    how: opts.describe ? opts.describe(core, cert) : core,
  });
}

/**
 * The class minimum at a closed-form point certified global by the Bayes lower bound: its start
 * reported as certified, the other default starts as not run, no KKT test or optimisation gap.
 */
function certifiedClosedForm(
  s: Search,
  point: number[],
  ev: Evaluation,
  starts: readonly (readonly number[])[],
  r: { risk: number; evaluations: number; startMessage: string; extraError: number; bayes: NonNullable<ClassRiskResult['bayes']>; converged: boolean; how: string },
): ClassRiskResult {
  const reports: StartReport[] = [
    { start: s.startFromPoint(point), risk: r.risk, iterations: 0, converged: true, end: s.startFromPoint(point), evaluations: r.evaluations, status: 'certified', message: r.startMessage },
    ...starts
      .filter((st) => Math.abs(st[0] - point[0]) > 1e-12 * point[0])
      .map((st) => ({ start: [...st], risk: null, iterations: 0, converged: false, end: [...st], evaluations: 0, status: 'skipped' as const, message: 'not run: the closed-form start is certified global' })),
  ];
  return assemble(s, { point, ev, reports, kkt: [], gap: 0, extraError: r.extraError, bayes: r.bayes, converged: r.converged, how: r.how });
}

/**
 * The largest fixed selection rule (core panels, see selectionPanels) at which softmax's closed form
 * k = c_ν k* is certified by computing its risk by quadrature against E_Bayes: 500 panels is max-SLR
 * ν ≈ 58, about 2.5 s for that one evaluation (174 panels at ν = 20: 1.6 s; 866 at ν = 100: 3.1 s; at
 * ν = 450 the call ran for more than 12 minutes). Beyond it the value comes from the identity
 * (bayesIdentity).
 */
const CERTIFY_MAX_PANELS = 500;

/**
 * Softmax at k = c_ν k*, v = v* where computing its risk by quadrature is too costly (max-SLR,
 * ν ≳ 58, see CERTIFY_MAX_PANELS): the value by the identity behind Prop. 4.2. There the
 * softmax weights are the posterior p of ε, so A = E[σ_ε] = E[Σp²] = B, and the risk with the best
 * value side (m_vv* = A/B = 1) is Δ + 1 − E[Σp²] = E_Bayes, computed by bayesRisk with its error.
 * Not re-computed by quadrature at this ν (Prop. 4.2 itself is checked numerically by
 * `slr verify --only softmax-bayes`); certified global as E_Bayes is the lower bound.
 */
function bayesIdentity(s: Search, point: number[], bayesPoint: Overlaps, starts: readonly (readonly number[])[]): ClassRiskResult {
  const { task, nu, lengths, delta } = s.input;
  const b = bayesRisk(task, nu, lengths, delta);
  const sumP2 = 1 + delta - b.value;
  s.nodes += b.evaluations ?? 0;
  const ev: Evaluation = {
    gain: sumP2,
    gainError: b.error,
    overlaps: bayesPoint,
    method: `the identity A = B = E[Σp²] at the Bayes point (Prop. 4.2), E[Σp²] = 1 + Δ − E_Bayes from the Bayes risk (${b.method})`,
    nodes: b.evaluations ?? 0,
    calls: 0,
    quadratureConverged: b.converged,
    A: sumP2,
    B: sumP2,
  };
  return certifiedClosedForm(s, point, ev, starts, {
    risk: b.value,
    evaluations: 0,
    startMessage: 'closed form k = c_ν k* (Prop. 4.2) by its identity: the risk there is E_Bayes, the global minimum',
    extraError: 0,
    bayes: { value: b.value, error: b.error, certified: true },
    converged: b.converged,
    how:
      `closed form k = c_ν k*, τ = 0 (Prop. 4.2) by its identity: there the softmax weights are the posterior of ε, so the risk is E_Bayes; ` +
      `its risk is not re-computed by quadrature at selection slope ${nu} (a fixed rule of more than ${CERTIFY_MAX_PANELS} panels: seconds to minutes per call)`,
  });
}

/**
 * The Bayes certificate of a search that did not converge: no predictor beats
 * the Bayes risk, so if the risk at the end point equals E_Bayes within both
 * error bounds, E_σ ∈ [E_Bayes − err_B, risk + err] is known to that accuracy
 * wherever the search stopped (e.g. L = 1 or ν = 0, where a constant σ is
 * Bayes-optimal and the risk is flat in the other directions, so Newton cannot
 * converge on a point). Returns undefined when the gap is not within the errors.
 */
function bayesCertificate(s: Search, ev: Evaluation): { bayes: NonNullable<ClassRiskResult['bayes']>; extraError: number } | undefined {
  const { task, nu, lengths, delta } = s.input;
  const b = bayesRisk(task, nu, lengths, delta);
  const risk = delta + 1 - ev.gain;
  const qErr = ev.gainError + 8 * Number.EPSILON * (1 + delta);
  if (!(risk - b.value <= qErr + b.error)) return undefined;
  return { bayes: { value: b.value, error: b.error, certified: true }, extraError: Math.max(0, risk - b.value + b.error - qErr) };
}

/**
 * KKT reports of the bounds held at a run's end point. The stepper computes a
 * held coordinate's one-sided derivative only in its own KKT test, which runs
 * once the free coordinates have converged; a run stopped earlier (evaluation
 * or iteration limit, stall) has none (NaN), or one from an earlier point.
 * So unless the run converged (its KKT test was made at the end point), the
 * derivative is computed here at the end point by the stepper's one-sided
 * second-order formula. Where that needs a risk that is not computable the
 * report says so (`derivative: null`, `reason`) instead of carrying a NaN.
 */
function kktReports(s: Search, run: Run): KktReport[] {
  const res = run.result!;
  const out: KktReport[] = [];
  for (let i = 1; i < s.nKey; i++) {
    if (res.atBound[i] !== -1) continue;
    const variable = s.nKey === 2 || i === 2 ? 'tau2' : 'mkv2';
    let derivative = res.gradient[i];
    let error = res.gradientError[i];
    if (!res.converged || !Number.isFinite(derivative) || !Number.isFinite(error)) {
      const d = oneSidedAtBound(s, run.point, i);
      if ('reason' in d) {
        out.push({ variable, derivative: null, error: null, satisfied: false, reason: d.reason });
        continue;
      }
      ({ derivative, error } = d);
    }
    out.push({ variable, derivative, error, satisfied: derivative >= -error });
  }
  return out;
}

/**
 * ∂(risk)/∂x_i at x_i = 0 from inside, x_i ∈ {τ², m_kv*²}: the one-sided
 * second-order difference (−3f(0) + 4f(h) − f(2h))/2h with h = fdStep·max(1, m²)
 * (the stepper's step), error = |first-order − second-order| + 4·noise/h.
 * The search objective is −gain = risk − Δ − 1, so this is ∂E/∂x_i.
 */
function oneSidedAtBound(s: Search, point: readonly number[], i: number): { derivative: number; error: number } | { reason: string } {
  const h = SEARCH.fdStep * Math.max(1, point[0] * point[0]);
  const at = (x: number) => {
    const p = [...point];
    p[i] = x;
    return s.objective(s.toSearchVector(p));
  };
  const f0 = at(0);
  const f1 = at(h);
  const f2 = at(2 * h);
  const name = s.nKey === 2 || i === 2 ? 'τ²' : 'm_kv*²';
  const bad = [f0, f1, f2].map((f, k) => (Number.isFinite(f) ? '' : `${name} = ${k}h`)).filter(Boolean);
  if (bad.length) return { reason: `the risk is not computable at ${bad.join(', ')} (h = ${h.toExponential(2)}; NumericalRangeError from the risk engine)` };
  const derivative = (-3 * f0 + 4 * f1 - f2) / (2 * h);
  const error = Math.abs((f1 - f0) / h - derivative) + (4 * SEARCH.noise) / h;
  return { derivative, error };
}

/** Why the lowest run is not a converged minimum (empty when it is). */
function notConvergedNote(best: Run, kkt: readonly KktReport[], cert?: { bayes: { value: number; error: number } }): string {
  const res = best.result!;
  const parts: string[] = [];
  if (!res.converged) parts.push(`the lowest start did not converge (${best.status === 'merged' ? 'stopped on joining a basin' : res.message})`);
  for (const k of kkt) if (!k.satisfied) parts.push(`the KKT test of ${k.variable === 'tau2' ? 'τ² = 0' : 'm_kv*² = 0'} ${k.derivative === null ? 'could not be made' : 'fails'}`);
  if (!parts.length) return '';
  if (cert) {
    return `; the search did not converge (${parts.join('; ')}), but the risk at its end point equals E_Bayes = ${cert.bayes.value.toPrecision(10)} within the errors: certified global by the Bayes lower bound (E_σ ≥ E_Bayes), error covers [E_Bayes − err, risk + err]`;
  }
  return `; NOT converged: ${parts.join('; ')}`;
}

function searchDescription(s: Search, runs: Run[]): string {
  const merged = runs.filter((r) => r.status === 'merged').length;
  const vars = s.nKey === 2 ? 'asinh m_kk*, τ² ≥ 0' : 'asinh m_kk*, m_kv*² ≥ 0, τ² ≥ 0';
  return (
    `bounded trust-region Newton (finite-difference derivatives) over (${vars}${s.nTheta ? ', θ' : ''}) from ${runs.length} start(s)` +
    `${merged ? ` (${merged} merged into an earlier minimum's valley)` : ''}, bounds held by the KKT test`
  );
}

function fullMinimum(s: Search): ClassRiskResult {
  // 1. the manifold minimum (the face m_kv*² = 0 of the full box)
  const manSearch = new Search({ ...s.input, family: 'manifold' }, { ...s.opts, starts: undefined }, s.boundary);
  manSearch.resumed = s.resumed;
  manSearch.exactLimit = s.exactLimit;
  manSearch.adoptFaceEvaluations(s);
  const man = manifoldMinimum(manSearch);
  s.nodes += manSearch.nodes;
  s.calls += manSearch.calls;
  s.failed += manSearch.failed;
  s.iterations += manSearch.iterations;
  const widen = (v: readonly number[]) => [v[0], v[1], 0, ...v.slice(2)];
  const manReports = man.starts.map((r) => ({ ...r, start: widen(r.start), end: widen(r.end), message: `manifold: ${r.message}` }));
  if (man.bayes?.certified || man.ray) {
    const why = man.bayes?.certified
      ? 'the manifold minimum equals the Bayes risk, which no predictor beats, so it is the full-family minimum'
      : 'not searched off the manifold (the infimum is at infinity)';
    return { ...man, family: 'full', starts: manReports, method: `${man.method}; full family: ${why}`, riskEvaluations: s.calls, evaluations: s.nodes, iterations: s.iterations };
  }
  // 2. from the manifold minimiser (m_kv*² held at 0 and KKT-tested), then interior starts
  const m = man.params!.mkk;
  const tau = Math.sqrt(Math.max(0, man.params!.qkk - m * m));
  const theta = [...(man.theta ?? [])];
  const interior = s.opts.starts ?? [[m, Math.max(tau, 0.3), 0.3 * Math.max(1, Math.abs(m)), ...theta]];
  const runs = runStarts(s, [[m, tau, 0, ...theta], ...interior]);
  const reports = [...manReports, ...runs.map((r) => report(s, r))];
  const best = bestRun(runs);
  if (onBoundary(s, best)) {
    return rayMinimum(s, best.point, reports, `the best full-family start ended on the search boundary |m_kk*| = ${s.boundary}`, scaleLimitOf(s));
  }
  return searchedMinimum(s, best, runs, reports, {
    alsoConverged: man.converged,
    describe: (core, cert) =>
      `manifold minimum first (${man.riskEvaluations} risk evaluations), then ${core}${man.converged || cert ? '' : '; NOT converged: the manifold minimum did not converge'}`,
  });
}

/** The risk at the end of a ray, known exactly: see rayMinimum. */
interface ExactLimit {
  readonly value: number;
  readonly error: number;
  readonly why: string;
  /** the limit is E_Bayes, so it is the global minimum (no predictor beats Bayes) */
  readonly bayes: boolean;
  /** ray points computed as evidence of the approach (they grow costlier along the ray) */
  readonly evidence: number;
}

/**
 * The infimum along m_kk* → ∞ from `point` (τ², m_kv*², θ fixed): risk at
 * m_kk* = 2^j·m0, j = 0…rayDoublings, at full tolerance. E_σ ≥ E_Bayes (no
 * predictor beats Bayes) and E_σ ≤ every risk on the ray, so
 * E_σ ∈ [E_Bayes − err, min risk + err]. If the risk turns up, a finite
 * minimum lies beyond the old boundary and the search resumes there (once).
 *
 * The reported value is the limit along the ray, which is the search's
 * minimum at infinity (as local as a finite minimum: the starts are the
 * evidence it is the global one):
 * - `exactLimit` given: that value, the ray's points (`evidence` of them)
 *   kept as evidence of the approach. Softmax at c_ν = ∞: the weights tend to
 *   the argmax of χ*, which is ε, so the risk tends to E_Bayes = Δ by
 *   dominated convergence (global: no predictor beats Bayes). A σ with a
 *   positive-part scale limit on an argmax task: the risk of the limit
 *   weights, src/risk/scale-limit.ts (local, like any search's minimum).
 * - otherwise Aitken's Δ² on successive triples. When the differences shrink
 *   geometrically (every ratio in (0, 1)), two successive Aitken estimates
 *   differing by δ give the value with error δ + the quadrature error
 *   amplified by the extrapolation; the ray stops as soon as that error is
 *   below the risk tolerance (the far points are the costly ones).
 *   Otherwise the value is the bracket's Aitken point and the error covers
 *   the whole bracket.
 */
function rayMinimum(s: Search, point: number[], reports: StartReport[], reason: string, exactLimit?: ExactLimit): ClassRiskResult {
  const { task, nu, lengths, delta } = s.input;
  const J = s.opts.rayDoublings ?? 8;
  const tol = s.opts.riskTolerance ?? 1e-7;
  const b = bayesRisk(task, nu, lengths, delta);
  const lower = b.value - b.error;
  const points: { mkk: number; risk: number; error: number }[] = [];
  let bestEv: Evaluation | undefined;
  let bestPoint = point;
  let converged = true;
  let stopped = '';
  let limit: RayLimit | undefined;
  for (let j = 0; j <= J; j++) {
    const x = [point[0] * 2 ** j, ...point.slice(1)];
    let ev: Evaluation;
    try {
      // evidence of an exact limit needs no more than the search's tolerance (and its first point is cached)
      const cached = exactLimit ? s.cached(x) : undefined;
      if (cached === null) throw new NumericalRangeError('the risk is not computable there (search tolerance)');
      ev = cached ?? s.evaluate(x, true);
    } catch (e) {
      // far out on the ray the quadrature can run out of range (token grids grow with the slope):
      // the bracket from the points so far still holds, it is only wider
      if (!(e instanceof NumericalRangeError) || points.length === 0) throw e;
      stopped = `; the ray stopped at m_kk* = ${x[0]} (${e.message})`;
      converged = false;
      break;
    }
    converged &&= ev.quadratureConverged;
    const risk = delta + 1 - ev.gain;
    const error = ev.gainError + 8 * Number.EPSILON * (1 + delta);
    const prev = points[points.length - 1];
    points.push({ mkk: x[0], risk, error });
    if (prev && risk > prev.risk + prev.error + error && !s.resumed) {
      // the risk turned up: a finite minimum lies beyond the boundary; search again with a wider one
      return resumeBeyond(s, point, x[0], reports, points, `the ray test found the risk turning up at m_kk* = ${x[0]}`);
    }
    if (!bestEv || risk < delta + 1 - bestEv.gain) {
      bestEv = ev;
      bestPoint = x;
    }
    if (risk + error - lower <= tol) break;
    if (exactLimit && points.length >= exactLimit.evidence) break;
    if (!exactLimit) {
      limit = rayLimit(points);
      if (limit && limit.error <= tol) break;
    }
  }
  const upper = Math.min(...points.map((p) => p.risk + p.error));
  const last = points[points.length - 1].mkk;
  if (exactLimit && exactLimit.value - exactLimit.error > upper && !s.resumed) {
    // the ray dips below its own end: a finite minimum lies beyond the boundary
    return resumeBeyond(s, point, last, reports, points, `the ray's risk fell below its limit ${exactLimit.value.toPrecision(10)} at m_kk* ≤ ${last}`);
  }
  const decreasing = points.every((p, j) => j === 0 || p.risk < points[j - 1].risk);
  const extrapolated = points.length >= 3 ? aitken(points.slice(-3).map((p) => p.risk)) : undefined;
  let powerLaw: RayReport['powerLaw'];
  if (points.length >= 2) {
    const [a, z] = points.slice(-2);
    const ea = a.risk - lower;
    const ez = z.risk - lower;
    if (ea > 0 && ez > 0) {
      const order = Math.log(ea / ez) / Math.log(z.mkk / a.mkk);
      powerLaw = { order, C: ez * z.mkk ** order };
    }
  }
  let value: number;
  let error: number;
  let how: string;
  let ok: boolean;
  // a limit along the ray is a search's minimum (at infinity): it carries the search tolerance unless Bayes certifies it
  let searchTolerance = 0;
  if (exactLimit && decreasing && exactLimit.value <= upper) {
    value = exactLimit.value;
    error = exactLimit.error;
    // the value does not rest on the ray's quadrature: its points are evidence of the approach only
    how = `value = the limit along the ray, ${exactLimit.why}; the sequence decreases towards it${converged ? '' : ' (the quadrature of some of its points did not converge; they are evidence only)'}`;
    ok = true;
    converged = true;
    if (!exactLimit.bayes) searchTolerance = tol;
  } else if (limit && limit.value >= lower && limit.value <= upper) {
    value = limit.value;
    error = limit.error;
    ok = error <= tol;
    searchTolerance = tol;
    how =
      (limit.settled
        ? `value = the last risk on the ray: the sequence has settled (its last difference is within the quadrature errors, after shrinking by ${limit.ratios[0].toPrecision(3)}), error = the geometric tail + that difference + the quadrature error; `
        : `value = the limit along the ray by Aitken's Δ² (difference ratios ${limit.ratios.map((r) => r.toPrecision(3)).join(', ')}; successive estimates ${limit.estimates.map((e) => e.toPrecision(12)).join(', ')}), ` +
          `error = their last difference + the quadrature error amplified by the extrapolation; `) +
      `${ok ? 'converged: the error is below the risk tolerance' : `NOT converged: the error is above the risk tolerance ${tol}`}`;
  } else {
    value = Math.min(upper, Math.max(lower, extrapolated ?? (lower + upper) / 2));
    error = Math.max(value - lower, upper - value);
    ok = upper - lower <= tol;
    how =
      (exactLimit ? `the exact limit ${exactLimit.value.toPrecision(10)} was NOT used: the ray's points do not decrease towards it; ` : '') +
      `value = ${extrapolated !== undefined ? 'Aitken extrapolation of the sequence, clamped to the bracket' : 'midpoint of the bracket'} (the differences do not shrink geometrically), error = half-width covering the bracket; ` +
      `${ok ? 'the bracket is narrower than the risk tolerance' : `NOT converged: the bracket is wider than the risk tolerance ${tol}`}`;
  }
  const ev = bestEv!;
  const narrow = upper - lower <= tol;
  return {
    ...s.resultHead(bestPoint, ev.overlaps),
    value,
    excess: value - delta,
    error,
    method:
      `class minimum at infinity: ${reason}; risk followed along m_kk* = 2^j·${point[0]} (τ² = ${point[1]}${s.nTheta ? ', θ fixed' : ''}) at ${exactLimit ? 'the search tolerance (evidence only)' : 'full tolerance'}: ` +
      `${points.map((p) => `${p.mkk}: ${p.risk.toPrecision(10)}`).join(', ')}${stopped}; E_σ ∈ [E_Bayes − err, min risk on the ray + err] = [${lower.toPrecision(8)}, ${upper.toPrecision(8)}]; ` +
      `${powerLaw ? `risk − E_Bayes ≈ ${powerLaw.C.toPrecision(4)}·m^(−${powerLaw.order.toFixed(3)}) over the last doubling; ` : ''}` +
      `${how}; params at the lowest point on the ray`,
    converged: ok && converged,
    iterations: s.iterations,
    evaluations: s.nodes,
    starts: reports,
    kkt: [],
    quadratureError: points[points.length - 1].error,
    optimisationGap: Math.max(0, upper - value),
    searchTolerance,
    riskEvaluations: s.calls,
    failedEvaluations: s.failed,
    bayes: { value: b.value, error: b.error, certified: narrow || (exactLimit !== undefined && exactLimit.bayes && ok) },
    ray: {
      points,
      lower,
      upper,
      extrapolated,
      powerLaw,
      reason,
      ...(limit ? { limit } : {}),
      ...(exactLimit ? { exactLimit: { value: exactLimit.value, error: exactLimit.error, why: exactLimit.why } } : {}),
    },
  };
}

/** The search again, from the ray's point at m/2 with the boundary at 2m, once: a finite minimum lies beyond the old boundary. */
function resumeBeyond(s: Search, point: readonly number[], m: number, reports: StartReport[], points: readonly { mkk: number; risk: number }[], why: string): ClassRiskResult {
  const wider = new Search(s.input, { ...s.opts, starts: [s.startFromPoint([m / 2, ...point.slice(1)])] }, Math.abs(m) * 2);
  wider.resumed = true;
  wider.exactLimit = s.exactLimit;
  const again = s.nKey === 2 ? manifoldMinimum(wider) : fullMinimum(wider);
  return {
    ...again,
    starts: [...reports, ...again.starts],
    method: `${again.method}; resumed after ${why} (sequence ${points.map((p) => `${p.mkk}: ${p.risk.toPrecision(10)}`).join(', ')})`,
    riskEvaluations: again.riskEvaluations + s.calls,
    evaluations: (again.evaluations ?? 0) + s.nodes,
  };
}

/** Aitken's Δ² limit of r0, r1, r2 when the differences shrink geometrically (ratio in (0, 1)), else undefined. */
function aitken([r0, r1, r2]: readonly number[]): number | undefined {
  const d1 = r0 - r1;
  const d2 = r1 - r2;
  const ratio = d2 / d1;
  return d1 !== 0 && ratio > 0 && ratio < 1 ? r2 - (d2 * ratio) / (1 - ratio) : undefined;
}

/** The limit of a ray's risks by Aitken's Δ² on successive triples, with an error estimate. */
export interface RayLimit {
  readonly value: number;
  /** see `rayLimit` */
  readonly error: number;
  /** the difference ratios (R_{j+1} − R_{j+2})/(R_j − R_{j+1}) used, all in (0, 1) */
  readonly ratios: readonly number[];
  /** Aitken estimates from the last two triples (absent when the sequence has settled) */
  readonly estimates: readonly number[];
  /** the last difference is within the quadrature errors: the sequence has reached its limit to that accuracy */
  readonly settled: boolean;
}

/**
 * The limit of R_j = R∞ + C r^j + … from at least four points (r = 1/2 is a
 * 1/m approach, 1/8 a 1/m³ one):
 * - settled: the last difference is within the two points' quadrature errors
 *   and the two before it shrank geometrically (ratio r in (0, 1)): value the
 *   lower of the last two risks, error the geometric tail after the point
 *   before the last, d·r/(1 − r), plus the last difference and twice the
 *   larger of their errors;
 * - geometric: the last two difference ratios lie in (0, 1): value the last
 *   Aitken estimate, error the change of the last two estimates (which bounds
 *   the remaining error when the estimates converge at least twice as fast per
 *   doubling) plus the last quadrature error carried through the formula
 *   r_2 − d_2 r/(1 − r) (≈ 1 + 2/(1 − r) times the noise);
 * - otherwise none.
 */
export function rayLimit(points: readonly { risk: number; error: number }[]): RayLimit | undefined {
  const n = points.length;
  if (n < 4) return undefined;
  const R = points.map((p) => p.risk);
  const d = R.slice(1).map((r, j) => R[j] - r);
  const dl = d[n - 2];
  const dp = d[n - 3];
  const dpp = d[n - 4];
  if (Math.abs(dl) <= points[n - 1].error + points[n - 2].error && dp > 0 && dpp > 0 && dp < dpp) {
    const r = dp / dpp;
    // the lower of the last two (they agree within their errors; the lower one is attained)
    return { value: Math.min(R[n - 1], R[n - 2]), error: (dp * r) / (1 - r) + Math.abs(dl) + 2 * Math.max(points[n - 1].error, points[n - 2].error), ratios: [r], estimates: [], settled: true };
  }
  const ratios = [dp / dpp, dl / dp];
  if (!ratios.every((r) => r > 0 && r < 1)) return undefined;
  const pEst = aitken(R.slice(n - 4, n - 1));
  const lEst = aitken(R.slice(n - 3));
  if (pEst === undefined || lEst === undefined) return undefined;
  const noise = points[n - 1].error * (1 + 2 / (1 - ratios[1]));
  return { value: lEst, error: Math.abs(lEst - pEst) + noise, ratios, estimates: [pEst, lEst], settled: false };
}

/**
 * The exact end of the ray m_kk* → ∞ where σ has a positive-part scale limit
 * (src/risk/scale-limit.ts: product tasks, and max-SLR at ν = ∞), else
 * undefined (the ray is then extrapolated). Computed once per search. Its ray
 * points are evidence only: two.
 */
function scaleLimitOf(s: Search): ExactLimit | undefined {
  if (s.exactLimit === undefined) {
    const { task, nu, lengths, delta, act } = s.input;
    const r = scaleLimitRisk({ task, nu, lengths, delta, act });
    if (r) s.nodes += r.evaluations;
    s.exactLimit =
      r && r.converged
        ? { value: r.value, error: r.error, why: `computed at the limit: ${r.method} (A∞ = ${r.A.toPrecision(12)}, B∞ = ${r.B.toPrecision(12)})`, bayes: false, evidence: 2 }
        : null;
  }
  return s.exactLimit ?? undefined;
}

/**
 * The search boundary where the ray's end is known exactly: EXACT_LIMIT_BOUNDARY,
 * unless the risk at m_kk* = EXACT_LIMIT_BOUNDARY or twice it (τ² = 0, the
 * initial θ) is already below that end, so that the infimum is a finite point
 * beyond the small boundary (spiked-SLR: m* ≈ 11 at L = 2, ν = 10; 12.8 at
 * L = 10, ν = 10; 16.4 at L = 1000, ν = 3); then the default 32 spares the
 * search a resumption. Two search evaluations, cached: they are the ray's
 * evidence points when the boundary stays small.
 */
function chooseExactLimitBoundary(s: Search): void {
  const lim = scaleLimitOf(s);
  if (!lim) return;
  const theta0 = s.input.act.parameters.map((p) => p.initial);
  for (const m of [EXACT_LIMIT_BOUNDARY, 2 * EXACT_LIMIT_BOUNDARY]) {
    const probe = s.cached([m, ...new Array<number>(s.nKey - 1).fill(0), ...theta0]);
    if (probe && s.input.delta + 1 - probe.gain + probe.gainError < lim.value - lim.error) return;
  }
  s.boundary = EXACT_LIMIT_BOUNDARY;
}

function kktText1(k: KktReport): string {
  const name = `∂E/∂${k.variable === 'tau2' ? 'τ²' : 'm_kv*²'}`;
  if (k.derivative === null || k.error === null) return `${name} NOT computable (${k.reason ?? 'no reason recorded'}): KKT NOT verified`;
  return `${name} = ${k.derivative.toExponential(3)} ± ${k.error.toExponential(1)}${k.satisfied ? ' ≥ 0' : ' < 0 (NOT satisfied)'}`;
}

function assemble(
  s: Search,
  r: {
    point: number[];
    ev: Evaluation;
    reports: StartReport[];
    kkt: KktReport[];
    gap: number;
    extraError: number;
    bayes?: ClassRiskResult['bayes'];
    converged: boolean;
    how: string;
  },
): ClassRiskResult {
  const { delta } = s.input;
  const excess = 1 - r.ev.gain;
  const quadratureError = r.ev.gainError + 8 * Number.EPSILON * (1 + delta);
  const kktText = r.kkt.length ? `; KKT at the bounds: ${r.kkt.map(kktText1).join(', ')}` : '';
  const failedText =
    (s.failed ? `; ${s.failed} search evaluation(s) failed (NumericalRangeError, treated as +∞)` : '') +
    (s.unconvergedSearch ? `; ${s.unconvergedSearch} search evaluation(s) did not meet the quadrature tolerance` : '');
  return {
    ...s.resultHead(r.point, r.ev.overlaps),
    value: delta + excess,
    excess,
    error: quadratureError + r.gap + r.extraError,
    method:
      `class minimum (${s.family}): ${r.how}; value side exact (${s.family === 'manifold' ? 'Cauchy–Schwarz A²/B' : 'least squares gᵀH⁺g'})` +
      `${kktText}; search at relTol ${s.searchOpts.relTol}, value re-evaluated at the minimiser at full tolerance; error = quadrature bound + rounding + Newton-model optimisation gap${failedText}; risk terms by ${r.ev.method}`,
    converged: r.converged,
    iterations: s.iterations,
    evaluations: s.nodes,
    starts: r.reports,
    kkt: r.kkt,
    quadratureError,
    optimisationGap: r.gap,
    searchTolerance: r.bayes?.certified ? 0 : (s.opts.riskTolerance ?? 1e-7),
    riskEvaluations: s.calls,
    failedEvaluations: s.failed,
    ...(r.bayes ? { bayes: r.bayes } : {}),
  };
}
