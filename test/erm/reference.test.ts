import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getActivation } from '../../src/estimator/activations.ts';
import { ErmObjective } from '../../src/erm/objective.ts';
import { referenceEvaluate } from '../../src/erm/reference.ts';
import { fcParams, reportSeed } from '../helpers/arbitraries.ts';
import { type SmallProblemSpec, smallProblem, smallProblemArb } from './arbitraries.ts';

reportSeed('erm/reference.test.ts');

/**
 * The optimised kernel (ErmObjective.evaluate: fused, token-grouped, SIMD
 * when available) against the plain reference implementation
 * (src/erm/reference.ts) at the same w. Both compute the same sums in
 * different orders, so they agree to rounding: each entry is a sum of at
 * most N·L_max·D products of O(1) numbers, whose rounding error in either
 * order is at most γ·Σ|terms| with γ = (N + L_max·D + 16)·ε (Higham §3.1);
 * here that is below 2e−13 relative, and the tolerance TOL = 1e−12 of the
 * brief leaves a factor 5. The scale is 1 + max |entry| of the reference
 * (loss, gradient), so tiny entries are compared absolutely.
 */
const TOL = 1e-12;
const ACTIVATIONS = ['softmax', 'linear', 'erf', 'softplus', 'exp'];

function compare(id: string, spec: SmallProblemSpec, lambda: number) {
  const { teacher, data, rng } = smallProblem(spec);
  const act = getActivation(id);
  const obj = new ErmObjective(data, act, { lambdaK: lambda, lambdaV: 2 * lambda });
  const D = spec.D;
  const w = new Float64Array(obj.size);
  rng.fillNormal(w);
  for (let i = 0; i < 2 * D; i++) w[i] *= 0.7 / Math.sqrt(D);
  for (let i = 0; i < D; i++) {
    w[i] += 0.5 * teacher.uk[i];
    w[D + i] += 0.5 * teacher.uv[i];
  }
  const g = new Float64Array(obj.size);
  const gRef = new Float64Array(obj.size);
  const E = obj.evaluate(w, g);
  const ERef = referenceEvaluate(data, act, obj.penalties, w, gRef);
  let scale = 1 + Math.abs(ERef);
  let diff = Math.abs(E - ERef);
  for (let j = 0; j < g.length; j++) {
    scale = Math.max(scale, 1 + Math.abs(gRef[j]));
    diff = Math.max(diff, Math.abs(g[j] - gRef[j]));
  }
  if (diff > TOL * scale) console.error({ id, spec, lambda, E, ERef, maxDifference: diff, tolerance: TOL * scale });
  return { diff, tolerance: TOL * scale };
}

describe('ErmObjective.evaluate against referenceEvaluate', () => {
  it.each(ACTIVATIONS)('should equal the plain reference kernel to 1e−12 relative on random data for %s', (id) => {
    fc.assert(
      fc.property(smallProblemArb, fc.double({ min: 0, max: 0.5, noNaN: true }), (spec, lambda) => {
        const { diff, tolerance } = compare(id, spec, lambda);
        expect(diff).toBeLessThanOrEqual(tolerance);
      }),
      fcParams,
    );
  });

  it.each(ACTIVATIONS)('should equal the reference at a larger odd D (vector tails) for %s', (id) => {
    for (const D of [61, 257]) {
      const { diff, tolerance } = compare(id, { task: 'spiked', nu: 1, lengths: [1, 3, 6], delta: 0.3, D, N: 40, seed: D }, 0.01);
      expect(diff).toBeLessThanOrEqual(tolerance);
    }
  });
});

