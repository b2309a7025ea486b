import { describe, expect, it } from 'vitest';
import { InvalidInputError, InadmissibleOverlapsError } from '../../src/errors.ts';
import { parseAt, parseLengths, parseNumber } from '../../src/cli/parse.ts';

describe('parseNumber', () => {
  it.each(['abc', '', '1x', '--1', '1e', '0x10', 'NaN'])('should reject %j', (t) => {
    expect(() => parseNumber('nu', t)).toThrow(InvalidInputError);
  });
  it('should accept decimals and exponents', () => {
    expect(parseNumber('nu', '2.5')).toBe(2.5);
    expect(parseNumber('nu', '1e3')).toBe(1000);
    expect(parseNumber('nu', '-.5')).toBe(-0.5);
  });
  it('should accept inf only when allowed', () => {
    expect(parseNumber('nu', 'inf', { allowInfinity: true })).toBe(Infinity);
    expect(() => parseNumber('nu', 'inf')).toThrow(InvalidInputError);
  });
});

describe('parseLengths', () => {
  it('should parse a fixed length and a uniform list', () => {
    expect(parseLengths('5').lengths).toEqual([5]);
    expect(parseLengths('1,2,3').probabilities).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });
  it.each(['0', '2.5', '-1', 'a', '1,,2'])('should reject --L %j', (t) => {
    expect(() => parseLengths(t)).toThrow(InvalidInputError);
  });
});

describe('parseAt', () => {
  it('should split overlaps from activation parameters', () => {
    const r = parseAt('mkk=1,mvv=0.5,qkk=2,qvv=1,c=-0.3', ['c']);
    expect(r.overlaps).toEqual({ mkk: 1, mkv: 0, mvk: 0, mvv: 0.5, qkk: 2, qvv: 1, qkv: 0 });
    expect(r.theta).toEqual({ c: -0.3 });
  });
  it('should reject unknown names, repeated names and missing values', () => {
    expect(() => parseAt('mkk=1,mvv=1,qkk=1,qvv=1,foo=2', [])).toThrow(/unknown name "foo"/);
    expect(() => parseAt('mkk=1,mkk=2,mvv=1,qkk=1,qvv=1', [])).toThrow(/twice/);
    expect(() => parseAt('mkk=,mvv=1,qkk=1,qvv=1', [])).toThrow(InvalidInputError);
    expect(() => parseAt('mkk=1,mvv=1,qkk=1', [])).toThrow(/qvv/);
  });
  it('leaves admissibility to the risk machinery', () => {
    expect(() => parseAt('mkk=2,mvv=1,qkk=1,qvv=1', [])).not.toThrow(InadmissibleOverlapsError);
  });
});
