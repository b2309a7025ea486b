import { InvalidInputError } from '../errors.ts';

/**
 * Gaussian quadrature rules by Newton iteration on the three-term recurrence
 * of the orthogonal polynomials, with the initial guesses of Press et al.,
 * Numerical Recipes (3rd ed.), §4.6 (gauleg, gauher, gaulag). Recurrences are
 * run with running rescaling (Hermite and
 * Laguerre, rescaled by powers of 1e150 as they grow), so nothing overflows
 * up to n = 500; weights that underflow are 0 but `logWeights` stays finite.
 * Rules are cached and frozen.
 */
export interface GaussRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
  readonly logWeights: Float64Array;
}

export const MAX_RULE_SIZE = 500;
const MAX_NEWTON = 100;
const cache = new Map<string, GaussRule>();

function checkSize(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_RULE_SIZE) {
    throw new InvalidInputError(`quadrature rule size must be an integer in [1, ${MAX_RULE_SIZE}], got ${n}`);
  }
}

function cached(key: string, build: () => GaussRule): GaussRule {
  let r = cache.get(key);
  if (!r) {
    r = build();
    Object.freeze(r);
    cache.set(key, r);
  }
  return r;
}

/** Gauss–Legendre on [−1, 1]: exact for polynomials of degree ≤ 2n − 1. */
export function gaussLegendre(n: number): GaussRule {
  checkSize(n);
  return cached(`legendre:${n}`, () => {
    const nodes = new Float64Array(n);
    const weights = new Float64Array(n);
    const m = Math.floor((n + 1) / 2);
    for (let i = 0; i < m; i++) {
      let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
      let pp = 0;
      for (let it = 0; it < MAX_NEWTON; it++) {
        let p1 = 1;
        let p2 = 0;
        for (let j = 0; j < n; j++) {
          const p3 = p2;
          p2 = p1;
          p1 = ((2 * j + 1) * z * p2 - j * p3) / (j + 1);
        }
        pp = (n * (z * p1 - p2)) / (z * z - 1);
        const dz = p1 / pp;
        z -= dz;
        if (Math.abs(dz) <= 1e-16 * Math.max(1, Math.abs(z))) break;
      }
      nodes[i] = -z;
      nodes[n - 1 - i] = z;
      weights[i] = weights[n - 1 - i] = 2 / ((1 - z * z) * pp * pp);
    }
    if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
    return { nodes, weights, logWeights: weights.map(Math.log) };
  });
}

/**
 * Orthonormal Hermite recurrence at z: returns p_n and p_{n−1} divided by
 * e^{scale} (rescaled on the fly so that nothing overflows), and the scale.
 */
function hermiteRecurrence(n: number, z: number): { pn: number; pn1: number; scale: number } {
  let p1 = 0.7511255444649425; // π^{−1/4}
  let p2 = 0;
  let scale = 0;
  for (let j = 0; j < n; j++) {
    const p3 = p2;
    p2 = p1;
    p1 = z * Math.sqrt(2 / (j + 1)) * p2 - Math.sqrt(j / (j + 1)) * p3;
    if (Math.abs(p1) > 1e150) {
      p1 *= 1e-150;
      p2 *= 1e-150;
      scale += 150 * Math.LN10;
    }
  }
  return { pn: p1, pn1: p2, scale };
}

/** |a_k|, the k-th zero of Airy Ai, from its asymptotic series (relative error < 1e−4 at k = 1; a guess only). */
function airyZero(k: number): number {
  const t = (3 * Math.PI * (4 * k - 1)) / 8;
  return Math.pow(t, 2 / 3) * (1 + 5 / (48 * t * t) - 5 / (36 * t ** 4));
}

/** Gauss–Hermite for the weight e^{−x²} on R (physicists'): exact for degree ≤ 2n − 1. */
export function gaussHermite(n: number): GaussRule {
  checkSize(n);
  return cached(`hermite:${n}`, () => {
    const nodes = new Float64Array(n);
    const logWeights = new Float64Array(n);
    const m = Math.floor((n + 1) / 2);
    let z = 0;
    for (let i = 0; i < m; i++) {
      // the largest roots from the Airy asymptotics x_k ≈ √(2n+1) − 2^{−1/3}|a_k|(2n+1)^{−1/6}
      // (Szegő §6.32; |a_k| the Airy zeros, by their own asymptotic series), the rest by extrapolation
      if (i < Math.min(10, Math.max(2, Math.floor(m / 4)))) z = Math.sqrt(2 * n + 1) - Math.pow(2, -1 / 3) * airyZero(i + 1) * Math.pow(2 * n + 1, -1 / 6);
      else z = 2 * nodes[i - 1] - nodes[i - 2];
      if (i > 0 && !(z < nodes[i - 1])) z = nodes[i - 1] - 0.5 * (i > 1 ? nodes[i - 2] - nodes[i - 1] : 1);
      for (let it = 0; it < MAX_NEWTON; it++) {
        const { pn, pn1 } = hermiteRecurrence(n, z);
        // (p_n)' = √(2n) p_{n−1}
        const dz = pn / (Math.sqrt(2 * n) * pn1);
        z -= dz;
        if (Math.abs(dz) <= 1e-15 * Math.max(1, Math.abs(z))) break;
      }
      const { pn1, scale } = hermiteRecurrence(n, z);
      // w = 2/(p_n')² = 1/(n p_{n−1}²)
      const lw = -Math.log(n) - 2 * (Math.log(Math.abs(pn1)) + scale);
      nodes[i] = z;
      logWeights[i] = lw;
    }
    const x = new Float64Array(n);
    const lw = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      x[i] = -nodes[i];
      x[n - 1 - i] = nodes[i];
      lw[i] = lw[n - 1 - i] = logWeights[i];
    }
    if (n % 2 === 1) x[(n - 1) / 2] = 0;
    return { nodes: x, weights: lw.map(Math.exp), logWeights: lw };
  });
}

/** Rule for E[f(X)], X ~ N(0,1): Gauss–Hermite with nodes √2 x_i and weights w_i/√π (summing to 1). */
export function gaussHermiteNormal(n: number): GaussRule {
  return cached(`hermite-normal:${n}`, () => {
    const h = gaussHermite(n);
    const logSqrtPi = 0.5 * Math.log(Math.PI);
    const logWeights = h.logWeights.map((l) => l - logSqrtPi);
    return { nodes: h.nodes.map((x) => Math.SQRT2 * x), weights: logWeights.map(Math.exp), logWeights };
  });
}

/** Generalised Laguerre recurrence at z: L_n and L_{n−1} divided by e^{scale}. */
function laguerreRecurrence(n: number, alpha: number, z: number): { pn: number; pn1: number; scale: number } {
  let p1 = 1;
  let p2 = 0;
  let scale = 0;
  for (let j = 0; j < n; j++) {
    const p3 = p2;
    p2 = p1;
    p1 = ((2 * j + 1 + alpha - z) * p2 - (j + alpha) * p3) / (j + 1);
    if (Math.abs(p1) > 1e150) {
      p1 *= 1e-150;
      p2 *= 1e-150;
      scale += 150 * Math.LN10;
    }
  }
  return { pn: p1, pn1: p2, scale };
}

/** Gauss–Laguerre for the weight x^α e^{−x} on (0, ∞), α > −1: exact for degree ≤ 2n − 1. */
export function gaussLaguerre(n: number, alpha = 0): GaussRule {
  checkSize(n);
  if (!(alpha > -1) || !Number.isFinite(alpha)) throw new InvalidInputError(`Laguerre alpha must be > -1, got ${alpha}`);
  return cached(`laguerre:${n}:${alpha}`, () => {
    const nodes = new Float64Array(n);
    const logWeights = new Float64Array(n);
    const logC = logGamma(alpha + n) - logGamma(n);
    let z = 0;
    for (let i = 0; i < n; i++) {
      if (i === 0) z = ((1 + alpha) * (3 + 0.92 * alpha)) / (1 + 2.4 * n + 1.8 * alpha);
      else if (i === 1) z += (15 + 6.25 * alpha) / (1 + 0.9 * alpha + 2.5 * n);
      else {
        const ai = i - 1;
        z += ((1 + 2.55 * ai) / (1.9 * ai) + (1.26 * ai * alpha) / (1 + 3.5 * ai)) * ((z - nodes[i - 2]) / (1 + 0.3 * alpha));
      }
      for (let it = 0; it < MAX_NEWTON; it++) {
        const { pn, pn1 } = laguerreRecurrence(n, alpha, z);
        const pp = (n * pn - (n + alpha) * pn1) / z;
        const dz = pn / pp;
        z -= dz;
        if (Math.abs(dz) <= 1e-15 * Math.max(1, Math.abs(z))) break;
      }
      const { pn, pn1, scale } = laguerreRecurrence(n, alpha, z);
      const pp = (n * pn - (n + alpha) * pn1) / z;
      nodes[i] = z;
      // w = −Γ(n+α)/Γ(n) / (n L_n' L_{n−1}) with both factors carrying e^{scale}
      logWeights[i] = logC - Math.log(Math.abs(pp * n * pn1)) - 2 * scale;
    }
    return { nodes, weights: logWeights.map(Math.exp), logWeights };
  });
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative accuracy ~1e−15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const xx = x - 1;
  let a = c[0];
  const t = xx + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}
