/**
 * slr-verifier: the population-level engine of single-location regression
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
export { populationRisk, riskTerms } from './risk/population.ts';
export type { PopulationRiskInput, PopulationRiskOptions, RiskTerms, Term } from './risk/population.ts';
export { classRisk } from './risk/class-risk.ts';
export type { ClassRiskInput, ClassRiskOptions, ClassRiskResult, StartReport } from './risk/class-risk.ts';
export { monteCarloRisk, frameCoefficients } from './risk/montecarlo.ts';
export type { MonteCarloOptions, MonteCarloRiskInput } from './risk/montecarlo.ts';
