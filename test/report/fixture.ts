import { readFileSync } from 'node:fs';
import type { VerifyReport } from '../../src/claims/types.ts';

/** The hand-written verify JSON of test/fixtures (see its `_fixture` note for the provenance of its numbers). */
export const FIXTURE_PATH = new URL('../fixtures/verify-report.sample.json', import.meta.url).pathname;

export function loadFixture(): VerifyReport {
  return JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as VerifyReport;
}

/** Every TeX string the report typesets for `r`: statements, evidence, derivation steps and results. */
export function texStrings(r: VerifyReport): string[] {
  return r.claims.flatMap((c) => [
    c.statement.tex,
    ...c.checks.flatMap((k) => k.evidence.flatMap((e) => (e.tex ? [e.tex] : []))),
    ...(c.derivation ? [...c.derivation.steps.map((s) => s.tex), c.derivation.result.tex] : []),
  ]);
}
