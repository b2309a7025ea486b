import type { NumericalResult } from '../numerics/result.ts';
import type { LengthLaw } from '../task/length-law.ts';
import type { Family, Overlaps } from './overlaps.ts';

/**
 * A population risk with its provenance. `value` = Δ + `excess`; `error`
 * bounds |value − true value| (quadrature) or is the half-width of a
 * confidence interval (Monte Carlo, with `confidence`).
 */
export interface RiskResult extends NumericalResult {
  readonly task: string;
  /** 'bayes' or an activation id */
  readonly act: string;
  readonly nu: number;
  readonly lengths: LengthLaw;
  /** noise variance Δ of y = z*_ε + √Δ ξ */
  readonly delta: number;
  /** value − Δ, computed without cancellation where the method allows it */
  readonly excess: number;
  readonly family?: Family;
  /** overlaps at which the risk was evaluated (or the minimiser) */
  readonly params?: Overlaps;
  /** the activation's own parameters θ (e.g. erf's c) */
  readonly theta?: readonly number[];
}

/**
 * The error to report for a result: a class minimum found by search carries
 * its search tolerance on top of its quadrature bound and local optimisation
 * gap (a local optimiser cannot bound the distance to the infimum more
 * tightly); every other result, its own error. `slr risk` and the figures
 * print this.
 */
export function reportedError(r: RiskResult & { searchTolerance?: number }): number {
  return r.error + (r.searchTolerance ?? 0);
}
