/**
 * The ratio ("Nishimori") condition g(ε,χ)/g(ε′,χ) = exp(c_ν(χ_ε − χ_ε′)) for
 * spiked-SLR (c_ν = √ν) and max-SLR (c_ν = ν), and its consequence (the
 * mechanism of Prop. 4.2): the posterior of ε is softmax(c_ν χ*), so softmax
 * attention at k = c_ν k*, v = v* is the posterior mean E[y | X].
 */
import type { Derivation } from '../../claims/types.ts';
import { getActivation } from '../../estimator/activations.ts';
import { bayesRisk } from '../../risk/bayes.ts';
import { manifoldOverlaps } from '../../risk/overlaps.ts';
import { populationRisk } from '../../risk/population.ts';
import { fixedLength } from '../../task/length-law.ts';
import { type Task, spikedTask } from '../../task/tasks.ts';
import { expand, substitute } from '../cas.ts';
import { DerivationBuilder, type StepCheck, allOf } from '../derivation-builder.ts';
import { verifyNumerically } from '../verify-numerically.ts';
import { type DerivationOptions, boxFor, fmt, seedOf } from './common.ts';

const SUM3 = 'exp(nu*x1) + exp(nu*x2) + exp(nu*x3)';

/**
 * Softmax at k = c_ν k*, v = v* against the Bayes risk, both from the engine
 * (independent code paths: the population risk of an activation vs the
 * posterior formula). Tolerance: the sum of the two error bounds.
 */
export function checkSoftmaxIsBayes(points: ReadonlyArray<{ task: Task; L: number; nu: number; delta: number }>): StepCheck {
  const lines: string[] = [];
  let passed = true;
  for (const p of points) {
    const c = p.task.nishimoriSlope(p.nu)!;
    const overlaps = manifoldOverlaps({ mkk: c, mvv: 1, qkk: c * c, qvv: 1 });
    const soft = populationRisk({ task: p.task, nu: p.nu, lengths: fixedLength(p.L), delta: p.delta, act: getActivation('softmax'), overlaps });
    const bayes = bayesRisk(p.task, p.nu, fixedLength(p.L), p.delta);
    const tol = soft.error + bayes.error;
    const d = Math.abs(soft.value - bayes.value);
    const ok = d <= tol && soft.converged && bayes.converged;
    passed &&= ok;
    lines.push(`${p.task.id} L=${p.L} ν=${p.nu} Δ=${p.delta}: softmax ${fmt(soft.value, 13)} ± ${soft.error.toExponential(1)} vs Bayes ${fmt(bayes.value, 13)} ± ${bayes.error.toExponential(1)}, |diff| ${d.toExponential(1)} ${ok ? '≤' : '>'} ${tol.toExponential(1)}`);
  }
  return { method: 'engine: populationRisk(softmax) vs bayesRisk, tolerance = sum of their error bounds', passed, detail: lines.join('; ') };
}

/** (g) The ratio condition for spiked and max g_ν, and softmax at k = c_ν k* as the posterior mean. */
export function nishimoriDerivation(opts?: DerivationOptions): Derivation {
  const seed = seedOf(opts);
  const b = new DerivationBuilder('The ratio (Nishimori) condition g(ε,χ)/g(ε′,χ) = exp(c_ν(χ_ε − χ_ε′)) and softmax as the posterior mean');
  const xs = ['c', 'x1', 'x2'];
  const gS = (x: string) => `exp(c*${x} - c^2/2)`;
  b.text('spiked g_ν', 'g(ε, χ) = exp(c*χ_ε - c^2/2), c = sqrt(nu)', 'g_\\nu(\\varepsilon,\\chi) = e^{c\\,\\chi_\\varepsilon - c^2/2},\\ c = \\sqrt\\nu', 'definition (THEORY.md §1)');
  const logS = expand(`log(${gS('x1')}/${gS('x2')})`);
  b.step(
    'spiked: log ratio',
    logS,
    'nerdamer expand of log(g(1,χ)/g(2,χ)); the −ν/2 cancels',
    allOf(
      verifyNumerically(`log(${gS('x1')}/${gS('x2')})`, logS, xs, boxFor(xs), seed + 1),
      verifyNumerically(logS, 'c*(x1 - x2)', xs, boxFor(xs), seed + 2),
      verifyNumerically(`${gS('x1')}/${gS('x2')}`, 'exp(c*(x1 - x2))', xs, boxFor(xs), seed + 3),
    ),
  );
  b.text('max g_ν', 'g(ε, χ) = L*exp(nu*χ_ε)/S, S = Σ_k exp(nu*χ_k)', 'g_\\nu(\\varepsilon,\\chi) = \\frac{L\\,e^{\\nu\\chi_\\varepsilon}}{\\sum_k e^{\\nu\\chi_k}}', 'definition (THEORY.md §1)');
  const gM = (x: string) => `L*exp(nu*${x})/S`;
  const logM = expand(`log((${gM('x1')})/(${gM('x2')}))`);
  const mv = ['L', 'nu', 'x1', 'x2', 'x3'];
  b.step(
    'max: log ratio',
    logM,
    'nerdamer expand of log(g(1,χ)/g(2,χ)) with the normaliser kept as S (it cancels); checked with S written out for L = 3',
    allOf(
      verifyNumerically(substitute(`log((${gM('x1')})/(${gM('x2')}))`, { S: SUM3 }), logM, mv, boxFor(mv), seed + 4),
      verifyNumerically(logM, 'nu*(x1 - x2)', mv, boxFor(mv), seed + 5),
    ),
  );
  // posterior: P(ε = ℓ | X) = g(ℓ, χ*)/Σ_k g(k, χ*) (uniform prior, base density common to all ε) = softmax(c χ*)_ℓ
  const postS = `${gS('x1')}/(${gS('x1')} + ${gS('x2')} + ${gS('x3')})`;
  const softS = 'exp(c*x1)/(exp(c*x1) + exp(c*x2) + exp(c*x3))';
  const postM = `(${gM('x1')})/((${gM('x1')}) + (${gM('x2')}) + (${gM('x3')}))`;
  const softM = `exp(nu*x1)/(${SUM3})`;
  const sv = ['c', 'x1', 'x2', 'x3'];
  b.step(
    'posterior = softmax(c_ν χ*)',
    'p_l = exp(c*χ_l)/Σ_k exp(c*χ_k)',
    'Bayes: P(ε = ℓ | X) ∝ (1/L) g(ℓ, χ*) Π N(x; 0, I) ∝ g(ℓ, χ*); divide by g(ℓ, χ*) and use the ratio condition: 1/Σ_k e^{c(χ_k − χ_ℓ)}; checked at L = 3 for both tasks',
    allOf(
      verifyNumerically(postS, softS, sv, boxFor(sv), seed + 6),
      verifyNumerically(substitute(postM, { S: SUM3 }), softM, mv, boxFor(mv), seed + 7),
    ),
    'P(\\varepsilon=\\ell\\mid X) = \\frac{e^{c_\\nu\\chi^*_\\ell}}{\\sum_k e^{c_\\nu\\chi^*_k}}',
  );
  b.step(
    'softmax at k = c_ν k*, v = v* is E[y | X]',
    '[m_kk = c, q_kk = c^2, m_vv = 1, q_vv = 1]',
    'χ_ℓ = x_ℓ·k/√D = c_ν χ*_ℓ and z_ℓ = z*_ℓ, so f(X) = Σ softmax(c_ν χ*)_ℓ z*_ℓ = Σ P(ε = ℓ | X) z*_ℓ = E[z*_ε | X] = E[y | X] (ξ independent, mean 0): its risk is the Bayes risk (Prop. 4.2); overlaps m_kk* = c_ν, q_kk = c_ν², m_vv* = q_vv = 1, cross terms 0 (R_kk = R_vv = 0)',
    // spiked-SLR only: the engine's softmax risk on max-SLR at finite ν takes ~200 s per point (measured;
    // reported to the lead), far beyond this derivation's budget. The max-SLR side rests on the two exact
    // checks above (ratio and posterior at L = 3).
    checkSoftmaxIsBayes([
      { task: spikedTask, L: 4, nu: 3, delta: 0 },
      { task: spikedTask, L: 2, nu: 8, delta: 0.1 },
    ]),
  );
  return b.finish('exp(c*(x1 - x2))', '\\frac{g_\\nu(\\varepsilon,\\chi)}{g_\\nu(\\varepsilon\',\\chi)} = e^{c_\\nu(\\chi_\\varepsilon-\\chi_{\\varepsilon\'})},\\quad c_\\nu = \\sqrt\\nu\\ \\text{(spiked)},\\ \\nu\\ \\text{(max)}');
}
