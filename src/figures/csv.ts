import { InvalidInputError } from '../errors.ts';
import { riskCommandLine } from './risk-point.ts';
import type { PointRecord } from './types.ts';

/**
 * Columns of a figure's CSV: one row per plotted point (and per failed
 * point), with how it was obtained. `error` is an absolute error bound
 * (error_kind bound), a CI half-width (ci-half-width, see confidence) or 0
 * (exact); `command` re-runs the point with `slr risk` (for custom points the
 * command the figure gives, e.g. `slr erm`; empty for closed forms). A figure
 * may add its own columns after these (`FigureDefinition.extraColumns`). Numbers are written in full (shortest round-trip form).
 */
export const CSV_COLUMNS = [
  'figure', 'panel', 'series', 'x', 'value', 'error', 'error_kind', 'confidence', 'method', 'converged',
  'evaluations', 'iterations', 'samples', 'seconds', 'failure',
  'task', 'act', 'L', 'L_weights', 'nu', 'delta', 'family', 'command',
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** The header line (no line break): the shared columns, then the figure's own. */
export function csvHeader(extraColumns: readonly string[] = []): string {
  return [...CSV_COLUMNS, ...extraColumns].map(field).join(',');
}

export function figureCsv(records: readonly PointRecord[], extraColumns: readonly string[] = []): string {
  return [csvHeader(extraColumns), ...records.map((r) => csvRow(r, extraColumns))].join('\n') + '\n';
}

/** One CSV line (no line break) for a point; `extraColumns` come from `outcome.columns` (empty when absent). */
export function csvRow(r: PointRecord, extraColumns: readonly string[] = []): string {
  const { job, outcome: o } = r;
  const risk = job.kind === 'risk' ? job.risk : job.kind === 'custom' ? job.setting : undefined;
  const row: Record<CsvColumn, string> = {
    figure: r.figure,
    panel: job.panel,
    series: job.series,
    x: num(job.x),
    value: num(o.value),
    error: num(o.error),
    error_kind: o.errorKind,
    confidence: num(o.confidence),
    method: o.method,
    converged: String(o.converged),
    evaluations: num(o.evaluations),
    iterations: num(o.iterations),
    samples: num(o.samples),
    seconds: o.seconds.toFixed(3),
    failure: o.failure ?? '',
    task: risk?.task ?? '',
    act: risk?.act ?? '',
    L: risk?.L ?? '',
    L_weights: risk?.LWeights ?? '',
    nu: risk?.nu ?? '',
    delta: risk?.delta ?? '',
    family: risk?.family ?? '',
    command: job.kind === 'risk' ? riskCommandLine(job.risk) : job.kind === 'custom' ? (job.command ?? '') : '',
  };
  return [...CSV_COLUMNS.map((c) => field(row[c])), ...extraColumns.map((c) => field(o.columns?.[c] ?? ''))].join(',');
}

function num(x: number | null | undefined): string {
  if (x === null || x === undefined) return '';
  return Number.isFinite(x) ? String(x) : x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
}

/** RFC 4180: quote fields with a comma, quote or line break; double inner quotes. */
function field(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Parse RFC 4180 CSV with a header row into records keyed by column name. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cur);
      cur = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cur);
      rows.push(row);
      row = [];
      cur = '';
    } else cur += c;
  }
  if (quoted) throw new InvalidInputError('CSV ends inside a quoted field');
  if (cur !== '' || row.length) {
    row.push(cur);
    rows.push(row);
  }
  if (rows.length === 0) return [];
  const [header, ...body] = rows;
  return body.map((r, k) => {
    if (r.length !== header.length) throw new InvalidInputError(`CSV row ${k + 2} has ${r.length} fields, the header has ${header.length}`);
    return Object.fromEntries(header.map((h, j) => [h, r[j]]));
  });
}
