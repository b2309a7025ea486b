/**
 * Aggregation of ERM points over seeds, and the population references they
 * are compared with.
 *
 * Over seeds (independent teachers and data sets), a quantity is reported as
 * mean ± t_{s−1}(confidence)·sd/√s (Student t, s seeds; with one seed the
 * half-width is ∞). This interval is about the mean over training sets, the
 * quantity the paper plots; each point's own quadrature bound (≈ 1e−9) and
 * Monte Carlo half-width are far smaller than the spread over seeds and are
 * reported per point.
 */
import { InvalidInputError } from '../errors.ts';
import { getActivation } from '../estimator/activations.ts';
import { RunningStats, tQuantile } from '../numerics/statistics.ts';
import { bayesRisk } from '../risk/bayes.ts';
import { type ClassRiskOptions, type ClassRiskResult, classRisk } from '../risk/class-risk.ts';
import { OVERLAP_NAMES, type Family, type OverlapName } from '../risk/overlaps.ts';
import type { RiskResult } from '../risk/result.ts';
import type { LengthLaw } from '../task/length-law.ts';
import { getTask } from '../task/tasks.ts';
import type { ErmPoint } from './point.ts';

/** A mean over seeds with the half-width of its Student-t interval. */
export interface SeedMean {
  readonly mean: number;
  readonly halfWidth: number;
  readonly seeds: number;
}

/** Mean ± t_{s−1}(confidence)·sd/√s of the values (∞ half-width for one value; NaN values are counted and poison the mean). */
export function seedMean(values: readonly number[], confidence: number): SeedMean {
  if (values.length === 0) throw new InvalidInputError('seedMean needs at least one value');
  const s = RunningStats.of(values);
  const halfWidth = values.length >= 2 ? tQuantile(confidence, values.length - 1) * s.standardError : Infinity;
  return { mean: s.mean, halfWidth, seeds: values.length };
}

/** One activation at one α, aggregated over seeds. */
export interface ErmSummaryRow {
  readonly act: string;
  readonly alpha: number;
  readonly D: number;
  readonly N: number;
  readonly seeds: number;
  /** test risk by quadrature at the learned overlaps */
  readonly testRisk: SeedMean;
  /** test risk on fresh samples */
  readonly testRiskEmpirical: SeedMean;
  readonly trainLoss: SeedMean;
  readonly overlaps: Readonly<Record<OverlapName, SeedMean>>;
  readonly theta: readonly SeedMean[];
  readonly lambdaK: SeedMean;
  readonly lambdaV: SeedMean;
  readonly iterations: SeedMean;
  /** seeds whose fit met its stopping test */
  readonly converged: number;
  readonly confidence: number;
}

/** Group points by (activation, α, D, N) in order of first appearance and aggregate each group over seeds. */
export function summariseErm(points: readonly ErmPoint[], confidence?: number): ErmSummaryRow[] {
  const groups = new Map<string, ErmPoint[]>();
  for (const p of points) {
    const key = `${p.act}|${p.alpha}|${p.D}|${p.N}`;
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.values()].map((g) => {
    const conf = confidence ?? g[0].confidence;
    const m = (f: (p: ErmPoint) => number) => seedMean(g.map(f), conf);
    const overlaps = Object.fromEntries(OVERLAP_NAMES.map((n) => [n, m((p) => p[n])])) as Record<OverlapName, SeedMean>;
    return {
      act: g[0].act,
      alpha: g[0].alpha,
      D: g[0].D,
      N: g[0].N,
      seeds: g.length,
      testRisk: m((p) => p.testRisk),
      testRiskEmpirical: m((p) => p.testRiskEmpirical),
      trainLoss: m((p) => p.trainLoss),
      overlaps,
      theta: g[0].theta.map((_, j) => m((p) => p.theta[j])),
      lambdaK: m((p) => p.lambdaKUsed),
      lambdaV: m((p) => p.lambdaVUsed),
      iterations: m((p) => p.iterations),
      converged: g.filter((p) => p.converged).length,
      confidence: conf,
    };
  });
}

/** Difference of test risks act A − act B, paired by seed (same data), at one α. */
export interface PairedDifference {
  readonly alpha: number;
  readonly D: number;
  readonly N: number;
  readonly a: string;
  readonly b: string;
  /** mean over seeds of risk(a) − risk(b), with its t-interval */
  readonly difference: SeedMean;
  /** which risk: the quadrature test risk, or the fresh-sample one (also paired: same test sequences) */
  readonly field: 'testRisk' | 'testRiskEmpirical';
}

/**
 * risk(a) − risk(b) per seed (both trained on the same data and tested on the
 * same fresh sequences, see point.ts), aggregated over the seeds present for both. Pairing removes the
 * spread of the data sets common to both activations, so the interval is
 * tighter than comparing the two means.
 */
export function pairedDifferences(
  points: readonly ErmPoint[],
  a: string,
  b: string,
  confidence?: number,
  field: 'testRisk' | 'testRiskEmpirical' = 'testRisk',
): PairedDifference[] {
  const byKey = new Map<string, ErmPoint>();
  for (const p of points) if (p.act === b) byKey.set(`${p.alpha}|${p.D}|${p.N}|${p.seed}`, p);
  const groups = new Map<string, { alpha: number; D: number; N: number; diffs: number[]; conf: number }>();
  for (const p of points) {
    if (p.act !== a) continue;
    const q = byKey.get(`${p.alpha}|${p.D}|${p.N}|${p.seed}`);
    if (!q) continue;
    const key = `${p.alpha}|${p.D}|${p.N}`;
    const g = groups.get(key) ?? { alpha: p.alpha, D: p.D, N: p.N, diffs: [], conf: p.confidence };
    g.diffs.push(p[field] - q[field]);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ alpha: g.alpha, D: g.D, N: g.N, a, b, field, difference: seedMean(g.diffs, confidence ?? g.conf) }));
}

/** What ERM at α → ∞ is compared with. */
export interface ErmReferences {
  readonly bayes: RiskResult;
  /** E_σ and its minimiser, one per activation (in the order given) */
  readonly classes: readonly ClassRiskResult[];
}

/**
 * The population references of a sweep: E_Bayes and, for each activation,
 * the class risk E_σ = inf over admissible overlaps (and θ) with its
 * minimiser (`classRisk`; family 'manifold' by default — ERM itself is not
 * restricted, so 'full' is the exact α → ∞ target; the two agree when the
 * full-family optimum lies on the manifold). With λ > 0 fixed, ERM at
 * α → ∞ tends to the λ-penalised population optimum, whose risk exceeds
 * E_σ by O(λ²) at a non-degenerate minimum (first-order optimality kills the
 * O(λ) term).
 */
export function ermReferences(
  input: { task: string; nu: number; lengths: LengthLaw; delta?: number; acts: readonly string[]; family?: Family },
  opts: ClassRiskOptions = {},
): ErmReferences {
  const task = getTask(input.task);
  const delta = input.delta ?? 0;
  const bayes = bayesRisk(task, input.nu, input.lengths, delta);
  const classes = input.acts.map((a) => classRisk({ task, nu: input.nu, lengths: input.lengths, delta, act: getActivation(a), family: input.family ?? 'manifold' }, opts));
  return { bayes, classes };
}
