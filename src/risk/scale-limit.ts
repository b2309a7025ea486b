import { InvalidInputError } from '../errors.ts';
import type { Activation } from '../estimator/activation.ts';
import { KRONROD_NODES, integrateVector } from '../numerics/adaptive.ts';
import { logGamma, normalCdf, normalPdf, normalQuantile, normalSf } from '../numerics/special.ts';
import type { LengthLaw } from '../task/length-law.ts';
import type { GaussianComponent, Task } from '../task/tasks.ts';
import { GAUSSIAN_INNER_SD, powerOfComplement } from './laplace.ts';
import { CUMULATIVE_21, SLOT_G, SLOT_K, panelError } from './token-moments.ts';

/**
 * The risk at the end of a ray |k| → ∞ along k* (τ² and the value side held,
 * m_kk* → ∞), computed at the limit instead of extrapolated towards it.
 *
 * A normalised σ with `scaleLimit: { positivePart: p }` has weights
 * σ(sχ)_ℓ → (χ_ℓ)_+^p / Σ (χ_ℓ')_+^p as s → ∞ where some χ > 0, and → the
 * argmax where every χ ≤ 0 (softplus(sx) ≈ e^{sx} for x < 0): the softplus
 * kernel is p = 1. Along the ray the scores are m χ* + O(1), so the weights
 * tend to σ∞(χ*) and, by dominated convergence (weights in [0, 1]), the
 * terms A = E[σ_ε], B = E[Σσ²] tend to those of σ∞(χ*), and the risk with
 * the best value side to 1 + Δ − A∞²/B∞. Softmax's limit is the argmax,
 * whose risk at c_ν = ∞ is E_Bayes = Δ (handled in class-risk.ts).
 *
 * With z = (χ*)_+^p, S = Σz and 1/S = ∫ e^{−tS} dt, 1/S² = ∫ t e^{−tS} dt:
 * - selection tasks at slope ∞ (max-SLR, ν = ∞: χ* iid N(0, 1), ε = argmax):
 *   the spike is the largest, y, the others N(0, 1) conditioned below it; in
 *   u = t·y^p, per length L,
 *     A_L = 2^{−L} + L ∫_0^∞ φ(y) ∫_0^∞ e^{−u} (1 − C)^{L−1} du dy,
 *     B_L = 2^{−L} + L ∫_0^∞ φ(y) ∫_0^∞ u e^{−u} [(1 − C)^{L−1} + (L − 1) H (1 − C)^{L−2}] du dy,
 *   C = Q(y) + ∫_0^y φ(x)(1 − e^{−t x^p}) dx, H = ∫_0^y (x/y)^{2p} φ(x) e^{−t x^p} dx,
 *   2^{−L} the event that every χ* ≤ 0 (then σ∞ is the argmax, ε itself):
 *   for p ≤ 2 and L ≤ SWEPT_MAX_LENGTH with the order turned (t = u/y^p outer, one sweep of
 *   cumulative sums over a fixed y-grid per t, `argmaxTermsSwept`), else three nested levels
 *   (`argmaxTerms`); the two agree to 1e−14 (test);
 * - product tasks (spiked-SLR and general spike laws, any ν): the tokens are
 *   independent, so the t-integral of one-token integrals suffices, two
 *   levels (`productTerms`, formulas there).
 * Adaptive Gauss–Kronrod at every level; each level carries the error bounds
 * of the level inside it (propagated through the powers), so the reported
 * error covers all of them. Cost does not grow with L.
 */
export interface ScaleLimitResult {
  readonly value: number;
  readonly error: number;
  readonly A: number;
  readonly B: number;
  readonly converged: boolean;
  readonly evaluations: number;
  readonly method: string;
}

/**
 * Whether scaleLimitRisk computes the end of the ray for these inputs: a normalised σ with a
 * positive-part scale limit, on a product task or a selection task at slope ∞.
 */
export function scaleLimitApplies(task: Task, nu: number, act: Activation): boolean {
  return act.normalised && typeof act.scaleLimit === 'object' && (task.kind === 'product' || task.selectionSlope(nu) === Infinity);
}

/** The limit risk of `act` along the ray m_kk* → ∞ (τ² held), or undefined where it is not supported (scaleLimitApplies). */
export function scaleLimitRisk(input: { task: Task; nu: number; lengths: LengthLaw; delta?: number; act: Activation }): ScaleLimitResult | undefined {
  const { task, nu, lengths, act } = input;
  const delta = input.delta ?? 0;
  const limit = act.scaleLimit;
  if (!scaleLimitApplies(task, nu, act) || typeof limit !== 'object') return undefined;
  const p = limit.positivePart;
  if (!(p > 0 && Number.isFinite(p))) throw new InvalidInputError(`scaleLimit.positivePart must be a positive number, got ${String(p)}`);
  const spike = task.kind === 'product' ? task.spikeLaw(nu) : undefined;
  let A = 0;
  let B = 0;
  let eA = 0;
  let eB = 0;
  let evaluations = 0;
  let converged = true;
  // the argmax limit's lengths up to SWEPT_MAX_LENGTH in one sweep with their weights (p ≤ 2), the
  // others one by one by the nested levels
  const isSwept = (L: number) => !spike && p <= 2 && L <= SWEPT_MAX_LENGTH;
  const parts: { w: number; t: Terms }[] = [];
  const sweptLengths = lengths.lengths.filter(isSwept);
  if (sweptLengths.length) parts.push({ w: 1, t: argmaxTermsSwept(sweptLengths, lengths.probabilities.filter((_, i) => isSwept(lengths.lengths[i])), p) });
  lengths.lengths.forEach((L, i) => {
    if (!isSwept(L)) parts.push({ w: lengths.probabilities[i], t: spike ? productTerms(L, p, spike) : argmaxTerms(L, p) });
  });
  for (const { w, t } of parts) {
    A += w * t.A;
    B += w * t.B;
    eA += w * t.eA;
    eB += w * t.eB;
    evaluations += t.evaluations;
    converged &&= t.converged;
  }
  const gain = (A * A) / B;
  const gainError = (2 * Math.abs(A) * eA) / B + (A * A * eB) / (B * B) + 8 * Number.EPSILON * gain;
  return {
    value: delta + 1 - gain,
    error: gainError + 8 * Number.EPSILON * (1 + delta),
    A,
    B,
    converged,
    evaluations,
    method:
      `the limit weights σ∞(χ*)_ℓ = (χ*_ℓ)_+^${p}/Σ(χ*)_+^${p} (argmax when every χ* ≤ 0)${spike ? '' : ' at ε = argmax χ*'}: ` +
      `A∞ = E[σ∞_ε], B∞ = E[Σσ∞²] by ${
        spike
          ? 'nested adaptive Gauss–Kronrod integrals (Laplace variable t, one-token integrals)'
          : p <= 2
            ? 'an adaptive Gauss–Kronrod integral over the Laplace variable t of K21 sums over the spike value y on a fixed graded grid, the other token by cumulative sums on the same grid'
            : 'nested adaptive Gauss–Kronrod integrals (spike value y, Laplace variable u, one other token)'
      }, ` +
      'inner error bounds carried outwards; risk = 1 + Δ − A∞²/B∞',
  };
}

const OUTER = { relTol: 1e-9, absTol: 1e-12 };
const MIDDLE = { relTol: 1e-10, absTol: 1e-13 };
const INNER = { relTol: 1e-11, absTol: 1e-14 };

interface Terms {
  A: number;
  B: number;
  eA: number;
  eB: number;
  evaluations: number;
  converged: boolean;
}

/**
 * A_L, B_L at ε = argmax with the order of integration turned round: with u = t·y^p,
 *   A_L = 2^{−L} + L ∫_0^∞ dt ∫_0^∞ dy φ(y) y^p e^{−t y^p} (1 − C)^{L−1},
 *   B_L = 2^{−L} + L ∫_0^∞ dt t ∫_0^∞ dy φ(y) e^{−t y^p} [y^{2p} (1 − C)^{L−1} + (L − 1) K (1 − C)^{L−2}],
 * C = Q(y) + ∫_0^y φ(x)(1 − e^{−t x^p}) dx and K = ∫_0^y x^{2p} φ(x) e^{−t x^p} dx (= y^{2p} H). For a
 * fixed t both are cumulative integrals in y, so one sweep over a fixed grid gives them at every y
 * node (the degree-20 interpolant of each K21 panel, `CUMULATIVE_21`), and the y-integral is that
 * grid's K21 sum: per t a few thousand integrand values instead of one adaptive x-integral per
 * (y, u). The grid: [0, y0], panels doubling from y0 to 1, then 0.5 wide to Y_MAX = 10, y0 a tenth
 * of the smallest decay scale T^{−1/p} met at the largest t = T. Errors: per y-panel QUADPACK
 * estimates of the y-sums and of the cumulative sums (carried through the powers to first order),
 * the y-tail beyond Y_MAX, and the t-tail beyond T, bounded with (1 − C)^n ≤ 1 and K ≤ y^{2p}/2:
 * ≤ L φ(0) Γ(1 + 1/p) T^{−1/p} for A and ≤ L² φ(0) Γ(2 + 1/p) T^{−1/p} for B, T chosen to make
 * these 1e−12 (about 1% of the other bounds; 1e−16 took a third more t-nodes at L = 2 and
 * Unif{1, 2, 3} for a value 6e−15 away). The t-integral is adaptive (decade breakpoints from 1e−3
 * to T, relative tolerance 1e−10) with the y-errors as carried components. C and K do not depend
 * on L, so one sweep per t serves every length of a law (T for the longest), and the lengths enter
 * the y-integrands already weighted: the result is Σ_L w_L (A_L, B_L) with its bounds (the weights
 * need not sum to 1).
 */
function argmaxTermsSwept(lengths: readonly number[], weights: readonly number[], p: number): Terms {
  // one sweep per t serves every length of the law (C and K do not depend on L): the y-integrands are
  // combined with the weights w_L, through G1 = Σ w_L L (1 − C)^{L−1}, G2 = Σ w_L L(L−1)(1 − C)^{L−2},
  // G3 = Σ w_L L(L−1)(L−2)(1 − C)^{L−3} (L = 1 is exact: σ∞ = 1, A_1 = B_1 = 1)
  const Ls = lengths.filter((L) => L >= 2);
  const wL = weights.filter((_, i) => lengths[i] >= 2);
  const nL = Ls.length;
  const Lmax = Math.max(2, ...Ls);
  const c1 = Ls.map((L, l) => wL[l] * L);
  const c2 = Ls.map((L, l) => wL[l] * L * (L - 1));
  const c3 = Ls.map((L, l) => wL[l] * L * (L - 1) * (L - 2));
  const oneWeight = weights.reduce((acc, w, i) => acc + (lengths[i] === 1 ? w : 0), 0);
  const phi0 = normalPdf(0);
  const tailTarget = 1e-12;
  // T^{−1/p} = tailTarget / (L² φ(0) Γ(2 + 1/p)) covers both tails (the B bound is the larger), at the longest L
  const scaleT = tailTarget / (Lmax * Lmax * phi0 * Math.exp(logGamma(2 + 1 / p)));
  const T = scaleT ** -p;
  // the y-grid
  const ends = [0];
  for (let y = 0.1 * scaleT; y < 1; y *= 2) ends.push(y);
  for (let y = 1; y <= SWEEP_Y_MAX + 1e-12; y += 0.5) ends.push(y);
  const panels = ends.length - 1;
  const nNodes = 21 * panels;
  const x = new Float64Array(nNodes);
  const half = new Float64Array(panels);
  for (let q = 0; q < panels; q++) {
    const c = 0.5 * ends[q] + 0.5 * ends[q + 1];
    const h = 0.5 * ends[q + 1] - 0.5 * ends[q];
    half[q] = h;
    for (let k = 0; k < 10; k++) {
      x[21 * q + k] = c - h * KRONROD_NODES[k];
      x[21 * q + 11 + k] = c + h * KRONROD_NODES[k];
    }
    x[21 * q + 10] = c;
  }
  const pdf = x.map(normalPdf);
  const xp = x.map((v) => v ** p);
  const sf = x.map(normalSf);
  const fC = new Float64Array(21);
  const fK = new Float64Array(21);
  const ef = new Float64Array(21);
  const needLog = Ls.some((L) => L - 1 > 16);
  // (1 − C)^n: by multiplication for small n, else exp(n·log1p(−C)) (as powerOfComplement)
  const power = (b: number, lc: number, n: number) => {
    if (n <= 0) return n === 0 ? 1 : 0;
    if (n > 16) return Math.exp(n * lc);
    let r = b;
    for (let k = 1; k < n; k++) r *= b;
    return r;
  };
  // beyond Y_MAX (p ≤ 2 and y ≥ 1, so y^p, y^{2p} ≤ y⁴; ∫_Y^∞ y⁴φ = (Y³ + 3Y)φ(Y) + 3Q(Y); K ≤ E[x_+^{2p}]):
  // A's y-integrand ≤ e^{−t Y^p} y⁴φ(y), B's ≤ t e^{−t Y^p} (y⁴ + (L − 1)E[x_+^{2p}])φ(y)
  const Y = SWEEP_Y_MAX;
  const m4 = (Y ** 3 + 3 * Y) * normalPdf(Y) + 3 * normalSf(Y);
  const Yp = Y ** p;
  // Σ_L w_L L (y-tail weight of B): L·(m4 + (L − 1)E[x_+^{2p}]Q(Y)) per length
  const tailWeightB = Ls.reduce((acc, L, l) => acc + c1[l] * (m4 + (L - 1) * positiveMoment(2 * p) * normalSf(Y)), 0);
  const tailWeightA = c1.reduce((a, b) => a + b, 0) * m4;
  let evaluations = 0;
  // out: the A-part and the B-part (weighted over the lengths), then their carried errors
  const atT = (t: number, out: Float64Array) => {
    let C = 0; // ∫_0^{panel start} φ(x)(1 − e^{−t x^p}) dx
    let Kc = 0;
    let eC = 0;
    let eK = 0;
    for (let q = 0; q < panels; q++) {
      const h = half[q];
      const base = 21 * q;
      // from here on e^{−t y^p} is exactly 0 at every node (node 0 is a panel's smallest y): the A and B
      // integrands, their errors and K's increments are all exactly 0, and C is not needed any more
      if (t * xp[base] > EXP_ZERO) break;
      let kC = 0, gC = 0, aC = 0, kK = 0, gK = 0, aK = 0; // prettier-ignore
      for (let k = 0; k < 21; k++) {
        const i = base + k;
        const e = expOfMinus(t * xp[i]);
        ef[k] = e;
        fC[k] = -pdf[i] * expm1OfMinus;
        fK[k] = xp[i] * xp[i] * pdf[i] * e;
        kC += SLOT_K[k] * fC[k]; gC += SLOT_G[k] * fC[k]; aC += SLOT_K[k] * Math.abs(fC[k]); // prettier-ignore
        kK += SLOT_K[k] * fK[k]; gK += SLOT_G[k] * fK[k]; aK += SLOT_K[k] * Math.abs(fK[k]); // prettier-ignore
      }
      evaluations += 21;
      const pC = h * panelError(kC, gC, aC);
      const pK = h * panelError(kK, gK, aK);
      let kA = 0, gA = 0, absA = 0, dA = 0, kB = 0, gB = 0, absB = 0, dB = 0; // prettier-ignore
      // the y-integrands at this panel's nodes, from the cumulative integrals there
      for (let j = 0; j < 21; j++) {
        let cj = 0;
        let kj = 0;
        for (let k = 0; k < 21; k++) {
          cj += CUMULATIVE_21[j * 21 + k] * fC[k];
          kj += CUMULATIVE_21[j * 21 + k] * fK[k];
        }
        const i = base + j;
        const Cy = sf[i] + C + h * cj;
        const Ky = Kc + h * kj;
        const eCy = eC + pC + 4 * Number.EPSILON * sf[i];
        const eKy = eK + pK;
        const b = 1 - Cy;
        const lc = needLog ? Math.log1p(-Cy) : 0;
        const w = pdf[i] * ef[j];
        const x2p = xp[i] * xp[i];
        let G1 = 0;
        let G2 = 0;
        let G3 = 0;
        for (let l = 0; l < nL; l++) {
          const n1 = Ls[l] - 1;
          G1 += c1[l] * power(b, lc, n1);
          G2 += c2[l] * power(b, lc, n1 - 1);
          G3 += c3[l] * power(b, lc, n1 - 2);
        }
        const vA = w * xp[i] * G1;
        const vB = t * w * (x2p * G1 + Ky * G2);
        kA += SLOT_K[j] * vA; gA += SLOT_G[j] * vA; absA += SLOT_K[j] * Math.abs(vA); // prettier-ignore
        kB += SLOT_K[j] * vB; gB += SLOT_G[j] * vB; absB += SLOT_K[j] * Math.abs(vB); // prettier-ignore
        // first-order propagation of the cumulative errors: d(1 − C)^n = −n(1 − C)^{n−1} dC
        dA += SLOT_K[j] * w * xp[i] * G2 * eCy;
        dB += SLOT_K[j] * t * w * (x2p * G2 * eCy + eKy * G2 + Ky * G3 * eCy);
      }
      out[0] += h * kA;
      out[1] += h * kB;
      out[2] += h * (panelError(kA, gA, absA) + dA);
      out[3] += h * (panelError(kB, gB, absB) + dB);
      C += h * kC;
      Kc += h * kK;
      eC += pC;
      eK += pK;
    }
    const decay = Math.exp(-t * Yp);
    out[2] += decay * tailWeightA;
    out[3] += t * decay * tailWeightB;
  };
  const breaks: number[] = [];
  for (let t = 1e-3; t < T; t *= 10) breaks.push(t);
  const all = oneWeight + Ls.reduce((acc, L, l) => acc + wL[l] * 2 ** -L, 0);
  if (nL === 0) return { A: all, B: all, eA: 0, eB: 0, evaluations: 0, converged: true };
  const r = integrateVector(atT, 4, 0, T, { ...MIDDLE, controlled: 2, breakpoints: breaks });
  // the t-tails beyond T with (1 − C)^n ≤ 1 and K ≤ y^{2p}/2, per length L·φ(0)Γ(1 + 1/p)T^{−1/p} (A) and
  // L²·φ(0)Γ(2 + 1/p)T^{−1/p} (B), weighted
  const tailA = Ls.reduce((acc, L, l) => acc + wL[l] * L, 0) * phi0 * Math.exp(logGamma(1 + 1 / p)) * scaleT;
  const tailB = Ls.reduce((acc, L, l) => acc + wL[l] * L * L, 0) * phi0 * Math.exp(logGamma(2 + 1 / p)) * scaleT;
  return {
    A: all + r.values[0],
    B: all + r.values[1],
    eA: r.errors[0] + r.values[2] + tailA,
    eB: r.errors[1] + r.values[3] + tailB,
    evaluations,
    converged: r.converged,
  };
}

/**
 * The longest L for which `scaleLimitRisk` takes the swept order (p ≤ 2): measured at p = 1 it takes
 * 0.46–0.83 of the nested levels' time for L = 2…300 (1.5M instead of 3.3M integrand values at L = 2)
 * with bounds of 1e−11…1e−10 on the risk, but its first-order propagation through (1 − C)^{L−1} grows
 * with L (1.7e−8 on the risk at L = 10⁶ against 2e−16 nested), so longer sequences keep the nested levels.
 */
const SWEPT_MAX_LENGTH = 300;

/** The y-grid of `argmaxTermsSwept` ends here: φ(10) ≈ 7.7e−23. */
const SWEEP_Y_MAX = 10;

/** A_L, B_L and their error bounds for the positive-part limit of degree p at ε = argmax (max-SLR, ν = ∞): three levels. */
function argmaxTerms(L: number, p: number): Terms {
  if (L === 1) return { A: 1, B: 1, eA: 0, eB: 0, evaluations: 0, converged: true };
  const t: Terms = { A: 0, B: 0, eA: 0, eB: 0, evaluations: 0, converged: true };
  const inner = new Float64Array(4);
  /** C(t, y) with the other token below y, H(t, y) relative to y^{2p}, and their errors, into `inner` */
  const otherToken = (tt: number, y: number) => {
    const r = integrateVector(
      (x, out) => {
        const f = normalPdf(x);
        // p = 1 (the softplus kernel) without pow
        const r = x / y;
        const e = expOfMinus(tt * (p === 1 ? x : x ** p));
        out[0] = -f * expm1OfMinus;
        out[1] = (p === 1 ? r * r : r ** (2 * p)) * f * e;
      },
      2,
      0,
      y,
      // e^{−t x^p} lives on x ≲ t^{−1/p} near 0: nodes there whatever t
      { ...INNER, relativeTo: 'magnitude', breakpoints: ladder(tt ** (-1 / p), p) },
    );
    t.evaluations += r.evaluations;
    t.converged &&= r.converged;
    inner[0] = normalSf(y) + r.values[0];
    inner[1] = r.values[1];
    inner[2] = r.errors[0] + 4 * Number.EPSILON * inner[0];
    inner[3] = r.errors[1];
  };
  const mp = positiveMoment(p);
  const middle = (y: number, out: Float64Array) => {
    const yp = y ** p;
    // (1 − C)^{L−1} ≈ exp(−(L − 1)(Q(y) + u·E[x_+^p]/y^p)): its scale in u, where the rule needs nodes
    const u0 = yp / ((L - 1) * mp);
    const r = integrateVector(
      (u, o) => {
        otherToken(u / yp, y);
        middleTerms(L, u, inner, o);
      },
      4,
      0,
      Infinity,
      { ...MIDDLE, controlled: 2, breakpoints: [...ladder(u0, 1), 1, 10] },
    );
    t.converged &&= r.converged;
    const f = L * normalPdf(y);
    out[0] = f * r.values[0];
    out[1] = f * r.values[1];
    out[2] = f * (r.errors[0] + r.values[2]);
    out[3] = f * (r.errors[1] + r.values[3]);
  };
  // the largest of L normals sits near the (1 − 1/L) quantile, with spread ~1/√(2 log L)
  const yStar = normalQuantile(1 - 1 / L);
  const r = integrateVector(middle, 4, 0, Infinity, { ...OUTER, controlled: 2, breakpoints: [-4, -2, -1, 0, 1, 2, 4].map((k) => yStar + k) });
  t.converged &&= r.converged;
  // every χ* ≤ 0 (probability 2^{−L}): σ∞ is the argmax, ε itself
  const all = 2 ** -L;
  t.A = all + r.values[0];
  t.B = all + r.values[1];
  t.eA = r.errors[0] + r.values[2] + r.errors[2];
  t.eB = r.errors[1] + r.values[3] + r.errors[3];
  return t;
}

/**
 * A_L, B_L and their error bounds on a product task (spike with a Gaussian-mixture law, the others N(0, 1),
 * all independent): with z = x_+^p, S = Σz, and 1/S = ∫ e^{−tS} dt, 1/S² = ∫ t e^{−tS} dt over S > 0,
 *   A_L = ∫_0^∞ E[z_s e^{−t z_s}] (1 − C)^{L−1} dt + ∫_{−∞}^0 f(y) Φ(y)^{L−1} dy,
 *   B_L = ∫_0^∞ t (E[z_s² e^{−t z_s}] (1 − C)^{L−1} + (L − 1) E[e^{−t z_s}] E[z² e^{−tz}] (1 − C)^{L−2}) dt + P(S = 0),
 * C = E[1 − e^{−tz}] of an other token (the second term of A: every score ≤ 0, where the argmax — the spike
 * when it is the largest — takes the weight; P(S = 0) = P(y ≤ 0)·2^{−(L−1)}). Two levels: the t-integral of
 * one-token integrals.
 */
function productTerms(L: number, p: number, spike: readonly GaussianComponent[]): Terms {
  if (L === 1) return { A: 1, B: 1, eA: 0, eB: 0, evaluations: 0, converged: true };
  const t: Terms = { A: 0, B: 0, eA: 0, eB: 0, evaluations: 0, converged: true };
  const density = (y: number) => spike.reduce((f, c) => f + (c.weight * normalPdf((y - c.mean) / c.sd)) / c.sd, 0);
  const spikeBelowZero = spike.reduce((q, c) => q + c.weight * normalCdf(-c.mean / c.sd), 0);
  const centres = spike.flatMap((c) => [-6, -3, 0, 3, 6].map((k) => c.mean + k * c.sd)).filter((y) => y > 0);
  const spikeEnd = Math.max(GAUSSIAN_INNER_SD, ...spike.map((c) => c.mean + GAUSSIAN_INNER_SD * c.sd));
  /**
   * ∫_0^∞ g(y) [z e^{−tz}, z² e^{−tz}, 1 − e^{−tz}] dy, z = y^p, g the spike density or φ, whose mass ends
   * (to 1e−32) at `end`: values then errors into `out`
   */
  const token = (tt: number, g: (y: number) => number, breaks: readonly number[], end: number, out: Float64Array) => {
    const r = integrateVector(
      (y, o) => {
        const f = g(y);
        const z = y ** p;
        const e = Math.exp(-tt * z);
        o[0] = f * z * e;
        o[1] = f * z * z * e;
        o[2] = -f * Math.expm1(-tt * z);
      },
      3,
      0,
      Infinity,
      // e^{−t z} lives on y ≲ t^{−1/p} near 0: nodes there whatever t, but no panel ends beyond the
      // density's mass (a panel reaching far past it sees ~0 at every node and reports ~0 with ~0 error)
      { ...INNER, relativeTo: 'magnitude', breakpoints: [...breaks, end, ...ladder(tt ** (-1 / p)).filter((x) => x < end)] },
    );
    t.evaluations += r.evaluations;
    t.converged &&= r.converged;
    for (let j = 0; j < 3; j++) {
      out[j] = r.values[j];
      out[3 + j] = r.errors[j] + 4 * Number.EPSILON * Math.abs(r.values[j]);
    }
  };
  const sp = new Float64Array(6);
  const ot = new Float64Array(6);
  const mp = positiveMoment(p);
  const zs = spike.reduce((m, c) => m + c.weight * Math.max(c.mean, c.sd) ** p, 0);
  const r = integrateVector(
    (tt, o) => {
      token(tt, density, centres, spikeEnd, sp);
      token(tt, normalPdf, [1, 3], GAUSSIAN_INNER_SD, ot);
      const [s1, s2, cs, e1, e2, ecs] = sp;
      const [, h2, c, , eh2, ec] = ot;
      const n = L - 1;
      const g1 = powerOfComplement(c, n);
      const g0 = powerOfComplement(c, n - 1);
      const gm = n >= 2 ? powerOfComplement(c, n - 2) : 0;
      const ps = 1 - cs;
      o[0] = s1 * g1;
      o[1] = tt * (s2 * g1 + n * ps * h2 * g0);
      // first-order propagation of the one-token errors (d(1 − c)^k/dc = −k(1 − c)^{k−1})
      o[2] = e1 * g1 + s1 * n * g0 * ec;
      o[3] = tt * (e2 * g1 + s2 * n * g0 * ec + n * (ecs * h2 * g0 + ps * eh2 * g0 + ps * h2 * (n - 1) * gm * ec));
    },
    4,
    0,
    Infinity,
    { ...MIDDLE, controlled: 2, breakpoints: [...ladder(1 / ((L - 1) * mp + zs)), ...ladder(1 / zs), 1, 10] },
  );
  t.converged &&= r.converged;
  // every score ≤ 0: the argmax takes the weight; for A only when it is the spike
  const fallback = integrateVector(
    (y, out) => {
      out[0] = density(y) * powerOfComplement(normalSf(y), L - 1);
    },
    1,
    -Infinity,
    0,
    { ...OUTER, breakpoints: spike.map((c) => c.mean) },
  );
  t.converged &&= fallback.converged;
  const allNonPositive = spikeBelowZero * 2 ** -(L - 1);
  t.A = r.values[0] + fallback.values[0];
  t.B = r.values[1] + allNonPositive;
  t.eA = r.errors[0] + r.values[2] + r.errors[2] + fallback.errors[0];
  t.eB = r.errors[1] + r.values[3] + r.errors[3];
  return t;
}

/**
 * Breakpoints from a tenth of a decay scale x0 to 300 times it, a factor 3 apart: a Kronrod panel
 * much wider than where its integrand lives can see ~0 at every node and report ~0 with ~0 error
 * (at L = 10^6 the t-integrand decays on 1e−6 while the next natural scale is 0.2).
 * With p, only the steps k where the decaying factor e^{−k^p} is still above e^{−60} (p = 1: up to 30):
 * beyond, a breakpoint would only split panels where the integrand is smooth. The argmax limit uses it
 * for the factor e^{−t x^p} of the other token's integral and for (1 − C)^{L−1} ≈ e^{−u/u0} in u (where
 * t x^p is not small, e^{−u} is what varies, and the breakpoints 1 and 10 are there for it): 25% fewer
 * integrand values for the softplus kernel at max-SLR, L = 2 (3.3M instead of 4.4M), the value within
 * 2e−16, the bound 3.2e−11 (was 4.0e−11).
 */
function ladder(x0: number, p?: number): number[] {
  const steps = [0.1, 0.3, 1, 3, 10, 30, 100, 300];
  return (p === undefined ? steps : steps.filter((k) => k ** p <= LADDER_DECAYED)).map((k) => k * x0);
}
const LADDER_DECAYED = 60;

/** z beyond which e^{−z} is exactly 0 in double precision (e^{−745.2} is below half the least subnormal) */
const EXP_ZERO = 746;

/** e^{−z} − 1 of the last `expOfMinus` call */
let expm1OfMinus = 0;

/**
 * e^{−z} (z ≥ 0), and e^{−z} − 1 into `expm1OfMinus`, from one call: expm1 where e^{−z} > 1/2 (then
 * 1 + (e^{−z} − 1) loses nothing), exp below (then e^{−z} − 1 is exact to ½ ulp).
 */
function expOfMinus(z: number): number {
  if (z < Math.LN2) {
    expm1OfMinus = Math.expm1(-z);
    return 1 + expm1OfMinus;
  }
  const e = Math.exp(-z);
  expm1OfMinus = e - 1;
  return e;
}

/** E[x_+^p] for x ~ N(0, 1): 2^{p/2} Γ((p + 1)/2)/(2√π). */
function positiveMoment(p: number): number {
  return 0.5 * Math.exp(logGamma((p + 1) / 2) + (p / 2) * Math.LN2 - 0.5 * Math.log(Math.PI));
}

/** The middle integrand at u from one other token's C, H and their errors: e^{−u}(1 − C)^{L−1}, the B term, and their propagated errors. */
function middleTerms(L: number, u: number, inner: Float64Array, o: Float64Array): void {
  const C = inner[0];
  const H = inner[1];
  const eC = inner[2];
  const eH = inner[3];
  const g1 = powerOfComplement(C, L - 1);
  const g2 = powerOfComplement(C, L - 2);
  const g3 = L >= 3 ? powerOfComplement(C, L - 3) : 0;
  const e = Math.exp(-u);
  o[0] = e * g1;
  o[1] = u * e * (g1 + (L - 1) * H * g2);
  // d(1 − C)^n/dC = −n(1 − C)^{n−1}: first-order propagation of the inner errors
  o[2] = e * (L - 1) * g2 * eC;
  o[3] = u * e * ((L - 1) * g2 * eC + (L - 1) * (eH * g2 + H * (L - 2) * g3 * eC));
}

/**
 * @internal both argmax computations (`scaleLimitRisk` takes the swept one for p ≤ 2, where its
 * y-tail bound holds, the nested one otherwise), for the test that checks one against the other
 */
export const _argmaxTerms = { nested: argmaxTerms, swept: (L: number, p: number) => argmaxTermsSwept([L], [1], p), sweptLaw: argmaxTermsSwept };
