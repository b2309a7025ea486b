/**
 * Beyond the paper: the centred linearisation σ_ℓ = 1 + χ_ℓ − χ̄ (χ̄ the
 * mean over tokens), which is the actual first-order expansion of
 * L·softmax(χ)_ℓ = L e^{χ_ℓ}/Σe^{χ_k} at χ = 0. On spiked-SLR (manifold) its
 * class risk is Δ + (L−1)/(L + ν) at m_kk* = √ν L/(L + ν), so
 * ν(E − Δ) → L − 1 (against L for σ = 1 + χ).
 */
import type { Derivation } from '../../claims/types.ts';
import { requireFinite } from '../../errors.ts';
import { diff, solvePolynomial, substitute } from '../cas.ts';
import { DerivationBuilder, type StepCheck, allOf } from '../derivation-builder.ts';
import { Poly } from '../polynomial.ts';
import { checkDerivative, checkGaussianExpectation, verifyNumerically } from '../verify-numerically.ts';
import { type GaussianLaw, gaussianExpectation } from '../wick.ts';
import { type DerivationOptions, boxFor, seedOf } from './common.ts';

/** Class risk of the centred linear attention on spiked-SLR (manifold): Δ + (L−1)/(L + ν). L ≥ 1, ν ≥ 0, Δ ≥ 0. */
export function centredLinearSpikedClosedForm(L: number, nu: number, delta = 0): number {
  requireFinite('L', L, { min: 1, integer: true });
  requireFinite('nu', nu, { min: 0 });
  requireFinite('delta', delta, { min: 0 });
  return delta + (L - 1) / (L + nu);
}

/** Law of L explicit tokens on the manifold (token 1 the spike) and ξ. */
function manifoldLaw(L: number): GaussianLaw {
  const variables: string[] = ['xi'];
  const mean: Record<string, string> = { chi_1: 'c' };
  const variance: Record<string, string> = { xi: 'Delta' };
  for (let i = 1; i <= L; i++) {
    variables.push(`chi_${i}`, `r_${i}`, `z_${i}`, `s_${i}`);
    variance[`r_${i}`] = 'R_kk';
    variance[`s_${i}`] = 'R_vv';
  }
  return { variables, mean, variance };
}

/** (y − Σ_ℓ σ_ℓ z_ℓ)² with σ_ℓ = 1 + χ_ℓ − χ̄ for L explicit tokens. */
function centredLoss(L: number): string {
  const chi = (i: number) => `(m*chi_${i} + r_${i})`;
  const bar = `(${Array.from({ length: L }, (_, i) => chi(i + 1)).join(' + ')})/${L}`;
  const terms = Array.from({ length: L }, (_, i) => `(1 + ${chi(i + 1)} - ${bar})*(m_vv*z_${i + 1} + s_${i + 1})`);
  return `(z_1 + xi - ${terms.join(' - ')})^2`;
}

/** (i) Centred linear attention on spiked-SLR: E = Δ + (L−1)/(L + ν). */
export function centredLinearDerivation(opts?: DerivationOptions): Derivation {
  const seed = seedOf(opts);
  const b = new DerivationBuilder('Centred linear attention σ_ℓ = 1 + χ_ℓ − χ̄ on spiked-SLR: E = Δ + (L−1)/(L + ν), ν(E − Δ) → L − 1');
  b.text(
    'σ_ℓ = 1 + χ_ℓ − χ̄',
    'L*softmax(χ)_l = 1 + χ_l − mean(χ) + O(|χ|²)',
    'L\\,\\frac{e^{\\chi_\\ell}}{\\sum_k e^{\\chi_k}} = 1 + \\chi_\\ell - \\bar\\chi + O(|\\chi|^2)',
    'first-order expansion of L·softmax at χ = 0 (definition of the estimator); manifold: χ_ℓ = mχ*_ℓ + r_ℓ, z_ℓ = m_vv z*_ℓ + s_ℓ',
  );
  // keys: spike e and bulk b per token
  const lawE: GaussianLaw = { variables: ['chi_e', 'r_e'], mean: { chi_e: 'c' }, variance: { r_e: 'R_kk' } };
  const lawB: GaussianLaw = { variables: ['chi_b', 'r_b'], variance: { r_b: 'R_kk' } };
  const e1 = gaussianExpectation('m*chi_e + r_e', lawE).expression;
  const e2 = gaussianExpectation('(m*chi_e + r_e)^2', lawE).expression;
  const b1 = gaussianExpectation('m*chi_b + r_b', lawB).expression;
  const b2 = gaussianExpectation('(m*chi_b + r_b)^2', lawB).expression;
  // A = 1 + E[χ_ε] − E[χ̄];  B = L + E[Σχ²] − E[(Σχ)²]/L  (the cross term 2Σ(χ_ℓ − χ̄) vanishes identically)
  const sumMean = `(${e1}) + (L-1)*(${b1})`;
  const sumSq = `(${e2}) + (L-1)*(${b2})`;
  const sqSum = `(${e2}) - (${e1})^2 + (L-1)*((${b2}) - (${b1})^2) + (${sumMean})^2`;
  const A = Poly.parse(`1 + (${e1}) - (${sumMean})/L`).toString();
  const B = Poly.parse(`L + ${sumSq} - (${sqSum})/L`).toString();
  const keyVars = ['L', 'c', 'm', 'R_kk'];
  const kbox = boxFor(keyVars);
  // explicit-L Wick for A and B (no exchangeable decomposition used)
  const explicit = (L: number) => {
    const law = manifoldLaw(L);
    const chi = (i: number) => `(m*chi_${i} + r_${i})`;
    const bar = `(${Array.from({ length: L }, (_, i) => chi(i + 1)).join(' + ')})/${L}`;
    const a = gaussianExpectation(`1 + ${chi(1)} - ${bar}`, law).expression;
    const bb = gaussianExpectation(Array.from({ length: L }, (_, i) => `(1 + ${chi(i + 1)} - ${bar})^2`).join(' + '), law).expression;
    return { a, bb };
  };
  const ex = [2, 3].map((L) => ({ L, ...explicit(L) }));
  const pv = ['c', 'm', 'R_kk'];
  b.step(
    'A = E[σ_ε] = 1 + mc(L−1)/L',
    A,
    'E[χ_ε] and E[χ̄] by Wick per token (spike N(c, 1), others N(0, 1)); sums over the L − 1 exchangeable tokens',
    allOf(
      verifyNumerically(A, '1 + m*c*(L-1)/L', keyVars, kbox, seed + 1),
      ...ex.map(({ L, a }) => verifyNumerically(a, substitute(A, { L }), pv, boxFor(pv), seed + 2 + L)),
    ),
  );
  const Bform = 'L + (L-1)*(m^2 + R_kk) + m^2*c^2*(L-1)/L';
  b.step(
    'B = E[Σσ_ℓ²] = L + E[Σχ_ℓ²] − E[(Σχ_ℓ)²]/L',
    B,
    'Σ_ℓ(χ_ℓ − χ̄) = 0 identically; the two second moments by Wick per token and exchangeability; checked against explicit L = 2, 3 Wick expansions',
    allOf(
      verifyNumerically(B, Bform, keyVars, kbox, seed + 6),
      ...ex.map(({ L, bb }) => verifyNumerically(bb, substitute(B, { L }), pv, boxFor(pv), seed + 7 + L)),
    ),
  );
  const risk = `Delta + 1 - 2*m_vv*(${A}) + (m_vv^2 + R_vv)*(${B})`;
  const riskVars = ['c', 'Delta', 'm', 'm_vv', 'R_kk', 'R_vv'];
  const quad = checkGaussianExpectation(centredLoss(2), substitute(risk, { L: 2 }), manifoldLaw(2), 4, riskVars, boxFor(riskVars), seed + 11, { points: 2 });
  b.step(
    'risk = Δ + 1 − 2m_vv A + (m_vv² + R_vv) B',
    risk,
    'conditionally on the keys, y − f is linear in the Gaussian (z*, s, ξ) (as in `linear-max-closed-form`); checked at L = 2 by 9-dimensional Gauss–Hermite quadrature of the loss itself',
    quad,
  );
  b.step(
    'value side: E = Δ + 1 − A²/B, R_vv = 0, R_kk = 0',
    `Delta + 1 - (${A})^2/(${B})`,
    'as in `linear-value-side`; ∂A/∂R_kk = 0, ∂B/∂R_kk = L − 1 > 0',
    allOf(
      verifyNumerically(substitute(risk, { m_vv: `(${A})/(${B})`, R_vv: 0 }), `Delta + 1 - (${A})^2/(${B})`, ['L', ...riskVars], boxFor(['L', ...riskVars]), seed + 12),
      verifyNumerically(diff(B, 'R_kk'), 'L - 1', keyVars, kbox, seed + 13),
      verifyNumerically(diff(A, 'R_kk'), '0', keyVars, kbox, seed + 14),
    ),
  );
  const A0 = '1 + m*c*(L-1)/L';
  const B0 = 'L + m^2*(L-1)*(L + c^2)/L';
  const gv = ['L', 'c', 'm'];
  const gbox = boxFor(gv);
  const dA = diff(A0, 'm');
  const dB = diff(B0, 'm');
  const N = Poly.parse(`(2*(${A0})*(${dA})*(${B0}) - (${A0})^2*(${dB}))*L^2`).toString();
  b.step(
    "N = L²(2AA'B − A²B')",
    N,
    'nerdamer diff of A and B at R_kk = 0; quotient rule, cleared of 1/L² and expanded exactly',
    allOf(
      verifyNumerically(B0, substitute(B, { R_kk: 0 }), gv, gbox, seed + 15),
      checkDerivative(A0, dA, 'm', gv, gbox, seed + 16),
      checkDerivative(B0, dB, 'm', gv, gbox, seed + 17),
      checkDerivative(`(${A0})^2/(${B0})`, `(${N})/(L^2*(${B0})^2)`, 'm', gv, gbox, seed + 18),
    ),
  );
  const roots = solvePolynomial(N, 'm');
  const mStar = 'c*L/(L + c^2)';
  const isRoot = (r: string, t: string) => verifyNumerically(r, t, ['L', 'c'], boxFor(['L', 'c']), seed + 19).passed;
  const ident: StepCheck = {
    method: 'evaluation at random points',
    passed: roots.length === 2 && roots.some((r) => isRoot(r, mStar)) && roots.some((r) => isRoot(r, '-L/(c*(L-1))')),
    detail: `roots ${roots.join(' ; ')}: m* = cL/(L + c²) and m = −L/(c(L−1)) (A = 0)`,
  };
  b.step('stationary points', `[${roots.join(', ')}]`, 'solvePolynomial (quadratic formula on exact coefficients) of N = 0', ident);
  const G = `(${A0})^2/(${B0})`;
  const Gstar = substitute(G, { m: mStar });
  b.step(
    'G(m*) = (1 + c²)/(L + c²) > G(±∞)',
    '(1 + c^2)/(L + c^2)',
    'G(±∞) = (c(L−1)/L)²/((L−1)(L + c²)/L) (leading coefficients) and G(m*) − G(±∞) = 1/L > 0: global maximum',
    allOf(
      verifyNumerically(Gstar, '(1 + c^2)/(L + c^2)', ['L', 'c'], boxFor(['L', 'c']), seed + 20),
      verifyNumerically(`(${Gstar}) - (c*(L-1)/L)^2/((L-1)*(L + c^2)/L)`, '1/L', ['L', 'c'], boxFor(['L', 'c']), seed + 21),
    ),
  );
  const closed = 'Delta + (L-1)/(L + nu)';
  b.step(
    'E_centred = Δ + (L−1)/(L + ν)',
    closed,
    'E = Δ + 1 − G(m*), c² = ν',
    verifyNumerically(substitute(`Delta + 1 - (1 + c^2)/(L + c^2)`, { c: 'sqrt(nu)' }), closed, ['L', 'nu', 'Delta'], boxFor(['L', 'nu', 'Delta']), seed + 22),
  );
  // large ν: ν(E − Δ) = (L−1)ν/(L + ν) = (L−1)/(1 + Lε), ε = 1/ν
  const lead = Poly.parse('(L-1)*nu').coefficientsIn('nu').coefficients;
  const den = Poly.parse('L + nu').coefficientsIn('nu').coefficients;
  b.step(
    'ν(E − Δ) → C = L − 1, next term −L(L−1)/ν',
    '(L-1) - L*(L-1)/nu',
    'ratio of the leading coefficients in ν of (L−1)ν and L + ν; power-series division in ε = 1/ν for the next term',
    allOf(
      verifyNumerically(`(${lead[1]})/(${den[1]})`, 'L - 1', ['L'], boxFor(['L']), seed + 23),
      verifyNumerically(`((${lead[0]}) - (${lead[1]})/(${den[1]})*(${den[0]}))/(${den[1]})`, '-L*(L-1)', ['L'], boxFor(['L']), seed + 24),
    ),
  );
  return b.finish(closed);
}
