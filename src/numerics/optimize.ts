/**
 * Local minimisers: a gradient-free Nelder–Mead simplex method and L-BFGS with
 * a strong-Wolfe line search. Both minimise; both return the best point found
 * with `converged` saying whether the stopping test was met (they never throw
 * for slow progress — only for invalid arguments).
 */
import { InvalidInputError } from '../errors.ts';

export interface OptimizeResult {
  x: Float64Array;
  value: number;
  iterations: number;
  /** objective evaluations (for lbfgs: value-and-gradient evaluations) */
  evaluations: number;
  converged: boolean;
  message: string;
}

export interface NelderMeadOptions {
  /** stop when max_i |f_i − f_best| ≤ fTol·max(1, |f_best|) over the vertices … (default 1e−10) */
  fTol?: number;
  /** … and max_i ‖x_i − x_best‖∞ ≤ xTol·max(1, ‖x_best‖∞) (default 1e−8) */
  xTol?: number;
  /** iteration limit over all restarts (default 200·n + 200) */
  maxIterations?: number;
  /** evaluation limit (default ∞) */
  maxEvaluations?: number;
  /** initial simplex: x0 + step_i·e_i; a number or one per coordinate (default 0.1·max(1, |x0_i|)) */
  initialStep?: number | readonly number[];
  /**
   * restarts from the converged point with a fresh simplex of the initial size
   * (guards against a collapsed simplex: Nelder–Mead can stall at a
   * non-stationary point; Lagarias et al. 1998, McKinnon 1998). A restart that
   * improves f by no more than fTol·max(1, |f|) ends the run (default 0)
   */
  restarts?: number;
}

/**
 * Nelder–Mead simplex minimisation of f: R^n → R with the dimension-adaptive
 * coefficients of Gao & Han (Comput. Optim. Appl. 51 (2012) 259–277):
 * reflection α = 1, expansion β = 1 + 2/n, contraction γ = 3/4 − 1/(2n),
 * shrink δ = 1 − 1/n (for n = 1, where δ would be 0, the standard 1, 2, ½, ½).
 * Each iteration follows Lagarias et al. (SIAM J. Optim. 9 (1998) 112–147):
 * reflect; expand if the reflection is the new best; outside/inside
 * contraction; otherwise shrink towards the best vertex.
 *
 * Stops (converged = true) when both the spread of f over the vertices and the
 * simplex size are below tolerance (see NelderMeadOptions). NaN and ±∞
 * objective values are treated as +∞, so the simplex retreats from regions
 * where f is undefined; at least one vertex of the initial simplex must give a
 * finite value (else InvalidInputError).
 */
export function nelderMead(f: (x: Float64Array) => number, x0: ArrayLike<number>, opts: NelderMeadOptions = {}): OptimizeResult {
  const n = x0.length;
  if (n < 1) throw new InvalidInputError('nelderMead needs at least one variable');
  for (let i = 0; i < n; i++) if (!Number.isFinite(x0[i])) throw new InvalidInputError(`nelderMead: x0[${i}] must be finite, got ${x0[i]}`);
  const fTol = opts.fTol ?? 1e-10;
  const xTol = opts.xTol ?? 1e-8;
  const maxIterations = opts.maxIterations ?? 200 * n + 200;
  const maxEvaluations = opts.maxEvaluations ?? Infinity;
  const restarts = opts.restarts ?? 0;
  if (!(fTol >= 0) || !(xTol >= 0)) throw new InvalidInputError('nelderMead: fTol and xTol must be >= 0');
  if (!(maxIterations >= 0)) throw new InvalidInputError('nelderMead: maxIterations must be >= 0');
  const step = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = typeof opts.initialStep === 'number' ? opts.initialStep : opts.initialStep ? opts.initialStep[i] : 0.1 * Math.max(1, Math.abs(x0[i]));
    if (!Number.isFinite(s) || s === 0) throw new InvalidInputError(`nelderMead: initial step ${i} must be finite and nonzero, got ${s}`);
    step[i] = s;
  }
  const alpha = 1;
  const beta = n > 1 ? 1 + 2 / n : 2;
  const gamma = n > 1 ? 0.75 - 1 / (2 * n) : 0.5;
  const delta = n > 1 ? 1 - 1 / n : 0.5;

  let evaluations = 0;
  const F = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity; // NaN and ±∞ alike: "worse than anything"
  };

  // simplex[0..n] with values fv; kept sorted by value (best first)
  const simplex: Float64Array[] = [];
  const fv = new Float64Array(n + 1);
  const centroid = new Float64Array(n);
  // trial points; an accepted trial vector is swapped into the simplex (no allocation per iteration)
  let xr: Float64Array = new Float64Array(n);
  let xe: Float64Array = new Float64Array(n);
  let xc: Float64Array = new Float64Array(n);
  const build = (base: ArrayLike<number>) => {
    simplex.length = 0;
    simplex.push(Float64Array.from(base));
    for (let i = 0; i < n; i++) {
      const v = Float64Array.from(base);
      v[i] += step[i];
      simplex.push(v);
    }
    for (let i = 0; i <= n; i++) fv[i] = F(simplex[i]);
    sortSimplex(simplex, fv);
  };
  build(x0);
  if (fv[0] === Infinity) throw new InvalidInputError('nelderMead: the objective is not finite at any vertex of the initial simplex');

  let iterations = 0;
  let converged = false;
  let restartsLeft = restarts;
  let lastConverged = NaN; // f at the previous convergence (before a restart)
  let message = '';
  for (;;) {
    // convergence test on the sorted simplex
    const fBest = fv[0];
    const spread = fv[n] - fBest;
    let size = 0;
    let scale = 1;
    for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(simplex[0][j]));
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(simplex[i][j] - simplex[0][j]));
    if (spread <= fTol * Math.max(1, Math.abs(fBest)) && size <= xTol * scale) {
      const gained = !(lastConverged - fBest <= fTol * Math.max(1, Math.abs(fBest))); // true on the first convergence
      if (restartsLeft > 0 && gained) {
        restartsLeft--;
        lastConverged = fBest;
        build(Float64Array.from(simplex[0]));
        continue;
      }
      converged = true;
      message = 'converged: simplex size and value spread below tolerance';
      break;
    }
    if (iterations >= maxIterations) {
      message = `stopped at maxIterations = ${maxIterations}`;
      break;
    }
    if (evaluations >= maxEvaluations) {
      message = `stopped at maxEvaluations = ${maxEvaluations}`;
      break;
    }
    iterations++;

    centroid.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i][j];
    for (let j = 0; j < n; j++) centroid[j] /= n;
    const worst = simplex[n];
    for (let j = 0; j < n; j++) xr[j] = centroid[j] + alpha * (centroid[j] - worst[j]);
    const fr = F(xr);
    if (fr < fv[0]) {
      for (let j = 0; j < n; j++) xe[j] = centroid[j] + beta * (xr[j] - centroid[j]);
      const fe = F(xe);
      if (fe < fr) [xe, simplex[n]] = [simplex[n], xe];
      else [xr, simplex[n]] = [simplex[n], xr];
      fv[n] = Math.min(fe, fr);
    } else if (fr < fv[n - 1]) {
      [xr, simplex[n]] = [simplex[n], xr];
      fv[n] = fr;
    } else {
      const outside = fr < fv[n];
      // outside: towards the reflected point; inside: towards the worst vertex
      const from = outside ? xr : worst;
      for (let j = 0; j < n; j++) xc[j] = centroid[j] + gamma * (from[j] - centroid[j]);
      const fc = F(xc);
      if (outside ? fc <= fr : fc < fv[n]) {
        [xc, simplex[n]] = [simplex[n], xc];
        fv[n] = fc;
      } else {
        for (let i = 1; i <= n; i++) {
          for (let j = 0; j < n; j++) simplex[i][j] = simplex[0][j] + delta * (simplex[i][j] - simplex[0][j]);
          fv[i] = F(simplex[i]);
        }
      }
    }
    sortSimplex(simplex, fv);
  }
  return { x: Float64Array.from(simplex[0]), value: fv[0], iterations, evaluations, converged, message };
}

/** Insertion sort of the vertices by value (n + 1 is small; mostly one element is out of place). */
function sortSimplex(simplex: Float64Array[], fv: Float64Array): void {
  for (let i = 1; i < fv.length; i++) {
    const v = fv[i];
    const x = simplex[i];
    let k = i - 1;
    while (k >= 0 && fv[k] > v) {
      fv[k + 1] = fv[k];
      simplex[k + 1] = simplex[k];
      k--;
    }
    fv[k + 1] = v;
    simplex[k + 1] = x;
  }
}

export interface LbfgsOptions {
  /** stop when ‖∇f‖∞ ≤ gTol·max(1, |f|) (default 1e−8) */
  gTol?: number;
  /** stop when an iteration decreases f by ≤ fTol·max(|f_old|, |f_new|), i.e. at the rounding level of f (default 1e−15) */
  fTol?: number;
  /** default 1000 */
  maxIterations?: number;
  /** history pairs kept (default m = 10) */
  memory?: number;
  /** strong-Wolfe constants (defaults c1 = 1e−4, c2 = 0.9) */
  c1?: number;
  c2?: number;
}

/**
 * L-BFGS minimisation (Nocedal & Wright, Numerical Optimization, 2nd ed.,
 * Alg. 7.4/7.5: two-loop recursion with H₀ = (sᵀy/yᵀy)·I, memory m = 10) with
 * the strong-Wolfe line search of Alg. 3.5/3.6 (c1 = 1e−4, c2 = 0.9; zoom by
 * safeguarded cubic interpolation). `fg(x, grad)` returns f(x) and writes
 * ∇f(x) into `grad`.
 *
 * Stops (converged = true) when ‖∇f‖∞ ≤ gTol·max(1, |f|) or when an iteration
 * reduces f by no more than fTol·|f| (progress at the rounding level of f);
 * otherwise at maxIterations or when the line search cannot make progress
 * even along steepest descent (converged = false, with the reason in
 * `message`). Non-finite f or ∇f at a trial point (e.g. outside the domain)
 * counts as "too far": the line search shrinks the step. The starting point
 * must give finite values (else InvalidInputError).
 */
export function lbfgs(fg: (x: Float64Array, grad: Float64Array) => number, x0: ArrayLike<number>, opts: LbfgsOptions = {}): OptimizeResult {
  const n = x0.length;
  if (n < 1) throw new InvalidInputError('lbfgs needs at least one variable');
  const gTol = opts.gTol ?? 1e-8;
  const fTol = opts.fTol ?? 1e-15;
  const maxIterations = opts.maxIterations ?? 1000;
  const m = opts.memory ?? 10;
  const c1 = opts.c1 ?? 1e-4;
  const c2 = opts.c2 ?? 0.9;
  if (!(gTol >= 0) || !(fTol >= 0)) throw new InvalidInputError('lbfgs: gTol and fTol must be >= 0');
  if (!Number.isInteger(m) || m < 1) throw new InvalidInputError(`lbfgs: memory must be a positive integer, got ${m}`);
  if (!(0 < c1 && c1 < c2 && c2 < 1)) throw new InvalidInputError(`lbfgs: need 0 < c1 < c2 < 1, got c1 = ${c1}, c2 = ${c2}`);

  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let fx = fg(x, g);
  let evaluations = 1;
  if (!Number.isFinite(fx) || !allFinite(g)) throw new InvalidInputError('lbfgs: objective or gradient is not finite at the starting point');

  // history as a ring buffer of m pairs
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alphas = new Float64Array(m);
  let stored = 0;
  let newest = -1;
  const d = new Float64Array(n);
  const ls = new LineSearch(n, fg, c1, c2);

  let iterations = 0;
  let converged = false;
  let message = `stopped at maxIterations = ${maxIterations}`;
  while (iterations < maxIterations) {
    if (normInf(g) <= gTol * Math.max(1, Math.abs(fx))) {
      converged = true;
      message = 'converged: gradient norm below tolerance';
      break;
    }
    // two-loop recursion: d = −H·g
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let c = 0; c < stored; c++) {
      const k = (newest - c + m) % m;
      const a = rho[k] * dot(S[k], d);
      alphas[k] = a;
      axpy(-a, Y[k], d);
    }
    if (stored > 0) {
      const k = newest;
      const gammaK = dot(S[k], Y[k]) / dot(Y[k], Y[k]);
      for (let i = 0; i < n; i++) d[i] *= gammaK;
    }
    for (let c = stored - 1; c >= 0; c--) {
      const k = (newest - c + m) % m;
      const b = rho[k] * dot(Y[k], d);
      axpy(alphas[k] - b, S[k], d);
    }
    let dg = dot(d, g);
    let firstStep = 1;
    if (!(dg < 0) || stored === 0) {
      // first iteration, or the curvature pairs no longer give a descent direction:
      // steepest descent with a unit-length first step (N&W §3.5)
      stored = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      dg = dot(d, g);
      firstStep = Math.min(1, 1 / normInf(g));
    }
    let step = ls.search(x, fx, g, d, dg, firstStep);
    evaluations += ls.evaluations;
    if (step === 0 && stored > 0) {
      // retry once along steepest descent with the memory cleared
      stored = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      dg = dot(d, g);
      step = ls.search(x, fx, g, d, dg, Math.min(1, 1 / normInf(g)));
      evaluations += ls.evaluations;
    }
    if (step === 0) {
      message = 'line search could not decrease f along steepest descent';
      break;
    }
    iterations++;
    const k = (newest + 1) % m;
    for (let i = 0; i < n; i++) {
      S[k][i] = ls.xNew[i] - x[i];
      Y[k][i] = ls.gNew[i] - g[i];
    }
    const sy = dot(S[k], Y[k]);
    const fOld = fx;
    x.set(ls.xNew);
    g.set(ls.gNew);
    fx = ls.fNew;
    // the strong-Wolfe step guarantees sᵀy > 0 in exact arithmetic; skip pairs spoilt by rounding
    if (sy > Number.EPSILON * Math.sqrt(dot(S[k], S[k]) * dot(Y[k], Y[k]))) {
      rho[k] = 1 / sy;
      newest = k;
      stored = Math.min(stored + 1, m);
    }
    if (fOld - fx <= fTol * Math.max(Math.abs(fOld), Math.abs(fx))) {
      converged = true;
      message = 'converged: relative decrease of f below tolerance';
      break;
    }
  }
  return { x, value: fx, iterations, evaluations, converged, message };
}

/**
 * Strong-Wolfe line search (Nocedal & Wright Alg. 3.5 with zoom Alg. 3.6):
 * finds α with φ(α) ≤ φ(0) + c1·α·φ′(0) and |φ′(α)| ≤ c2·|φ′(0)|, φ(α) = f(x + α·d).
 * Non-finite φ or φ′ is treated as a failed sufficient-decrease test, so the
 * interval shrinks towards the last good point. Returns α (0 if no decrease
 * was found); the point, value and gradient at α are left in xNew/fNew/gNew.
 */
class LineSearch {
  readonly xNew: Float64Array;
  readonly gNew: Float64Array;
  fNew = 0;
  evaluations = 0;
  private readonly xt: Float64Array;
  private readonly gt: Float64Array;

  constructor(
    private readonly n: number,
    private readonly fg: (x: Float64Array, grad: Float64Array) => number,
    private readonly c1: number,
    private readonly c2: number,
  ) {
    this.xNew = new Float64Array(n);
    this.gNew = new Float64Array(n);
    this.xt = new Float64Array(n);
    this.gt = new Float64Array(n);
  }

  /** φ(α) and φ′(α) at a trial step, into xt/gt; non-finite values become (+∞, NaN). */
  private phi(x: Float64Array, d: Float64Array, a: number): { f: number; df: number } {
    for (let i = 0; i < this.n; i++) this.xt[i] = x[i] + a * d[i];
    const f = this.fg(this.xt, this.gt);
    this.evaluations++;
    const df = dot(this.gt, d);
    if (!Number.isFinite(f) || !Number.isFinite(df)) return { f: Infinity, df: NaN };
    return { f, df };
  }

  /** Remember the trial point as the current best acceptable point. */
  private accept(f: number): void {
    this.xNew.set(this.xt);
    this.gNew.set(this.gt);
    this.fNew = f;
  }

  search(x: Float64Array, f0: number, _g0: Float64Array, d: Float64Array, df0: number, firstStep: number): number {
    this.evaluations = 0;
    const { c1, c2 } = this;
    const maxSteps = 60;
    let aPrev = 0;
    let fPrev = f0;
    let dfPrev = df0;
    let a = firstStep;
    for (let i = 0; i < maxSteps; i++) {
      const p = this.phi(x, d, a);
      if (p.f > f0 + c1 * a * df0 || (i > 0 && p.f >= fPrev)) return this.zoom(x, d, f0, df0, aPrev, fPrev, dfPrev, a, p.f, p.df);
      if (Math.abs(p.df) <= -c2 * df0) {
        this.accept(p.f);
        return a;
      }
      if (p.df >= 0) {
        this.accept(p.f); // a satisfies sufficient decrease and becomes lo
        return this.zoom(x, d, f0, df0, a, p.f, p.df, aPrev, fPrev, dfPrev);
      }
      // still descending with sufficient decrease: extrapolate
      this.accept(p.f);
      aPrev = a;
      fPrev = p.f;
      dfPrev = p.df;
      a *= 2;
      if (!Number.isFinite(a)) break;
    }
    return aPrev; // sufficient decrease held at aPrev (accepted above), curvature never did
  }

  /**
   * zoom(lo, hi): lo satisfies sufficient decrease and has the lowest φ so far;
   * φ′(lo)(hi − lo) < 0. Safeguarded cubic interpolation until strong Wolfe holds.
   */
  private zoom(
    x: Float64Array,
    d: Float64Array,
    f0: number,
    df0: number,
    lo: number,
    fLo: number,
    dfLo: number,
    hi: number,
    fHi: number,
    dfHi: number,
  ): number {
    const { c1, c2 } = this;
    // every lo > 0 passed in was accepted by search() (xNew holds it); lo = 0 is x itself
    let haveLo = lo > 0;
    for (let k = 0; k < 60; k++) {
      const left = Math.min(lo, hi);
      const width = Math.abs(hi - lo);
      let a = Number.isFinite(fHi) && !Number.isNaN(dfHi) ? cubicMinimiser(lo, fLo, dfLo, hi, fHi, dfHi) : NaN;
      // safeguard: stay in the middle 80% of the bracket (bisect if interpolation is unusable)
      if (!(a >= left + 0.1 * width && a <= left + 0.9 * width)) a = 0.5 * (lo + hi);
      if (!(a !== lo && a !== hi)) break; // bracket at rounding level
      const p = this.phi(x, d, a);
      if (p.f > f0 + c1 * a * df0 || p.f >= fLo) {
        hi = a;
        fHi = p.f;
        dfHi = p.df;
      } else {
        this.accept(p.f);
        haveLo = true;
        if (Math.abs(p.df) <= -c2 * df0) return a;
        if (p.df * (hi - lo) >= 0) {
          hi = lo;
          fHi = fLo;
          dfHi = dfLo;
        }
        lo = a;
        fLo = p.f;
        dfLo = p.df;
      }
    }
    // no strong-Wolfe point resolved: fall back to the best sufficient-decrease point, if any
    return haveLo && fLo < f0 ? lo : 0;
  }
}

/** Minimiser of the cubic interpolating φ and φ′ at a and b (N&W eq. 3.59); NaN if it has none. */
function cubicMinimiser(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - ga * gb;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (gb + d2 - d1)) / (gb - ga + 2 * d2);
}

function dot(u: Float64Array, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
}

function normInf(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
  return s;
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}
