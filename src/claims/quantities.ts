/**
 * The engine's numbers as the claims ask for them: Bayes risk, class minimum,
 * risk at given overlaps, Monte Carlo from the full model — each a `Quantity`
 * with its provenance. Results are memoised per process: several claims ask
 * for the same class minimum, and it is the same computation.
 */
import { getActivation } from '../estimator/activations.ts';
import { bayesRisk } from '../risk/bayes.ts';
import { type ClassRiskResult, classRisk } from '../risk/class-risk.ts';
import { monteCarloRisk } from '../risk/montecarlo.ts';
import { type Overlaps, manifoldOverlaps } from '../risk/overlaps.ts';
import { populationRisk, riskTerms } from '../risk/population.ts';
import type { RiskResult } from '../risk/result.ts';
import { type LengthLaw, describeLengthLaw, lengthLaw } from '../task/length-law.ts';
import { type Task, getTask } from '../task/tasks.ts';
import type { Point, Quantity } from './checks.ts';

/** A setting of the model: task, P_L (as "5" or "1,2,3"), ν, Δ. */
export interface Setting extends Point {
  readonly task: 'spiked' | 'max';
  readonly L: string;
  readonly nu: number;
  readonly delta: number;
}

export function setting(task: 'spiked' | 'max', L: number | string, nu: number, delta = 0): Setting {
  return { task, L: String(L), nu, delta };
}

export function lengthsOf(s: Setting): LengthLaw {
  return lengthLaw(s.L.split(',').map(Number));
}

export function taskOf(s: Setting): Task {
  return getTask(s.task);
}

/** E[L] under P_L. */
export function meanLength(s: Setting): number {
  const law = lengthsOf(s);
  return law.lengths.reduce((acc, L, i) => acc + L * law.probabilities[i], 0);
}

export function describeSetting(s: Setting): string {
  return `${s.task} L=${describeLengthLaw(lengthsOf(s))} ν=${Number.isFinite(s.nu) ? s.nu : 'inf'} Δ=${s.delta}`;
}

const memo = new Map<string, unknown>();
function cached<T>(key: string, compute: () => T): T {
  if (!memo.has(key)) memo.set(key, compute());
  return memo.get(key) as T;
}

/** Forget memoised results (tests that time or mutate the engine). */
export function clearQuantityCache(): void {
  memo.clear();
}

export function bayes(s: Setting): RiskResult {
  return cached(`bayes|${JSON.stringify(s)}`, () => bayesRisk(taskOf(s), s.nu, lengthsOf(s), s.delta));
}

/**
 * The class minimum E_σ. `blind`: the search starts from generic points
 * (m_kk* ∈ {0.3, 1, 3}, τ ∈ {0, 0.5}, σ's default parameters) instead of the
 * engine's default starts, which include known closed forms (c_ν for softmax,
 * m* for linear attention): a check that the optimiser *finds* a minimum
 * must not tell it where to look.
 */
export function classMinimum(act: string, s: Setting, opts: { family?: 'manifold' | 'full'; blind?: boolean } = {}): ClassRiskResult {
  const family = opts.family ?? 'manifold';
  const activation = getActivation(act);
  const theta = activation.parameters.map((p) => p.initial);
  const starts = opts.blind ? [[0.3, 0.5], [1, 0], [3, 0]].map((k) => [...k, ...(family === 'full' ? [0] : []), ...theta]) : undefined;
  return cached(`class|${act}|${family}|${opts.blind ? 'blind' : 'default'}|${JSON.stringify(s)}`, () =>
    classRisk({ task: taskOf(s), nu: s.nu, lengths: lengthsOf(s), delta: s.delta, act: activation, family }, starts ? { starts } : {}),
  );
}

/**
 * Two-sided bounds on the class risk E_σ = inf E(σ; k, v) from one search.
 * Upper: the risk at a point the search evaluated is attained, so E_σ ≤ that
 * risk + its quadrature error — whether or not the search converged (the
 * smallest risk on a ray, when the minimum is a limit). Lower: no predictor
 * beats Bayes, E_σ ≥ E_Bayes − error; and a converged search adds
 * E_σ ≥ value − error − optimiser tolerance (a local statement: the
 * optimiser's starts are the evidence that it is the global one).
 */
export function classRiskBounds(act: string, s: Setting, tolerance: number, opts: { family?: 'manifold' | 'full'; blind?: boolean } = {}): {
  readonly lower: number;
  readonly upper: number;
  readonly result: ClassRiskResult;
  readonly how: string;
  /** lower ≤ upper: false would mean the engine contradicts itself (a risk below Bayes beyond the errors) */
  readonly consistent: boolean;
} {
  const r = classMinimum(act, s, opts);
  const b = bayes(s);
  const bayesLower = b.value - b.error;
  // on a ray: every risk on it bounds E_σ from above, and so does its end when computed exactly
  const upper = r.ray ? Math.min(r.ray.upper, r.ray.exactLimit ? r.ray.exactLimit.value + r.ray.exactLimit.error : Infinity) : r.value + r.quadratureError;
  const searchLower = r.converged ? r.value - r.error - tolerance : -Infinity;
  const lower = Math.max(bayesLower, searchLower);
  const how = r.converged
    ? 'converged search: E_σ within value ± (error + tolerance), and ≥ Bayes'
    : `search not converged (${r.ray ? 'a limit along a ray' : 'ended on a bound'}): E_σ ≤ the smallest risk attained, ≥ Bayes`;
  return { lower, upper, result: r, how, consistent: lower <= upper };
}

export function riskAt(act: string, s: Setting, overlaps: Overlaps, theta?: readonly number[]): RiskResult {
  return cached(`at|${act}|${JSON.stringify(s)}|${JSON.stringify(overlaps)}|${JSON.stringify(theta ?? null)}`, () =>
    populationRisk({ task: taskOf(s), nu: s.nu, lengths: lengthsOf(s), delta: s.delta, act: getActivation(act), overlaps, ...(theta ? { theta } : {}) }),
  );
}

/** Overlaps of softmax at the Bayes point k = c_ν k*, v = v* (Prop. 4.2). */
export function bayesOverlaps(s: Setting): Overlaps {
  const c = taskOf(s).nishimoriSlope(s.nu);
  if (c === undefined || !Number.isFinite(c)) throw new Error(`no finite Nishimori slope for ${describeSetting(s)}`);
  return manifoldOverlaps({ mkk: c, mvv: 1, qkk: c * c, qvv: 1 });
}

export interface MonteCarloSpec {
  readonly samples: number;
  readonly seed: number;
  /** token dimension of the full model */
  readonly dimension: number;
}

/** Monte Carlo from the full model (tokens in R^D) of the Bayes predictor or of σ at given overlaps. */
export function monteCarlo(act: string, s: Setting, mc: MonteCarloSpec, overlaps?: Overlaps, theta?: readonly number[]): RiskResult {
  return cached(`mc|${act}|${JSON.stringify(s)}|${JSON.stringify(overlaps ?? null)}|${JSON.stringify(theta ?? null)}|${JSON.stringify(mc)}`, () =>
    monteCarloRisk(
      {
        task: taskOf(s),
        nu: s.nu,
        lengths: lengthsOf(s),
        delta: s.delta,
        act: act === 'bayes' ? 'bayes' : getActivation(act),
        ...(overlaps ? { overlaps } : {}),
        ...(theta ? { theta } : {}),
      },
      { samples: mc.samples, seed: mc.seed, dimension: mc.dimension },
    ),
  );
}

/** a − b as a quantity (errors add; both must have converged). */
export function difference(a: Quantity, b: Quantity, method?: string): Quantity {
  return {
    value: a.value - b.value,
    error: a.error + b.error,
    method: method ?? `difference of (${a.method}) and (${b.method})`,
    converged: a.converged && b.converged,
  };
}

/** Σ w_i q_i with errors Σ |w_i| err_i. */
export function combination(terms: readonly { weight: number; q: Quantity }[], method: string): Quantity {
  return {
    value: terms.reduce((acc, t) => acc + t.weight * t.q.value, 0),
    error: terms.reduce((acc, t) => acc + Math.abs(t.weight) * t.q.error, 0),
    method,
    converged: terms.every((t) => t.q.converged),
  };
}

/**
 * The risk on the manifold with the value side optimised, at key side
 * (m_kk* = m, R_kk = τ²): E = Δ + 1 − A²/B (Cauchy–Schwarz reduction, see
 * cauchy-schwarz-reduction), A = T1 and B = T2 at m_vv* = q_vv = 1.
 * Error: first-order propagation of the bounds on A and B.
 */
export function valueOptimalRisk(act: string, s: Setting, m: number, tau2: number, theta?: readonly number[]): Quantity {
  return cached(`vopt|${act}|${JSON.stringify(s)}|${m}|${tau2}|${JSON.stringify(theta ?? null)}`, () => {
    const t = riskTerms({
      task: taskOf(s),
      nu: s.nu,
      lengths: lengthsOf(s),
      delta: s.delta,
      act: getActivation(act),
      overlaps: manifoldOverlaps({ mkk: m, mvv: 1, qkk: m * m + tau2, qvv: 1 }),
      ...(theta ? { theta } : {}),
    });
    const A = t.T1.value;
    const B = t.T2.value;
    return {
      value: s.delta + 1 - (A * A) / B,
      error: (2 * Math.abs(A) * t.T1.error) / B + (A * A * t.T2.error) / (B * B) + 8 * Number.EPSILON * (1 + s.delta),
      method: `Δ + 1 − A²/B with A = T1, B = T2 at m_vv* = q_vv = 1 (${t.method})`,
      converged: t.converged,
      evaluations: t.evaluations,
    };
  });
}
