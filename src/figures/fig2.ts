import { integerLogspace, linspace } from './grid.ts';
import { FIG2_ACTIVATIONS, riskCurves } from './sweep-helpers.ts';
import type { FigureDefinition, SweepSize } from './types.ts';

const SERIES = ['bayes', ...FIG2_ACTIVATIONS];
const RISK_AXIS = { label: 'population risk E (Δ = 0)', type: 'linear' as const };

/**
 * The paper's Figure 2, recomputed: class risks E_σ of softmax, linear, erf
 * and softplus-kernel against E_Bayes. Top: spiked-SLR against ν at L = 2 and
 * L = 1000; bottom: max-SLR against L at ν = ∞, and against ν with
 * L ~ Unif{1,2,3}.
 */
export const fig2: FigureDefinition = {
  id: 'fig2',
  title: 'Figure 2 (recomputed): class risk E_σ of each attention activation against the Bayes risk',
  subtitle: 'Population level, Δ = 0, minimum over the manifold overlaps (m_kv* = m_vk* = q_kv = 0); quadrature, error bars = error bounds',
  caption:
    'Minimal population risk E_σ for softmax, linear, erf and softplus-kernel attention against the Bayes risk (black), ' +
    'for spiked-SLR (top: against the signal strength ν at L = 2 and at L = 1000) and max-SLR (bottom: against the sequence ' +
    'length L at ν = ∞, and against ν for a variable length L ~ Unif{1,2,3}). Softmax lies on the Bayes curve (Prop. 4.2); ' +
    'the other activations stay above it (Fig. 2, Props. 4.3–4.4). Every point is a class minimum computed by the engine of `slr risk`. ' +
    'Some minima lie at |k| → ∞ and are the limits along k ∝ k*: at max-SLR ν = ∞ softmax reaches the Bayes risk 0 (the exact limit ' +
    'of k = c k*, c → ∞); softplus-kernel there and at spiked L = 1000 has the risk of its limit weights (χ*)_+/Σ(χ*)_+, computed at the limit.',
  panels: [
    { id: 'spiked-L2', title: 'spiked-SLR, L = 2', x: { label: 'signal strength ν', type: 'linear' }, y: RISK_AXIS },
    { id: 'spiked-L1000', title: 'spiked-SLR, L = 1000', x: { label: 'signal strength ν', type: 'linear' }, y: RISK_AXIS },
    { id: 'max-inf', title: 'max-SLR, ν = ∞', x: { label: 'sequence length L', type: 'log' }, y: RISK_AXIS },
    { id: 'max-variable', title: 'max-SLR, L ~ Unif{1,2,3}', x: { label: 'signal strength ν', type: 'linear' }, y: RISK_AXIS },
  ],
  series: SERIES,
  defaultPoints: 6,
  fastPoints: 3,
  jobs(size: SweepSize) {
    const n = size.points;
    return [
      ...riskCurves(size, 'spiked-L2', SERIES, linspace(0.5, 10, n), (nu) => ({ task: 'spiked', L: '2', nu })),
      ...riskCurves(size, 'spiked-L1000', SERIES, linspace(1, 30, n), (nu) => ({ task: 'spiked', L: '1000', nu })),
      ...riskCurves(size, 'max-inf', SERIES, integerLogspace(2, 1000, n), (L) => ({ task: 'max', L: String(L), nu: Infinity })),
      // ν ≤ 3 here: the softplus kernel's class minimum on max-SLR costs 2.7 s per point at ν = 3 but 4.8 s at 6
      // and 11 s at 10 (measured 2026-11-30 with the WebAssembly window sums, 2 cores, nothing else running)
      ...riskCurves(size, 'max-variable', SERIES, linspace(0.5, 3, n), (nu) => ({ task: 'max', L: '1,2,3', nu })),
    ];
  },
};
