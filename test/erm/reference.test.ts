import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getActivation } from '../../src/estimator/activations.ts';
import { closeEvaluationPool } from '../../src/erm/evaluation-pool.ts';
import { type ErmKernel, ErmObjective } from '../../src/erm/objective.ts';
import { nativeKernels } from '../../src/erm/native.ts';
import { referenceEvaluate } from '../../src/erm/reference.ts';
import { fcParams, reportSeed } from '../helpers/arbitraries.ts';
import { type Storage, drawDataset, drawTeacher } from '../../src/erm/data.ts';
import { RandomStream } from '../../src/numerics/random.ts';
import { type SmallProblemSpec, differenceToReference, lawOf, pointNearTeacher, smallProblem, smallProblemArb } from './arbitraries.ts';

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

function compare(id: string, spec: SmallProblemSpec, lambda: number, storage: Storage, kernel: ErmKernel) {
  const { teacher, data, rng } = smallProblem(spec, storage);
  expect(data.storage).toBe(storage);
  const act = getActivation(id);
  const obj = new ErmObjective(data, act, { lambdaK: lambda, lambdaV: 2 * lambda }, { kernel });
  expect(obj.kernel).toBe(kernel);
  const D = spec.D;
  const w = pointNearTeacher(obj.size, D, teacher, rng);
  const { E, ERef, diff, scale } = differenceToReference(obj, data, act, w);
  if (diff > TOL * scale) console.error({ id, storage, kernel, spec, lambda, E, ERef, maxDifference: diff, tolerance: TOL * scale });
  return { diff, tolerance: TOL * scale };
}

/**
 * Every kernel: WebAssembly SIMD (data in a kernel memory), JS (data in plain
 * arrays) and, where the addon is built (test/erm/native.test.ts requires it
 * wherever a C++ compiler is present), native on either storage.
 */
const KERNELS: (readonly [Storage, ErmKernel])[] = [
  ['wasm', 'wasm'],
  ['array', 'js'],
  ...(nativeKernels() ? ([['wasm', 'native'], ['array', 'native']] as const) : []),
];
const CASES = ACTIVATIONS.flatMap((id) => KERNELS.map(([storage, kernel]) => [id, storage, kernel] as const));

describe('ErmObjective.evaluate against referenceEvaluate', () => {
  it.each(CASES)('should equal the plain reference kernel to 1e−12 relative on random data for %s (%s storage, %s kernel)', (id, storage, kernel) => {
    fc.assert(
      fc.property(smallProblemArb, fc.double({ min: 0, max: 0.5, noNaN: true }), (spec, lambda) => {
        const { diff, tolerance } = compare(id, spec, lambda, storage, kernel);
        expect(diff).toBeLessThanOrEqual(tolerance);
      }),
      fcParams,
    );
  });

  // D mod 8 = 0…7 (the vector tails of every build); at D = 2051 the native path's blocks hold 31 tokens, so 40 sequences span several blocks
  it.each(CASES)('should equal the reference at larger D, D mod 8 = 0…7 (vector tails), for %s (%s storage, %s kernel)', (id, storage, kernel) => {
    for (const D of [60, 61, 258, 259, 64, 71, 2049, 2051]) {
      const { diff, tolerance } = compare(id, { task: 'spiked', nu: 1, lengths: [1, 3, 6, 11], delta: 0.3, D, N: 40, seed: D }, 0.01, storage, kernel);
      expect(diff).toBeLessThanOrEqual(tolerance);
    }
  });

  it.each([
    ['wasm', 1, 'wasm'],
    ['array', 1, 'js'],
    ['shared', 2, 'wasm'],
    ...(nativeKernels() ? ([['array', 1, 'native'], ['shared', 2, 'native']] as const) : []),
  ] as const)('should equal the reference on data split into many chunks (%s storage, %d thread(s), %s kernel)', (storage, threads, kernel) => {
    const spec = { task: 'spiked' as const, nu: 1, lengths: [2, 5], delta: 0.3, D: 36, N: 50, seed: 8 };
    const [t, s, x, rng] = RandomStream.streams(spec.seed, 4);
    const teacher = drawTeacher(spec.D, t);
    const { data } = drawDataset(lawOf(spec), teacher, spec.N, s, x, { chunkNumbers: 600, storage });
    expect(data.chunks.length).toBeGreaterThan(5);
    for (const id of ACTIVATIONS) {
      const act = getActivation(id);
      const obj = new ErmObjective(data, act, { lambdaK: 0.1, lambdaV: 0.1 }, { threads, parallelMinNumbers: 0, kernel });
      expect(obj.evaluationThreads).toBe(Math.min(threads, data.scratchSlots));
      expect(obj.kernel).toBe(kernel);
      const w = new Float64Array(obj.size);
      rng.fillNormal(w);
      for (let i = 0; i < w.length; i++) w[i] *= 0.3;
      const { E, ERef, diff, scale } = differenceToReference(obj, data, act, w);
      if (diff > TOL * scale) console.error({ id, storage, kernel, E, ERef, maxDifference: diff, tolerance: TOL * scale });
      expect(diff).toBeLessThanOrEqual(TOL * scale);
    }
    closeEvaluationPool(data);
  });

  it('should fail when the kernel is wrong (the check can fail): one token coordinate changed after evaluation', () => {
    const spec = { task: 'spiked' as const, nu: 1, lengths: [3], delta: 0, D: 64, N: 10, seed: 4 };
    const { data } = smallProblem(spec, 'wasm');
    const act = getActivation('softmax');
    const obj = new ErmObjective(data, act, { lambdaK: 0, lambdaV: 0 });
    const w = new Float64Array(obj.size).fill(0.1);
    const g = new Float64Array(obj.size);
    const E = obj.evaluate(w, g);
    data.chunks[0][5] *= 1 + 1e-6;
    const gRef = new Float64Array(obj.size);
    const ERef = referenceEvaluate(data, act, obj.penalties, w, gRef);
    const diff = Math.max(Math.abs(E - ERef), ...g.map((x, j) => Math.abs(x - gRef[j])));
    expect(diff).toBeGreaterThan(100 * TOL);
  });
});

