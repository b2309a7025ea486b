/**
 * The Bayes risk of spiked-SLR at large ν (the softmax rate of Cor. 4.3):
 *   E_Bayes − Δ = (L−1)·√(π/(4ν))·e^{−ν/4}·(1 − π²/(4ν) + O(ν⁻²)),
 * so −log(E_Bayes − Δ)/ν → c_L = 1/4 for every L.
 *
 * At L = 2 the reduction is exact: E_Bayes − Δ = (e^{−ν/4}/√(πν))·J(ν) with
 * J(ν) = ∫ σ(u)² e^{−u/2} e^{−u²/(4ν)} du, and 1 − x ≤ e^{−x} ≤ 1 − x + x²/2
 * (x ≥ 0) gives the rigorous two-sided bound
 *   1 − π²/(4ν) ≤ (E_Bayes − Δ)/asymptote ≤ 1 − π²/(4ν) + 5π⁴/(32ν²).
 * For L ≥ 3 the L − 1 bulk tokens compete with the spike independently to
 * leading order; configurations with two of them near the spike cost
 * e^{−ν/3} instead of e^{−ν/4}, a relative correction O(e^{−ν/12}).
 */
import type { Derivation } from '../../claims/types.ts';
import { InvalidInputError, requireFinite } from '../../errors.ts';
import { integrate } from '../../numerics/adaptive.ts';
import { logGamma, normalPdf } from '../../numerics/special.ts';
import { bayesRisk } from '../../risk/bayes.ts';
import { fixedLength } from '../../task/length-law.ts';
import { spikedTask } from '../../task/tasks.ts';
import { diff, solvePolynomial, substitute } from '../cas.ts';
import { DerivationBuilder, type StepCheck, allOf } from '../derivation-builder.ts';
import { compileWithError } from '../expression.ts';
import { Poly } from '../polynomial.ts';
import { ROUNDING_SAFETY, checkDerivative, verifyNumerically } from '../verify-numerically.ts';
import { type DerivationOptions, boxFor, fmt, seedOf } from './common.ts';

/** Leading large-ν asymptote of E_Bayes − Δ on spiked-SLR: (L−1)√(π/(4ν)) e^{−ν/4}. L ≥ 1, ν > 0. */
export function spikedBayesAsymptote(L: number, nu: number): number {
  requireFinite('L', L, { min: 1, integer: true });
  requireFinite('nu', nu);
  if (!(nu > 0)) throw new InvalidInputError(`nu must be > 0 for the asymptote, got ${nu}`);
  return (L - 1) * Math.sqrt(Math.PI / (4 * nu)) * Math.exp(-nu / 4);
}

/**
 * Rigorous bounds on (E_Bayes − Δ)/asymptote at L = 2 (and, up to a relative
 * O(e^{−ν/12}), at every L): [1 − π²/(4ν), 1 − π²/(4ν) + 5π⁴/(32ν²)]. ν > 0.
 */
export function spikedBayesRatioBounds(nu: number): { lower: number; upper: number; coefficient: number } {
  requireFinite('nu', nu);
  if (!(nu > 0)) throw new InvalidInputError(`nu must be > 0, got ${nu}`);
  const lower = 1 - Math.PI ** 2 / (4 * nu);
  return { lower, upper: lower + (5 * Math.PI ** 4) / (32 * nu * nu), coefficient: -(Math.PI ** 2) / 4 };
}

/** σ(u)² e^{−u/2} = e^{3u/2}/(1 + e^u)², written without overflow for either sign of u. */
function betaIntegrand(u: number): number {
  return u > 0 ? Math.exp(-u / 2) / (1 + Math.exp(-u)) ** 2 : Math.exp(1.5 * u) / (1 + Math.exp(u)) ** 2;
}

/** J(ν) = ∫ σ(u)² e^{−u/2} e^{−u²/(4ν)} du by adaptive quadrature (the exact L = 2 integral). */
export function spikedTwoTokenIntegral(nu: number): { value: number; error: number; evaluations: number; converged: boolean } {
  const r = integrate((u) => betaIntegrand(u) * Math.exp(-(u * u) / (4 * nu)), -Infinity, Infinity, { relTol: 1e-13, absTol: 1e-300 });
  return { value: r.value, error: r.error, evaluations: r.evaluations, converged: r.converged };
}

function constantValue(text: string): { value: number; error: number } {
  const r = compileWithError(text, [])();
  return { value: r.value, error: r.error };
}

/** (h) Large-ν asymptotics of the spiked-SLR Bayes risk: the two-token reduction, the Beta integral, the O(1/ν) correction. */
export function spikedBayesAsymptoticsDerivation(opts?: DerivationOptions): Derivation {
  const seed = seedOf(opts);
  const b = new DerivationBuilder('Spiked-SLR Bayes risk at large ν: E_Bayes − Δ = (L−1)√(π/(4ν)) e^{−ν/4} (1 − π²/(4ν) + O(ν⁻²)), so c_L = 1/4');
  // 1. L = 2 exactly: 1 − p_ε = p_b, excess = 2E[p_b²], p_b = σ(cD), D = χ_b − χ_ε ~ N(−c, 2)
  const twoToken = (nu: number) => {
    const c = Math.sqrt(nu);
    const f = (d: number) => {
      const s = 1 / (1 + Math.exp(-c * d));
      return 2 * s * s * (normalPdf((d + c) / Math.SQRT2) / Math.SQRT2);
    };
    return integrate(f, -Infinity, Infinity, { breakpoints: [-c, -c / 2, 0], relTol: 1e-12, absTol: 1e-300 });
  };
  const l2Lines: string[] = [];
  let l2Ok = true;
  for (const nu of [5, 50]) {
    const q = twoToken(nu);
    const e = bayesRisk(spikedTask, nu, fixedLength(2));
    const tol = q.error + e.error;
    const ok = Math.abs(q.value - e.excess) <= tol;
    l2Ok &&= ok;
    l2Lines.push(`ν=${nu}: 2E[σ(cD)²] = ${q.value.toExponential(12)} ± ${q.error.toExponential(1)} vs engine ${e.excess.toExponential(12)} ± ${e.error.toExponential(1)}`);
  }
  b.step(
    'L = 2: E_Bayes − Δ = 2 E[σ(cD)²], D ~ N(−c, 2)',
    '2*E(sigma(c*D)^2)',
    'p_b = e^{cχ_b}/(e^{cχ_b} + e^{cχ_ε}) = σ(c(χ_b − χ_ε)) and 1 − p_ε = p_b, so (1 − p_ε)² + p_b² = 2p_b²; D = χ_b − χ_ε with χ_ε ~ N(c, 1), χ_b ~ N(0, 1)',
    { method: 'one-dimensional adaptive quadrature in D against the engine bayesRisk (L = 2), tolerance = sum of error bounds', passed: l2Ok, detail: l2Lines.join('; ') },
    '\\mathbb E_{\\rm Bayes}-\\Delta = 2\\,\\mathbb E\\big[\\sigma(cD)^2\\big],\\ D\\sim\\mathcal N(-c,2)',
  );
  // 2. u = cD: the Gaussian exponent −(u/c + c)²/4, expanded exactly (Laurent in c)
  const exponent = Poly.parse('-(u*c^(-1) + c)^2/4').toString();
  b.step(
    'u = cD: exponent of the density',
    exponent,
    'density of D is e^{−(D+c)²/4}/(2√π); with D = u/c the exponent is −u²/(4c²) − u/2 − c²/4 (exact expansion), so E[p_b²] = e^{−ν/4}/(2√(πν)) ∫ σ(u)² e^{−u/2} e^{−u²/(4ν)} du',
    verifyNumerically('-(u/c + c)^2/4', exponent, ['u', 'c'], boxFor(['u', 'c']), seed + 1),
  );
  const integrandText = '(exp(u)/(1 + exp(u)))^2*exp(-u/2)';
  b.step(
    'σ(u)² e^{−u/2} = e^{3u/2}/(1 + e^u)²',
    'exp(3*u/2)/(1 + exp(u))^2',
    'σ(u) = e^u/(1 + e^u)',
    verifyNumerically(integrandText, 'exp(3*u/2)/(1 + exp(u))^2', ['u'], boxFor(['u']), seed + 2),
  );
  // 3. the limit integral is a Beta function
  const beta = integrate(betaIntegrand, -Infinity, Infinity, { relTol: 1e-14, absTol: 1e-300 });
  const gammas = Math.exp(logGamma(1.5) + logGamma(0.5) - logGamma(2));
  const betaCheck: StepCheck = {
    method: 'adaptive Gauss–Kronrod over u ∈ R (and Γ by logGamma), tolerance = quadrature bound + 8 eps',
    passed: Math.abs(beta.value - Math.PI / 2) <= beta.error + 8 * Number.EPSILON && Math.abs(gammas - Math.PI / 2) <= 1e-13 && beta.converged,
    detail: `∫e^{3u/2}/(1+e^u)² du = ${fmt(beta.value, 16)} ± ${beta.error.toExponential(1)} (${beta.evaluations} evaluations), Γ(3/2)Γ(1/2)/Γ(2) = ${fmt(gammas, 16)}, π/2 = ${fmt(Math.PI / 2, 16)}`,
  };
  b.step(
    '∫ e^{3u/2}/(1 + e^u)² du = B(3/2, 1/2) = π/2',
    'pi/2',
    't = e^u: ∫₀^∞ t^{1/2}(1 + t)^{−2} dt = B(3/2, 1/2) = Γ(3/2)Γ(1/2)/Γ(2) = (√π/2)·√π; e^{−u²/(4ν)} ↑ 1 and the integrand is ≤ e^{−|u|/2}, so J(ν) → π/2 (monotone convergence)',
    betaCheck,
  );
  // 4. the leading term for every L, and why pairs of competitors do not matter
  const single = '(x - c)^2/2 + x^2/2';
  const pair = '(x - c)^2/2 + x^2';
  const xc = ['x', 'c'];
  const ds = diff(single, 'x');
  const dp = diff(pair, 'x');
  const xs = solvePolynomial(ds, 'x');
  const xp = solvePolynomial(dp, 'x');
  const saddle = allOf(
    checkDerivative(single, ds, 'x', xc, boxFor(xc), seed + 3),
    checkDerivative(pair, dp, 'x', xc, boxFor(xc), seed + 4),
    verifyNumerically(xs[0] ?? 'nan', 'c/2', ['c'], boxFor(['c']), seed + 5),
    verifyNumerically(xp[0] ?? 'nan', 'c/3', ['c'], boxFor(['c']), seed + 6),
    verifyNumerically(substitute(single, { x: xs[0] ?? '0' }), 'c^2/4', ['c'], boxFor(['c']), seed + 7),
    verifyNumerically(substitute(pair, { x: xp[0] ?? '0' }), 'c^2/3', ['c'], boxFor(['c']), seed + 8),
  );
  b.step(
    'E_Bayes − Δ ≈ (L−1)·2·e^{−ν/4}/(2√(πν))·π/2 = (L−1)√(π/(4ν)) e^{−ν/4}',
    '(L-1)*sqrt(pi/(4*nu))*exp(-nu/4)',
    'one bulk token b competing with the spike costs the Gaussian weight e^{−min_x[(x−c)²/2 + x²/2]} = e^{−c²/4} (both at x = c/2); two at once cost e^{−min_x[(x−c)²/2 + x²]} = e^{−c²/3} (x = c/3): a relative O(e^{−ν/12}) correction. So each of the L − 1 tokens contributes 2E[p_b²] independently (nerdamer diff and solvePolynomial of the saddle exponents)',
    saddle,
  );
  // 5. the O(1/ν) correction: J(ν) = π/2 − I₂/(4ν) + R, 0 ≤ R ≤ I₄/(32ν²), I_{2k} = F^{(2k)}(3/2)
  const F = 'pi*(1 - a)/sin(pi*a)';
  const Fq = (a: number) => integrate((u) => (u > 0 ? Math.exp((a - 2) * u) / (1 + Math.exp(-u)) ** 2 : Math.exp(a * u) / (1 + Math.exp(u)) ** 2), -Infinity, Infinity, { relTol: 1e-13, absTol: 1e-300 });
  const fLines: string[] = [];
  let fOk = true;
  const fF = compileWithError(F, ['a']);
  for (const a of [1.2, 1.5, 1.7]) {
    const q = Fq(a);
    const v = fF(a);
    const ok = Math.abs(q.value - v.value) <= q.error + ROUNDING_SAFETY * v.error;
    fOk &&= ok;
    fLines.push(`a=${a}: quadrature ${fmt(q.value, 15)} ± ${q.error.toExponential(1)} vs π(1−a)/sin(πa) = ${fmt(v.value, 15)}`);
  }
  b.step(
    'F(a) = ∫ e^{au}/(1 + e^u)² du = π(1 − a)/sin(πa)',
    F,
    'B(a, 2 − a) = Γ(a)Γ(2 − a) = (1 − a)Γ(a)Γ(1 − a) and the reflection formula, 1 < a < 2; I_{2k} = ∫u^{2k}e^{3u/2}/(1+e^u)² du = F^{(2k)}(3/2)',
    { method: 'adaptive Gauss–Kronrod at a = 1.2, 1.5, 1.7, tolerance = quadrature bound + rounding', passed: fOk, detail: fLines.join('; ') },
  );
  const F2 = diff(diff(F, 'a'), 'a');
  const F4 = diff(diff(F2, 'a'), 'a');
  const I2 = constantValue(substitute(F2, { a: '3/2' }));
  const I4 = constantValue(substitute(F4, { a: '3/2' }));
  const I2q = integrate((u) => u * u * betaIntegrand(u), -Infinity, Infinity, { relTol: 1e-13, absTol: 1e-300 });
  const derivs = allOf(
    checkDerivative(diff(F, 'a'), F2, 'a', ['a'], boxFor(['a']), seed + 9),
    checkDerivative(diff(F2, 'a'), F4, 'a', ['a'], boxFor(['a']), seed + 10),
    {
      method: 'values at a = 3/2 against π³/2, 5π⁵/2 and against quadrature of I₂',
      passed:
        Math.abs(I2.value - Math.PI ** 3 / 2) <= 1e-11 * I2.value &&
        Math.abs(I4.value - (5 * Math.PI ** 5) / 2) <= 1e-10 * I4.value &&
        Math.abs(I2q.value - I2.value) <= I2q.error + 1e-12 * I2.value,
      detail: `I₂ = F″(3/2) = ${fmt(I2.value, 15)} (π³/2 = ${fmt(Math.PI ** 3 / 2, 15)}; quadrature ${fmt(I2q.value, 15)} ± ${I2q.error.toExponential(1)}), I₄ = F⁗(3/2) = ${fmt(I4.value, 15)} (5π⁵/2 = ${fmt((5 * Math.PI ** 5) / 2, 15)})`,
    },
  );
  b.step(
    'I₂ = F″(3/2) = π³/2, I₄ = F⁗(3/2) = 5π⁵/2',
    '[I_2 = pi^3/2, I_4 = 5*pi^5/2]',
    'nerdamer diff of F (twice, four times) at a = 3/2; relative tolerances 1e−11, 1e−10 for the cancellation in the derivative formulas near sin(πa) = −1',
    derivs,
  );
  // rigorous ratio bounds at L = 2 (quadrature of J, independent of the engine), and the engine at several L
  const rLines: string[] = [];
  let rOk = true;
  for (const nu of [50, 200, 800]) {
    const J = spikedTwoTokenIntegral(nu);
    const r = J.value / (Math.PI / 2);
    const { lower, upper } = spikedBayesRatioBounds(nu);
    const slack = J.error / (Math.PI / 2);
    const ok = r >= lower - slack && r <= upper + slack && J.converged;
    rOk &&= ok;
    rLines.push(`ν=${nu}: J/(π/2) = ${fmt(r, 12)} ∈ [${fmt(lower, 12)}, ${fmt(upper, 12)}]`);
  }
  const engineRows: Array<[number, number]> = [
    [2, 50],
    [2, 100],
    [2, 200],
    [2, 400],
    [2, 800],
    [3, 200],
    [3, 800],
    [10, 400],
  ];
  const g = new Map<string, number>();
  for (const [L, nu] of engineRows) {
    const e = bayesRisk(spikedTask, nu, fixedLength(L));
    const r = e.excess / spikedBayesAsymptote(L, nu);
    const rErr = e.error / spikedBayesAsymptote(L, nu) + 1e-13;
    const { lower, upper } = spikedBayesRatioBounds(nu);
    const ok = r >= lower - rErr && r <= upper + rErr && e.converged;
    rOk &&= ok;
    g.set(`${L},${nu}`, nu * (r - 1));
    rLines.push(`engine L=${L} ν=${nu}: ratio ${fmt(r, 12)} ± ${rErr.toExponential(1)}, ν(ratio − 1) = ${fmt(nu * (r - 1), 8)}${ok ? '' : ' OUT OF BOUNDS'}`);
  }
  const richardson = 2 * g.get('2,800')! - g.get('2,400')!;
  rLines.push(`Richardson 2g(800) − g(400) = ${fmt(richardson, 8)} vs −π²/4 = ${fmt(-(Math.PI ** 2) / 4, 8)}`);
  rOk &&= Math.abs(richardson + Math.PI ** 2 / 4) < 5e-3;
  b.step(
    'ratio = 1 − π²/(4ν) + O(ν⁻²)',
    '1 - pi^2/(4*nu)',
    'e^{−x} ∈ [1 − x, 1 − x + x²/2] for x = u²/(4ν) ≥ 0 gives J(ν) ∈ [π/2 − I₂/(4ν), π/2 − I₂/(4ν) + I₄/(32ν²)], i.e. the ratio to the asymptote lies in [1 − π²/(4ν), 1 − π²/(4ν) + 5π⁴/(32ν²)] exactly at L = 2 (and up to O(e^{−ν/12}) for L ≥ 3): the O(1/ν) coefficient is −π²/4 ≈ −2.4674',
    { method: 'J(ν) by quadrature and the engine bayesRisk at L = 2, 3, 10 against the rigorous bounds (ν ≥ 200 for L ≥ 3)', passed: rOk, detail: rLines.join('; ') },
    '\\frac{E_{\\rm Bayes}-\\Delta}{(L-1)\\sqrt{\\pi/(4\\nu)}\\,e^{-\\nu/4}} = 1 - \\frac{\\pi^2}{4\\nu} + O(\\nu^{-2})',
  );
  const cLines: string[] = [];
  let cOk = true;
  for (const nu of [200, 800]) {
    const e = bayesRisk(spikedTask, nu, fixedLength(3));
    const rate = -Math.log(e.excess) / nu;
    const { lower, upper } = spikedBayesRatioBounds(nu);
    const predicted = 0.25 - Math.log(spikedBayesAsymptote(3, nu) * Math.exp(nu / 4) * lower) / nu;
    // the ratio lies in [lower, upper] (up to O(e^{−ν/12})), so the rate is within log(upper/lower)/ν of `predicted`
    const tol = Math.log(upper / lower) / nu + e.error / e.excess / nu + 1e-13;
    const ok = Math.abs(rate - predicted) <= tol;
    cOk &&= ok;
    cLines.push(`L=3 ν=${nu}: −log(E−Δ)/ν = ${fmt(rate, 10)}, 1/4 − log((L−1)√(π/(4ν))(1 − π²/(4ν)))/ν = ${fmt(predicted, 10)}, |diff| ${Math.abs(rate - predicted).toExponential(1)} ${ok ? '≤' : '>'} ${tol.toExponential(1)}`);
  }
  b.step(
    'c_L = 1/4 for every L',
    '1/4',
    '−log(E_Bayes − Δ)/ν = 1/4 + (log ν)/(2ν) − log((L−1)√π/2)/ν + O(ν⁻²) → 1/4, independently of L',
    { method: 'engine bayesRisk at L = 3 against the expansion, tolerance log(upper/lower)/ν from the ratio bounds', passed: cOk, detail: cLines.join('; ') },
  );
  return b.finish('(L-1)*sqrt(pi/(4*nu))*exp(-nu/4)*(1 - pi^2/(4*nu))');
}
