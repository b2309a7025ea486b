import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bayesExcessDirectL2 } from '../../proofs/bayes-risk.ts';
import { reportedLinearRate } from '../../proofs/cor-4.3-spiked.ts';
import { linearClosedForm } from '../../proofs/linear-closed-form.ts';
import { agreementCheck, exactQuantity, inequalityCheck, propertyCheck } from '../../src/claims/checks.ts';
import { bayes, classMinimum, riskAt, setting, type Setting } from '../../src/claims/quantities.ts';
import type { CheckContext, CheckOutcome } from '../../src/claims/types.ts';
import { manifoldOverlaps } from '../../src/risk/overlaps.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';

/**
 * The verifier can refute: each kind of claim in proofs/, fed a deliberately
 * wrong statement built from the same engine quantities, comes out REFUTED.
 * Mutations are small (1e−6 relative, a 10% wrong slope, a constant off by
 * 0.5%) so that the checks' power, not only their logic, is exercised.
 */
reportSeed('mutation.test.ts');
const ctx: CheckContext = { seed: SEED, fast: true };
const verdict = async (c: { run: (ctx: CheckContext) => CheckOutcome | Promise<CheckOutcome> }) => (await c.run(ctx)).verdict;

describe('mutated claims', () => {
  it('should refute the paper\'s Bayes form scaled by 1 + 1e-6 (agreement, bayes-risk)', async () => {
    const c = agreementCheck<Setting>({
      id: 'm',
      description: 'mutated Prop. 4.1',
      fast: true,
      points: () => [setting('spiked', 2, 5), setting('max', 2, 5)],
      left: { label: 'engine', compute: (s) => ({ ...bayes(s), value: bayes(s).excess }) },
      right: {
        label: 'mutated paper form',
        compute: (s) => {
          const d = bayesExcessDirectL2(s.task, s.nu);
          return { ...d, value: d.value * (1 + 1e-6) };
        },
      },
      tolerance: { value: 0, reason: 'bounds' },
    });
    expect(await verdict(c)).toBe('REFUTED');
  });

  it('should refute a linear closed form with L in place of E[L] for a variable length (agreement, linear-closed-form)', async () => {
    const c = agreementCheck<Setting>({
      id: 'm',
      description: 'mutated closed form',
      fast: true,
      points: () => [setting('spiked', '1,2,3', 5)],
      left: { label: 'optimiser', compute: (s) => classMinimum('linear', s) },
      // wrong: average of the fixed-length closed forms instead of the closed form at E[L]
      right: {
        label: 'mutated closed form',
        compute: (s) => exactQuantity([1, 2, 3].reduce((a, L) => a + linearClosedForm({ ...s, L: String(L) }).risk.value, 0) / 3, 'mutated'),
      },
      tolerance: { value: 1e-7, reason: 'optimiser' },
    });
    expect(await verdict(c)).toBe('REFUTED');
  });

  it('should refute ν·E_linear → 2.01 at L = 2 (limit, cor-4.3-spiked)', async () => {
    expect(await verdict(reportedLinearRate(2, 2.01, true))).toBe('REFUTED');
    expect(await verdict(reportedLinearRate(2, 2, true))).toBe('CONFIRMED');
  });

  it('should refute "Bayes above linear" (inequality, linear-gap)', async () => {
    const c = inequalityCheck<Setting>({
      id: 'm',
      description: 'reversed Prop. 4.2',
      fast: true,
      points: () => [setting('spiked', 2, 5)],
      greater: { label: 'E_Bayes', compute: (s) => bayes(s) },
      smaller: { label: 'E_linear', compute: (s) => classMinimum('linear', s) },
    });
    expect(await verdict(c)).toBe('REFUTED');
  });

  it('should refute "softmax at 1.1·c_ν has the Bayes risk" (property, softmax-bayes)', async () => {
    const c = propertyCheck({
      id: 'm',
      description: 'mutated Prop. 4.2: wrong slope',
      fast: true,
      runs: 5,
      fastRuns: 5,
      arbitrary: fc.record({ L: fc.integer({ min: 2, max: 6 }), nu: fc.double({ min: 0.5, max: 8, noNaN: true }) }),
      property: ({ L, nu }) => {
        const s = setting('spiked', L, nu);
        const c = 1.1 * Math.sqrt(nu);
        const a = riskAt('softmax', s, manifoldOverlaps({ mkk: c, mvv: 1, qkk: c * c, qvv: 1 }));
        const b = bayes(s);
        return { verdict: Math.abs(a.value - b.value) <= a.error + b.error ? 'CONFIRMED' : 'REFUTED', detail: `${a.value} vs ${b.value}` };
      },
      show: (p) => JSON.stringify(p),
    });
    expect(await verdict(c)).toBe('REFUTED');
  });
});
