/**
 * The CSV file of an ERM sweep: one row per completed point, written as each
 * point finishes, so an interrupted run keeps its work and a rerun with the
 * same file skips the points already there (`pointKey` decides "same").
 *
 * Format: RFC 4180 (comma-separated, fields with a comma, quote or newline
 * quoted, quotes doubled), a header row of the ErmPoint field names in
 * CSV_COLUMNS order; numbers in JavaScript's shortest round-trip form
 * (`Infinity`, `NaN` as such); θ as a ';'-separated list; booleans as
 * true/false. A file whose header differs is refused rather than mixed.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { InvalidInputError } from '../errors.ts';
import type { ErmPoint } from './point.ts';

export const CSV_COLUMNS = [
  'task', 'nu', 'L', 'delta', 'act', 'D', 'N', 'alpha', 'seed', 'init', 'lambdaK', 'lambdaV', 'lambdaGrid', 'lambdaGridMode',
  'validationSamples', 'testSamples', 'confidence', 'gTol', 'maxIterations', 'quadrature',
  'lambdaKUsed', 'lambdaVUsed', 'validationLoss', 'trainLoss', 'objective', 'testRisk', 'testRiskError',
  'testRiskEmpirical', 'testRiskEmpiricalError', 'mkk', 'mkv', 'mvk', 'mvv', 'qkk', 'qvv', 'qkv', 'theta',
  'iterations', 'evaluations', 'fits', 'converged', 'message', 'gradient', 'seconds',
] as const satisfies readonly (keyof ErmPoint)[];

const STRING_COLUMNS = new Set<string>(['task', 'L', 'act', 'init', 'lambdaGrid', 'lambdaGridMode', 'message', 'gradient']);

function quote(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

function cell(p: ErmPoint, column: (typeof CSV_COLUMNS)[number]): string {
  const v = p[column];
  if (column === 'theta') return (v as readonly number[]).map(String).join(';');
  return String(v);
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\n';
}

export function csvRow(p: ErmPoint): string {
  return CSV_COLUMNS.map((c) => quote(cell(p, c))).join(',') + '\n';
}

/** Split CSV text into rows of fields (RFC 4180 quoting). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
    i++;
  }
  if (quoted) throw new InvalidInputError('CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function parseNumberCell(text: string, column: string, line: number): number {
  const x = Number(text);
  if (text.trim() === '' || (Number.isNaN(x) && text !== 'NaN')) throw new InvalidInputError(`CSV line ${line}: ${column} is not a number: ${JSON.stringify(text)}`);
  return x;
}

/** The points of a CSV text (header checked; a trailing incomplete row — an interrupted write — is dropped). */
export function parseErmCsv(text: string, name = 'CSV'): ErmPoint[] {
  const rows = parseCsv(text);
  if (rows.length === 0) return [];
  const header = rows[0];
  if (header.join(',') !== CSV_COLUMNS.join(',')) {
    throw new InvalidInputError(`${name} does not have the columns of an slr erm CSV (use another file, or remove it to start over)`);
  }
  const points: ErmPoint[] = [];
  for (let r = 1; r < rows.length; r++) {
    const fields = rows[r];
    if (fields.length === 1 && fields[0] === '') continue;
    if (fields.length !== CSV_COLUMNS.length) {
      if (r === rows.length - 1 && !text.endsWith('\n')) break; // the last write was interrupted
      throw new InvalidInputError(`${name} line ${r + 1}: ${fields.length} fields, expected ${CSV_COLUMNS.length}`);
    }
    const rec: Record<string, unknown> = {};
    CSV_COLUMNS.forEach((c, j) => {
      const t = fields[j];
      if (STRING_COLUMNS.has(c)) rec[c] = t;
      else if (c === 'theta') rec[c] = t === '' ? [] : t.split(';').map((s) => parseNumberCell(s, c, r + 1));
      else if (c === 'converged' || c === 'quadrature') {
        if (t !== 'true' && t !== 'false') throw new InvalidInputError(`${name} line ${r + 1}: ${c} must be true or false, got ${JSON.stringify(t)}`);
        rec[c] = t === 'true';
      } else rec[c] = parseNumberCell(t, c, r + 1);
    });
    points.push(rec as unknown as ErmPoint);
  }
  return points;
}

/** The points already in `path` (none when it does not exist). */
export function readErmCsv(path: string): ErmPoint[] {
  if (!existsSync(path)) return [];
  return parseErmCsv(readFileSync(path, 'utf8'), path);
}

/**
 * A writer appending one row per point to `path`: creates the file with its
 * header when absent or empty; a file left with an incomplete last line by an
 * interrupted run is truncated to its complete rows first.
 */
export function ermCsvWriter(path: string): (p: ErmPoint) => void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (text === '') writeFileSync(path, csvHeader());
  else {
    parseErmCsv(text, path); // refuse a foreign file before appending to it
    if (!text.endsWith('\n')) writeFileSync(path, text.slice(0, text.lastIndexOf('\n') + 1));
  }
  return (p) => appendFileSync(path, csvRow(p));
}
