import fc from 'fast-check';

/**
 * Generators of the symbolic tests (kept beside them: test/helpers/ belongs to
 * the engine's tests; the seed convention is the same, SLR_SEED).
 */

/** Unexpanded polynomial text in x and y: integer constants, sums, differences, products, small powers, negation (depth ≤ 3). */
export const polynomialTextArb: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -5, max: 5 }).map((k) => (k < 0 ? `(${k})` : `${k}`)),
    fc.constantFrom('x', 'y'),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} + ${b})`),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} - ${b})`),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `${a}*${b}`),
    fc.tuple(tie('node'), fc.integer({ min: 0, max: 3 })).map(([a, k]) => `(${a})^${k}`),
    tie('node').map((a) => `-(${a})`),
  ),
})).node;

/** A monomial exponent vector over (x, y, z) with total degree ≤ 6. */
export const exponentsArb = fc
  .tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 }))
  // keep the tensor quadrature small (4 nodes per dimension suffice up to degree 7)
  .filter(([a, b, c]) => a + b + c <= 6);
