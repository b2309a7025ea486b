import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { InvalidInputError } from '../errors.ts';
import { allFigureIds, figureIds, getFigure } from '../figures/catalog.ts';
import { type FigureOutput, figureJobs, makeFigure } from '../figures/make-figure.ts';
import { type PointPool, openPool } from '../figures/sweep.ts';
import type { FigureDefinition, PointRecord } from '../figures/types.ts';
import type { Io } from './io.ts';
import { parseInteger } from './parse.ts';

export type { Io } from './io.ts';

interface FigureOptions {
  out?: string;
  points?: string;
  fast?: boolean;
  series?: string;
  workers: string;
  progress: boolean;
  list?: boolean;
  /** figures' own options, by key (FigureDefinition.parameters) */
  [key: string]: unknown;
}

/** Options shared by `slr figure` and `slr report` (which makes the figures it does not find). */
export interface FigureRunOptions {
  readonly points?: number;
  readonly fast: boolean;
  readonly series?: readonly string[];
  readonly workers: number | 'auto';
  readonly progress: boolean;
  /** figures' own options as typed, by key (each must belong to every figure made) */
  readonly params?: Readonly<Record<string, string>>;
}

export function figureCommand(io: Io): Command {
  const cmd = new Command('figure')
    .description(
      `compute a figure (${figureIds().join(', ')}, or all = ${allFigureIds().join(', ')}): SVG, PNG, the CSV of every point, and the command that made it`,
    )
    .argument('[names...]', `figure ids: ${figureIds().join(' | ')} | all`)
    .option('--out <dir>', 'output directory (each figure goes to <dir>/<name>/)')
    .option('--points <n>', 'points per curve (≥ 2; default depends on the figure)')
    .option('--fast', 'fewer points per curve (a quick look; same engine)')
    .option('--series <list>', 'only these series, e.g. bayes,linear,erf')
    .option('--workers <n>', "worker threads for the sweep: a number, or 'auto' (the cores, when the sweep is large enough)", 'auto')
    .option('--no-progress', 'no progress bar on the terminal')
    .option('--list', 'list the figures and exit');
  // each figure's own options (e.g. fig3's --D, --alpha), marked with the figure they belong to
  for (const id of figureIds()) {
    for (const p of getFigure(id).parameters ?? []) cmd.option(p.flags, `[${id}] ${p.description} (default ${p.defaultText})`);
  }
  const help = figureIds()
    .map(getFigure)
    .filter((d) => d.help)
    .map((d) => `\n${d.id}:\n${d.help}`)
    .join('\n');
  if (help) cmd.addHelpText('after', help);
  return cmd.action(async (names: string[], o: FigureOptions, c: Command) => {
    if (o.list) {
      for (const id of figureIds()) io.out(`${id.padEnd(8)} ${getFigure(id).title}${getFigure(id).inAll === false ? ' [not in all]' : ''}\n`);
      return;
    }
    if (!o.out) throw new InvalidInputError('--out <dir> is required');
    const defs = selectFigures(names);
    const run = { ...parseFigureRunOptions(o), ...figureParams(defs, o) };
    await makeFigures(defs, o.out, run, commandLine(c), io);
  });
}

/** The figures' own options that were given, by key; each must belong to every figure selected. */
function figureParams(defs: readonly FigureDefinition[], o: FigureOptions): { params?: Record<string, string> } {
  const params: Record<string, string> = {};
  for (const id of figureIds()) {
    for (const p of getFigure(id).parameters ?? []) {
      const v = o[p.key];
      if (v === undefined) continue;
      const owner = defs.find((d) => !(d.parameters ?? []).some((q) => q.key === p.key));
      if (owner) throw new InvalidInputError(`${p.flags.split(' ')[0]} is an option of ${id}, not of ${owner.id}`);
      params[p.key] = String(v);
    }
  }
  return Object.keys(params).length ? { params } : {};
}

export function selectFigures(names: readonly string[]): FigureDefinition[] {
  if (names.length === 0) throw new InvalidInputError(`name a figure: ${figureIds().join(', ')}, or all`);
  const ids = [...new Set(names.flatMap((n) => (n === 'all' ? allFigureIds() : [n])))];
  return ids.map(getFigure);
}

export function parseFigureRunOptions(o: { points?: string; fast?: boolean; series?: string; workers: string; progress: boolean }): FigureRunOptions {
  if (o.points !== undefined && o.fast) throw new InvalidInputError('give --points or --fast, not both');
  return {
    ...(o.points !== undefined ? { points: parseInteger('points', o.points, 2) } : {}),
    fast: o.fast ?? false,
    ...(o.series !== undefined ? { series: o.series.split(',').map((s) => s.trim()) } : {}),
    workers: o.workers === 'auto' ? 'auto' : parseInteger('workers', o.workers, 1),
    progress: o.progress,
  };
}

/**
 * Make the figures one after the other on one worker pool (started once for
 * all of them), printing a summary line for each.
 */
export async function makeFigures(defs: readonly FigureDefinition[], outDir: string, run: FigureRunOptions, command: string, io: Io): Promise<FigureOutput[]> {
  // bad series or sizes are reported before any work starts
  const engineJobs = defs.reduce((n, d) => n + figureJobs(d, sizeOf(run)).jobs.filter((j) => j.kind !== 'closed-form').length, 0);
  const pool = openPool(run.workers, engineJobs);
  const outputs: FigureOutput[] = [];
  try {
    for (const def of defs) {
      const output = await makeFigureWithProgress(def, outDir, run, command, pool);
      io.out(summaryLine(output) + '\n');
      outputs.push(output);
    }
  } finally {
    await pool?.close();
  }
  return outputs;
}

function sizeOf(run: FigureRunOptions): { points?: number; fast: boolean; series?: readonly string[]; params?: Readonly<Record<string, string>> } {
  return { fast: run.fast, ...(run.points !== undefined ? { points: run.points } : {}), ...(run.series ? { series: run.series } : {}), ...(run.params ? { params: run.params } : {}) };
}

/**
 * Make one figure, with a progress bar on stderr when it is a terminal (the
 * bar shows points done, elapsed time, ETA, and the last point computed).
 */
export async function makeFigureWithProgress(def: FigureDefinition, outDir: string, run: FigureRunOptions, command: string, pool?: PointPool): Promise<FigureOutput> {
  const bar =
    run.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          {
            format: `${def.id.padEnd(7)} [{bar}] {value}/{total} points | {duration_formatted} | ETA {eta_formatted} | {last}`,
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: false,
            etaBuffer: 20,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  let started = false;
  const onPoint = (done: number, total: number, r: PointRecord) => {
    if (!bar) return;
    if (!started) {
      bar.start(total, 0, { last: '' });
      started = true;
    }
    bar.update(done, { last: describePoint(r) });
  };
  try {
    return await makeFigure(def, { outDir, ...sizeOf(run), workers: run.workers, command, onPoint, ...(pool ? { pool } : {}) });
  } finally {
    if (started) bar?.stop();
  }
}

function describePoint(r: PointRecord): string {
  const { job, outcome } = r;
  if (job.kind !== 'risk') return `${job.panel} ${job.series} x=${job.x} (${outcome.seconds.toFixed(1)} s${outcome.value === null ? ', FAILED' : outcome.converged ? '' : ', NOT converged'})`;
  const s = job.risk;
  return `${s.task} ${s.act} L=${s.L} ν=${s.nu} (${outcome.seconds.toFixed(1)} s${outcome.converged ? '' : ', NOT converged'})`;
}

export function summaryLine(o: FigureOutput): string {
  const flags = [o.failed ? `${o.failed} FAILED (see the CSV column failure)` : '', o.notConverged ? `${o.notConverged} NOT converged (marked × in the figure)` : '']
    .filter(Boolean)
    .join(', ');
  return (
    `${o.id}: ${o.records.length} points (${o.points} per curve)${flags ? `, ${flags}` : ', all converged'}; ` +
    `${o.evaluations} evaluations; sweep ${o.sweepSeconds.toFixed(1)} s on ${o.workers} thread(s), render ${o.renderSeconds.toFixed(1)} s → ` +
    `${o.files.dir}/${o.id}.{svg,png,csv,command.txt}`
  );
}

/** The command line as typed (`npx slr …`), arguments quoted for a POSIX shell where needed. */
export function commandLine(cmd: Command): string {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  // commander keeps the argv it parsed on the root command (not in its typings)
  const args = ((root as unknown as { rawArgs?: string[] }).rawArgs ?? []).slice(2);
  return ['npx', 'slr', ...args.map(shellQuote)].join(' ');
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
