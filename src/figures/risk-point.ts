import { runRisk } from '../cli/risk-command.ts';
import { SlrError } from '../errors.ts';
import { type RiskResult, reportedError } from '../risk/result.ts';
import type { PointOutcome, RiskPointSpec } from './types.ts';

/** A risk point spec: Bayes or class risk on the manifold at Δ = 0 (the defaults of every figure here). */
export function riskSpec(task: string, act: string, L: string, nu: number, opts: { LWeights?: string; delta?: number; family?: 'manifold' | 'full' } = {}): RiskPointSpec {
  return {
    task,
    act,
    L,
    ...(opts.LWeights !== undefined ? { LWeights: opts.LWeights } : {}),
    // String(x) round-trips every double, so the command line reproduces the exact ν
    nu: Number.isFinite(nu) ? String(nu) : 'inf',
    delta: String(opts.delta ?? 0),
    family: opts.family ?? 'manifold',
  };
}

/** The `slr risk` arguments that compute this point (after `slr`). */
export function riskArgs(spec: RiskPointSpec): string[] {
  return [
    'risk',
    '--task', spec.task,
    '--act', spec.act,
    '--L', spec.L,
    ...(spec.LWeights !== undefined ? ['--L-weights', spec.LWeights] : []),
    '--nu', spec.nu,
    '--delta', spec.delta,
    '--family', spec.family,
    '--json',
  ];
}

/** The command line a user types to recompute the point. */
export function riskCommandLine(spec: RiskPointSpec): string {
  return ['npx', 'slr', ...riskArgs(spec)].join(' ');
}

/**
 * Compute one point with `runRisk`, the function behind `slr risk` (same
 * defaults: quadrature; Bayes risk for act 'bayes', else the class minimum).
 * A library error (`SlrError`, e.g. a risk below double range) becomes a
 * failed point with its message; anything else is a bug and propagates.
 */
export function computeRiskPoint(spec: RiskPointSpec): PointOutcome {
  const t0 = performance.now();
  let r: RiskResult;
  try {
    r = runRisk({ ...spec, method: 'quadrature', samples: '100000', seed: '1', dimension: 'reduced' });
  } catch (e) {
    if (!(e instanceof SlrError)) throw e;
    return { value: null, error: null, errorKind: 'bound', method: 'failed', converged: false, seconds: (performance.now() - t0) / 1000, failure: e.message };
  }
  return outcomeOf(r, (performance.now() - t0) / 1000);
}

export function outcomeOf(r: RiskResult, seconds: number): PointOutcome {
  return {
    value: r.value,
    error: reportedError(r),
    errorKind: r.confidence !== undefined ? 'ci-half-width' : reportedError(r) === 0 ? 'exact' : 'bound',
    ...(r.confidence !== undefined ? { confidence: r.confidence } : {}),
    method: r.method,
    converged: r.converged,
    ...(r.evaluations !== undefined ? { evaluations: r.evaluations } : {}),
    ...(r.iterations !== undefined ? { iterations: r.iterations } : {}),
    ...(r.samples !== undefined ? { samples: r.samples } : {}),
    seconds,
  };
}
