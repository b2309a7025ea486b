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

/**
 * Eigen-decomposition A = Q diag(λ) Qᵀ of a small symmetric matrix by cyclic
 * Jacobi rotations (Golub & Van Loan, Matrix Computations, 4th ed., §8.5),
 * swept until every off-diagonal entry is below 1e−15·‖A‖_F. Meant for
 * n ≤ ~10 (trust-region subproblems, 3×3 least squares); only the upper
 * triangle is read. Returns the eigenvalues in ascending order and the
 * eigenvectors as the columns of `vectors` (vectors[i][k] = Q_ik).
 */
export function symmetricEigen(a: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const n = a.length;
  const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j >= i ? a[i][j] : a[j][i])));
  for (const row of A) for (const v of row) if (!Number.isFinite(v)) throw new InvalidInputError('symmetricEigen: matrix entries must be finite');
  const Q: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let norm = 0;
  for (const row of A) for (const v of row) norm += v * v;
  norm = Math.sqrt(norm);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off = Math.max(off, Math.abs(A[i][j]));
    if (off <= 1e-15 * norm || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (A[p][q] === 0) continue;
        // rotation zeroing A[p][q] (the smaller root of t² + 2θt − 1 = 0, stable form)
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const qkp = Q[k][p];
          const qkq = Q[k][q];
          Q[k][p] = c * qkp - s * qkq;
          Q[k][q] = s * qkp + c * qkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[i][i] - A[j][j]);
  return { values: order.map((i) => A[i][i]), vectors: Q.map((row) => order.map((i) => row[i])) };
}

export interface BoundedNewtonOptions {
  /** lower bounds (−∞ = none; default all −∞) */
  lower?: readonly number[];
  /** upper bounds (+∞ = none; default all +∞) */
  upper?: readonly number[];
  /** finite-difference step per coordinate (default 1e−4·max(1, |x0_i|)) */
  steps?: readonly number[];
  /** trust-region scale per coordinate: the region is ‖(x − x_k)/scale‖₂ ≤ Δ (default max(1, |x0_i|)) */
  scales?: readonly number[];
  /** initial trust radius Δ in scaled units (default 0.5) */
  initialRadius?: number;
  /** largest trust radius (default 64) */
  maxRadius?: number;
  /** stop when the Newton step on the free coordinates predicts a decrease ½gᵀH⁻¹g ≤ fTol, H positive definite (default 1e−10) */
  fTol?: number;
  /** absolute noise level of f, used in the finite-difference error estimates (default 0) */
  noise?: number;
  /** evaluation limit (default 100·n + 100) */
  maxEvaluations?: number;
  /** iteration (accepted or rejected step) limit (default 200) */
  maxIterations?: number;
}

export interface BoundedNewtonResult extends OptimizeResult {
  /** finite-difference gradient at x; one-sided (second order) for coordinates held at a bound */
  gradient: Float64Array;
  /** error estimate of each gradient entry (difference of first- and second-order formulas, plus noise/h) */
  gradientError: Float64Array;
  /** per coordinate: −1 held at its lower bound, +1 at its upper bound, 0 free */
  atBound: Int8Array;
  /** ½gᵀH⁻¹g over the free coordinates at x: the Newton model's estimate of f(x) − (local minimum); ∞ if H is not positive definite */
  predictedDecrease: number;
  status: 'converged' | 'maxEvaluations' | 'maxIterations' | 'stalled' | 'stopped';
}

/**
 * Bound-constrained trust-region Newton minimisation of a smooth, expensive
 * f: R^n → R (n small) with finite-difference derivatives and a lazy active
 * set ("face first").
 *
 * Derivatives: central differences g_i = (f(x+h_i) − f(x−h_i))/2h_i,
 * H_ii = (f(x+h_i) − 2f(x) + f(x−h_i))/h_i², and one extra point per pair for
 * H_ij; a coordinate within h_i of a bound uses the one-sided second-order
 * formulas g_i = (−3f(x) + 4f(x±h_i) − f(x±2h_i))/(±2h_i). Cost per
 * iteration: 2n + n(n−1)/2 evaluations for the model, one for the trial point.
 *
 * Step: the trust-region subproblem min gᵀp + ½pᵀHp, ‖p/scale‖₂ ≤ Δ, solved
 * exactly on the free coordinates by eigen-decomposition and bisection on
 * the shift (Moré & Sorensen 1983; Nocedal & Wright §4.3), then projected
 * onto the bounds; accepted when the actual decrease is ≥ 0.1 of the
 * predicted one; Δ doubles after a good boundary step and shrinks to a
 * quarter of the step after a rejected one.
 *
 * Active set: coordinates that start at a bound, or land on one, are held
 * there while the free coordinates are minimised. When the free problem has
 * converged, each held coordinate's one-sided derivative (the KKT multiplier)
 * is computed; a coordinate whose derivative points into the feasible region
 * (beyond its error estimate, and worth more than fTol by the 1-D Newton
 * model) is released and the search continues; otherwise the KKT conditions
 * hold and the run has converged. This is what makes a bound such as τ² ≥ 0
 * cheap: the search stays on the face and only verifies the bound.
 *
 * Stops (converged) when ½gᵀH⁻¹g ≤ fTol with H positive definite on the free
 * coordinates and the KKT test passes; otherwise at maxEvaluations,
 * maxIterations, a collapsed trust region (status 'stalled'), or when
 * `stop()` is called on the stepper (status 'stopped'). Non-finite f counts
 * as +∞ (a trial there is rejected). x0 must be finite and give a finite f
 * (else InvalidInputError); it is projected onto the bounds first.
 */
export function boundedNewton(f: (x: Float64Array) => number, x0: ArrayLike<number>, opts: BoundedNewtonOptions = {}): BoundedNewtonResult {
  const stepper = new BoundedNewtonStepper(f, x0, opts);
  while (!stepper.step());
  return stepper.result();
}

/**
 * The iteration of `boundedNewton`, one step at a time, so that several
 * starts can be interleaved (and a start that joins another's basin stopped).
 * `step()` returns true when the run has finished.
 */
export class BoundedNewtonStepper {
  readonly n: number;
  x: Float64Array;
  fx: number;
  evaluations = 0;
  iterations = 0;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  private readonly h: Float64Array;
  private readonly scale: Float64Array;
  private readonly fTol: number;
  private readonly noise: number;
  private readonly maxEvaluations: number;
  private readonly maxIterations: number;
  private readonly maxRadius: number;
  private radius: number;
  private readonly held: Int8Array;
  private readonly gradient: Float64Array;
  private readonly gradientError: Float64Array;
  private predicted = Infinity;
  private finished = false;
  private converged = false;
  private status: BoundedNewtonResult['status'] = 'maxIterations';
  private message = '';
  /** derivatives at the current x (invalidated when x moves) */
  private model: { free: number[]; g: number[]; H: number[][] } | undefined;

  constructor(
    private readonly f: (x: Float64Array) => number,
    x0: ArrayLike<number>,
    opts: BoundedNewtonOptions = {},
  ) {
    const n = x0.length;
    if (n < 1) throw new InvalidInputError('boundedNewton needs at least one variable');
    this.n = n;
    const vec = (v: readonly number[] | undefined, d: (i: number) => number, name: string) => {
      if (v && v.length !== n) throw new InvalidInputError(`boundedNewton: ${name} needs ${n} entries, got ${v.length}`);
      return Float64Array.from({ length: n }, (_, i) => (v ? v[i] : d(i)));
    };
    for (let i = 0; i < n; i++) if (!Number.isFinite(x0[i])) throw new InvalidInputError(`boundedNewton: x0[${i}] must be finite, got ${x0[i]}`);
    this.lower = vec(opts.lower, () => -Infinity, 'lower');
    this.upper = vec(opts.upper, () => Infinity, 'upper');
    this.h = vec(opts.steps, (i) => 1e-4 * Math.max(1, Math.abs(x0[i])), 'steps');
    this.scale = vec(opts.scales, (i) => Math.max(1, Math.abs(x0[i])), 'scales');
    for (let i = 0; i < n; i++) {
      if (!(this.lower[i] < this.upper[i])) throw new InvalidInputError(`boundedNewton: need lower < upper at ${i}`);
      if (!(this.h[i] > 0 && Number.isFinite(this.h[i]))) throw new InvalidInputError(`boundedNewton: steps must be finite and > 0`);
      if (!(this.scale[i] > 0 && Number.isFinite(this.scale[i]))) throw new InvalidInputError(`boundedNewton: scales must be finite and > 0`);
      if (2 * this.h[i] >= this.upper[i] - this.lower[i]) throw new InvalidInputError(`boundedNewton: step ${i} is too large for its bounds`);
    }
    this.fTol = opts.fTol ?? 1e-10;
    this.noise = opts.noise ?? 0;
    this.maxEvaluations = opts.maxEvaluations ?? 100 * n + 100;
    this.maxIterations = opts.maxIterations ?? 200;
    this.radius = opts.initialRadius ?? 0.5;
    this.maxRadius = opts.maxRadius ?? 64;
    if (!(this.fTol >= 0) || !(this.noise >= 0) || !(this.radius > 0) || !(this.maxRadius >= this.radius)) {
      throw new InvalidInputError('boundedNewton: need fTol ≥ 0, noise ≥ 0, 0 < initialRadius ≤ maxRadius');
    }
    this.held = new Int8Array(n);
    this.gradient = new Float64Array(n).fill(NaN);
    this.gradientError = new Float64Array(n).fill(NaN);
    this.x = new Float64Array(n);
    for (let i = 0; i < n; i++) this.x[i] = this.clampSnap(i, x0[i]);
    for (let i = 0; i < n; i++) this.held[i] = this.boundSide(i);
    this.fx = this.F(this.x);
    if (this.fx === Infinity) throw new InvalidInputError('boundedNewton: the objective is not finite at the starting point');
  }

  /** f with non-finite values mapped to +∞, counted */
  private F(x: Float64Array): number {
    this.evaluations++;
    const v = this.f(Float64Array.from(x));
    return Number.isFinite(v) ? v : Infinity;
  }

  /** project onto [lower, upper]; a coordinate within h/2 of a bound is set to the bound (no evaluations in the sliver next to a bound) */
  private clampSnap(i: number, v: number): number {
    const lo = this.lower[i];
    const hi = this.upper[i];
    if (v <= lo + 0.5 * this.h[i]) return lo;
    if (v >= hi - 0.5 * this.h[i]) return hi;
    return v;
  }

  private boundSide(i: number): number {
    return this.x[i] === this.lower[i] ? -1 : this.x[i] === this.upper[i] ? 1 : 0;
  }

  private at(i: number, d: number): Float64Array {
    const y = Float64Array.from(this.x);
    y[i] += d;
    return y;
  }

  /** Finite-difference gradient and Hessian over `free` at x. */
  private derivatives(free: number[]): { g: number[]; H: number[][] } | undefined {
    const k = free.length;
    const g = new Array<number>(k).fill(0);
    const H = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    const dir = new Array<number>(k).fill(0);
    const fPlus = new Array<number>(k).fill(0);
    const f0 = this.fx;
    for (let a = 0; a < k; a++) {
      const i = free[a];
      const h = this.h[i];
      const xi = this.x[i];
      if (xi - h >= this.lower[i] && xi + h <= this.upper[i]) {
        const fp = this.F(this.at(i, h));
        const fm = this.F(this.at(i, -h));
        if (fp === Infinity || fm === Infinity) return undefined;
        g[a] = (fp - fm) / (2 * h);
        H[a][a] = (fp - 2 * f0 + fm) / (h * h);
        dir[a] = h;
        fPlus[a] = fp;
        // central differences are off by O(h²f‴); only the noise term is estimated here
        this.gradientError[i] = this.noise / h;
      } else {
        const s = xi - h < this.lower[i] ? 1 : -1;
        const os = this.oneSided(i, s);
        if (!os) return undefined;
        g[a] = os.g;
        H[a][a] = os.H;
        dir[a] = s * h;
        fPlus[a] = os.f1;
      }
      this.gradient[i] = g[a];
    }
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        const i = free[a];
        const j = free[b];
        const y = this.at(i, dir[a]);
        y[j] += dir[b];
        const fij = this.F(y);
        if (fij === Infinity) return undefined;
        H[a][b] = H[b][a] = (fij - fPlus[a] - fPlus[b] + f0) / (dir[a] * dir[b]);
      }
    }
    return { g, H };
  }

  /** One-sided (direction s = ±1) second-order derivative of coordinate i at x, with an error estimate. */
  private oneSided(i: number, s: number): { g: number; H: number; f1: number } | undefined {
    const h = this.h[i];
    const f0 = this.fx;
    const f1 = this.F(this.at(i, s * h));
    const f2 = this.F(this.at(i, 2 * s * h));
    if (f1 === Infinity || f2 === Infinity) return undefined;
    const g = (s * (-3 * f0 + 4 * f1 - f2)) / (2 * h);
    const g1 = (s * (f1 - f0)) / h;
    this.gradient[i] = g;
    // the first-order formula is off by ≈ h·f''/2, the second-order one by O(h²): their gap bounds the latter
    this.gradientError[i] = Math.abs(g1 - g) + (4 * this.noise) / h;
    return { g, H: (f0 - 2 * f1 + f2) / (h * h), f1 };
  }

  /** Stop the run from outside (e.g. it joined another start's basin). */
  stop(message: string): void {
    if (this.finished) return;
    this.finished = true;
    this.status = 'stopped';
    this.message = message;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Held coordinates: −1 at lower, +1 at upper, 0 free. */
  get atBound(): Int8Array {
    return Int8Array.from(this.held);
  }

  /** One iteration; returns true when finished. */
  step(): boolean {
    if (this.finished) return true;
    if (this.evaluations >= this.maxEvaluations) return this.finish('maxEvaluations', `stopped at maxEvaluations = ${this.maxEvaluations}`);
    if (this.iterations >= this.maxIterations) return this.finish('maxIterations', `stopped at maxIterations = ${this.maxIterations}`);
    const free: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.held[i] === 0) free.push(i);
    if (!this.model) {
      const d = free.length ? this.derivatives(free) : { g: [], H: [] };
      if (!d) return this.finish('stalled', 'the objective is not finite at a finite-difference point');
      this.model = { free, ...d };
    }
    const { g, H } = this.model;
    const k = free.length;
    let freeDone = k === 0;
    if (k > 0) {
      const eig = symmetricEigen(H);
      if (eig.values[0] > 0) {
        let dec = 0;
        for (let c = 0; c < k; c++) {
          let a = 0;
          for (let r = 0; r < k; r++) a += eig.vectors[r][c] * g[r];
          dec += (a * a) / eig.values[c];
        }
        this.predicted = 0.5 * dec;
        freeDone = this.predicted <= this.fTol;
      } else {
        this.predicted = Infinity;
      }
    } else {
      this.predicted = 0;
    }
    if (freeDone) {
      // KKT test of the held coordinates
      let released = false;
      for (let i = 0; i < this.n; i++) {
        const side = this.held[i];
        if (side === 0) continue;
        const os = this.oneSided(i, -side);
        if (!os) return this.finish('stalled', 'the objective is not finite next to a bound');
        // derivative into the feasible region: −side·g < 0 means f decreases moving off the bound
        const inward = -side * os.g;
        const worth = os.H > 0 ? (os.g * os.g) / (2 * os.H) : Infinity;
        if (inward < -this.gradientError[i] && worth > this.fTol) {
          this.held[i] = 0;
          released = true;
        }
      }
      if (!released) {
        this.converged = true;
        return this.finish('converged', 'converged: Newton decrease below fTol on the free coordinates, KKT conditions hold at the bounds');
      }
      this.model = undefined;
      this.iterations++;
      return false;
    }
    // trust-region step on the free coordinates (scaled)
    const sc = free.map((i) => this.scale[i]);
    const gu = g.map((v, a) => v * sc[a]);
    const Hu = H.map((row, a) => row.map((v, b) => v * sc[a] * sc[b]));
    const pu = trustRegionStep(gu, Hu, this.radius);
    const xNew = Float64Array.from(this.x);
    for (let a = 0; a < k; a++) xNew[free[a]] = this.clampSnap(free[a], this.x[free[a]] + pu[a] * sc[a]);
    const p = free.map((i) => xNew[i] - this.x[i]);
    let pred = 0;
    for (let a = 0; a < k; a++) {
      pred -= g[a] * p[a];
      for (let b = 0; b < k; b++) pred -= 0.5 * p[a] * H[a][b] * p[b];
    }
    const pNorm = Math.hypot(...p.map((v, a) => v / sc[a]));
    this.iterations++;
    if (pNorm === 0) return this.finish('stalled', 'the projected step is zero');
    const fNew = this.F(xNew);
    const actual = this.fx - fNew;
    const rho = pred > 0 ? actual / pred : actual > 0 ? 1 : -1;
    if (actual > 0 && rho > 0.1) {
      this.x = xNew;
      this.fx = fNew;
      this.model = undefined;
      for (const i of free) this.held[i] = this.boundSide(i);
      if (rho > 0.75 && pNorm >= 0.9 * this.radius) this.radius = Math.min(2 * this.radius, this.maxRadius);
    } else {
      this.radius = 0.25 * pNorm;
      const minRadius = Math.min(...free.map((i) => this.h[i] / this.scale[i]));
      if (this.radius < minRadius) {
        return this.finish('stalled', `trust region collapsed below the finite-difference step (predicted decrease ${this.predicted.toExponential(2)})`);
      }
    }
    return false;
  }

  private finish(status: BoundedNewtonResult['status'], message: string): true {
    this.finished = true;
    this.status = status;
    this.message = message;
    return true;
  }

  result(): BoundedNewtonResult {
    return {
      x: Float64Array.from(this.x),
      value: this.fx,
      iterations: this.iterations,
      evaluations: this.evaluations,
      converged: this.converged,
      message: this.message,
      gradient: Float64Array.from(this.gradient),
      gradientError: Float64Array.from(this.gradientError),
      atBound: Int8Array.from(this.held),
      predictedDecrease: this.predicted,
      status: this.status,
    };
  }
}

/**
 * Exact solution of min gᵀp + ½pᵀHp subject to ‖p‖₂ ≤ Δ (H symmetric, any
 * sign): p = −(H + λI)⁻¹g with λ ≥ max(0, −λ_min) and λ(Δ − ‖p‖) = 0, λ by
 * bisection on the secular equation; in the "hard case" (g ⟂ the lowest
 * eigenvector) the step is completed along that eigenvector to length Δ.
 */
function trustRegionStep(g: number[], H: number[][], radius: number): number[] {
  const k = g.length;
  const { values, vectors } = symmetricEigen(H);
  const a = values.map((_, c) => {
    let s = 0;
    for (let r = 0; r < k; r++) s += vectors[r][c] * g[r];
    return s;
  });
  const stepFor = (lambda: number) => {
    const p = new Array<number>(k).fill(0);
    for (let c = 0; c < k; c++) {
      const d = values[c] + lambda;
      const coef = d > 0 ? -a[c] / d : 0;
      for (let r = 0; r < k; r++) p[r] += coef * vectors[r][c];
    }
    return p;
  };
  const norm = (p: number[]) => Math.hypot(...p);
  if (values[0] > 0) {
    const pN = stepFor(0);
    if (norm(pN) <= radius) return pN;
  }
  const gNorm = norm(g);
  let lo = Math.max(0, -values[0]);
  // the hard case: g has (almost) no component along the lowest eigenvector
  const floor = lo * (1 + 1e-12) + 1e-300;
  if (norm(stepFor(floor)) <= radius) {
    const p = stepFor(floor);
    const rest = Math.sqrt(Math.max(0, radius * radius - norm(p) ** 2));
    const dir = a[0] > 0 ? -1 : 1;
    for (let r = 0; r < k; r++) p[r] += dir * rest * vectors[r][0];
    return p;
  }
  let hi = lo + gNorm / radius + Math.abs(values[k - 1]);
  lo = floor;
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (norm(stepFor(mid)) > radius) lo = mid;
    else hi = mid;
    if (hi - lo <= 1e-14 * hi) break;
  }
  return stepFor(hi);
}
