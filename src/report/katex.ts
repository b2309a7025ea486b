import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import katex from 'katex';
import { packageDir } from '../figures/provenance.ts';

/** A TeX string KaTeX could not typeset (error) or typeset under protest (strict-mode warning). */
export interface TexProblem {
  /** where in the report, e.g. "claim bayes-risk, statement" */
  readonly where: string;
  readonly tex: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/**
 * Server-side KaTeX with problems collected instead of thrown: with
 * throwOnError false KaTeX renders a bad expression as a red
 * `span.katex-error` (so the page still shows its source); each such span, and
 * each strict-mode warning, is recorded here.
 */
export class TexRenderer {
  readonly problems: TexProblem[] = [];

  render(tex: string, where: string, displayMode: boolean): string {
    const html = katex.renderToString(tex, {
      displayMode,
      throwOnError: false,
      output: 'htmlAndMathml',
      strict: (code: string, message: string) => {
        this.problems.push({ where, tex, message: `${code}: ${message}`, severity: 'warning' });
        return 'ignore';
      },
    });
    const error = /class="katex-error"[^>]*title="([^"]*)"/.exec(html);
    if (error) this.problems.push({ where, tex, message: decodeEntities(error[1]), severity: 'error' });
    return html;
  }

  get errors(): TexProblem[] {
    return this.problems.filter((p) => p.severity === 'error');
  }
}

function decodeEntities(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * KaTeX's stylesheet with every font inlined as a woff2 data URL (the woff
 * and ttf fallbacks are dropped: every browser that renders the page reads
 * woff2), so the page needs no other file and no network, also from file://.
 */
export function katexCssInline(): string {
  const dir = join(packageDir('katex') ?? 'node_modules/katex', 'dist');
  const css = readFileSync(join(dir, 'katex.min.css'), 'utf8');
  const out = css.replace(/src:([^;}]+)/g, (_whole, sources: string) => {
    const woff2 = /url\((fonts\/[^)]+\.woff2)\)/.exec(sources);
    if (!woff2) throw new Error(`KaTeX stylesheet: a @font-face without a woff2 source: ${sources.slice(0, 80)}`);
    const data = readFileSync(join(dir, woff2[1])).toString('base64');
    return `src:url(data:font/woff2;base64,${data}) format("woff2")`;
  });
  if (/url\(fonts\//.test(out)) throw new Error('KaTeX stylesheet: a font reference was left outside @font-face src');
  return out;
}

export function katexVersion(): string {
  return katex.version;
}
