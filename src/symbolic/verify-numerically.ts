/**
 * Numeric re-checks of symbolic results (after SymPy's `verify_numerically`
 * and its finite-difference derivative tests). Every evaluation goes through
 * our own reader (expression.ts), never through nerdamer, and carries a
 * first-order rounding bound, so the tolerances are arguments, not guesses:
 *
 * - identities (`verifyNumerically`): at random points, |a − b| ≤
 *   SAFETY·(e_a + e_b) + relTol·max(|a|, |b|), e the running error bounds;
 *   relTol = 0 for exact identities (the default).
 * - derivatives (`checkDerivative`): the claimed derivative against central
 *   difference quotients D(h), D(h/2) with the truncation error estimated
 *   from their difference (Richardson) plus the rounding of the quotients.
 * - Gaussian expectations (`checkGaussianExpectation`): against tensor
 *   Gauss–Hermite quadrature, exact for polynomials of the degree involved,
 *   so the only error is rounding, bounded node by node.
 *
 * "Away from singularities": a point is used only if both sides are finite
 * and the tolerance there is ≤ 1e−8·max(1, |a|, |b|) (a well-conditioned
 * evaluation, so that the comparison has teeth); other points are redrawn
 * (at most 20 per accepted point) and counted. Every failure reports the
 * point, both values, the difference and the tolerance.
 */
import { InvalidInputError } from '../errors.ts';
import { gaussHermiteNormal } from '../numerics/gauss-rules.ts';
import { RandomStream } from '../numerics/random.ts';
import { compileWithError, freeNames, parseExpression } from './expression.ts';
import { type GaussianLaw, resolveLaw } from './wick.ts';

/** First-order running bounds neglect O(n²u²) terms and libm deviations beyond 2 ulp; a factor 4 covers both with room. */
export const ROUNDING_SAFETY = 4;
/** A point is well-conditioned when the tolerance there is at most this fraction of max(1, |a|, |b|). */
export const CONDITIONING_LIMIT = 1e-8;
const MAX_REDRAWS_PER_POINT = 20;

/** Sampling box: one interval for every variable, or one per variable. */
export type Domain = readonly [number, number] | Readonly<Record<string, readonly [number, number]>>;

export interface NumericCheckOptions {
  /** number of accepted points (default 8) */
  points?: number;
  /** extra relative tolerance for comparisons that are not exact identities (default 0) */
  relTol?: number;
}

/** The outcome of a numeric check, ready for `DerivationStep.check`. */
export interface NumericCheck {
  readonly method: string;
  readonly passed: boolean;
  /** one line: points, worst |difference|/tolerance, failure details */
  readonly detail: string;
  readonly points: number;
  readonly rejected: number;
  /** max over points of |a − b| / tolerance (≤ 1 when passed) */
  readonly worstRatio: number;
  readonly seed: number;
  /** the first failing point, if any */
  readonly failure?: {
    readonly at: Readonly<Record<string, number>>;
    readonly computed: number;
    readonly expected: number;
    readonly difference: number;
    readonly tolerance: number;
  };
}

function intervalOf(domain: Domain, v: string): readonly [number, number] {
  const iv = Array.isArray(domain) ? (domain as readonly [number, number]) : (domain as Record<string, readonly [number, number]>)[v];
  if (!iv) throw new InvalidInputError(`no sampling interval for variable ${v}`);
  const [lo, hi] = iv;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) throw new InvalidInputError(`sampling interval for ${v} must be finite with lo < hi, got [${lo}, ${hi}]`);
  return iv;
}

function requireSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new InvalidInputError(`seed must be a safe integer, got ${seed}`);
  return seed;
}

function requirePoints(n: number | undefined, def: number): number {
  const p = n ?? def;
  if (!Number.isInteger(p) || p < 1) throw new InvalidInputError(`points must be a positive integer, got ${p}`);
  return p;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(6) : String(x);
}

function pointText(at: Readonly<Record<string, number>>): string {
  return Object.entries(at)
    .map(([k, v]) => `${k}=${fmt(v)}`)
    .join(', ');
}

/** Names used by the texts must be among `vars`; returns vars as given. */
function checkVars(texts: readonly string[], vars: readonly string[]): readonly string[] {
  const known = new Set(vars);
  for (const t of texts) {
    const missing = freeNames(parseExpression(t)).filter((n) => !known.has(n));
    if (missing.length > 0) throw new InvalidInputError(`expression uses ${missing.join(', ')}, not among the sampled variables [${vars.join(', ')}]`);
  }
  return vars;
}

/**
 * Whether a = b as functions of `vars`, at `points` random points of the box
 * `domain` (seeded), each away from singularities (see the module comment).
 * Tolerance per point: ROUNDING_SAFETY·(e_a + e_b) + relTol·max(|a|,|b|).
 */
export function verifyNumerically(
  a: string,
  b: string,
  vars: readonly string[],
  domain: Domain,
  seed: number,
  opts: NumericCheckOptions = {},
): NumericCheck {
  checkVars([a, b], vars);
  requireSeed(seed);
  const points = requirePoints(opts.points, 8);
  const relTol = opts.relTol ?? 0;
  if (!(relTol >= 0)) throw new InvalidInputError(`relTol must be >= 0, got ${relTol}`);
  const fa = compileWithError(a, vars);
  const fb = compileWithError(b, vars);
  const rng = new RandomStream(seed);
  const boxes = vars.map((v) => intervalOf(domain, v));
  let accepted = 0;
  let rejected = 0;
  let worst = 0;
  const x = new Array<number>(vars.length);
  while (accepted < points) {
    if (rejected > MAX_REDRAWS_PER_POINT * points) {
      return result('identity', false, `could not find ${points} well-conditioned points (${accepted} accepted, ${rejected} rejected)`, accepted, rejected, worst, seed);
    }
    for (let i = 0; i < vars.length; i++) x[i] = boxes[i][0] + (boxes[i][1] - boxes[i][0]) * rng.uniform();
    const ra = fa(...x);
    const rb = fb(...x);
    const scale = Math.max(Math.abs(ra.value), Math.abs(rb.value));
    const tol = ROUNDING_SAFETY * (ra.error + rb.error) + relTol * scale;
    if (!Number.isFinite(ra.value) || !Number.isFinite(rb.value) || !(tol <= CONDITIONING_LIMIT * Math.max(1, scale) + relTol * scale)) {
      rejected++;
      continue;
    }
    accepted++;
    const diff = Math.abs(ra.value - rb.value);
    const ratio = tol > 0 ? diff / tol : diff > 0 ? Infinity : 0;
    worst = Math.max(worst, ratio);
    if (!(diff <= tol)) {
      const at = Object.fromEntries(vars.map((v, i) => [v, x[i]]));
      return result(
        'identity',
        false,
        `differs at ${pointText(at)}: ${fmt(ra.value)} vs ${fmt(rb.value)}, difference ${fmt(diff)} > tolerance ${fmt(tol)}`,
        accepted,
        rejected,
        worst,
        seed,
        { at, computed: ra.value, expected: rb.value, difference: diff, tolerance: tol },
      );
    }
  }
  return result('identity', true, `equal at ${accepted} random points (${rejected} rejected), worst |difference|/tolerance ${fmt(worst)}`, accepted, rejected, worst, seed);
}

function result(
  kind: 'identity' | 'derivative' | 'expectation',
  passed: boolean,
  what: string,
  points: number,
  rejected: number,
  worstRatio: number,
  seed: number,
  failure?: NumericCheck['failure'],
): NumericCheck {
  const method = {
    identity: `evaluation at random points (seed ${seed}), tolerance ${ROUNDING_SAFETY}×(running rounding bounds)`,
    derivative: `central difference quotients at h and h/2 (seed ${seed}), tolerance 2×(Richardson truncation estimate + rounding)`,
    expectation: `tensor Gauss–Hermite quadrature, exact for this degree (seed ${seed}), tolerance ${ROUNDING_SAFETY}×(rounding bounds)`,
  }[kind];
  return { method, passed, detail: what, points, rejected, worstRatio, seed, ...(failure ? { failure } : {}) };
}

/**
 * Whether `derivative` = ∂f/∂variable, by central difference quotients of f.
 *
 * At each random point x (variable sampled at least 4h inside its interval):
 * h = u^{1/3}·max(|x|, (hi − lo)/4) (the usual balance of h² truncation
 * against u/h rounding, u = eps/2), made exact by h = (x + h) − x;
 * D(h) = (f(x+h) − f(x−h))/(2h) = f′ + f‴h²/6 + O(h⁴), so
 * |D(h/2) − f′| ≈ |D(h) − D(h/2)|/3 (Richardson). The claimed value g is
 * compared with D(h/2):
 *   |g − D(h/2)| ≤ 2·(|D(h) − D(h/2)|/3 + ρ(h) + ρ(h/2)) + ROUNDING_SAFETY·e_g,
 * ρ(h) = (e(x+h) + e(x−h))/(2h) + u|D| the rounding of a quotient (e the
 * running bounds of f), the factor 2 covering the O(h⁴) remainder and the
 * estimate's own rounding. Typically a few 1e−10 relative: a wrong
 * derivative fails unless it happens to be right to that accuracy at every point.
 * A point is used when that tolerance is ≤ 1e−6·max(1, |g|, |D|, |f|/ξ), ξ the
 * scale of the variable (max(|x|, (hi − lo)/4)): a difference quotient cannot
 * resolve a derivative better than ~u^{2/3}·|f|/ξ.
 */
export function checkDerivative(
  f: string,
  derivative: string,
  variable: string,
  vars: readonly string[],
  domain: Domain,
  seed: number,
  opts: NumericCheckOptions = {},
): NumericCheck {
  checkVars([f, derivative], vars);
  requireSeed(seed);
  const points = requirePoints(opts.points, 6);
  const k = vars.indexOf(variable);
  if (k < 0) throw new InvalidInputError(`variable ${variable} is not among [${vars.join(', ')}]`);
  const ff = compileWithError(f, vars);
  const fg = compileWithError(derivative, vars);
  const rng = new RandomStream(seed);
  const boxes = vars.map((v) => intervalOf(domain, v));
  const u = Number.EPSILON / 2;
  const x = new Array<number>(vars.length);
  let accepted = 0;
  let rejected = 0;
  let worst = 0;
  const quotient = (h: number) => {
    const x0 = x[k];
    const xp = x0 + h;
    const xm = x0 - h;
    const hh = (xp - xm) / 2; // the step actually taken
    x[k] = xp;
    const fp = ff(...x);
    x[k] = xm;
    const fm = ff(...x);
    x[k] = x0;
    const D = (fp.value - fm.value) / (2 * hh);
    const rho = (fp.error + fm.error) / (2 * hh) + 2 * u * Math.abs(D);
    return { D, rho };
  };
  while (accepted < points) {
    if (rejected > MAX_REDRAWS_PER_POINT * points) {
      return result('derivative', false, `could not find ${points} well-conditioned points (${accepted} accepted, ${rejected} rejected)`, accepted, rejected, worst, seed);
    }
    const [lo, hi] = boxes[k];
    const width = hi - lo;
    for (let i = 0; i < vars.length; i++) x[i] = boxes[i][0] + (boxes[i][1] - boxes[i][0]) * rng.uniform();
    let h = Math.cbrt(u) * Math.max(Math.abs(x[k]), width / 4);
    if (h > width / 16) h = width / 16;
    // keep x ± h inside the interval
    x[k] = lo + 4 * h + (width - 8 * h) * rng.uniform();
    h = x[k] + h - x[k];
    const q1 = quotient(h);
    const q2 = quotient(h / 2);
    const g = fg(...x);
    const tol = 2 * (Math.abs(q1.D - q2.D) / 3 + q1.rho + q2.rho) + ROUNDING_SAFETY * g.error;
    // a derivative can only be resolved to ~u^{2/3}·|f|/(scale of x): |f|/(scale of x) is part of the scale
    const fScale = Math.abs(ff(...x).value) / Math.max(Math.abs(x[k]), width / 4);
    const scale = Math.max(Math.abs(g.value), Math.abs(q2.D), fScale);
    if (!Number.isFinite(q1.D) || !Number.isFinite(q2.D) || !Number.isFinite(g.value) || !(tol <= 1e-6 * Math.max(1, scale))) {
      rejected++;
      continue;
    }
    accepted++;
    const diff = Math.abs(g.value - q2.D);
    const ratio = tol > 0 ? diff / tol : diff > 0 ? Infinity : 0;
    worst = Math.max(worst, ratio);
    if (!(diff <= tol)) {
      const at = Object.fromEntries(vars.map((v, i) => [v, x[i]]));
      return result(
        'derivative',
        false,
        `d/d${variable} differs at ${pointText(at)}: claimed ${fmt(g.value)} vs difference quotient ${fmt(q2.D)}, difference ${fmt(diff)} > tolerance ${fmt(tol)}`,
        accepted,
        rejected,
        worst,
        seed,
        { at, computed: g.value, expected: q2.D, difference: diff, tolerance: tol },
      );
    }
  }
  return result(
    'derivative',
    true,
    `d/d${variable} matches difference quotients at ${accepted} random points (${rejected} rejected), worst |difference|/tolerance ${fmt(worst)}`,
    accepted,
    rejected,
    worst,
    seed,
  );
}

// ------------------------------------------------------------ Gaussian quadrature

export interface QuadratureExpectation {
  readonly value: number;
  /** bound on the rounding error (the rule is exact for the polynomial degree) */
  readonly error: number;
  /** integrand evaluations (nodes of the tensor rule) */
  readonly evaluations: number;
}

/**
 * E[f(x)] for x ~ N(μ, C) in dimension d by the tensor product of n-point
 * Gauss–Hermite rules in g, x = μ + Λg with C = ΛΛᵀ (Cholesky; a zero pivot,
 * i.e. a degenerate direction, gets a zero column). Exact for polynomials
 * of degree ≤ 2n − 1 in each g_i, hence in x when n > total degree / 2.
 * `f` returns a value and a rounding bound e_f; the returned error bounds
 * the rounding of the rule: Σ w (c·e_f + u|f|) + (5nd + N)·u·Σ w|f| (c for
 * the nodes' own rounding, see below; 5nd·u the weights', N·u the sum's).
 * Meant for polynomials of degree ≤ 8 in each token (the factor c assumes it).
 * Throws InvalidInputError if C is not positive semi-definite (to 1e−12).
 */
export function gaussianExpectationByQuadrature(
  f: (x: readonly number[]) => { value: number; error: number },
  mean: readonly number[],
  cov: readonly (readonly number[])[],
  nodesPerDimension: number,
): QuadratureExpectation {
  const d = mean.length;
  const Lambda = cholesky(cov);
  const rule = gaussHermiteNormal(nodesPerDimension);
  const n = rule.nodes.length;
  const total = n ** d;
  if (total > 5e6) throw new InvalidInputError(`tensor rule too large: ${n}^${d} nodes`);
  const idx = new Array<number>(d).fill(0);
  const g = new Array<number>(d);
  const x = new Array<number>(d);
  const u = Number.EPSILON / 2;
  // The nodes are within 30u of the true Hermite zeros (gauss-rules.ts) and the affine map adds
  // (d + 1)u: a relative perturbation δ of x moves a polynomial of degree ≤ 8 by ≤ 8δ times its
  // no-cancellation magnitude, which the running bound e_f is at least u times.
  const inputFactor = 1 + 8 * (31 + d);
  let sum = 0;
  let err = 0;
  let absSum = 0;
  for (let count = 0; count < total; count++) {
    let w = 1;
    for (let i = 0; i < d; i++) {
      g[i] = rule.nodes[idx[i]];
      w *= rule.weights[idx[i]];
    }
    for (let i = 0; i < d; i++) {
      let s = mean[i];
      for (let j = 0; j <= i; j++) s += Lambda[i][j] * g[j];
      x[i] = s;
    }
    const r = f(x);
    sum += w * r.value;
    err += w * (inputFactor * r.error + u * Math.abs(r.value));
    absSum += w * Math.abs(r.value);
    for (let i = 0; i < d; i++) {
      if (++idx[i] < n) break;
      idx[i] = 0;
    }
  }
  // weights are within ~2.5n·eps = 5n·u relative (gauss-rules.ts); the recursive sum of `total` terms adds ≤ total·u·Σ|terms|
  err += (5 * n * d + total) * u * absSum;
  return { value: sum, error: err, evaluations: total };
}

function cholesky(C: readonly (readonly number[])[]): number[][] {
  const d = C.length;
  const L = C.map(() => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    if (C[j].length !== d) throw new InvalidInputError('covariance must be a square matrix');
    let s = C[j][j];
    for (let k = 0; k < j; k++) s -= L[j][k] * L[j][k];
    const scale = Math.max(1, Math.abs(C[j][j]));
    if (s < -1e-12 * scale) throw new InvalidInputError(`covariance is not positive semi-definite (pivot ${j} is ${s})`);
    const pivot = s > 1e-14 * scale ? Math.sqrt(s) : 0;
    L[j][j] = pivot;
    for (let i = j + 1; i < d; i++) {
      let t = C[i][j];
      for (let k = 0; k < j; k++) t -= L[i][k] * L[j][k];
      L[i][j] = pivot > 0 ? t / pivot : 0;
    }
  }
  return L;
}

/**
 * Whether `moment` (text in the parameters) equals E[poly] under the law,
 * at random parameter points: E[poly] by `gaussianExpectationByQuadrature`
 * with ⌈(degree + 1)/2⌉ nodes per dimension (exact), means and covariances
 * evaluated by our reader at the point. `degree` is a bound on the total
 * degree of poly in the random variables. Points where the covariance is not
 * PSD are redrawn.
 */
export function checkGaussianExpectation(
  poly: string,
  moment: string,
  law: GaussianLaw,
  degree: number,
  params: readonly string[],
  domain: Domain,
  seed: number,
  opts: NumericCheckOptions = {},
): NumericCheck {
  requireSeed(seed);
  if (!Number.isInteger(degree) || degree < 0 || degree > 40) throw new InvalidInputError(`degree must be an integer in [0, 40], got ${degree}`);
  const points = requirePoints(opts.points, 3);
  const relTol = opts.relTol ?? 0;
  const r = resolveLaw(law);
  const d = r.variables.length;
  const all = [...r.variables, ...params];
  checkVars([poly], all);
  checkVars([moment, ...r.mean, ...r.cov.flat()], params);
  const fp = compileWithError(poly, all);
  const fm = compileWithError(moment, params);
  const fmu = r.mean.map((t) => compileWithError(t, params));
  const fcov = r.cov.map((row) => row.map((t) => compileWithError(t, params)));
  const nodes = Math.max(1, Math.ceil((degree + 1) / 2));
  const rng = new RandomStream(seed);
  const boxes = params.map((v) => intervalOf(domain, v));
  let accepted = 0;
  let rejected = 0;
  let worst = 0;
  let evaluations = 0;
  const p = new Array<number>(params.length);
  while (accepted < points) {
    if (rejected > MAX_REDRAWS_PER_POINT * points) {
      return result('expectation', false, `could not find ${points} admissible parameter points (${accepted} accepted, ${rejected} rejected)`, accepted, rejected, worst, seed);
    }
    for (let i = 0; i < params.length; i++) p[i] = boxes[i][0] + (boxes[i][1] - boxes[i][0]) * rng.uniform();
    const mu = fmu.map((g) => g(...p).value);
    const C = fcov.map((row) => row.map((g) => g(...p).value));
    let q: QuadratureExpectation;
    try {
      q = gaussianExpectationByQuadrature((x) => fp(...x, ...p), mu, C, nodes);
    } catch (e) {
      if (e instanceof InvalidInputError) {
        rejected++;
        continue;
      }
      throw e;
    }
    evaluations += q.evaluations;
    const m = fm(...p);
    const scale = Math.max(Math.abs(q.value), Math.abs(m.value));
    const tol = ROUNDING_SAFETY * (q.error + m.error) + relTol * scale;
    if (!Number.isFinite(q.value) || !Number.isFinite(m.value) || !(tol <= 1e-6 * Math.max(1, scale) + relTol * scale)) {
      rejected++;
      continue;
    }
    accepted++;
    const diff = Math.abs(m.value - q.value);
    const ratio = tol > 0 ? diff / tol : diff > 0 ? Infinity : 0;
    worst = Math.max(worst, ratio);
    if (!(diff <= tol)) {
      const at = Object.fromEntries(params.map((v, i) => [v, p[i]]));
      return result(
        'expectation',
        false,
        `E differs at ${pointText(at)}: symbolic ${fmt(m.value)} vs quadrature ${fmt(q.value)}, difference ${fmt(diff)} > tolerance ${fmt(tol)}`,
        accepted,
        rejected,
        worst,
        seed,
        { at, computed: m.value, expected: q.value, difference: diff, tolerance: tol },
      );
    }
  }
  return result(
    'expectation',
    true,
    `equals the quadrature at ${accepted} random parameter points (${nodes}^${d} nodes each, ${evaluations} evaluations; ${rejected} rejected), worst |difference|/tolerance ${fmt(worst)}`,
    accepted,
    rejected,
    worst,
    seed,
  );
}
