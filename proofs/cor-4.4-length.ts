/**
 * Cor. 4.4 (reported): variable sequence length hurts linear (and erf)
 * attention, softmax stays Bayes-optimal, and normalised kernels are not hurt.
 * "Hurt" is measured by H_σ = E_σ(P_L) − Σ_L P_L(L)·E_σ(δ_L) ≥ 0: one (k, v) for
 * all lengths against the best (k, v) per length. For softmax H = 0 because
 * the Bayes point c_ν k* does not depend on L. Setting: L ~ Unif{1,2,3}.
 */
import { agreementCheck, inequalityCheck, type Quantity } from '../src/claims/checks.ts';
import { bayes, bayesOverlaps, classRiskBounds, combination, lengthsOf, riskAt, setting, valueOptimalRisk, type Setting } from '../src/claims/quantities.ts';
import { OPTIMISER_TOLERANCE } from '../src/claims/rates.ts';
import type { Claim } from '../src/claims/types.ts';

interface Case extends Setting {
  readonly act: string;
}
const at = (act: string, s: Setting): Case => ({ ...s, act });

/**
 * H_σ = E_σ(P_L) − Σ P_L E_σ(δ_L) as an interval: H ≥ lower(E(P_L)) − Σ P_L upper(E(δ_L))
 * and H ≤ upper(E(P_L)) − Σ P_L lower(E(δ_L)), with the bounds of `classRiskBounds`
 * (an attained risk bounds a minimum from above even when its search did not converge,
 * e.g. erf at L = 1, whose infimum is the limit θ → ∞). Reported as midpoint ± half-width.
 */
export function lengthPenalty(act: string, s: Setting): Quantity {
  const law = lengthsOf(s);
  const whole = classRiskBounds(act, s, OPTIMISER_TOLERANCE);
  const parts = law.lengths.map((L) => classRiskBounds(act, { ...s, L: String(L) }, OPTIMISER_TOLERANCE));
  let lower = whole.lower;
  let upper = whole.upper;
  parts.forEach((p, i) => {
    lower -= law.probabilities[i] * p.upper;
    upper -= law.probabilities[i] * p.lower;
  });
  const notes = [whole, ...parts].map((b, i) => `${i === 0 ? 'P_L' : `δ_${law.lengths[i - 1]}`}: [${b.lower.toPrecision(10)}, ${b.upper.toPrecision(10)}] (${b.how})`);
  return {
    value: 0.5 * (lower + upper),
    error: 0.5 * (upper - lower),
    method: `interval of E_${act}(P_L) − Σ P_L E_${act}(δ_L) from bounds on each class minimum (optimiser tolerance ${OPTIMISER_TOLERANCE}); ${notes.join('; ')}`,
    converged: Number.isFinite(lower) && Number.isFinite(upper) && [whole, ...parts].every((b) => b.consistent),
  };
}

/**
 * H_σ as an interval from ONE class minimum: at the P_L minimiser (key side m, τ², θ), giving each
 * length its own best value side (Δ + 1 − A_L²/B_L, Cauchy–Schwarz) is attained for every δ_L, so
 * E_σ(δ_L) ≤ that risk and H ≥ lower(E_σ(P_L)) − Σ P_L(L)·(Δ + 1 − A_L²/B_L). Upper end: every
 * E_σ(δ_L) ≥ E_Bayes(δ_L). A positive lower end refutes H = 0 at the cost of one search.
 */
export function lengthPenaltyFromOneMinimum(act: string, s: Setting): Quantity {
  const law = lengthsOf(s);
  const whole = classRiskBounds(act, s, OPTIMISER_TOLERANCE);
  const p = whole.result.params;
  if (!p) throw new Error(`no minimiser reported for ${act}`);
  const tau2 = Math.max(0, p.qkk - p.mkk * p.mkk);
  const theta = whole.result.theta && whole.result.theta.length ? whole.result.theta : undefined;
  let lower = whole.lower;
  let upper = whole.upper;
  const notes: string[] = [];
  law.lengths.forEach((L, i) => {
    const at = { ...s, L: String(L) };
    const perLength = valueOptimalRisk(act, at, p.mkk, tau2, theta);
    const b = bayes(at);
    lower -= law.probabilities[i] * (perLength.value + perLength.error);
    upper -= law.probabilities[i] * (b.value - b.error);
    notes.push(`δ_${L}: ≤ ${perLength.value.toPrecision(10)} (value side re-optimised at the P_L key side), ≥ Bayes ${b.value.toPrecision(10)}`);
  });
  return {
    value: 0.5 * (lower + upper),
    error: 0.5 * (upper - lower),
    // (an inconsistent bracket — a risk below Bayes beyond the errors — decides nothing)
    method: `interval of H_${act}: P_L minimum in [${whole.lower.toPrecision(10)}, ${whole.upper.toPrecision(10)}] (${whole.how}); ${notes.join('; ')}`,
    converged: Number.isFinite(lower) && Number.isFinite(upper) && whole.consistent && lower <= upper,
  };
}

const zero: Quantity = { value: 0, error: 0, method: 'exact', converged: true };

export const hurtGrid: Case[] = [
  at('linear', setting('spiked', '1,2,3', 5)),
  at('erf', setting('spiked', '1,2,3', 5)),
  at('linear', setting('max', '1,2,3', 2)),
];

export const claim: Claim = {
  id: 'cor-4.4-length',
  title: 'Variable length hurts linear and erf attention, not softmax nor normalised kernels (as reported)',
  paperRef: 'Cor. 4.4 (reported)',
  source: 'reported',
  statement: {
    tex: String.raw`H_\sigma:=\mathsf{E}_\sigma(P_L)-\sum_L P_L(L)\,\mathsf{E}_\sigma(\delta_L):\quad H_{\mathrm{linear}}>0,\ H_{\mathrm{erf}}>0,\ H_{\mathrm{softmax}}=0,\ H_{\mathrm{softplus}}=0`,
    text: 'With a variable length L ~ P_L, linear and erf attention lose against per-length optimisation (H > 0), softmax stays Bayes-optimal (H = 0), and normalised kernels such as the softplus kernel are not hurt (H = 0).',
  },
  assumptions: ['L ~ Unif{1,2,3}', 'one (k, v) shared by all lengths', 'manifold family'],
  uses: ['softmax-bayes', 'linear-closed-form', 'others-gap'],
  expect: 'REFUTED',
  // CPU seconds on one core (slr verify --workers 1, 2026-11-30, after the large-slope fix), for scheduling only
  cost: { fast: 2.2, full: 2.1 },
  correctedBy: 'cor-4.4-length-corrected',
  tolerances: {
    optimiser: { value: OPTIMISER_TOLERANCE, reason: 'each class minimum is located to 1e−7 in risk; H sums four of them' },
  },
  checks: [
    inequalityCheck<Case>({
      id: 'separable-hurt',
      description: 'H > 0 for linear and erf attention (spiked ν = 5, max ν = 2)',
      fast: true,
      points: (ctx) => (ctx.fast ? hurtGrid.slice(0, 2) : hurtGrid),
      greater: { label: 'H_σ', compute: (k) => lengthPenalty(k.act, k) },
      smaller: { label: '0', compute: () => zero },
    }),
    agreementCheck<Setting>({
      id: 'softmax-not-hurt',
      description: 'softmax at the Bayes point (the same k for every L) has risk Σ P_L E(δ_L): H_softmax = 0',
      fast: true,
      points: () => [setting('spiked', '1,2,3', 5), setting('max', '1,2,3', 2)],
      left: { label: 'E_softmax(P_L) at c_ν k*', compute: (s) => riskAt('softmax', s, bayesOverlaps(s)) },
      right: {
        label: 'Σ P_L E_softmax(δ_L) at c_ν k*',
        compute: (s) => {
          const law = lengthsOf(s);
          return combination(
            law.lengths.map((L, i) => ({ weight: law.probabilities[i], q: riskAt('softmax', { ...s, L: String(L) }, bayesOverlaps(s)) })),
            'average of fixed-length risks at the same overlaps',
          );
        },
      },
      tolerance: { value: 0, reason: 'quadrature bounds' },
    }),
    agreementCheck<Case>({
      id: 'softplus-not-hurt',
      description: 'H_softplus = 0 within the errors (spiked ν = 5, L ~ Unif{1,2,3}); H bracketed from the P_L minimum and per-length value sides at its key side',
      // the check that refutes the statement runs in --fast too, so the fast verdict is the full one
      fast: true,
      points: () => [at('softplus', setting('spiked', '1,2,3', 5))],
      left: { label: 'H_softplus', compute: (k) => lengthPenaltyFromOneMinimum(k.act, k) },
      right: { label: '0', compute: () => zero },
      tolerance: { value: 0, reason: 'H carries the quadrature and optimiser errors of its four class minima' },
    }),
  ],
};
