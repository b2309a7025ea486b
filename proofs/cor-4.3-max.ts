/**
 * Cor. 4.3 for max-SLR (reported): at ν = ∞, as L → ∞, E_linear → 1 while
 * E_softmax → 0. Linear: E_linear = 1 − (1 + μ_L²)/L (linear-closed-form) with
 * μ_L = E[max of L normals] ≤ √(2 log L) (Jensen: e^{tμ} ≤ E e^{t max} ≤ L e^{t²/2},
 * t = √(2 log L)), so 1 ≥ E_linear ≥ 1 − (1 + 2 log L)/L → 1. Softmax: the
 * Bayes risk is exactly Δ at ν = ∞ (ε = argmax χ* is a function of X) and
 * softmax reaches it along the ray k = m k*, m → ∞ (c_ν = ∞), its risk
 * decreasing like C/m.
 */
import { agreementCheck, exactQuantity, inequalityCheck, limitCheck } from '../src/claims/checks.ts';
import { bayes, classMinimum, riskAt, setting, type Setting } from '../src/claims/quantities.ts';
import { symbolicCheck } from '../src/claims/symbolic-check.ts';
import type { Claim } from '../src/claims/types.ts';
import { getDerivation } from '../src/symbolic/index.ts';
import { manifoldOverlaps } from '../src/risk/overlaps.ts';
import { linearClosedForm } from './linear-closed-form.ts';

const LENGTHS = [10, 100, 1000, 10000, 100000, 1000000];

export const claim: Claim = {
  id: 'cor-4.3-max',
  title: 'max-SLR at ν = ∞: linear attention tends to the trivial risk, softmax to zero, as L grows',
  paperRef: 'Cor. 4.3 (reported)',
  source: 'reported',
  statement: {
    tex: String.raw`\nu=\infty,\ L\to\infty:\qquad \mathsf{E}_{\mathrm{linear}}\to 1,\qquad \mathsf{E}_{\mathrm{softmax}}=\mathcal{E}_{\mathrm{Bayes}}=0`,
    text: 'On max-SLR at ν = ∞ (ε = argmax χ*) and Δ = 0, the linear-attention class risk tends to 1 (the risk of predicting 0) as L → ∞, while softmax attains the Bayes risk 0 for every L.',
  },
  assumptions: ['max-SLR, ν = ∞, Δ = 0', 'σ_ℓ = 1 + χ_ℓ for linear attention'],
  uses: ['linear-closed-form', 'softmax-bayes', 'bayes-risk'],
  expect: 'CONFIRMED',
  // CPU seconds on one core (slr verify --workers 1, 2026-11-30, after the large-slope fix), for scheduling only
  cost: { fast: 0.05, full: 3.2 },
  tolerances: {
    decision: { value: 0, reason: 'inequalities decided only beyond the error bars' },
    extrapolation: { value: 10, reason: 'REFUTED when the limit misses the Richardson estimate by more than 10× its uncertainty' },
  },
  derivation: () => getDerivation('max-large-L'),
  checks: [
    symbolicCheck({
      id: 'derivation',
      description: 'μ_L ≤ √(2 log L) by Jensen, optimised over t symbolically, hence E_linear → 1',
      fast: true,
      derivations: ['max-large-L'],
    }),
    inequalityCheck<Setting>({
      id: 'linear-lower-bound',
      description: 'E_linear(L) > 1 − (1 + 2 log L)/L − tiny: the closed form with μ_L by quadrature stays above a bound that tends to 1 (L = 10 … 10^6)',
      fast: true,
      points: () => LENGTHS.map((L) => setting('max', L, Infinity)),
      greater: { label: 'E_linear (closed form, μ_L by quadrature)', compute: (s) => linearClosedForm(s).risk },
      smaller: { label: '1 − (1 + 2 log L)/L', compute: (s) => exactQuantity(1 - (1 + 2 * Math.log(Number(s.L))) / Number(s.L), 'bound from μ_L ≤ √(2 log L)') },
    }),
    agreementCheck<Setting>({
      id: 'linear-optimiser',
      description: 'the optimiser\'s class minimum against the closed form at ν = ∞ (L = 2, 10)',
      fast: false,
      points: () => [setting('max', 2, Infinity), setting('max', 10, Infinity)],
      left: { label: 'E_linear (optimiser)', compute: (s) => classMinimum('linear', s) },
      right: { label: 'closed form', compute: (s) => linearClosedForm(s).risk },
      tolerance: { value: 1e-7, reason: 'optimiser located to 1e−7 in risk' },
    }),
    agreementCheck<Setting>({
      id: 'bayes-zero',
      description: 'the Bayes risk at ν = ∞ is exactly Δ = 0 for every L',
      fast: true,
      points: () => [2, 10, 1000000].map((L) => setting('max', L, Infinity)),
      left: { label: 'E_Bayes', compute: (s) => bayes(s) },
      right: { label: '0', compute: () => exactQuantity(0, 'exact') },
      tolerance: { value: 0, reason: 'exact' },
    }),
    ...[2, 10].map((L) =>
      limitCheck({
        id: `softmax-ray-L${L}`,
        description: `softmax along k = m k*, v = v*: its risk → 0 as m → ∞ at L = ${L} (Richardson in 1/m)`,
        fast: false,
        label: 'E_softmax(m k*, v*)',
        variable: 'm',
        xs: () => [4, 8, 16, 32],
        compute: (m) => riskAt('softmax', setting('max', L, Infinity), manifoldOverlaps({ mkk: m, mvv: 1, qkk: m * m, qvv: 1 })),
        predicted: 0,
        correctionOrder: 1,
        at: { task: 'max', L, nu: 'inf' },
      }),
    ),
  ],
};
