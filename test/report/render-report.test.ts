import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { afterAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/claims/types.ts';
import { getFigure } from '../../src/figures/catalog.ts';
import { renderFigureSvg } from '../../src/figures/render.ts';
import { type ReportFigure, renderReport } from '../../src/report/render-report.ts';
import { loadFixture, texStrings } from './fixture.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'slr-report-'));
  dirs.push(d);
  return d;
}

/** a figure made from synthetic outcomes: the page's structure, not the numbers, is under test here */
function syntheticFigure(): ReportFigure {
  const def = getFigure('rates');
  const records = def.jobs({ points: 2 }).map((job) => ({ figure: 'rates', job, outcome: { value: 0.1 / (1 + job.x), error: 1e-6, errorKind: 'bound' as const, method: 'synthetic', converged: true, seconds: 0 } }));
  return { id: 'rates', title: def.title, caption: def.caption, svg: renderFigureSvg(def, records), provenance: 'npx slr figure rates', summary: 'synthetic', links: [{ label: 'PNG', href: 'figures/rates/rates.png' }] };
}

function render(report: VerifyReport, figures: ReportFigure[] = [syntheticFigure()]) {
  const dir = outDir();
  const result = renderReport(report, figures, dir);
  const html = readFileSync(result.path, 'utf8');
  return { result, html, document: parseHTML(html).document };
}

describe('renderReport', () => {
  const fixture = loadFixture();
  const { result, html, document } = render(fixture);

  it('should render every claim with its verdict', () => {
    for (const c of fixture.claims) {
      const el = document.querySelector(`article[data-claim-id="${c.id}"]`);
      expect(el, c.id).not.toBeNull();
      expect(el!.getAttribute('data-verdict')).toBe(c.verdict);
      expect(el!.textContent).toContain(c.statement.text);
    }
    expect(result.claims).toBe(fixture.claims.length);
  });

  it('should typeset every TeX string of the report without a KaTeX error', () => {
    expect(result.texErrors).toEqual([]);
    expect(document.querySelectorAll('.katex-error')).toHaveLength(0);
    expect(document.querySelectorAll('.katex')).toHaveLength(texStrings(fixture).length);
  });

  it('should show the evidence with its error, the kind of error, method, work and convergence', () => {
    const text = document.querySelector('#claim-bayes-risk')!.textContent!;
    expect(text).toContain('± 7.87e-14 (error bound)');
    expect(text).toContain('± 3.88e-3 (99.90% CI half-width)');
    expect(text).toContain('153468 evaluations');
    expect(text).toContain('200000 samples, seed 7');
    expect(text).toContain('half-width of the 99.9% CLT interval: false-failure probability 1e-3');
    const inconclusive = document.querySelector('[data-check-id="optimum-residuals"]')!;
    expect(inconclusive.querySelector('.bad')!.textContent).toBe('NO'); // not converged, said so
  });

  it('should link a refuted reported statement to its corrected claim and back', () => {
    const refuted = document.querySelector('#claim-cor-4\\.3-spiked .corrected-by')!;
    expect(refuted.querySelector('a')!.getAttribute('href')).toBe('#claim-cor-4.3-spiked-corrected');
    const corrected = document.querySelector('#claim-cor-4\\.3-spiked-corrected .corrects')!;
    expect(corrected.querySelector('a')!.getAttribute('href')).toBe('#claim-cor-4.3-spiked');
  });

  it('should show the derivation steps with their justification and re-check', () => {
    const steps = document.querySelectorAll('#claim-linear-gap .derivation li.step');
    expect(steps).toHaveLength(fixture.claims.find((c) => c.id === 'linear-gap')!.derivation!.steps.length);
    expect(steps[1].textContent).toContain('Isserlis/Wick');
    expect(steps[1].textContent).toContain('re-checked (quadrature at 5 random (m, R)): held');
  });

  it('should name the claims whose verdict differs from the expected one', () => {
    expect(document.querySelector('header .unexpected')!.textContent).toContain('others-gap');
  });

  it('should include every figure inline', () => {
    const fig = document.querySelector('figure[data-figure-id="rates"]')!;
    expect(fig.querySelector('svg')).not.toBeNull();
    expect(fig.querySelector('figcaption')!.textContent).toContain('Cor. 4.3');
  });

  it('should need no network: fonts inlined as data URLs, no script, no remote resource', () => {
    const fontFaces = html.match(/@font-face/g)!.length;
    expect(fontFaces).toBeGreaterThan(10);
    expect(html.match(/url\(data:font\/woff2;base64,/g)).toHaveLength(fontFaces);
    expect(html).not.toMatch(/url\((?!data:)/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\ssrc="(?!data:)/);
    expect(html).not.toMatch(/<link\b/i);
  });

  it('should escape text from the JSON', () => {
    const report = { ...fixture, claims: [{ ...fixture.claims[0], title: '<script>alert(1)</script> & "x"' }] };
    const out = render(report);
    expect(out.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;');
    expect(out.html).not.toContain('<script>alert');
  });

  it('should detect TeX that fails to typeset, say where, and still write the page', () => {
    const bad = { ...fixture, claims: [{ ...fixture.claims[0], statement: { tex: '\\frac{1}{', text: 'broken' } }] };
    const out = render(bad);
    expect(out.result.texErrors).toHaveLength(1);
    expect(out.result.texErrors[0].where).toBe(`claim ${fixture.claims[0].id}, statement`);
    expect(out.result.texErrors[0].message).toMatch(/ParseError/);
    expect(out.document.querySelectorAll('.katex-error')).toHaveLength(1);
  });

  it('should say so when there are no figures', () => {
    const out = render(fixture, []);
    expect(out.document.querySelector('#figures')!.textContent).toContain('No figures were included');
  });
});
