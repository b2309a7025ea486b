import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { describeLengthLaw, fixedLength, lengthLaw } from '../../src/task/length-law.ts';

describe('lengthLaw', () => {
  it('should normalise weights and merge repeated lengths', () => {
    const law = lengthLaw([3, 1, 3], [1, 2, 1]);
    expect(law.lengths).toEqual([1, 3]);
    expect(law.probabilities).toEqual([0.5, 0.5]);
  });
  it('should describe uniform laws as Unif{…}', () => {
    expect(describeLengthLaw(lengthLaw([1, 2, 3]))).toBe('Unif{1,2,3}');
    expect(describeLengthLaw(fixedLength(5))).toBe('5');
  });
  it.each([[0], [2.5], [-1], [NaN], [Infinity]])('should reject L = %s', (L) => {
    expect(() => fixedLength(L)).toThrow(InvalidInputError);
  });
  it('should reject negative or all-zero weights and mismatched lists', () => {
    expect(() => lengthLaw([1, 2], [1, -1])).toThrow(InvalidInputError);
    expect(() => lengthLaw([1, 2], [0, 0])).toThrow(InvalidInputError);
    expect(() => lengthLaw([1, 2], [1])).toThrow(InvalidInputError);
  });
});
