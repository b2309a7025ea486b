import { afterAll, describe, expect, it } from 'vitest';
import { getActivation } from '../../src/estimator/activations.ts';
import { reportSeed } from '../helpers/arbitraries.ts';
import { differenceToReference, pointNearTeacher, smallProblem } from './arbitraries.ts';

reportSeed('erm/simd-variant.test.ts');

/**
 * The SIMD kernels' build is chosen once per process (simd.ts, kernelVariant): 'fma' where V8 takes
 * relaxed SIMD and fuses relaxed_madd (this machine), else 'mul-add'. The other test files run the
 * default build; this one forces the fallback with SLR_ERM_SIMD=mul-add before the kernels' module
 * is loaded (the build is decided at the first kernel call; vitest gives each test file its own module graph) and checks it against the plain
 * reference, so that both builds stay tested wherever the suite runs.
 */
const previous = process.env.SLR_ERM_SIMD;
process.env.SLR_ERM_SIMD = 'mul-add';
afterAll(() => {
  if (previous === undefined) delete process.env.SLR_ERM_SIMD;
  else process.env.SLR_ERM_SIMD = previous;
});

describe('the mul-add build of the SIMD kernels (SLR_ERM_SIMD=mul-add)', () => {
  it('should be the build in use, and equal the plain reference to 1e−12 relative for every σ (D mod 4 = 0…3)', async () => {
    const { kernelVariant } = await import('../../src/erm/simd.ts');
    const { ErmObjective } = await import('../../src/erm/objective.ts');
    expect(kernelVariant()).toBe('mul-add');
    for (const id of ['softmax', 'linear', 'erf', 'softplus', 'exp']) {
      for (const D of [60, 61, 258, 259]) {
        const spec = { task: 'spiked' as const, nu: 1, lengths: [1, 3, 6], delta: 0.3, D, N: 40, seed: D };
        const { teacher, data, rng } = smallProblem(spec, 'wasm');
        const act = getActivation(id);
        const obj = new ErmObjective(data, act, { lambdaK: 0.01, lambdaV: 0.02 }, { kernel: 'wasm' });
        const { diff, scale } = differenceToReference(obj, data, act, pointNearTeacher(obj.size, D, teacher, rng));
        expect(diff).toBeLessThanOrEqual(1e-12 * scale);
      }
    }
  });
});
