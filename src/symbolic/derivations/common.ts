/**
 * Shared pieces of the derivations: options, sampling boxes for the numeric
 * re-checks, and comparisons with the population-level engine.
 */
import { InvalidInputError } from '../../errors.ts';
import { getActivation } from '../../estimator/activations.ts';
import { type Overlaps, manifoldOverlaps } from '../../risk/overlaps.ts';
import { populationRisk } from '../../risk/population.ts';
import { fixedLength } from '../../task/length-law.ts';
import type { Task } from '../../task/tasks.ts';
import type { StepCheck } from '../derivation-builder.ts';
import { compileWithError } from '../expression.ts';
import { ROUNDING_SAFETY } from '../verify-numerically.ts';

/** Seed of the derivations' random check points unless one is given (the project's default SLR_SEED). */
export const DEFAULT_DERIVATION_SEED = 20260922;

export interface DerivationOptions {
  /** seed of every random check point (default DEFAULT_DERIVATION_SEED) */
  readonly seed?: number;
}

export function seedOf(opts: DerivationOptions | undefined): number {
  const s = opts?.seed ?? DEFAULT_DERIVATION_SEED;
  if (!Number.isSafeInteger(s)) throw new InvalidInputError(`seed must be a safe integer, got ${String(s)}`);
  return s;
}

/**
 * Sampling boxes of the symbols used throughout. L is sampled as a real in
 * [2, 12]: the identities are rational in L, so real points check them as well.
 * c = √ν > 0. Residual covariances are only PSD where a check needs it.
 */
export const BOX: Readonly<Record<string, readonly [number, number]>> = {
  L: [2, 12],
  c: [0.2, 3],
  nu: [0.05, 9],
  Delta: [0, 1],
  m: [-2, 2],
  m_kv: [-1, 1],
  m_vk: [-1, 1],
  m_vv: [-2, 2],
  R_kk: [0, 2],
  R_vv: [0, 2],
  R_kv: [-1, 1],
  mu: [0, 3],
  eps: [0.001, 0.2],
  lam: [0, 10],
  K: [0.1, 15],
  t: [0.1, 6],
  x: [-3, 3],
  y: [-3, 3],
  x1: [-3, 3],
  x2: [-3, 3],
  x3: [-3, 3],
  S: [0.1, 20],
  a: [1.1, 1.9],
  u: [-8, 8],
};

/** The boxes for the listed symbols. */
export function boxFor(vars: readonly string[]): Record<string, readonly [number, number]> {
  const out: Record<string, readonly [number, number]> = {};
  for (const v of vars) {
    const b = BOX[v];
    if (!b) throw new InvalidInputError(`no sampling box for symbol ${v}`);
    out[v] = b;
  }
  return out;
}

/** A simple deterministic stream of check points (independent of RandomStream's use by the checkers). */
export function pointStream(seed: number): () => number {
  // SplitMix32-like mixing of a counter: enough for picking a handful of check parameters
  let state = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

export interface EnginePoint {
  readonly task: Task;
  readonly L: number;
  readonly nu: number;
  readonly delta: number;
  readonly overlaps: Overlaps;
}

/**
 * Compare a symbolic risk formula with the engine's `populationRisk` for
 * linear attention at the given points. Tolerance per point: the engine's
 * error bound (quadrature) + ROUNDING_SAFETY × the formula's running
 * rounding bound. `formula` is expression text in `vars`; `valuesAt` maps a
 * point to the values of `vars`.
 */
export function checkLinearRiskAgainstEngine(
  formula: string,
  vars: readonly string[],
  points: readonly EnginePoint[],
  valuesAt: (p: EnginePoint) => number[],
  act = 'linear',
): StepCheck {
  const f = compileWithError(formula, vars);
  const lines: string[] = [];
  let passed = true;
  let evaluations = 0;
  for (const p of points) {
    const r = populationRisk({ task: p.task, nu: p.nu, lengths: fixedLength(p.L), delta: p.delta, act: getActivation(act), overlaps: p.overlaps });
    evaluations += r.evaluations ?? 0;
    const s = f(...valuesAt(p));
    const tol = r.error + ROUNDING_SAFETY * s.error;
    const diff = Math.abs(s.value - r.value);
    const ok = diff <= tol && r.converged;
    passed &&= ok;
    lines.push(
      `${p.task.id} L=${p.L} ν=${p.nu} Δ=${p.delta}: formula ${s.value.toPrecision(12)} vs engine ${r.value.toPrecision(12)} ± ${r.error.toExponential(1)}` +
        `${r.converged ? '' : ' (engine NOT converged)'}, |diff| ${diff.toExponential(1)} ${ok ? '≤' : '>'} tol ${tol.toExponential(1)}`,
    );
  }
  return {
    method: `engine populationRisk (${act}; exchangeable-token quadrature with error bound, ${evaluations} evaluations), tolerance = engine bound + ${ROUNDING_SAFETY}×rounding`,
    passed,
    detail: lines.join('; '),
  };
}

/** Random admissible overlaps on the full family (R PSD), from a point stream. */
export function randomFullOverlaps(next: () => number): { overlaps: Overlaps; values: Record<string, number> } {
  const u = (lo: number, hi: number) => lo + (hi - lo) * next();
  const m = u(-1.5, 1.5);
  const mkv = u(-0.8, 0.8);
  const mvk = u(-0.8, 0.8);
  const mvv = u(-1.5, 1.5);
  const Rkk = u(0.05, 1.5);
  const Rvv = u(0.05, 1.5);
  const Rkv = u(-0.9, 0.9) * Math.sqrt(Rkk * Rvv);
  const overlaps: Overlaps = {
    mkk: m,
    mkv,
    mvk,
    mvv,
    qkk: Rkk + m * m + mkv * mkv,
    qvv: Rvv + mvk * mvk + mvv * mvv,
    qkv: Rkv + m * mvk + mkv * mvv,
  };
  return { overlaps, values: { m, m_kv: mkv, m_vk: mvk, m_vv: mvv, R_kk: Rkk, R_vv: Rvv, R_kv: Rkv } };
}

/** Random admissible manifold overlaps. */
export function randomManifoldOverlaps(next: () => number): { overlaps: Overlaps; values: Record<string, number> } {
  const u = (lo: number, hi: number) => lo + (hi - lo) * next();
  const m = u(-1.5, 1.5);
  const mvv = u(-1.5, 1.5);
  const Rkk = u(0, 1.5);
  const Rvv = u(0, 1.5);
  return {
    overlaps: manifoldOverlaps({ mkk: m, mvv, qkk: Rkk + m * m, qvv: Rvv + mvv * mvv }),
    values: { m, m_kv: 0, m_vk: 0, m_vv: mvv, R_kk: Rkk, R_vv: Rvv, R_kv: 0 },
  };
}

export function fmt(x: number, digits = 6): string {
  return Number.isFinite(x) ? x.toPrecision(digits) : String(x);
}
