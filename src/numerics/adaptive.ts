/**
 * Adaptive Gauss–Kronrod quadrature (G10/K21) with a global subdivision
 * strategy, after QUADPACK's QAG/QK21 (Piessens, de Doncker-Kapenga, Überhuber
 * & Kahaner, QUADPACK, Springer 1983); `rule: 15` uses QK15's G7/K15 pair
 * instead (the same estimate and strategy), 15 integrand values per panel.
 *
 * Per interval [c − h, c + h] the 21-point Kronrod rule K and its embedded
 * 10-point Gauss rule G give the estimate K and QUADPACK's error estimate
 *     err = resasc·min(1, (200·|K − G|/resasc)^{3/2}),  err ← max(err, 50·eps·resabs),
 * where resabs ≈ ∫|f| and resasc ≈ ∫|f − K/(2h)| over the interval (both by the
 * Kronrod rule). The 3/2 power makes the estimate pessimistic while the rule is
 * not yet in its asymptotic regime, and the second term is a floor for the
 * rounding of the 21-term sum; in practice the total is a conservative bound
 * on the true error (test/numerics/adaptive.test.ts checks |true error| ≤
 * reported error over a battery of integrals with known values).
 *
 * Global strategy: all subintervals live in a max-heap keyed by their error
 * relative to the tolerance; the worst one is bisected until the summed error
 * meets the tolerance or `maxIntervals` subintervals exist (then
 * converged = false; this never throws).
 *
 * Infinite ranges: (a, ∞) is mapped to t ∈ (0, 1] by x = a + (1 − t)/t,
 * dx = dt/t², (−∞, b) by x = b − (1 − t)/t; (−∞, ∞) is split at the
 * breakpoints (or at 0) into two such halves and finite pieces between.
 * Kronrod nodes are interior, so t = 0 (x = ∞) is never evaluated.
 */
import { InvalidInputError, NumericalRangeError } from '../errors.ts';
import type { NumericalResult } from './result.ts';

// QUADPACK dqk21: abscissae of the 21-point Kronrod rule (xgk[1], xgk[3], … are
// the 10-point Gauss abscissae), its weights, and the Gauss weights, as
// published (computed by L. W. Fullerton, Bell Labs, 1981, with 80-digit arithmetic).
const XGK = Float64Array.of(
  0.995657163025808080735527280689003,
  0.973906528517171720077964012084452,
  0.930157491355708226001207180059508,
  0.865063366688984510732096688423493,
  0.780817726586416897063717578345042,
  0.679409568299024406234327365114874,
  0.562757134668604683339000099272694,
  0.433395394129247190799265943165784,
  0.294392862701460198131126603103866,
  0.14887433898163121088482600112972,
  0,
);
const WGK = Float64Array.of(
  0.011694638867371874278064396062192,
  0.03255816230796472747881897245939,
  0.05475589657435199603138130024458,
  0.07503967481091995276704314091619,
  0.093125454583697605535065465083366,
  0.109387158802297641899210590325805,
  0.123491976262065851077958109831074,
  0.134709217311473325928054001771707,
  0.142775938577060080797094273138717,
  0.147739104901338491374841515972068,
  0.149445554002916905664936468389821,
);
const WG = Float64Array.of(
  0.066671344308688137593568809893332,
  0.149451349150580593145776339657697,
  0.219086362515982043995534934228163,
  0.269266719309996355091226921569469,
  0.295524224714752870173892994651338,
);

// QUADPACK dqk15: the 15-point Kronrod rule (xgk15[1], xgk15[3], xgk15[5] and 0 are the 7-point
// Gauss abscissae), its weights and the Gauss weights, as published with dqk21's (QUADPACK, Piessens
// et al. 1983; the same digits in netlib's dqk15.f).
const XGK15 = Float64Array.of(
  0.991455371120812639206854697526329,
  0.949107912342758524526189684047851,
  0.864864423359769072789712788640926,
  0.741531185599394439863864773280788,
  0.586087235467691130294144845693013,
  0.405845151377397166906606412076961,
  0.207784955007898467600689403773245,
  0,
);
const WGK15 = Float64Array.of(
  0.02293532201052922496373200805897,
  0.063092092629978553290700663189204,
  0.104790010322250183839876322541518,
  0.140653259715525918745189590510238,
  0.16900472663926790282658342659855,
  0.190350578064785409913256402421014,
  0.204432940075298892414161999234649,
  0.209482141084727828012999174891714,
);
const WG7 = Float64Array.of(0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327);

/** The positive K15 abscissae (descending, last = 0), their K15 weights, and the G7 weights of [1], [3], [5] and 0 (QUADPACK dqk15). */
export const KRONROD15_NODES: readonly number[] = Object.freeze(Array.from(XGK15));
export const KRONROD15_WEIGHTS: readonly number[] = Object.freeze(Array.from(WGK15));
export const GAUSS7_WEIGHTS: readonly number[] = Object.freeze(Array.from(WG7));

/** The positive K21 abscissae (descending, last = 0), as in QUADPACK. */
export const KRONROD_NODES: readonly number[] = Object.freeze(Array.from(XGK));
/** K21 weights matching KRONROD_NODES. */
export const KRONROD_WEIGHTS: readonly number[] = Object.freeze(Array.from(WGK));
/** G10 weights of the Gauss abscissae KRONROD_NODES[1], [3], …, [9]. */
export const GAUSS_WEIGHTS: readonly number[] = Object.freeze(Array.from(WG));

const EPS = Number.EPSILON;
/** QUADPACK's uflow: the smallest normalised double. */
const UFLOW = 2.2250738585072014e-308;
/**
 * The summed round-off floors are 50·eps·∫|f|; a tolerance below twice that
 * cannot be met by subdivision. Such a component's target is raised to
 * 100·eps·∫|f_j| (reported as roundoffLimited).
 */
const ROUNDOFF_TARGET = 100 * EPS;
/** Mapped (infinite-range) intervals are not split below t = 1e−100 (x ≈ 1e100), where 1/t² would start to overflow. */
const MIN_MAPPED_T = 1e-100;
/** Running totals are recomputed exactly every this many bisections (and at the end). */
const RESUM_EVERY = 64;

export const METHOD = 'gauss-kronrod-21 adaptive';
const METHOD15 = 'gauss-kronrod-15 adaptive';

export interface QuadratureOptions {
  /** absolute tolerance (default 1e−12) */
  absTol?: number;
  /** relative tolerance (default 1e−10) */
  relTol?: number;
  /** maximum number of subintervals (default 2000) */
  maxIntervals?: number;
  /**
   * points where the integrand has kinks, steps or narrow peaks; those inside
   * (a, b) become interval ends (others are ignored). For (−∞, ∞) they also
   * anchor the two infinite halves (default anchor 0).
   */
  breakpoints?: readonly number[];
  /**
   * vector form only: only components 0 … controlled − 1 drive the refinement
   * and the convergence test; the others (e.g. integrated error bounds) are
   * integrated on the same subdivision (default: all)
   */
  controlled?: number;
  /**
   * 'value' (default): the relative tolerance applies to |∫ f_j|; 'magnitude':
   * to ∫ |f_j| — for components that may cancel to ≈ 0 (signed moments) and
   * only need accuracy relative to the size of what they are combined with
   */
  relativeTo?: 'value' | 'magnitude';
  /**
   * the panel rule: 21 (default, G10/K21, QUADPACK dqk21) or 15 (G7/K15, dqk15: 15 integrand
   * values per panel instead of 21, for smooth integrands at moderate tolerances)
   */
  rule?: 15 | 21;
  /**
   * vector form only: start from this subdivision (an earlier result's `subdivision`, e.g. of a
   * nearby integrand) instead of [a, b] cut at the breakpoints; the refinement and the convergence
   * test then go on as usual. Ignored (the breakpoints serve) if it was made for other limits or
   * another rule.
   */
  startFrom?: Subdivision;
  /** vector form only: return the final subdivision as `subdivision` */
  keepSubdivision?: boolean;
}

/**
 * The intervals an adaptive integration of [a, b] ended with (each a finite interval, or a part
 * (t_lo, t_hi] of a half-line mapped to t ∈ (0, 1] at its finite end `origin`), for `startFrom`.
 */
export interface Subdivision {
  readonly a: number;
  readonly b: number;
  readonly rule: 15 | 21;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly kind: Int8Array;
  readonly origin: Float64Array;
}

export interface QuadratureResult extends NumericalResult {
  evaluations: number;
  intervals: number;
  /** true if relTol/absTol were below the rounding floor 100·eps·∫|f| and the floor was used instead */
  roundoffLimited: boolean;
}

export interface VectorQuadratureResult {
  values: Float64Array;
  /** per component: sum of the QUADPACK error estimates (an absolute error bound in practice) */
  errors: Float64Array;
  evaluations: number;
  intervals: number;
  /** every controlled component met max(absTol, relTol·|value_j|) (or its round-off floor) */
  converged: boolean;
  /** some controlled component's target was raised to its round-off floor 100·eps·∫|f_j| */
  roundoffLimited: boolean;
  method: string;
  /** the final intervals (with `keepSubdivision`) */
  subdivision?: Subdivision;
}

/**
 * ∫_a^b f(x) dx by adaptive Gauss–Kronrod (G10/K21, or G7/K15 with `rule: 15`), with an error estimate.
 *
 * a, b may be ±∞ (a > b integrates backwards: the value changes sign).
 * Stops when error ≤ max(absTol, relTol·|value|); if that is below the
 * rounding floor 100·eps·∫|f|, the floor is the target (roundoffLimited).
 * Hitting maxIntervals gives converged = false with the best value and its
 * (then larger) error estimate. A NaN or ±∞ integrand value throws
 * NumericalRangeError naming x; bad arguments throw InvalidInputError.
 */
export function integrate(f: (x: number) => number, a: number, b: number, opts: QuadratureOptions = {}): QuadratureResult {
  if (typeof f !== 'function') throw new InvalidInputError('integrate: the integrand must be a function');
  const r = integrateVector(
    (x, out) => {
      out[0] = f(x);
    },
    1,
    a,
    b,
    { ...opts, controlled: 1 },
  );
  return {
    value: r.values[0],
    error: r.errors[0],
    method: r.method,
    converged: r.converged,
    evaluations: r.evaluations,
    intervals: r.intervals,
    roundoffLimited: r.roundoffLimited,
  };
}

/**
 * ∫_a^b f(x) dx for a vector-valued integrand: `f(x, out)` writes the `dim`
 * component values at x into `out` (zeroed before every call, so components
 * that are 0 may be left alone). One subdivision serves all components; the
 * interval with the largest error relative to its component's tolerance is
 * bisected while some controlled component j has total error above
 * max(absTol, relTol·|I_j|) (raised to the round-off floor 100·eps·∫|f_j| if
 * that is larger, e.g. for a component whose integral cancels to ~0).
 *
 * Meant as a hot path: the working storage comes from a pool (re-entrant:
 * the integrand may itself call integrateVector) and nothing is allocated per
 * node; per call only the two result arrays. Same conventions as `integrate`.
 */
export function integrateVector(
  f: (x: number, out: Float64Array) => void,
  dim: number,
  a: number,
  b: number,
  opts: QuadratureOptions = {},
): VectorQuadratureResult {
  if (typeof f !== 'function') throw new InvalidInputError('integrateVector: the integrand must be a function');
  if (!Number.isInteger(dim) || dim < 1) throw new InvalidInputError(`integrateVector: dim must be a positive integer, got ${dim}`);
  if (typeof a !== 'number' || typeof b !== 'number' || Number.isNaN(a) || Number.isNaN(b)) {
    throw new InvalidInputError(`integration limits must be numbers (±Infinity allowed), got ${a} and ${b}`);
  }
  const absTol = opts.absTol ?? 1e-12;
  const relTol = opts.relTol ?? 1e-10;
  const maxIntervals = opts.maxIntervals ?? 2000;
  const controlled = opts.controlled ?? dim;
  if (!(absTol >= 0) || !Number.isFinite(absTol)) throw new InvalidInputError(`absTol must be a finite number >= 0, got ${absTol}`);
  if (!(relTol >= 0) || !Number.isFinite(relTol)) throw new InvalidInputError(`relTol must be a finite number >= 0, got ${relTol}`);
  if (!Number.isInteger(maxIntervals) || maxIntervals < 1) throw new InvalidInputError(`maxIntervals must be a positive integer, got ${maxIntervals}`);
  if (!Number.isInteger(controlled) || controlled < 1 || controlled > dim) {
    throw new InvalidInputError(`controlled must be an integer in [1, ${dim}], got ${controlled}`);
  }
  if (opts.relativeTo !== undefined && opts.relativeTo !== 'value' && opts.relativeTo !== 'magnitude') {
    throw new InvalidInputError(`relativeTo must be 'value' or 'magnitude', got ${String(opts.relativeTo)}`);
  }
  const rule = opts.rule ?? 21;
  if (rule !== 15 && rule !== 21) throw new InvalidInputError(`rule must be 15 or 21, got ${String(opts.rule)}`);

  const values = new Float64Array(dim);
  const errors = new Float64Array(dim);
  let sign = 1;
  if (a > b) {
    const t = a;
    a = b;
    b = t;
    sign = -1;
  }
  if (a === b) return { values, errors, evaluations: 0, intervals: 0, converged: true, roundoffLimited: false, method: rule === 15 ? METHOD15 : METHOD };

  // interval ends: a, the breakpoints strictly inside, b; (−∞, ∞) needs a finite anchor
  const inner: number[] = [];
  for (const p of opts.breakpoints ?? []) {
    if (typeof p !== 'number' || Number.isNaN(p)) throw new InvalidInputError(`breakpoints must be numbers, got ${p}`);
    if (p > a && p < b && Number.isFinite(p)) inner.push(p);
  }
  inner.sort((x, y) => x - y);
  const ends = [a];
  for (const p of inner) if (p !== ends[ends.length - 1]) ends.push(p);
  if (a === -Infinity && b === Infinity && ends.length === 1) ends.push(0);
  ends.push(b);

  const seed = opts.startFrom && opts.startFrom.a === a && opts.startFrom.b === b && opts.startFrom.rule === rule ? opts.startFrom : undefined;
  const initial = seed ? seed.lo.length : ends.length - 1;
  const ws = acquire(dim, Math.max(initial, Math.min(maxIntervals, 64)));
  try {
    const r = run(ws, f, dim, ends, seed, absTol, relTol, Math.max(maxIntervals, initial), controlled, sign, values, errors, opts.relativeTo === 'magnitude', rule === 15 ? K15 : K21);
    if (opts.keepSubdivision) {
      const n = r.intervals;
      r.subdivision = { a, b, rule, lo: ws.lo.slice(0, n), hi: ws.hi.slice(0, n), kind: ws.kind.slice(0, n), origin: ws.origin.slice(0, n) };
    }
    return r;
  } finally {
    release(ws);
  }
}

/**
 * Σ w_i f(m + h x_i)·h for a fixed rule on [−1, 1] (e.g. gaussLegendre(n))
 * mapped to the finite interval [a, b], m = (a + b)/2, h = (b − a)/2. No error
 * estimate; NaN/±∞ integrand values throw NumericalRangeError.
 */
export function integrateFixed(
  f: (x: number) => number,
  a: number,
  b: number,
  rule: { readonly nodes: ArrayLike<number>; readonly weights: ArrayLike<number> },
): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new InvalidInputError(`integrateFixed needs finite limits, got ${a} and ${b}`);
  const m = 0.5 * a + 0.5 * b;
  const h = 0.5 * b - 0.5 * a;
  let s = 0;
  for (let i = 0; i < rule.nodes.length; i++) {
    const x = m + h * rule.nodes[i];
    const v = f(x);
    if (!Number.isFinite(v)) throw new NumericalRangeError(`integrand is ${v} at x = ${x}`);
    s += rule.weights[i] * v;
  }
  return s * h;
}

// ------------------------------------------------------------------ internals

/** Interval kinds: finite (x = t), or mapped from t ∈ (0, 1]: x = origin ± (1 − t)/t. */
const FINITE = 0;
const RIGHT_INFINITE = 1;
const LEFT_INFINITE = -1;

/** Preallocated storage of one integration; reused through `pool`. */
class Workspace {
  dim = 0;
  cap = 0;
  lo = new Float64Array(0);
  hi = new Float64Array(0);
  origin = new Float64Array(0);
  kind = new Int8Array(0);
  /** 1 for intervals too small to bisect */
  stuck = new Uint8Array(0);
  /** per interval and component (interval-major): estimate, error, ∫|f| */
  val = new Float64Array(0);
  err = new Float64Array(0);
  abs = new Float64Array(0);
  prio = new Float64Array(0);
  heap = new Int32Array(0);
  heapSize = 0;
  /** integrand values (times the Jacobian) at the 21 nodes, component-major (j·21 + node) */
  fx = new Float64Array(0);
  out = new Float64Array(0);
  totVal = new Float64Array(0);
  totErr = new Float64Array(0);
  totAbs = new Float64Array(0);
  target = new Float64Array(0);
  /** the targets the heap priorities were computed with */
  prioTarget = new Float64Array(0);

  reset(dim: number, cap: number): void {
    if (dim !== this.dim) {
      this.dim = dim;
      this.fx = new Float64Array(21 * dim);
      this.out = new Float64Array(dim);
      this.totVal = new Float64Array(dim);
      this.totErr = new Float64Array(dim);
      this.totAbs = new Float64Array(dim);
      this.target = new Float64Array(dim);
      this.prioTarget = new Float64Array(dim);
      this.cap = 0;
    }
    if (cap > this.cap) this.grow(cap, 0);
    this.heapSize = 0;
  }

  /** Enlarge to `cap` intervals, keeping the first `keep`. */
  grow(cap: number, keep: number): void {
    const d = this.dim;
    const copy = <T extends Float64Array | Int8Array | Uint8Array | Int32Array>(old: T, make: (n: number) => T, per: number): T => {
      const next = make(cap * per);
      next.set(old.subarray(0, keep * per));
      return next;
    };
    const f64 = (n: number) => new Float64Array(n);
    this.lo = copy(this.lo, f64, 1);
    this.hi = copy(this.hi, f64, 1);
    this.origin = copy(this.origin, f64, 1);
    this.kind = copy(this.kind, (n) => new Int8Array(n), 1);
    this.stuck = copy(this.stuck, (n) => new Uint8Array(n), 1);
    this.val = copy(this.val, f64, d);
    this.err = copy(this.err, f64, d);
    this.abs = copy(this.abs, f64, d);
    this.prio = copy(this.prio, f64, 1);
    this.heap = copy(this.heap, (n) => new Int32Array(n), 1);
    this.cap = cap;
  }
}

const pool: Workspace[] = [];

function acquire(dim: number, cap: number): Workspace {
  const ws = pool.pop() ?? new Workspace();
  ws.reset(dim, cap);
  return ws;
}

function release(ws: Workspace): void {
  if (pool.length < 16) pool.push(ws);
}

function run(
  ws: Workspace,
  f: (x: number, out: Float64Array) => void,
  dim: number,
  ends: number[],
  seed: Subdivision | undefined,
  absTol: number,
  relTol: number,
  maxIntervals: number,
  controlled: number,
  sign: number,
  values: Float64Array,
  errors: Float64Array,
  ofMagnitude: boolean,
  panelRule: PanelRule,
): VectorQuadratureResult {
  const perPanel = 2 * panelRule.n + 1;
  let count = 0;
  let evaluations = 0;
  if (seed) {
    for (let i = 0; i < seed.lo.length; i++) {
      setInterval(ws, count, seed.lo[i], seed.hi[i], seed.kind[i], seed.origin[i]);
      kronrod(ws, f, count, panelRule);
      evaluations += perPanel;
      count++;
    }
  } else {
    for (let i = 0; i + 1 < ends.length; i++) {
      const lo = ends[i];
      const hi = ends[i + 1];
      if (lo === -Infinity) setInterval(ws, count, 0, 1, LEFT_INFINITE, hi);
      else if (hi === Infinity) setInterval(ws, count, 0, 1, RIGHT_INFINITE, lo);
      else setInterval(ws, count, lo, hi, FINITE, 0);
      kronrod(ws, f, count, panelRule);
      evaluations += perPanel;
      count++;
    }
  }
  resum(ws, count);

  const { totVal, totErr, totAbs, target, prioTarget } = ws;
  let converged = false;
  let roundoffLimited = false;
  let sinceResum = 0;
  let heapValid = false;
  for (;;) {
    // targets and the convergence test, on the running totals
    let done = true;
    let retarget = !heapValid;
    roundoffLimited = false;
    for (let j = 0; j < controlled; j++) {
      const tol = Math.max(absTol, relTol * (ofMagnitude ? totAbs[j] : Math.abs(totVal[j])));
      const floor = ROUNDOFF_TARGET * totAbs[j];
      const t = Math.max(tol, floor);
      if (floor > tol) roundoffLimited = true;
      target[j] = t;
      if (!(totErr[j] <= t)) done = false;
      // priorities are relative to the targets; re-key the heap when one moved by > 2×
      const ratio = t / prioTarget[j];
      if (t !== prioTarget[j] && !(ratio <= 2 && ratio >= 0.5)) retarget = true;
    }
    if (done) {
      if (sinceResum === 0) {
        converged = true;
        break;
      }
      // confirm on exactly recomputed totals (running sums drift by rounding)
      resum(ws, count);
      sinceResum = 0;
      continue;
    }
    if (count >= maxIntervals) break;
    if (retarget) {
      prioTarget.set(target);
      for (let i = 0; i < count; i++) ws.prio[i] = priority(ws, i, controlled);
      heapify(ws, count);
      heapValid = true;
    }
    const worst = ws.heap[0];
    if (!(ws.prio[worst] > 0)) break; // nothing left that can be refined
    popHeap(ws);
    const lo = ws.lo[worst];
    const hi = ws.hi[worst];
    const mid = 0.5 * lo + 0.5 * hi;
    const kind = ws.kind[worst];
    if (!(mid > lo && mid < hi) || (kind !== FINITE && mid < MIN_MAPPED_T)) {
      // at the resolution limit: keep its contribution, never select it again
      ws.stuck[worst] = 1;
      ws.prio[worst] = -1;
      pushHeap(ws, worst);
      continue;
    }
    if (count === ws.cap) ws.grow(Math.min(2 * ws.cap, maxIntervals), count);
    const origin = ws.origin[worst];
    // subtract the parent from the running totals, evaluate the halves, add them
    const base = worst * dim;
    for (let j = 0; j < dim; j++) {
      totVal[j] -= ws.val[base + j];
      totErr[j] -= ws.err[base + j];
      totAbs[j] -= ws.abs[base + j];
    }
    setInterval(ws, worst, lo, mid, kind, origin);
    setInterval(ws, count, mid, hi, kind, origin);
    kronrod(ws, f, worst, panelRule);
    kronrod(ws, f, count, panelRule);
    evaluations += 2 * perPanel;
    for (let half = 0; half < 2; half++) {
      const i = half === 0 ? worst : count;
      const bi = i * dim;
      for (let j = 0; j < dim; j++) {
        totVal[j] += ws.val[bi + j];
        totErr[j] += ws.err[bi + j];
        totAbs[j] += ws.abs[bi + j];
      }
      ws.prio[i] = priority(ws, i, controlled);
      pushHeap(ws, i);
    }
    count++;
    if (++sinceResum >= RESUM_EVERY) {
      resum(ws, count);
      sinceResum = 0;
    }
  }
  if (sinceResum > 0) resum(ws, count);
  for (let j = 0; j < dim; j++) {
    values[j] = sign * totVal[j];
    errors[j] = totErr[j];
  }
  return { values, errors, evaluations, intervals: count, converged, roundoffLimited, method: perPanel === 15 ? METHOD15 : METHOD };
}

function setInterval(ws: Workspace, i: number, lo: number, hi: number, kind: number, origin: number): void {
  ws.stuck[i] = 0;
  ws.lo[i] = lo;
  ws.hi[i] = hi;
  ws.kind[i] = kind;
  ws.origin[i] = origin;
}

/** Largest error-to-target ratio over the controlled components (∞ if a target is 0 but the error is not). */
function priority(ws: Workspace, i: number, controlled: number): number {
  if (ws.stuck[i]) return -1;
  let p = 0;
  const base = i * ws.dim;
  for (let j = 0; j < controlled; j++) {
    const e = ws.err[base + j];
    const t = ws.prioTarget[j];
    const r = t > 0 ? e / t : e > 0 ? Infinity : 0;
    if (r > p) p = r;
  }
  return p;
}

/** Exact totals over the first `count` intervals. */
function resum(ws: Workspace, count: number): void {
  const d = ws.dim;
  ws.totVal.fill(0);
  ws.totErr.fill(0);
  ws.totAbs.fill(0);
  for (let i = 0; i < count; i++) {
    const base = i * d;
    for (let j = 0; j < d; j++) {
      ws.totVal[j] += ws.val[base + j];
      ws.totErr[j] += ws.err[base + j];
      ws.totAbs[j] += ws.abs[base + j];
    }
  }
}

/** Evaluate f at node `slot` (t in the interval's own variable), storing f·dx/dt at fx[j·21 + slot]. */
function evalNode(ws: Workspace, f: (x: number, out: Float64Array) => void, kind: number, origin: number, t: number, slot: number): void {
  const out = ws.out;
  const dim = ws.dim;
  out.fill(0);
  let x = t;
  let jac = 1;
  if (kind !== FINITE) {
    const u = (1 - t) / t;
    x = kind === RIGHT_INFINITE ? origin + u : origin - u;
    jac = 1 / (t * t);
  }
  f(x, out);
  const fx = ws.fx;
  for (let j = 0; j < dim; j++) {
    const v = out[j];
    if (!Number.isFinite(v)) throw new NumericalRangeError(`integrand ${dim > 1 ? `component ${j} ` : ''}is ${v} at x = ${x}`);
    const w = v * jac;
    if (!Number.isFinite(w)) {
      throw new NumericalRangeError(`integrand ${dim > 1 ? `component ${j} ` : ''}times dx/dt of the infinite-range map overflows at x = ${x} (value ${v})`);
    }
    fx[j * 21 + slot] = w;
  }
}

/**
 * A Kronrod panel rule in QUADPACK's layout: the n positive abscissae (descending) and 0, the
 * Kronrod weights of those n + 1, the Gauss weights of the odd abscissae (index k >> 1), and the
 * Gauss weight of the centre (0 where the Gauss rule has no centre node, as G10).
 */
interface PanelRule {
  readonly n: number;
  readonly xgk: Float64Array;
  readonly wgk: Float64Array;
  readonly wg: Float64Array;
  readonly wgCentre: number;
}
const K21: PanelRule = { n: 10, xgk: XGK, wgk: WGK, wg: WG, wgCentre: 0 };
const K15: PanelRule = { n: 7, xgk: XGK15, wgk: WGK15, wg: WG7, wgCentre: WG7[3] };

/**
 * QUADPACK dqk21 (rule K21) or dqk15 (K15) on interval i, all components: slots 0…n−1 at
 * centr − h·xgk[k], n at centr, n+1…2n at centr + h·xgk[k].
 */
function kronrod(ws: Workspace, f: (x: number, out: Float64Array) => void, i: number, rule: PanelRule): void {
  const { n, xgk, wgk, wg, wgCentre } = rule;
  const dim = ws.dim;
  const lo = ws.lo[i];
  const hi = ws.hi[i];
  const kind = ws.kind[i];
  const origin = ws.origin[i];
  const centr = 0.5 * lo + 0.5 * hi;
  const hlgth = 0.5 * hi - 0.5 * lo;
  for (let k = 0; k < n; k++) {
    const dx = hlgth * xgk[k];
    evalNode(ws, f, kind, origin, centr - dx, k);
    evalNode(ws, f, kind, origin, centr + dx, n + 1 + k);
  }
  evalNode(ws, f, kind, origin, centr, n);
  const fx = ws.fx;
  const absH = Math.abs(hlgth);
  const base = i * dim;
  for (let j = 0; j < dim; j++) {
    const o = j * 21;
    const fc = fx[o + n];
    let resk = wgk[n] * fc;
    let resabs = Math.abs(resk);
    let resg = wgCentre * fc;
    for (let k = 0; k < n; k++) {
      const f1 = fx[o + k];
      const f2 = fx[o + n + 1 + k];
      resk += wgk[k] * (f1 + f2);
      resabs += wgk[k] * (Math.abs(f1) + Math.abs(f2));
      if (k & 1) resg += wg[k >> 1] * (f1 + f2);
    }
    const reskh = 0.5 * resk;
    let resasc = wgk[n] * Math.abs(fc - reskh);
    for (let k = 0; k < n; k++) resasc += wgk[k] * (Math.abs(fx[o + k] - reskh) + Math.abs(fx[o + n + 1 + k] - reskh));
    resabs *= absH;
    resasc *= absH;
    let err = Math.abs((resk - resg) * hlgth);
    if (resasc !== 0 && err !== 0) {
      const r = (200 * err) / resasc;
      err = r < 1 ? resasc * r * Math.sqrt(r) : resasc; // resasc·min(1, r^{3/2})
    }
    if (resabs > UFLOW / (50 * EPS)) err = Math.max(50 * EPS * resabs, err);
    ws.val[base + j] = resk * hlgth;
    ws.err[base + j] = err;
    ws.abs[base + j] = resabs;
  }
}

// binary max-heap of interval indices keyed by ws.prio

function heapify(ws: Workspace, count: number): void {
  const h = ws.heap;
  for (let i = 0; i < count; i++) h[i] = i;
  ws.heapSize = count;
  for (let i = (count >> 1) - 1; i >= 0; i--) siftDown(ws, i);
}

function pushHeap(ws: Workspace, idx: number): void {
  const h = ws.heap;
  const p = ws.prio;
  let i = ws.heapSize++;
  const key = p[idx];
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (p[h[parent]] >= key) break;
    h[i] = h[parent];
    i = parent;
  }
  h[i] = idx;
}

function popHeap(ws: Workspace): void {
  const h = ws.heap;
  const last = h[--ws.heapSize];
  if (ws.heapSize > 0) {
    h[0] = last;
    siftDown(ws, 0);
  }
}

function siftDown(ws: Workspace, i: number): void {
  const h = ws.heap;
  const p = ws.prio;
  const n = ws.heapSize;
  const idx = h[i];
  const key = p[idx];
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && p[h[c + 1]] > p[h[c]]) c++;
    if (p[h[c]] <= key) break;
    h[i] = h[c];
    i = c;
  }
  h[i] = idx;
}
