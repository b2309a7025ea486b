import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { parseVerifyReport, readVerifyReport } from '../../src/report/verify-json.ts';
import { FIXTURE_PATH } from './fixture.ts';

const text = readFileSync(FIXTURE_PATH, 'utf8');
const mutate = (f: (j: any) => void): string => {
  const j = JSON.parse(text);
  f(j);
  return JSON.stringify(j);
};

describe('parseVerifyReport', () => {
  it('should accept the sample verify JSON with all three verdicts', () => {
    const r = readVerifyReport(FIXTURE_PATH);
    expect(new Set(r.claims.map((c) => c.verdict))).toEqual(new Set(['CONFIRMED', 'REFUTED', 'INCONCLUSIVE']));
  });

  it.each([
    ['not JSON', '{', /is not JSON/],
    ['a verdict outside the three', mutate((j) => (j.claims[0].verdict = 'MAYBE')), /claims\[0\]\.verdict must be CONFIRMED \| REFUTED \| INCONCLUSIVE, got "MAYBE"/],
    ['no tool', mutate((j) => delete j.tool), /tool must be an object/],
    ['claims not a list', mutate((j) => (j.claims = {})), /claims must be an array/],
    ['a repeated claim id', mutate((j) => (j.claims[1].id = j.claims[0].id)), /claims\[1\]\.id must be unique/],
    ['an unknown check kind', mutate((j) => (j.claims[0].checks[0].kind = 'vibes')), /claims\[0\]\.checks\[0\]\.kind must be symbolic/],
    ['a tolerance without its reason', mutate((j) => delete j.claims[0].tolerances.quadrature.reason), /claims\[0\]\.tolerances\.quadrature\.reason must be a string/],
    ['a derivation step without TeX', mutate((j) => delete j.claims[2].derivation.steps[1].tex), /claims\[2\]\.derivation\.steps\[1\]\.tex must be a string/],
    ['a non-numeric seed', mutate((j) => (j.seed = 'x')), /seed must be a finite number/],
  ])('should reject %s with a typed error naming the field', (_what, input, message) => {
    expect(() => parseVerifyReport(input as string, 'sample.json')).toThrow(InvalidInputError);
    expect(() => parseVerifyReport(input as string, 'sample.json')).toThrow(message as RegExp);
  });

  it('should report a missing file as bad input', () => {
    expect(() => readVerifyReport('/nonexistent/verify.json')).toThrow(/cannot read the verify JSON \/nonexistent\/verify.json: ENOENT/);
  });
});
