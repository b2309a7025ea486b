import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.ts';
import { csvHeader, csvRow, figureCsv } from './csv.ts';
import { svgToPng } from './png.ts';
import { toolVersions } from './provenance.ts';
import { renderFigureSvg } from './render.ts';
import { type PointPool, runSweep } from './sweep.ts';
import type { FigureDefinition, Job, PointRecord } from './types.ts';

export interface MakeFigureOptions {
  /** the figure goes to `<outDir>/<id>/` */
  readonly outDir: string;
  /** points per curve (≥ 2); default: the figure's default, or its fast size with `fast` */
  readonly points?: number;
  readonly fast?: boolean;
  /** only these series */
  readonly series?: readonly string[];
  /** the figure's own options (`FigureDefinition.parameters`), as typed */
  readonly params?: Readonly<Record<string, string>>;
  readonly workers?: number | 'auto';
  /** a worker pool shared with other figures (overrides `workers`) */
  readonly pool?: PointPool;
  /** the command line that made the figure, written to `<id>.command.txt` */
  readonly command?: string;
  readonly onPoint?: (done: number, total: number, record: PointRecord) => void;
}

export interface FigureFiles {
  readonly dir: string;
  /** rows in completion order while the sweep runs; removed when the figure is written */
  readonly partialCsv: string;
  readonly svg: string;
  readonly png: string;
  readonly csv: string;
  readonly command: string;
}

export interface FigureOutput {
  readonly id: string;
  readonly files: FigureFiles;
  readonly records: readonly PointRecord[];
  readonly points: number;
  readonly failed: number;
  readonly notConverged: number;
  readonly workers: number;
  /** computing the sweep, and rendering + writing */
  readonly sweepSeconds: number;
  readonly renderSeconds: number;
  readonly evaluations: number;
  readonly iterations: number;
}

/** The sweep of a figure for the given size options (points, fast, series, own options); unknown series or options are bad input. */
export function figureJobs(def: FigureDefinition, opts: Pick<MakeFigureOptions, 'points' | 'fast' | 'series' | 'params'>): { points: number; jobs: Job[] } {
  const points = opts.points ?? (opts.fast ? def.fastPoints : def.defaultPoints);
  if (opts.series) {
    const unknown = opts.series.filter((s) => !def.series.includes(s));
    if (unknown.length) throw new InvalidInputError(`figure ${def.id} has no series ${unknown.join(', ')} (it has: ${def.series.join(', ')})`);
  }
  const params = opts.params && Object.keys(opts.params).length ? opts.params : undefined;
  if (params) {
    const known = new Set((def.parameters ?? []).map((p) => p.key));
    const unknown = Object.keys(params).filter((k) => !known.has(k));
    if (unknown.length) throw new InvalidInputError(`figure ${def.id} has no option ${unknown.join(', ')}${known.size ? ` (it has: ${[...known].join(', ')})` : ''}`);
  }
  return { points, jobs: def.jobs({ points, ...(opts.series ? { series: opts.series } : {}), ...(params ? { params } : {}) }) };
}

export function figureFiles(outDir: string, id: string): FigureFiles {
  const dir = join(outDir, id);
  return { dir, partialCsv: join(dir, `${id}.partial.csv`), svg: join(dir, `${id}.svg`), png: join(dir, `${id}.png`), csv: join(dir, `${id}.csv`), command: join(dir, `${id}.command.txt`) };
}

/**
 * Compute a figure's sweep with the engine and write `<id>.svg`, `<id>.png`,
 * `<id>.csv` (every point with its error, method, work and convergence) and
 * `<id>.command.txt` (command line, versions, sweep size, timing).
 */
export async function makeFigure(def: FigureDefinition, opts: MakeFigureOptions): Promise<FigureOutput> {
  const { points, jobs } = figureJobs(def, opts);
  const files = figureFiles(opts.outDir, def.id);
  mkdirSync(files.dir, { recursive: true });
  // points are appended to <id>.partial.csv as they finish, so an interrupted long sweep keeps what it computed
  writeFileSync(files.partialCsv, csvHeader(def.extraColumns) + '\n');
  const sweep = await runSweep(def.id, jobs, {
    workers: opts.workers ?? 'auto',
    ...(opts.pool ? { pool: opts.pool } : {}),
    onPoint: (done, total, record) => {
      appendFileSync(files.partialCsv, csvRow(record, def.extraColumns) + '\n');
      opts.onPoint?.(done, total, record);
    },
  });
  const t0 = performance.now();
  const svg = renderFigureSvg(def, sweep.records);
  writeFileSync(files.svg, svg);
  writeFileSync(files.png, svgToPng(svg));
  writeFileSync(files.csv, figureCsv(sweep.records, def.extraColumns));
  rmSync(files.partialCsv, { force: true });
  const outcomes = sweep.records.map((r) => r.outcome);
  const output = {
    id: def.id,
    files,
    records: sweep.records,
    points,
    failed: outcomes.filter((o) => o.value === null).length,
    notConverged: outcomes.filter((o) => o.value !== null && !o.converged).length,
    workers: sweep.workers,
    sweepSeconds: sweep.seconds,
    evaluations: outcomes.reduce((s, o) => s + (o.evaluations ?? 0), 0),
    iterations: outcomes.reduce((s, o) => s + (o.iterations ?? 0), 0),
  };
  const renderSeconds = (performance.now() - t0) / 1000;
  writeFileSync(files.command, commandText(def, opts, { ...output, renderSeconds, total: sweep.records.length }));
  return { ...output, renderSeconds };
}

function commandText(def: FigureDefinition, opts: MakeFigureOptions, out: Omit<FigureOutput, 'files' | 'records'> & { total: number }): string {
  const lines = [
    opts.command ?? `(library call) makeFigure(${def.id}, ${JSON.stringify({ points: out.points, fast: opts.fast ?? false, series: opts.series ?? 'all', ...(opts.params ? { params: opts.params } : {}) })})`,
    '',
    `figure: ${def.id} — ${def.title}`,
    `points per curve: ${out.points}${opts.series ? `; series: ${opts.series.join(',')}` : ''}`,
    `points: ${out.total} (${out.failed} failed, ${out.notConverged} not converged)`,
    `work: ${out.evaluations} integrand evaluations, ${out.iterations} optimiser iterations`,
    `time: sweep ${out.sweepSeconds.toFixed(1)} s on ${out.workers} worker thread(s), render ${out.renderSeconds.toFixed(1)} s (wall clock, load-dependent)`,
    `made: ${new Date().toISOString()}`,
    'versions:',
    ...Object.entries(toolVersions()).map(([k, v]) => `  ${k} ${v}`),
  ];
  return lines.join('\n') + '\n';
}
