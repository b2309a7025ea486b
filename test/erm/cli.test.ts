import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { ERM_LOSS_CONVENTION } from '../../src/cli/erm-command.ts';
import { readErmCsv } from '../../src/erm/csv.ts';
import { defaultKernelDescription } from '../../src/erm/objective.ts';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'slr', 'erm', ...args], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'slr-erm-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** small and quick: D = 20, two α, two seeds, in this thread */
const QUICK = ['--D', '20', '--alpha', '1,3', '--seeds', '2', '--test-samples', '200', '--workers', '0', '--no-reference'];

describe('slr erm: bad input', () => {
  it.each([
    [['--D', '0'], /D must be >= 2/],
    [['--D', '1'], /D must be >= 2/],
    [['--D', '2.5'], /D must be an integer/],
    [['--alpha', '0'], /alpha must be > 0/],
    [['--alpha', '-2,1'], /alpha must be > 0/],
    [['--alpha', 'abc'], /alpha must be a number/],
    [['--alpha', '1,,2'], /empty entry/],
    [['--lambda-k', '-0.01'], /lambda-k must be >= 0/],
    [['--lambda-v', '-1'], /lambda-v must be >= 0/],
    [['--lambda-grid', '0.1,-1'], /lambda-grid entries must be >= 0/],
    [['--act', 'foo'], /unknown activation "foo"/],
    [['--act', 'softmax,bayes'], /bayes is not one/],
    [['--task', 'foo'], /unknown task "foo"/],
    [['--nu', '-1'], /nu must be >= 0/],
    [['--L', '0'], /L must be >= 1/],
    [['--D', '10', '--sqrt-nd', '100'], /--D or --sqrt-nd, not both/],
    [['--confidence', '1'], /confidence must be in \(0, 1\)/],
    [['--seeds', '0'], /seeds must be >= 1/],
    [['--init', 'zero'], /init/],
    [['--workers', '-1'], /workers must be >= 0/],
  ])('should print one line and exit 2 for %j', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message as RegExp);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
    expect(r.out).toBe('');
  });
});

describe('slr erm: results', () => {
  it('should print the JSON record with the loss convention, summary, differences and points', async () => {
    const r = await run([...QUICK, '--act', 'softmax,linear', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.lossConvention).toBe(ERM_LOSS_CONVENTION);
    expect(j.kernels).toBe(defaultKernelDescription());
    expect(j.kernels).toMatch(/^(native \((avx512|avx2)\)|WebAssembly SIMD)/);
    expect(j.summary).toHaveLength(4);
    expect(j.points).toHaveLength(8);
    expect(j.differences.map((d: { alpha: number }) => d.alpha)).toEqual([1, 3]);
    for (const k of ['testRisk', 'testRiskError', 'testRiskEmpirical', 'testRiskEmpiricalError', 'trainLoss', 'mkk', 'mkv', 'mvk', 'mvv', 'qkk', 'qvv', 'qkv', 'iterations', 'evaluations', 'converged']) {
      expect(j.points[0]).toHaveProperty(k);
    }
    expect(j.references).toBeNull();
  });

  it('should print a table with the convention, per-α rows and the paired verdict', async () => {
    const r = await run([...QUICK, '--act', 'softmax,linear']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('λ_k |k|²/D');
    expect(r.out).toContain(`loss-and-gradient kernels: ${defaultKernelDescription()}`);
    expect(r.out).toMatch(/^softmax\s+1\s+20\s+20\s/m);
    expect(r.out).toMatch(/^linear\s+3\s+20\s+60\s/m);
    expect(r.out).toMatch(/paired difference softmax − linear at α=3 \(test risk\)/);
  });

  it('should report only the fresh-sample risk with --no-quadrature, and pair on it', async () => {
    const r = await run([...QUICK, '--act', 'softmax,linear', '--no-quadrature', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.points.every((p: { quadrature: boolean; testRisk: unknown }) => p.quadrature === false && p.testRisk === null)).toBe(true);
    expect(j.differences.every((d: { field: string }) => d.field === 'testRiskEmpirical')).toBe(true);
    const t = await run([...QUICK, '--act', 'softmax', '--no-quadrature']);
    expect(t.out).toMatch(/^softmax\s+1\s+20\s+20\s+n\/a\s/m);
  });

  it('should include the population references unless --no-reference', async () => {
    const r = await run(['--D', '20', '--alpha', '2', '--seeds', '2', '--test-samples', '200', '--workers', '0', '--act', 'linear', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    // spiked ν = 1, L = 3: E_linear = 6/11 (closed form of the linear class, test/risk/class-risk.test.ts)
    expect(Math.abs(j.references.classes[0].risk - 6 / 11)).toBeLessThan(1e-8);
    expect(j.references.bayes.risk).toBeGreaterThan(0);
  });

  it('should keep completed points in the CSV and skip them on a rerun (resume)', async () => {
    const file = join(dir, 'run.csv');
    const first = await run([...QUICK, '--csv', file, '--json']);
    expect(first.code).toBe(0);
    expect(readErmCsv(file)).toHaveLength(4);
    const again = await run([...QUICK, '--csv', file, '--json']);
    const j1 = JSON.parse(first.out);
    const j2 = JSON.parse(again.out);
    expect(j2.resumed).toBe(4);
    expect(j2.summary).toEqual(j1.summary);
    // a larger sweep computes only the new points and appends them
    const more = await run([...QUICK.map((a) => (a === '1,3' ? '1,3,5' : a)), '--csv', file, '--json']);
    expect(JSON.parse(more.out).resumed).toBe(4);
    expect(readErmCsv(file)).toHaveLength(6);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toMatch(/^task,nu,L,/);
  });
});
