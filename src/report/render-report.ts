import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckRecord, ClaimRecord, Derivation, Evidence, Verdict, VerifyReport } from '../claims/types.ts';
import { formatSci, formatWithError } from '../cli/format.ts';
import { escapeXml as esc } from '../figures/escape.ts';
import { katexCssInline, katexVersion, type TexProblem, TexRenderer } from './katex.ts';
import { REPORT_CSS } from './style.ts';

/** A figure as the report shows it: the SVG inline, the files beside it linked. */
export interface ReportFigure {
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  /** standalone SVG document text (inlined in the page) */
  readonly svg: string;
  /** the command that made it and its provenance (the figure's command.txt) */
  readonly provenance: string;
  /** one line: points, failures, convergence */
  readonly summary: string;
  /** links relative to the report's directory (PNG, CSV, command) */
  readonly links: readonly { readonly label: string; readonly href: string }[];
}

export interface RenderedReport {
  readonly path: string;
  readonly bytes: number;
  readonly claims: number;
  readonly figures: number;
  /** every TeX string KaTeX could not typeset (the page shows them in red) */
  readonly texErrors: readonly TexProblem[];
  readonly texWarnings: readonly TexProblem[];
}

export const REPORT_FILE = 'index.html';

/**
 * Write `<outDir>/index.html`: one self-contained page (KaTeX typeset
 * server-side, its CSS and fonts inlined, figures inlined as SVG; no script,
 * no network) with the run's summary, every claim (statement, verdict against
 * the expected one, assumptions, dependencies, tolerances, checks with their
 * evidence, derivation steps) and the figures. TeX that fails to typeset is
 * shown in red on the page and returned in `texErrors`.
 */
export function renderReport(report: VerifyReport, figures: readonly ReportFigure[], outDir: string): RenderedReport {
  const tex = new TexRenderer();
  const ids = new Set(report.claims.map((c) => c.id));
  const corrects = new Map<string, string[]>();
  for (const c of report.claims) if (c.correctedBy) corrects.set(c.correctedBy, [...(corrects.get(c.correctedBy) ?? []), c.id]);

  const body = [
    header(report),
    nav(report, figures),
    summaryTable(report),
    `<section id="claims"><h2>Claims</h2>${report.claims.map((c) => claimHtml(c, tex, ids, corrects.get(c.id) ?? [])).join('\n')}</section>`,
    figuresHtml(figures),
    footer(report),
  ].join('\n');
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(`Verification report — ${report.paper.title} (arXiv:${report.paper.arxiv})`)}</title>`,
    `<style>${katexCssInline()}</style>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    body,
    '</body>',
    '</html>',
  ].join('\n');
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, REPORT_FILE);
  writeFileSync(path, html);
  return {
    path,
    bytes: Buffer.byteLength(html),
    claims: report.claims.length,
    figures: figures.length,
    texErrors: tex.errors,
    texWarnings: tex.problems.filter((p) => p.severity === 'warning'),
  };
}

function header(r: VerifyReport): string {
  const s = r.summary;
  const unexpected = s.unexpected.length
    ? `<p class="unexpected">Verdicts different from the expected ones: ${s.unexpected.map((id) => `<a href="#claim-${esc(id)}">${esc(id)}</a>`).join(', ')}</p>`
    : '<p class="as-expected">Every verdict is the expected one.</p>';
  return `<header>
<h1>Verification report</h1>
<p class="paper">${esc(r.paper.title)} — <a href="https://arxiv.org/abs/${esc(r.paper.arxiv)}">arXiv:${esc(r.paper.arxiv)}</a></p>
<p class="counts">${verdictBadge('CONFIRMED')} ${s.confirmed} &nbsp; ${verdictBadge('REFUTED')} ${s.refuted} &nbsp; ${verdictBadge('INCONCLUSIVE')} ${s.inconclusive} &nbsp; · ${s.asExpected} of ${r.claims.length} as expected</p>
${unexpected}
<p class="run">${esc(r.tool.name)} ${esc(r.tool.version)} · started ${esc(r.startedAt)} · ${r.seconds.toFixed(1)} s · seed ${r.seed} · ${r.fast ? 'fast run (fewer points and samples)' : 'full run'}</p>
</header>`;
}

function nav(r: VerifyReport, figures: readonly ReportFigure[]): string {
  const claims = r.claims.map((c) => `<li><a href="#claim-${esc(c.id)}">${esc(c.id)}</a> ${verdictBadge(c.verdict)}</li>`).join('');
  const figs = figures.map((f) => `<li><a href="#figure-${esc(f.id)}">${esc(f.id)}</a></li>`).join('');
  return `<nav><h2>Contents</h2><ol><li><a href="#summary">Summary</a></li><li><a href="#claims">Claims</a><ol>${claims}</ol></li><li><a href="#figures">Figures</a><ol>${figs}</ol></li><li><a href="#versions">Versions</a></li></ol></nav>`;
}

function summaryTable(r: VerifyReport): string {
  const rows = r.claims
    .map(
      (c) =>
        `<tr><td><a href="#claim-${esc(c.id)}">${esc(c.id)}</a></td><td>${esc(c.title)}</td><td>${esc(c.paperRef)}</td><td>${esc(c.source)}</td>` +
        `<td>${verdictBadge(c.expect)}</td><td>${verdictBadge(c.verdict)}</td><td>${c.asExpected ? 'yes' : '<strong class="bad">NO</strong>'}</td><td class="num">${c.seconds.toFixed(2)}</td></tr>`,
    )
    .join('\n');
  return `<section id="summary"><h2>Summary</h2><table class="summary"><thead><tr><th>claim</th><th>title</th><th>paper</th><th>source</th><th>expected</th><th>verdict</th><th>as expected</th><th>seconds</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function claimHtml(c: ClaimRecord, tex: TexRenderer, ids: Set<string>, corrects: readonly string[]): string {
  const link = (id: string) => (ids.has(id) ? `<a href="#claim-${esc(id)}">${esc(id)}</a>` : `${esc(id)} <em>(not in this report)</em>`);
  const relations: string[] = [];
  if (c.uses.length) relations.push(`<p class="uses">Rests on: ${c.uses.map(link).join(', ')}</p>`);
  if (c.correctedBy) relations.push(`<p class="corrected-by">This statement is superseded by the corrected claim ${link(c.correctedBy)}.</p>`);
  if (corrects.length) relations.push(`<p class="corrects">Corrects the reported statement ${corrects.map(link).join(', ')}.</p>`);
  const tolerances = Object.entries(c.tolerances);
  return `<article class="claim verdict-${c.verdict.toLowerCase()}" id="claim-${esc(c.id)}" data-claim-id="${esc(c.id)}" data-verdict="${c.verdict}">
<h3>${esc(c.title)} <span class="claim-id">${esc(c.id)}</span></h3>
<p class="meta">${esc(c.paperRef)} · source: <span class="source source-${esc(c.source)}">${esc(c.source)}</span> · verdict ${verdictBadge(c.verdict)} · expected ${verdictBadge(c.expect)}${c.asExpected ? '' : ' <strong class="bad">(verdict differs from the expected one)</strong>'} · ${c.seconds.toFixed(2)} s</p>
<div class="statement">${tex.render(c.statement.tex, `claim ${c.id}, statement`, true)}<p class="statement-text">${esc(c.statement.text)}</p></div>
${c.assumptions.length ? `<h4>Assumptions</h4><ul class="assumptions">${c.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>` : ''}
${relations.join('\n')}
${tolerances.length ? `<h4>Tolerances</h4><table class="tolerances"><thead><tr><th>name</th><th>value</th><th>why this size</th></tr></thead><tbody>${tolerances.map(([k, t]) => `<tr><td>${esc(k)}</td><td class="num">${formatSci(t.value)}</td><td>${esc(t.reason)}</td></tr>`).join('')}</tbody></table>` : ''}
<h4>Checks</h4>
${c.checks.length ? c.checks.map((k) => checkHtml(c, k, tex)).join('\n') : '<p class="bad">No check ran for this claim.</p>'}
${c.derivation ? derivationHtml(c, c.derivation, tex) : ''}
</article>`;
}

function checkHtml(c: ClaimRecord, k: CheckRecord, tex: TexRenderer): string {
  const rows = k.evidence.map((e, i) => evidenceRow(e, tex, `claim ${c.id}, check ${k.id}, evidence ${i + 1}`)).join('');
  return `<div class="check verdict-${k.verdict.toLowerCase()}" data-check-id="${esc(k.id)}">
<p><strong>${esc(k.id)}</strong> <span class="kind">${esc(k.kind)}</span> ${verdictBadge(k.verdict)} <span class="seconds">${k.seconds.toFixed(2)} s</span></p>
<p class="description">${esc(k.description)}</p>
<p class="check-summary">${esc(k.summary)}</p>
${k.evidence.length ? `<table class="evidence"><thead><tr><th>evidence</th><th>value</th><th>expected / tolerance</th><th>method and work</th><th>converged</th><th>at</th></tr></thead><tbody>${rows}</tbody></table>` : ''}
</div>`;
}

function evidenceRow(e: Evidence, tex: TexRenderer, where: string): string {
  let value = '';
  if (e.value !== undefined) {
    const err = e.error;
    const kind = e.confidence !== undefined ? `${(e.confidence * 100).toPrecision(4)}% CI half-width` : 'error bound';
    value = err !== undefined ? `${esc(formatWithError(e.value, err))} <span class="err">± ${esc(formatSci(err))} (${kind})</span>` : esc(String(e.value));
  }
  if (e.tex) value += `<div class="ev-tex">${tex.render(e.tex, where, false)}</div>`;
  else if (e.expression) value += `<code>${esc(e.expression)}</code>`;
  if (e.note) value += `<div class="note">${esc(e.note)}</div>`;
  const expected = [
    e.expected !== undefined ? `expected ${esc(String(e.expected))}` : '',
    e.value !== undefined && e.expected !== undefined ? `difference ${esc(formatSci(e.value - e.expected))}` : '',
    e.tolerance ? `tolerance ${esc(formatSci(e.tolerance.value))} <span class="reason">(${esc(e.tolerance.reason)})</span>` : '',
  ]
    .filter(Boolean)
    .join('<br>');
  const work = [
    e.evaluations !== undefined ? `${e.evaluations} evaluations` : '',
    e.samples !== undefined ? `${e.samples} samples` : '',
    e.iterations !== undefined ? `${e.iterations} iterations` : '',
    e.seed !== undefined ? `seed ${e.seed}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const method = [e.method ? esc(e.method) : '', work ? `<span class="work">${esc(work)}</span>` : ''].filter(Boolean).join('<br>');
  const converged = e.converged === undefined ? '' : e.converged ? 'yes' : '<strong class="bad">NO</strong>';
  const at = e.at ? Object.entries(e.at).map(([k, v]) => `${esc(k)} = ${esc(String(v))}`).join(', ') : '';
  return `<tr><td>${esc(e.label)}</td><td>${value}</td><td>${expected}</td><td>${method}</td><td>${converged}</td><td>${at}</td></tr>`;
}

function derivationHtml(c: ClaimRecord, d: Derivation, tex: TexRenderer): string {
  const steps = d.steps
    .map((s, i) => {
      const check = s.check
        ? `<p class="step-check ${s.check.passed ? 'good' : 'bad'}">re-checked (${esc(s.check.method)}): ${s.check.passed ? 'held' : 'FAILED'} — ${esc(s.check.detail)}</p>`
        : '';
      return `<li class="step"><p class="step-label"><strong>${esc(s.label)}</strong> <span class="justification">${esc(s.justification)}</span></p>${tex.render(s.tex, `claim ${c.id}, derivation step ${i + 1}`, true)}${check}</li>`;
    })
    .join('\n');
  return `<section class="derivation"><h4>Derivation: ${esc(d.title)} ${d.checked ? '<span class="good">(every step re-checked)</span>' : '<span class="bad">(not every step re-checked)</span>'}</h4>
<ol>${steps}</ol>
<div class="result"><p>Result:</p>${tex.render(d.result.tex, `claim ${c.id}, derivation result`, true)}</div></section>`;
}

function figuresHtml(figures: readonly ReportFigure[]): string {
  if (figures.length === 0) return '<section id="figures"><h2>Figures</h2><p>No figures were included in this report.</p></section>';
  const items = figures
    .map(
      (f) => `<figure class="slr-figure" id="figure-${esc(f.id)}" data-figure-id="${esc(f.id)}">
<div class="svg-wrap">${stripXmlProlog(f.svg)}</div>
<figcaption><p><strong>${esc(f.id)}.</strong> ${esc(f.caption)}</p><p class="fig-summary">${esc(f.summary)}</p>
<p class="links">${f.links.map((l) => `<a href="${esc(l.href)}">${esc(l.label)}</a>`).join(' · ')}</p>
<details><summary>How it was made</summary><pre>${esc(f.provenance)}</pre></details></figcaption>
</figure>`,
    )
    .join('\n');
  return `<section id="figures"><h2>Figures</h2>${items}</section>`;
}

function footer(r: VerifyReport): string {
  const versions = { ...r.versions, katex: katexVersion() };
  return `<footer id="versions"><h2>Versions</h2><table class="versions"><tbody>${Object.entries(versions)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`)
    .join('')}</tbody></table><p>Typeset with KaTeX ${esc(katexVersion())} at build time; fonts and styles are inlined, so this page needs no network.</p></footer>`;
}

function verdictBadge(v: Verdict): string {
  return `<span class="badge badge-${v.toLowerCase()}">${v}</span>`;
}

function stripXmlProlog(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '').replace(/<!DOCTYPE[^>]*>\s*/i, '');
}
