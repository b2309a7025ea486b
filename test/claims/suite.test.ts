/**
 * The paper's verification suite, fast mode (what `slr verify --fast` runs):
 * every claim's verdict must equal the verdict its file declares. The full
 * run is test/claims/suite.long.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { claims } from '../../proofs/index.ts';
import { CLAIMS_MODULE } from '../../src/cli/verify-command.ts';
import { runVerification } from '../../src/claims/runner.ts';

describe('verification suite (--fast)', () => {
  it('should give every claim its declared verdict', { timeout: 300_000 }, async () => {
    const report = await runVerification(claims, { fast: true, workers: 2, claimsModule: CLAIMS_MODULE });
    const got = Object.fromEntries(report.claims.map((c) => [c.id, c.verdict]));
    const want = Object.fromEntries(claims.map((c) => [c.id, c.expect]));
    expect(got).toEqual(want);
    expect(report.summary.unexpected).toEqual([]);
    // every claim ran at least one check in fast mode (a claim verified by nothing would be vacuous)
    for (const c of report.claims) expect(c.checks.length, c.id).toBeGreaterThan(0);
  });
});
