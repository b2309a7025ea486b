import { integerLogspace } from './grid.ts';
import { FIG2_ACTIVATIONS, panelSeries, riskCurves } from './sweep-helpers.ts';
import type { FigureDefinition, SweepSize } from './types.ts';

const SERIES = ['bayes', ...FIG2_ACTIVATIONS];
const L_MAX = 1_000_000;
/** spiked-SLR at ν = 30: the Bayes risk stays small while log L ≪ ν/2 ≈ 15, i.e. over the whole range L ≤ 10^6 */
const SPIKED_NU = 30;
/**
 * Left out, for cost (measured 2026-11-30, 2 cores): softplus-kernel at max-SLR ν = ∞, whose infimum
 * is a limit |k| → ∞ approached like 1/|k| (~2 minutes per point, to ~2e−5). At spiked ν = 30 it costs
 * 0.9 s (L = 2) to 9.6 s (L = 10^6) per point; softmax at max-SLR ν = ∞ is the exact limit E_Bayes = 0
 * of the ray k = c k* (0.4–0.6 s per point).
 */
const LEFT_OUT: Readonly<Record<string, readonly string[]>> = { 'max-inf': ['softplus'] };
const seriesOf = (panel: string) => panelSeries(SERIES, LEFT_OUT, panel);

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
    'At max-SLR ν = ∞ softmax reaches the Bayes risk 0 as |k| → ∞ (the exact limit of k = c k*, c → ∞). Not drawn, for cost: ' +
    'softplus-kernel at max-SLR ν = ∞ (a limit |k| → ∞ approached like 1/|k|: ~2 minutes per point, to ~2e−5).',
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
      ...riskCurves(size, 'spiked', seriesOf('spiked'), Ls, (L) => ({ task: 'spiked', L: String(L), nu: SPIKED_NU })),
      ...riskCurves(size, 'max-inf', seriesOf('max-inf'), Ls, (L) => ({ task: 'max', L: String(L), nu: Infinity })),
    ];
  },
};
