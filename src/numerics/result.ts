/**
 * Every numerical result carries how it was obtained. `error` is an absolute
 * error estimate meant as a bound (quadrature) or the half-width of a
 * confidence interval (Monte Carlo, see `confidence`).
 */
export interface NumericalResult {
  value: number;
  error: number;
  method: string;
  converged: boolean;
  /** quadrature: integrand evaluations */
  evaluations?: number;
  /** Monte Carlo: number of samples */
  samples?: number;
  /** optimisation: iterations */
  iterations?: number;
  /** Monte Carlo: coverage probability of [value - error, value + error] */
  confidence?: number;
}
