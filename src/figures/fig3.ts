import { parseInteger, parseNumber } from '../cli/parse.ts';
import { InvalidInputError } from '../errors.ts';
import { sweepSizes } from '../erm/sweep.ts';
import { computeRiskPoint, riskCommandLine, riskSpec } from './risk-point.ts';
import { ERM_COLUMNS, type ErmFigureInput, computeErmFigurePoint, ermCommandLine } from './erm-point.ts';
import { logspace } from './grid.ts';
import { wanted } from './sweep-helpers.ts';
import type { CustomJob, FigureDefinition, FigureParameter, Job, PointOutcome, PointRecord, SweepSize } from './types.ts';

/** Sequence length of the paper's Figure 3. */
const L = 3;
/** The three settings of the paper's Figure 3 (max-SLR at ν = ∞, the hard argmax). */
const SETTINGS = [
  { panel: 'spiked-nu1', task: 'spiked', nu: 1, title: 'spiked-SLR, ν = 1, L = 3' },
  { panel: 'spiked-nu2', task: 'spiked', nu: 2, title: 'spiked-SLR, ν = 2, L = 3' },
  { panel: 'max-nuinf', task: 'max', nu: Infinity, title: 'max-SLR, ν = ∞, L = 3' },
] as const;
const ACTS = ['softmax', 'linear'] as const;
const REFERENCE = { softmax: 'softmax-population', linear: 'linear-population' } as const;

/** α = N/D by default (the ladder of the long test and the benchmark); `--points n` picks n of them (more: log-spaced). */
const ALPHA_LADDER = [0.5, 1, 2, 5, 10, 20];
export const DEFAULTS = { D: 100, seeds: 3, firstSeed: 1, lambdaGrid: [0.01, 0.1, 1], testSamples: 1000, confidence: 0.95 } as const;

const PARAMETERS: readonly FigureParameter[] = [
  { key: 'D', flags: '--D <D>', description: 'token dimension D ≥ 2 (N = round(α·D))', defaultText: String(DEFAULTS.D) },
  { key: 'sqrtNd', flags: '--sqrt-nd <s>', description: 'fix √(N·D) instead of D (D = round(s/√α)), as in the paper', defaultText: 'none: fixed D' },
  { key: 'alpha', flags: '--alpha <list>', description: 'sample ratios α = N/D, comma-separated (overrides --points/--fast)', defaultText: ALPHA_LADDER.join(',') },
  { key: 'seeds', flags: '--seeds <n>', description: 'seeds (teacher, training, validation data) per point', defaultText: String(DEFAULTS.seeds) },
  { key: 'seed', flags: '--seed <first>', description: 'first seed', defaultText: String(DEFAULTS.firstSeed) },
  { key: 'lambdaGrid', flags: '--lambda-grid <list>', description: 'λ_k = λ_v tuned over this list on a validation set', defaultText: DEFAULTS.lambdaGrid.join(',') },
  { key: 'lambda', flags: '--lambda <λ>', description: 'fixed ridge penalty λ_k = λ_v instead of --lambda-grid', defaultText: 'none: tuned' },
  { key: 'testSamples', flags: '--test-samples <n>', description: 'fresh sequences per seed for the empirical check of the test risk (CSV column fresh_value)', defaultText: String(DEFAULTS.testSamples) },
];

/** The ERM settings common to every point, parsed from the figure's options (InvalidInputError on bad values). */
export function fig3Settings(size: SweepSize): Omit<ErmFigureInput, 'task' | 'nu' | 'act' | 'alpha'> & { alphas: number[] } {
  const p = size.params ?? {};
  if (p.D !== undefined && p.sqrtNd !== undefined) throw new InvalidInputError('give --D or --sqrt-nd, not both');
  if (p.lambda !== undefined && p.lambdaGrid !== undefined) throw new InvalidInputError('give --lambda or --lambda-grid, not both');
  const alphas = p.alpha !== undefined ? numberList('alpha', p.alpha) : alphaGrid(size.points);
  for (const a of alphas) if (!(a > 0) || !Number.isFinite(a)) throw new InvalidInputError(`alpha must be > 0 and finite, got ${a}`);
  const size2 = p.sqrtNd !== undefined ? { sqrtND: parseNumber('sqrt-nd', p.sqrtNd) } : { D: p.D !== undefined ? parseInteger('D', p.D, 2) : DEFAULTS.D };
  sweepSizes({ alphas, ...size2 }); // D, N ≥ 1 at every α, before any work
  const lambda = p.lambda !== undefined ? parseNumber('lambda', p.lambda) : undefined;
  if (lambda !== undefined && !(lambda >= 0)) throw new InvalidInputError(`lambda must be >= 0, got ${p.lambda}`);
  const lambdaGrid = lambda !== undefined ? undefined : p.lambdaGrid !== undefined ? numberList('lambda-grid', p.lambdaGrid) : [...DEFAULTS.lambdaGrid];
  for (const l of lambdaGrid ?? []) if (!(l >= 0) || !Number.isFinite(l)) throw new InvalidInputError(`lambda-grid entries must be >= 0, got ${l}`);
  return {
    alphas: [...new Set(alphas)],
    L,
    ...size2,
    seeds: p.seeds !== undefined ? parseInteger('seeds', p.seeds, 1) : DEFAULTS.seeds,
    firstSeed: p.seed !== undefined ? parseInteger('seed', p.seed, -Number.MAX_SAFE_INTEGER) : DEFAULTS.firstSeed,
    ...(lambdaGrid ? { lambdaGrid } : { lambda }),
    testSamples: p.testSamples !== undefined ? parseInteger('test-samples', p.testSamples, 2) : DEFAULTS.testSamples,
    confidence: DEFAULTS.confidence,
  };
}

function numberList(name: string, text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((s) => s === '')) throw new InvalidInputError(`${name} has an empty entry: ${JSON.stringify(text)}`);
  return parts.map((s) => parseNumber(name, s));
}

/** n sample ratios: n of the ladder 0.5 … 20 (evenly in index), or n log-spaced values over it when n > 6. */
export function alphaGrid(n: number): number[] {
  if (n <= ALPHA_LADDER.length) return [...new Set(Array.from({ length: n }, (_, i) => ALPHA_LADDER[Math.round((i * (ALPHA_LADDER.length - 1)) / (n - 1))]))];
  return logspace(ALPHA_LADDER[0], ALPHA_LADDER[ALPHA_LADDER.length - 1], n).map((a) => Number(a.toPrecision(3)));
}

type Fig3Input = { kind: 'erm'; erm: ErmFigureInput } | { kind: 'softmax-as-bayes'; task: string; nu: number };

/**
 * Figure 3 of the paper, recomputed: test risk of softmax and linear
 * attention trained by ridge ERM on N = αD sequences of the full model,
 * against α, with the population class risks E_σ (the α → ∞ limits, from
 * the engine of `slr risk`) as horizontal lines. Not in `all`: even at the
 * default size it is a minute of ERM fits.
 */
export const fig3: FigureDefinition = {
  id: 'fig3',
  title: 'Figure 3 (recomputed): test risk of ridge ERM against α = N/D, softmax vs linear attention, with population risks',
  subtitle: 'L = 3, Δ = 0; markers: ridge ERM, mean ± 95% Student-t interval over seeds; horizontal lines: population risks (α → ∞, slr risk)',
  subtitleOf: (records) => subtitle(records),
  caption:
    'Test risk of softmax and linear attention trained by ridge-regularised ERM (L-BFGS) on N = αD sequences of the full model, ' +
    'at L = 3 on spiked-SLR (ν = 1, 2) and max-SLR (ν = ∞), against the sample ratio α on a log axis (Result 5.1, Fig. 3). Markers are the mean over ' +
    'seeds of the exact expected test risk of each trained predictor (quadrature at its learned overlaps), with a 95% Student-t interval; the ' +
    'horizontal lines are the population class risks E_softmax and E_linear and the Bayes risk (slr risk). Softmax should lie below linear at ' +
    'every α and both approach their population values as α grows (up to the O(λ²) bias of the penalty). On max-SLR at ν = ∞ the softmax line ' +
    'is E_Bayes = 0 (Prop. 4.2; the class infimum is not attained there, |k| → ∞).',
  panels: SETTINGS.map((s) => ({
    id: s.panel,
    title: s.title,
    x: { label: 'sample ratio α = N/D (log scale)', type: 'log' as const, padding: 1.4 },
    y: { label: 'test risk', type: 'linear' as const },
  })),
  series: ['bayes', ...ACTS, REFERENCE.softmax, REFERENCE.linear],
  styles: {
    bayes: { label: 'E_Bayes (population)', color: '#000000', strokeWidth: 3.2, horizontal: true },
    softmax: { label: 'softmax, ERM', color: '#0072B2', strokeWidth: 1.5, marker: 'circle', line: false },
    linear: { label: 'linear, ERM', color: '#D55E00', strokeWidth: 1.5, marker: 'square', line: false },
    [REFERENCE.softmax]: { label: 'E_softmax, population class risk', color: '#0072B2', strokeWidth: 1.8, dash: '8 4', horizontal: true },
    [REFERENCE.linear]: { label: 'E_linear, population class risk', color: '#D55E00', strokeWidth: 1.8, dash: '3 3', horizontal: true },
  },
  columns: 3,
  defaultPoints: ALPHA_LADDER.length,
  fastPoints: 3,
  inAll: false,
  parameters: PARAMETERS,
  extraColumns: ERM_COLUMNS,
  help: [
    '  fig3 is not part of "all" (ERM fits: about a minute at the defaults on two cores). Defaults: --D 100,',
    `  --alpha ${ALPHA_LADDER.join(',')}, --seeds ${DEFAULTS.seeds}, --lambda-grid ${DEFAULTS.lambdaGrid.join(',')} (λ_k = λ_v, chosen on a validation set).`,
    '  Paper-like settings (reported: √(ND) = 10⁴, penalties by grid search; the paper\'s α grid is not known here): hours, and 3·10⁸ numbers of data at α = 20:',
    '    slr figure fig3 --out figs --sqrt-nd 10000 --alpha 0.5,1,2,5,10,20 --seeds 10 --lambda-grid 0.001,0.003,0.01,0.03,0.1,0.3,1,3',
    '  A mid-size run (tens of minutes, the setting of test/erm/figure3.long.test.ts):',
    '    slr figure fig3 --out figs --sqrt-nd 400 --seeds 20 --lambda-grid 0.01,0.03,0.1,0.3,1,3',
  ].join('\n'),
  jobs(size: SweepSize) {
    const settings = fig3Settings(size);
    const { alphas, ...common } = settings;
    const jobs: Job[] = [];
    for (const s of SETTINGS) {
      for (const act of ACTS) {
        if (!wanted(size, act)) continue;
        for (const alpha of alphas) {
          const erm: ErmFigureInput = { ...common, task: s.task, nu: s.nu, act, alpha };
          const input: Fig3Input = { kind: 'erm', erm };
          jobs.push({ kind: 'custom', panel: s.panel, series: act, x: alpha, input, command: ermCommandLine(erm), setting: riskSpec(s.task, act, String(L), s.nu) });
        }
      }
      // population references at α = ∞ (x is not plotted: horizontal lines)
      if (wanted(size, 'bayes')) jobs.push({ kind: 'risk', panel: s.panel, series: 'bayes', x: Infinity, risk: riskSpec(s.task, 'bayes', String(L), s.nu) });
      if (wanted(size, REFERENCE.linear)) jobs.push({ kind: 'risk', panel: s.panel, series: REFERENCE.linear, x: Infinity, risk: riskSpec(s.task, 'linear', String(L), s.nu) });
      if (wanted(size, REFERENCE.softmax)) {
        if (Number.isFinite(s.nu)) {
          jobs.push({ kind: 'risk', panel: s.panel, series: REFERENCE.softmax, x: Infinity, risk: riskSpec(s.task, 'softmax', String(L), s.nu) });
        } else {
          const bayes = riskSpec(s.task, 'bayes', String(L), s.nu);
          const input: Fig3Input = { kind: 'softmax-as-bayes', task: s.task, nu: s.nu };
          jobs.push({ kind: 'custom', panel: s.panel, series: REFERENCE.softmax, x: Infinity, input, command: riskCommandLine(bayes), setting: riskSpec(s.task, 'softmax', String(L), s.nu) });
        }
      }
    }
    return jobs;
  },
  computePoint(job: CustomJob): PointOutcome {
    const input = job.input as Fig3Input;
    if (input.kind === 'erm') return computeErmFigurePoint(input.erm);
    const o = computeRiskPoint(riskSpec(input.task, 'bayes', String(L), input.nu));
    return {
      ...o,
      method:
        `E_softmax = E_Bayes (Prop. 4.2, softmax at k = c_ν k*, v = v*; ν = ∞: approached as |k| → ∞, the class infimum is not attained, ` +
        `so no class minimum is computed); E_Bayes by: ${o.method}`,
    };
  },
};

/** The subtitle with the settings of the points drawn (D or N, seeds, penalties). */
function subtitle(records: readonly PointRecord[]): string {
  const erm = records.filter((r) => r.job.kind === 'custom' && r.outcome.columns?.D);
  const base = 'L = 3, Δ = 0; markers: ridge ERM, mean ± 95% Student-t interval over seeds; horizontal lines: population risks (α → ∞, slr risk)';
  if (!erm.length) return base;
  const first = (erm[0].job as CustomJob).input as Extract<Fig3Input, { kind: 'erm' }>;
  const e = first.erm;
  const size = e.D !== undefined ? `D = ${e.D}` : `√(ND) = ${e.sqrtND}`;
  const penalty = e.lambdaGrid ? `λ_k = λ_v tuned over {${e.lambdaGrid.join(', ')}}` : `λ_k = λ_v = ${e.lambda}`;
  return `${base}; ${size}, ${e.seeds} seeds, ${penalty}`;
}
