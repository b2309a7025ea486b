import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, runCli as run } from '../figures/cli.ts';
import { makeSmallFigure } from '../figures/small-figure.ts';
import { FIXTURE_PATH, loadFixture } from './fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'slr-reportcmd-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('slr report: bad input', () => {
  const notJson = join(root, 'not.json');
  const badVerdict = join(root, 'bad-verdict.json');
  beforeAll(() => {
    writeFileSync(notJson, 'verdict: yes');
    const j = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8'));
    j.claims[2].verdict = 'PROBABLY';
    writeFileSync(badVerdict, JSON.stringify(j));
  });

  it.each([
    [['report', '--verify-json', FIXTURE_PATH], /--out <dir> is required/],
    [['report', '--out', 'x', '--seed', 'abc'], /seed must be a number/],
    [['report', '--out', 'x', '--verify-json', '/nonexistent.json'], /cannot read the verify JSON \/nonexistent.json: ENOENT/],
    [['report', '--out', 'x', '--verify-json', notJson], /is not JSON/],
    [['report', '--out', 'x', '--verify-json', badVerdict], /claims\[2\]\.verdict must be CONFIRMED \| REFUTED \| INCONCLUSIVE, got "PROBABLY"/],
    [['report', '--out', 'x', '--verify-json', FIXTURE_PATH, '--figures', 'fig7'], /unknown figure "fig7"/],
    [['report', '--out', 'x', '--verify-json', FIXTURE_PATH, '--points', '0'], /points must be >= 2/],
  ])('should print one line and exit 2 for %j', async (args, message) => {
    const r = await run(args as string[]);
    expectUsageError(r, message as RegExp);
    expect(existsSync('x')).toBe(false); // nothing written on bad input
  });

  it('should write the page but exit 2 naming the first TeX that failed to typeset', async () => {
    const j = loadFixture();
    const broken = join(root, 'broken-tex.json');
    writeFileSync(broken, JSON.stringify({ ...j, claims: [{ ...j.claims[0], statement: { tex: '\\sqrt{', text: 't' } }, ...j.claims.slice(1)] }));
    const out = join(root, 'broken');
    const r = await run(['report', '--out', out, '--verify-json', broken, '--figures', 'none']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^slr: 1 TeX expression\(s\) failed to typeset .*first: claim bayes-risk, statement: ParseError/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('katex-error');
  });
});

describe('slr report with figures', () => {
  const figures = join(root, 'figs');
  const out = join(root, 'site');
  let r: { code: number; out: string; err: string };
  beforeAll(async () => {
    await makeSmallFigure(figures);
    r = await run(['report', '--out', out, '--verify-json', FIXTURE_PATH, '--figures', 'rates', '--figures-dir', figures, '--no-progress']);
  });

  it('should use the figure already made and say so', () => {
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`rates: using the figure in ${join(figures, 'rates')}`);
    expect(r.out).toMatch(/report: .*index\.html \(6 claims, 1 figures, \d+ KiB; self-contained/);
  });

  it('should link the figure files relative to the page, and they should exist', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const hrefs = [...html.matchAll(/<a href="(\.\.\/figs\/rates\/[^"]+)">/g)].map((m) => m[1]);
    expect(hrefs).toHaveLength(4);
    for (const h of hrefs) expect(existsSync(join(out, h)), h).toBe(true);
    expect(html).toContain('12 points in the CSV, all converged');
  });
});
