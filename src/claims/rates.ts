/**
 * Quantities for asymptotic statements: ν·(E − Δ) from the optimiser's class
 * minimum (with the optimiser's location tolerance added to the error), and
 * the local exponential rate −d log(E_Bayes − Δ)/dν by a central difference.
 */
import type { Quantity } from './checks.ts';
import { bayes, classMinimum, type Setting } from './quantities.ts';

/** The class minimum is located to this accuracy in risk (issue 2); added to its quadrature bound. */
export const OPTIMISER_TOLERANCE = 1e-7;

/** x·(E_σ − Δ) with E_σ the optimiser's class minimum. */
export function scaledExcess(act: string, s: Setting, scale: number): Quantity {
  const r = classMinimum(act, s);
  return {
    value: scale * r.excess,
    error: scale * (r.error + OPTIMISER_TOLERANCE),
    method: `${scale}·(E_${act} − Δ), class minimum by ${r.method}; error includes the optimiser tolerance ${OPTIMISER_TOLERANCE}`,
    converged: r.converged,
    iterations: r.iterations,
  };
}

/**
 * −d log(E_Bayes − Δ)/dν at ν by the central difference over ν ± h:
 * its truncation is h²/6·|(log E)'''| (log E is smooth, = −cν − ½ log ν + …,
 * whose third derivative is −1/ν³), bounded by h²/(6ν³)·2; the quadrature's
 * relative errors enter as (ε₊ + ε₋)/(2h).
 */
export function bayesLogSlope(s: Setting, h = 1): Quantity {
  const up = bayes({ ...s, nu: s.nu + h });
  const down = bayes({ ...s, nu: s.nu - h });
  const value = -(Math.log(up.excess) - Math.log(down.excess)) / (2 * h);
  const error = (up.error / up.excess + down.error / down.excess) / (2 * h) + (2 * h * h) / (6 * s.nu ** 3);
  return {
    value,
    error,
    method: `central difference of log(E_Bayes − Δ) over ν ± ${h} (Bayes risk by ${up.method})`,
    converged: up.converged && down.converged,
  };
}

/**
 * (E_Bayes − Δ) / asymptote(L, ν) at a fixed L: the ratio to a stated large-ν
 * asymptote (evaluated in double precision, relative rounding ~16ν ulp from e^{−ν/4}).
 */
export function bayesAsymptoteRatio(s: Setting, asymptote: (L: number, nu: number) => number, label: string): Quantity {
  const b = bayes(s);
  const a = asymptote(Number(s.L), s.nu);
  const value = b.excess / a;
  return {
    value,
    error: value * (b.error / b.excess + 16 * Number.EPSILON * (1 + s.nu)),
    method: `E_Bayes − Δ (${b.method}) over ${label}`,
    converged: b.converged,
  };
}
