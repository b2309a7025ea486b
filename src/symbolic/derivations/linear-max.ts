/**
 * Linear attention on max-SLR. χ* ~ N(0, I_L) exactly and ε | χ* ~
 * softmax(νχ*), so χ*_ε is not Gaussian: the risk is kept in terms of
 * μ = E[χ*_ε] and the exact marginal moments E[Σχ*_ℓ] = 0, E[Σχ*_ℓ²] = L.
 * Result: E_linear = Δ + 1 − (1 + μ²)/L at m_kk* = μ, m_vv* = 1/L; at ν = ∞,
 * μ = μ_L = E[max of L standard normals] ≤ √(2 log L), so E_linear → Δ + 1
 * as L → ∞.
 */
import type { Derivation } from '../../claims/types.ts';
import { InvalidInputError, requireFinite } from '../../errors.ts';
import { getActivation } from '../../estimator/activations.ts';
import { manifoldOverlaps } from '../../risk/overlaps.ts';
import { populationRisk } from '../../risk/population.ts';
import { fixedLength } from '../../task/length-law.ts';
import { maxTask } from '../../task/tasks.ts';
import { coefficients, diff, solvePolynomial, substitute } from '../cas.ts';
import { DerivationBuilder, type StepCheck, allOf } from '../derivation-builder.ts';
import { compileWithError } from '../expression.ts';
import { Poly } from '../polynomial.ts';
import { ROUNDING_SAFETY, checkDerivative, checkGaussianExpectation, verifyNumerically } from '../verify-numerically.ts';
import { gaussianExpectation } from '../wick.ts';
import { type DerivationOptions, boxFor, fmt, pointStream, seedOf } from './common.ts';
import { type MeanResult, expectedMaxOfNormals, maxSelectedMean } from './max-slr-mean.ts';

/**
 * E_linear on max-SLR in terms of μ = E[χ*_ε]: Δ + 1 − (1 + μ²)/L
 * (derivation `linear-max-closed-form`). L ≥ 1, μ finite, Δ ≥ 0.
 */
export function linearMaxClosedForm(L: number, mu: number, delta = 0): number {
  requireFinite('L', L, { min: 1, integer: true });
  requireFinite('mu', mu);
  requireFinite('delta', delta, { min: 0 });
  return delta + 1 - (1 + mu * mu) / L;
}

/**
 * E_linear on max-SLR at (L, ν, Δ) with μ computed by quadrature
 * (expectedMaxOfNormals at ν = ∞, maxSelectedMean otherwise); the error is
 * propagated from μ's: |∂E/∂μ| = 2|μ|/L.
 */
export function linearMaxRisk(L: number, nu: number, delta = 0): { value: number; error: number; mu: MeanResult } {
  requireFinite('L', L, { min: 1, integer: true });
  if (typeof nu !== 'number' || Number.isNaN(nu) || nu < 0) throw new InvalidInputError(`nu must be a number >= 0 (or Infinity), got ${String(nu)}`);
  const mu = nu === Infinity ? expectedMaxOfNormals(L) : maxSelectedMean(L, nu);
  const value = linearMaxClosedForm(L, mu.value, delta);
  return { value, error: (2 * Math.abs(mu.value) * mu.error) / L + 4 * Number.EPSILON * (1 + delta), mu };
}

/** The minimiser on the manifold: m_kk* = μ, m_vv* = 1/L, R_kk = R_vv = 0. */
export function linearMaxMinimiser(L: number, mu: number): { mkk: number; mvv: number; qkk: number; qvv: number } {
  requireFinite('L', L, { min: 1, integer: true });
  requireFinite('mu', mu);
  return { mkk: mu, mvv: 1 / L, qkk: mu * mu, qvv: 1 / (L * L) };
}

/** Engine comparison for the max-SLR risk formula at given overlaps, with μ's error propagated. */
function engineCheck(formula: string, points: Array<{ L: number; nu: number; delta: number; o: Record<string, number> }>): StepCheck {
  const vars = ['L', 'mu', 'Delta', 'm', 'm_vv', 'R_kk', 'R_vv'];
  const f = compileWithError(formula, vars);
  const lines: string[] = [];
  let passed = true;
  let evaluations = 0;
  for (const p of points) {
    const { m, m_vv, R_kk, R_vv } = p.o;
    const overlaps = manifoldOverlaps({ mkk: m, mvv: m_vv, qkk: R_kk + m * m, qvv: R_vv + m_vv * m_vv });
    const r = populationRisk({ task: maxTask, nu: p.nu, lengths: fixedLength(p.L), delta: p.delta, act: getActivation('linear'), overlaps });
    evaluations += r.evaluations ?? 0;
    const mu = p.nu === Infinity ? expectedMaxOfNormals(p.L) : maxSelectedMean(p.L, p.nu);
    const s = f(p.L, mu.value, p.delta, m, m_vv, R_kk, R_vv);
    const tol = r.error + ROUNDING_SAFETY * s.error + 2 * Math.abs(m_vv * m) * mu.error;
    const d = Math.abs(s.value - r.value);
    const ok = d <= tol && r.converged && mu.converged;
    passed &&= ok;
    lines.push(`max L=${p.L} ν=${p.nu} Δ=${fmt(p.delta, 3)} (μ=${fmt(mu.value, 12)} ± ${mu.error.toExponential(1)}): formula ${fmt(s.value, 12)} vs engine ${fmt(r.value, 12)} ± ${r.error.toExponential(1)}, |diff| ${d.toExponential(1)} ${ok ? '≤' : '>'} ${tol.toExponential(1)}`);
  }
  return {
    method: `engine populationRisk (linear, max-SLR; ${evaluations} evaluations) with μ by quadrature; tolerance = engine bound + |∂E/∂μ|·err(μ) + ${ROUNDING_SAFETY}×rounding`,
    passed,
    detail: lines.join('; '),
  };
}

/** (e) Linear attention on max-SLR: E_linear = Δ + 1 − (1 + μ²)/L at m_kk* = μ. */
export function linearMaxClosedFormDerivation(opts?: DerivationOptions): Derivation {
  const seed = seedOf(opts);
  const b = new DerivationBuilder('Linear attention on max-SLR: E_linear = Δ + 1 − (1 + μ²)/L with μ = E[χ*_ε]');
  b.text(
    'model',
    'χ* ~ N(0, I_L) exactly, ε | χ* ~ softmax(νχ*); on the manifold χ_ℓ = mχ*_ℓ + r_ℓ, z_ℓ = m_vv z*_ℓ + s_ℓ, r ~ N(0, R_kk), s ~ N(0, R_vv); μ := E[χ*_ε]',
    '\\chi^*\\sim\\mathcal N(0,I_L),\\ \\varepsilon\\mid\\chi^*\\sim\\mathrm{softmax}(\\nu\\chi^*),\\ \\chi_\\ell = m\\chi^*_\\ell + r_\\ell,\\ z_\\ell = m_{vv}z^*_\\ell + s_\\ell,\\ \\mu := \\mathbb E[\\chi^*_\\varepsilon]',
    'definition (THEORY.md §1, §3); z*, s, ξ are Gaussian and independent of (χ*, ε, r)',
  );
  // conditional on (χ*, r, ε): only z*, s, ξ are random, and they are Gaussian
  const law2 = {
    variables: ['z_e', 's_e', 'z_b', 's_b', 'xi'],
    variance: { s_e: 'R_vv', s_b: 'R_vv', xi: 'Delta' },
  };
  const loss2 = '(z_e + xi - sig_e*(m_vv*z_e + s_e) - sig_b*(m_vv*z_b + s_b))^2';
  const cond = gaussianExpectation(loss2, law2);
  const condVars = ['Delta', 'm_vv', 'R_vv', 'sig_e', 'sig_b'];
  const box: Record<string, readonly [number, number]> = { ...boxFor(['Delta', 'm_vv', 'R_vv']), sig_e: [-3, 3], sig_b: [-3, 3], sig_1: [-3, 3], sig_2: [-3, 3], sig_3: [-3, 3] };
  const law3 = { variables: ['z_1', 's_1', 'z_2', 's_2', 'z_3', 's_3', 'xi'], variance: { s_1: 'R_vv', s_2: 'R_vv', s_3: 'R_vv', xi: 'Delta' } };
  const loss3 = '(z_1 + xi - sig_1*(m_vv*z_1 + s_1) - sig_2*(m_vv*z_2 + s_2) - sig_3*(m_vv*z_3 + s_3))^2';
  const three = gaussianExpectation(loss3, law3).expression;
  b.step(
    'E[(y − f)² | χ*, r, ε]',
    'Delta + 1 - 2*m_vv*sig_e + (m_vv^2 + R_vv)*S_2',
    'Isserlis/Wick over the Gaussian (z*, s, ξ) given the keys, σ_ℓ = 1 + χ_ℓ held fixed; every token contributes its own σ_ℓ²: S₂ = Σ_ℓ σ_ℓ²',
    allOf(
      checkGaussianExpectation(loss2, cond.expression, law2, cond.degree, condVars, box, seed + 1),
      verifyNumerically(cond.expression, 'Delta + 1 - 2*m_vv*sig_e + (m_vv^2 + R_vv)*(sig_e^2 + sig_b^2)', condVars, box, seed + 2),
      verifyNumerically(three, 'Delta + 1 - 2*m_vv*sig_1 + (m_vv^2 + R_vv)*(sig_1^2 + sig_2^2 + sig_3^2)', ['Delta', 'm_vv', 'R_vv', 'sig_1', 'sig_2', 'sig_3'], box, seed + 3),
    ),
  );
  const lawR = { variables: ['r'], variance: { r: 'R_kk' } };
  const Es = gaussianExpectation('1 + m*x + r', lawR).expression;
  b.step(
    'A = E[σ_ε] = 1 + mμ',
    '1 + m*mu',
    'Wick over r_ε (mean 0) gives 1 + mχ*_ε, then E[χ*_ε] = μ',
    allOf(verifyNumerically(Es, '1 + m*x', ['m', 'x'], boxFor(['m', 'x']), seed + 4), checkGaussianExpectation('1 + m*x + r', Es, lawR, 1, ['m', 'x', 'R_kk'], boxFor(['m', 'x', 'R_kk']), seed + 5)),
  );
  const Es2 = gaussianExpectation('(1 + m*x + r)^2', lawR).expression;
  const cs = coefficients(Es2, 'x');
  const S = ['L', '0', 'L']; // E[Σ χ*^k] for k = 0, 1, 2: exact, χ* ~ N(0, I_L) marginally
  const B = cs.map((t, k) => `(${t})*${S[k]}`).join(' + ');
  const Bform = 'L*(1 + m^2 + R_kk)';
  b.step(
    'B = E[Σσ_ℓ²] = L(1 + m² + R_kk)',
    Bform,
    'Wick over r_ℓ, nerdamer coeffs in x = χ*_ℓ, then the exact sums E[Σχ*_ℓ⁰] = L, E[Σχ*_ℓ] = 0, E[Σχ*_ℓ²] = L (χ* is N(0, I_L) whatever ε is)',
    allOf(
      checkGaussianExpectation('(1 + m*x + r)^2', Es2, lawR, 2, ['m', 'x', 'R_kk'], boxFor(['m', 'x', 'R_kk']), seed + 6),
      verifyNumerically(cs.map((t, k) => `(${t})*x^${k}`).join(' + '), Es2, ['m', 'x', 'R_kk'], boxFor(['m', 'x', 'R_kk']), seed + 7),
      verifyNumerically(B, Bform, ['L', 'm', 'R_kk'], boxFor(['L', 'm', 'R_kk']), seed + 8),
    ),
  );
  const risk = `Delta + 1 - 2*m_vv*(1 + m*mu) + (m_vv^2 + R_vv)*${Bform}`;
  const next = pointStream(seed + 9);
  const o = () => ({ m: -1 + 2.5 * next(), m_vv: -0.5 + 1.5 * next(), R_kk: next(), R_vv: next() });
  b.step(
    'risk',
    risk,
    'take E over (χ*, ε, r) of the conditional risk',
    engineCheck(risk, [{ L: 2, nu: 1.5, delta: 0.2, o: o() }]),
  );
  const vars = ['L', 'mu', 'Delta', 'm', 'm_vv', 'R_kk', 'R_vv'];
  const vbox = boxFor(vars);
  const A = '1 + m*mu';
  const value = `Delta + 1 - (${A})^2/(${Bform})`;
  b.step(
    'value side: E = Δ + 1 − A²/B, R_vv = R_kk = 0',
    value,
    'as in `linear-value-side`: quadratic in m_vv with minimiser A/B; ∂/∂R_vv = B > 0; A is free of R_kk and ∂B/∂R_kk = L > 0',
    allOf(
      verifyNumerically(substitute(risk, { m_vv: `(${A})/(${Bform})`, R_vv: 0 }), value, vars, vbox, seed + 10),
      verifyNumerically(diff(risk, 'm_vv'), `2*m_vv*${Bform} - 2*(${A})`, vars, vbox, seed + 11),
      verifyNumerically(diff(Bform, 'R_kk'), 'L', vars, vbox, seed + 12),
    ),
  );
  const B0 = 'L*(1 + m^2)';
  const G = `(${A})^2/(${B0})`;
  const dA = diff(A, 'm');
  const dB = diff(B0, 'm');
  const N = Poly.parse(`2*(${A})*(${dA})*(${B0}) - (${A})^2*(${dB})`).toString();
  const gvars = ['L', 'mu', 'm'];
  const gbox = boxFor(gvars);
  b.step(
    "N = 2AA'B − A²B' = 2L(1 + mμ)(μ − m)",
    N,
    'nerdamer diff of A and B, quotient rule (dG/dm = N/B²), numerator expanded exactly',
    allOf(
      checkDerivative(A, dA, 'm', gvars, gbox, seed + 13),
      checkDerivative(B0, dB, 'm', gvars, gbox, seed + 14),
      checkDerivative(G, `(${N})/(${B0})^2`, 'm', gvars, gbox, seed + 15),
      verifyNumerically(N, '2*L*(1 + m*mu)*(mu - m)', gvars, gbox, seed + 16),
    ),
  );
  const roots = solvePolynomial(N, 'm');
  const rootIs = (r: string, t: string) => verifyNumerically(r, t, ['L', 'mu'], { L: [2, 12], mu: [0.2, 3] }, seed + 17).passed;
  const ident: StepCheck = {
    method: 'evaluation at random points',
    passed: roots.length === 2 && roots.some((r) => rootIs(r, 'mu')) && roots.some((r) => rootIs(r, '-1/mu')),
    detail: `roots ${roots.join(' ; ')}: m = μ (maximum: N > 0 for −1/μ < m < μ, N < 0 above) and m = −1/μ (A = 0, G = 0)`,
  };
  b.step('stationary points', `[${roots.join(', ')}]`, 'solvePolynomial (quadratic formula on exact coefficients) of N = 0', ident);
  const lead = (t: string) => {
    const c = Poly.parse(t).coefficientsIn('m').coefficients;
    return c[c.length - 1].toString();
  };
  b.step(
    'G(μ) = (1 + μ²)/L > G(±∞) = μ²/L',
    '(1 + mu^2)/L',
    'substitute m = μ; the limit at ±∞ is the ratio of the leading coefficients in m, and G(μ) − μ²/L = 1/L > 0, so m = μ is the global maximum',
    allOf(
      verifyNumerically(substitute(G, { m: 'mu' }), '(1 + mu^2)/L', ['L', 'mu'], boxFor(['L', 'mu']), seed + 18),
      verifyNumerically(`(${lead(`(${A})^2`)})/(${lead(B0)})`, 'mu^2/L', ['L', 'mu'], boxFor(['L', 'mu']), seed + 19),
    ),
  );
  const closed = 'Delta + 1 - (1 + mu^2)/L';
  const infinity = expectedMaxOfNormals(3);
  b.step(
    'E_linear',
    closed,
    'E = Δ + 1 − G(μ); the minimiser is m_kk* = μ, m_vv* = A/B = 1/L, R_kk = R_vv = 0',
    allOf(
      verifyNumerically(`Delta + 1 - (${substitute(G, { m: 'mu' })})`, closed, ['L', 'mu', 'Delta'], boxFor(['L', 'mu', 'Delta']), seed + 20),
      verifyNumerically(substitute(`(${A})/(${B0})`, { m: 'mu' }), '1/L', ['L', 'mu'], boxFor(['L', 'mu']), seed + 21),
      engineCheck(risk, [{ L: 3, nu: Infinity, delta: 0, o: { m: infinity.value, m_vv: 1 / 3, R_kk: 0, R_vv: 0 } }]),
    ),
  );
  // μ at ν = ∞ against closed forms: μ_2 = 1/√π (max(a,b) = (a+b)/2 + |a−b|/2, E|N(0,2)| = 2/√π), μ_3 = 3/(2√π)
  const refs: Array<[number, number, string]> = [
    [2, 1 / Math.sqrt(Math.PI), '1/√π'],
    [3, 3 / (2 * Math.sqrt(Math.PI)), '3/(2√π)'],
  ];
  const lines: string[] = [];
  let ok = true;
  for (const [L, exact, name] of refs) {
    for (const form of ['tail', 'density'] as const) {
      const r = expectedMaxOfNormals(L, form);
      const good = Math.abs(r.value - exact) <= r.error + 4 * Number.EPSILON && r.converged;
      ok &&= good;
      lines.push(`μ_${L} (${form}) = ${fmt(r.value, 16)} ± ${r.error.toExponential(1)} vs ${name} = ${fmt(exact, 16)}`);
    }
  }
  b.step(
    'ν = ∞: μ = μ_L = E[max of L standard normals]',
    'mu_L = integral of x*L*phi(x)*Phi(x)^(L-1)',
    'ε = argmax χ*; μ_L = ∫ x L φ(x) Φ(x)^{L−1} dx = ∫₀^∞ [1 − Φ(x)^L − Φ(−x)^L] dx (two integrands, adaptive Gauss–Kronrod)',
    { method: 'quadrature (both forms) against closed forms at L = 2, 3, tolerance = quadrature bound + 4 eps', passed: ok, detail: lines.join('; ') },
    '\\mu_L = \\int x\\,L\\,\\varphi(x)\\,\\Phi(x)^{L-1}\\,dx',
  );
  return b.finish(closed);
}

/** (e, large L) μ_L ≤ √(2 log L), so E_linear − Δ = 1 − (1 + μ_L²)/L → 1 on max-SLR at ν = ∞. */
export function maxLargeLDerivation(opts?: DerivationOptions): Derivation {
  const seed = seedOf(opts);
  const b = new DerivationBuilder('max-SLR at ν = ∞, large L: μ_L ≤ √(2 log L), hence E_linear − Δ → 1');
  const tableLs = [2, 10, 100, 1e3, 1e4, 1e5, 1e6];
  const mus = tableLs.map((L) => ({ L, r: expectedMaxOfNormals(L) }));
  // Jensen: e^{tμ} ≤ E e^{t·max} ≤ Σ E e^{tχ_ℓ} = L e^{t²/2}
  const h = 'K/t + t/2';
  const jensenLines: string[] = [];
  let jensenOk = true;
  for (const { L, r } of mus.slice(0, 4)) {
    for (const t of [0.5, 1, 2, 4]) {
      const bound = Math.log(L) / t + t / 2;
      const good = r.value + r.error <= bound;
      jensenOk &&= good;
      if (t === 1) jensenLines.push(`L=${L}: μ_L = ${fmt(r.value, 10)} ≤ log L + 1/2 = ${fmt(bound, 10)}`);
    }
  }
  b.step(
    'μ_L ≤ (log L)/t + t/2 for every t > 0',
    h,
    'Jensen: e^{tμ_L} ≤ E[e^{t max_ℓ χ_ℓ}] ≤ Σ_ℓ E[e^{tχ_ℓ}] = L e^{t²/2}; K = log L',
    { method: 'μ_L by quadrature (with its bound) against the bound at t = 0.5, 1, 2, 4, L = 2…1000', passed: jensenOk, detail: jensenLines.join('; ') },
    '\\mu_L \\le \\frac{\\log L}{t} + \\frac{t}{2}',
  );
  const dh = diff(h, 't');
  const kt = ['K', 't'];
  b.step('d/dt', dh, 'nerdamer diff', checkDerivative(h, dh, 't', kt, boxFor(kt), seed + 1));
  const roots = solvePolynomial(Poly.parse(`(${dh})*t^2`).toString(), 't');
  const pos = roots.filter((r) => verifyNumerically(r, 'sqrt(2*K)', ['K'], boxFor(['K']), seed + 2).passed);
  b.step(
    't* = √(2K)',
    `[${roots.join(', ')}]`,
    'solvePolynomial of t²·h′(t) = 0 (a quadratic in t); the positive root minimises h (h → ∞ at 0 and ∞)',
    allOf(
      { method: 'root identification', passed: pos.length === 1, detail: `roots ${roots.join(' ; ')}; the positive one equals √(2K)` },
      ...roots.map((r, i) => verifyNumerically(substitute(dh, { t: r }), '0', ['K'], boxFor(['K']), seed + 3 + i)),
    ),
  );
  b.step('μ_L ≤ √(2 log L)', 'sqrt(2*K)', 'h(t*) = √(2K)', verifyNumerically(substitute(h, { t: 'sqrt(2*K)' }), 'sqrt(2*K)', ['K'], boxFor(['K']), seed + 6));
  const lines: string[] = [];
  let ok = true;
  for (const { L, r } of mus) {
    const bound = Math.sqrt(2 * Math.log(L));
    const e = 1 - (1 + r.value * r.value) / L;
    const good = r.value + r.error <= bound && r.converged;
    ok &&= good;
    lines.push(`L=${L}: μ_L = ${fmt(r.value, 10)} ± ${r.error.toExponential(1)} ≤ √(2 log L) = ${fmt(bound, 8)}; E_linear − Δ = ${fmt(e, 10)}`);
  }
  b.step(
    'E_linear − Δ = 1 − (1 + μ_L²)/L ∈ [1 − (1 + 2 log L)/L, 1 − 1/L] → 1',
    '1 - (1 + mu^2)/L',
    'from `linear-max-closed-form` and the bound; (1 + 2 log L)/L → 0',
    { method: `μ_L by quadrature for L = ${tableLs.join(', ')} (cost independent of L)`, passed: ok, detail: lines.join('; ') },
  );
  return b.finish('1 - (1 + mu^2)/L', '\\lim_{L\\to\\infty} (E_{\\rm linear} - \\Delta) = 1,\\quad \\mu_L \\le \\sqrt{2\\log L}');
}
