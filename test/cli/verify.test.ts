import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

async function slr(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(['node', 'slr', ...args], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('slr verify', () => {
  it('should exit 0 when every verdict is as expected, with a table', async () => {
    const r = await slr('verify', '--only', 'nishimori-ratio', '--fast');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/CONFIRMED\s+nishimori-ratio/);
    expect(r.out).toMatch(/1\/1 as expected/);
  });
  it('should print one JSON object and write JUnit XML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slr-verify-'));
    const file = join(dir, 'junit.xml');
    const r = await slr('verify', '--only', 'cor-4.3-spiked', '--fast', '--json', '--junit', file);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.claims[0]).toMatchObject({ id: 'cor-4.3-spiked', verdict: 'REFUTED', expect: 'REFUTED', asExpected: true, correctedBy: 'cor-4.3-spiked-corrected' });
    expect(report.claims[0].checks.find((c: { id: string }) => c.id === 'linear-rate-L3').verdict).toBe('REFUTED');
    expect(readFileSync(file, 'utf8')).toMatch(/<testcase classname="[^"]+" name="cor-4.3-spiked"/);
  });
  it('should exit 2 with one line for an unknown claim or a bad seed', async () => {
    for (const args of [['--only', 'nope'], ['--seed', 'abc']]) {
      const r = await slr('verify', ...args);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('slr inspect and slr list', () => {
  it('should show a claim with its statement, tolerances and checks', async () => {
    const r = await slr('inspect', 'bayes-risk');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Prop\. 4\.1/);
    expect(r.out).toMatch(/Tolerances:/);
    expect(r.out).toMatch(/paper-form-L2 \[quadrature, fast\]/);
  });
  it('should print LaTeX with --tex', async () => {
    const r = await slr('inspect', 'linear-gap', '--tex');
    expect(r.out).toMatch(/\\subsection\*/);
    expect(r.out).toMatch(/\\mathsf\{E\}_\{\\mathrm\{linear\}\}/);
  });
  it('should list the graph in dependency order', async () => {
    const r = await slr('list', '--no-run');
    const lines = r.out.trim().split('\n').slice(1);
    const ids = lines.map((l) => l.split(/\s+/)[0]);
    expect(ids.indexOf('bayes-risk')).toBeLessThan(ids.indexOf('softmax-bayes'));
    expect(ids.indexOf('cor-4.3-spiked')).toBeLessThan(ids.indexOf('cor-4.3-spiked-corrected'));
  });
});
