/**
 * ERM points of a figure: one plotted point is one (task, ν, σ, α) of
 * `slr erm`, run for every seed with `runErmPoint` (the function behind the
 * command, same defaults) and reported as the mean of the seeds' test risks
 * with its Student-t interval (`seedMean`, as `slr erm` prints it).
 */
import { SlrError } from '../errors.ts';
import { type ErmPoint, runErmPoint } from '../erm/point.ts';
import { seedMean } from '../erm/summary.ts';
import { sweepSpecs } from '../erm/sweep.ts';
import { fixedLength } from '../task/length-law.ts';
import type { PointOutcome } from './types.ts';

/** Everything that defines one plotted ERM point (plain data: it crosses to worker threads). */
export interface ErmFigureInput {
  readonly task: string;
  readonly nu: number;
  /** fixed sequence length */
  readonly L: number;
  readonly act: string;
  readonly alpha: number;
  /** exactly one of D and sqrtND (as `slr erm --D` / `--sqrt-nd`) */
  readonly D?: number;
  readonly sqrtND?: number;
  readonly seeds: number;
  readonly firstSeed: number;
  /** λ_k = λ_v tuned over this list on a validation set (diagonal grid) … */
  readonly lambdaGrid?: readonly number[];
  /** … or fixed λ_k = λ_v */
  readonly lambda?: number;
  /** fresh sequences for the empirical test risk (a check of the quadrature one) */
  readonly testSamples: number;
  readonly confidence: number;
}

/** The figure's own CSV columns for ERM points. */
export const ERM_COLUMNS = ['D', 'N', 'seeds', 'seed_values', 'lambda_grid', 'lambda_k', 'lambda_v', 'fresh_value', 'fresh_error'] as const;

/** The sweep options of `ermSweep`/`sweepSpecs` for this point. */
export function ermSweepOptions(input: ErmFigureInput) {
  const tuned = input.lambdaGrid !== undefined && input.lambdaGrid.length > 0;
  return {
    task: input.task,
    nu: input.nu,
    lengths: fixedLength(input.L),
    acts: [input.act],
    alphas: [input.alpha],
    ...(input.D !== undefined ? { D: input.D } : { sqrtND: input.sqrtND }),
    seeds: input.seeds,
    firstSeed: input.firstSeed,
    ...(tuned ? { lambdaGrid: [...(input.lambdaGrid as number[])], lambdaGridMode: 'diagonal' as const } : { lambdaK: input.lambda, lambdaV: input.lambda }),
    testSamples: input.testSamples,
    confidence: input.confidence,
    quadrature: true,
    workers: 0,
  };
}

/** The `slr erm` command line that recomputes the point (its JSON lists every seed's test risk). */
export function ermCommandLine(input: ErmFigureInput): string {
  const tuned = input.lambdaGrid !== undefined && input.lambdaGrid.length > 0;
  return [
    'npx', 'slr', 'erm',
    '--task', input.task,
    '--act', input.act,
    '--L', String(input.L),
    '--nu', Number.isFinite(input.nu) ? String(input.nu) : 'inf',
    ...(input.D !== undefined ? ['--D', String(input.D)] : ['--sqrt-nd', String(input.sqrtND)]),
    '--alpha', String(input.alpha),
    ...(tuned ? ['--lambda-grid', (input.lambdaGrid as number[]).join(','), '--lambda-grid-mode', 'diagonal'] : ['--lambda-k', String(input.lambda), '--lambda-v', String(input.lambda)]),
    '--seeds', String(input.seeds),
    '--seed', String(input.firstSeed),
    '--test-samples', String(input.testSamples),
    '--confidence', String(input.confidence),
    '--no-reference',
    '--json',
  ].join(' ');
}

/**
 * Run the point's seeds one after the other and aggregate: value = mean test
 * risk (quadrature at the learned overlaps), error = Student-t half-width at
 * `confidence` over the seeds. A seed whose test risk could not be computed
 * (or any input error) makes the point failed, with the reason.
 */
export function computeErmFigurePoint(input: ErmFigureInput): PointOutcome {
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  let points: ErmPoint[];
  try {
    points = sweepSpecs(ermSweepOptions(input)).map(runErmPoint);
  } catch (e) {
    if (!(e instanceof SlrError)) throw e;
    return { value: null, error: null, errorKind: 'ci-half-width', method: 'failed', converged: false, seconds: seconds(), failure: e.message };
  }
  const first = points[0];
  const columns: Record<(typeof ERM_COLUMNS)[number], string> = {
    D: String(first.D),
    N: String(first.N),
    seeds: points.map((p) => p.seed).join(';'),
    seed_values: points.map((p) => String(p.testRisk)).join(';'),
    lambda_grid: first.lambdaGrid,
    lambda_k: points.map((p) => String(p.lambdaKUsed)).join(';'),
    lambda_v: points.map((p) => String(p.lambdaVUsed)).join(';'),
    fresh_value: '',
    fresh_error: '',
  };
  const fresh = seedMean(points.map((p) => p.testRiskEmpirical), input.confidence);
  columns.fresh_value = String(fresh.mean);
  columns.fresh_error = String(fresh.halfWidth);
  const penalty = first.lambdaGrid ? `λ_k = λ_v tuned over {${first.lambdaGrid.replace(/;/g, ', ')}} on ${first.validationSamples} validation sequences` : `λ_k = λ_v = ${first.lambdaK}`;
  const method =
    `ridge ERM (L-BFGS from the informed start) of ${first.act} on N = ${first.N} sequences, D = ${first.D}, ${penalty}; ` +
    `test risk of the trained predictor by quadrature at its learned overlaps; mean ± ${input.confidence * 100}% Student-t half-width over ${points.length} seeds`;
  const base = {
    errorKind: 'ci-half-width' as const,
    confidence: input.confidence,
    method,
    iterations: points.reduce((s, p) => s + p.iterations, 0),
    evaluations: points.reduce((s, p) => s + p.evaluations, 0),
    columns,
  };
  const missing = points.filter((p) => !Number.isFinite(p.testRisk));
  if (missing.length) {
    return { ...base, value: null, error: null, converged: false, seconds: seconds(), failure: `seed ${missing[0].seed}: ${missing[0].message}` };
  }
  const m = seedMean(points.map((p) => p.testRisk), input.confidence);
  return { ...base, value: m.mean, error: m.halfWidth, converged: points.every((p) => p.converged), seconds: seconds() };
}
