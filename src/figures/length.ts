import { integerLogspace } from './grid.ts';
import { FIG2_ACTIVATIONS, riskCurves } from './sweep-helpers.ts';
import type { FigureDefinition, SweepSize } from './types.ts';

const SERIES = ['bayes', ...FIG2_ACTIVATIONS];
const L_MAX = 1_000_000;
/** spiked-SLR at ν = 30: the Bayes risk stays small while log L ≪ ν/2 ≈ 15, i.e. over the whole range L ≤ 10^6 */
const SPIKED_NU = 30;

/**
 * Risk against the sequence length up to L = 10^6 (beyond the paper's
 * figures): the engine's cost does not grow with L, so long sequences are as
 * cheap as short ones. Linear attention degrades towards the trivial risk 1
 * (Cor. 4.3, max-SLR) while softmax follows the Bayes risk.
 */
export const length: FigureDefinition = {
  id: 'length',
  title: 'Risk against the sequence length L up to 10⁶ (beyond the paper)',
  subtitle: 'Δ = 0, class minima over the manifold overlaps; quadrature, error bars = error bounds',
  caption:
    `Population risks against the sequence length L from 2 to 10^6 for spiked-SLR at ν = ${SPIKED_NU} and max-SLR at ν = ∞. ` +
    'Linear attention tends to the trivial risk as L grows (Cor. 4.3 for max-SLR), softmax stays on the Bayes curve. ' +
    'Lengths this large are computed exactly (exchangeable-token quadrature, cost independent of L), not simulated. ' +
    'At max-SLR ν = ∞ the minima of softmax and softplus-kernel lie at |k| → ∞: softmax reaches the Bayes risk 0 (the exact limit of ' +
    'k = c k*, c → ∞), softplus-kernel the risk of its limit weights (χ*)_+/Σ(χ*)_+, computed at the limit; it tends to 1 like linear attention.',
  panels: [
    { id: 'spiked', title: `spiked-SLR, ν = ${SPIKED_NU}`, x: { label: 'sequence length L (log scale)', type: 'log' }, y: { label: 'population risk E', type: 'auto' } },
    { id: 'max-inf', title: 'max-SLR, ν = ∞', x: { label: 'sequence length L (log scale)', type: 'log' }, y: { label: 'population risk E', type: 'auto' } },
  ],
  series: SERIES,
  defaultPoints: 6,
  fastPoints: 3,
  jobs(size: SweepSize) {
    const Ls = integerLogspace(2, L_MAX, size.points);
    return [
      ...riskCurves(size, 'spiked', SERIES, Ls, (L) => ({ task: 'spiked', L: String(L), nu: SPIKED_NU })),
      ...riskCurves(size, 'max-inf', SERIES, Ls, (L) => ({ task: 'max', L: String(L), nu: Infinity })),
    ];
  },
};
