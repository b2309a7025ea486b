import fc from 'fast-check';

/**
 * Generators for the figure tests (kept beside them: test/helpers/ belongs to
 * the engine). Seeds come from SLR_SEED through test/helpers/arbitraries.ts.
 */

/** a grid size as `--points` accepts it */
export const pointsArb = fc.integer({ min: 2, max: 60 });

/** a finite interval [a, b] with a < b, of moderate magnitude (what a figure's axis spans) */
export const intervalArb = fc
  .tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }))
  .map(([a, width]) => [a, a + width] as const);

/** a positive interval 0 < a < b spanning up to twelve decades */
export const positiveIntervalArb = fc
  .tuple(fc.double({ min: -6, max: 6, noNaN: true }), fc.double({ min: 0.01, max: 6, noNaN: true }))
  .map(([la, span]) => [10 ** la, 10 ** (la + span)] as const);

/** text as it appears in CSV fields: commas, quotes, line breaks, non-ASCII */
export const csvTextArb = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r\n', 'ν', '–', '²', '0', '.') as fc.Arbitrary<string>, maxLength: 30 });

/** a double as the engine can return it (any finite value, including subnormals and −0) */
export const finiteArb = fc.double({ noNaN: true, noDefaultInfinity: true });
