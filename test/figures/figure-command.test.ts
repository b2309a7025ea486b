import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUsageError, runCli as run } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'slr-figcmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('slr figure: bad input', () => {
  it.each([
    [['figure', '--out', dir], /name a figure: fig2, rates, length, fig3, or all/],
    [['figure', 'fig9', '--out', dir], /unknown figure "fig9"/],
    [['figure', 'rates'], /--out <dir> is required/],
    [['figure', 'rates', '--out', dir, '--points', '1'], /points must be >= 2/],
    [['figure', 'rates', '--out', dir, '--points', 'abc'], /points must be a number/],
    [['figure', 'rates', '--out', dir, '--points', '2.5'], /points must be an integer/],
    [['figure', 'rates', '--out', dir, '--workers', '0'], /workers must be >= 1/],
    [['figure', 'rates', '--out', dir, '--fast', '--points', '3'], /--points or --fast, not both/],
    [['figure', 'rates', '--out', dir, '--series', 'bayes,relu'], /figure rates has no series relu/],
    [['figure', 'rates', '--out', dir, '--bogus'], /unknown option/],
  ])('should print one line and exit 2 for %j', async (args, message) => {
    const r = await run(args as string[]);
    expectUsageError(r, message as RegExp);
  });
});

describe('slr figure --list', () => {
  it('should list every figure with its title', async () => {
    const r = await run(['figure', '--list']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^fig2 +Figure 2 \(recomputed\)/m);
    expect(r.out).toMatch(/^rates +/m);
    expect(r.out).toMatch(/^length +/m);
  });
});
