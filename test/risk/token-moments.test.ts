import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { gaussHermiteNormal } from '../../src/numerics/gauss-rules.ts';
import { getActivation } from '../../src/estimator/activations.ts';
import { manifoldOverlaps, tokenCoefficients } from '../../src/risk/overlaps.ts';
import { COMPLEMENT, MASS, PHI_CACHED_LOG, _massMomentRegimes, PSI, PSI2, PSI_B, SelectionGrid, TokenGrid, CUMULATIVE_21, emptyMoments, psiOf, SMALL_PSI, smallComplement, type TokenContext } from '../../src/risk/token-moments.ts';

const EPS = Number.EPSILON;

function context(act: string, o = manifoldOverlaps({ mkk: 0.8, mvv: 0.7, qkk: 1.2, qvv: 1.1 })): TokenContext {
  return { act: getActivation(act), theta: getActivation(act).parameters.map(() => 0), coef: tokenCoefficients(o), relTol: 1e-11, absTol: 1e-15, counter: { evaluations: 0, converged: true } };
}

describe('the cumulative matrix of the K21 nodes', () => {
  it('should integrate t^k exactly from −1 to every node, k = 0 … 20 (interpolation of degree 20)', () => {
    // closed form: ∫_{−1}^{t} s^k ds = (t^{k+1} − (−1)^{k+1})/(k + 1); nodes in slot order (c − h·x_k, c, c + h·x_k)
    const nodes = [0.995657163025808, 0.973906528517172, 0.930157491355708, 0.865063366688985, 0.780817726586417, 0.679409568299024, 0.562757134668605, 0.433395394129247, 0.294392862701460, 0.148874338981631];
    const t = [...nodes.map((x) => -x), 0, ...nodes];
    let worst = 0;
    for (let k = 0; k <= 20; k++) {
      for (let j = 0; j < 21; j++) {
        let got = 0;
        for (let q = 0; q < 21; q++) got += CUMULATIVE_21[j * 21 + q] * t[q] ** k;
        const exact = (t[j] ** (k + 1) - (-1) ** (k + 1)) / (k + 1);
        worst = Math.max(worst, Math.abs(got - exact));
      }
    }
    // rounding of a 21-term sum with weights of size ≤ 1 and a matrix built by elimination: ≤ 1e−13 (measured 1e−14)
    expect(worst).toBeLessThan(1e-13);
  });
});

describe('SelectionGrid.cumulative', () => {
  // against the plain sums: ∫_{−∞}^{x_i} φ f ≈ (panels before: h·Σ K21-weight·φ·f) + h·Σ_k CUM21[j, k]·φ(x_k) f(x_k);
  // panels of constant 0 or 1 take precomputed sums there, so f mixes such panels with others
  fcTest.prop([fc.double({ min: 0.5, max: 10, noNaN: true }), fc.array(fc.constantFrom(0, 1, 2), { minLength: 40, maxLength: 40 }), fc.integer({ min: 1, max: 1000 })], { numRuns: 20 })(
    'should equal the panel-by-panel interpolant sums, with constant panels of 0 and 1 among others',
    (m, kinds, seed) => {
      const grid = new SelectionGrid(context('softplus', manifoldOverlaps({ mkk: m, mvv: 1, qkk: m * m, qvv: 1 })), Infinity);
      const n = grid.nodes;
      const values = new Float64Array(n);
      for (let p = 0; p < grid.panels; p++) {
        const kind = kinds[p % kinds.length];
        for (let k = 0; k < 21; k++) values[21 * p + k] = kind === 2 ? Math.sin(seed + 21 * p + k) : kind;
      }
      const out = new Float64Array(n);
      const err = new Float64Array(n);
      grid.cumulative(values, out, err);
      let before = 0;
      for (let p = 0; p < grid.panels; p++) {
        const h = grid.half[p];
        const f = Array.from({ length: 21 }, (_, k) => (0.3989422804014327 * Math.exp(-0.5 * grid.x[21 * p + k] ** 2)) * values[21 * p + k]);
        for (let j = 0; j < 21; j++) {
          let within = 0;
          for (let k = 0; k < 21; k++) within += CUMULATIVE_21[j * 21 + k] * f[k];
          const want = before + h * within;
          expect(Math.abs(out[21 * p + j] - want)).toBeLessThanOrEqual(1e-15 * (1 + Math.abs(want)));
          expect(err[21 * p + j]).toBeGreaterThanOrEqual(0);
        }
        // the panel's K21 sum is the cumulative at its last node's right end: the kw-weighted sum
        for (let k = 0; k < 21; k++) before += grid.kw[21 * p + k] * values[21 * p + k];
      }
    },
  );
});

describe('TokenGrid', () => {
  it('should give the closed-form moments of linear attention for N(0,1) and N(μ,1) tokens (manifold: b = 0, a = 0)', () => {
    // φ = 1 + χ, χ ~ N(mμ, m² + τ²): E φ = 1 + mμ, E φ² = (1 + mμ)² + m² + τ²; on the manifold E[b|χ] = 0 and
    // E[b²|χ] + c22 = c22 = q_vv − β²τ² = q_vv (β = 0)
    const ctx = context('linear');
    const { m, tau2, c22 } = ctx.coef;
    for (const mu of [0, 1.7]) {
      const grid = new TokenGrid(ctx, [{ weight: 1, mean: mu, sd: 1 }]);
      const M = emptyMoments();
      grid.moments(NaN, [M]);
      const ePsi = 1 + m * mu;
      const ePsi2 = (ePsi * ePsi + m * m + tau2) * c22;
      expect(Math.abs(M.values[PSI] - ePsi)).toBeLessThanOrEqual(M.errors[PSI] + 8 * EPS);
      expect(Math.abs(M.values[PSI2] - ePsi2)).toBeLessThanOrEqual(M.errors[PSI2] + 8 * EPS * ePsi2);
      expect(Math.abs(M.values[PSI_B])).toBeLessThanOrEqual(M.errors[PSI_B] + 8 * EPS);
      expect(Math.abs(M.values[MASS] - 1)).toBeLessThanOrEqual(M.errors[MASS] + 8 * EPS);
    }
  });

  it('should keep the relative accuracy of a tiny complement E[1 − e^{−ψ}] (softmax at s = 40, closed form by expansion)', () => {
    // at s = 40, ψ = e^{χ − 40} ≤ e^{−20} over the Gaussian's mass: E[1 − e^{−ψ}] = E[ψ] − E[ψ²]/2 + … with
    // E[ψ] = e^{−40 + v/2} (v = m² + τ² = 1.2), E[ψ²] = e^{−80 + 2v}
    const ctx = context('softmax');
    const grid = new TokenGrid(ctx, [{ weight: 1, mean: 0, sd: 1 }]);
    const M = emptyMoments();
    grid.moments(40, [M]);
    const v = 1.2;
    const expected = Math.exp(-40 + v / 2) - Math.exp(-80 + 2 * v) / 2;
    expect(Math.abs(M.values[1] - expected) / expected).toBeLessThan(1e-12);
  });
});

describe('SelectionGrid', () => {
  it('should give the exact w-moments of linear attention at every node (Gauss–Hermite is exact for polynomials)', () => {
    // E_w[1 + m x + w] = 1 + m x; E_w[(1 + m x + w) b] with b = β w (m_vk* = 0) = β τ²
    const ctx = context('linear', { mkk: 0.8, mkv: 0.3, mvk: 0, mvv: 0.7, qkk: 1.2, qvv: 1.1, qkv: 0.25 });
    const { m, beta, tau2 } = ctx.coef;
    const grid = new SelectionGrid(ctx, Infinity);
    let worst = 0;
    for (let i = 0; i < grid.nodes; i++) {
      if (grid.kw[i] === 0) continue;
      const x = grid.x[i];
      worst = Math.max(worst, Math.abs(grid.A[PSI][i] - (1 + m * x)) / (1 + Math.abs(m * x)), Math.abs(grid.A[PSI_B][i] - beta * tau2));
    }
    expect(worst).toBeLessThan(1e-13);
  });
});

describe('the w-moments of SelectionGrid on the manifold by regime (a whole Gauss–Hermite rule far above, or below SMALL_PSI)', () => {
  // nodeMassMoments takes [e, 1 − e, ψe] from each rule's summary where every point is in one regime;
  // the same sums as the point-by-point loop (_massMomentRegimes off): exactly where the weight is far
  // above the normaliser, to a few ulp where ψ < SMALL_PSI (the Taylor form summed term by term);
  // τ·slope ≤ 0.3 (slope ≤ 1 here), where the w-rule is Gauss–Hermite
  fcTest.prop([fc.double({ min: 0.3, max: 10, noNaN: true }), fc.double({ min: 1e-4, max: 0.05, noNaN: true }), fc.array(fc.double({ min: -30, max: 60, noNaN: true }), { minLength: 1, maxLength: 3 })], { numRuns: 12 })(
    'should equal the point-by-point sums to rounding at any m, small τ, s',
    (m, tau2, ss) => {
      const ctx = context('softplus', manifoldOverlaps({ mkk: m, mvv: 1, qkk: m * m + tau2, qvv: 1 }));
      const byRegime = new SelectionGrid(ctx, Infinity);
      const byPoint = new SelectionGrid(ctx, Infinity);
      let regimes = 0;
      // s = 80: ψ < SMALL_PSI at every point, so the small-ψ form is taken at every node; s = −400: the
      // weight far above the normaliser nearly everywhere, also where log φ < −300 (φ not cached, NaN)
      for (const s of [...ss, 80, -400]) {
        byRegime.wMoments(s);
        const evalsBefore = byPoint.evaluations;
        try {
          _massMomentRegimes.enabled = false;
          byPoint.wMoments(s);
        } finally {
          _massMomentRegimes.enabled = true;
        }
        regimes += byPoint.evaluations - evalsBefore;
        for (const j of [MASS, COMPLEMENT, PSI]) {
          for (let i = 0; i < byRegime.nodes; i++) {
            const a = byRegime.A[j][i];
            const b = byPoint.A[j][i];
            expect(Math.abs(a - b)).toBeLessThanOrEqual(8 * EPS * Math.abs(b) + 1e-300);
            expect(Math.abs(byRegime.Aerr[j][i] - byPoint.Aerr[j][i])).toBeLessThanOrEqual(16 * EPS * Math.abs(b) + 1e-300);
          }
        }
      }
      regimes -= byRegime.evaluations;
      // the regimes were taken (fewer kernel evaluations)
      expect(regimes).toBeGreaterThan(0);
    },
  );
});

describe('the Gauss–Hermite w-rules of SelectionGrid', () => {
  it('should have GH 5 within 1e−11 of GH 300 at τ·slope ≤ 0.03 (the 5/10 rule), GH 6 at 0.05 (6/12), GH 8 within 1e−12 at 0.1 (8/16), GH 16 within 1e−10 at 0.3 (16/32)', () => {
    // E[z^j k(e^{a + t z})], z ~ N(0,1), k ∈ {e^{−κ}, κe^{−κ}, 1 − e^{−κ}}, j ≤ 2, worst over a ∈ [−40, 40] step 0.05;
    // measured 2.2e−12 (GH 5, t = 0.03), 9.0e−13 (GH 6, t = 0.05), 7.6e−13 (GH 8, t = 0.1) and 1.2e−11
    // (GH 16, t = 0.3); the bounds leave room for rounding. One rule fewer (GH 4 at 0.03: 1.1e−9, GH 5
    // at 0.05: 1.3e−10) would not be ≈ 1e−12.
    const ref = gaussHermiteNormal(300);
    const kernels = [(k: number) => Math.exp(-k), (k: number) => k * Math.exp(-k), (k: number) => -Math.expm1(-k)];
    const worst = (n: number, t: number) => {
      const g = gaussHermiteNormal(n);
      let w = 0;
      for (let a = -40; a <= 40; a += 0.05) {
        for (const kern of kernels) {
          for (const j of [0, 1, 2]) {
            const f = (z: number) => z ** j * kern(Math.exp(a + t * z));
            let e = 0;
            let r = 0;
            for (let i = 0; i < g.nodes.length; i++) e += g.weights[i] * f(g.nodes[i]);
            for (let i = 0; i < ref.nodes.length; i++) r += ref.weights[i] * f(ref.nodes[i]);
            w = Math.max(w, Math.abs(e - r));
          }
        }
      }
      return w;
    };
    expect(worst(5, 0.03)).toBeLessThan(1e-11);
    expect(worst(6, 0.05)).toBeLessThan(1e-11);
    expect(worst(8, 0.1)).toBeLessThan(1e-12);
    expect(worst(16, 0.3)).toBeLessThan(1e-10);
  });
});

describe('smallComplement (1 − e^{−ψ} below SMALL_PSI)', () => {
  fcTest.prop([fc.double({ min: 0, max: SMALL_PSI, noNaN: true, maxExcluded: true })])('should equal −expm1(−ψ) to 2 ulp, and 1 − it e^{−ψ} to rounding', (psi) => {
    const exact = -Math.expm1(-psi);
    expect(Math.abs(smallComplement(psi) - exact)).toBeLessThanOrEqual(2 * Number.EPSILON * exact);
    expect(Math.abs(1 - smallComplement(psi) - Math.exp(-psi))).toBeLessThanOrEqual(Number.EPSILON);
  });

  it('should be exact at the ends that matter (0, and the truncation at SMALL_PSI below rounding)', () => {
    expect(smallComplement(0)).toBe(0);
    const psi = SMALL_PSI * (1 - Number.EPSILON);
    expect(Math.abs(smallComplement(psi) - -Math.expm1(-psi))).toBeLessThanOrEqual(Number.EPSILON * psi);
  });
});

describe('psiOf (ψ = φ·e^{−s} from cached factors)', () => {
  fcTest.prop([fc.double({ min: -PHI_CACHED_LOG, max: PHI_CACHED_LOG, noNaN: true }), fc.double({ min: -PHI_CACHED_LOG, max: PHI_CACHED_LOG, noNaN: true })])(
    'should equal exp(log φ − s) to a few ulp (and to the rounding of log φ − s) where ℓ ≤ 40',
    (logPhi, s) => {
      const ell = logPhi - s;
      fc.pre(ell <= 40);
      const psi = psiOf(Math.exp(logPhi), Math.exp(-s), ell);
      const direct = Math.exp(ell);
      // the direct exp carries the rounding of ℓ = log φ − s (|ℓ|·ε … max(|log φ|, |s|)·ε relative), the product ≤ 3 ulp
      const tol = (4 + Math.max(Math.abs(logPhi), Math.abs(s))) * Number.EPSILON * direct;
      expect(Math.abs(psi - direct)).toBeLessThanOrEqual(tol);
      expect(psi).toBeGreaterThan(0);
    },
  );

  it('should fall back to the exp where a factor is not cached (NaN)', () => {
    expect(psiOf(NaN, 1, -3)).toBe(Math.exp(-3));
    expect(psiOf(2, NaN, 0.5)).toBe(Math.exp(0.5));
    expect(psiOf(NaN, NaN, -720)).toBe(Math.exp(-720));
  });
});
