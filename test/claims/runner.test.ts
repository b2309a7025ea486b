import { describe, expect, it } from 'vitest';
import { customCheck } from '../../src/claims/checks.ts';
import { junitXml } from '../../src/claims/format.ts';
import { checkSeed, runVerification } from '../../src/claims/runner.ts';
import type { Claim, Verdict } from '../../src/claims/types.ts';
import { InvalidInputError } from '../../src/errors.ts';

const fixed = (id: string, v: Verdict, fast = true) =>
  customCheck({ id, kind: 'structural', description: id, fast, run: (ctx) => ({ verdict: v, summary: `seed ${ctx.seed}`, evidence: [{ label: 'x', value: 1, seed: ctx.seed }] }) });
const claim = (id: string, expect: Verdict, checks: Claim['checks'], uses: string[] = []): Claim => ({
  id,
  title: id,
  paperRef: 'Test 1',
  source: 'derived',
  statement: { tex: 'a=b', text: 'a = b' },
  assumptions: [],
  uses,
  expect,
  tolerances: {},
  checks,
});

describe('runVerification', () => {
  it('should combine check verdicts: any refutation refutes, all confirmations confirm', async () => {
    const r = await runVerification([
      claim('a', 'CONFIRMED', [fixed('x', 'CONFIRMED'), fixed('y', 'CONFIRMED')]),
      claim('b', 'REFUTED', [fixed('x', 'CONFIRMED'), fixed('y', 'REFUTED')]),
      claim('c', 'CONFIRMED', [fixed('x', 'CONFIRMED'), fixed('y', 'INCONCLUSIVE')]),
    ]);
    expect(r.claims.map((c) => c.verdict)).toEqual(['CONFIRMED', 'REFUTED', 'INCONCLUSIVE']);
    expect(r.summary.unexpected).toEqual(['c']);
    expect(r.summary.asExpected).toBe(2);
  });
  it('should run only fast checks in a fast run', async () => {
    const r = await runVerification([claim('a', 'CONFIRMED', [fixed('x', 'CONFIRMED'), fixed('slow', 'REFUTED', false)])], { fast: true });
    expect(r.claims[0].checks.map((c) => c.id)).toEqual(['x']);
    expect(r.fast).toBe(true);
  });
  it('should turn a throwing check into INCONCLUSIVE with the message, never into a pass', async () => {
    const boom = customCheck({ id: 'boom', kind: 'quadrature', description: 'd', fast: true, run: () => { throw new InvalidInputError('nu must be >= 0, got -1'); } });
    const r = await runVerification([claim('a', 'CONFIRMED', [boom])]);
    expect(r.claims[0].verdict).toBe('INCONCLUSIVE');
    expect(r.claims[0].checks[0].summary).toContain('nu must be >= 0');
  });
  it('should give each check a stable seed that does not depend on which claims run', async () => {
    const both = await runVerification([claim('a', 'CONFIRMED', [fixed('x', 'CONFIRMED')]), claim('b', 'CONFIRMED', [fixed('x', 'CONFIRMED')])], { seed: 5 });
    const one = await runVerification([claim('b', 'CONFIRMED', [fixed('x', 'CONFIRMED')])], { seed: 5 });
    expect(one.claims[0].checks[0].evidence[0].seed).toBe(both.claims[1].checks[0].evidence[0].seed);
    expect(checkSeed(5, 'a', 'x')).not.toBe(checkSeed(5, 'b', 'x'));
  });
  it('should record versions, seed, timings and be JSON-serialisable', async () => {
    const r = await runVerification([claim('a', 'CONFIRMED', [fixed('x', 'CONFIRMED')])], { seed: 3 });
    const back = JSON.parse(JSON.stringify(r));
    expect(back.seed).toBe(3);
    expect(back.versions.node).toBe(process.version);
    expect(back.versions['nerdamer-prime']).toMatch(/^\d+\.\d+/);
    expect(back.claims[0].seconds).toBeGreaterThanOrEqual(0);
  });
});

describe('junitXml', () => {
  it('should write one test case per claim and fail those with an unexpected verdict', async () => {
    const r = await runVerification([claim('a', 'CONFIRMED', [fixed('x', 'CONFIRMED')]), claim('b<&>', 'CONFIRMED', [fixed('x', 'REFUTED')])].map((c) => (c.id === 'b<&>' ? { ...c, id: 'b' } : c)));
    const xml = junitXml(r);
    expect(xml).toMatch(/<testsuites name="slr verify" tests="2" failures="1"/);
    expect((xml.match(/<testcase /g) ?? []).length).toBe(2);
    expect(xml).toMatch(/<failure message="verdict REFUTED, expected CONFIRMED"/);
    expect(xml).not.toMatch(/<[^>]*&[^a-z#][^>]*>/);
  });
});
