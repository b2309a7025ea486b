import { InvalidInputError } from '../errors.ts';

export interface OptimizeResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  message: string;
}

export interface NelderMeadOptions {
  /** stop when max |f_i − f_best| ≤ fTol·max(1, |f_best|) and the simplex is small (default 1e−10) */
  fTol?: number;
  /** simplex size tolerance, ∞-norm relative to max(1, |x_best|) (default 1e−8) */
  xTol?: number;
  maxIterations?: number;
  /** initial simplex step per coordinate (default 0.1·max(1,|x0_i|)) */
  initialStep?: number | readonly number[];
}

/**
 * Nelder–Mead with the dimension-adaptive coefficients of Gao & Han (2012):
 * reflection 1, expansion 1 + 2/n, contraction 0.75 − 1/(2n), shrink 1 − 1/n.
 * Non-finite objective values are treated as +∞ (the simplex moves away).
 */
export function nelderMead(f: (x: Float64Array) => number, x0: ArrayLike<number>, opts: NelderMeadOptions = {}): OptimizeResult {
  const n = x0.length;
  if (n < 1) throw new InvalidInputError('nelderMead needs at least one variable');
  const fTol = opts.fTol ?? 1e-10;
  const xTol = opts.xTol ?? 1e-8;
  const maxIterations = opts.maxIterations ?? 200 * n;
  const alpha = 1;
  const gamma = 1 + 2 / n;
  const rho = 0.75 - 1 / (2 * n);
  const sigma = n > 1 ? 1 - 1 / n : 0.5;
  let evaluations = 0;
  const F = (x: Float64Array) => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const simplex: Float64Array[] = [Float64Array.from(x0)];
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from(x0);
    const step = Array.isArray(opts.initialStep) ? opts.initialStep[i] : typeof opts.initialStep === 'number' ? opts.initialStep : 0.1 * Math.max(1, Math.abs(x0[i]));
    v[i] += step;
    simplex.push(v);
  }
  let fv = simplex.map(F);
  const centroid = new Float64Array(n);
  const point = (from: Float64Array, coef: number) => {
    const p = new Float64Array(n);
    for (let j = 0; j < n; j++) p[j] = centroid[j] + coef * (from[j] - centroid[j]);
    return p;
  };
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    const order = fv.map((v, i) => [v, i] as const).sort((p, q) => p[0] - q[0]);
    const sorted = order.map(([, i]) => simplex[i]);
    fv = order.map(([v]) => v);
    simplex.splice(0, simplex.length, ...sorted);
    const fBest = fv[0];
    let spread = 0;
    let size = 0;
    for (let i = 1; i <= n; i++) {
      spread = Math.max(spread, Math.abs(fv[i] - fBest));
      for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(simplex[i][j] - simplex[0][j]));
    }
    let xScale = 1;
    for (let j = 0; j < n; j++) xScale = Math.max(xScale, Math.abs(simplex[0][j]));
    if (spread <= fTol * Math.max(1, Math.abs(fBest)) && size <= xTol * xScale) {
      converged = true;
      break;
    }
    iterations++;
    centroid.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i][j] / n;
    const worst = simplex[n];
    const xr = point(worst, -alpha);
    const fr = F(xr);
    if (fr < fv[0]) {
      const xe = point(worst, -alpha * gamma);
      const fe = F(xe);
      if (fe < fr) ((simplex[n] = xe), (fv[n] = fe));
      else ((simplex[n] = xr), (fv[n] = fr));
    } else if (fr < fv[n - 1]) {
      simplex[n] = xr;
      fv[n] = fr;
    } else {
      const outside = fr < fv[n];
      const xc = outside ? point(worst, -alpha * rho) : point(worst, rho);
      const fc = F(xc);
      if (fc < (outside ? fr : fv[n])) {
        simplex[n] = xc;
        fv[n] = fc;
      } else {
        for (let i = 1; i <= n; i++) {
          for (let j = 0; j < n; j++) simplex[i][j] = simplex[0][j] + sigma * (simplex[i][j] - simplex[0][j]);
          fv[i] = F(simplex[i]);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < fv.length; i++) if (fv[i] < fv[best]) best = i;
  return {
    x: simplex[best],
    value: fv[best],
    iterations,
    evaluations,
    converged,
    message: converged ? 'converged: simplex and value spread below tolerance' : `stopped after ${iterations} iterations`,
  };
}

export interface LbfgsOptions {
  /** stop when ‖∇f‖∞ ≤ gTol·max(1, |f|) (default 1e−8) */
  gTol?: number;
  /** stop when the relative decrease of f over an iteration is ≤ fTol (default 1e−14) */
  fTol?: number;
  maxIterations?: number;
  /** history size (default 10) */
  memory?: number;
}

/**
 * L-BFGS (Nocedal & Wright, Alg. 7.4/7.5) with a strong-Wolfe line search
 * (Alg. 3.5/3.6, c1 = 1e−4, c2 = 0.9, cubic interpolation in zoom).
 * `fg(x, grad)` returns f(x) and writes ∇f(x) into grad; non-finite values
 * make the line search backtrack.
 */
export function lbfgs(fg: (x: Float64Array, grad: Float64Array) => number, x0: ArrayLike<number>, opts: LbfgsOptions = {}): OptimizeResult {
  const n = x0.length;
  const gTol = opts.gTol ?? 1e-8;
  const fTol = opts.fTol ?? 1e-14;
  const maxIterations = opts.maxIterations ?? 500;
  const m = opts.memory ?? 10;
  let evaluations = 0;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let fx = fg(x, g);
  evaluations++;
  if (!Number.isFinite(fx)) throw new InvalidInputError('lbfgs: objective is not finite at the starting point');
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rhoHist: number[] = [];
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const dot = (u: ArrayLike<number>, v: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += u[i] * v[i];
    return s;
  };
  const normInf = (v: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < n; i++) s = Math.max(s, Math.abs(v[i]));
    return s;
  };
  let iterations = 0;
  let message = `stopped after ${maxIterations} iterations`;
  let converged = false;
  while (iterations < maxIterations) {
    if (normInf(g) <= gTol * Math.max(1, Math.abs(fx))) {
      converged = true;
      message = 'converged: gradient below tolerance';
      break;
    }
    // two-loop recursion: d = −H g
    for (let i = 0; i < n; i++) d[i] = -g[i];
    const alphas: number[] = [];
    for (let k = S.length - 1; k >= 0; k--) {
      const a = rhoHist[k] * dot(S[k], d);
      alphas[k] = a;
      for (let i = 0; i < n; i++) d[i] -= a * Y[k][i];
    }
    if (S.length > 0) {
      const k = S.length - 1;
      const gammaK = dot(S[k], Y[k]) / dot(Y[k], Y[k]);
      for (let i = 0; i < n; i++) d[i] *= gammaK;
    } else {
      const scale = 1 / Math.max(1, normInf(g));
      for (let i = 0; i < n; i++) d[i] *= scale;
    }
    for (let k = 0; k < S.length; k++) {
      const b = rhoHist[k] * dot(Y[k], d);
      for (let i = 0; i < n; i++) d[i] += S[k][i] * (alphas[k] - b);
    }
    let dg = dot(d, g);
    if (!(dg < 0)) {
      // not a descent direction (curvature information broke down): restart from steepest descent
      S.length = Y.length = rhoHist.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      dg = dot(d, g);
    }
    const ls = strongWolfe(fg, x, fx, g, d, dg, xNew, gNew);
    evaluations += ls.evaluations;
    if (!ls.ok) {
      message = 'line search failed to find a strong-Wolfe step';
      break;
    }
    iterations++;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    const fOld = fx;
    x.set(xNew);
    g.set(gNew);
    fx = ls.f;
    if (sy > 1e-300) {
      S.push(s);
      Y.push(y);
      rhoHist.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rhoHist.shift();
      }
    }
    if (Math.abs(fOld - fx) <= fTol * Math.max(1, Math.abs(fx))) {
      converged = normInf(g) <= Math.sqrt(gTol) * Math.max(1, Math.abs(fx));
      message = converged ? 'converged: relative decrease below tolerance' : 'stalled: no decrease but gradient not small';
      break;
    }
  }
  return { x, value: fx, iterations, evaluations, converged, message };
}

function strongWolfe(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x: Float64Array,
  f0: number,
  g0: Float64Array,
  d: Float64Array,
  dg0: number,
  xOut: Float64Array,
  gOut: Float64Array,
): { ok: boolean; f: number; evaluations: number } {
  const c1 = 1e-4;
  const c2 = 0.9;
  const n = x.length;
  let evaluations = 0;
  const phi = (a: number) => {
    for (let i = 0; i < n; i++) xOut[i] = x[i] + a * d[i];
    const f = fg(xOut, gOut);
    evaluations++;
    let dg = 0;
    for (let i = 0; i < n; i++) dg += gOut[i] * d[i];
    return { f: Number.isFinite(f) ? f : Infinity, dg: Number.isFinite(dg) ? dg : NaN };
  };
  void g0;
  let aPrev = 0;
  let fPrev = f0;
  let dgPrev = dg0;
  let a = 1;
  const zoom = (lo: number, hi: number, fLo: number, dgLo: number, fHi: number, dgHi: number) => {
    for (let k = 0; k < 40; k++) {
      // cubic interpolation between lo and hi, safeguarded to the middle 80%
      let aj = cubicMin(lo, fLo, dgLo, hi, fHi, dgHi);
      const left = Math.min(lo, hi);
      const right = Math.max(lo, hi);
      if (!Number.isFinite(aj) || aj < left + 0.1 * (right - left) || aj > right - 0.1 * (right - left)) aj = 0.5 * (lo + hi);
      const p = phi(aj);
      if (p.f > f0 + c1 * aj * dg0 || p.f >= fLo) {
        hi = aj;
        fHi = p.f;
        dgHi = p.dg;
      } else {
        if (Math.abs(p.dg) <= -c2 * dg0) return { ok: true, f: p.f };
        if (p.dg * (hi - lo) >= 0) {
          hi = lo;
          fHi = fLo;
          dgHi = dgLo;
        }
        lo = aj;
        fLo = p.f;
        dgLo = p.dg;
      }
      if (Math.abs(hi - lo) < 1e-16 * Math.max(1, Math.abs(lo))) break;
    }
    // accept the best sufficient-decrease point found
    if (fLo < f0) {
      const p = phi(lo);
      return { ok: true, f: p.f };
    }
    return { ok: false, f: f0 };
  };
  for (let k = 0; k < 50; k++) {
    const p = phi(a);
    if (!Number.isFinite(p.f) || Number.isNaN(p.dg)) {
      a = 0.5 * (aPrev + a); // backtrack out of a non-finite region
      continue;
    }
    if (p.f > f0 + c1 * a * dg0 || (k > 0 && p.f >= fPrev)) {
      const r = zoom(aPrev, a, fPrev, dgPrev, p.f, p.dg);
      return { ...r, evaluations };
    }
    if (Math.abs(p.dg) <= -c2 * dg0) return { ok: true, f: p.f, evaluations };
    if (p.dg >= 0) {
      const r = zoom(a, aPrev, p.f, p.dg, fPrev, dgPrev);
      return { ...r, evaluations };
    }
    aPrev = a;
    fPrev = p.f;
    dgPrev = p.dg;
    a *= 2;
  }
  return { ok: false, f: f0, evaluations };
}

function cubicMin(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - ga * gb;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (gb + d2 - d1)) / (gb - ga + 2 * d2);
}
