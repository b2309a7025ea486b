/**
 * Presentations of verification results: the terminal table, JUnit XML for CI
 * systems, the status ladder of `slr list`, and `slr inspect`'s views.
 */
import { describePoint } from './checks.ts';
import type { Claim, ClaimRecord, Derivation, Evidence, VerifyReport } from './types.ts';

function num(x: number | undefined): string {
  if (x === undefined) return '';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? Number(x.toPrecision(10)).toString() : x.toExponential(6);
}

export function evidenceLine(e: Evidence): string {
  const parts: string[] = [e.label];
  if (e.at) parts.push(`[${describePoint(e.at)}]`);
  if (e.value !== undefined) parts.push(`= ${num(e.value)}${e.error !== undefined ? ` ± ${num(e.error)}${e.confidence !== undefined ? ` (${e.confidence * 100}% CI)` : ''}` : ''}`);
  if (e.expression) parts.push(`= ${e.expression}`);
  if (e.converged === false) parts.push('(NOT converged)');
  if (e.note) parts.push(`— ${e.note}`);
  if (e.method) parts.push(`{${e.method}}`);
  return parts.join(' ');
}

const MARK: Record<string, string> = { CONFIRMED: '✓', REFUTED: '✗', INCONCLUSIVE: '?' };

export function verifyTable(report: VerifyReport, opts: { evidence?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(
    `slr verify: ${report.claims.length} claims of arXiv:${report.paper.arxiv}, seed ${report.seed}, ${report.fast ? 'fast run' : 'full run'}`,
  );
  for (const c of report.claims) {
    const expectation = c.asExpected ? 'as expected' : `EXPECTED ${c.expect}`;
    const corrected = c.correctedBy ? ` → corrected: ${c.correctedBy}` : '';
    lines.push('');
    lines.push(`${c.verdict.padEnd(12)} ${c.id}  (${c.paperRef}; ${expectation}${corrected})  ${c.seconds.toFixed(1)} s`);
    for (const k of c.checks) {
      lines.push(`  ${MARK[k.verdict]} ${k.id} [${k.kind}]: ${k.summary}`);
      if (opts.evidence || k.verdict !== 'CONFIRMED') for (const e of k.evidence) lines.push(`      ${evidenceLine(e)}`);
    }
    if (c.derivation) lines.push(`  ${c.derivation.checked ? '✓' : '✗'} derivation: ${c.derivation.steps.length} steps, ${c.derivation.checked ? 'every step re-checked numerically' : 'a step FAILED its numeric re-check'} (slr inspect ${c.id})`);
  }
  const s = report.summary;
  lines.push('');
  lines.push(
    `${s.confirmed} confirmed, ${s.refuted} refuted, ${s.inconclusive} inconclusive; ${s.asExpected}/${report.claims.length} as expected${s.unexpected.length ? ` (unexpected: ${s.unexpected.join(', ')})` : ''}; ${report.seconds.toFixed(1)} s`,
  );
  return lines.join('\n');
}

function xml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** JUnit XML: one test case per claim; it fails when the verdict differs from the declared expectation. */
export function junitXml(report: VerifyReport): string {
  const failures = report.summary.unexpected.length;
  const cases = report.claims.map((c) => {
    const out = c.checks.map((k) => `${k.verdict} ${k.id}: ${k.summary}\n${k.evidence.map((e) => `  ${evidenceLine(e)}`).join('\n')}`).join('\n');
    const failure = c.asExpected ? '' : `\n      <failure message="${xml(`verdict ${c.verdict}, expected ${c.expect}`)}" type="UnexpectedVerdict"/>`;
    return `    <testcase classname="slr.verify.${xml(c.paperRef.replace(/\s+/g, '_'))}" name="${xml(c.id)}" time="${c.seconds.toFixed(3)}">${failure}\n      <system-out>${xml(`verdict ${c.verdict} (expected ${c.expect})\n${out}`)}</system-out>\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="slr verify" tests="${report.claims.length}" failures="${failures}" time="${report.seconds.toFixed(3)}">\n  <testsuite name="arXiv:${report.paper.arxiv}" tests="${report.claims.length}" failures="${failures}" errors="0" time="${report.seconds.toFixed(3)}" timestamp="${report.startedAt}">\n    <properties>\n      <property name="seed" value="${report.seed}"/>\n      <property name="fast" value="${report.fast}"/>\n${Object.entries(report.versions).map(([k, v]) => `      <property name="${xml(k)}" value="${xml(v)}"/>`).join('\n')}\n    </properties>\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

/** How far a claim got: stated → symbolic → numeric → property-checked, or refuted/inconclusive. */
export function status(r: ClaimRecord): string {
  if (r.verdict === 'REFUTED') return 'refuted';
  const ok = (kinds: string[]) => {
    const ks = r.checks.filter((k) => kinds.includes(k.kind));
    return ks.length > 0 && ks.every((k) => k.verdict === 'CONFIRMED');
  };
  const levels = ['stated'];
  if ((r.derivation?.checked ?? false) || ok(['symbolic'])) levels.push('symbolic');
  if (ok(['quadrature', 'montecarlo', 'asymptotic', 'structural'])) levels.push('numeric');
  if (ok(['property'])) levels.push('property-checked');
  const reached = levels.join(' → ');
  return r.verdict === 'INCONCLUSIVE' ? `inconclusive (${reached})` : reached;
}

/** The dependency graph as an indented tree (each claim under the claims it uses is listed once, with its uses). */
export function graphText(claims: readonly Claim[], records?: ReadonlyMap<string, ClaimRecord>): string {
  const width = Math.max(...claims.map((c) => c.id.length));
  const lines = claims.map((c) => {
    const r = records?.get(c.id);
    const state = r ? `${r.verdict.padEnd(12)} ${r.asExpected ? '' : `(expected ${c.expect}) `}${status(r)}` : `expect ${c.expect}`;
    const uses = c.uses.length ? `  ⟵ ${c.uses.join(', ')}` : '';
    return `${c.id.padEnd(width)}  ${c.paperRef.padEnd(34)} ${state}${uses}`;
  });
  return lines.join('\n');
}

export function derivationText(d: Derivation): string {
  const lines = [`Derivation: ${d.title}`];
  d.steps.forEach((s, i) => {
    lines.push(`  ${i + 1}. ${s.label}`);
    lines.push(`       ${s.expression}`);
    lines.push(`       by ${s.justification}`);
    if (s.check) lines.push(`       ${s.check.passed ? 'checked' : 'CHECK FAILED'}: ${s.check.method} — ${s.check.detail}`);
  });
  lines.push(`  result: ${d.result.expression}`);
  lines.push(`  ${d.checked ? 'every step re-checked numerically' : 'some step failed its numeric re-check'}`);
  return lines.join('\n');
}

export function inspectText(c: Claim, derivation?: Derivation): string {
  const lines: string[] = [];
  lines.push(`${c.id}: ${c.title}`);
  lines.push(`paper: ${c.paperRef}   source: ${c.source}   expected verdict: ${c.expect}${c.correctedBy ? `   corrected by: ${c.correctedBy}` : ''}`);
  lines.push('');
  lines.push(`Statement: ${c.statement.text}`);
  lines.push(`LaTeX: ${c.statement.tex}`);
  if (c.assumptions.length) lines.push(`Assumptions:\n${c.assumptions.map((a) => `  - ${a}`).join('\n')}`);
  lines.push(`Uses: ${c.uses.length ? c.uses.join(', ') : '—'}`);
  lines.push('Tolerances:');
  for (const [k, t] of Object.entries(c.tolerances)) lines.push(`  ${k} = ${t.value}: ${t.reason}`);
  lines.push('Checks:');
  for (const k of c.checks) lines.push(`  ${k.id} [${k.kind}${k.fast ? ', fast' : ''}]: ${k.description}`);
  lines.push('');
  lines.push(derivation ? derivationText(derivation) : 'Derivation: none (the statement is checked numerically only)');
  return lines.join('\n');
}

export function inspectTex(c: Claim, derivation?: Derivation): string {
  const esc = (s: string) => s.replace(/([&%$#_{}])/g, '\\$1').replace(/~/g, '\\textasciitilde{}');
  const lines: string[] = [];
  lines.push(`% slr inspect ${c.id} --tex`);
  lines.push(`\\subsection*{${esc(c.title)} (${esc(c.paperRef)})}`);
  lines.push(`\\paragraph{Statement.} ${esc(c.statement.text)}`);
  lines.push(`\\[ ${c.statement.tex} \\]`);
  if (c.assumptions.length) lines.push(`\\paragraph{Assumptions.}\n\\begin{itemize}\n${c.assumptions.map((a) => `  \\item ${esc(a)}`).join('\n')}\n\\end{itemize}`);
  if (derivation) {
    lines.push(`\\paragraph{Derivation: ${esc(derivation.title)}.}`);
    lines.push('\\begin{enumerate}');
    for (const s of derivation.steps) {
      lines.push(`  \\item ${esc(s.label)} (${esc(s.justification)}):\n    \\[ ${s.tex} \\]${s.check ? `\n    \\emph{${s.check.passed ? 'Checked' : 'Check failed'}: ${esc(s.check.method)} --- ${esc(s.check.detail)}}` : ''}`);
    }
    lines.push('\\end{enumerate}');
    lines.push(`Result: \\[ ${derivation.result.tex} \\]`);
  }
  return lines.join('\n') + '\n';
}
