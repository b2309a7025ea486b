import { InadmissibleOverlapsError, InvalidInputError, requireFinite } from '../errors.ts';

/**
 * The seven overlaps (order parameters) through which the risk of f_{σ,k,v}
 * depends on k, v as D → ∞ (|k*|² = |v*|² = D, k* ⊥ v*):
 * m_kk* = k·k* / D, m_kv* = k·v* / D, m_vk* = v·k* / D, m_vv* = v·v* / D,
 * q_kk = |k|²/D, q_vv = |v|²/D, q_kv = k·v/D.
 */
export interface Overlaps {
  readonly mkk: number;
  readonly mkv: number;
  readonly mvk: number;
  readonly mvv: number;
  readonly qkk: number;
  readonly qvv: number;
  readonly qkv: number;
}

export const OVERLAP_NAMES = ['mkk', 'mkv', 'mvk', 'mvv', 'qkk', 'qvv', 'qkv'] as const;
export type OverlapName = (typeof OVERLAP_NAMES)[number];
/** The manifold M = {m_kv* = m_vk* = q_kv = 0} keeps these four. */
export const MANIFOLD_NAMES = ['mkk', 'mvv', 'qkk', 'qvv'] as const;

export type Family = 'manifold' | 'full';

/** Residual covariance of (r, s) = the parts of (χ, z) orthogonal to (χ*, z*). */
export interface Residual {
  readonly Rkk: number;
  readonly Rvv: number;
  readonly Rkv: number;
}

export function residual(o: Overlaps): Residual {
  return {
    Rkk: o.qkk - o.mkk * o.mkk - o.mkv * o.mkv,
    Rvv: o.qvv - o.mvk * o.mvk - o.mvv * o.mvv,
    Rkv: o.qkv - o.mkk * o.mvk - o.mkv * o.mvv,
  };
}

/**
 * Rounding tolerance for admissibility: the residuals are differences of
 * O(q) numbers, so a PSD matrix can come out negative by a few ulps of q.
 */
function roundingSlack(o: Overlaps): number {
  const scale = Math.max(1, Math.abs(o.qkk), Math.abs(o.qvv), o.mkk * o.mkk, o.mvv * o.mvv, o.mkv * o.mkv, o.mvk * o.mvk);
  return 64 * Number.EPSILON * scale;
}

/**
 * Validate the overlaps: finite, and residual covariance PSD (R_kk ≥ 0,
 * R_vv ≥ 0, R_kk R_vv ≥ R_kv²) up to rounding; negative residuals within the
 * rounding slack are clamped to 0. Throws InadmissibleOverlapsError otherwise.
 */
export function admissible(o: Overlaps): Overlaps {
  for (const n of OVERLAP_NAMES) requireFinite(n, o[n]);
  const R = residual(o);
  const slack = roundingSlack(o);
  const fail = (why: string) => {
    throw new InadmissibleOverlapsError(
      `inadmissible overlaps: ${why} (R_kk=${fmt(R.Rkk)}, R_vv=${fmt(R.Rvv)}, R_kv=${fmt(R.Rkv)}; need R_kk ≥ 0, R_vv ≥ 0, R_kk·R_vv ≥ R_kv²)`,
    );
  };
  if (R.Rkk < -slack) fail('q_kk < m_kk*² + m_kv*²');
  if (R.Rvv < -slack) fail('q_vv < m_vk*² + m_vv*²');
  if (Math.max(R.Rkk, 0) * Math.max(R.Rvv, 0) - R.Rkv * R.Rkv < -slack * Math.max(1, Math.abs(R.Rkv))) {
    fail('R_kv² > R_kk·R_vv');
  }
  return o;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(6) : String(x);
}

export function manifoldOverlaps(p: { mkk: number; mvv: number; qkk: number; qvv: number }): Overlaps {
  return { mkk: p.mkk, mkv: 0, mvk: 0, mvv: p.mvv, qkk: p.qkk, qvv: p.qvv, qkv: 0 };
}

export function isOnManifold(o: Overlaps): boolean {
  return o.mkv === 0 && o.mvk === 0 && o.qkv === 0;
}

/** Overlaps from a partial record; missing cross terms default to 0 (the manifold). */
export function overlapsFrom(rec: Partial<Record<OverlapName, number>>): Overlaps {
  for (const n of ['mkk', 'mvv', 'qkk', 'qvv'] as const) {
    if (rec[n] === undefined) throw new InvalidInputError(`overlaps need ${n} (given: ${Object.keys(rec).join(', ') || 'none'})`);
  }
  const o = {} as Record<OverlapName, number>;
  for (const n of OVERLAP_NAMES) o[n] = rec[n] ?? 0;
  return o as Overlaps;
}

/**
 * Per-token conditional structure used by the risk machinery. With
 * w_ℓ = χ_ℓ − m_kk* χ*_ℓ ~ N(0, τ²), τ² = q_kk − m_kk*², independent of χ*:
 * E[z*_ℓ | χ*, w] = a_ℓ = α w_ℓ and E[z_ℓ | χ*, w] = b_ℓ = m_vk* χ*_ℓ + β w_ℓ, with
 * α = m_kv* / τ², β = (q_kv − m_kk* m_vk*)/τ², conditional covariance
 * Cov(z*, z | ·) = c12 = m_vv* − m_kv* β, Var(z | ·) = c22 = q_vv − m_vk*² − β² τ².
 * When τ² = 0 admissibility forces m_kv* = 0 and q_kv = m_kk* m_vk*, so α = β = 0.
 */
export interface TokenCoefficients {
  readonly m: number;
  readonly tau2: number;
  readonly alpha: number;
  readonly beta: number;
  readonly mvk: number;
  readonly c12: number;
  readonly c22: number;
}

/** a ≡ 0 and b ≡ 0 at every token (α = β = m_vk* = 0, e.g. on the manifold M): the moments carrying a or b are exactly 0. */
export function valueFree(coef: TokenCoefficients): boolean {
  return coef.alpha === 0 && coef.beta === 0 && coef.mvk === 0;
}

export function tokenCoefficients(o: Overlaps): TokenCoefficients {
  admissible(o);
  const tau2raw = o.qkk - o.mkk * o.mkk;
  const tau2 = tau2raw > roundingSlack(o) ? tau2raw : 0;
  const alpha = tau2 > 0 ? o.mkv / tau2 : 0;
  const beta = tau2 > 0 ? (o.qkv - o.mkk * o.mvk) / tau2 : 0;
  const c12 = o.mvv - o.mkv * beta;
  const c22 = Math.max(0, o.qvv - o.mvk * o.mvk - beta * beta * tau2);
  return { m: o.mkk, tau2, alpha, beta, mvk: o.mvk, c12, c22 };
}
