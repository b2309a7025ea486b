import { InvalidInputError, NumericalRangeError } from '../errors.ts';
import type { NumericalResult } from './result.ts';

/**
 * Adaptive Gauss–Kronrod quadrature (G10/K21) with a global subdivision
 * strategy and QUADPACK's error estimate (Piessens et al. 1983, qk21/qag):
 * err = resasc·min(1, (200|K21 − G10|/resasc)^{3/2}), floored at 50·eps·resabs.
 * Infinite ranges are mapped to (0,1] by x = a + (1−t)/t (or b − (1−t)/t);
 * (−∞, ∞) is split at the breakpoints (or at 0).
 *
 * The Kronrod nodes/weights are those of QUADPACK's qk21; they are checked in
 * test/numerics/adaptive.test.ts by exactness on polynomials of degree ≤ 31
 * (Kronrod) and ≤ 19 (embedded Gauss).
 */
const XGK = [
  0.995657163025808080735527280689003, 0.973906528517171720077964012084452, 0.930157491355708226001207180059508,
  0.865063366688984510732096688423493, 0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
  0.562757134668604683339000099272694, 0.433395394129247190799265943165784, 0.294392862701460198131126603103866,
  0.14887433898163121088482600112972, 0,
];
const WGK = [
  0.011694638867371874278064396062192, 0.03255816230796472747881897245939, 0.05475589657435199603138130024458,
  0.07503967481091995276704314091619, 0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
  0.123491976262065851077600525478226, 0.134709217311473325928054001771707, 0.142775938577060080797094273138717,
  0.147739104901338491374841515972068, 0.149445554002916905664936468389821,
];
/** weights of the 10-point Gauss rule at XGK[1], XGK[3], …, XGK[9] */
const WG = [
  0.066671344308688137593568809893332, 0.149451349150580593145776339657697, 0.219086362515982043995534934228163,
  0.269266719309996355091226921569469, 0.295524224714752870173892994651338,
];
export const KRONROD_NODES = Object.freeze(XGK.slice());
export const KRONROD_WEIGHTS = Object.freeze(WGK.slice());
export const GAUSS_WEIGHTS = Object.freeze(WG.slice());

const EPS = Number.EPSILON;
const UFLOW = Number.MIN_VALUE;

export interface QuadratureOptions {
  /** absolute tolerance (default 1e−12) */
  absTol?: number;
  /** relative tolerance (default 1e−10) */
  relTol?: number;
  /** maximum number of subintervals (default 2000) */
  maxIntervals?: number;
  /** points inside (a, b) where the integrand has features (kinks, steps, peaks) */
  breakpoints?: readonly number[];
  /**
   * vector form: only the first `controlled` components drive refinement and
   * the stopping rule; the rest (e.g. integrated error bounds) ride along on
   * the same subdivision (default: all)
   */
  controlled?: number;
}

export interface QuadratureResult extends NumericalResult {
  intervals: number;
}

export interface VectorQuadratureResult {
  values: Float64Array;
  errors: Float64Array;
  evaluations: number;
  intervals: number;
  converged: boolean;
  method: string;
}

const METHOD = 'gauss-kronrod-21 adaptive';

/** ∫_a^b f(x) dx with an error estimate; a, b may be ±Infinity. */
export function integrate(f: (x: number) => number, a: number, b: number, opts: QuadratureOptions = {}): QuadratureResult {
  const r = integrateVector(
    (x, out) => {
      out[0] = f(x);
    },
    1,
    a,
    b,
    opts,
  );
  return {
    value: r.values[0],
    error: r.errors[0],
    evaluations: r.evaluations,
    intervals: r.intervals,
    converged: r.converged,
    method: METHOD,
  };
}

interface Piece {
  lo: number;
  hi: number;
  /** which map: 0 identity, 1 x = a + (1−t)/t, −1 x = b − (1−t)/t */
  map: number;
  origin: number;
  values: Float64Array;
  errors: Float64Array;
  /** ∫|f| over the piece, per component */
  absolute: Float64Array;
}

/**
 * ∫_a^b f(x) dx for a vector-valued f (writes `dim` numbers into `out`, which
 * it must overwrite, not accumulate). One subdivision serves all components;
 * an interval is split while any component's total error exceeds
 * max(absTol, relTol·∫|f_j|) (for a one-signed component, relTol·|∫f_j|). Returns converged = false, never throws,
 * when maxIntervals is reached; throws NumericalRangeError on NaN/±∞ values.
 */
export function integrateVector(
  f: (x: number, out: Float64Array) => void,
  dim: number,
  a: number,
  b: number,
  opts: QuadratureOptions = {},
): VectorQuadratureResult {
  if (Number.isNaN(a) || Number.isNaN(b)) throw new InvalidInputError('integration limits must not be NaN');
  const absTol = opts.absTol ?? 1e-12;
  const relTol = opts.relTol ?? 1e-10;
  const maxIntervals = opts.maxIntervals ?? 2000;
  const controlled = Math.min(dim, opts.controlled ?? dim);
  let sign = 1;
  if (a > b) {
    [a, b] = [b, a];
    sign = -1;
  }
  const values = new Float64Array(dim);
  const errors = new Float64Array(dim);
  if (a === b) return { values, errors, evaluations: 0, intervals: 0, converged: true, method: METHOD };

  // split points: a, breakpoints inside, b; infinite ends become mapped pieces
  const inner = (opts.breakpoints ?? []).filter((p) => Number.isFinite(p) && p > a && p < b).sort((x, y) => x - y);
  let points = [a, ...inner, b];
  if (a === -Infinity && b === Infinity && inner.length === 0) points = [a, 0, b];
  const pieces: Piece[] = [];
  const fx = new Float64Array(dim * 21);
  const out = new Float64Array(dim);
  let evaluations = 0;

  const evalAt = (p: Piece, t: number, slot: number) => {
    let x: number;
    let jac: number;
    if (p.map === 0) {
      x = t;
      jac = 1;
    } else {
      const u = (1 - t) / t;
      x = p.map === 1 ? p.origin + u : p.origin - u;
      jac = 1 / (t * t);
    }
    f(x, out);
    const base = slot * dim;
    for (let j = 0; j < dim; j++) {
      const v = out[j] * jac;
      if (!Number.isFinite(v)) {
        if (Number.isFinite(out[j]) && out[j] === 0) {
          fx[base + j] = 0;
          continue;
        }
        throw new NumericalRangeError(`integrand is ${out[j]} at x = ${x} (component ${j})`);
      }
      fx[base + j] = v;
    }
  };

  const rule = (p: Piece) => {
    const centr = 0.5 * (p.lo + p.hi);
    const hlgth = 0.5 * (p.hi - p.lo);
    evalAt(p, centr, 10);
    for (let k = 0; k < 10; k++) {
      const dx = hlgth * XGK[k];
      evalAt(p, centr - dx, k);
      evalAt(p, centr + dx, 11 + k);
    }
    evaluations += 21;
    for (let j = 0; j < dim; j++) {
      const fc = fx[10 * dim + j];
      let resk = fc * WGK[10];
      let resg = 0;
      let resabs = Math.abs(resk);
      for (let k = 0; k < 10; k++) {
        const f1 = fx[k * dim + j];
        const f2 = fx[(11 + k) * dim + j];
        resk += WGK[k] * (f1 + f2);
        resabs += WGK[k] * (Math.abs(f1) + Math.abs(f2));
        if (k % 2 === 1) resg += WG[(k - 1) / 2] * (f1 + f2);
      }
      const reskh = resk * 0.5;
      let resasc = WGK[10] * Math.abs(fc - reskh);
      for (let k = 0; k < 10; k++) resasc += WGK[k] * (Math.abs(fx[k * dim + j] - reskh) + Math.abs(fx[(11 + k) * dim + j] - reskh));
      const h = Math.abs(hlgth);
      const result = resk * hlgth;
      resabs *= h;
      resasc *= h;
      let err = Math.abs((resk - resg) * hlgth);
      if (resasc !== 0 && err !== 0) err = resasc * Math.min(1, Math.pow((200 * err) / resasc, 1.5));
      if (resabs > UFLOW / (50 * EPS)) err = Math.max(50 * EPS * resabs, err);
      p.values[j] = result;
      p.errors[j] = err;
      p.absolute[j] = resabs;
    }
  };

  const newPiece = (lo: number, hi: number, map: number, origin: number): Piece => {
    const p: Piece = { lo, hi, map, origin, values: new Float64Array(dim), errors: new Float64Array(dim), absolute: new Float64Array(dim) };
    rule(p);
    return p;
  };
  for (let i = 0; i + 1 < points.length; i++) {
    const lo = points[i];
    const hi = points[i + 1];
    if (lo === -Infinity) pieces.push(newPiece(0, 1, -1, hi));
    else if (hi === Infinity) pieces.push(newPiece(0, 1, 1, lo));
    else pieces.push(newPiece(lo, hi, 0, 0));
  }

  const tol = new Float64Array(dim);
  const absolute = new Float64Array(dim);
  let converged = false;
  for (;;) {
    values.fill(0);
    errors.fill(0);
    absolute.fill(0);
    for (const p of pieces) {
      for (let j = 0; j < dim; j++) {
        values[j] += p.values[j];
        errors[j] += p.errors[j];
        absolute[j] += p.absolute[j];
      }
    }
    let worstRatio = 0;
    for (let j = 0; j < controlled; j++) {
      // relative to ∫|f_j| (= |∫f_j| for a one-signed integrand): a component that cancels to ~0 is not chased below rounding
      tol[j] = Math.max(absTol, relTol * absolute[j]);
      worstRatio = Math.max(worstRatio, errors[j] / tol[j]);
    }
    if (worstRatio <= 1) {
      converged = true;
      break;
    }
    if (pieces.length >= maxIntervals) break;
    // bisect the piece with the largest error relative to the tolerances
    let worst = 0;
    let worstScore = -1;
    for (let i = 0; i < pieces.length; i++) {
      let score = 0;
      for (let j = 0; j < controlled; j++) score = Math.max(score, pieces[i].errors[j] / tol[j]);
      if (score > worstScore) {
        worstScore = score;
        worst = i;
      }
    }
    const p = pieces[worst];
    const mid = 0.5 * (p.lo + p.hi);
    if (!(mid > p.lo && mid < p.hi)) break; // interval at machine resolution: cannot refine further
    pieces[worst] = newPiece(p.lo, mid, p.map, p.origin);
    pieces.push(newPiece(mid, p.hi, p.map, p.origin));
  }
  if (sign < 0) for (let j = 0; j < dim; j++) values[j] = -values[j];
  return { values, errors, evaluations, intervals: pieces.length, converged, method: METHOD };
}
