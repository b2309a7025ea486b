/**
 * The symbolic layer: derivations done by the computer algebra (nerdamer,
 * behind a time limit) and our own exact polynomial/Wick code, every step
 * re-checked numerically by an evaluator independent of nerdamer.
 *
 *   derivations[id](opts?) → Derivation   (src/claims/types.ts)
 *   closed forms the claims compare with the engine (linearSpikedClosedForm, …)
 *   the checkers (verifyNumerically, checkDerivative, checkGaussianExpectation)
 *   the Wick rule (gaussianExpectation) and the CAS wrapper (cas.*)
 */
import type { Derivation } from '../claims/types.ts';
import { UnknownNameError } from '../errors.ts';
import { spikedBayesAsymptoticsDerivation } from './derivations/bayes-asymptotics.ts';
import { centredLinearDerivation } from './derivations/centred-linear.ts';
import { type DerivationOptions, seedOf } from './derivations/common.ts';
import { linearMaxClosedFormDerivation, maxLargeLDerivation } from './derivations/linear-max.ts';
import {
  linearFullFamilyDerivation,
  linearRiskPolynomialDerivation,
  linearSpikedClosedFormDerivation,
  linearSpikedLargeNuDerivation,
  linearValueSideDerivation,
} from './derivations/linear-spiked.ts';
import { nishimoriDerivation } from './derivations/nishimori.ts';
import { steinMaxDerivation } from './derivations/stein.ts';

export * as cas from './cas.ts';
export { SymbolicError, SymbolicTimeoutError, DEFAULT_TIMEOUT_MS, casStatistics, shutdownCas } from './cas.ts';
export type { CasOptions, CasStatistics } from './cas.ts';
export { compileExpression, compileWithError, parseExpression, printExpression, texExpression, texStatement } from './expression.ts';
export type { Evaluated, Node } from './expression.ts';
export { Poly, expandPolynomial } from './polynomial.ts';
export { gaussianExpectation, gaussianMoment, resolveLaw } from './wick.ts';
export type { GaussianLaw, WickResult } from './wick.ts';
export {
  CONDITIONING_LIMIT,
  ROUNDING_SAFETY,
  checkDerivative,
  checkGaussianExpectation,
  gaussianExpectationByQuadrature,
  verifyNumerically,
} from './verify-numerically.ts';
export type { Domain, NumericCheck, NumericCheckOptions, QuadratureExpectation } from './verify-numerically.ts';
export { DerivationBuilder, allOf, stepCheck } from './derivation-builder.ts';
export type { StepCheck } from './derivation-builder.ts';
export { DEFAULT_DERIVATION_SEED } from './derivations/common.ts';
export type { DerivationOptions } from './derivations/common.ts';
export {
  linearRiskPolynomial,
  linearSpikedClosedForm,
  linearSpikedLargeNu,
  linearSpikedMinimiser,
  linearSpikedRisk,
} from './derivations/linear-spiked.ts';
export { linearMaxClosedForm, linearMaxMinimiser, linearMaxRisk } from './derivations/linear-max.ts';
export { expectedMaxOfNormals, maxSelectedMean } from './derivations/max-slr-mean.ts';
export type { MeanResult } from './derivations/max-slr-mean.ts';
export { spikedBayesAsymptote, spikedBayesRatioBounds, spikedTwoTokenIntegral } from './derivations/bayes-asymptotics.ts';
export { centredLinearSpikedClosedForm } from './derivations/centred-linear.ts';
export { checkSoftmaxIsBayes } from './derivations/nishimori.ts';

/** Every derivation by a stable kebab-case id (the claims' `derivation()` call these). */
export const derivations = Object.freeze({
  'linear-risk-polynomial': linearRiskPolynomialDerivation,
  'linear-value-side': linearValueSideDerivation,
  'linear-spiked-closed-form': linearSpikedClosedFormDerivation,
  'linear-spiked-large-nu': linearSpikedLargeNuDerivation,
  'linear-full-family': linearFullFamilyDerivation,
  'linear-max-closed-form': linearMaxClosedFormDerivation,
  'max-large-L': maxLargeLDerivation,
  'stein-max': steinMaxDerivation,
  'nishimori-ratio': nishimoriDerivation,
  'bayes-spiked-asymptotics': spikedBayesAsymptoticsDerivation,
  'centred-linear': centredLinearDerivation,
} satisfies Record<string, (opts?: DerivationOptions) => Derivation>);

export type DerivationId = keyof typeof derivations;

export function derivationIds(): DerivationId[] {
  return Object.keys(derivations) as DerivationId[];
}

const cache = new Map<string, Derivation>();

/**
 * The derivation `id` (memoised per id and seed: the steps are deterministic
 * for a given seed). Throws UnknownNameError for an unknown id, and
 * SymbolicError / SymbolicTimeoutError if nerdamer fails or times out (a
 * claim should then be INCONCLUSIVE, not REFUTED).
 */
export function getDerivation(id: string, opts?: DerivationOptions): Derivation {
  if (!Object.hasOwn(derivations, id)) {
    throw new UnknownNameError(`unknown derivation "${id}" (known: ${derivationIds().join(', ')})`);
  }
  const key = `${id}:${seedOf(opts)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const d = derivations[id as DerivationId](opts);
  cache.set(key, d);
  return d;
}
