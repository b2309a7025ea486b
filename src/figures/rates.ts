import { LINEAR_CONSTANT, SOFTMAX_ASYMPTOTE } from '../../proofs/cor-4.3-spiked-corrected.ts';
import { REPORTED_LINEAR_CONSTANT } from '../../proofs/cor-4.3-spiked.ts';
import { compileExpression } from '../symbolic/index.ts';
import { linspace } from './grid.ts';
import { FIG2_ACTIVATIONS, riskCurves, wanted } from './sweep-helpers.ts';
import type { FigureDefinition, Job, SweepSize } from './types.ts';

const REFERENCE = 'reported-linear-asymptote';
const LINEAR_ASYMPTOTE = 'linear-asymptote';
const SOFTMAX_ASYMPTOTE_SERIES = 'softmax-asymptote';
/** the reference series in legend order */
export const RATE_REFERENCES = [LINEAR_ASYMPTOTE, REFERENCE, SOFTMAX_ASYMPTOTE_SERIES] as const;

/**
 * The asymptotes, evaluated from the expressions the claims check
 * (proofs/cor-4.3-spiked-corrected.ts, proofs/cor-4.3-spiked.ts): C_L/ν with
 * C_L = L (corrected) and L/(L−1) (reported), and (L−1)√(π/(4ν))e^{−ν/4}.
 */
const linearConstant = compileExpression(LINEAR_CONSTANT, ['L']);
const reportedConstant = compileExpression(REPORTED_LINEAR_CONSTANT, ['L']);
const softmaxAsymptote = compileExpression(SOFTMAX_ASYMPTOTE, ['L', 'nu']);

export const RATE_FORMULAS: Readonly<Record<(typeof RATE_REFERENCES)[number], { value: (L: number, nu: number) => number; method: string }>> = {
  [LINEAR_ASYMPTOTE]: {
    value: (L, nu) => linearConstant(L) / nu,
    method: `closed form C_L/ν with C_L = ${LINEAR_CONSTANT} (corrected Cor. 4.3: large-ν limit of the exact E_linear = L(L−1)/(L² + ν(L−1)); proofs/cor-4.3-spiked-corrected.ts)`,
  },
  [REFERENCE]: {
    value: (L, nu) => reportedConstant(L) / nu,
    method: `closed form C_L/ν with C_L = ${REPORTED_LINEAR_CONSTANT} (Cor. 4.3 as reported; refuted for L > 2, proofs/cor-4.3-spiked.ts)`,
  },
  [SOFTMAX_ASYMPTOTE_SERIES]: {
    value: (L, nu) => softmaxAsymptote(L, nu),
    method: `closed form ${SOFTMAX_ASYMPTOTE} (softmax = Bayes excess risk, corrected Cor. 4.3, c_L = 1/4; proofs/cor-4.3-spiked-corrected.ts)`,
  },
};
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
 * polynomial decay C_L/ν of linear attention flattens. Dashed: the corrected
 * asymptotes L/ν (linear) and (L−1)√(π/(4ν))e^{−ν/4} (softmax = Bayes);
 * dotted: the reported L/((L−1)ν), which is wrong for L > 2.
 */
export const rates: FigureDefinition = {
  id: 'rates',
  title: 'Decay with the signal strength (Cor. 4.3): polynomial for linear attention, exponential for softmax',
  subtitle:
    'spiked-SLR, Δ = 0, class minima over the manifold overlaps; quadrature, error bars = error bounds; ' +
    'dashed: corrected asymptotes L/ν (linear) and (L−1)√(π/(4ν))·exp(−ν/4) (softmax = Bayes); dotted: L/((L−1)ν) as reported',
  caption:
    'Population risks of spiked-SLR against ν on a log axis, at L = 2 and L = 10. The Bayes risk and softmax (on it) decay ' +
    'exponentially (straight lines), linear attention only polynomially. Dashed: the asymptotes verified here (corrected Cor. 4.3), ' +
    'L/ν for linear attention (the large-ν limit of its exact risk L(L−1)/(L² + ν(L−1))) and (L−1)√(π/(4ν))e^{−ν/4} for softmax = Bayes ' +
    '(c_L = 1/4); dotted: the reported C_L/ν with C_L = L/(L−1), which coincides with L/ν only at L = 2 and is refuted at L = 10.',
  panels: LENGTHS.map((L) => ({
    id: `spiked-L${L}`,
    title: `spiked-SLR, L = ${L}`,
    x: { label: 'signal strength ν', type: 'linear' as const },
    y: { label: 'population risk E (log scale)', type: 'log' as const },
  })),
  series: ['bayes', ...FIG2_ACTIVATIONS, ...RATE_REFERENCES],
  styles: {
    [LINEAR_ASYMPTOTE]: { label: 'L/ν: linear asymptote (corrected)', color: '#D55E00', strokeWidth: 1.3, dash: '9 4' },
    [REFERENCE]: { label: 'L/((L−1)ν): linear asymptote as reported', color: '#777777', strokeWidth: 1.4, dash: '2 3' },
    [SOFTMAX_ASYMPTOTE_SERIES]: { label: '(L−1)√(π/(4ν))·exp(−ν/4): softmax = Bayes asymptote', color: '#56B4E9', strokeWidth: 1.6, dash: '5 3' },
  },
  defaultPoints: 6,
  fastPoints: 3,
  jobs(size: SweepSize) {
    const jobs: Job[] = [];
    for (const L of LENGTHS) {
      const panel = `spiked-L${L}`;
      jobs.push(...riskCurves(size, panel, ['bayes', ...FIG2_ACTIVATIONS], linspace(NU_MIN, NU_MAX, size.points), (nu) => ({ task: 'spiked', L: String(L), nu })));
      for (const series of RATE_REFERENCES) {
        if (!wanted(size, series)) continue;
        const f = RATE_FORMULAS[series];
        for (const nu of linspace(NU_MIN, NU_MAX, REFERENCE_POINTS)) {
          jobs.push({ kind: 'closed-form', panel, series, x: nu, value: f.value(L, nu), method: `${f.method} at L = ${L}` });
        }
      }
    }
    return jobs;
  },
};
