/**
 * Gaussian integration by parts for max-SLR:
 *   μ(ν) = E[χ*_ε] = E[Σ_ℓ p_ℓ χ*_ℓ] = ν E[Σ_ℓ p_ℓ(1 − p_ℓ)],  p = softmax(νχ*),
 * from Stein's lemma E[χ g(χ)] = E[g′(χ)] and ∂p_ℓ/∂χ_ℓ = ν p_ℓ(1 − p_ℓ).
 */
import type { Derivation } from '../../claims/types.ts';
import { integrate } from '../../numerics/adaptive.ts';
import { normalPdf } from '../../numerics/special.ts';
import { diff } from '../cas.ts';
import { DerivationBuilder, type StepCheck, allOf } from '../derivation-builder.ts';
import { checkDerivative, verifyNumerically } from '../verify-numerically.ts';
import { type DerivationOptions, boxFor, fmt, seedOf } from './common.ts';
import { maxSelectedMean } from './max-slr-mean.ts';

/** (f) E[Σ p_ℓ χ*_ℓ] = ν E[Σ p_ℓ(1 − p_ℓ)] on max-SLR. */
export function steinMaxDerivation(opts?: DerivationOptions): Derivation {
  const seed = seedOf(opts);
  const b = new DerivationBuilder('Gaussian integration by parts on max-SLR: μ(ν) = E[Σ p_ℓ χ*_ℓ] = ν E[Σ p_ℓ(1 − p_ℓ)]');
  // the unnormalised density: nerdamer-prime 1.5.0 differentiates exp(-x^2/2)/sqrt(2*pi) to a result off by
  // the factor π^{3/4} (its sqrt-of-a-constant bug, see cas.ts); the constant is irrelevant to φ′/φ
  const phi = 'exp(-x^2/2)';
  const dphi = diff(phi, 'x');
  b.step(
    "φ′(x) = −x φ(x)",
    dphi,
    'nerdamer diff of e^{−x²/2} (φ up to its constant 1/√(2π))',
    allOf(checkDerivative(phi, dphi, 'x', ['x'], boxFor(['x']), seed + 1), verifyNumerically(dphi, `-x*${phi}`, ['x'], boxFor(['x']), seed + 2)),
  );
  // Stein's lemma on a softmax-shaped g, both sides by adaptive quadrature
  const steinLines: string[] = [];
  let steinOk = true;
  for (const [nu, S] of [
    [2, 3],
    [0.7, 0.5],
  ]) {
    const g = (x: number) => 1 / (1 + S * Math.exp(-nu * x));
    const dg = (x: number) => nu * g(x) * (1 - g(x));
    const lhs = integrate((x) => x * g(x) * normalPdf(x), -Infinity, Infinity, { relTol: 1e-13 });
    const rhs = integrate((x) => dg(x) * normalPdf(x), -Infinity, Infinity, { relTol: 1e-13 });
    const tol = lhs.error + rhs.error;
    const ok = Math.abs(lhs.value - rhs.value) <= tol && lhs.converged && rhs.converged;
    steinOk &&= ok;
    steinLines.push(`g = 1/(1 + ${S}e^{−${nu}x}): E[χg] = ${fmt(lhs.value, 15)}, E[g′] = ${fmt(rhs.value, 15)}, |diff| ${Math.abs(lhs.value - rhs.value).toExponential(1)} ≤ ${tol.toExponential(1)}`);
  }
  b.text(
    "Stein's lemma: E[χ g(χ)] = E[g′(χ)], χ ~ N(0, 1)",
    'E[x*g(x)] = E[g\'(x)]',
    '\\mathbb E[\\chi\\, g(\\chi)] = \\mathbb E[g\'(\\chi)]',
    'integrate by parts with xφ(x) = −φ′(x); the boundary terms φg vanish for bounded g (here g = p_ℓ ∈ (0, 1)). Applied in coordinate ℓ with the others fixed (Fubini): E[χ_ℓ G(χ)] = E[∂_ℓ G(χ)]',
    { method: 'both sides by adaptive Gauss–Kronrod, tolerance = sum of the two error bounds', passed: steinOk, detail: steinLines.join('; ') },
  );
  // p_ℓ as a function of χ_ℓ, the others collected in S = Σ_{k≠ℓ} e^{νχ_k}
  const p = 'exp(nu*x)/(exp(nu*x) + S)';
  const dp = diff(p, 'x');
  const vars = ['nu', 'x', 'S'];
  b.step(
    '∂p_ℓ/∂χ_ℓ = ν p_ℓ(1 − p_ℓ)',
    dp,
    'nerdamer diff of p_ℓ = e^{νχ_ℓ}/(e^{νχ_ℓ} + S), S = Σ_{k≠ℓ} e^{νχ_k} free of χ_ℓ (written with S because nerdamer-prime 1.5.0 mis-parses exp(a)/(exp(a)+exp(b)); see cas.ts)',
    allOf(checkDerivative(p, dp, 'x', vars, boxFor(vars), seed + 3), verifyNumerically(dp, `nu*(${p})*(1 - (${p}))`, vars, boxFor(vars), seed + 4)),
  );
  // the identity itself, two independent quadratures
  const lines: string[] = [];
  let ok = true;
  let boundOk = true;
  for (const [L, nu] of [
    [2, 0.5],
    [3, 2],
    [10, 1],
  ]) {
    const direct = maxSelectedMean(L, nu, 'direct');
    const stein = maxSelectedMean(L, nu, 'stein');
    const tol = direct.error + stein.error;
    const good = Math.abs(direct.value - stein.value) <= tol && direct.converged && stein.converged;
    ok &&= good;
    boundOk &&= direct.value <= nu * (1 - 1 / L) + direct.error;
    lines.push(`L=${L} ν=${nu}: E[Σpχ] = ${fmt(direct.value, 13)} ± ${direct.error.toExponential(1)}, νE[Σp(1−p)] = ${fmt(stein.value, 13)} ± ${stein.error.toExponential(1)}`);
  }
  const identity: StepCheck = {
    method: 'two independent quadratures (Laplace trick 1/S = ∫e^{−tS}dt vs 1/S² = ∫te^{−tS}dt), tolerance = sum of their error bounds',
    passed: ok,
    detail: lines.join('; '),
  };
  b.step(
    'μ(ν) = E[Σ_ℓ p_ℓ χ*_ℓ] = ν E[Σ_ℓ p_ℓ(1 − p_ℓ)]',
    'nu*E(sum(p*(1-p)))',
    'P(ε = ℓ | χ*) = p_ℓ gives E[χ*_ε] = E[Σp_ℓχ*_ℓ]; Stein in each coordinate and the derivative above give Σ_ℓ E[∂_ℓ p_ℓ] = ν E[Σ p_ℓ(1 − p_ℓ)]',
    identity,
    '\\mu(\\nu) = \\mathbb E\\Big[\\sum_\\ell p_\\ell\\chi^*_\\ell\\Big] = \\nu\\,\\mathbb E\\Big[\\sum_\\ell p_\\ell(1-p_\\ell)\\Big]',
  );
  b.text(
    'consequence: 0 ≤ μ(ν) ≤ ν(1 − 1/L)',
    'mu <= nu*(1 - 1/L)',
    '0 \\le \\mu(\\nu) \\le \\nu\\,(1 - 1/L)',
    'Σp_ℓ(1 − p_ℓ) = 1 − Σp_ℓ² ∈ [0, 1 − 1/L] (Cauchy–Schwarz: Σp² ≥ 1/L)',
    { method: 'the quadrature values above', passed: boundOk, detail: 'μ(ν) ≤ ν(1 − 1/L) at each (L, ν) above' },
  );
  return b.finish('nu*E(sum(p*(1-p)))', '\\mathbb E[\\chi^*_\\varepsilon] = \\nu\\,\\mathbb E\\Big[\\sum_\\ell p_\\ell(1-p_\\ell)\\Big]');
}
