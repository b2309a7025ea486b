import { linspace } from './grid.ts';
import { FIG2_ACTIVATIONS, riskCurves, wanted } from './sweep-helpers.ts';
import type { FigureDefinition, Job, SweepSize } from './types.ts';

const REFERENCE = 'reported-linear-asymptote';
const LENGTHS = [2, 10] as const;
const NU_MIN = 1;
/**
 * ν range: up to 40 the Bayes excess of spiked-SLR at L = 2 is ~1e−5, so
 * class risks of softmax (computed as 1 − A²/B, absolute error ~1e−12) stay
 * resolved to several digits on the log axis.
 */
const NU_MAX = 40;
/** the closed-form reference is drawn as a smooth curve */
const REFERENCE_POINTS = 40;

/**
 * Rates of Cor. 4.3 (spiked-SLR, ν → ∞): on a log risk axis against ν, an
 * exponential decay e^{−cν} is a straight line (Bayes, softmax) while the
 * polynomial decay C_L/ν of linear attention flattens. The dotted curve is the
 * reported asymptote C_L/ν with C_L = L/(L−1), drawn for comparison only.
 */
export const rates: FigureDefinition = {
  id: 'rates',
  title: 'Decay with the signal strength (Cor. 4.3): polynomial for linear attention, exponential for softmax',
  subtitle: 'spiked-SLR, Δ = 0, class minima over the manifold overlaps; quadrature, error bars = error bounds; dotted: reported C_L/ν',
  caption:
    'Population risks of spiked-SLR against ν on a log axis, at L = 2 and L = 10. The Bayes risk and softmax (on it) decay ' +
    'exponentially (straight lines), linear attention only polynomially; the dotted curve is the asymptote C_L/ν with the ' +
    'reported C_L = L/(L−1) (Cor. 4.3, reported), for comparison with the computed E_linear.',
  panels: LENGTHS.map((L) => ({
    id: `spiked-L${L}`,
    title: `spiked-SLR, L = ${L}`,
    x: { label: 'signal strength ν', type: 'linear' as const },
    y: { label: 'population risk E (log scale)', type: 'log' as const },
  })),
  series: ['bayes', ...FIG2_ACTIVATIONS, REFERENCE],
  styles: {
    [REFERENCE]: { label: 'C_L/ν, C_L = L/(L−1) (reported)', color: '#777777', strokeWidth: 1.4, dash: '2 3' },
  },
  defaultPoints: 6,
  fastPoints: 3,
  jobs(size: SweepSize) {
    const jobs: Job[] = [];
    for (const L of LENGTHS) {
      const panel = `spiked-L${L}`;
      jobs.push(...riskCurves(size, panel, ['bayes', ...FIG2_ACTIVATIONS], linspace(NU_MIN, NU_MAX, size.points), (nu) => ({ task: 'spiked', L: String(L), nu })));
      if (wanted(size, REFERENCE)) {
        for (const nu of linspace(NU_MIN, NU_MAX, REFERENCE_POINTS)) {
          jobs.push({ kind: 'closed-form', panel, series: REFERENCE, x: nu, value: L / ((L - 1) * nu), method: `closed form L/((L−1)ν) at L = ${L} (Cor. 4.3, reported)` });
        }
      }
    }
    return jobs;
  },
};
