import type { SeriesStyle } from './types.ts';

/**
 * Shared series styles. Colours are the Okabe–Ito palette (distinguishable
 * under the common colour-vision deficiencies); each σ also has its own marker
 * so the figure reads in greyscale. Bayes is black, heavier and unmarked;
 * softmax is dashed with hollow markers so that, lying on the Bayes curve
 * (Prop. 4.2), both remain visible.
 */
export const SHARED_STYLES: Readonly<Record<string, SeriesStyle>> = Object.freeze({
  bayes: { label: 'Bayes risk E_Bayes', color: '#000000', strokeWidth: 3.2 },
  softmax: { label: 'softmax', color: '#0072B2', strokeWidth: 1.6, dash: '6 3', marker: 'circle', hollow: true },
  linear: { label: 'linear', color: '#D55E00', strokeWidth: 1.6, marker: 'square' },
  erf: { label: 'erf', color: '#009E73', strokeWidth: 1.6, marker: 'triangle' },
  softplus: { label: 'softplus-kernel', color: '#E69F00', strokeWidth: 1.6, marker: 'diamond' },
  exp: { label: 'unnormalised exp', color: '#CC79A7', strokeWidth: 1.6, marker: 'star' },
});

/** Style of a series: the figure's own, else the shared one, else a grey line labelled by its id. */
export function seriesStyle(id: string, own?: Readonly<Record<string, SeriesStyle>>): SeriesStyle {
  return own?.[id] ?? SHARED_STYLES[id] ?? { label: id, color: '#555555', strokeWidth: 1.4, marker: 'cross' };
}
