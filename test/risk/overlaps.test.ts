import { describe, expect, it } from 'vitest';
import { InadmissibleOverlapsError, InvalidInputError } from '../../src/errors.ts';
import { admissible, manifoldOverlaps, overlapsFrom, residual, tokenCoefficients } from '../../src/risk/overlaps.ts';

describe('admissible', () => {
  it('should accept the Bayes point k = c k*, v = v* (residuals exactly 0)', () => {
    expect(() => admissible(manifoldOverlaps({ mkk: 3, mvv: 1, qkk: 9, qvv: 1 }))).not.toThrow();
  });
  it('should reject q_kk < m_kk*² with a message naming the residuals', () => {
    expect(() => admissible(manifoldOverlaps({ mkk: 2, mvv: 1, qkk: 3, qvv: 1 }))).toThrow(InadmissibleOverlapsError);
    expect(() => admissible(manifoldOverlaps({ mkk: 2, mvv: 1, qkk: 3, qvv: 1 }))).toThrow(/R_kk=-1/);
  });
  it('should reject R_kv² > R_kk R_vv', () => {
    const o = { mkk: 0, mkv: 0, mvk: 0, mvv: 0, qkk: 1, qvv: 1, qkv: 1.5 };
    expect(() => admissible(o)).toThrow(InadmissibleOverlapsError);
  });
  it('should reject non-finite overlaps with a typed input error', () => {
    expect(() => admissible(manifoldOverlaps({ mkk: NaN, mvv: 1, qkk: 1, qvv: 1 }))).toThrow(InvalidInputError);
  });
  it('should accept residuals negative by rounding only (64 ulps of the scale)', () => {
    const m = 0.1 + 0.2; // 0.30000000000000004
    expect(() => admissible(manifoldOverlaps({ mkk: m, mvv: 1, qkk: 0.09, qvv: 1 }))).not.toThrow();
  });
});

describe('overlapsFrom', () => {
  it('should default the cross terms to the manifold', () => {
    expect(overlapsFrom({ mkk: 1, mvv: 2, qkk: 3, qvv: 4 })).toEqual({ mkk: 1, mkv: 0, mvk: 0, mvv: 2, qkk: 3, qvv: 4, qkv: 0 });
  });
  it('should require the four manifold overlaps', () => {
    expect(() => overlapsFrom({ mkk: 1, mvv: 2, qkk: 3 })).toThrow(/qvv/);
  });
});

describe('tokenCoefficients', () => {
  it('should reproduce the conditional covariance of (z*, z) given w by a direct Gaussian computation', () => {
    // direct: covariance of (z*, z, w) with w = m_kv z* + r, z − m_vk χ* = m_vv z* + s
    const o = { mkk: 0.7, mkv: 0.4, mvk: -0.3, mvv: 0.9, qkk: 1.5, qvv: 2, qkv: 0.5 };
    const R = residual(o);
    const cov = {
      zs_w: o.mkv,
      z_w: o.mvv * o.mkv + R.Rkv,
      w_w: o.mkv * o.mkv + R.Rkk,
      zs_z: o.mvv,
      z_z: o.mvv * o.mvv + R.Rvv,
    };
    const t = tokenCoefficients(o);
    expect(t.tau2).toBeCloseTo(cov.w_w, 14);
    expect(t.alpha).toBeCloseTo(cov.zs_w / cov.w_w, 14);
    expect(t.beta).toBeCloseTo(cov.z_w / cov.w_w, 14);
    expect(t.c12).toBeCloseTo(cov.zs_z - (cov.zs_w * cov.z_w) / cov.w_w, 14);
    expect(t.c22).toBeCloseTo(cov.z_z - (cov.z_w * cov.z_w) / cov.w_w, 14);
  });
  it('should set α = β = 0 when τ² = 0 (k in span(k*))', () => {
    const t = tokenCoefficients({ mkk: 2, mkv: 0, mvk: 0.5, mvv: 1, qkk: 4, qvv: 1.5, qkv: 1 });
    expect(t.tau2).toBe(0);
    expect(t.alpha).toBe(0);
    expect(t.beta).toBe(0);
    expect(t.c22).toBeCloseTo(1.5 - 0.25, 15);
  });
});
