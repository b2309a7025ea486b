import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { CSV_COLUMNS, figureCsv, parseCsv } from '../../src/figures/csv.ts';
import { riskSpec } from '../../src/figures/risk-point.ts';
import type { PointRecord } from '../../src/figures/types.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';
import { csvTextArb, finiteArb } from './arbitraries.ts';

reportSeed('csv.test.ts');

const recordArb = fc
  .record({
    series: csvTextArb,
    x: finiteArb,
    value: fc.option(finiteArb, { nil: null }),
    error: finiteArb,
    method: csvTextArb,
    converged: fc.boolean(),
    failure: csvTextArb,
    evaluations: fc.nat(),
    nu: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constant(Infinity)),
  })
  .map(
    (r): PointRecord => ({
      figure: 'fig',
      job: { kind: 'risk', panel: 'p', series: r.series, x: r.x, risk: riskSpec('max', 'linear', '1,2,3', r.nu) },
      outcome: { value: r.value, error: r.error, errorKind: 'bound', method: r.method, converged: r.converged, evaluations: r.evaluations, seconds: 0.5, failure: r.failure },
    }),
  );

describe('figureCsv', () => {
  fcTest.prop([fc.array(recordArb, { maxLength: 8 })], { seed: SEED, numRuns: 100 })(
    'should round-trip every field through parseCsv (numbers exactly, text with commas, quotes and line breaks)',
    (records) => {
      const rows = parseCsv(figureCsv(records));
      expect(rows).toHaveLength(records.length);
      rows.forEach((row, i) => {
        const { job, outcome } = records[i];
        expect(Object.keys(row)).toEqual([...CSV_COLUMNS]);
        expect(row.series).toBe(job.series);
        expect(Number(row.x)).toBe(job.x === 0 ? 0 : job.x); // −0 is written as 0
        expect(row.value === '' ? null : Number(row.value)).toBe(outcome.value === 0 ? 0 : outcome.value);
        expect(Number(row.error)).toBe(outcome.error === 0 ? 0 : outcome.error);
        expect(row.method).toBe(outcome.method);
        expect(row.failure).toBe(outcome.failure);
        expect(row.converged).toBe(String(outcome.converged));
        expect(row.evaluations).toBe(String(outcome.evaluations));
      });
    },
  );

  it('should write the slr risk command that recomputes a risk point, and none for a closed form', () => {
    const risk = riskSpec('spiked', 'softmax', '1000', 2.5);
    const csv = figureCsv([
      { figure: 'f', job: { kind: 'risk', panel: 'a', series: 'softmax', x: 2.5, risk }, outcome: { value: 0.5, error: 1e-12, errorKind: 'bound', method: 'm', converged: true, seconds: 1 } },
      { figure: 'f', job: { kind: 'closed-form', panel: 'a', series: 'ref', x: 2, value: 1, method: '2/x' }, outcome: { value: 1, error: 0, errorKind: 'exact', method: '2/x', converged: true, seconds: 0 } },
    ]);
    const [a, b] = parseCsv(csv);
    expect(a.command).toBe('npx slr risk --task spiked --act softmax --L 1000 --nu 2.5 --delta 0 --family manifold --json');
    expect(b.command).toBe('');
    expect(b.error_kind).toBe('exact');
  });

  it('should write ν = ∞ as inf, as slr risk reads it', () => {
    expect(riskSpec('max', 'bayes', '3', Infinity).nu).toBe('inf');
  });
});

describe('parseCsv', () => {
  it('should reject a row with a different number of fields than the header', () => {
    expect(() => parseCsv('a,b\n1,2,3\n')).toThrow(InvalidInputError);
  });
  it('should reject text ending inside a quoted field', () => {
    expect(() => parseCsv('a,b\n"1,2\n')).toThrow(InvalidInputError);
  });
});
