import { describe, expect, it } from 'vitest';
import { claims } from '../../proofs/index.ts';
import { runVerification } from '../../src/claims/runner.ts';
import type { ClaimRecord } from '../../src/claims/types.ts';
import { CLAIMS_MODULE } from '../../src/cli/verify-command.ts';

/** a record without its timings (the only thing allowed to differ between runs) */
const untimed = (r: ClaimRecord) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'seconds' ? undefined : v)));

describe('runVerification in worker threads', () => {
  it('should give the same records, in the same order, as a run in this thread', { timeout: 120_000 }, async () => {
    const some = claims.filter((c) => ['cor-4.3-max', 'gaussian-ibp-max', 'cor-4.4-length-corrected'].includes(c.id));
    const here = await runVerification(some, { fast: true, seed: 11 });
    const there = await runVerification(some, { fast: true, seed: 11, workers: 2, claimsModule: CLAIMS_MODULE });
    expect(there.claims.map((r) => r.id)).toEqual(here.claims.map((r) => r.id));
    expect(there.claims.map(untimed)).toEqual(here.claims.map(untimed));
  });

  it('should fail loudly when a claim is not in the claims module', async () => {
    const stranger = { ...claims[0], id: 'not-in-the-module', uses: [] };
    await expect(runVerification([stranger, claims[0]], { fast: true, workers: 2, claimsModule: CLAIMS_MODULE })).rejects.toThrow(/not-in-the-module/);
  });
});
