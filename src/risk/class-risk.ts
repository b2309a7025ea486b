import { InvalidInputError, requireFinite } from '../errors.ts';
import type { Activation } from '../estimator/activation.ts';
import { nelderMead } from '../numerics/optimize.ts';
import type { LengthLaw } from '../task/length-law.ts';
import { type Task, validateNu } from '../task/tasks.ts';
import type { Family, Overlaps } from './overlaps.ts';
import { type PopulationRiskOptions, riskTerms } from './population.ts';
import type { RiskResult } from './result.ts';

export interface ClassRiskInput {
  readonly task: Task;
  readonly nu: number;
  readonly lengths: LengthLaw;
  readonly delta?: number;
  readonly act: Activation;
  /** 'manifold' (m_kv* = m_vk* = q_kv = 0, default) or 'full' (all seven overlaps) */
  readonly family?: Family;
}

export interface ClassRiskOptions extends PopulationRiskOptions {
  /** key-side starting points [m_kk*, τ (, m_kv*) , θ…]; defaults depend on the task */
  starts?: number[][];
  /** Nelder–Mead iterations per start (default 400) */
  maxIterations?: number;
}

export interface StartReport {
  readonly start: readonly number[];
  readonly risk: number;
  readonly iterations: number;
  readonly converged: boolean;
}

export interface ClassRiskResult extends RiskResult {
  readonly starts: readonly StartReport[];
}

/**
 * Class risk E_σ = inf over admissible overlaps (and σ's own parameters θ) of
 * the population risk.
 *
 * The value side is solved exactly: for fixed key-side overlaps the risk is
 * quadratic in v. On the manifold this is the Cauchy–Schwarz reduction
 * E = Δ + 1 − A²/B with A = E[σ_ε], B = E[Σ σ_ℓ²] (optimal m_vv* = A/B,
 * R_vv = 0); on the full family v ranges over span(k*, v*, k_⊥) and
 * E = Δ + 1 − gᵀH⁻¹g with g_i = T1(e_i), H the Gram form of T2, obtained from
 * six risk-term evaluations. The key side (m_kk*, τ = √R_kk-or-|k_⊥|, and
 * m_kv* on the full family) and θ are searched by Nelder–Mead from several
 * starts; the best is kept, every start is reported, and non-convergence is
 * flagged rather than hidden.
 */
export function classRisk(input: ClassRiskInput, opts: ClassRiskOptions = {}): ClassRiskResult {
  const { task, nu, lengths, act } = input;
  const family = input.family ?? 'manifold';
  if (family !== 'manifold' && family !== 'full') throw new InvalidInputError(`family must be manifold or full, got ${String(family)}`);
  validateNu(task, nu);
  const delta = requireFinite('delta', input.delta ?? 0, { min: 0 });
  const nTheta = act.parameters.length;
  const nKey = family === 'manifold' ? 2 : 3;
  const evaluate = family === 'manifold' ? manifoldObjective : fullObjective;
  let evaluations = 0;
  let allConverged = true;

  // the search runs on a cheaper quadrature; the reported value is re-evaluated at the minimiser
  // with the full tolerances (a location error δ costs only O(δ²) in risk at a smooth minimum)
  const searchOpts: PopulationRiskOptions = { relTol: Math.max(opts.relTol ?? 1e-9, 1e-7), absTol: Math.max(opts.absTol ?? 1e-12, 1e-10) };
  const objective = (x: ArrayLike<number>, final = false): Evaluation => {
    const key = Array.from(x).slice(0, nKey);
    const theta = Array.from(x).slice(nKey);
    const ev = evaluate(input, key, theta, final ? opts : searchOpts);
    evaluations += ev.evaluations;
    allConverged &&= ev.quadratureConverged;
    return ev;
  };

  const starts = opts.starts ?? defaultStarts(input, nKey, nTheta);
  const reports: StartReport[] = [];
  let best: { x: number[]; gain: number } | undefined;
  for (const start of starts) {
    if (start.length !== nKey + nTheta) {
      throw new InvalidInputError(`a start needs ${nKey + nTheta} numbers (key side${nTheta ? ' and θ' : ''}), got ${start.length}`);
    }
    const res = nelderMead((x) => objective(x).gain * -1, Float64Array.from(start), {
      maxIterations: opts.maxIterations ?? 400,
      fTol: 1e-11,
      xTol: 1e-6,
      initialStep: start.map((v) => Math.max(0.1, 0.2 * Math.abs(v))),
    });
    reports.push({ start, risk: delta + 1 + res.value, iterations: res.iterations, converged: res.converged });
    if (!best || -res.value > best.gain) best = { x: Array.from(res.x), gain: -res.value };
  }
  const b = { x: best!.x, ev: objective(best!.x, true) };
  const excess = 1 - b.ev.gain;
  const bestConverged = reports.find((r) => r.risk === delta + 1 - best!.gain)?.converged ?? false;
  return {
    task: task.id,
    act: act.id,
    nu,
    lengths,
    delta,
    family,
    params: b.ev.overlaps,
    theta: b.x.slice(nKey),
    value: delta + excess,
    excess,
    error: b.ev.gainError + 8 * Number.EPSILON * (1 + delta),
    method: `class minimum: Nelder–Mead over the key side from ${starts.length} starts, value side solved exactly (${family === 'manifold' ? 'Cauchy–Schwarz A²/B' : 'least squares gᵀH⁻¹g'}); risk terms by ${b.ev.method}`,
    converged: bestConverged && allConverged,
    iterations: reports.reduce((s, r) => s + r.iterations, 0),
    evaluations,
    starts: reports,
  };
}

interface Evaluation {
  /** 1 + Δ − risk at the optimal value side (A²/B or gᵀH⁻¹g) */
  readonly gain: number;
  readonly gainError: number;
  readonly overlaps: Overlaps;
  readonly method: string;
  readonly evaluations: number;
  readonly quadratureConverged: boolean;
}

function manifoldObjective(input: ClassRiskInput, key: number[], theta: number[], opts: PopulationRiskOptions): Evaluation {
  const [m, tau] = key;
  const probe: Overlaps = { mkk: m, mkv: 0, mvk: 0, mvv: 1, qkk: m * m + tau * tau, qvv: 1, qkv: 0 };
  // at m_vv* = q_vv = 1 on M: T1 = A = E[σ_ε], T2 = B = E[Σσ²]
  const t = riskTerms({ ...input, theta, overlaps: probe }, opts);
  const A = t.T1.value;
  const B = t.T2.value;
  if (!(B > 0)) {
    return { gain: 0, gainError: 0, overlaps: { ...probe, mvv: 0, qvv: 0 }, method: t.method, evaluations: t.evaluations, quadratureConverged: t.converged };
  }
  const mvv = A / B;
  const gain = (A * A) / B;
  const gainError = (2 * Math.abs(A) * t.T1.error) / B + (A * A * t.T2.error) / (B * B);
  return {
    gain,
    gainError,
    overlaps: { ...probe, mvv, qvv: mvv * mvv },
    method: t.method,
    evaluations: t.evaluations,
    quadratureConverged: t.converged,
  };
}

/**
 * Full family: k = (a1, a2, a3) and v = (b1, b2, b3, b4) in the orthonormal
 * frame (k*, v*, e3, e4)/√D, which parametrises every admissible set of seven
 * overlaps. b4 only adds noise, so b4 = 0; b ∈ R³ solves H b = g.
 */
function fullObjective(input: ClassRiskInput, key: number[], theta: number[], opts: PopulationRiskOptions): Evaluation {
  const [a1, tau, a2] = key;
  const a3 = tau;
  const overlapsFor = (b: number[]): Overlaps => ({
    mkk: a1,
    mkv: a2,
    mvk: b[0],
    mvv: b[1],
    qkk: a1 * a1 + a2 * a2 + a3 * a3,
    qvv: b[0] * b[0] + b[1] * b[1] + b[2] * b[2],
    qkv: a1 * b[0] + a2 * b[1] + a3 * b[2],
  });
  let evaluations = 0;
  let converged = true;
  let method = '';
  const terms = (b: number[]) => {
    const t = riskTerms({ ...input, theta, overlaps: overlapsFor(b) }, opts);
    evaluations += t.evaluations;
    converged &&= t.converged;
    method = t.method;
    return t;
  };
  const e = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  const g = [0, 0, 0];
  const gErr = [0, 0, 0];
  const H = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  let hErr = 0;
  for (let i = 0; i < 3; i++) {
    const t = terms(e[i]);
    g[i] = t.T1.value;
    gErr[i] = t.T1.error;
    H[i][i] = t.T2.value;
    hErr = Math.max(hErr, t.T2.error);
  }
  for (let i = 0; i < 3; i++) {
    for (let j = i + 1; j < 3; j++) {
      const t = terms(e[i].map((v, k) => v + e[j][k]));
      H[i][j] = H[j][i] = (t.T2.value - H[i][i] - H[j][j]) / 2;
      hErr = Math.max(hErr, 1.5 * t.T2.error);
    }
  }
  const b = solveSymmetric3(H, g);
  const gain = g[0] * b[0] + g[1] * b[1] + g[2] * b[2];
  const bNorm = Math.hypot(b[0], b[1], b[2]);
  const gainError = 2 * bNorm * Math.hypot(gErr[0], gErr[1], gErr[2]) + 3 * bNorm * bNorm * hErr;
  return { gain, gainError, overlaps: overlapsFor(b), method, evaluations, quadratureConverged: converged };
}

/** Solve H b = g for a symmetric PSD 3×3 H; directions with no curvature get b = 0 (they carry no signal). */
function solveSymmetric3(H: number[][], g: number[]): number[] {
  // Gaussian elimination with a relative pivot threshold: a (near-)null direction of H has g ≈ 0 there
  const n = 3;
  const M = H.map((row, i) => [...row, g[i]]);
  const scale = Math.max(1e-300, ...H.map((r, i) => Math.abs(r[i])));
  const active: boolean[] = [true, true, true];
  for (let col = 0; col < n; col++) {
    let piv = -1;
    let best = 1e-13 * scale;
    for (let r = col; r < n; r++) if (Math.abs(M[r][col]) > best) ((best = Math.abs(M[r][col])), (piv = r));
    if (piv < 0) {
      active[col] = false;
      continue;
    }
    [M[col], M[piv]] = [M[piv], M[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = M[r][col] / M[col][col];
      for (let k = col; k <= n; k++) M[r][k] -= f * M[col][k];
    }
  }
  return M.map((row, i) => (active[i] ? row[n] / row[i] : 0));
}

function defaultStarts(input: ClassRiskInput, nKey: number, nTheta: number): number[][] {
  const c = input.task.nishimoriSlope(input.nu);
  const ms = [0.3, 1.2];
  if (c !== undefined && Number.isFinite(c) && c > 0) ms.push(c);
  else ms.push(3);
  const thetas = input.act.parameters.map((p) => p.initial);
  const starts: number[][] = [];
  ms.forEach((m, i) => {
    const tau = i === 0 ? 0.5 : 0.05;
    const key = nKey === 2 ? [m, tau] : [m, tau, i === 1 ? 0.1 : 0];
    starts.push([...key, ...thetas.map((t, j) => (nTheta > 0 && i === 1 ? t - 0.5 * (j + 1) : t))]);
  });
  return starts;
}
