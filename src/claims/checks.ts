/**
 * Check templates: the kinds of comparison a claim can ask for. Each turns a
 * statement (numbers the statement predicts, or an inequality it asserts) and
 * the engine's numbers into a verdict, with the evidence. Every template can
 * return REFUTED; `test/claims/mutation.test.ts` feeds each a deliberately
 * wrong statement and requires it to.
 *
 * Decision rules (no tolerance is tuned to a verdict; each is argued where the
 * claim declares it):
 * - agreement  |a − b| ≤ err_a + err_b + tol → CONFIRMED, else REFUTED; an
 *   unconverged number makes the point INCONCLUSIVE. err are the engine's
 *   bounds (quadrature) or interval half-widths (Monte Carlo, whose confidence
 *   fixes the false-failure rate).
 * - inequality a > b + margin: gap − err_a − err_b > margin → CONFIRMED,
 *   gap + err_a + err_b < margin → REFUTED (the statement is violated beyond
 *   the errors), otherwise INCONCLUSIVE (the errors cannot decide).
 * - limit  g(x) → C: Richardson extrapolation on a geometric sequence of x
 *   with a known correction order gives Ĉ ± (extrapolation + numerical
 *   error); CONFIRMED if |C − Ĉ| ≤ that, REFUTED if |C − Ĉ| exceeds
 *   `refuteFactor` times it, INCONCLUSIVE in between.
 * - property   a fast-check property over random parameters: a failing run is
 *   a counterexample (REFUTED); runs the errors cannot decide are counted and
 *   make the verdict INCONCLUSIVE.
 */
import fc from 'fast-check';
import { SlrError } from '../errors.ts';
import type { Check, CheckContext, CheckKind, CheckOutcome, Evidence, Tolerance, Verdict } from './types.ts';

/** A computed number with its provenance (every `RiskResult` is one). */
export interface Quantity {
  readonly value: number;
  readonly error: number;
  readonly method: string;
  readonly converged: boolean;
  readonly evaluations?: number;
  readonly samples?: number;
  readonly iterations?: number;
  readonly confidence?: number;
}

export type Point = Readonly<Record<string, string | number>>;

/** An exact number (a closed form evaluated in double precision): its error is its rounding. */
export function exactQuantity(value: number, method: string, ulps = 8): Quantity {
  return { value, error: ulps * Number.EPSILON * Math.abs(value), method, converged: true };
}

function evidenceOf(label: string, q: Quantity, at: Point, extra: Partial<Evidence> = {}): Evidence {
  return {
    label,
    value: q.value,
    error: q.error,
    method: q.method,
    converged: q.converged,
    ...(q.confidence !== undefined ? { confidence: q.confidence } : {}),
    ...(q.evaluations !== undefined ? { evaluations: q.evaluations } : {}),
    ...(q.samples !== undefined ? { samples: q.samples } : {}),
    ...(q.iterations !== undefined ? { iterations: q.iterations } : {}),
    at,
    ...extra,
  };
}

export function describePoint(p: Point): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : '-inf') : v}`)
    .join(' ');
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? Number(x.toPrecision(10)).toString() : x.toExponential(4);
}

/** Combine per-point verdicts: one refutation refutes; all confirmed confirms. */
function overall(points: Verdict[]): Verdict {
  if (points.includes('REFUTED')) return 'REFUTED';
  if (points.length > 0 && points.every((v) => v === 'CONFIRMED')) return 'CONFIRMED';
  return 'INCONCLUSIVE';
}

function count(vs: Verdict[]): string {
  const c = (v: Verdict) => vs.filter((x) => x === v).length;
  return `${c('CONFIRMED')} confirmed, ${c('REFUTED')} refuted, ${c('INCONCLUSIVE')} inconclusive of ${vs.length}`;
}

/** Evaluate `compute`, turning a library error into an INCONCLUSIVE point with the message as evidence. */
function guarded<T>(label: string, at: Point, compute: () => T): { ok: true; value: T } | { ok: false; evidence: Evidence } {
  try {
    return { ok: true, value: compute() };
  } catch (e) {
    if (!(e instanceof SlrError)) throw e;
    return { ok: false, evidence: { label, at, note: `could not be computed: ${e.message}` } };
  }
}

// ---------------------------------------------------------------------------

export interface AgreementSpec<P extends Point> {
  readonly id: string;
  readonly description: string;
  readonly kind?: CheckKind;
  readonly fast: boolean;
  /** parameter points; `fast` runs may use fewer */
  points(ctx: CheckContext): readonly P[];
  readonly left: { readonly label: string; compute(p: P, ctx: CheckContext): Quantity };
  readonly right: { readonly label: string; compute(p: P, ctx: CheckContext): Quantity };
  /** allowance beyond the two error bars (rounding of closed forms, …) */
  readonly tolerance: Tolerance;
}

/** Two independent computations (or a statement and a computation) of the same number agree within their errors. */
/**
 * The per-point loop of a check comparing two quantities: both computed under `guarded` (a throw or a
 * NaN makes the point INCONCLUSIVE, with its evidence), then `judge` decides the point and says what
 * the second side's evidence adds (expected value, tolerance, note).
 */
function comparePoints<P extends Point>(
  points: readonly P[],
  first: { readonly label: string; compute(p: P): Quantity },
  second: { readonly label: string; compute(p: P): Quantity },
  judge: (a: Quantity, b: Quantity) => { verdict: Verdict; extra: Partial<Evidence> },
): { evidence: Evidence[]; verdicts: Verdict[] } {
  const evidence: Evidence[] = [];
  const verdicts: Verdict[] = [];
  for (const p of points) {
    const a = guarded(first.label, p, () => first.compute(p));
    const b = guarded(second.label, p, () => second.compute(p));
    if (!a.ok || !b.ok) {
      if (!a.ok) evidence.push(a.evidence);
      if (!b.ok) evidence.push(b.evidence);
      verdicts.push('INCONCLUSIVE');
      continue;
    }
    const { verdict, extra } = judge(a.value, b.value);
    verdicts.push(verdict);
    evidence.push(evidenceOf(first.label, a.value, p));
    evidence.push(evidenceOf(second.label, b.value, p, extra));
  }
  return { evidence, verdicts };
}

export function agreementCheck<P extends Point>(spec: AgreementSpec<P>): Check {
  return {
    id: spec.id,
    kind: spec.kind ?? 'quadrature',
    description: spec.description,
    fast: spec.fast,
    run(ctx): CheckOutcome {
      let worst = 0;
      const { evidence, verdicts } = comparePoints(
        spec.points(ctx),
        { label: spec.left.label, compute: (p) => spec.left.compute(p, ctx) },
        { label: spec.right.label, compute: (p) => spec.right.compute(p, ctx) },
        (a, b) => {
          const diff = Math.abs(a.value - b.value);
          const allowed = a.error + b.error + spec.tolerance.value;
          const verdict: Verdict = !a.converged || !b.converged || !Number.isFinite(diff) ? 'INCONCLUSIVE' : diff <= allowed ? 'CONFIRMED' : 'REFUTED';
          worst = Math.max(worst, allowed > 0 ? diff / allowed : diff > 0 ? Infinity : 0);
          return {
            verdict,
            extra: {
              expected: a.value,
              tolerance: { value: allowed, reason: `err(${spec.left.label}) + err(${spec.right.label}) + ${spec.tolerance.value} (${spec.tolerance.reason})` },
              note: `${verdict}: |difference| = ${fmt(diff)} vs allowed ${fmt(allowed)}`,
            },
          };
        },
      );
      return {
        verdict: overall(verdicts),
        summary: `${spec.left.label} vs ${spec.right.label}: ${count(verdicts)} points; largest |difference|/allowed = ${fmt(worst)}`,
        evidence,
      };
    },
  };
}

// ---------------------------------------------------------------------------

export interface InequalitySpec<P extends Point> {
  readonly id: string;
  readonly description: string;
  readonly kind?: CheckKind;
  readonly fast: boolean;
  points(ctx: CheckContext): readonly P[];
  /** the statement: greater.value > smaller.value + margin */
  readonly greater: { readonly label: string; compute(p: P, ctx: CheckContext): Quantity };
  readonly smaller: { readonly label: string; compute(p: P, ctx: CheckContext): Quantity };
  readonly margin?: number;
}

/** Decide a > b + margin from two numbers with error bars. */
export function decideInequality(a: Quantity, b: Quantity, margin = 0): { verdict: Verdict; gap: number; slack: number } {
  const gap = a.value - b.value - margin;
  const slack = a.error + b.error;
  if (!a.converged || !b.converged || !Number.isFinite(gap)) return { verdict: 'INCONCLUSIVE', gap, slack };
  return { verdict: gap > slack ? 'CONFIRMED' : gap < -slack ? 'REFUTED' : 'INCONCLUSIVE', gap, slack };
}

/** A strict inequality between two computed numbers, decided only where the error bars allow. */
export function inequalityCheck<P extends Point>(spec: InequalitySpec<P>): Check {
  return {
    id: spec.id,
    kind: spec.kind ?? 'quadrature',
    description: spec.description,
    fast: spec.fast,
    run(ctx): CheckOutcome {
      let smallestRatio = Infinity;
      const { evidence, verdicts } = comparePoints(
        spec.points(ctx),
        { label: spec.greater.label, compute: (p) => spec.greater.compute(p, ctx) },
        { label: spec.smaller.label, compute: (p) => spec.smaller.compute(p, ctx) },
        (a, b) => {
          const d = decideInequality(a, b, spec.margin ?? 0);
          smallestRatio = Math.min(smallestRatio, d.slack > 0 ? d.gap / d.slack : d.gap > 0 ? Infinity : -Infinity);
          return {
            verdict: d.verdict,
            extra: { note: `${d.verdict}: ${spec.greater.label} − ${spec.smaller.label}${spec.margin ? ` − ${spec.margin}` : ''} = ${fmt(d.gap)}, error bars ${fmt(d.slack)}` },
          };
        },
      );
      return {
        verdict: overall(verdicts),
        summary: `${spec.greater.label} > ${spec.smaller.label}${spec.margin ? ` + ${spec.margin}` : ''}: ${count(verdicts)} points; smallest gap/error = ${fmt(smallestRatio)}`,
        evidence,
      };
    },
  };
}

// ---------------------------------------------------------------------------

export interface LimitSpec {
  readonly id: string;
  readonly description: string;
  readonly fast: boolean;
  /** the label of g(x), e.g. "ν·(E_linear − Δ)" */
  readonly label: string;
  readonly variable: string;
  /** geometric sequence of x (increasing, ≥ 3 points), may depend on ctx.fast */
  xs(ctx: CheckContext): readonly number[];
  /** g(x) with its error */
  compute(x: number, ctx: CheckContext): Quantity;
  /** the limit the statement predicts */
  readonly predicted: number;
  /** g(x) = C + a/x^p + b/x^{2p} + …: the order p of the leading correction */
  readonly correctionOrder: number;
  /** REFUTED once |C − Ĉ| exceeds this many times the estimated uncertainty (default 10) */
  readonly refuteFactor?: number;
  readonly at?: Point;
}

export interface LimitEstimate {
  readonly estimate: number;
  /** extrapolation uncertainty: the change made by the last Richardson step, plus propagated numerical error */
  readonly uncertainty: number;
  readonly table: readonly number[][];
}

/**
 * Richardson extrapolation of g(x_k) → C for x_{k+1}/x_k = r and corrections in
 * powers of x^{−p}: R_{k,j} = (r^{jp} R_{k,j−1} − R_{k−1,j−1}) / (r^{jp} − 1).
 * The uncertainty is |R_{n,m} − R_{n,m−1}| plus the numerical errors amplified
 * by the extrapolation weights.
 */
export function richardson(xs: readonly number[], gs: readonly number[], errors: readonly number[], p: number): LimitEstimate {
  const n = xs.length;
  const r = xs[1] / xs[0];
  const table: number[][] = [gs.slice()];
  const amp: number[][] = [errors.slice()];
  for (let j = 1; j < n; j++) {
    const f = r ** (j * p);
    const prev = table[j - 1];
    const prevAmp = amp[j - 1];
    const row: number[] = [];
    const rowAmp: number[] = [];
    for (let k = 1; k < prev.length; k++) {
      row.push((f * prev[k] - prev[k - 1]) / (f - 1));
      rowAmp.push((f * prevAmp[k] + prevAmp[k - 1]) / (f - 1));
    }
    table.push(row);
    amp.push(rowAmp);
  }
  // use the deepest level that still has two entries at the level below, so the last step's change is observable
  const depth = Math.max(1, n - 2);
  const last = table[depth][table[depth].length - 1];
  const before = table[depth - 1][table[depth - 1].length - 1];
  return { estimate: last, uncertainty: Math.abs(last - before) + amp[depth][amp[depth].length - 1], table };
}

/** A limit statement g(x) → C as x → ∞, checked by Richardson extrapolation of computed values. */
export function limitCheck(spec: LimitSpec): Check {
  return {
    id: spec.id,
    kind: 'asymptotic',
    description: spec.description,
    fast: spec.fast,
    run(ctx): CheckOutcome {
      const xs = spec.xs(ctx);
      const evidence: Evidence[] = [];
      const qs: Quantity[] = [];
      for (const x of xs) {
        const at = { ...(spec.at ?? {}), [spec.variable]: x };
        const q = guarded(spec.label, at, () => spec.compute(x, ctx));
        if (!q.ok) return { verdict: 'INCONCLUSIVE', summary: `${spec.label} could not be computed at ${spec.variable}=${x}`, evidence: [...evidence, q.evidence] };
        qs.push(q.value);
        evidence.push(evidenceOf(spec.label, q.value, at));
      }
      const est = richardson(
        xs,
        qs.map((q) => q.value),
        qs.map((q) => q.error),
        spec.correctionOrder,
      );
      const miss = Math.abs(spec.predicted - est.estimate);
      const factor = spec.refuteFactor ?? 10;
      const converged = qs.every((q) => q.converged);
      const verdict: Verdict = !converged ? 'INCONCLUSIVE' : miss <= est.uncertainty ? 'CONFIRMED' : miss > factor * est.uncertainty ? 'REFUTED' : 'INCONCLUSIVE';
      evidence.push({
        label: `limit of ${spec.label} as ${spec.variable} → ∞ (Richardson, correction order ${spec.correctionOrder})`,
        value: est.estimate,
        error: est.uncertainty,
        method: `Richardson extrapolation over ${spec.variable} = ${xs.map(fmt).join(', ')}`,
        expected: spec.predicted,
        tolerance: { value: est.uncertainty, reason: `last Richardson step + propagated numerical error; REFUTED beyond ${factor}× this` },
        note: `${verdict}: statement says ${fmt(spec.predicted)}, extrapolation gives ${fmt(est.estimate)} ± ${fmt(est.uncertainty)}`,
        ...(spec.at ? { at: spec.at } : {}),
      });
      return {
        verdict,
        summary: `${spec.label} → ${fmt(est.estimate)} ± ${fmt(est.uncertainty)} (statement: ${fmt(spec.predicted)})`,
        evidence,
      };
    },
  };
}

// ---------------------------------------------------------------------------

export type PropertyOutcome = { readonly verdict: Verdict; readonly detail: string };

export interface PropertySpec<T> {
  readonly id: string;
  readonly description: string;
  readonly fast: boolean;
  readonly arbitrary: fc.Arbitrary<T>;
  /** runs (a `fast` run uses `fastRuns`) */
  readonly runs: number;
  readonly fastRuns: number;
  /** REFUTED for a counterexample, INCONCLUSIVE when the errors cannot decide */
  property(value: T, ctx: CheckContext): PropertyOutcome;
  show(value: T): string;
}

/**
 * A property over random parameters by fast-check (seeded from the context):
 * a counterexample (shrunk) refutes; undecidable runs are counted.
 */
export function propertyCheck<T>(spec: PropertySpec<T>): Check {
  return {
    id: spec.id,
    kind: 'property',
    description: spec.description,
    fast: spec.fast,
    run(ctx): CheckOutcome {
      const numRuns = ctx.fast ? spec.fastRuns : spec.runs;
      let undecided = 0;
      const undecidedExamples: string[] = [];
      let decided = 0;
      const result = fc.check(
        fc.property(spec.arbitrary, (v) => {
          const out = spec.property(v, ctx);
          if (out.verdict === 'INCONCLUSIVE') {
            undecided++;
            if (undecidedExamples.length < 3) undecidedExamples.push(`${spec.show(v)}: ${out.detail}`);
          } else if (out.verdict === 'CONFIRMED') decided++;
          return out.verdict !== 'REFUTED';
        }),
        { seed: ctx.seed, numRuns, endOnFailure: false },
      );
      if (result.failed) {
        const ce = result.counterexample ? spec.show(result.counterexample[0]) : '(none)';
        const detail = result.counterexample ? spec.property(result.counterexample[0], ctx).detail : String(result.errorInstance ?? '');
        return {
          verdict: 'REFUTED',
          summary: `counterexample after ${result.numRuns} runs (seed ${ctx.seed}, shrunk ${result.numShrinks} times): ${ce}`,
          evidence: [{ label: 'counterexample', note: `${ce}: ${detail}`, seed: ctx.seed }],
        };
      }
      const verdict: Verdict = undecided > 0 ? 'INCONCLUSIVE' : 'CONFIRMED';
      return {
        verdict,
        summary: `${numRuns} random runs (seed ${ctx.seed}): ${decided} confirmed, ${undecided} undecided within error bars, 0 counterexamples`,
        evidence: [
          { label: 'property runs', note: `${numRuns} runs, seed ${ctx.seed}, ${decided} decided, ${undecided} undecided, 0 counterexamples`, seed: ctx.seed },
          ...undecidedExamples.map((u) => ({ label: 'undecided run', note: u })),
        ],
      };
    },
  };
}

// ---------------------------------------------------------------------------

/** A check whose outcome is computed by a function (symbolic derivations, structural facts). */
export function customCheck(spec: {
  id: string;
  kind: CheckKind;
  description: string;
  fast: boolean;
  run(ctx: CheckContext): CheckOutcome;
}): Check {
  return spec;
}
