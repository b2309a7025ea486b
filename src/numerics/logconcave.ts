/**
 * Quadrature of log-concave integrands over the real line: ∫ e^{ψ(u)} du with
 * ψ concave (a Gaussian times e^{−e^u}, e^u·e^{−e^u}, 1 − e^{−e^u}, …: every
 * one-token integral of the Bayes risk is of this kind).
 *
 * Method, without bisection:
 *  1. the mode u* (ψ'(u*) = 0) by safeguarded Newton in a bracket the caller
 *     gives (ψ' is decreasing, so bisection can always take over);
 *  2. panel ends marched outwards from u* on both sides so that ψ drops by at
 *     most D_k across panel k, D_k = firstDrop + growth·(drop so far), capped
 *     at maxDrop; the step comes from the local quadratic model of ψ and is
 *     halved while the actual drop exceeds 1.5·D_k or ψ bends by more than
 *     3(D_k + 1.5) (|Δψ'|·width). Near the peak a panel spans ≈ 4 "standard
 *     deviations" of e^ψ, in the tails many more, where the panel's share of
 *     the integral is that much smaller. Features that ψ does not show (a
 *     step hidden in log(1 − e^{−e^u})) are passed as breakpoints;
 *  3. a Gauss–Kronrod (G10/K21) rule on every panel, with QUADPACK's error
 *     estimate (see adaptive.ts), on e^{ψ(u) − ψ*} (no underflow);
 *  4. the two tails beyond the last panel ends u_R, u_L, where ψ has dropped by
 *     `truncation` below its peak, bounded rigorously by concavity:
 *        ∫_{u_R}^∞ e^ψ ≤ e^{ψ(u_R)} / |ψ'(u_R)|   (ψ lies below its tangent),
 *     and added to the error.
 * The error also carries the rounding of e^{ψ − ψ*}: the absolute rounding of
 * ψ is ≈ |ψ|·eps, which exp turns into a relative error (4·(|ψ*| + 1)·eps is
 * added, relative).
 *
 * Cost: (2·panels)·21 + a few dozen evaluations, typically 8–10 panels,
 * independent of how narrow or wide e^ψ is.
 */
import { InvalidInputError } from '../errors.ts';
import { GAUSS_WEIGHTS, KRONROD_NODES, KRONROD_WEIGHTS } from './adaptive.ts';

/** A concave log-integrand ψ. `derivs` writes ψ(u), ψ'(u), ψ''(u) into d[0], d[1], d[2]. */
export interface ConcaveLog {
  /** ψ(u); −Infinity where the integrand is 0 */
  logf(u: number): number;
  derivs(u: number, d: Float64Array): void;
  /** optional: e^{ψ(u) − shift} computed directly (cheaper or more accurate than exp(logf(u) − shift)) */
  scaledf?(u: number, shift: number): number;
}

export interface LogConcaveOptions {
  /** allowed drop of ψ across the panel at the mode (default 6) */
  firstDrop?: number;
  /** growth of the allowed drop with the drop already reached (default 1) */
  growth?: number;
  /** cap on the drop per panel (default 24) */
  maxDrop?: number;
  /** drop of ψ below its peak at which the tails are cut and bounded (default 40: e^−40 = 4e−18) */
  truncation?: number;
  /**
   * sorted points where the integrand has features that ψ's drop and bend do not
   * show (e.g. the step of e^{−e^u} inside 1 − e^{−e^u}, invisible in log(1 − e^{−e^u}));
   * a panel wider than `breakWidth` is split at those inside it
   */
  breakpoints?: ArrayLike<number>;
  /** panels at most this wide are not split at `breakpoints` (default 1) */
  breakWidth?: number;
  /**
   * a panel whose error estimate exceeds relTol × the integral is halved, up to 32 times
   * (default 1e−13; the tails and the rounding term are not part of it)
   */
  relTol?: number;
}

export interface LogConcaveResult {
  /** ∫ e^ψ du (may underflow to 0: see logPeak and scaled) */
  value: number;
  /** absolute error bound: Σ panel estimates + tail bounds + rounding */
  error: number;
  /** ψ(u*) */
  logPeak: number;
  /** ∫ e^{ψ − ψ*} du and its error: value = e^{ψ*}·scaled */
  scaled: number;
  scaledError: number;
  mode: number;
  panels: number;
  evaluations: number;
}

const XGK = Float64Array.from(KRONROD_NODES);
const WGK = Float64Array.from(KRONROD_WEIGHTS);
const WG = Float64Array.from(GAUSS_WEIGHTS);
const EPS = Number.EPSILON;
const MAX_PANELS_PER_SIDE = 60;

const d = new Float64Array(3);
const fx = new Float64Array(21);
const ends = new Float64Array(MAX_PANELS_PER_SIDE + 1);
const rightEnds = new Float64Array(MAX_PANELS_PER_SIDE + 1);
let endCount = 0;
let evals = 0;
/** panels of the current integral: ends, values and error estimates (module scratch space) */
const MAX_PANELS = 4 * MAX_PANELS_PER_SIDE + 64;
const MAX_SPLITS = 32;
const panelA = new Float64Array(MAX_PANELS);
const panelB = new Float64Array(MAX_PANELS);
const panelValues = new Float64Array(MAX_PANELS);
const panelErrors = new Float64Array(MAX_PANELS);
let panelCount = 0;

/**
 * ∫_R e^{ψ(u)} du for concave ψ with a mode inside [lo, hi] (ψ'(lo) ≥ 0 ≥
 * ψ'(hi); if not, the bracket is widened geometrically). Not re-entrant with
 * itself through ψ (module scratch space); ψ must not call it.
 */
export function integrateLogConcave(psi: ConcaveLog, lo: number, hi: number, opts: LogConcaveOptions = {}): LogConcaveResult {
  const firstDrop = opts.firstDrop ?? 6;
  const growth = opts.growth ?? 1;
  const maxDrop = opts.maxDrop ?? 24;
  const truncation = opts.truncation ?? 40;
  if (!(lo <= hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) throw new InvalidInputError(`integrateLogConcave: bad mode bracket [${lo}, ${hi}]`);
  evals = 0;
  const mode = findMode(psi, lo, hi);
  psi.derivs(mode, d);
  evals++;
  const peak = d[0];
  if (!(peak > -Infinity)) {
    // the integrand is 0 (or underflows) at its own mode: it is 0 to double precision everywhere
    return { value: 0, error: 0, logPeak: -Infinity, scaled: 0, scaledError: 0, mode, panels: 0, evaluations: evals };
  }
  const curv0 = d[2];
  // right side, then left side (mirrored); `ends` collects left ends descending then right ends ascending
  endCount = 0;
  const rightTail = march(psi, mode, peak, curv0, +1, firstDrop, growth, maxDrop, truncation);
  const rightCount = endCount;
  rightEnds.set(ends.subarray(0, rightCount));
  endCount = 0;
  const leftTail = march(psi, mode, peak, curv0, -1, firstDrop, growth, maxDrop, truncation);
  const leftCount = endCount;
  // panels from the outermost left end to the outermost right end (left ends are stored outwards)
  const breaks = opts.breakpoints;
  const breakWidth = opts.breakWidth ?? 1;
  panelCount = 0;
  const add = (p: number, q: number) => {
    if (breaks && q - p > breakWidth) {
      for (let i = 0; i < breaks.length; i++) {
        const t = breaks[i];
        if (t > p && t < q) {
          pushPanel(psi, peak, p, t);
          p = t;
        }
      }
    }
    pushPanel(psi, peak, p, q);
  };
  let prev = ends[leftCount - 1];
  for (let i = leftCount - 2; i >= -1; i--) {
    const next = i >= 0 ? ends[i] : mode;
    add(prev, next);
    prev = next;
  }
  for (let i = 0; i < rightCount; i++) {
    add(prev, rightEnds[i]);
    prev = rightEnds[i];
  }
  // refinement: a panel whose Gauss–Kronrod estimate exceeds relTol of the total is halved (the
  // marching bounds drop and bend, but a panel that ends just where the step e^{−e^u} starts to bend
  // can still carry a pessimistic estimate of 1e−9); the halves replace it, at most MAX_SPLITS times
  // rounding: ψ is known to ≈ |ψ|·eps absolutely (a relative error of e^ψ), and the nodes to ≈ |u|·eps,
  // a relative error of ≈ |u|·eps/σ in e^ψ for a peak of width σ = (−ψ''(u*))^{−1/2}
  const sigma = curv0 < 0 ? 1 / Math.sqrt(-curv0) : Infinity;
  const rounding = 4 * (Math.abs(peak) + 1) * EPS + 8 * EPS * (Math.abs(mode) / sigma + 40);
  // (refining below the rounding noise of the integrand would only chase that noise)
  const relTol = Math.max(opts.relTol ?? 1e-13, 2 * rounding);
  let sum = 0;
  for (let i = 0; i < panelCount; i++) sum += panelValues[i];
  for (let splits = 0; splits < MAX_SPLITS; ) {
    let worst = -1;
    let worstError = relTol * sum;
    for (let i = 0; i < panelCount; i++) {
      if (panelErrors[i] > worstError && panelB[i] - panelA[i] > 1e-12 * Math.max(1, Math.abs(panelA[i]))) {
        worst = i;
        worstError = panelErrors[i];
      }
    }
    if (worst < 0 || panelCount >= MAX_PANELS) break;
    const p = panelA[worst];
    const q = panelB[worst];
    const m = 0.5 * (p + q);
    const oldValue = panelValues[worst];
    panel(psi, peak, p, m);
    panelB[worst] = m;
    panelValues[worst] = panelValue;
    panelErrors[worst] = panelError;
    pushPanel(psi, peak, m, q);
    sum += panelValues[worst] + panelValues[panelCount - 1] - oldValue;
    splits++;
  }
  sum = 0;
  let err = 0;
  for (let i = 0; i < panelCount; i++) {
    sum += panelValues[i];
    err += panelErrors[i];
  }
  const panels = panelCount;
  const scaledError = err + rightTail + leftTail + rounding * sum;
  const scale = Math.exp(peak);
  return {
    value: scale * sum,
    error: scale * scaledError,
    logPeak: peak,
    scaled: sum,
    scaledError,
    mode,
    panels,
    evaluations: evals,
  };
}

/**
 * Safeguarded Newton on ψ' (decreasing) inside a bracket; returns the mode.
 *
 * Newton alone can crawl: where ψ' is dominated by −e^u (a step far to the
 * right of the mode) each Newton step is ≈ 1 long, whatever the distance to
 * the mode (spiked-SLR at ν = 401: the bracket end a + b² of M1 sat on the
 * mode, rounding made ψ' there slightly positive, the widening moved the
 * bracket to [−320, 483], and 100 plain Newton steps from 483 ended at 382,
 * an integrand of e^{ψ − ψ*} = ∞). So, as in Numerical Recipes' rtsafe, a Newton step is taken only
 * when it lands inside the bracket and the previous step shrank fast enough
 * (|2ψ'| ≤ |previous step·ψ''|); otherwise the bracket is bisected. The
 * bracket therefore at least halves every other iteration, and the search
 * ends when the step or the bracket is below 1e−7 of the local width of e^ψ
 * (or no longer representable).
 */
function findMode(psi: ConcaveLog, lo: number, hi: number): number {
  // make sure the bracket holds the root: ψ'(lo) ≥ 0 ≥ ψ'(hi)
  psi.derivs(lo, d);
  evals++;
  for (let k = 0; !(d[1] >= 0) && k < 60; k++) {
    const w = Math.max(1, hi - lo);
    hi = lo;
    lo -= w;
    psi.derivs(lo, d);
    evals++;
  }
  if (d[1] === 0) return lo;
  psi.derivs(hi, d);
  evals++;
  for (let k = 0; !(d[1] <= 0) && k < 60; k++) {
    const w = Math.max(1, hi - lo);
    lo = hi;
    hi += w;
    psi.derivs(hi, d);
    evals++;
  }
  if (d[1] === 0) return hi;
  let x = hi;
  let slope = d[1];
  let curv = d[2];
  let previousStep = hi - lo;
  for (let k = 0; k < 400; k++) {
    let next = curv < 0 ? x - slope / curv : NaN;
    if (!(next > lo && next < hi) || Math.abs(2 * slope) > Math.abs(previousStep * curv)) next = 0.5 * (lo + hi);
    const step = Math.abs(next - x);
    if (step === 0) return x; // the bracket is down to adjacent doubles
    previousStep = step;
    x = next;
    psi.derivs(x, d);
    evals++;
    slope = d[1];
    curv = d[2];
    if (slope > 0) lo = x;
    else if (slope < 0) hi = x;
    else return x;
    // accurate enough for panel placement: the step is a tiny fraction of the width of e^ψ
    const width = curv < 0 ? 1 / Math.sqrt(-curv) : hi - lo;
    if (step <= 1e-7 * width || hi - lo <= 1e-7 * width) return x;
  }
  return x;
}

/**
 * Panel ends from the mode outwards in direction `dir` (pushed on `ends`);
 * returns the rigorous bound e^{ψ(u_end) − ψ*}/|ψ'(u_end)| of the tail beyond.
 */
function march(
  psi: ConcaveLog,
  mode: number,
  peak: number,
  curv0: number,
  dir: number,
  firstDrop: number,
  growth: number,
  maxDrop: number,
  truncation: number,
): number {
  let x = mode;
  let dropped = 0;
  let slope = 0;
  let curv = curv0;
  for (let k = 0; k < MAX_PANELS_PER_SIDE; k++) {
    const D = Math.min(maxDrop, firstDrop + growth * dropped);
    const s = Math.abs(slope);
    const c = Math.abs(curv);
    // step at which the quadratic model drops by D more
    let h = (2 * D) / (s + Math.sqrt(s * s + 2 * c * D));
    if (!(h > 0) || !Number.isFinite(h)) h = 1;
    let y = x + dir * h;
    let dy = 0;
    for (let j = 0; j < 60; j++) {
      psi.derivs(y, d);
      evals++;
      dy = peak - d[0];
      // accept unless ψ dropped too much, or bent too much (|Δψ'|·h bounds the deviation of ψ
      // from a straight line across the panel: a corner such as that of log(1 − e^{−e^u}) at u ≈ 0
      // does not show in the drop)
      const bend = Math.abs(d[1] - slope) * h;
      if ((dy - dropped <= 1.5 * D && bend <= 3 * (D + 1.5)) || h <= 1e-12 * Math.max(1, Math.abs(x))) break;
      h *= 0.5;
      y = x + dir * h;
    }
    ends[endCount++] = y;
    x = y;
    dropped = dy;
    slope = d[1];
    curv = d[2];
    if (dropped >= truncation) {
      const s1 = Math.abs(slope);
      // concavity: beyond x, ψ ≤ ψ(x) + ψ'(x)(u − x), whose integral is e^{ψ(x)}/|ψ'(x)|
      return s1 > 0 && dir * slope < 0 ? Math.exp(-dropped) / s1 : Infinity;
    }
  }
  // did not reach the truncation level (pathological ψ): report an unbounded tail
  return Infinity;
}

let panelValue = 0;
let panelError = 0;

/** integrate the panel [a, b] and append it to the panel list */
function pushPanel(psi: ConcaveLog, peak: number, a: number, b: number): void {
  panel(psi, peak, a, b);
  if (panelCount >= MAX_PANELS) throw new Error('integrateLogConcave: panel list overflow');
  panelA[panelCount] = a;
  panelB[panelCount] = b;
  panelValues[panelCount] = panelValue;
  panelErrors[panelCount] = panelError;
  panelCount++;
}

/** G10/K21 on [a, b] of e^{ψ − peak}, QUADPACK's error estimate (as in adaptive.ts). */
function panel(psi: ConcaveLog, peak: number, a: number, b: number): void {
  const centr = 0.5 * (a + b);
  const hlgth = 0.5 * (b - a);
  if (psi.scaledf) {
    for (let k = 0; k < 10; k++) {
      const dx = hlgth * XGK[k];
      fx[k] = psi.scaledf(centr - dx, peak);
      fx[11 + k] = psi.scaledf(centr + dx, peak);
    }
    fx[10] = psi.scaledf(centr, peak);
  } else {
    for (let k = 0; k < 10; k++) {
      const dx = hlgth * XGK[k];
      fx[k] = Math.exp(psi.logf(centr - dx) - peak);
      fx[11 + k] = Math.exp(psi.logf(centr + dx) - peak);
    }
    fx[10] = Math.exp(psi.logf(centr) - peak);
  }
  evals += 21;
  const fc = fx[10];
  let resk = WGK[10] * fc;
  let resabs = Math.abs(resk);
  let resg = 0;
  for (let k = 0; k < 10; k++) {
    const f1 = fx[k];
    const f2 = fx[11 + k];
    resk += WGK[k] * (f1 + f2);
    resabs += WGK[k] * (Math.abs(f1) + Math.abs(f2));
    if (k & 1) resg += WG[k >> 1] * (f1 + f2);
  }
  const reskh = 0.5 * resk;
  let resasc = WGK[10] * Math.abs(fc - reskh);
  for (let k = 0; k < 10; k++) resasc += WGK[k] * (Math.abs(fx[k] - reskh) + Math.abs(fx[11 + k] - reskh));
  const absH = Math.abs(hlgth);
  resabs *= absH;
  resasc *= absH;
  let err = Math.abs((resk - resg) * hlgth);
  if (resasc !== 0 && err !== 0) {
    const r = (200 * err) / resasc;
    err = r < 1 ? resasc * r * Math.sqrt(r) : resasc;
  }
  err = Math.max(50 * EPS * resabs, err);
  panelValue = resk * hlgth;
  panelError = err;
}
