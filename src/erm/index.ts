/**
 * Finite-sample experiments: ridge-regularised empirical risk minimisation of
 * attention on data of the full SLR model (`slr erm`, the markers of the
 * paper's Figure 3). Public API of this folder.
 */
export { CHUNK_NUMBERS, Dataset, DatasetStream, drawDataset, drawTeacher } from './data.ts';
export type { DataLaw, DrawnProjections, Teacher } from './data.ts';
export { registerActivationDerivative, resolveDerivative } from './derivatives.ts';
export type { ActivationDerivative, ResolvedDerivative } from './derivatives.ts';
export { ErmObjective, FLOPS_PER_NUMBER, defaultKernelDescription, learnedOverlaps, splitVariables } from './objective.ts';
export type { ErmKernel, ObjectiveOptions, Penalties } from './objective.ts';
export { NATIVE_ISAS, nativeKernelStatus, nativeKernels } from './native.ts';
export type { NativeIsa, NativeKernels } from './native.ts';
export { DEFAULT_GTOL, RANDOM_INIT_SCALE, fitErm, initialPoint } from './fit.ts';
export type { ErmFit, ErmInit, FitOptions } from './fit.ts';
export { dataSeed, defaultValidationSamples, empiricalRisk, runErmPoint, validateSpec } from './point.ts';
export type { ErmPoint, ErmPointSpec } from './point.ts';
export {
  DEFAULT_CONFIDENCE,
  DEFAULT_LAMBDA,
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_SEEDS,
  DEFAULT_TEST_SAMPLES,
  ermSweep,
  pointKey,
  sweepSizes,
  sweepSpecs,
} from './sweep.ts';
export type { ErmProgress, ErmSweepOptions } from './sweep.ts';
export { ermReferences, pairedDifferences, seedMean, summariseErm } from './summary.ts';
export type { ErmReferences, ErmSummaryRow, PairedDifference, SeedMean } from './summary.ts';
export { CSV_COLUMNS, csvHeader, csvRow, ermCsvWriter, parseErmCsv, readErmCsv } from './csv.ts';
