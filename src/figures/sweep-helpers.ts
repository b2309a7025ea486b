import { riskSpec } from './risk-point.ts';
import type { Job, SweepSize } from './types.ts';

/** The activations of the paper's Figure 2, in legend order after Bayes. */
export const FIG2_ACTIVATIONS = ['softmax', 'linear', 'erf', 'softplus'] as const;

/** Whether a series is wanted by the sweep size (all when no filter). */
export function wanted(size: SweepSize, series: string): boolean {
  return size.series === undefined || size.series.includes(series);
}

/**
 * Risk jobs of one panel: for each series (Bayes or σ) and each abscissa, the
 * `slr risk` point that `at(x)` describes.
 */
export function riskCurves(
  size: SweepSize,
  panel: string,
  series: readonly string[],
  xs: readonly number[],
  at: (x: number) => { task: string; L: string; nu: number; LWeights?: string },
): Job[] {
  const jobs: Job[] = [];
  for (const s of series) {
    if (!wanted(size, s)) continue;
    for (const x of xs) {
      const p = at(x);
      jobs.push({ kind: 'risk', panel, series: s, x, risk: riskSpec(p.task, s, p.L, p.nu, p.LWeights !== undefined ? { LWeights: p.LWeights } : {}) });
    }
  }
  return jobs;
}
