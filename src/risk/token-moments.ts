import { integrateVector } from '../numerics/adaptive.ts';
import { gaussHermiteNormal } from '../numerics/gauss-rules.ts';
import type { Activation } from '../estimator/activation.ts';
import type { GaussianComponent } from '../task/tasks.ts';
import { GAUSSIAN_CUTOFF_SD, breakpointsInside, stepBreakpoints } from './laplace.ts';
import type { TokenCoefficients } from './overlaps.ts';

/**
 * One-token moments of the exchangeable-token reduction.
 *
 * Per token, w = χ − m χ* ~ N(0, τ²) is independent of χ*, and given (χ*, w)
 * the value-side variables enter only through a = α w (mean of z*) and
 * b = m_vk* χ* + β w (mean of z), see `tokenCoefficients`. With ψ the token's
 * weight (φ(χ) for separable σ, t·φ(χ) = e^{log φ − s} for normalised σ) and
 * e = e^{−ψ} the Laplace tilt (e = 1 for separable σ), the moments are
 *   [E e, E(1 − e·g), E ψe, E ψbe, E aψbe, E ae, E ψ²(b² + c22)e]
 * under the token's law (times a selection weight g for selection tasks).
 */
export const MASS = 0;
export const COMPLEMENT = 1;
export const PSI = 2;
export const PSI_B = 3;
export const A_PSI_B = 4;
export const A = 5;
export const PSI2 = 6;
export const N_MOMENTS = 7;

export interface Moments {
  readonly values: Float64Array;
  readonly errors: Float64Array;
}

export interface TokenContext {
  readonly act: Activation;
  readonly theta: readonly number[];
  readonly coef: TokenCoefficients;
  /** relative tolerance of token integrals */
  readonly relTol: number;
  readonly absTol: number;
  /** running count of integrand evaluations, for provenance */
  counter: { evaluations: number; converged: boolean };
}

/** ψ and e for a token with key projection χ at normaliser variable s (NaN s = separable). */
function weightAndTilt(ctx: TokenContext, chi: number, s: number, out: { psi: number; e: number }): void {
  const { act, theta } = ctx;
  if (Number.isNaN(s)) {
    out.psi = act.weight(chi, theta);
    out.e = 1;
    return;
  }
  const ell = act.logWeight!(chi, theta) - s;
  if (ell > 40) {
    // ψ > 2e17: every moment carries e^{−ψ}, which underflows to exactly 0
    out.psi = Infinity;
    out.e = 0;
    return;
  }
  out.psi = Math.exp(ell);
  out.e = Math.exp(-out.psi);
}

const scratch = { psi: 0, e: 1 };

/**
 * Accumulate the moment integrand at one point: `dens` is the density weight,
 * `g` the selection tilt (1 without selection), `Ea, Eb, Eb2, Eab` the
 * (conditional) moments of a, b, b², ab at this point.
 */
function accumulate(
  out: Float64Array,
  dens: number,
  psi: number,
  e: number,
  g: number,
  Ea: number,
  Eb: number,
  Eb2: number,
  Eab: number,
  c22: number,
  separable: boolean,
): void {
  const d = dens * g;
  if (e === 0) {
    out[COMPLEMENT] += dens;
    return;
  }
  const de = d * e;
  out[MASS] += de;
  // 1 − g e = (1 − g) + g (1 − e): both parts are computed without cancellation by the caller's g and expm1
  out[COMPLEMENT] += separable ? dens * (1 - g) : dens * (1 - g) + d * -Math.expm1(-psi);
  out[PSI] += de * psi;
  out[PSI_B] += de * psi * Eb;
  out[A_PSI_B] += de * psi * Eab;
  out[A] += de * Ea;
  out[PSI2] += de * psi * psi * (Eb2 + c22);
}

/**
 * Moments of a token whose χ* has law N(μ, sd²) (a product task's spike
 * component, or the bulk N(0,1)), with no selection tilt. Integrates over
 * χ ~ N(mμ, m²sd² + τ²) and uses the exact Gaussian conditional moments of χ*
 * given χ, so it is one-dimensional whatever τ.
 */
export function gaussianTokenMoments(ctx: TokenContext, comp: GaussianComponent, s: number, into: Moments): void {
  const { m, tau2, alpha, beta, mvk, c22 } = ctx.coef;
  const mu = comp.mean;
  const sd2 = comp.sd * comp.sd;
  const muChi = m * mu;
  const vChi = m * m * sd2 + tau2;
  const gamma = mvk - beta * m;
  const separable = Number.isNaN(s);
  const point = (chi: number, out: Float64Array, dens: number) => {
    // χ* | χ ~ N(μc, vc); b = βχ + γχ*, a = α(χ − mχ*)
    const muC = vChi > 0 ? mu + ((m * sd2) / vChi) * (chi - muChi) : mu;
    const vC = vChi > 0 ? (sd2 * tau2) / vChi : sd2;
    const Eb = beta * chi + gamma * muC;
    const Eb2 = Eb * Eb + gamma * gamma * vC;
    const Ea = alpha * (chi - m * muC);
    const Eab = alpha * (beta * chi * chi + gamma * chi * muC - m * beta * chi * muC - m * gamma * (muC * muC + vC));
    weightAndTilt(ctx, chi, s, scratch);
    accumulate(out, dens, scratch.psi, scratch.e, 1, Ea, Eb, Eb2, Eab, c22, separable);
  };
  const w = comp.weight;
  if (!(vChi > 0)) {
    // χ is the constant mμ: no integral
    const tmp = new Float64Array(N_MOMENTS);
    point(muChi, tmp, 1);
    for (let j = 0; j < N_MOMENTS; j++) into.values[j] += w * tmp[j];
    ctx.counter.evaluations += 1;
    return;
  }
  const sdChi = Math.sqrt(vChi);
  const norm = w / (sdChi * Math.sqrt(2 * Math.PI));
  // separable weights growing like e^{χ} tilt the Gaussian by up to 2vχ (ψ² = e^{2χ})
  const shift = separable && ctx.act.growth === 'exponential' ? 2 * vChi : 0;
  const lo = muChi - GAUSSIAN_CUTOFF_SD * sdChi;
  const hi = muChi + shift + GAUSSIAN_CUTOFF_SD * sdChi;
  const marks = [muChi, muChi + shift];
  if (!separable && ctx.act.inverseLogWeight) {
    const x0 = ctx.act.inverseLogWeight(s, ctx.theta);
    marks.push(...stepBreakpoints(x0, logWeightSlope(ctx, x0)));
  }
  const r = integrateVector(
    (chi, out) => {
      out.fill(0);
      const z = (chi - muChi) / sdChi;
      point(chi, out, norm * Math.exp(-0.5 * z * z));
    },
    N_MOMENTS,
    lo,
    hi,
    { breakpoints: breakpointsInside(marks, lo, hi), relTol: ctx.relTol, absTol: ctx.absTol * w },
  );
  ctx.counter.evaluations += r.evaluations;
  ctx.counter.converged &&= r.converged;
  for (let j = 0; j < N_MOMENTS; j++) {
    into.values[j] += r.values[j];
    into.errors[j] += r.errors[j];
  }
}

/** Gauss–Hermite sizes for the w-integral of selection tasks; the difference of the two is the error estimate. */
const GH_FINE = 32;
const GH_COARSE = 16;

/**
 * Selection-task token: χ* ~ N(0,1) with selection tilt g(χ*) (and the spike's
 * extra weight), w ~ N(0,τ²) by Gauss–Hermite. `selection(x)` returns
 * [g(x), 1 − g(x)] (the complement computed without cancellation). The
 * χ*-integral is adaptive over (lo, hi); pass `at` to evaluate at a single χ*
 * (argmax spike).
 */
export function selectionTokenMoments(
  ctx: TokenContext,
  s: number,
  selection: (x: number, out: Float64Array) => void,
  range: { lo: number; hi: number; marks: number[] } | { at: number },
  into: Moments,
): void {
  const { m, tau2, alpha, beta, mvk, c22 } = ctx.coef;
  const separable = Number.isNaN(s);
  const tau = Math.sqrt(tau2);
  const fine = tau2 > 0 ? gaussHermiteNormal(GH_FINE) : undefined;
  const coarse = tau2 > 0 ? gaussHermiteNormal(GH_COARSE) : undefined;
  const sel = new Float64Array(2);
  const tmp = new Float64Array(N_MOMENTS);
  const dim = fine ? 2 * N_MOMENTS : N_MOMENTS;
  const point = (x: number, out: Float64Array, dens: number) => {
    selection(x, sel);
    const g = sel[0];
    const oneMinusG = sel[1];
    const rule = (nodes: ArrayLike<number>, weights: ArrayLike<number>, target: Float64Array) => {
      for (let j = 0; j < nodes.length; j++) {
        const wv = tau * nodes[j];
        const chi = m * x + wv;
        weightAndTilt(ctx, chi, s, scratch);
        const b = mvk * x + beta * wv;
        const a = alpha * wv;
        const dj = dens * weights[j];
        if (scratch.e === 0) {
          target[COMPLEMENT] += dj;
          continue;
        }
        const dge = dj * g * scratch.e;
        target[MASS] += dge;
        target[COMPLEMENT] += separable ? dj * oneMinusG : dj * oneMinusG + dj * g * -Math.expm1(-scratch.psi);
        target[PSI] += dge * scratch.psi;
        target[PSI_B] += dge * scratch.psi * b;
        target[A_PSI_B] += dge * scratch.psi * a * b;
        target[A] += dge * a;
        target[PSI2] += dge * scratch.psi * scratch.psi * (b * b + c22);
      }
    };
    if (!fine) {
      rule([0], [1], out);
      return;
    }
    tmp.fill(0);
    rule(fine.nodes, fine.weights, out);
    rule(coarse!.nodes, coarse!.weights, tmp);
    for (let j = 0; j < N_MOMENTS; j++) out[N_MOMENTS + j] = Math.abs(out[j] - tmp[j]);
  };
  if ('at' in range) {
    const out = new Float64Array(dim);
    point(range.at, out, 1);
    ctx.counter.evaluations += fine ? GH_FINE + GH_COARSE : 1;
    for (let j = 0; j < N_MOMENTS; j++) {
      into.values[j] += out[j];
      if (fine) into.errors[j] += out[N_MOMENTS + j];
    }
    return;
  }
  const r = integrateVector(
    (x, out) => {
      out.fill(0);
      point(x, out, 0.3989422804014327 * Math.exp(-0.5 * x * x));
    },
    dim,
    range.lo,
    range.hi,
    { breakpoints: breakpointsInside([0, ...range.marks], range.lo, range.hi), relTol: ctx.relTol, absTol: ctx.absTol, controlled: N_MOMENTS },
  );
  ctx.counter.evaluations += r.evaluations * (fine ? GH_FINE + GH_COARSE : 1);
  ctx.counter.converged &&= r.converged;
  for (let j = 0; j < N_MOMENTS; j++) {
    into.values[j] += r.values[j];
    into.errors[j] += r.errors[j] + (fine ? 2 * Math.abs(r.values[N_MOMENTS + j]) : 0);
  }
}


export function emptyMoments(): Moments {
  return { values: new Float64Array(N_MOMENTS), errors: new Float64Array(N_MOMENTS) };
}


/** d log φ / dχ at x (central difference), the scale of the tilt's step there. */
function logWeightSlope(ctx: TokenContext, x: number): number {
  const h = 1e-4 * Math.max(1, Math.abs(x));
  const lw = ctx.act.logWeight!;
  return Math.abs(lw(x + h, ctx.theta) - lw(x - h, ctx.theta)) / (2 * h);
}
