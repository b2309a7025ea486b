import { readFileSync } from 'node:fs';
import type { VerifyReport } from '../claims/types.ts';
import { InvalidInputError } from '../errors.ts';

const VERDICTS = ['CONFIRMED', 'REFUTED', 'INCONCLUSIVE'];
const SOURCES = ['paper', 'reported', 'derived', 'corrected'];
const KINDS = ['symbolic', 'quadrature', 'montecarlo', 'property', 'asymptotic', 'structural'];

/** Read and check the JSON written by `slr verify --json`; every defect is one `InvalidInputError` naming the field. */
export function readVerifyReport(file: string): VerifyReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError(`cannot read the verify JSON ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseVerifyReport(text, file);
}

export function parseVerifyReport(text: string, source = 'verify JSON'): VerifyReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`${source} is not JSON: ${(e as Error).message}`);
  }
  const fail = (path: string, want: string, got: unknown): never => {
    throw new InvalidInputError(`${source}: ${path} must be ${want}, got ${JSON.stringify(got) ?? String(got)}`.slice(0, 300));
  };
  const obj = (v: unknown, path: string): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(path, 'an object', v));
  const arr = (v: unknown, path: string): unknown[] => (Array.isArray(v) ? v : fail(path, 'an array', v));
  const str = (v: unknown, path: string): string => (typeof v === 'string' ? v : fail(path, 'a string', v));
  const num = (v: unknown, path: string): number => (typeof v === 'number' && Number.isFinite(v) ? v : fail(path, 'a finite number', v));
  const oneOf = (v: unknown, path: string, allowed: string[]): string => (typeof v === 'string' && allowed.includes(v) ? v : fail(path, allowed.join(' | '), v));

  const root = obj(data, 'the top level');
  const tool = obj(root.tool, 'tool');
  str(tool.name, 'tool.name');
  str(tool.version, 'tool.version');
  const paper = obj(root.paper, 'paper');
  str(paper.arxiv, 'paper.arxiv');
  str(paper.title, 'paper.title');
  str(root.startedAt, 'startedAt');
  num(root.seconds, 'seconds');
  num(root.seed, 'seed');
  if (typeof root.fast !== 'boolean') fail('fast', 'a boolean', root.fast);
  obj(root.versions, 'versions');
  const ids = new Set<string>();
  arr(root.claims, 'claims').forEach((c, i) => {
    const p = `claims[${i}]`;
    const claim = obj(c, p);
    const id = str(claim.id, `${p}.id`);
    if (ids.has(id)) fail(`${p}.id`, 'unique', id);
    ids.add(id);
    str(claim.title, `${p}.title`);
    str(claim.paperRef, `${p}.paperRef`);
    oneOf(claim.source, `${p}.source`, SOURCES);
    const st = obj(claim.statement, `${p}.statement`);
    str(st.tex, `${p}.statement.tex`);
    str(st.text, `${p}.statement.text`);
    arr(claim.assumptions, `${p}.assumptions`).forEach((a, j) => str(a, `${p}.assumptions[${j}]`));
    arr(claim.uses, `${p}.uses`).forEach((u, j) => str(u, `${p}.uses[${j}]`));
    oneOf(claim.expect, `${p}.expect`, VERDICTS);
    oneOf(claim.verdict, `${p}.verdict`, VERDICTS);
    if (typeof claim.asExpected !== 'boolean') fail(`${p}.asExpected`, 'a boolean', claim.asExpected);
    if (claim.correctedBy !== undefined) str(claim.correctedBy, `${p}.correctedBy`);
    const tols = obj(claim.tolerances, `${p}.tolerances`);
    for (const [k, t] of Object.entries(tols)) {
      const tol = obj(t, `${p}.tolerances.${k}`);
      num(tol.value, `${p}.tolerances.${k}.value`);
      str(tol.reason, `${p}.tolerances.${k}.reason`);
    }
    arr(claim.checks, `${p}.checks`).forEach((k, j) => {
      const q = `${p}.checks[${j}]`;
      const check = obj(k, q);
      str(check.id, `${q}.id`);
      oneOf(check.kind, `${q}.kind`, KINDS);
      str(check.description, `${q}.description`);
      oneOf(check.verdict, `${q}.verdict`, VERDICTS);
      str(check.summary, `${q}.summary`);
      num(check.seconds, `${q}.seconds`);
      arr(check.evidence, `${q}.evidence`).forEach((e, m) => str(obj(e, `${q}.evidence[${m}]`).label, `${q}.evidence[${m}].label`));
    });
    if (claim.derivation !== undefined) {
      const d = obj(claim.derivation, `${p}.derivation`);
      str(d.title, `${p}.derivation.title`);
      arr(d.steps, `${p}.derivation.steps`).forEach((s, j) => {
        const step = obj(s, `${p}.derivation.steps[${j}]`);
        for (const f of ['label', 'expression', 'tex', 'justification']) str(step[f], `${p}.derivation.steps[${j}].${f}`);
      });
      const r = obj(d.result, `${p}.derivation.result`);
      str(r.tex, `${p}.derivation.result.tex`);
    }
  });
  const s = obj(root.summary, 'summary');
  for (const k of ['confirmed', 'refuted', 'inconclusive', 'asExpected']) num(s[k], `summary.${k}`);
  arr(s.unexpected, 'summary.unexpected');
  return data as VerifyReport;
}
