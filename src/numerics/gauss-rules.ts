/**
 * Gaussian quadrature rules (Gauss–Hermite, generalised Gauss–Laguerre,
 * Gauss–Legendre) for 1 ≤ n ≤ 500, by Newton's method on the three-term
 * recurrence of the orthonormal polynomials.
 *
 * Algorithm. With the monic recurrence coefficients (a_k, β_k) of the weight
 * (total mass μ₀), the orthonormal polynomials satisfy
 *     √β_{k+1} p_{k+1}(x) = (x − a_k) p_k(x) − √β_k p_{k−1}(x),  p_0 = 1/√μ₀,
 * and differentiating gives p_k′ alongside. Each node is found by Newton's
 * iteration x ← x − p_n(x)/p_n′(x) from an asymptotic initial guess:
 *   - Legendre: Tricomi's cos((4k − 1)π/(4n + 2)) (as in Numerical Recipes' gauleg);
 *   - Laguerre (and Hermite, through H_{2m}(x) ∝ L_m^{(−1/2)}(x²),
 *     H_{2m+1}(x) ∝ x L_m^{(1/2)}(x²)): Tricomi's formula in the bulk, Gatteschi's
 *     Airy-zero expansion for the largest and his Bessel-zero expansion for the
 *     smallest zeros (L. Gatteschi, J. Comput. Appl. Math. 144 (2002) 7–27, the
 *     guesses also used by Chebfun's lagpts/hermpts).
 * The Christoffel weights are w_i = 1/Σ_{k<n} p_k(x_i)² (a sum of positive terms:
 * no cancellation). The recurrence is run with a running
 * rescaling (by 1e−150 whenever a value exceeds 1e150) whose logarithm is
 * carried along, so that nothing overflows at n = 500 and log-weights stay
 * finite where the weights themselves underflow to 0.
 *
 * Safeguard. The Newton results are accepted only if every iteration
 * converged and the nodes are strictly increasing (n distinct zeros of a
 * degree-n polynomial are all of them). Otherwise — this happens for
 * Laguerre with large α (≳ 15), whose smallest zeros the bulk formula places
 * up to a spacing off — the zeros are recomputed by deflated Newton from above
 * (monotone convergence, cannot skip a zero; ~5× slower), and as a last resort
 * by bisection on the Sturm sequence count (the number of sign changes of
 * p_0(x), …, p_n(x) is the number of zeros above x), which cannot fail.
 *
 * Accuracy, measured against 200-bit mpmath evaluations of the same
 * recurrences for n ≤ 500: nodes within 30 eps relative (all families, the
 * Laguerre zeros below 1 after double-double polishing, see below); weights
 * within ~2.5·n·eps relative (≤ 3e−13 at n = 500, the O(n·eps) rounding of
 * the n-term recurrence and sum). test/numerics/gauss-rules.test.ts checks
 * agreement with a Golub–Welsch eigen-solution and exactness on the moments.
 * Cost: ≈ 10 ms for a rule with n = 500 (≈ 50 ms when a fallback runs).
 *
 * Rules are cached per (family, n, α). The returned object is frozen; its
 * typed arrays cannot be frozen by JavaScript and are shared between callers:
 * treat them as read-only (copy before modifying).
 */
import { InvalidInputError } from '../errors.ts';
import { logGamma } from './special.ts';

export interface GaussRule {
  /** nodes in increasing order */
  readonly nodes: Float64Array;
  /** weights (0 where they underflow; use logWeights then) */
  readonly weights: Float64Array;
  /** natural logarithms of the weights, finite for every node */
  readonly logWeights: Float64Array;
}

export const MAX_RULE_SIZE = 500;

const MAX_NEWTON = 100;
const RESCALE_ABOVE = 1e150;
const RESCALE_BY = 1e-150;
const LOG_RESCALE = 150 * Math.LN10;

const cache = new Map<string, GaussRule>();

/** @internal How often the fallbacks of `topZeros` ran (for tests and diagnostics). */
export const _stats = { deflations: 0, bisections: 0 };

function checkSize(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_RULE_SIZE) {
    throw new InvalidInputError(`quadrature rule size n must be an integer in [1, ${MAX_RULE_SIZE}], got ${n}`);
  }
}

function cached(key: string, build: () => GaussRule): GaussRule {
  let r = cache.get(key);
  if (!r) {
    r = Object.freeze(build());
    cache.set(key, r);
  }
  return r;
}

/** Recurrence of the orthonormal polynomials: diagonal a_k (k < n), off-diagonal b_k = √β_k (1 ≤ k ≤ n), b_0 = 0, and log μ₀. */
interface Recurrence {
  n: number;
  a: Float64Array;
  b: Float64Array;
  logMu0: number;
}

// Results of `evaluate`, in module scope so that the inner loop allocates nothing.
let evP = 0; // p_n(x)·e^{−evScale}·√μ₀
let evDp = 0; // p_n′(x), same scaling
let evSumSq = 0; // Σ_{k<n} p_k(x)², scaled by e^{−2·evScale}·μ₀
let evSumPdp = 0; // Σ_{k<n} p_k(x)p_k′(x), same scaling
let evScale = 0;

/**
 * Runs the orthonormal recurrence at x, starting from p̃_0 = 1 = √μ₀·p_0 (the
 * normalisation and every rescaling are accounted for in log space).
 */
function evaluate(r: Recurrence, x: number): void {
  const { n, a, b } = r;
  let pm = 0;
  let p = 1;
  let dpm = 0;
  let dp = 0;
  let s = 1;
  let t = 0;
  let scale = 0;
  for (let k = 0; k < n; k++) {
    const c = x - a[k];
    const inv = 1 / b[k + 1];
    const pn = (c * p - b[k] * pm) * inv;
    const dpn = (c * dp + p - b[k] * dpm) * inv;
    pm = p;
    p = pn;
    dpm = dp;
    dp = dpn;
    if (k + 1 < n) {
      s += p * p;
      t += p * dp;
    }
    if (Math.abs(p) > RESCALE_ABOVE || Math.abs(dp) > RESCALE_ABOVE) {
      p *= RESCALE_BY;
      pm *= RESCALE_BY;
      dp *= RESCALE_BY;
      dpm *= RESCALE_BY;
      s *= RESCALE_BY * RESCALE_BY;
      t *= RESCALE_BY * RESCALE_BY;
      scale += LOG_RESCALE;
    }
  }
  evP = p;
  evDp = dp;
  evSumSq = s;
  evSumPdp = t;
  evScale = scale;
}

/** Number of zeros of p_n below x: n minus the sign changes of p_0(x), …, p_n(x) (Sturm). */
function zerosBelow(r: Recurrence, x: number): number {
  const { n, a, b } = r;
  let pm = 0;
  let p = 1;
  let changes = 0;
  let sign = 1;
  for (let k = 0; k < n; k++) {
    let pn = ((x - a[k]) * p - b[k] * pm) / b[k + 1];
    pm = p;
    if (Math.abs(pn) > RESCALE_ABOVE) {
      pn *= RESCALE_BY;
      pm *= RESCALE_BY;
    }
    p = pn;
    // a zero value takes no part in the count (its neighbours have opposite signs)
    if (p !== 0) {
      const sg = p > 0 ? 1 : -1;
      if (sg !== sign) changes++;
      sign = sg;
    }
  }
  return n - changes;
}

/** Newton's method from `guess`; returns NaN if it did not converge. */
function newton(r: Recurrence, guess: number): number {
  let x = guess;
  for (let it = 0; it < MAX_NEWTON; it++) {
    evaluate(r, x);
    const dx = evP / evDp;
    if (!Number.isFinite(dx)) return NaN;
    x -= dx;
    if (Math.abs(dx) <= 1e-9 * Math.abs(x)) {
      // quadratic convergence: the error is now ≲ (1e−9)² relative, below
      // rounding; one more step removes the rounding of this one
      evaluate(r, x);
      const last = evP / evDp;
      return Number.isFinite(last) ? x - last : x;
    }
  }
  return NaN;
}

/** The i-th smallest zero (0-based) by Sturm bisection between Gershgorin bounds, then Newton polishing. */
function bracketedZero(r: Recurrence, i: number, lo: number, hi: number): number {
  // invariant: zerosBelow(lo) ≤ i < zerosBelow(hi), i.e. the zero is in (lo, hi]
  for (let it = 0; it < 2200; it++) {
    const mid = 0.5 * (lo + hi);
    if (!(mid > lo && mid < hi)) break;
    if (zerosBelow(r, mid) <= i) lo = mid;
    else hi = mid;
  }
  const x = 0.5 * (lo + hi);
  // polish: a Newton step can only improve a bracketed bisection result if it stays inside
  evaluate(r, x);
  const y = x - evP / evDp;
  return y >= lo && y <= hi ? y : x;
}

function gershgorin(r: Recurrence): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < r.n; k++) {
    const off = r.b[k] + (k + 1 < r.n ? r.b[k + 1] : 0);
    lo = Math.min(lo, r.a[k] - off);
    hi = Math.max(hi, r.a[k] + off);
  }
  return [lo, hi];
}

/**
 * log w at a computed zero x: w = μ₀/(Σ p̃_k²·e^{2·scale}), corrected to first
 * order for the rounding of the node itself. The exact zero is x + δ with
 * δ = −p_n(x)/p_n′(x) (a correction below one ulp that the double x cannot
 * hold), and d log w/dx = −2Σp_k p_k′/Σp_k². Without the correction, the
 * sensitivity of w to its node (large near the ends: ≈ 2x for the Hermite
 * weights, ≈ 1/(1 − x²) for Legendre) turns the node's rounding into weight
 * errors of ~1e−12 at n = 500.
 */
function logWeightAt(r: Recurrence, x: number): number {
  evaluate(r, x);
  const delta = evDp !== 0 ? -evP / evDp : 0;
  return r.logMu0 - Math.log(evSumSq) - 2 * evScale - 2 * (evSumPdp / evSumSq) * delta;
}

function isStrictlyIncreasing(x: ArrayLike<number>, from = 0): boolean {
  for (let i = from; i < x.length; i++) {
    if (!Number.isFinite(x[i])) return false;
    if (i > from && !(x[i] > x[i - 1])) return false;
  }
  return true;
}

/**
 * The largest `count` zeros of p_n, increasing, all > `lowerLimit`:
 * 1. Newton from the asymptotic guesses (increasing); accepted if every
 *    iteration converged and the results are strictly increasing and above
 *    `lowerLimit` (distinct zeros, so none was found twice or missed);
 * 2. otherwise deflated Newton from above: the largest zero from the
 *    Gershgorin bound, each next one from just below the previous zero, on
 *    q(x) = p_n(x)/∏_{found}(x − x_j). Every zero of q is below the start, and
 *    for a polynomial with real zeros Newton from above the largest zero
 *    converges monotonically to it — so no zero is skipped;
 * 3. if even that fails the check, Sturm bisection (cannot fail).
 */
function topZeros(r: Recurrence, count: number, guesses: Float64Array, lowerLimit: number, firstStage: SolverStage = 'newton'): Float64Array {
  const n = r.n;
  const z = new Float64Array(count);
  if (firstStage === 'newton') {
    for (let i = 0; i < count; i++) z[i] = newton(r, guesses[i]);
    if (acceptable(z, lowerLimit)) return z;
  }
  const [lo, hi] = gershgorin(r);
  if (firstStage !== 'bisection') {
    _stats.deflations++;
    deflatedFromAbove(r, z, lo, hi);
    if (acceptable(z, lowerLimit)) return z;
  }
  _stats.bisections++;
  for (let i = 0; i < count; i++) z[i] = bracketedZero(r, n - count + i, lo, hi);
  return z;
}

type SolverStage = 'newton' | 'deflation' | 'bisection';

function acceptable(z: Float64Array, lowerLimit: number): boolean {
  return isStrictlyIncreasing(z) && (z.length === 0 || z[0] > lowerLimit);
}

function deflatedFromAbove(r: Recurrence, z: Float64Array, lo: number, hi: number): void {
  const count = z.length;
  let x = hi;
  for (let i = count - 1; i >= 0; i--) {
    let ok = false;
    for (let it = 0; it < 10 * MAX_NEWTON && !ok; it++) {
      const dx = deflatedStep(r, z, i, x);
      if (!Number.isFinite(dx)) break;
      x -= dx;
      if (Math.abs(dx) <= 1e-9 * Math.abs(x)) {
        // as in `newton`: converged up to rounding after one more step
        const last = deflatedStep(r, z, i, x);
        if (Number.isFinite(last)) x -= last;
        ok = true;
      }
    }
    z[i] = ok ? x : NaN;
    if (!ok) return;
    // next start: just below this zero, by a small fraction of the local spacing
    const gap = i + 1 < count ? z[i + 1] - z[i] : (z[i] - lo) / r.n;
    x = z[i] - 1e-3 * gap;
  }
}

/** Newton step for q(x) = p_n(x)/∏_{j>i}(x − z_j): q/q′ = 1/(p_n′/p_n − Σ_{j>i} 1/(x − z_j)). */
function deflatedStep(r: Recurrence, z: Float64Array, i: number, x: number): number {
  evaluate(r, x);
  let defl = 0;
  for (let j = i + 1; j < z.length; j++) defl += 1 / (x - z[j]);
  return 1 / (evDp / evP - defl);
}

/**
 * Symmetric weights (a_k = 0): the ⌊n/2⌋ positive zeros from increasing
 * guesses, mirrored; 0 is a node exactly when n is odd.
 */
function solveSymmetric(r: Recurrence, positiveGuesses: Float64Array): GaussRule {
  const n = r.n;
  const m = n >> 1;
  const pos = topZeros(r, m, positiveGuesses, 0);
  const nodes = new Float64Array(n);
  const logWeights = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const lw = logWeightAt(r, pos[i]);
    nodes[n - m + i] = pos[i];
    nodes[m - 1 - i] = -pos[i];
    logWeights[n - m + i] = lw;
    logWeights[m - 1 - i] = lw;
  }
  if (n % 2 === 1) logWeights[m] = logWeightAt(r, 0); // nodes[m] = 0 already
  return { nodes, weights: logWeights.map(Math.exp), logWeights };
}

// ---------------------------------------------------------------- Legendre

/**
 * Gauss–Legendre rule on [−1, 1] (weight 1): Σ w_i f(x_i) = ∫_{−1}^{1} f exactly
 * for polynomials of degree ≤ 2n − 1. Weights sum to 2.
 * Recurrence a_k = 0, β_k = k²/(4k² − 1), μ₀ = 2.
 */
export function gaussLegendre(n: number): GaussRule {
  checkSize(n);
  return cached(`legendre:${n}`, () => {
    const a = new Float64Array(n);
    const b = new Float64Array(n + 1);
    for (let k = 1; k <= n; k++) b[k] = k / Math.sqrt(4 * k * k - 1);
    const m = n >> 1;
    const guesses = new Float64Array(m); // increasing
    // Tricomi: x_k ≈ (1 − 1/(8n²) + 1/(8n³)) cos((4k − 1)π/(4n + 2)), k = 1 the largest
    const corr = 1 - 1 / (8 * n * n) + 1 / (8 * n * n * n);
    for (let k = 1; k <= m; k++) guesses[m - k] = corr * Math.cos(((4 * k - 1) * Math.PI) / (4 * n + 2));
    return solveSymmetric({ n, a, b, logMu0: Math.LN2 }, guesses);
  });
}

// ---------------------------------------------------------------- Laguerre

/** |a_k|, the k-th zero of the Airy function Ai (k ≥ 1): exact to 16 digits for k ≤ 10, asymptotic series beyond (error < 1e−10). */
const AIRY_ZEROS = [
  2.338107410459767, 4.08794944413097, 5.520559828095551, 6.786708090071759, 7.944133587120853, 9.022650853340981, 10.04017434155809,
  11.00852430373326, 11.93601556323626, 12.828776752865757,
];
function airyZero(k: number): number {
  if (k <= AIRY_ZEROS.length) return AIRY_ZEROS[k - 1];
  const t = (3 * Math.PI * (4 * k - 1)) / 8;
  const t2 = 1 / (t * t);
  return Math.pow(t, 2 / 3) * (1 + t2 * (5 / 48 + t2 * (-5 / 36 + t2 * (77125 / 82944 + t2 * (-108056875 / 6967296)))));
}

/** k-th positive zero of the Bessel function J_α, McMahon's expansion (good for k ≫ α; a guess only). */
function besselZero(alpha: number, k: number): number {
  const beta = (k + alpha / 2 - 0.25) * Math.PI;
  const mu = 4 * alpha * alpha;
  const e = 8 * beta;
  return beta - (mu - 1) / e - (4 * (mu - 1) * (7 * mu - 31)) / (3 * e ** 3) - (32 * (mu - 1) * (83 * mu * mu - 982 * mu + 3779)) / (15 * e ** 5);
}

/**
 * Initial guesses for the zeros of L_n^{(α)}, increasing (Gatteschi 2002):
 * ν = 4n + 2α + 2;
 *  - Bessel region (smallest zeros): x_k ≈ j_{α,k}²/ν·(1 + (j_{α,k}² + 2(α² − 1))/(3ν²));
 *  - bulk (Tricomi): x_k ≈ ν t_k − (5/(4(1 − t_k)²) − 1/(1 − t_k) − 1 + 3α²)/(3ν),
 *    t_k = cos²(σ_k/2), σ_k − sin σ_k = (4n − 4k + 3)π/ν;
 *  - Airy region (largest zeros, j-th from the top): x ≈ ν + 2^{2/3}a ν^{1/3}
 *    + (1/5)2^{4/3}a²ν^{−1/3} + (11/35 − α² − 12a³/175)/ν + …, a = −|a_j|.
 * The region boundaries were chosen by comparing each formula with the
 * converged zeros for n ≤ 500, α ∈ [−0.9, 20].
 */
function laguerreGuesses(n: number, alpha: number): Float64Array {
  const nu = 4 * n + 2 * alpha + 2;
  const g = new Float64Array(n);
  for (let k = 1; k <= n; k++) {
    const fromTop = n - k + 1;
    let x: number;
    if (fromTop <= Math.max(1, Math.ceil(0.1 * n)) && n > 1) {
      const a = -airyZero(fromTop);
      const c23 = Math.pow(2, 2 / 3);
      x =
        nu +
        c23 * a * Math.cbrt(nu) +
        (0.2 * Math.pow(2, 4 / 3) * a * a) / Math.cbrt(nu) +
        (11 / 35 - alpha * alpha - (12 / 175) * a ** 3) / nu +
        ((16 / 1575) * a + (92 / 7875) * a ** 4) * c23 * Math.pow(nu, -5 / 3) -
        ((15152 / 3031875) * a ** 5 + (1088 / 121275) * a * a) * Math.cbrt(2) * Math.pow(nu, -7 / 3);
    } else if (k <= Math.min(Math.ceil(0.1 * n), 10) && alpha < 5) {
      const j = besselZero(alpha, k);
      x = ((j * j) / nu) * (1 + (j * j + 2 * (alpha * alpha - 1)) / (3 * nu * nu));
    } else {
      const rhs = ((4 * n - 4 * k + 3) * Math.PI) / nu;
      let s = Math.PI / 2;
      for (let it = 0; it < 30; it++) {
        const ds = (s - Math.sin(s) - rhs) / (1 - Math.cos(s));
        s -= ds;
        if (Math.abs(ds) < 1e-14) break;
      }
      const t = Math.cos(s / 2) ** 2;
      x = nu * t - (5 / (4 * (1 - t) ** 2) - 1 / (1 - t) - 1 + 3 * alpha * alpha) / (3 * nu);
    }
    g[k - 1] = x;
  }
  return g;
}

/**
 * Generalised Gauss–Laguerre rule for the weight x^α e^{−x} on (0, ∞), α > −1:
 * Σ w_i f(x_i) = ∫_0^∞ x^α e^{−x} f(x) dx exactly for polynomials of degree
 * ≤ 2n − 1. Weights sum to Γ(α + 1). Recurrence a_k = 2k + α + 1,
 * β_k = k(k + α), μ₀ = Γ(α + 1). For n ≳ 200 (α = 0) the weights of the largest
 * nodes underflow to 0 (logWeights stay finite).
 * InvalidInputError unless n is an integer in [1, 500] and α is finite and > −1.
 */
export function gaussLaguerre(n: number, alpha = 0): GaussRule {
  checkSize(n);
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || !(alpha > -1)) {
    throw new InvalidInputError(`Laguerre exponent alpha must be a finite number > -1, got ${alpha}`);
  }
  return cached(`laguerre:${n}:${alpha}`, () => laguerreRule(n, alpha, 'newton'));
}

function laguerreRule(n: number, alpha: number, firstStage: SolverStage): GaussRule {
  const a = new Float64Array(n);
  const b = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) a[k] = 2 * k + alpha + 1;
  for (let k = 1; k <= n; k++) b[k] = Math.sqrt(k * (k + alpha));
  const r: Recurrence = { n, a, b, logMu0: logGamma(alpha + 1) };
  const nodes = topZeros(r, n, laguerreGuesses(n, alpha), 0, firstStage);
  const logWeights = new Float64Array(n);
  for (let i = 0; i < n; i++) logWeights[i] = logWeightAt(r, nodes[i]);
  polishSmallLaguerreNodes(n, alpha, r.logMu0, nodes, logWeights);
  return { nodes, weights: logWeights.map(Math.exp), logWeights };
}

// ------------------------------------------- double-double polishing (Laguerre)
//
// Near x = 0 the Laguerre recurrence works with terms of size a_k = 2k + α + 1
// ≫ x, so its rounding (and that of b_k = √(k(k+α))) moves the smallest zeros
// by ~n·eps in absolute terms — ~1e−12 relative for the smallest zero at
// n = 500. The zeros below 1 are therefore polished by two Newton steps in
// double-double arithmetic (Dekker/Knuth error-free transformations, ~32
// digits) on the exact-coefficient recurrence
//   (k+1) L_{k+1} = (2k + 1 + α − x) L_k − (k + α) L_{k−1},
// and their weights recomputed from w = Γ(n+α+1)/(n!·x·L_n′(x)²)
// = Γ(α+1)·L_n(0)/(x·L_n′(x)²) (L_n(0) = C(n+α, n), by the same recurrence).

const SPLITTER = 134217729; // 2^27 + 1
const DD_RESCALE_ABOVE = 2 ** 600;
const DD_RESCALE_BY = 2 ** -600;
const DD_LOG_RESCALE = 600 * Math.LN2;

type DD = [number, number];

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}
function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}
function twoProd(a: number, b: number): DD {
  const p = a * b;
  const ta = SPLITTER * a;
  const ah = ta - (ta - a);
  const al = a - ah;
  const tb = SPLITTER * b;
  const bh = tb - (tb - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}
function ddAdd(x: DD, y: DD): DD {
  const [s, e] = twoSum(x[0], y[0]);
  return quickTwoSum(s, e + x[1] + y[1]);
}
function ddMul(x: DD, y: DD): DD {
  const [p, e] = twoProd(x[0], y[0]);
  return quickTwoSum(p, e + x[0] * y[1] + x[1] * y[0]);
}
function ddScale(x: DD, d: number): DD {
  return [x[0] * d, x[1] * d]; // d a power of two: exact
}
function ddDiv(x: DD, d: number): DD {
  const q1 = x[0] / d;
  const [p, e] = twoProd(q1, d);
  const r = ddAdd(x, [-p, -e]);
  return quickTwoSum(q1, r[0] / d);
}

/** L_n^{(α)}(x) and its derivative in double-double, as (value, derivative, log scale). */
function laguerreDD(n: number, alpha: number, x: number): { l: DD; dl: DD; logScale: number } {
  let lm: DD = [0, 0];
  let l: DD = [1, 0];
  let dlm: DD = [0, 0];
  let dl: DD = [0, 0];
  let logScale = 0;
  for (let k = 0; k < n; k++) {
    const c = ddAdd(twoSum(2 * k + 1, alpha), [-x, 0]); // 2k + 1 + α − x
    const e = twoSum(k, alpha); // k + α
    const minusE: DD = [-e[0], -e[1]];
    const ln = ddDiv(ddAdd(ddMul(c, l), ddMul(minusE, lm)), k + 1);
    const dln = ddDiv(ddAdd(ddAdd(ddMul(c, dl), [-l[0], -l[1]]), ddMul(minusE, dlm)), k + 1);
    lm = l;
    l = ln;
    dlm = dl;
    dl = dln;
    if (Math.abs(l[0]) > DD_RESCALE_ABOVE || Math.abs(dl[0]) > DD_RESCALE_ABOVE) {
      l = ddScale(l, DD_RESCALE_BY);
      lm = ddScale(lm, DD_RESCALE_BY);
      dl = ddScale(dl, DD_RESCALE_BY);
      dlm = ddScale(dlm, DD_RESCALE_BY);
      logScale += DD_LOG_RESCALE;
    }
  }
  return { l, dl, logScale };
}

function polishSmallLaguerreNodes(n: number, alpha: number, logMu0: number, nodes: Float64Array, logWeights: Float64Array): void {
  if (!(nodes[0] < 1)) return;
  const at0 = laguerreDD(n, alpha, 0);
  const logL0 = Math.log(at0.l[0] + at0.l[1]) + at0.logScale;
  for (let i = 0; i < n && nodes[i] < 1; i++) {
    let x = nodes[i];
    for (let it = 0; it < 2; it++) {
      const { l, dl } = laguerreDD(n, alpha, x);
      const dx = (l[0] + l[1]) / (dl[0] + dl[1]);
      if (Number.isFinite(dx)) x -= dx;
    }
    const { dl, logScale } = laguerreDD(n, alpha, x);
    nodes[i] = x;
    logWeights[i] = logMu0 + logL0 - Math.log(x) - 2 * (Math.log(Math.abs(dl[0] + dl[1])) + logScale);
  }
}

// ---------------------------------------------------------------- Hermite

/**
 * Gauss–Hermite rule for the weight e^{−x²} on R (physicists' convention):
 * Σ w_i f(x_i) = ∫ e^{−x²} f(x) dx exactly for polynomials of degree ≤ 2n − 1.
 * Weights sum to √π. Recurrence a_k = 0, β_k = k/2, μ₀ = √π; initial guesses
 * are the square roots of the Laguerre guesses for L_{⌊n/2⌋}^{(∓1/2)}.
 * For n ≥ 390 the outermost weights (≈ e^{−x²} with x² ≈ 2n) underflow to 0
 * (logWeights stay finite).
 */
export function gaussHermite(n: number): GaussRule {
  checkSize(n);
  return cached(`hermite:${n}`, () => {
    const a = new Float64Array(n);
    const b = new Float64Array(n + 1);
    for (let k = 1; k <= n; k++) b[k] = Math.sqrt(k / 2);
    const m = n >> 1;
    const lag = m > 0 ? laguerreGuesses(m, n % 2 === 0 ? -0.5 : 0.5) : new Float64Array(0);
    const guesses = new Float64Array(m);
    for (let i = 0; i < m; i++) guesses[i] = Math.sqrt(Math.max(lag[i], 0)); // increasing
    return solveSymmetric({ n, a, b, logMu0: 0.5 * Math.log(Math.PI) }, guesses);
  });
}

/**
 * Rule for expectations under the standard normal: Σ w_i f(x_i) = E[f(X)],
 * X ~ N(0, 1), exact for polynomials of degree ≤ 2n − 1. Obtained from
 * gaussHermite by x_i → √2·x_i, w_i → w_i/√π; weights sum to 1.
 */
export function gaussHermiteNormal(n: number): GaussRule {
  checkSize(n);
  return cached(`hermite-normal:${n}`, () => {
    const h = gaussHermite(n);
    const shift = 0.5 * Math.log(Math.PI);
    const logWeights = h.logWeights.map((l) => l - shift);
    return { nodes: h.nodes.map((x) => Math.SQRT2 * x), weights: logWeights.map(Math.exp), logWeights };
  });
}

/**
 * @internal For tests only: the Gauss–Laguerre rule computed from a given
 * solver stage onwards (the fallbacks are never needed for α ≤ 10, so this is
 * how they are exercised). Not cached.
 */
export function _gaussLaguerreVia(n: number, alpha: number, stage: SolverStage): GaussRule {
  return laguerreRule(n, alpha, stage);
}
