import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { claims } from '../../proofs/index.ts';
import { customCheck } from '../../src/claims/checks.ts';
import { ClaimGraphError, selectClaims, validateClaims } from '../../src/claims/graph.ts';
import type { Claim } from '../../src/claims/types.ts';
import { UnknownNameError } from '../../src/errors.ts';

const check = (fast = true) => customCheck({ id: 'c', kind: 'structural', description: 'd', fast, run: () => ({ verdict: 'CONFIRMED', summary: 's', evidence: [] }) });
const claim = (id: string, uses: string[] = [], extra: Partial<Claim> = {}): Claim => ({
  id,
  title: id,
  paperRef: '—',
  source: 'derived',
  statement: { tex: 'x', text: 'x' },
  assumptions: [],
  uses,
  expect: 'CONFIRMED',
  tolerances: {},
  checks: [check()],
  ...extra,
});

describe('validateClaims', () => {
  it('should order claims after what they use', () => {
    const order = validateClaims([claim('c', ['b']), claim('b', ['a']), claim('a')]).map((c) => c.id);
    expect(order).toEqual(['a', 'b', 'c']);
  });
  it('should reject a use of an unknown id', () => {
    expect(() => validateClaims([claim('a', ['nope'])])).toThrow(/uses unknown claim "nope"/);
  });
  it('should reject a cycle and name it', () => {
    expect(() => validateClaims([claim('a', ['b']), claim('b', ['c']), claim('c', ['a'])])).toThrow(/cycle: a → b → c → a/);
  });
  it('should reject a claim that no fast run (hence no test) exercises', () => {
    expect(() => validateClaims([claim('a', [], { checks: [check(false)] })])).toThrow(ClaimGraphError);
    expect(() => validateClaims([claim('a', [], { checks: [] })])).toThrow(/no checks/);
  });
  it('should reject duplicate and non-kebab-case ids and unknown correctedBy', () => {
    expect(() => validateClaims([claim('a'), claim('a')])).toThrow(/twice/);
    expect(() => validateClaims([claim('Bad_Id')])).toThrow(/kebab-case/);
    expect(() => validateClaims([claim('a', [], { correctedBy: 'zz' })])).toThrow(/corrected by unknown/);
  });
  it('should select claims by id and name the known ones for an unknown id', () => {
    expect(selectClaims([claim('a'), claim('b')], ['b']).map((c) => c.id)).toEqual(['b']);
    expect(() => selectClaims([claim('a')], ['x'])).toThrow(UnknownNameError);
  });
});

describe('the paper\'s claims (proofs/)', () => {
  it('should form a valid graph', () => {
    expect(validateClaims(claims)).toHaveLength(claims.length);
  });
  it('should have one file per claim, named by its id, every file registered', () => {
    const files = readdirSync(new URL('../../proofs/', import.meta.url))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(claims.map((c) => c.id).sort()).toEqual(files);
  });
  it('should cover every statement THEORY.md §4 lists for the population level', () => {
    const ids = new Set(claims.map((c) => c.id));
    for (const id of ['bayes-risk', 'softmax-bayes', 'linear-gap', 'others-gap', 'cor-4.3-spiked', 'cor-4.3-max', 'cor-4.4-length']) expect(ids.has(id)).toBe(true);
  });
  it('should pair every claim expected to be refuted with a corrected claim expected to be confirmed', () => {
    for (const c of claims.filter((c) => c.expect === 'REFUTED')) {
      const corrected = claims.find((d) => d.id === c.correctedBy);
      expect(corrected?.expect, c.id).toBe('CONFIRMED');
    }
  });
  it('should give every tolerance a reason', () => {
    for (const c of claims) for (const [k, t] of Object.entries(c.tolerances)) expect(t.reason.length, `${c.id}.${k}`).toBeGreaterThan(10);
  });
});
