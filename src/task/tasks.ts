import { InvalidInputError, UnknownNameError, requireFinite } from '../errors.ts';

/**
 * The task model: the joint law of the hidden location ε and the key
 * projections χ*_ℓ = x_ℓ·k* / √D of the tokens. Value projections z*_ℓ are
 * always i.i.d. N(0,1) and independent of (ε, χ*); the label is
 * y = z*_ε + √Δ ξ.
 *
 * Two kinds cover the paper and its generalisations:
 * - `product`: ε uniform, the spike token's χ*_ε has its own law (here a
 *   Gaussian mixture), all other tokens are N(0,1). spiked-SLR is the case of
 *   one component N(√ν, 1). The Bayes posterior of ε is p_ℓ ∝ ρ(χ*_ℓ), with ρ
 *   the density ratio of the spike law to N(0,1).
 * - `selection`: χ* ~ N(0, I_L) exactly and ε | χ* ~ softmax(c χ*)
 *   (argmax when c = ∞). max-SLR is c = ν.
 */
export type Task = ProductTask | SelectionTask;

export interface GaussianComponent {
  readonly weight: number;
  readonly mean: number;
  readonly sd: number;
}

interface TaskBase {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** Whether ν = ∞ is meaningful for this task. */
  readonly allowsInfiniteNu: boolean;
  /**
   * The Nishimori slope c_ν of the ratio condition
   * g(ε,χ)/g(ε',χ) = exp(c_ν (χ_ε − χ_ε')), or undefined where the task does
   * not satisfy it (then the posterior is not a softmax of χ*).
   */
  nishimoriSlope(nu: number): number | undefined;
}

export interface ProductTask extends TaskBase {
  readonly kind: 'product';
  /** Law of the spike token's key projection χ*_ε (weights sum to 1). */
  spikeLaw(nu: number): readonly GaussianComponent[];
}

export interface SelectionTask extends TaskBase {
  readonly kind: 'selection';
  /** c in ε | χ* ~ softmax(c χ*); Infinity means argmax. */
  selectionSlope(nu: number): number;
}

/** spiked-SLR: the token at ε has mean √ν along k*; g_ν = exp(√ν χ_ε − ν/2). */
export const spikedTask: ProductTask = Object.freeze({
  kind: 'product' as const,
  id: 'spiked',
  label: 'spiked-SLR',
  description: 'χ*_ε ~ N(√ν,1), other tokens N(0,1), ε uniform; c_ν = √ν',
  allowsInfiniteNu: false,
  nishimoriSlope: (nu: number) => Math.sqrt(nu),
  spikeLaw: (nu: number) => [{ weight: 1, mean: Math.sqrt(nu), sd: 1 }],
});

/** max-SLR: χ* ~ N(0,I_L), ε ~ softmax(ν χ*) (argmax for ν = ∞); c_ν = ν. */
export const maxTask: SelectionTask = Object.freeze({
  kind: 'selection' as const,
  id: 'max',
  label: 'max-SLR',
  description: 'χ* ~ N(0,I_L), ε | χ* ~ softmax(ν χ*), argmax at ν = ∞; c_ν = ν',
  allowsInfiniteNu: true,
  nishimoriSlope: (nu: number) => nu,
  selectionSlope: (nu: number) => nu,
});

/**
 * A general product task given by the law of the spike token as a Gaussian
 * mixture (any law can be approximated so). The ratio condition holds iff the
 * law is a single N(μ, 1), with c_ν = μ.
 */
export function productTask(spec: {
  id: string;
  label?: string;
  description?: string;
  spikeLaw: (nu: number) => readonly GaussianComponent[];
}): ProductTask {
  const spikeLaw = (nu: number) => validateMixture(spec.spikeLaw(nu));
  return Object.freeze({
    kind: 'product' as const,
    id: spec.id,
    label: spec.label ?? spec.id,
    description: spec.description ?? 'product task with a Gaussian-mixture spike token',
    allowsInfiniteNu: false,
    spikeLaw,
    nishimoriSlope(nu: number) {
      const law = spikeLaw(nu);
      return law.length === 1 && law[0].sd === 1 ? law[0].mean : undefined;
    },
  });
}

function validateMixture(law: readonly GaussianComponent[]): readonly GaussianComponent[] {
  if (law.length === 0) throw new InvalidInputError('the spike law needs at least one component');
  let total = 0;
  for (const c of law) {
    requireFinite('spike component weight', c.weight, { min: 0 });
    requireFinite('spike component mean', c.mean);
    requireFinite('spike component sd', c.sd);
    if (!(c.sd > 0)) throw new InvalidInputError(`spike component sd must be > 0, got ${c.sd}`);
    total += c.weight;
  }
  if (Math.abs(total - 1) > 1e-12) throw new InvalidInputError(`spike component weights must sum to 1, got ${total}`);
  return law;
}

/** Validate ν for a task: a number ≥ 0, finite unless the task allows ν = ∞. */
export function validateNu(task: Task, nu: unknown): number {
  if (typeof nu !== 'number' || Number.isNaN(nu)) throw new InvalidInputError(`nu must be a number, got ${String(nu)}`);
  if (nu < 0) throw new InvalidInputError(`nu must be >= 0, got ${nu}`);
  if (nu === Infinity && !task.allowsInfiniteNu) {
    throw new InvalidInputError(`nu = inf is only defined for max-SLR, not ${task.label}`);
  }
  return nu;
}

/**
 * log ρ(x): log density ratio of a product task's spike law to N(0,1), i.e.
 * the log posterior weight of a token with key projection x.
 */
export function logPosteriorWeight(law: readonly GaussianComponent[], x: number): number {
  if (law.length === 1 && law[0].sd === 1) return law[0].mean * x - 0.5 * law[0].mean * law[0].mean;
  let max = -Infinity;
  const terms = law.map((c) => {
    const z = (x - c.mean) / c.sd;
    const t = Math.log(c.weight) - Math.log(c.sd) - 0.5 * z * z + 0.5 * x * x;
    if (t > max) max = t;
    return t;
  });
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return max + Math.log(sum);
}

const registry = new Map<string, Task>([
  ['spiked', spikedTask],
  ['max', maxTask],
]);

export function registerTask(task: Task): void {
  registry.set(task.id, task);
}

export function getTask(id: string): Task {
  const t = registry.get(id);
  if (!t) throw new UnknownNameError(`unknown task "${id}" (known: ${[...registry.keys()].join(', ')})`);
  return t;
}

export function taskIds(): string[] {
  return [...registry.keys()];
}
