/**
 * slr-verifier: verifier of the theory of attention in single-location regression
 * (arXiv:2509.21936). See README.md for the API tour.
 */
export * from './errors.ts';
export type { NumericalResult } from './numerics/result.ts';
export * from './task/length-law.ts';
export * from './task/tasks.ts';
export { SequenceSampler, orthonormalDirections, posteriorLogits } from './task/sampler.ts';
export type { SequenceSample, SamplerConfig } from './task/sampler.ts';
export * from './estimator/activations.ts';
export * from './risk/overlaps.ts';
export type { RiskResult } from './risk/result.ts';
export { bayesRisk } from './risk/bayes.ts';
export type { BayesOptions } from './risk/bayes.ts';
export { EvaluationMemo, populationRisk, riskTerms } from './risk/population.ts';
export type { PopulationRiskInput, PopulationRiskOptions, RiskTerms, Term } from './risk/population.ts';
export { classRisk } from './risk/class-risk.ts';
export type { ClassRiskInput, ClassRiskOptions, ClassRiskResult, StartReport } from './risk/class-risk.ts';
export { monteCarloRisk, frameCoefficients } from './risk/montecarlo.ts';
export type { MonteCarloOptions, MonteCarloRiskInput } from './risk/montecarlo.ts';
// the verification suite: claims, checks, runner (the claims themselves are in proofs/)
export * from './claims/types.ts';
export * from './claims/checks.ts';
export { validateClaims, selectClaims, ClaimGraphError } from './claims/graph.ts';
export { runVerification, runClaim, checkSeed, DEFAULT_SEED } from './claims/runner.ts';
export type { RunOptions } from './claims/runner.ts';
export { symbolicCheck, combinedDerivation } from './claims/symbolic-check.ts';
// the paper's claims (proofs/), in dependency order
export { claims } from '../proofs/index.ts';
// the symbolic layer (derivations, Wick rule, numeric re-checks, CAS wrapper)
export * as symbolic from './symbolic/index.ts';
// finite-sample experiments (slr erm)
export * as erm from './erm/index.ts';
// figures and the HTML report
export { figureIds, getFigure } from './figures/catalog.ts';
export { renderReport } from './report/render-report.ts';
