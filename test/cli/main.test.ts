import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'slr', ...args], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('slr: the command list (each command module is loaded only when it runs, or for --help)', () => {
  const names = ['risk', 'verify', 'inspect', 'list', 'figure', 'report', 'erm'];

  it('should list every command under --help and with no command', async () => {
    for (const args of [['--help'], []]) {
      const r = await run(args);
      for (const name of names) expect(r.out).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it.each(names)('should give the help of %s on its own', async (name) => {
    const r = await run([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^Usage: slr ${name} `, 'm'));
  });

  it('should reject an unknown command with one line and exit 2', async () => {
    const r = await run(['foo']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("slr: unknown command 'foo'\n");
  });
});

describe('slr risk: bad input', () => {
  it.each([
    [['risk', '--L', '0'], /L must be >= 1/],
    [['risk', '--L', '2.5'], /L must be an integer/],
    [['risk', '--nu', '-1'], /nu must be >= 0/],
    [['risk', '--nu', 'abc'], /nu must be a number/],
    [['risk', '--task', 'foo'], /unknown task "foo"/],
    [['risk', '--act', 'foo'], /unknown activation "foo"/],
    [['risk', '--act', 'softmax', '--at', 'mkk=2,mvv=1,qkk=1,qvv=1'], /inadmissible overlaps/],
    [['risk', '--nu'], /argument missing/],
    [['risk', '--task', 'spiked', '--nu', 'inf'], /only defined for max-SLR/],
    [['risk', '--delta', '-0.5'], /delta must be >= 0/],
    [['risk', '--act', 'linear', '--at', 'mkk=1,mvv=1,qkk=1'], /overlaps need qvv/],
    [['risk', '--family', 'weird'], /family/],
    [['risk', '--bogus'], /unknown option/],
  ])('should print one line and exit 2 for %j', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message as RegExp);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('slr risk: results', () => {
  it('should print the JSON record with the documented keys', async () => {
    const r = await run(['risk', '--task', 'spiked', '--act', 'bayes', '--L', '2', '--nu', '5', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of ['task', 'act', 'L', 'nu', 'delta', 'family', 'method', 'risk', 'error', 'params', 'converged']) expect(j).toHaveProperty(k);
    expect(j.risk).toBeGreaterThan(0.0843);
    expect(j.risk).toBeLessThan(0.0845);
    expect(j.error).toBeLessThan(1e-10);
  });

  it('should evaluate at given overlaps with an activation parameter', async () => {
    const r = await run(['risk', '--act', 'erf', '--at', 'mkk=1,mvv=0.5,qkk=1.5,qvv=0.3,c=-0.2', '--nu', '2', '--L', '3', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.theta).toEqual([-0.2]);
    expect(j.params.qkk).toBe(1.5);
  });

  it('should accept max-SLR at nu = inf and variable lengths', async () => {
    const r = await run(['risk', '--task', 'max', '--nu', 'inf', '--L', '1,2,3', '--delta', '0.1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Unif\{1,2,3\}/);
    expect(r.out).toMatch(/risk\s+0\.1\b/);
  });
});

describe('bin/slr.js', () => {
  it('should exit 2 with one line and no stack trace when run as a program', () => {
    const p = spawnSync(process.execPath, ['bin/slr.js', 'risk', '--nu', 'abc'], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr.trim()).toBe('slr: nu must be a number, got "abc"');
  });
});
