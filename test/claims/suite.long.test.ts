/**
 * The paper's verification suite, full run (what `slr verify` runs): every
 * claim's verdict must equal the verdict its file declares.
 */
import { describe, expect, it } from 'vitest';
import { claims } from '../../proofs/index.ts';
import { CLAIMS_MODULE } from '../../src/cli/verify-command.ts';
import { runVerification } from '../../src/claims/runner.ts';

describe('verification suite (full run)', () => {
  it('should give every claim its declared verdict', { timeout: 1_800_000 }, async () => {
    const report = await runVerification(claims, { fast: false, workers: 2, claimsModule: CLAIMS_MODULE });
    const got = Object.fromEntries(report.claims.map((c) => [c.id, c.verdict]));
    const want = Object.fromEntries(claims.map((c) => [c.id, c.expect]));
    expect(got).toEqual(want);
    expect(report.summary.unexpected).toEqual([]);
    // every claim ran at least one check in fast mode (a claim verified by nothing would be vacuous)
    for (const c of report.claims) expect(c.checks.length, c.id).toBeGreaterThan(0);
  });
});
