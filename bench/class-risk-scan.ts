/**
 * Scan of the class minimum E_σ over a grid of tasks, σ, ν, length laws and
 * Δ: for each case, converged, a NaN anywhere in the result (any number
 * field, or "NaN" in the method text), the KKT status, whether the infimum
 * was reported as a ray (m_kk* → ∞), θ on its bound, and the wall time.
 * Prints figures, asserts nothing (the regressions it found are tests in
 * test/risk/class-risk.test.ts).
 *
 *   npx tsx bench/class-risk-scan.ts [--shard i/n] [--only spiked|max] [--softplus-max]
 *
 * One JSON line per case on stdout ({case, converged, nan, kkt, ray, time…}),
 * then a summary. Run two shards in parallel on two cores and concatenate
 * the lines; `--summary FILE…` re-reads such lines and prints the summary.
 *
 * Grid: σ ∈ {linear, erf, softplus, exp} on spiked-SLR with
 * ν ∈ {0, 0.01, 1, 5, 20, 40, 80, 200}, L ∈ {1, 2, 3, 10, Unif{1,2,3}},
 * Δ ∈ {0, 0.3}; softmax (certified closed form) once per ν at L = 2, Δ = 0;
 * max-SLR ν ∈ {0.5, 2, 8, ∞}, L ∈ {2, 5} for linear, erf, exp, and one
 * softplus case (ν = 2, L = 2; ~20 s) with --softplus-max.
 */
import { readFileSync } from 'node:fs';
import { getActivation } from '../src/estimator/activations.ts';
import { type ClassRiskResult, classRisk } from '../src/risk/class-risk.ts';
import { type LengthLaw, fixedLength, lengthLaw } from '../src/task/length-law.ts';
import { type Task, maxTask, spikedTask } from '../src/task/tasks.ts';

interface Case {
  task: Task;
  act: string;
  nu: number;
  law: [string, LengthLaw];
  delta: number;
}

interface Line {
  case: string;
  task: string;
  act: string;
  nu: number;
  L: string;
  delta: number;
  converged: boolean;
  /** paths of NaN numbers in the result, or 'method' when its text says NaN */
  nan: string[];
  kkt: string;
  ray: boolean;
  value: number | null;
  error: number | null;
  mkk: number | null;
  theta: number[];
  riskEvaluations: number;
  failedEvaluations: number;
  seconds: number;
  why: string;
  threw?: string;
}

const LAWS: [string, LengthLaw][] = [
  ['1', fixedLength(1)],
  ['2', fixedLength(2)],
  ['3', fixedLength(3)],
  ['10', fixedLength(10)],
  ['U{1,2,3}', lengthLaw([1, 2, 3])],
];

function cases(argv: string[]): Case[] {
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  const out: Case[] = [];
  if (only !== 'max') {
    for (const nu of [0, 0.01, 1, 5, 20, 40, 80, 200]) out.push({ task: spikedTask, act: 'softmax', nu, law: LAWS[1], delta: 0 });
    for (const act of ['linear', 'erf', 'exp', 'softplus']) {
      for (const nu of [0, 0.01, 1, 5, 20, 40, 80, 200]) for (const law of LAWS) for (const delta of [0, 0.3]) out.push({ task: spikedTask, act, nu, law, delta });
    }
  }
  if (only !== 'spiked') {
    for (const act of ['linear', 'erf', 'exp']) {
      for (const nu of [0.5, 2, 8, Infinity]) for (const L of [2, 5]) out.push({ task: maxTask, act, nu, law: [String(L), fixedLength(L)], delta: 0 });
    }
    if (argv.includes('--softplus-max')) out.push({ task: maxTask, act: 'softplus', nu: 2, law: LAWS[1], delta: 0 });
  }
  return out;
}

/** Paths of NaN numbers anywhere in a value. */
function nanPaths(v: unknown, path = ''): string[] {
  if (typeof v === 'number') return Number.isNaN(v) ? [path || '.'] : [];
  if (typeof v === 'string') return /\bNaN\b/.test(v) ? [`${path} (text)`] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => nanPaths(x, `${path}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => nanPaths(x, path ? `${path}.${k}` : k));
  return [];
}

function kktStatus(r: ClassRiskResult): string {
  if (r.ray) return 'ray';
  if (r.bayes?.certified && r.kkt.length === 0) return 'certified';
  if (r.kkt.length === 0) return 'interior';
  return r.kkt.map((k) => (k.derivative === null ? `${k.variable}:n/a` : `${k.variable}:${k.satisfied ? 'ok' : 'FAIL'}`)).join(',');
}

function why(r: ClassRiskResult): string {
  if (r.converged) return '';
  const m = r.method.match(/NOT (?:converged|computable)[^;]*/g);
  return m ? m.join(' | ') : r.method.slice(0, 160);
}

function runCase(c: Case): Line {
  const name = `${c.task.id} ${c.act} ν=${c.nu} L=${c.law[0]} Δ=${c.delta}`;
  const base = { case: name, task: c.task.id, act: c.act, nu: c.nu, L: c.law[0], delta: c.delta };
  const t0 = performance.now();
  try {
    const r = classRisk({ task: c.task, nu: c.nu, lengths: c.law[1], delta: c.delta, act: getActivation(c.act) });
    return {
      ...base,
      converged: r.converged,
      nan: nanPaths(r),
      kkt: kktStatus(r),
      ray: r.ray !== undefined,
      value: r.value,
      error: r.error,
      mkk: r.params?.mkk ?? null,
      theta: [...(r.theta ?? [])],
      riskEvaluations: r.riskEvaluations,
      failedEvaluations: r.failedEvaluations,
      seconds: (performance.now() - t0) / 1000,
      why: why(r),
    };
  } catch (e) {
    return {
      ...base,
      converged: false,
      nan: [],
      kkt: 'threw',
      ray: false,
      value: null,
      error: null,
      mkk: null,
      theta: [],
      riskEvaluations: 0,
      failedEvaluations: 0,
      seconds: (performance.now() - t0) / 1000,
      why: '',
      threw: String(e),
    };
  }
}

function summary(lines: Line[]): void {
  const total = lines.reduce((s, l) => s + l.seconds, 0);
  console.log(`\n${lines.length} cases, ${lines.filter((l) => l.converged).length} converged, ${lines.filter((l) => l.nan.length).length} with NaN, ${lines.filter((l) => l.threw).length} threw; total ${total.toFixed(1)} s`);
  const groups = new Map<string, Line[]>();
  for (const l of lines) {
    const k = `${l.task} ${l.act}`;
    groups.set(k, [...(groups.get(k) ?? []), l]);
  }
  for (const [k, g] of groups) {
    const t = g.map((l) => l.seconds).sort((a, b) => a - b);
    console.log(
      `  ${k.padEnd(16)} ${String(g.length).padStart(3)} cases, ${String(g.filter((l) => l.converged).length).padStart(3)} converged, ${g.filter((l) => l.ray).length} rays, ` +
        `time median ${t[Math.floor(t.length / 2)].toFixed(2)} s, max ${t[t.length - 1].toFixed(2)} s`,
    );
  }
  const bad = lines.filter((l) => !l.converged || l.nan.length || l.threw);
  if (bad.length) console.log('\nnot converged / NaN / threw:');
  for (const l of bad) {
    console.log(
      `  ${l.case.padEnd(36)} ${l.kkt.padEnd(10)} E=${l.value?.toPrecision(8) ?? '—'} ±${l.error?.toExponential(1) ?? '—'} m=${l.mkk?.toPrecision(4) ?? '—'} θ=[${l.theta.map((t) => t.toPrecision(4)).join(',')}] ` +
        `${l.seconds.toFixed(1)}s ${l.nan.length ? `NaN at ${l.nan.join(',')} ` : ''}${l.threw ?? l.why}`,
    );
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--summary') {
  const lines = argv.slice(1).flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((s) => s.startsWith('{'))
      .map((s) => JSON.parse(s) as Line),
  );
  summary(lines);
} else {
  const shard = argv.includes('--shard') ? argv[argv.indexOf('--shard') + 1].split('/').map(Number) : [0, 1];
  const all = cases(argv).filter((_, i) => i % shard[1] === shard[0]);
  const lines: Line[] = [];
  for (const c of all) {
    const l = runCase(c);
    lines.push(l);
    console.log(JSON.stringify(l));
  }
  summary(lines);
}
