import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerThreadError } from '../../src/errors.ts';
import { getActivation } from '../../src/estimator/activations.ts';
import type { Activation } from '../../src/estimator/activation.ts';
import { Dataset, SHARED_MIN_NUMBERS, drawDataset, drawTeacher } from '../../src/erm/data.ts';
import { EvaluationPool, closeEvaluationPool, evaluationPool, tokenBalancedBounds, workerActivationIndex } from '../../src/erm/evaluation-pool.ts';
import { ErmObjective } from '../../src/erm/objective.ts';
import { RandomStream } from '../../src/numerics/random.ts';
import { reportSeed } from '../helpers/arbitraries.ts';
import { lawOf, pointNearTeacher } from './arbitraries.ts';

reportSeed('erm/evaluation-pool.test.ts');

/**
 * The split evaluation (evaluation-pool.ts) against the single-thread SIMD
 * kernel on the same shared data: the same sums in another order (each
 * thread sums its slice, the partial sums are added), so equal to rounding;
 * the tolerance is that of reference.test.ts, 1e−12 relative to
 * 1 + max |entry|. Needs two cores (a one-core machine reserves one scratch
 * region and never splits).
 */
const TOL = 1e-12;
const ACTIVATIONS = ['softmax', 'linear', 'erf', 'softplus', 'exp'];
const twoCores = availableParallelism() >= 2;

// D = 67 (D mod 4 = 3: the JS tail coordinates), variable lengths (groups of 1…4 tokens), several chunks
const spec = { task: 'spiked' as const, nu: 1.5, lengths: [1, 3, 6], delta: 0.3, D: 67, N: 120, seed: 5 };
const [t, s, x, rng] = RandomStream.streams(spec.seed, 4);
const teacher = drawTeacher(spec.D, t);
const { data } = drawDataset(lawOf(spec), teacher, spec.N, s, x, { storage: 'shared', chunkNumbers: 67 * 40 });
afterAll(() => closeEvaluationPool(data));

function pointFor(act: Activation): Float64Array {
  return pointNearTeacher(2 * spec.D + act.parameters.length, spec.D, teacher, rng, 0.3);
}

describe.skipIf(!twoCores)('parallel loss-and-gradient evaluation', () => {
  it.each(ACTIVATIONS)('should equal the single-thread kernel to 1e−12 relative for %s', (id) => {
    expect(data.chunks.length).toBeGreaterThan(1);
    const act = getActivation(id);
    const penalties = { lambdaK: 0.01, lambdaV: 0.02 };
    const single = new ErmObjective(data, act, penalties);
    const split = new ErmObjective(data, act, penalties, { threads: 2, parallelMinNumbers: 0 });
    expect(single.evaluationThreads).toBe(1);
    expect(split.evaluationThreads).toBe(2);
    const w = pointFor(act);
    const g1 = new Float64Array(w.length);
    const g2 = new Float64Array(w.length);
    const E1 = single.evaluate(w, g1);
    const E2 = split.evaluate(w, g2);
    let scale = 1 + Math.abs(E1);
    for (const v of g1) scale = Math.max(scale, 1 + Math.abs(v));
    expect(Math.abs(E2 - E1)).toBeLessThanOrEqual(TOL * scale);
    for (let i = 0; i < w.length; i++) expect(Math.abs(g2[i] - g1[i])).toBeLessThanOrEqual(TOL * scale);
    // loss only (no gradient requested): the same split
    expect(Math.abs(split.trainLoss(w) - single.trainLoss(w))).toBeLessThanOrEqual(TOL * scale);
    // the split is fixed, so a repeated evaluation is bit-identical
    const g3 = new Float64Array(w.length);
    expect(split.evaluate(w, g3)).toBe(E2);
    expect(g3).toEqual(g2);
  });

  it('should surface an error thrown in a worker as a WorkerThreadError, and stay usable', () => {
    const pool = evaluationPool(data, 2);
    const w = pointFor(getActivation('softmax'));
    let own = 0;
    expect(() => pool.evaluate(99, false, w, true, () => own++)).toThrow(WorkerThreadError);
    expect(() => pool.evaluate(99, false, w, true, () => own++)).toThrow(/no activation with index 99/);
    expect(own).toBe(2); // the caller's slice ran both times
    const softmax = workerActivationIndex(getActivation('softmax'));
    expect(pool.evaluate(softmax, false, w, true, () => {})[0].loss).toBeGreaterThan(0);
  });

  it('should refuse evaluations on a closed pool, and start a new one on the next evaluation', () => {
    const act = getActivation('linear');
    const objective = new ErmObjective(data, act, { lambdaK: 0, lambdaV: 0 }, { threads: 2, parallelMinNumbers: 0 });
    const w = pointFor(act);
    const before = objective.trainLoss(w);
    const pool = evaluationPool(data, 2);
    closeEvaluationPool(data);
    expect(() => pool.evaluate(0, false, w, false, () => {})).toThrow(/closed/);
    const fresh = new ErmObjective(data, act, { lambdaK: 0, lambdaV: 0 }, { threads: 2, parallelMinNumbers: 0 });
    expect(fresh.trainLoss(w)).toBe(before);
  });

  // the timeouts, with a stand-in worker (fixtures/silent-worker.mjs) and limits of a fraction of a second
  const silentWorker = new URL('./fixtures/silent-worker.mjs', import.meta.url);
  const withSilentWorker = (mode: string, run: () => void) => {
    const previous = process.env.SLR_TEST_SILENT_WORKER;
    process.env.SLR_TEST_SILENT_WORKER = mode;
    try {
      run();
    } finally {
      if (previous === undefined) delete process.env.SLR_TEST_SILENT_WORKER;
      else process.env.SLR_TEST_SILENT_WORKER = previous;
    }
  };

  it('should throw a WorkerThreadError, and close the pool, when a worker does not start in time', () => {
    withSilentWorker('never-ready', () => {
      const pool = new EvaluationPool(data, 2, { workerEntry: silentWorker, startupTimeoutMs: 500 });
      const w = pointFor(getActivation('softmax'));
      const t0 = performance.now();
      expect(() => pool.evaluate(0, false, w, true, () => {})).toThrow(/evaluation worker 0 did not start within 0.5 s/);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(500);
      expect(() => pool.evaluate(0, false, w, true, () => {})).toThrow(/closed/);
    });
  });

  it('should throw a WorkerThreadError, and close the pool, when a started worker does not answer (instead of hanging)', () => {
    withSilentWorker('mute', () => {
      const pool = new EvaluationPool(data, 2, { workerEntry: silentWorker, evaluationTimeoutMinMs: 300 });
      const w = pointFor(getActivation('softmax'));
      let own = 0;
      const t0 = performance.now();
      expect(() => pool.evaluate(0, false, w, true, () => own++)).toThrow(/evaluation worker 0 did not answer within .* at least 0.3 s\); the pool is closed/);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(300);
      expect(own).toBe(1); // the caller's slice ran
      expect(() => pool.evaluate(0, false, w, true, () => {})).toThrow(/closed/);
    });
  });

  it('should let the process exit with a pool left open (workers are unref\'d)', async () => {
    const script = fileURLToPath(new URL('./fixtures/open-pool.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const out = await new Promise<string>((resolve, reject) =>
      execFile(tsx, [script], { timeout: 20_000 }, (e, stdout) => (e ? reject(e) : resolve(stdout))),
    );
    expect(out.trim()).toMatch(/^evaluated on 2 threads: \d/);
  }, 25_000);
});

describe('when an evaluation is split', () => {
  it.runIf(twoCores)('should split from SHARED_MIN_NUMBERS stored numbers on (auto storage), not below', () => {
    const act = getActivation('softmax');
    const D = 1024;
    const big = Dataset.allocate(D, new Array<number>(SHARED_MIN_NUMBERS / D).fill(1));
    const small = Dataset.allocate(D, new Array<number>(SHARED_MIN_NUMBERS / D - 1).fill(1));
    expect(big.storage).toBe('shared');
    expect(small.storage).toBe('wasm');
    expect(new ErmObjective(big, act, { lambdaK: 0, lambdaV: 0 }, { threads: 2 }).evaluationThreads).toBe(2);
    expect(new ErmObjective(small, act, { lambdaK: 0, lambdaV: 0 }, { threads: 2 }).evaluationThreads).toBe(1);
    // small shared data stay in one thread at the default threshold too
    expect(new ErmObjective(data, act, { lambdaK: 0, lambdaV: 0 }, { threads: 2 }).evaluationThreads).toBe(1);
  });

  it('should stay in one thread by default, on unshared data, and for an activation workers do not know', () => {
    const act = getActivation('softmax');
    expect(new ErmObjective(data, act, { lambdaK: 0, lambdaV: 0 }, { parallelMinNumbers: 0 }).evaluationThreads).toBe(1);
    const wasm = Dataset.allocate(8, [3, 3, 3], undefined, 'wasm');
    expect(new ErmObjective(wasm, act, { lambdaK: 0, lambdaV: 0 }, { threads: 2, parallelMinNumbers: 0 }).evaluationThreads).toBe(1);
    const custom: Activation = { ...act, id: 'softmax-copy' };
    expect(workerActivationIndex(custom)).toBe(-1);
    expect(new ErmObjective(data, custom, { lambdaK: 0, lambdaV: 0 }, { threads: 2, parallelMinNumbers: 0 }).evaluationThreads).toBe(1);
  });

  it('should use at most one thread per scratch region of the data', () => {
    const act = getActivation('softmax');
    const objective = new ErmObjective(data, act, { lambdaK: 0, lambdaV: 0 }, { threads: 64, parallelMinNumbers: 0 });
    expect(objective.evaluationThreads).toBe(Math.min(data.scratchSlots, 64));
    expect(data.scratchSlots).toBe(Math.min(availableParallelism(), 16));
  });
});

describe('tokenBalancedBounds', () => {
  it('should split sequences into contiguous slices of about equal token counts', () => {
    expect([...tokenBalancedBounds([3, 3, 3, 3], 2)]).toEqual([0, 2, 4]);
    expect([...tokenBalancedBounds([6, 1, 1, 1, 1, 1, 1], 2)]).toEqual([0, 1, 7]);
    expect([...tokenBalancedBounds([1, 1, 1], 3)]).toEqual([0, 1, 2, 3]);
    // more threads than sequences: empty slices at the end
    expect([...tokenBalancedBounds([2, 2], 4)]).toEqual([0, 1, 1, 2, 2]);
  });
});
