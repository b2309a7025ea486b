import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { InvalidInputError } from '../errors.ts';
import { ermCsvWriter, readErmCsv } from '../erm/csv.ts';
import type { ErmPoint } from '../erm/point.ts';
import { type ErmReferences, type ErmSummaryRow, type PairedDifference, type SeedMean, ermReferences, pairedDifferences, summariseErm } from '../erm/summary.ts';
import { DEFAULT_CONFIDENCE, DEFAULT_LAMBDA, DEFAULT_MAX_ITERATIONS, DEFAULT_SEEDS, DEFAULT_TEST_SAMPLES, type ErmSweepOptions, ermSweep, sweepSpecs } from '../erm/sweep.ts';
import { DEFAULT_GTOL } from '../erm/fit.ts';
import { defaultKernelDescription } from '../erm/objective.ts';
import type { Family } from '../risk/overlaps.ts';
import { describeLengthLaw } from '../task/length-law.ts';
import { getTask, taskIds, validateNu } from '../task/tasks.ts';
import { formatWithError, riskJson } from './format.ts';
import { parseInteger, parseLengths, parseNumber } from './parse.ts';

/** The loss convention, verbatim in the help, the table and the JSON. */
export const ERM_LOSS_CONVENTION =
  'E_train(k,v,θ) = (1/N) Σ_n (y_n − f(X_n))² + λ_k |k|²/D + λ_v |v|²/D  (= square loss + λ_k q_kk + λ_v q_vv; σ parameters θ unpenalised; ' +
  'the paper-style Σ_n (y_n − f)² + (r_k/2)|k|² + (r_v/2)|v|² is N times this with λ = r/(2α))';

/** Penalties tried by --lambda-grid without values (each for λ_k and λ_v: a 5 × 5 grid). */
export const DEFAULT_LAMBDA_GRID = [1e-3, 1e-2, 1e-1, 1, 10];

interface ErmCliOptions {
  task: string;
  act: string;
  L: string;
  LWeights?: string;
  nu: string;
  delta: string;
  D?: string;
  sqrtNd?: string;
  alpha: string;
  lambdaK: string;
  lambdaV: string;
  lambdaGrid?: string | boolean;
  lambdaGridMode: string;
  validation?: string;
  seeds: string;
  seed: string;
  init: string;
  testSamples: string;
  confidence: string;
  gtol: string;
  maxIterations: string;
  workers?: string;
  csv?: string;
  json?: boolean;
  reference: boolean;
  family: string;
  progress: boolean;
  quadrature: boolean;
}

export function ermCommand(write: (s: string) => void): Command {
  return new Command('erm')
    .description(
      'Train attention on N = αD sequences of the full model by ridge-regularised ERM (L-BFGS, analytic gradients) and report its test risk, ' +
        `training loss and learned overlaps, averaged over seeds. Loss: ${ERM_LOSS_CONVENTION}`,
    )
    .option('--task <task>', `task: ${taskIds().join(' | ')}`, 'spiked')
    .option('--act <acts>', 'activation(s), comma-separated: softmax | linear | erf | softplus | exp (or registered ones)', 'softmax')
    .option('--L <lengths>', 'sequence length, or a comma list drawn uniformly', '3')
    .option('--L-weights <weights>', 'weights of the lengths in --L (unnormalised)')
    .option('--nu <nu>', 'signal strength ν ≥ 0 (max-SLR also inf)', '1')
    .option('--delta <delta>', 'label-noise variance Δ ≥ 0', '0')
    .option('--D <D>', 'token dimension D ≥ 2 (N = round(α·D)); default 200 unless --sqrt-nd is given')
    .option('--sqrt-nd <s>', 'fix √(N·D) instead of D (D = round(s/√α)), as in the paper\'s Figure 3')
    .option('--alpha <alphas>', 'sample ratios α = N/D > 0, comma-separated', '0.5,1,2,5,10,20')
    .option('--lambda-k <lk>', 'ridge penalty λ_k ≥ 0 on q_kk = |k|²/D', String(DEFAULT_LAMBDA))
    .option('--lambda-v <lv>', 'ridge penalty λ_v ≥ 0 on q_vv = |v|²/D', String(DEFAULT_LAMBDA))
    .option('--lambda-grid [values]', `tune (λ_k, λ_v) over values × values on a validation set (default values ${DEFAULT_LAMBDA_GRID.join(',')})`)
    .addOption(new Option('--lambda-grid-mode <mode>', 'product: (λ_k, λ_v) ∈ values²; diagonal: λ_k = λ_v ∈ values').choices(['product', 'diagonal']).default('product'))
    .option('--validation <n>', 'validation sequences for --lambda-grid (default max(200, ⌈N/4⌉))')
    .option('--seeds <n>', 'independent repetitions (teacher and data) per point', String(DEFAULT_SEEDS))
    .option('--seed <first>', 'first seed (seeds first … first + n − 1)', '1')
    .addOption(new Option('--init <init>', 'L-BFGS start: informed (k = k*, v = v*) or random (small)').choices(['informed', 'random']).default('informed'))
    .option('--test-samples <n>', 'fresh sequences for the empirical test risk', String(DEFAULT_TEST_SAMPLES))
    .option('--confidence <c>', 'coverage of the intervals', String(DEFAULT_CONFIDENCE))
    .option('--gtol <g>', 'L-BFGS stops when ‖∇E_train‖₂ ≤ gtol·max(1, E_train) (variables k/√D, v/√D, θ)', String(DEFAULT_GTOL))
    .option('--max-iterations <n>', 'L-BFGS iteration limit per fit', String(DEFAULT_MAX_ITERATIONS))
    .option('--workers <n>', 'worker threads (default: available cores; 0 = run in this thread); with fewer points than threads, each evaluation of a fit is split over the rest')
    .option('--csv <file>', 'keep one row per completed point in this CSV; a rerun skips the points already there')
    .option('--json', 'print one JSON object')
    .option('--no-quadrature', 'skip the test risk by quadrature at the learned overlaps (report the fresh-sample risk only; for settings where the quadrature is slow)')
    .option('--no-reference', 'skip the population references (E_Bayes and the class risks E_σ)')
    .addOption(new Option('--family <family>', 'overlaps of the class-risk reference').choices(['manifold', 'full']).default('manifold'))
    .option('--no-progress', 'no progress bar (it is drawn on stderr, only when stderr is a terminal)')
    .action(async (o: ErmCliOptions) => {
      const report = await runErm(o);
      write(o.json ? JSON.stringify(ermJson(report)) + '\n' : ermTable(report) + '\n');
    });
}

export interface ErmReport {
  readonly options: ErmSweepOptions;
  readonly points: readonly ErmPoint[];
  readonly summary: readonly ErmSummaryRow[];
  readonly differences: readonly PairedDifference[];
  readonly references?: ErmReferences;
  readonly skipped: number;
  readonly csv?: string;
}

function numberList(name: string, text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new InvalidInputError(`${name} has an empty entry: ${JSON.stringify(text)}`);
  return parts.map((p) => parseNumber(name, p));
}

function nonNegative(name: string, text: string): number {
  const x = parseNumber(name, text);
  if (x < 0) throw new InvalidInputError(`${name} must be >= 0, got ${text}`);
  return x;
}

/** Parse the options into sweep options (all validation happens here or in sweepSpecs, before any work). */
export function ermOptionsFromCli(o: ErmCliOptions): ErmSweepOptions {
  const task = getTask(o.task);
  const nu = validateNu(task, parseNumber('nu', o.nu, { allowInfinity: true }));
  const lengths = parseLengths(o.L, o.LWeights);
  const delta = nonNegative('delta', o.delta);
  if (o.D !== undefined && o.sqrtNd !== undefined) throw new InvalidInputError('give --D or --sqrt-nd, not both');
  const D = o.sqrtNd === undefined ? parseInteger('D', o.D ?? '200', 2) : undefined;
  const sqrtND = o.sqrtNd === undefined ? undefined : parseNumber('sqrt-nd', o.sqrtNd);
  const alphas = numberList('alpha', o.alpha);
  for (const a of alphas) if (!(a > 0) || !Number.isFinite(a)) throw new InvalidInputError(`alpha must be > 0 and finite, got ${a}`);
  const grid = o.lambdaGrid === undefined ? undefined : o.lambdaGrid === true ? DEFAULT_LAMBDA_GRID : numberList('lambda-grid', String(o.lambdaGrid));
  for (const l of grid ?? []) if (!(l >= 0)) throw new InvalidInputError(`lambda-grid entries must be >= 0, got ${l}`);
  const confidence = parseNumber('confidence', o.confidence);
  if (!(confidence > 0 && confidence < 1)) throw new InvalidInputError(`confidence must be in (0, 1), got ${o.confidence}`);
  const options: ErmSweepOptions = {
    task: task.id,
    nu,
    lengths,
    delta,
    acts: [...new Set(o.act.split(',').map((s) => s.trim()))],
    alphas,
    D,
    sqrtND,
    lambdaK: nonNegative('lambda-k', o.lambdaK),
    lambdaV: nonNegative('lambda-v', o.lambdaV),
    lambdaGrid: grid,
    lambdaGridMode: o.lambdaGridMode as 'product' | 'diagonal',
    validationSamples: o.validation === undefined ? undefined : parseInteger('validation', o.validation, 1),
    seeds: parseInteger('seeds', o.seeds, 1),
    firstSeed: parseInteger('seed', o.seed, -Number.MAX_SAFE_INTEGER),
    init: o.init as 'informed' | 'random',
    testSamples: parseInteger('test-samples', o.testSamples, 2),
    confidence,
    gTol: nonNegative('gtol', o.gtol),
    maxIterations: parseInteger('max-iterations', o.maxIterations, 1),
    workers: o.workers === undefined ? undefined : parseInteger('workers', o.workers, 0),
    quadrature: o.quadrature,
  };
  sweepSpecs(options); // every remaining check (unknown activation, D, N ≥ 1, …) before any work
  return options;
}

export async function runErm(o: ErmCliOptions): Promise<ErmReport> {
  const parsed = ermOptionsFromCli(o);
  const completed = o.csv ? readErmCsv(o.csv) : [];
  const append = o.csv ? ermCsvWriter(o.csv) : undefined;
  const options: ErmSweepOptions = { ...parsed, completed };
  const bar =
    o.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { stream: process.stderr, format: 'slr erm [{bar}] {value}/{total} points | {duration_formatted} elapsed, ETA {eta_formatted} | {last}', hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  let skipped = 0;
  try {
    const points = await ermSweep(options, (p) => {
      if (!p.point) {
        skipped = p.skipped;
        bar?.start(p.total, p.done, { last: p.skipped ? `${p.skipped} from ${o.csv}` : '' });
        return;
      }
      append?.(p.point);
      const risk = Number.isFinite(p.point.testRisk) ? p.point.testRisk : p.point.testRiskEmpirical;
      bar?.update(p.done, { last: `${p.point.act} α=${p.point.alpha} seed ${p.point.seed}: ${risk.toPrecision(4)}` });
    });
    bar?.stop();
    if (bar && o.reference) process.stderr.write('slr erm: computing the population references (class minima)…\n');
    const acts = parsed.acts;
    const summary = summariseErm(points, parsed.confidence);
    const field = parsed.quadrature === false ? 'testRiskEmpirical' : 'testRisk';
    const differences = acts.slice(1).flatMap((b) => pairedDifferences(points, acts[0], b, parsed.confidence, field));
    const references = o.reference
      ? ermReferences({ task: parsed.task, nu: parsed.nu, lengths: parsed.lengths, delta: parsed.delta, acts, family: o.family as Family })
      : undefined;
    return { options: parsed, points, summary, differences, references, skipped, csv: o.csv };
  } finally {
    bar?.stop();
  }
}

function pm(m: SeedMean): string {
  if (Number.isNaN(m.mean)) return 'n/a';
  if (!Number.isFinite(m.halfWidth)) return `${Number.isFinite(m.mean) ? m.mean.toPrecision(4) : String(m.mean)} ± n/a`;
  return `${formatWithError(m.mean, m.halfWidth)} ± ${m.halfWidth.toPrecision(2)}`;
}

function num(x: number, digits = 4): string {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x);
}

/** The human-readable report. */
export function ermTable(r: ErmReport): string {
  const o = r.options;
  const lines: string[] = [];
  const conf = `${((o.confidence ?? DEFAULT_CONFIDENCE) * 100).toPrecision(3)}%`;
  lines.push(`slr erm: ${o.task} ν=${num(o.nu)} L=${describeLengthLaw(o.lengths)} Δ=${o.delta ?? 0} (noise variance), ${o.D !== undefined ? `D=${o.D}` : `√(ND)=${o.sqrtND}`}`);
  lines.push(`loss: ${ERM_LOSS_CONVENTION}`);
  lines.push(
    o.lambdaGrid && o.lambdaGrid.length
      ? `penalties: tuned over ${o.lambdaGridMode === 'diagonal' ? 'λ_k = λ_v ∈ ' : '(λ_k, λ_v) ∈ '}{${o.lambdaGrid.join(', ')}}${o.lambdaGridMode === 'diagonal' ? '' : '²'} on a validation set (chosen values averaged below)`
      : `penalties: λ_k=${o.lambdaK ?? DEFAULT_LAMBDA} λ_v=${o.lambdaV ?? DEFAULT_LAMBDA}`,
  );
  lines.push(`optimiser: L-BFGS (strong Wolfe), start ${o.init ?? 'informed'}, gtol ${o.gTol ?? DEFAULT_GTOL}; seeds: ${r.points.length ? r.summary[0].seeds : 0} per point${r.skipped ? `, ${r.skipped} point(s) resumed from ${r.csv}` : ''}`);
  lines.push(`loss-and-gradient kernels: ${defaultKernelDescription()}`);
  lines.push(`intervals: mean ± ${conf} Student-t half-width over seeds; test risk = exact expected risk of the trained predictor (quadrature at its overlaps); fresh = mean (y−f)² over ${o.testSamples ?? DEFAULT_TEST_SAMPLES} new sequences`);
  if (r.references) {
    const b = r.references.bayes;
    lines.push(`reference: E_Bayes = ${formatWithError(b.value, b.error)}`);
    for (const c of r.references.classes) {
      const p = c.params!;
      lines.push(
        `reference: E_${c.act} = ${formatWithError(c.value, c.error)} (${c.family}; mkk*=${num(p.mkk)} mvv*=${num(p.mvv)} qkk=${num(p.qkk)} qvv=${num(p.qvv)}${c.theta && c.theta.length ? ` θ=${c.theta.map((t) => num(t)).join(',')}` : ''})${c.converged ? '' : ' NOT CONVERGED'}`,
      );
    }
  }
  const header = ['act', 'alpha', 'D', 'N', 'test risk', 'fresh samples', 'train loss', 'mkk*', 'mvv*', 'qkk', 'qvv', 'max|cross|', 'θ', 'λ_k', 'λ_v', 'iters', 'converged'];
  const rows = r.summary.map((s) => {
    const cross = Math.max(Math.abs(s.overlaps.mkv.mean), Math.abs(s.overlaps.mvk.mean), Math.abs(s.overlaps.qkv.mean));
    return [
      s.act,
      num(s.alpha),
      String(s.D),
      String(s.N),
      pm(s.testRisk),
      pm(s.testRiskEmpirical),
      pm(s.trainLoss),
      num(s.overlaps.mkk.mean),
      num(s.overlaps.mvv.mean),
      num(s.overlaps.qkk.mean),
      num(s.overlaps.qvv.mean),
      num(cross, 2),
      s.theta.map((t) => num(t.mean)).join(',') || '-',
      num(s.lambdaK.mean, 3),
      num(s.lambdaV.mean, 3),
      num(s.iterations.mean, 4),
      `${s.converged}/${s.seeds}`,
    ];
  });
  lines.push(...alignColumns([header, ...rows]));
  for (const d of r.differences) {
    const hi = d.difference.mean + d.difference.halfWidth;
    const lo = d.difference.mean - d.difference.halfWidth;
    const verdict = hi < 0 ? `${d.a} below ${d.b}` : lo > 0 ? `${d.a} above ${d.b}` : 'not resolved';
    lines.push(`paired difference ${d.a} − ${d.b} at α=${num(d.alpha)} (${d.field === 'testRisk' ? 'test risk' : 'fresh samples'}): ${pm(d.difference)} (${verdict})`);
  }
  const failed = r.points.filter((p) => !p.converged || !Number.isFinite(p.testRisk));
  for (const p of failed) lines.push(`NOTE ${p.act} α=${p.alpha} seed ${p.seed}: ${p.message}${p.converged ? '' : ' (fit not converged: treat as an estimate)'}`);
  return lines.join('\n');
}

function alignColumns(rows: string[][]): string[] {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd());
}

/** The JSON record (stable keys). Infinite or undefined numbers (e.g. a one-seed half-width) are null. */
export function ermJson(r: ErmReport): Record<string, unknown> {
  const o = r.options;
  return {
    command: 'erm',
    lossConvention: ERM_LOSS_CONVENTION,
    deltaConvention: 'noise variance: y = z*_eps + sqrt(delta) xi',
    kernels: defaultKernelDescription(),
    testRiskKinds: {
      testRisk: 'expected risk of the trained predictor on a fresh sequence, by quadrature at its learned overlaps (exact at this D); error = absolute bound',
      testRiskEmpirical: 'mean (y - f)^2 over testSamples fresh sequences; error = half-width of a CLT interval at confidence',
      summary: 'mean over seeds with the half-width of a Student-t interval at confidence',
    },
    options: {
      task: o.task,
      nu: Number.isFinite(o.nu) ? o.nu : 'inf',
      L: o.lengths.lengths.length === 1 ? o.lengths.lengths[0] : { lengths: o.lengths.lengths, probabilities: o.lengths.probabilities },
      delta: o.delta ?? 0,
      acts: o.acts,
      alphas: o.alphas,
      D: o.D ?? null,
      sqrtND: o.sqrtND ?? null,
      lambdaK: o.lambdaK,
      lambdaV: o.lambdaV,
      lambdaGrid: o.lambdaGrid ?? null,
      lambdaGridMode: o.lambdaGridMode ?? 'product',
      seeds: o.seeds,
      firstSeed: o.firstSeed,
      init: o.init,
      testSamples: o.testSamples,
      confidence: o.confidence,
      gTol: o.gTol,
      maxIterations: o.maxIterations,
      quadrature: o.quadrature ?? true,
    },
    references: r.references ? { bayes: riskJson(r.references.bayes), classes: r.references.classes.map((c) => riskJson(c)) } : null,
    summary: r.summary,
    differences: r.differences,
    points: r.points,
    resumed: r.skipped,
  };
}
