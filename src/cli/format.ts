import { describeLengthLaw } from '../task/length-law.ts';
import { type RiskResult, reportedError } from '../risk/result.ts';
import { OVERLAP_NAMES } from '../risk/overlaps.ts';

/** A number with as many digits as its error supports (two significant digits of the error). */
export function formatWithError(value: number, error: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (!(error > 0)) return String(value); // exact: the shortest round-trip representation
  const digits = Math.max(1, Math.min(17, Math.floor(Math.log10(Math.abs(value) || error)) - Math.floor(Math.log10(error)) + 2));
  return value.toPrecision(digits);
}

export function formatSci(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toExponential(digits) : String(x);
}

function errorKind(r: RiskResult & { searchTolerance?: number }): string {
  if (r.confidence !== undefined) return `half-width of a ${r.confidence} confidence interval`;
  return r.searchTolerance ? `absolute error bound (quadrature, optimisation gap, and the search tolerance ${r.searchTolerance})` : 'absolute error bound';
}

/** The JSON record of a risk result (stable keys for scripts and CI). */
export function riskJson(r: RiskResult & { starts?: unknown; searchTolerance?: number }): Record<string, unknown> {
  return {
    task: r.task,
    act: r.act,
    L: r.lengths.lengths.length === 1 ? r.lengths.lengths[0] : { lengths: r.lengths.lengths, probabilities: r.lengths.probabilities },
    nu: Number.isFinite(r.nu) ? r.nu : 'inf',
    delta: r.delta,
    deltaConvention: 'noise variance: y = z*_eps + sqrt(delta) xi',
    family: r.family ?? null,
    method: r.method,
    risk: r.value,
    excess: r.excess,
    error: reportedError(r),
    errorKind: errorKind(r),
    params: r.params ?? null,
    theta: r.theta ?? null,
    converged: r.converged,
    evaluations: r.evaluations ?? null,
    samples: r.samples ?? null,
    iterations: r.iterations ?? null,
    ...(r.starts ? { starts: r.starts } : {}),
  };
}

/** A short human-readable table. */
export function riskTable(r: RiskResult & { searchTolerance?: number; starts?: readonly { risk: number | null; converged: boolean; status?: string }[] }): string {
  const rows: [string, string][] = [];
  rows.push(['task', r.task]);
  rows.push(['activation', r.act]);
  rows.push(['L', describeLengthLaw(r.lengths)]);
  rows.push(['nu', Number.isFinite(r.nu) ? String(r.nu) : 'inf']);
  rows.push(['delta (noise variance)', String(r.delta)]);
  if (r.family) rows.push(['family', r.family]);
  const error = reportedError(r);
  const kind =
    r.confidence !== undefined
      ? `± ${formatSci(error)} (${(r.confidence * 100).toPrecision(4)}% CI)`
      : `± ${formatSci(error)} (bound${r.searchTolerance ? `, incl. search tolerance ${r.searchTolerance}; quadrature ${formatSci(r.error)}` : ''})`;
  rows.push(['risk', `${formatWithError(r.value, r.error)} ${kind}`]);
  if (r.delta > 0 && r.excess > 0) rows.push(['risk − delta', formatWithError(r.excess, r.error)]);
  if (r.params) {
    rows.push(['overlaps', OVERLAP_NAMES.map((n) => `${n}=${fmt(r.params![n])}`).join(' ')]);
  }
  if (r.theta && r.theta.length) rows.push(['activation parameters', r.theta.map(fmt).join(', ')]);
  rows.push(['method', r.method]);
  const how = [r.evaluations !== undefined ? `${r.evaluations} evaluations` : '', r.samples !== undefined ? `${r.samples} samples` : '', r.iterations !== undefined ? `${r.iterations} iterations` : '']
    .filter(Boolean)
    .join(', ');
  if (how) rows.push(['work', how]);
  if (r.starts) {
    // no start at all: the minimum is a closed form (e.g. softmax at c_ν = ∞, the exact end of its ray); the method says which
    const starts = r.starts.map((s) => (s.risk === null ? `— (${s.status ?? 'not run'})` : `${s.risk.toPrecision(10)}${s.converged ? '' : ` (${s.status === 'merged' ? 'merged' : 'not converged'})`}`));
    rows.push(['starts', starts.length ? starts.join('; ') : 'none: no search (closed form, see method)']);
  }
  rows.push(['converged', r.converged ? 'yes' : 'NO — treat the value as an estimate only']);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

function fmt(x: number): string {
  return Math.abs(x) < 1e-12 ? '0' : Number(x.toPrecision(8)).toString();
}
