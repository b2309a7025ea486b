import { NumericalRangeError } from '../errors.ts';
import type { Activation } from '../estimator/activation.ts';
import { GAUSS_WEIGHTS, KRONROD_NODES, KRONROD_WEIGHTS, integrateVector } from '../numerics/adaptive.ts';
import { gaussHermiteNormal } from '../numerics/gauss-rules.ts';
import type { GaussianComponent } from '../task/tasks.ts';
import { GAUSSIAN_CUTOFF_SD, breakpointsInside } from './laplace.ts';
import { type TokenCoefficients, valueFree } from './overlaps.ts';

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
 *
 * Two fixed grids compute them for every value of the normaliser variable s
 * (and of the selection variable r) without re-planning: `TokenGrid` (tokens
 * with no selection tilt, one-dimensional in χ) and `SelectionGrid` (tokens of
 * a selection task, through their key χ* with the w-integral at every node).
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

export function emptyMoments(): Moments {
  return { values: new Float64Array(N_MOMENTS), errors: new Float64Array(N_MOMENTS) };
}

/** d log φ / dχ at x (central difference), the scale of the tilt's step there. */
function logWeightSlope(ctx: TokenContext, x: number): number {
  const h = 1e-4 * Math.max(1, Math.abs(x));
  const lw = ctx.act.logWeight!;
  return Math.abs(lw(x + h, ctx.theta) - lw(x - h, ctx.theta)) / (2 * h);
}

// ---------------------------------------------------------------------------
// A fixed χ-grid reused for every normaliser value s

const XGK21 = Float64Array.from(KRONROD_NODES);
const WGK21 = Float64Array.from(KRONROD_WEIGHTS);
const WG10 = Float64Array.from(GAUSS_WEIGHTS);
/** Rounding floor of a 21-term sum, as in QUADPACK: 50·eps·∫|f|. */
const FLOOR = 50 * Number.EPSILON;
/** K21 and G10 weights by node slot (QUADPACK order: c − h·x_k for k = 0…9, c, c + h·x_k); G10 uses the odd k. */
export const SLOT_K = new Float64Array(21);
export const SLOT_G = new Float64Array(21);
for (let k = 0; k < 10; k++) {
  SLOT_K[k] = SLOT_K[11 + k] = WGK21[k];
  if (k & 1) SLOT_G[k] = SLOT_G[11 + k] = WG10[k >> 1];
}
SLOT_K[10] = WGK21[10];

/**
 * The Gauss–Hermite pairs n/2n for the w-moments of a normalised σ, by τ·slope (slope: the largest
 * |d log φ/dχ|): |GH_2n − GH_n| bounds the error of GH_2n where GH_n is already that accurate. Beyond
 * the last tier the χ-rule (`buildChiRule`) takes over (at τ·slope = 0.75 GH 32 is still off by 1e−8).
 */
const GH_TIERS: readonly { readonly maxTauSlope: number; readonly n: number }[] = [
  // the τ of a one-sided derivative at τ = 0 (h = 9e−4 in τ², τ·slope = 0.03 for a log-slope ≤ 1):
  // GH 5 at 2.2e−12 against GH 300 (test/risk/token-moments.test.ts), 15 w-points per node instead of 24
  { maxTauSlope: 0.03, n: 5 },
  // the derivative's second point (2h: τ·slope = 0.042): GH 6 at 9.0e−13 at 0.05
  { maxTauSlope: 0.05, n: 6 },
  // very smooth on the scale of w (a one-sided derivative's τ at a log-slope above 1): GH 8 at 7.6e−13
  // (worst over the kernels × w^j, j ≤ 2, at τ·slope = 0.1 against GH 300, test/risk/token-moments.test.ts)
  { maxTauSlope: 0.1, n: 8 },
  // smooth on the scale of w: GH 16 at ~1e−11 (e^{−e^{a+τz}}, τ ≤ 0.3, measured against GH 400)
  { maxTauSlope: 0.3, n: 16 },
];

/** Width of the core region around a law's mean, in sds (the Gaussian beyond is ≈ e^−40 of its peak; one more panel each side reaches 39 sds). */
const CORE_SD = 9;

/** A token law with no selection tilt: χ* ~ N(mean, sd²) with weight `weight` (one component of a spike mixture, or the bulk). */
interface LawNodes {
  /** the law's density of χ times its weight, at every node (0 for an atom) */
  readonly w: Float64Array;
  /** w times E[a | χ], E[b | χ], E[ab | χ], E[b² | χ] + c22 */
  readonly wa: Float64Array;
  readonly wb: Float64Array;
  readonly wab: Float64Array;
  readonly wbb: Float64Array;
  /** χ ≡ atom (m = τ = 0): its weight and conditional moments; undefined for a proper law */
  atom: { chi: number; weight: number; a: number; b: number; ab: number; bb: number } | undefined;
  /** per panel: K21 sum, G10 sum and K21 sum of |·| of w (the complement's panel sums where the kernel is 0) */
  deadK: Float64Array | undefined;
  deadG: Float64Array | undefined;
  deadA: Float64Array | undefined;
  /** wa, wb and wab are 0 at every node (a = b = 0, e.g. on the manifold): `sums` leaves out PSI_B, A_PSI_B and A */
  valueFree: boolean;
}

/**
 * Moments of tokens without selection tilt (the spike's and the bulk's χ*
 * laws of a product task; i.i.d. N(0,1) tokens of a selection task) on one
 * fixed composite Gauss–Kronrod (G10/K21) grid in χ = mχ* + w, reused for
 * every normaliser value s: the densities and the conditional moments of
 * (a, b) given χ are computed once per grid, and each s costs one
 * evaluation of the kernel e^{−ψ}, ψ = φ(χ)e^{−s}, per node (shared by all
 * laws) plus sums.
 *
 * The grid must resolve the kernel wherever s puts its step: its panels are
 * at most `stepWidth`/slope wide (slope = max |d log φ/dχ| over the range;
 * 1.6 at the default tolerance: the kernel e^{−e^u} is analytic and bounded
 * for |Im u| < π/2, so G10 on a panel of width 1.6 in u is already good to
 * ~1e−12 and K21 far better) and
 * at most 2.5 sds of the law (the Gaussian); the core region spans each
 * law's mean ± 9 sds (every kernel of a normalised σ is bounded, so the
 * Gaussian beyond is below e^−40 of its peak whatever s is), and one panel on
 * each side reaches to 39 sds, beyond which the density underflows. Separable
 * σ (no s) use the same grid with panels at most min(2.5 sd, `stepWidth`) wide
 * (and the core shifted up by the tilt 2·sd² of e^{2χ} for exponential growth).
 *
 * Every moment carries a per-panel error estimate (QUADPACK's, see
 * `panelError`), summed over panels. `widthFactor` < 1 refines the grid (the
 * caller does this when the reported errors exceed its tolerance).
 */
export class TokenGrid {
  readonly normalised: boolean;
  readonly panels: number;
  /** nodes, 21 per panel in QUADPACK's order (c − h·x_k for k = 0…9, c, c + h·x_k) */
  readonly chi: Float64Array;
  /** half-length of every panel */
  readonly half: Float64Array;
  readonly laws: LawNodes[];
  /** log φ(χ) (normalised) or φ(χ) (separable) at the nodes */
  private readonly weight: Float64Array;
  /** normalised σ: φ at the nodes where |log φ| ≤ PHI_CACHED_LOG, else NaN (ψ = φ·e^{−s}, see `psiOf`) */
  private readonly phi: Float64Array;
  private readonly e0: Float64Array;
  private readonly e1: Float64Array;
  private readonly e2: Float64Array;
  private readonly comp: Float64Array;
  /** 1 for a panel where the kernel e^{−ψ} is exactly 0 at every node (its moments are then only the complement) */
  private readonly dead: Uint8Array;
  private readonly ctx: TokenContext;
  /** kernel evaluations so far (nodes × s values), for provenance */
  evaluations = 0;

  constructor(ctx: TokenContext, laws: readonly GaussianComponent[], widthFactor = 1) {
    this.ctx = ctx;
    const { act, theta } = ctx;
    const { m, tau2, alpha, beta, mvk, c22 } = ctx.coef;
    this.normalised = act.normalised;
    // ranges of the proper laws
    let lo = Infinity;
    let hi = -Infinity;
    let minSd = Infinity;
    let maxSd = 0;
    for (const comp of laws) {
      const v = m * m * comp.sd * comp.sd + tau2;
      if (!(v > 0)) continue;
      const sd = Math.sqrt(v);
      lo = Math.min(lo, m * comp.mean);
      hi = Math.max(hi, m * comp.mean);
      minSd = Math.min(minSd, sd);
      maxSd = Math.max(maxSd, sd);
    }
    const ends: number[] = [];
    if (hi >= lo) {
      const slope = this.normalised ? maxLogWeightSlope(ctx, lo - CORE_SD * maxSd, hi + CORE_SD * maxSd + 2 * maxSd * maxSd) : 1;
      // a normalised σ's kernels are bounded (e^{−ψ} ≤ 1, ψe^{−ψ} ≤ 1/e, ψ²e^{−ψ} ≤ 4/e²) at every s, so
      // its moments need only the law's own ±9 sds; the tilt 2·sd²·slope of E[ψ²…] matters only where ψ is
      // unbounded (separable σ with exponential growth). At the softmax Bayes point of max-SLR (sd = ν) the
      // shift was 2ν²: 21921 panels at ν = 128.
      const shift = !this.normalised && act.growth === 'exponential' ? 2 * maxSd * maxSd : 0;
      const coreLo = lo - CORE_SD * maxSd;
      const coreHi = hi + shift + CORE_SD * maxSd;
      const width = widthFactor * Math.min(2.5 * minSd, stepWidth(ctx) / slope);
      const n = Math.max(1, Math.ceil((coreHi - coreLo) / width));
      if (n > 20000) throw new NumericalRangeError(`the token grid would need ${n} panels (χ spread ${(coreHi - coreLo).toPrecision(3)}, panel width ${width.toPrecision(3)})`);
      ends.push(lo - GAUSSIAN_CUTOFF_SD * maxSd);
      for (let i = 0; i <= n; i++) ends.push(coreLo + ((coreHi - coreLo) * i) / n);
      ends.push(hi + shift + GAUSSIAN_CUTOFF_SD * maxSd);
    }
    const panels = Math.max(0, ends.length - 1);
    this.panels = panels;
    const nodes = 21 * panels;
    this.chi = new Float64Array(nodes);
    this.half = new Float64Array(panels);
    for (let p = 0; p < panels; p++) {
      const a = ends[p];
      const b = ends[p + 1];
      const c = 0.5 * a + 0.5 * b;
      const h = 0.5 * b - 0.5 * a;
      this.half[p] = h;
      for (let k = 0; k < 10; k++) {
        this.chi[21 * p + k] = c - h * XGK21[k];
        this.chi[21 * p + 11 + k] = c + h * XGK21[k];
      }
      this.chi[21 * p + 10] = c;
    }
    this.weight = new Float64Array(nodes);
    for (let i = 0; i < nodes; i++) this.weight[i] = this.normalised ? act.logWeight!(this.chi[i], theta) : act.weight(this.chi[i], theta);
    this.phi = this.normalised ? this.weight.map((l) => (Math.abs(l) <= PHI_CACHED_LOG ? Math.exp(l) : NaN)) : this.weight;
    this.e0 = new Float64Array(nodes);
    this.e1 = new Float64Array(nodes);
    this.e2 = new Float64Array(nodes);
    this.comp = new Float64Array(nodes);
    this.dead = new Uint8Array(panels);
    const gamma = mvk - beta * m;
    this.laws = laws.map((comp) => {
      const mu = comp.mean;
      const sd2 = comp.sd * comp.sd;
      const muChi = m * mu;
      const vChi = m * m * sd2 + tau2;
      // every LawNodes has all its properties, in one order (atom or deadK… undefined): one hidden class,
      // so the hot loops that read them (`sums`) are not deoptimised by a second shape ({...spread}
      // copies got a new one per grid, 7 deoptimisations of `sums` in one class minimum)
      const lawNodes: LawNodes = {
        w: new Float64Array(nodes),
        wa: new Float64Array(nodes),
        wb: new Float64Array(nodes),
        wab: new Float64Array(nodes),
        wbb: new Float64Array(nodes),
        atom: undefined,
        deadK: undefined,
        deadG: undefined,
        deadA: undefined,
        valueFree: false,
      };
      const moments = (chi: number, out: { a: number; b: number; ab: number; bb: number }) => {
        // χ* | χ ~ N(μc, vc); b = βχ + γχ*, a = α(χ − mχ*)
        const muC = vChi > 0 ? mu + ((m * sd2) / vChi) * (chi - muChi) : mu;
        const vC = vChi > 0 ? (sd2 * tau2) / vChi : sd2;
        const Eb = beta * chi + gamma * muC;
        out.b = Eb;
        out.bb = Eb * Eb + gamma * gamma * vC + c22;
        out.a = alpha * (chi - m * muC);
        out.ab = alpha * (beta * chi * chi + gamma * chi * muC - m * beta * chi * muC - m * gamma * (muC * muC + vC));
      };
      const tmp = { a: 0, b: 0, ab: 0, bb: 0 };
      if (!(vChi > 0)) {
        moments(muChi, tmp);
        lawNodes.atom = { chi: muChi, weight: comp.weight, ...tmp };
        return lawNodes;
      }
      const sd = Math.sqrt(vChi);
      const norm = comp.weight / (sd * Math.sqrt(2 * Math.PI));
      for (let i = 0; i < nodes; i++) {
        const chi = this.chi[i];
        const z = (chi - muChi) / sd;
        const dens = norm * Math.exp(-0.5 * z * z);
        moments(chi, tmp);
        lawNodes.w[i] = dens;
        lawNodes.wa[i] = dens * tmp.a;
        lawNodes.wb[i] = dens * tmp.b;
        lawNodes.wab[i] = dens * tmp.ab;
        lawNodes.wbb[i] = dens * tmp.bb;
      }
      lawNodes.valueFree = [lawNodes.wa, lawNodes.wb, lawNodes.wab].every((v) => v.every((x) => x === 0));
      // per panel: the K21 and G10 sums of w and of |w|, the complement's moments where the kernel is 0
      const deadK = new Float64Array(panels);
      const deadG = new Float64Array(panels);
      const deadA = new Float64Array(panels);
      for (let p = 0; p < panels; p++) {
        for (let k = 0; k < 21; k++) {
          const v = lawNodes.w[21 * p + k];
          deadK[p] += SLOT_K[k] * v;
          deadG[p] += SLOT_G[k] * v;
          deadA[p] += SLOT_K[k] * Math.abs(v);
        }
      }
      lawNodes.deadK = deadK;
      lawNodes.deadG = deadG;
      lawNodes.deadA = deadA;
      return lawNodes;
    });
    if (!this.normalised) this.kernel(NaN);
  }

  /** Kernel values at every node for normaliser s: e = e^{−ψ}, ψe, ψ²e and 1 − e (separable: 1, φ, φ², 0). */
  private kernel(s: number): void {
    const n = this.chi.length;
    const { weight, e0, e1, e2, comp } = this;
    if (!this.normalised) {
      for (let i = 0; i < n; i++) {
        const psi = weight[i];
        e0[i] = 1;
        e1[i] = psi;
        e2[i] = psi * psi;
        comp[i] = 0;
      }
      return;
    }
    const dead = this.dead;
    const phi = this.phi;
    const es = Math.abs(s) <= PHI_CACHED_LOG ? Math.exp(-s) : NaN;
    for (let p = 0; p < this.panels; p++) {
      let alive = 0;
      for (let i = 21 * p; i < 21 * p + 21; i++) {
        const ell = weight[i] - s;
        if (ell > 40) {
          // ψ > 2e17: every moment carries e^{−ψ}, which is exactly 0 in double precision
          e0[i] = 0;
          e1[i] = 0;
          e2[i] = 0;
          comp[i] = 1;
          continue;
        }
        alive++;
        const psi = psiOf(phi[i], es, ell);
        const e = Math.exp(-psi);
        e0[i] = e;
        e1[i] = psi * e;
        e2[i] = psi * psi * e;
        comp[i] = psi > 0.5 ? 1 - e : -Math.expm1(-psi);
      }
      dead[p] = alive === 0 ? 1 : 0;
    }
    this.evaluations += n;
  }

  /**
   * The seven moments of every law at normaliser s (NaN for separable σ; the
   * kernel of a separable grid is computed once), added into `into[law]`.
   * Error per panel and moment: see `panelError`.
   */
  moments(s: number, into: Moments[]): void {
    if (this.normalised) this.kernel(s);
    else this.evaluations += this.chi.length;
    for (let l = 0; l < this.laws.length; l++) {
      const law = this.laws[l];
      if (law.atom) this.atomMoments(law.atom, s, into[l]);
      else if (law.valueFree) this.massSums(law, into[l]);
      else this.sums(law, into[l]);
    }
  }

  /** All seven moments of one law, panel by panel (one pass over the nodes). */
  private sums(law: LawNodes, out: Moments): void {
    const { e0, e1, e2, comp } = this;
    // every property read on every call (a read only in the rarely taken dead-panel branch had no type
    // feedback when the function was optimised, and deoptimised it when first taken)
    const { w, wa, wb, wab, wbb, deadK, deadG, deadA } = law;
    const vals = out.values;
    const errs = out.errors;
    const dead = this.dead;
    for (let p = 0; p < this.panels; p++) {
      if (dead[p]) {
        const h = this.half[p];
        vals[COMPLEMENT] += deadK![p] * h;
        errs[COMPLEMENT] += h * panelError(deadK![p], deadG![p], deadA![p]);
        continue;
      }
      const base = 21 * p;
      let k0 = 0, k1 = 0, k2 = 0, k3 = 0, k4 = 0, k5 = 0, k6 = 0; // prettier-ignore
      let g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0; // prettier-ignore
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0; // prettier-ignore
      for (let k = 0; k < 21; k++) {
        const i = base + k;
        const W = SLOT_K[k];
        const G = SLOT_G[k];
        const f0 = w[i] * e0[i];
        const f1 = w[i] * comp[i];
        const f2 = w[i] * e1[i];
        const f3 = wb[i] * e1[i];
        const f4 = wab[i] * e1[i];
        const f5 = wa[i] * e0[i];
        const f6 = wbb[i] * e2[i];
        k0 += W * f0; g0 += G * f0; a0 += W * Math.abs(f0); // prettier-ignore
        k1 += W * f1; g1 += G * f1; a1 += W * Math.abs(f1); // prettier-ignore
        k2 += W * f2; g2 += G * f2; a2 += W * Math.abs(f2); // prettier-ignore
        k3 += W * f3; g3 += G * f3; a3 += W * Math.abs(f3); // prettier-ignore
        k4 += W * f4; g4 += G * f4; a4 += W * Math.abs(f4); // prettier-ignore
        k5 += W * f5; g5 += G * f5; a5 += W * Math.abs(f5); // prettier-ignore
        k6 += W * f6; g6 += G * f6; a6 += W * Math.abs(f6); // prettier-ignore
      }
      const h = this.half[p];
      vals[MASS] += k0 * h; errs[MASS] += h * panelError(k0, g0, a0); // prettier-ignore
      vals[COMPLEMENT] += k1 * h; errs[COMPLEMENT] += h * panelError(k1, g1, a1); // prettier-ignore
      vals[PSI] += k2 * h; errs[PSI] += h * panelError(k2, g2, a2); // prettier-ignore
      vals[PSI_B] += k3 * h; errs[PSI_B] += h * panelError(k3, g3, a3); // prettier-ignore
      vals[A_PSI_B] += k4 * h; errs[A_PSI_B] += h * panelError(k4, g4, a4); // prettier-ignore
      vals[A] += k5 * h; errs[A] += h * panelError(k5, g5, a5); // prettier-ignore
      vals[PSI2] += k6 * h; errs[PSI2] += h * panelError(k6, g6, a6); // prettier-ignore
    }
  }

  /**
   * `sums` for a law whose wa, wb, wab are 0 at every node (a = b = 0): PSI_B, A_PSI_B and A would
   * add exact zeros (values and error bounds), so only MASS, COMPLEMENT, PSI and PSI2 (through
   * wbb = w·c22) are summed, in the same order (the same numbers).
   */
  private massSums(law: LawNodes, out: Moments): void {
    const { e0, e1, e2, comp } = this;
    const { w, wbb, deadK, deadG, deadA } = law;
    const vals = out.values;
    const errs = out.errors;
    const dead = this.dead;
    for (let p = 0; p < this.panels; p++) {
      if (dead[p]) {
        const h = this.half[p];
        vals[COMPLEMENT] += deadK![p] * h;
        errs[COMPLEMENT] += h * panelError(deadK![p], deadG![p], deadA![p]);
        continue;
      }
      const base = 21 * p;
      let k0 = 0, k1 = 0, k2 = 0, k6 = 0; // prettier-ignore
      let g0 = 0, g1 = 0, g2 = 0, g6 = 0; // prettier-ignore
      let a0 = 0, a1 = 0, a2 = 0, a6 = 0; // prettier-ignore
      for (let k = 0; k < 21; k++) {
        const i = base + k;
        const W = SLOT_K[k];
        const G = SLOT_G[k];
        const f0 = w[i] * e0[i];
        const f1 = w[i] * comp[i];
        const f2 = w[i] * e1[i];
        const f6 = wbb[i] * e2[i];
        k0 += W * f0; g0 += G * f0; a0 += W * Math.abs(f0); // prettier-ignore
        k1 += W * f1; g1 += G * f1; a1 += W * Math.abs(f1); // prettier-ignore
        k2 += W * f2; g2 += G * f2; a2 += W * Math.abs(f2); // prettier-ignore
        k6 += W * f6; g6 += G * f6; a6 += W * Math.abs(f6); // prettier-ignore
      }
      const h = this.half[p];
      vals[MASS] += k0 * h; errs[MASS] += h * panelError(k0, g0, a0); // prettier-ignore
      vals[COMPLEMENT] += k1 * h; errs[COMPLEMENT] += h * panelError(k1, g1, a1); // prettier-ignore
      vals[PSI] += k2 * h; errs[PSI] += h * panelError(k2, g2, a2); // prettier-ignore
      vals[PSI2] += k6 * h; errs[PSI2] += h * panelError(k6, g6, a6); // prettier-ignore
    }
  }

  private atomMoments(atom: NonNullable<LawNodes['atom']>, s: number, out: Moments): void {
    const { act, theta } = this.ctx;
    let psi: number;
    let e: number;
    let comp: number;
    if (!this.normalised) {
      psi = act.weight(atom.chi, theta);
      e = 1;
      comp = 0;
    } else {
      const ell = act.logWeight!(atom.chi, theta) - s;
      psi = ell > 40 ? Infinity : Math.exp(ell);
      e = ell > 40 ? 0 : Math.exp(-psi);
      comp = ell > 40 ? 1 : -Math.expm1(-psi);
    }
    const w = atom.weight;
    out.values[MASS] += w * e;
    out.values[COMPLEMENT] += w * comp;
    if (e === 0) return;
    out.values[PSI] += w * psi * e;
    out.values[PSI_B] += w * psi * e * atom.b;
    out.values[A_PSI_B] += w * psi * e * atom.ab;
    out.values[A] += w * e * atom.a;
    out.values[PSI2] += w * psi * psi * e * atom.bb;
  }
}

/**
 * Error estimate of a K21 panel from its K21 and G10 sums and ∫|f| (all per
 * unit half-length): QUADPACK's 2·resabs·min(1, (200|K − G|/resabs)^{3/2})
 * with ∫|f| for its resasc (which is at most about twice as large; the factor
 * 2 covers that), and the rounding floor 50·eps·∫|f|.
 */
export function panelError(k: number, g: number, a: number): number {
  if (a === 0) return 0;
  const r = (200 * Math.abs(k - g)) / a;
  return Math.max(2 * a * (r < 1 ? r * Math.sqrt(r) : 1), FLOOR * a);
}

/**
 * Panel width (in the kernel's own variable u, where the step e^{−e^u} has unit width) of the fixed
 * grids: 1.6 for token tolerances ≤ 1e−11 (G10 on such a panel is good to ~1e−12: the kernel is
 * analytic and bounded for |Im u| < π/2, Bernstein ellipse ρ ≈ 4), growing by 15% per decade of
 * looser tolerance (2.1 for a search at relative tolerance 1e−7) up to 3.2; the grids' error
 * estimates, and the refinement the callers do when those exceed their tolerance, keep the result
 * honest either way.
 */
function stepWidth(ctx: TokenContext): number {
  const decades = Math.max(0, Math.log10(ctx.relTol / 1e-11));
  return Math.min(3.2, 1.6 * (1 + 0.15 * decades));
}

/** max |d log φ/dχ| over [lo, hi] on a scan of 200 points (central differences); at least 1e−3. */
function maxLogWeightSlope(ctx: TokenContext, lo: number, hi: number): number {
  let best = 1e-3;
  const n = 200;
  for (let i = 0; i <= n; i++) {
    const x = lo + ((hi - lo) * i) / n;
    const s = logWeightSlope(ctx, x);
    if (s > best) best = s;
  }
  return best;
}

// ---------------------------------------------------------------------------
// Selection tasks: a fixed grid in the key χ* = x ~ N(0, 1), with the w-moments of a token at every node

/**
 * How far the key grid of a selection task reaches above the Gaussian's core (9): 2|m| for a separable
 * σ (the tilt e^{mx} of its unbounded weights on φ(x)), 0 for a normalised σ, whose kernels e^{−ψ},
 * ψe^{−ψ} are bounded at every s, so that φ(x) < e^{−40} beyond 9 bounds what is left out (the shift
 * made the grid grow like m² at the softmax Bayes point of max-SLR, where m = c = ν).
 */
function growthShift(ctx: TokenContext): number {
  return ctx.act.normalised ? 0 : 2 * Math.abs(ctx.coef.m);
}

interface ChiRule {
  chi: Float64Array;
  panels: number;
  /** per x-node: first χ-node of its band, number of χ-nodes, offset into the weight arrays */
  start: Int32Array;
  count: Int32Array;
  offsets: Int32Array;
  /** per (x-node, band node): K21 and G10 weights times N(χ_j; m x_i, τ²), and d = χ_j − m x_i */
  gk: Float64Array;
  gg: Float64Array;
  dd: Float64Array;
  /** normalised σ: log φ at the χ-nodes and φ where |log φ| ≤ PHI_CACHED_LOG, else NaN (no s: computed once) */
  lw: Float64Array | undefined;
  phi: Float64Array | undefined;
  /** kernel at the χ-nodes for the current s: e^{−ψ}, ψe^{−ψ}, 1 − e^{−ψ} */
  e: Float64Array;
  pe: Float64Array;
  comp: Float64Array;
}

/** Components of the w-moments kept per node (the six T1 needs; ψ² is T2's, which needs no selection). */
export const SEL_COMPONENTS = 6;

/**
 * ∫_{−1}^{t_j} ℓ_k(t) dt for the Lagrange basis ℓ_k on the 21 K21 abscissae (slot order as in
 * TokenGrid): cumulative integrals of the degree-20 interpolant at the nodes themselves. Built
 * in the Legendre basis (V_{jn} = P_n(t_j) is well conditioned at these nodes):
 * CUM = I·V^{−1}, I_{jn} = ∫_{−1}^{t_j} P_n = (P_{n+1}(t_j) − P_{n−1}(t_j))/(2n + 1) (t_j + 1 for n = 0).
 */
const CUM21: Float64Array = (() => {
  const t = new Float64Array(21);
  for (let k = 0; k < 10; k++) {
    t[k] = -XGK21[k];
    t[11 + k] = XGK21[k];
  }
  t[10] = 0;
  const N = 21;
  const legendre = (x: number, out: Float64Array) => {
    out[0] = 1;
    out[1] = x;
    for (let n = 1; n < N; n++) out[n + 1] = ((2 * n + 1) * x * out[n] - n * out[n - 1]) / (n + 1);
  };
  const P = new Float64Array(N + 1);
  const V = Array.from({ length: N }, () => new Float64Array(N));
  const I = Array.from({ length: N }, () => new Float64Array(N));
  for (let j = 0; j < N; j++) {
    legendre(t[j], P);
    for (let n = 0; n < N; n++) {
      V[j][n] = P[n];
      I[j][n] = n === 0 ? t[j] + 1 : (P[n + 1] - P[n - 1]) / (2 * n + 1);
    }
  }
  // CUM = I·V^{−1}: solve Vᵀ X = Iᵀ (X = CUMᵀ) by Gaussian elimination with partial pivoting
  const A = Array.from({ length: N }, (_, r) => Float64Array.from({ length: N }, (_, c) => V[c][r]));
  const B = Array.from({ length: N }, (_, r) => Float64Array.from({ length: N }, (_, c) => I[c][r]));
  for (let col = 0; col < N; col++) {
    let piv = col;
    for (let r = col + 1; r < N; r++) if (Math.abs(A[r][col]) > Math.abs(A[piv][col])) piv = r;
    [A[col], A[piv]] = [A[piv], A[col]];
    [B[col], B[piv]] = [B[piv], B[col]];
    for (let r = 0; r < N; r++) {
      if (r === col) continue;
      const f = A[r][col] / A[col][col];
      if (f === 0) continue;
      for (let c = 0; c < N; c++) {
        A[r][c] -= f * A[col][c];
        B[r][c] -= f * B[col][c];
      }
    }
  }
  const cum = new Float64Array(N * N);
  for (let k = 0; k < N; k++) for (let j = 0; j < N; j++) cum[j * N + k] = B[k][j] / A[k][k];
  return cum;
})();

/** The cumulative matrix, row j = node, column k = weight of f(t_k) in ∫_{−1}^{t_j} (slot order). */
export const CUMULATIVE_21 = CUM21;

/**
 * Tokens of a selection task through their key x = χ* ~ N(0, 1): a fixed
 * composite G10/K21 grid in x and, at every node, the w-moments of a token
 * with that key at normaliser s (w ~ N(0, τ²), χ = m x + w, a = αw,
 * b = m_vk* x + βw; e = e^{−ψ}, ψ = φ(χ)e^{−s}; separable: e = 1, ψ = φ(χ)):
 *   [E_w e, E_w(1 − e), E_w ψe, E_w ψbe, E_w aψbe, E_w ae]  (MASS … A)
 * with error bounds. The w-integral is Gauss–Hermite with n and 2n nodes
 * (error |GH_2n − GH_n|) where the kernel is smooth on the scale of w
 * (τ·slope ≤ 0.3, GH 16/32); otherwise an integral over χ on one fixed
 * χ-grid shared by all nodes and all s (see buildChiRule). Separable σ
 * (moments computed once) refine GH (8/16, then 24/48) until the difference
 * is below the token tolerance (exact at once for polynomial φ), and use the
 * χ-grid if it is still above.
 *
 * The x-grid: core [−9, 9 + shift] (the Gaussian beyond is below e^−40 of
 * its peak; e^{mx} growth of a separable φ is covered by the shift 2|m|, a
 * normalised σ needs none, see `growthShift`) and a
 * panel on each side out to ±39, where φ(x) underflows; panels at most
 * min(2.5, 1.6/c, 1.6/(|m|·slope)) wide, so that the selection kernel
 * e^{−e^{cx − r}} (any r) and the step of the w-moments in x are resolved.
 */
export class SelectionGrid {
  readonly panels: number;
  readonly x: Float64Array;
  readonly half: Float64Array;
  /** φ(x_i) times the node's K21 weight and half-length: ∫ f φ dx ≈ Σ kw_i f(x_i) */
  readonly kw: Float64Array;
  /** the same with the G10 weights (0 at the Kronrod-only nodes) */
  readonly gw: Float64Array;
  /** w-moments per component j: A[j][i], and their error bounds */
  readonly A: Float64Array[];
  readonly Aerr: Float64Array[];
  readonly normalised: boolean;
  /**
   * Whether every Aerr is exactly 0 after the last `wMoments`: at τ = 0 a normalised σ's w-moments are
   * point values (`momentsAtTauZero`, which writes no errors), so callers can skip their error sums
   */
  momentsExact = false;
  /** kernel (φ) evaluations so far */
  evaluations = 0;
  private readonly ctx: TokenContext;
  private readonly slope: number;
  private ghSmall: { nodes: Float64Array; weights: Float64Array } | undefined;
  private ghLarge: { nodes: Float64Array; weights: Float64Array } | undefined;
  /** fixed χ-grid and per-node Gaussian weights (normalised σ with τ·slope > 0.3), see buildChiRule */
  private chiRule: ChiRule | undefined;
  private readonly acc = new Float64Array(2 * SEL_COMPONENTS);

  /** Number of core panels the grid for slope c would have (for the caller's choice of method). */
  static panelsFor(ctx: TokenContext, c: number, widthFactor = 1): number {
    const { coreLo, coreHi, width } = SelectionGrid.layout(ctx, c, widthFactor);
    return Math.max(1, Math.ceil((coreHi - coreLo) / width));
  }

  private static layout(ctx: TokenContext, c: number, widthFactor: number): { slope: number; coreLo: number; coreHi: number; width: number } {
    const { m, tau2 } = ctx.coef;
    const tau = Math.sqrt(tau2);
    // the key range the token's χ = m x + w can take, for the slope scan
    const chiLo = -9 * Math.abs(m) - 9 * tau - 1;
    const chiHi = (9 + growthShift(ctx)) * Math.abs(m) + 9 * tau + 1;
    const slope = ctx.act.normalised ? maxLogWeightSlope(ctx, chiLo, chiHi) : 1;
    let width = 2.5;
    if (Number.isFinite(c) && c > 0) width = Math.min(width, stepWidth(ctx) / c);
    if (Math.abs(m) > 0) width = Math.min(width, stepWidth(ctx) / (Math.abs(m) * slope));
    return { slope, coreLo: -9, coreHi: 9 + growthShift(ctx), width: width * widthFactor };
  }

  constructor(ctx: TokenContext, c: number, widthFactor = 1) {
    this.ctx = ctx;
    const { act } = ctx;
    const { m, tau2 } = ctx.coef;
    this.normalised = act.normalised;
    const tau = Math.sqrt(tau2);
    const { slope, coreLo, coreHi, width } = SelectionGrid.layout(ctx, c, widthFactor);
    this.slope = slope;
    const n = Math.max(1, Math.ceil((coreHi - coreLo) / width));
    if (n > 20000) throw new NumericalRangeError(`the selection grid would need ${n} panels (c = ${c}, m = ${m})`);
    const ends = [-GAUSSIAN_CUTOFF_SD];
    for (let i = 0; i <= n; i++) ends.push(coreLo + ((coreHi - coreLo) * i) / n);
    ends.push(GAUSSIAN_CUTOFF_SD + growthShift(ctx));
    this.panels = ends.length - 1;
    const nodes = 21 * this.panels;
    this.x = new Float64Array(nodes);
    this.half = new Float64Array(this.panels);
    this.kw = new Float64Array(nodes);
    this.gw = new Float64Array(nodes);
    for (let p = 0; p < this.panels; p++) {
      const a = ends[p];
      const b = ends[p + 1];
      const cen = 0.5 * a + 0.5 * b;
      const h = 0.5 * b - 0.5 * a;
      this.half[p] = h;
      for (let k = 0; k < 21; k++) {
        const xk = k < 10 ? cen - h * XGK21[k] : k === 10 ? cen : cen + h * XGK21[k - 11];
        const i = 21 * p + k;
        this.x[i] = xk;
        const dens = 0.3989422804014327 * Math.exp(-0.5 * xk * xk);
        this.kw[i] = SLOT_K[k] * h * dens;
        this.gw[i] = SLOT_G[k] * h * dens;
      }
    }
    this.A = Array.from({ length: SEL_COMPONENTS }, () => new Float64Array(nodes));
    this.Aerr = Array.from({ length: SEL_COMPONENTS }, () => new Float64Array(nodes));
    // the w-rule
    if (tau > 0) {
      const ts = tau * this.slope;
      // separable σ: GH 8/16 to start, refined below; normalised: by τ·slope, else the χ-rule
      const tier = this.normalised ? GH_TIERS.find((t) => ts <= t.maxTauSlope) : { n: 8 };
      if (tier) {
        this.ghSmall = gaussHermiteNormal(tier.n);
        this.ghLarge = gaussHermiteNormal(2 * tier.n);
      } else {
        this.chiRule = this.buildChiRule(tau);
      }
    }
    if (!this.normalised) {
      // separable: the moments are computed once, so Gauss–Hermite is refined (8/16, 24/48, 64/128) until
      // |GH_2n − GH_n| ≤ ctx.relTol (1e−11 by default) of the largest |moment| (exact at once for a polynomial φ)
      let done = false;
      for (const n1 of [8, 24]) {
        if (n1 > 8) {
          this.ghSmall = gaussHermiteNormal(n1);
          this.ghLarge = gaussHermiteNormal(2 * n1);
        }
        this.wMoments(NaN);
        done = !(tau > 0) || this.relativeError() <= ctx.relTol;
        if (done) break;
      }
      if (!done) {
        // a wide w (large τ) against a φ that is not a polynomial: Gauss–Hermite converges slowly;
        // integrate over χ on a fixed grid instead (as for normalised σ)
        this.chiRule = this.buildChiRule(tau);
        this.wMoments(NaN);
      }
    }
  }

  /** (max node error)/(max |moment|) over all components (a component that is ≈ 0 everywhere, e.g. E_w[a] = αE[w] = 0, does not count alone). */
  private relativeError(): number {
    let big = 0;
    let err = 0;
    for (let j = 0; j < SEL_COMPONENTS; j++) {
      for (let i = 0; i < this.x.length; i++) {
        big = Math.max(big, Math.abs(this.A[j][i]));
        err = Math.max(err, this.Aerr[j][i]);
      }
    }
    return big > 0 ? err / big : 0;
  }

  get nodes(): number {
    return this.x.length;
  }

  /** The s whose moments A holds (NaN: none yet, or separable, whose moments do not depend on s). */
  private momentsAt = NaN;

  /** The w-moments at every node for normaliser s (NaN: separable, computed once at construction). */
  wMoments(s: number): void {
    // the moments at s are still in A (a correction pass evaluates two r-rules at each s)
    if (s === this.momentsAt) return;
    this.momentsAt = s;
    if (this.chiRule) {
      this.chiMoments(this.chiRule, s);
      return;
    }
    const n = this.x.length;
    const { A, Aerr, acc } = this;
    const tau = Math.sqrt(this.ctx.coef.tau2);
    const lw = this.logWeights();
    if (lw && !(tau > 0)) {
      this.momentsAtTauZero(s, lw);
      // Aerr was never written (zero since allocation): this grid's τ is fixed, so every call comes here
      this.momentsExact = true;
      return;
    }
    const es = Math.abs(s) <= PHI_CACHED_LOG ? Math.exp(-s) : NaN;
    const { alpha, beta, mvk } = this.ctx.coef;
    // α = β = m_vk* = 0 (the manifold): a = b = 0 at every point, so ψb, aψb, a are exactly 0 and
    // their moments keep the zeros they were allocated with; only e, 1 − e, ψe are summed and written
    const massOnly = lw !== undefined && valueFree(this.ctx.coef);
    const written = massOnly ? PSI + 1 : SEL_COMPONENTS;
    for (let i = 0; i < n; i++) {
      const x = this.x[i];
      if (this.kw[i] === 0 && this.gw[i] === 0) {
        // the density underflows here: nothing this node could add
        for (let j = 0; j < SEL_COMPONENTS; j++) A[j][i] = Aerr[j][i] = 0;
        continue;
      }
      if (!(tau > 0)) {
        acc.fill(0);
        this.point(x, 0, 1, acc, 0);
        for (let j = 0; j < SEL_COMPONENTS; j++) {
          A[j][i] = acc[j];
          Aerr[j][i] = 0;
        }
        continue;
      }
      if (this.ghSmall) {
        const small = this.ghSmall;
        const large = this.ghLarge!;
        const ns = small.nodes.length;
        const base = i * (ns + large.nodes.length);
        if (lw && massOnly) {
          const phi = this.phiCache!;
          const summary = this.ruleSummaries(lw, phi);
          this.evaluations += nodeMassMoments(summary, 2 * i, small, lw, phi, es, base, s, acc, SEL_COMPONENTS);
          this.evaluations += nodeMassMoments(summary, 2 * i + 1, large, lw, phi, es, base + ns, s, acc, 0);
        } else if (lw) {
          const phi = this.phiCache!;
          this.evaluations += ghNodeMoments(small, lw, phi, es, base, x, tau, s, alpha, beta, mvk, acc, SEL_COMPONENTS);
          this.evaluations += ghNodeMoments(large, lw, phi, es, base + ns, x, tau, s, alpha, beta, mvk, acc, 0);
        } else {
          acc.fill(0);
          for (let k = 0; k < ns; k++) this.point(x, tau * small.nodes[k], small.weights[k], acc, SEL_COMPONENTS);
          for (let k = 0; k < large.nodes.length; k++) this.point(x, tau * large.nodes[k], large.weights[k], acc, 0);
        }
        for (let j = 0; j < written; j++) {
          A[j][i] = acc[j];
          Aerr[j][i] = Math.abs(acc[j] - acc[SEL_COMPONENTS + j]) + 50 * Number.EPSILON * Math.abs(acc[j]);
        }
        continue;
      }
    }
  }

  /**
   * The w-integral as an integral over χ = m x + w on one fixed composite G10/K21 χ-grid shared by
   * every node and every s (panels at most min(2.5τ, 1.6/slope) wide, so the kernel's step is
   * resolved wherever s puts it): the kernel is evaluated once per χ-node and s, and each node's
   * moments are sums against precomputed Gaussian weights N(χ_j; m x_i, τ²) over χ within ±9τ of
   * m x_i (the whole panels that cover that band). Used where Gauss–Hermite would converge slowly
   * (τ·slope > 0.3: at τ·slope = 0.75 GH 32 is still off by 1e−8).
   */
  private buildChiRule(tau: number): ChiRule {
    const { m } = this.ctx.coef;
    const coreLo = -9;
    const coreHi = 9 + growthShift(this.ctx);
    const chiLo = Math.min(m * coreLo, m * coreHi) - 9 * tau;
    const chiHi = Math.max(m * coreLo, m * coreHi) + 9 * tau;
    const width = Math.min(2.5 * tau, stepWidth(this.ctx) / this.slope);
    const panels = Math.max(1, Math.ceil((chiHi - chiLo) / width));
    if (panels > 20000) throw new NumericalRangeError(`the χ-grid of the selection moments would need ${panels} panels (τ = ${tau})`);
    const h = (chiHi - chiLo) / (2 * panels);
    const chi = new Float64Array(21 * panels);
    for (let p = 0; p < panels; p++) {
      const cen = chiLo + (2 * p + 1) * h;
      for (let k = 0; k < 21; k++) chi[21 * p + k] = k < 10 ? cen - h * XGK21[k] : k === 10 ? cen : cen + h * XGK21[k - 11];
    }
    const n = this.x.length;
    const start = new Int32Array(n);
    const count = new Int32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const x = this.x[i];
      if (this.kw[i] === 0 || x < coreLo || x > coreHi) continue;
      const p0 = Math.max(0, Math.floor((m * x - 9 * tau - chiLo) / (2 * h)));
      const p1 = Math.min(panels - 1, Math.floor((m * x + 9 * tau - chiLo) / (2 * h)));
      start[i] = 21 * p0;
      count[i] = 21 * (p1 - p0 + 1);
      total += count[i];
    }
    const offsets = new Int32Array(n);
    const gk = new Float64Array(total);
    const gg = new Float64Array(total);
    const dd = new Float64Array(total);
    const norm = 1 / (tau * Math.sqrt(2 * Math.PI));
    let o = 0;
    for (let i = 0; i < n; i++) {
      offsets[i] = o;
      const mx = m * this.x[i];
      for (let q = 0; q < count[i]; q++) {
        const j = start[i] + q;
        const d = chi[j] - mx;
        const dens = h * norm * Math.exp((-0.5 * d * d) / (tau * tau));
        const slot = j % 21;
        gk[o] = SLOT_K[slot] * dens;
        gg[o] = SLOT_G[slot] * dens;
        dd[o] = d;
        o++;
      }
    }
    const { act, theta } = this.ctx;
    const lw = this.normalised ? chi.map((c) => act.logWeight!(c, theta)) : undefined;
    const phi = lw?.map((l) => (Math.abs(l) <= PHI_CACHED_LOG ? Math.exp(l) : NaN));
    return { chi, panels, start, count, offsets, gk, gg, dd, lw, phi, e: new Float64Array(chi.length), pe: new Float64Array(chi.length), comp: new Float64Array(chi.length) };
  }

  private chiMoments(rule: ChiRule, s: number): void {
    const { act, theta } = this.ctx;
    const { alpha, beta, mvk, tau2 } = this.ctx.coef;
    const { chi, e, pe, comp, start, count, offsets, gk, gg, dd, lw, phi } = rule;
    const es = Math.abs(s) <= PHI_CACHED_LOG ? Math.exp(-s) : NaN;
    for (let j = 0; j < chi.length; j++) {
      if (!lw || !phi) {
        e[j] = 1;
        pe[j] = act.weight(chi[j], theta);
        comp[j] = 0;
        continue;
      }
      const ell = lw[j] - s;
      if (ell > 40) {
        e[j] = 0;
        pe[j] = 0;
        comp[j] = 1;
        continue;
      }
      const psi = psiOf(phi[j], es, ell);
      const ej = Math.exp(-psi);
      e[j] = ej;
      pe[j] = psi * ej;
      comp[j] = psi > 0.5 ? 1 - ej : -Math.expm1(-psi);
    }
    this.evaluations += chi.length;
    const W = this.A;
    const E = this.Aerr;
    const aMass = W[MASS], aComp = W[COMPLEMENT], aPsi = W[PSI], aPsiB = W[PSI_B], aAPsiB = W[A_PSI_B], aA = W[A]; // prettier-ignore
    const eMass = E[MASS], eComp = E[COMPLEMENT], ePsi = E[PSI], ePsiB = E[PSI_B], eAPsiB = E[A_PSI_B], eA = E[A]; // prettier-ignore
    const tau = Math.sqrt(tau2);
    for (let i = 0; i < this.x.length; i++) {
      const cnt = count[i];
      if (cnt === 0) {
        // outside the core (|x| ≥ 9, where φ(x) < 1e−18): not integrated; the moments are bounded
        // by e, 1 − e ≤ 1, ψe ≤ 1/e, E|w| ≤ τ, E w² = τ², and that bound is the error
        const bx = Math.abs(mvk * this.x[i]);
        aMass[i] = aComp[i] = aPsi[i] = aPsiB[i] = aAPsiB[i] = aA[i] = 0;
        eMass[i] = eComp[i] = 1;
        ePsi[i] = 0.37;
        ePsiB[i] = 0.37 * (bx + Math.abs(beta) * tau);
        eAPsiB[i] = 0.37 * Math.abs(alpha) * (bx * tau + Math.abs(beta) * tau2);
        eA[i] = Math.abs(alpha) * tau;
        continue;
      }
      let k0 = 0, kc = 0, kp = 0, kpd = 0, kpdd = 0, kd = 0; // prettier-ignore
      let g0 = 0, gc = 0, gp = 0, gpd = 0, gpdd = 0, gd = 0; // prettier-ignore
      const o = offsets[i];
      const j0 = start[i];
      for (let q = 0; q < cnt; q++) {
        const j = j0 + q;
        const wk = gk[o + q];
        const wg = gg[o + q];
        const d = dd[o + q];
        const ej = e[j];
        const pj = pe[j];
        const cj = comp[j];
        k0 += wk * ej; kc += wk * cj; kp += wk * pj; kpd += wk * d * pj; kpdd += wk * d * d * pj; kd += wk * d * ej; // prettier-ignore
        g0 += wg * ej; gc += wg * cj; gp += wg * pj; gpd += wg * d * pj; gpdd += wg * d * d * pj; gd += wg * d * ej; // prettier-ignore
      }
      const x = this.x[i];
      const bx = mvk * x;
      aMass[i] = k0;
      aComp[i] = kc;
      aPsi[i] = kp;
      aPsiB[i] = bx * kp + beta * kpd;
      aAPsiB[i] = alpha * (bx * kpd + beta * kpdd);
      aA[i] = alpha * kd;
      // |K21 − G10| (the G10 error, conservative for K21), the rounding floor, and the Gaussian beyond ±9τ:
      // every kernel (e, 1 − e, ψe) is ≤ 1, so the tail is bounded by Gaussian tail moments (mpmath):
      // E[1{|w|>9τ}] = 2Q(9) = 2.26e−19, E[|w|1{…}] = 2τφ(9) = 2.06e−18τ, E[w²1{…}] = 2τ²(9φ(9) + Q(9)) = 1.873e−17τ²
      const tail0 = 2.26e-19;
      const tail1 = 2.06e-18 * tau;
      const tail2 = 1.873e-17 * tau * tau;
      const fl = 50 * Number.EPSILON;
      eMass[i] = Math.abs(k0 - g0) + fl * Math.abs(k0) + tail0;
      eComp[i] = Math.abs(kc - gc) + fl * Math.abs(kc) + tail0;
      ePsi[i] = Math.abs(kp - gp) + fl * Math.abs(kp) + tail0;
      ePsiB[i] = Math.abs(bx) * (Math.abs(kp - gp) + tail0) + Math.abs(beta) * (Math.abs(kpd - gpd) + tail1) + fl * Math.abs(aPsiB[i]);
      eAPsiB[i] = Math.abs(alpha) * (Math.abs(bx) * (Math.abs(kpd - gpd) + tail1) + Math.abs(beta) * (Math.abs(kpdd - gpdd) + tail2)) + fl * Math.abs(aAPsiB[i]);
      eA[i] = Math.abs(alpha) * (Math.abs(kd - gd) + tail1) + fl * Math.abs(aA[i]);
    }
  }

  /**
   * `wMoments` of a normalised σ at τ = 0: w ≡ 0, so each node is one point with a = 0 and
   * b = m_vk*·x, whose moments are written directly (ψ = φ·e^{−s} by `psiOf`); this loop was about
   * half of a risk evaluation at τ = 0 (e.g. the softplus kernel on max-SLR), so it is kept free of
   * calls and copies. The error bounds stay 0 (one exact point per node).
   */
  private momentsAtTauZero(s: number, lw: Float64Array): void {
    const { mvk } = this.ctx.coef;
    const phi = this.phiCache!;
    const es = Math.abs(s) <= PHI_CACHED_LOG ? Math.exp(-s) : NaN;
    const { x, kw, gw } = this;
    const aMass = this.A[MASS], aComp = this.A[COMPLEMENT], aPsi = this.A[PSI], aPsiB = this.A[PSI_B], aAPsiB = this.A[A_PSI_B], aA = this.A[A]; // prettier-ignore
    const n = x.length;
    let evaluations = 0;
    for (let i = 0; i < n; i++) {
      aAPsiB[i] = 0;
      aA[i] = 0;
      if (kw[i] === 0 && gw[i] === 0) {
        // the density underflows here: nothing this node could add
        aMass[i] = aComp[i] = aPsi[i] = aPsiB[i] = 0;
        continue;
      }
      evaluations++;
      const ell = lw[i] - s;
      if (ell > 40) {
        aMass[i] = aPsi[i] = aPsiB[i] = 0;
        aComp[i] = 1;
        continue;
      }
      const psi = psiOf(phi[i], es, ell);
      let e: number;
      let comp: number;
      if (psi < SMALL_PSI) {
        comp = smallComplement(psi);
        e = 1 - comp;
      } else {
        e = Math.exp(-psi);
        comp = psi > 0.5 ? 1 - e : -Math.expm1(-psi);
      }
      const pe = e * psi;
      aMass[i] = e;
      aComp[i] = comp;
      aPsi[i] = pe;
      aPsiB[i] = pe * (mvk * x[i]);
    }
    this.evaluations += evaluations;
  }

  /**
   * log φ at χ = m x_i + w_k for every node i and w-rule point k (k over the small rule, then the
   * large; τ = 0: one point), cached: the points do not depend on s, so a normalised σ evaluates
   * log φ once per point rather than once per point and s. Undefined for a separable σ (its moments
   * are computed once anyway; `point` evaluates φ itself).
   */
  private logWeights(): Float64Array | undefined {
    if (!this.normalised) return undefined;
    const small = this.ghSmall;
    if (this.lwCache && this.lwCacheRule === small) return this.lwCache;
    const large = this.ghLarge;
    const per = small ? small.nodes.length + large!.nodes.length : 1;
    const { act, theta } = this.ctx;
    const { m, tau2 } = this.ctx.coef;
    const tau = Math.sqrt(tau2);
    const n = this.x.length;
    const cache = new Float64Array(n * per);
    for (let j = 0; j < n; j++) {
      if (this.kw[j] === 0 && this.gw[j] === 0) continue;
      const mx = m * this.x[j];
      if (!small) {
        cache[j] = act.logWeight!(mx, theta);
        continue;
      }
      for (let q = 0; q < small.nodes.length; q++) cache[j * per + q] = act.logWeight!(mx + tau * small.nodes[q], theta);
      for (let q = 0; q < large!.nodes.length; q++) cache[j * per + small.nodes.length + q] = act.logWeight!(mx + tau * large!.nodes[q], theta);
    }
    this.lwCache = cache;
    this.lwCacheRule = small;
    // φ itself where it is a normal number, else NaN (the callers then take exp(log φ − s))
    this.phiCache = cache.map((l) => (Math.abs(l) <= PHI_CACHED_LOG ? Math.exp(l) : NaN));
    return cache;
  }

  /**
   * Per node and Gauss–Hermite rule (index 2i: the small rule, 2i + 1: the large), what the mass
   * moments need where a whole rule is in one regime (`nodeMassMoments`), computed once with the
   * caches: the least log φ, the largest φ (NaN if a point's φ is not cached), Σ weights (in the
   * loop's order), and T_j = Σ weight·(φ/φ_max)^j, j = 1…4.
   */
  private ruleSummaries(lw: Float64Array, phi: Float64Array): RuleSummaries {
    if (this.summaryCache && this.summaryCacheRule === this.ghSmall) return this.summaryCache;
    const small = this.ghSmall!;
    const large = this.ghLarge!;
    const ns = small.nodes.length;
    const per = ns + large.nodes.length;
    const n = this.x.length;
    const out: RuleSummaries = { minLog: new Float64Array(2 * n), maxPhi: new Float64Array(2 * n), weightSum: new Float64Array(2 * n), T: new Float64Array(8 * n) };
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < 2; r++) {
        const { weights } = r === 0 ? small : large;
        const at = i * per + (r === 0 ? 0 : ns);
        let minLog = Infinity;
        let maxPhi = 0;
        let wSum = 0;
        for (let k = 0; k < weights.length; k++) {
          minLog = Math.min(minLog, lw[at + k]);
          // a φ not cached (NaN) makes the maximum NaN: the small-ψ form is then never taken
          if (!(phi[at + k] <= maxPhi)) maxPhi = Number.isNaN(maxPhi) ? maxPhi : phi[at + k];
          wSum += weights[k];
        }
        const j = 2 * i + r;
        out.minLog[j] = minLog;
        out.maxPhi[j] = maxPhi;
        out.weightSum[j] = wSum;
        if (!(maxPhi > 0)) continue;
        let t1 = 0, t2 = 0, t3 = 0, t4 = 0; // prettier-ignore
        for (let k = 0; k < weights.length; k++) {
          const q = phi[at + k] / maxPhi;
          const wq = weights[k] * q;
          t1 += wq;
          t2 += wq * q;
          t3 += wq * q * q;
          t4 += wq * q * q * q;
        }
        out.T[4 * j] = t1;
        out.T[4 * j + 1] = t2;
        out.T[4 * j + 2] = t3;
        out.T[4 * j + 3] = t4;
      }
    }
    this.summaryCache = out;
    this.summaryCacheRule = this.ghSmall;
    return out;
  }

  private summaryCache: RuleSummaries | undefined;
  private summaryCacheRule: { nodes: Float64Array; weights: Float64Array } | undefined;

  /** φ at the points of `lwCache` (NaN where |log φ| > PHI_CACHED_LOG), so that ψ = φ·e^{−s} costs a product */
  private phiCache: Float64Array | undefined;

  private lwCache: Float64Array | undefined;
  private lwCacheRule: { nodes: Float64Array; weights: Float64Array } | undefined;

  /**
   * Add weight·[ψ, 0, ψ, ψb, aψb, a] at (x, w) into acc[offset …] for a separable σ (e = 1, no
   * normaliser): ψ = φ(χ). Normalised σ accumulate in `momentsAtTauZero` and `ghNodeMoments`.
   */
  private point(x: number, w: number, weight: number, acc: Float64Array, offset: number): void {
    const { act, theta } = this.ctx;
    const { m, alpha, beta, mvk } = this.ctx.coef;
    const psi = act.weight(m * x + w, theta);
    this.evaluations++;
    const a = alpha * w;
    const b = mvk * x + beta * w;
    const wpe = weight * psi;
    acc[offset + MASS] += weight;
    acc[offset + PSI] += wpe;
    acc[offset + PSI_B] += wpe * b;
    acc[offset + A_PSI_B] += wpe * a * b;
    acc[offset + A] += weight * a;
  }

  /**
   * Cumulative integrals ∫_{−∞}^{x_i} φ(x) f(x) dx at every node for f given at the nodes
   * (`values[i]`), written to `out`, with an error bound per node in `errOut`: the
   * cumulative of the degree-20 interpolant within a panel (exact at the panel's end, where it is
   * the K21 sum), plus the full panels before; the error of a node is that of the panels up to
   * and including its own (`panelError` of each).
   */
  cumulative(values: Float64Array, out: Float64Array, errOut: Float64Array): void {
    const dens = this.density();
    let before = 0;
    let errBefore = 0;
    const f = new Float64Array(21);
    for (let p = 0; p < this.panels; p++) {
      const base = 21 * p;
      const h = this.half[p];
      // a panel of constant values 0 or 1 (1 − e where the selection weight is far above or below the
      // normaliser): its sums are those precomputed for φ alone (f = φ·1 = φ exactly), or 0
      const c = values[base];
      let constant = c === 0 || c === 1;
      for (let k = 1; constant && k < 21; k++) constant = values[base + k] === c;
      if (constant) {
        const unit = this.unitCumulative();
        for (let j = 0; j < 21; j++) {
          out[base + j] = before + (c === 0 ? 0 : h * unit.within[base + j]);
          errOut[base + j] = errBefore + (c === 0 ? 0 : unit.panelErr[p]);
        }
        if (c !== 0) {
          before += h * unit.k21[p];
          errBefore += unit.panelErr[p];
        }
        continue;
      }
      let k21 = 0;
      let g10 = 0;
      let abs = 0;
      for (let k = 0; k < 21; k++) {
        f[k] = dens[base + k] * values[base + k];
        k21 += SLOT_K[k] * f[k];
        g10 += SLOT_G[k] * f[k];
        abs += SLOT_K[k] * Math.abs(f[k]);
      }
      const panelErr = h * panelError(k21, g10, abs);
      withinPanel(f, out, base, before, h);
      for (let j = 0; j < 21; j++) errOut[base + j] = errBefore + panelErr;
      before += h * k21;
      errBefore += panelErr;
    }
  }

  /** φ(x_i) at every node (kw_i/(K21 weight·half-length), as `cumulative` has always formed it), computed once. */
  private density(): Float64Array {
    if (!this.densityCache) {
      const d = new Float64Array(this.x.length);
      for (let p = 0; p < this.panels; p++) for (let k = 0; k < 21; k++) d[21 * p + k] = this.kw[21 * p + k] / (SLOT_K[k] * this.half[p]);
      this.densityCache = d;
    }
    return this.densityCache;
  }

  private densityCache: Float64Array | undefined;

  /** `cumulative`'s panel sums for f ≡ 1 (the within-panel interpolant sums, K21 sums, panel errors), computed once. */
  private unitCumulative(): { within: Float64Array; k21: Float64Array; panelErr: Float64Array } {
    if (!this.unitCache) {
      const dens = this.density();
      const within = new Float64Array(this.x.length);
      const k21s = new Float64Array(this.panels);
      const errs = new Float64Array(this.panels);
      const f = new Float64Array(21);
      for (let p = 0; p < this.panels; p++) {
        const base = 21 * p;
        let k21 = 0;
        let g10 = 0;
        let abs = 0;
        for (let k = 0; k < 21; k++) {
          f[k] = dens[base + k];
          k21 += SLOT_K[k] * f[k];
          g10 += SLOT_G[k] * f[k];
          abs += SLOT_K[k] * Math.abs(f[k]);
        }
        // within[j]: the sum that `withinPanel` multiplies by h (so that h·within is formed as there)
        withinPanel(f, within, base, 0, 1);
        k21s[p] = k21;
        errs[p] = this.half[p] * panelError(k21, g10, abs);
      }
      this.unitCache = { within, k21: k21s, panelErr: errs };
    }
    return this.unitCache;
  }

  private unitCache: { within: Float64Array; k21: Float64Array; panelErr: Float64Array } | undefined;
}

/**
 * out[base + j] = before + h·Σ_k CUM21[j, k]·f[k] for the 21 nodes of a panel: each row in three
 * interleaved partial sums (k ≡ 0, 1, 2 mod 3, three shorter addition chains), two rows at a time
 * (each f[k] loaded once for both).
 */
function withinPanel(f: Float64Array, out: Float64Array, base: number, before: number, h: number): void {
  for (let j = 0; j < 20; j += 2) {
    const row = j * 21;
    const row2 = row + 21;
    let c0 = 0, c1 = 0, c2 = 0, d0 = 0, d1 = 0, d2 = 0; // prettier-ignore
    for (let k = 0; k < 21; k += 3) {
      const f0 = f[k];
      const f1 = f[k + 1];
      const f2 = f[k + 2];
      c0 += CUM21[row + k] * f0;
      c1 += CUM21[row + k + 1] * f1;
      c2 += CUM21[row + k + 2] * f2;
      d0 += CUM21[row2 + k] * f0;
      d1 += CUM21[row2 + k + 1] * f1;
      d2 += CUM21[row2 + k + 2] * f2;
    }
    out[base + j] = before + h * (c0 + c1 + c2);
    out[base + j + 1] = before + h * (d0 + d1 + d2);
  }
  const row = 20 * 21;
  let c0 = 0, c1 = 0, c2 = 0; // prettier-ignore
  for (let k = 0; k < 21; k += 3) {
    c0 += CUM21[row + k] * f[k];
    c1 += CUM21[row + k + 1] * f[k + 1];
    c2 += CUM21[row + k + 2] * f[k + 2];
  }
  out[base + 20] = before + h * (c0 + c1 + c2);
}

/**
 * One node's w-moments over one Gauss–Hermite rule for a normalised σ: Σ_k weight_k·[e, 1 − e, ψe,
 * ψbe, aψbe, ae] at w_k = τ·node_k, log φ and φ read from lw, phi at lwAt + k (ψ = φ·e^{−s} by
 * `psiOf`, es = e^{−s}), written to out[offset …]; one loop without calls, as at the small τ of a
 * one-sided τ² derivative these sums are most of the evaluation. Returns the kernel evaluations.
 */
function ghNodeMoments(
  rule: { readonly nodes: Float64Array; readonly weights: Float64Array },
  lw: Float64Array,
  phi: Float64Array,
  es: number,
  lwAt: number,
  x: number,
  tau: number,
  s: number,
  alpha: number,
  beta: number,
  mvk: number,
  out: Float64Array,
  offset: number,
): number {
  const { nodes, weights } = rule;
  let mass = 0, comp = 0, psiSum = 0, psiB = 0, aPsiB = 0, aSum = 0; // prettier-ignore
  const bx = mvk * x;
  for (let k = 0; k < nodes.length; k++) {
    const weight = weights[k];
    const ell = lw[lwAt + k] - s;
    if (ell > 40) {
      comp += weight;
      continue;
    }
    const w = tau * nodes[k];
    const psi = psiOf(phi[lwAt + k], es, ell);
    const small = psi < SMALL_PSI;
    const c = small ? smallComplement(psi) : 0;
    const e = small ? 1 - c : Math.exp(-psi);
    const a = alpha * w;
    const b = bx + beta * w;
    const we = weight * e;
    const wpe = we * psi;
    mass += we;
    comp += weight * (small ? c : psi > 0.5 ? 1 - e : -Math.expm1(-psi));
    psiSum += wpe;
    psiB += wpe * b;
    aPsiB += wpe * a * b;
    aSum += we * a;
  }
  out[offset + MASS] = mass;
  out[offset + COMPLEMENT] = comp;
  out[offset + PSI] = psiSum;
  out[offset + PSI_B] = psiB;
  out[offset + A_PSI_B] = aPsiB;
  out[offset + A] = aSum;
  return nodes.length;
}

/** Whether `nodeMassMoments` takes its regimes (tests set it false to compare with the loop). */
export const _massMomentRegimes = { enabled: true };

/** See `SelectionGrid.ruleSummaries`. */
interface RuleSummaries {
  readonly minLog: Float64Array;
  readonly maxPhi: Float64Array;
  readonly weightSum: Float64Array;
  readonly T: Float64Array;
}

/**
 * `ghNodeMassMoments` with the two regimes where a whole rule's sums follow from its summary
 * (`ruleSummaries`, entry j) without a kernel evaluation:
 * - every log φ − s > 40 (the weight far above the normaliser, e^{−ψ} = 0): mass = ψe = 0 and
 *   1 − e sums to Σ weights, exactly as the loop would;
 * - every ψ = φ·e^{−s} below SMALL_PSI (ψ ≤ u = φ_max·e^{−s}): the loop's Taylor form
 *   1 − e = ψ − ψ²/2 + ψ³/6 summed term by term, Σ w(1 − e) = u·T1 − u²T2/2 + u³T3/6 and
 *   Σ wψe = u·T1 − u²T2 + u³T3/2 − u⁴T4/6, equal to the loop's sums up to rounding (a few ulp).
 * Otherwise the loop. Returns the kernel evaluations (0 for a regime).
 */
function nodeMassMoments(
  summary: RuleSummaries,
  j: number,
  rule: { readonly nodes: Float64Array; readonly weights: Float64Array },
  lw: Float64Array,
  phi: Float64Array,
  es: number,
  lwAt: number,
  s: number,
  out: Float64Array,
  offset: number,
): number {
  if (!_massMomentRegimes.enabled) return ghNodeMassMoments(rule, lw, phi, es, lwAt, s, out, offset);
  if (summary.minLog[j] - s > 40) {
    out[offset + MASS] = 0;
    out[offset + COMPLEMENT] = summary.weightSum[j];
    out[offset + PSI] = 0;
    return 0;
  }
  const u = es * summary.maxPhi[j];
  if (u < SMALL_PSI) {
    const T = summary.T;
    const t1 = T[4 * j], t2 = T[4 * j + 1], t3 = T[4 * j + 2], t4 = T[4 * j + 3]; // prettier-ignore
    const comp = u * (t1 - u * (0.5 * t2 - (u * t3) / 6));
    out[offset + MASS] = summary.weightSum[j] - comp;
    out[offset + COMPLEMENT] = comp;
    out[offset + PSI] = u * (t1 - u * (t2 - u * (0.5 * t3 - (u * t4) / 6)));
    return 0;
  }
  return ghNodeMassMoments(rule, lw, phi, es, lwAt, s, out, offset);
}

/**
 * `ghNodeMoments` where a = b = 0 at every point (α = β = m_vk* = 0): only Σ weight·[e, 1 − e, ψe]
 * (MASS, COMPLEMENT, PSI), the same sums in the same order.
 */
function ghNodeMassMoments(
  rule: { readonly nodes: Float64Array; readonly weights: Float64Array },
  lw: Float64Array,
  phi: Float64Array,
  es: number,
  lwAt: number,
  s: number,
  out: Float64Array,
  offset: number,
): number {
  const { nodes, weights } = rule;
  let mass = 0, comp = 0, psiSum = 0; // prettier-ignore
  for (let k = 0; k < nodes.length; k++) {
    const weight = weights[k];
    const ell = lw[lwAt + k] - s;
    if (ell > 40) {
      comp += weight;
      continue;
    }
    const psi = psiOf(phi[lwAt + k], es, ell);
    if (psi < SMALL_PSI) {
      const c = smallComplement(psi);
      const we = weight * (1 - c);
      mass += we;
      comp += weight * c;
      psiSum += we * psi;
      continue;
    }
    const e = Math.exp(-psi);
    const we = weight * e;
    mass += we;
    comp += weight * (psi > 0.5 ? 1 - e : -Math.expm1(-psi));
    psiSum += we * psi;
  }
  out[offset + MASS] = mass;
  out[offset + COMPLEMENT] = comp;
  out[offset + PSI] = psiSum;
  return nodes.length;
}

/**
 * |log φ| and |s| (or |c x| and |r| for the selection kernel e^{c x − r}) up to which the two factors
 * are kept as numbers: both are then normal doubles, and so is their product, within [e^{−600}, e^{600}].
 */
export const PHI_CACHED_LOG = 300;

/**
 * ψ below which 1 − e^{−ψ} is its Taylor polynomial ψ(1 − ψ/2 + ψ²/6) (relative truncation ψ³/24
 * < 1e−19, below rounding) and e^{−ψ} = 1 minus that: no exp or expm1 for the many points where the
 * selection weight is negligible against the normaliser.
 */
export const SMALL_PSI = 2 ** -20;

/** 1 − e^{−ψ} for 0 ≤ ψ < SMALL_PSI (see there) */
export function smallComplement(psi: number): number {
  return psi * (1 - psi * (0.5 - psi / 6));
}

/**
 * ψ = exp(ℓ), ℓ = log φ − s: the product φ·e^{−s} of the cached factors (NaN where a factor is not
 * cached, see PHI_CACHED_LOG), else the exp. The product is within 3 ulp of e^ℓ and saves an exp per
 * point and s; it is even closer than exp(ℓ), whose ℓ carries the rounding of log φ − s.
 */
export function psiOf(phi: number, es: number, ell: number): number {
  const p = phi * es;
  return p === p ? p : Math.exp(ell);
}

// ---------------------------------------------------------------------------
// Legacy: adaptive selection-token moments (used only where the selection grid would be too fine,
// i.e. a normalised σ under softmax selection with a very large slope c)

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


