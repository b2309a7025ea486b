import fc from 'fast-check';
import { RandomStream } from '../../src/numerics/random.ts';
import { type DataLaw, type Dataset, type Storage, type Teacher, drawDataset, drawTeacher } from '../../src/erm/data.ts';
import { type LengthLaw, fixedLength, lengthLaw } from '../../src/task/length-law.ts';
import { maxTask, spikedTask } from '../../src/task/tasks.ts';
import type { Activation } from '../../src/estimator/activation.ts';
import type { ErmObjective } from '../../src/erm/objective.ts';
import { referenceEvaluate } from '../../src/erm/reference.ts';

/**
 * Generators of small ERM problems (a teacher and a training set of the full
 * model) for the property tests of src/erm. Sizes are small so that every
 * run costs milliseconds.
 */
export interface SmallProblemSpec {
  readonly task: 'spiked' | 'max';
  readonly nu: number;
  readonly lengths: readonly number[];
  readonly delta: number;
  readonly D: number;
  readonly N: number;
  readonly seed: number;
}

export const smallProblemArb: fc.Arbitrary<SmallProblemSpec> = fc.record({
  task: fc.constantFrom('spiked' as const, 'max' as const),
  nu: fc.double({ min: 0, max: 4, noNaN: true }),
  // a fixed length (including the degenerate L = 1) or a variable law; up to 9 tokens so that the
  // kernels' groups of 1…4 tokens all occur (e.g. 9 = 4 + 4 + 1)
  lengths: fc.oneof(fc.integer({ min: 1, max: 9 }).map((L) => [L]), fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 3 })),
  delta: fc.constantFrom(0, 0.3),
  D: fc.integer({ min: 4, max: 16 }),
  N: fc.integer({ min: 3, max: 25 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

export function lawOf(spec: SmallProblemSpec): DataLaw {
  const lengths: LengthLaw = spec.lengths.length === 1 ? fixedLength(spec.lengths[0]) : lengthLaw(spec.lengths);
  return { task: spec.task === 'spiked' ? spikedTask : maxTask, nu: spec.nu, lengths, delta: spec.delta };
}

/** Teacher, data (stored as `storage` says, data.ts), and a stream for further draws (e.g. the point w), all from spec.seed. */
export function smallProblem(spec: SmallProblemSpec, storage: Storage = 'auto'): { teacher: Teacher; data: Dataset; rng: RandomStream } {
  const [t, s, x, rng] = RandomStream.streams(spec.seed, 4);
  const teacher = drawTeacher(spec.D, t);
  const { data } = drawDataset(lawOf(spec), teacher, spec.N, s, x, { storage });
  return { teacher, data, rng };
}

/**
 * A parameter vector w = (k, v, θ) of `size` entries (θ after the first 2D) where χ, z are of order 1:
 * k, v at overlap 0.5 with the teacher plus normal noise scaled 0.7/√D; θ = `theta` where given, else
 * its normal draws.
 */
export function pointNearTeacher(size: number, D: number, teacher: Teacher, rng: RandomStream, theta?: number): Float64Array {
  const w = new Float64Array(size);
  rng.fillNormal(w);
  for (let i = 0; i < 2 * D; i++) w[i] *= 0.7 / Math.sqrt(D);
  for (let i = 0; i < D; i++) {
    w[i] += 0.5 * teacher.uk[i];
    w[D + i] += 0.5 * teacher.uv[i];
  }
  if (theta !== undefined) w.fill(theta, 2 * D);
  return w;
}

/**
 * The optimised kernel (`objective.evaluate`) against the plain reference (src/erm/reference.ts) at w:
 * the largest difference over the loss and every gradient entry, and the scale 1 + max |entry| of
 * the reference that tolerances are relative to.
 */
export function differenceToReference(objective: ErmObjective, data: Dataset, act: Activation, w: Float64Array): { E: number; ERef: number; diff: number; scale: number } {
  const g = new Float64Array(objective.size);
  const gRef = new Float64Array(objective.size);
  const E = objective.evaluate(w, g);
  const ERef = referenceEvaluate(data, act, objective.penalties, w, gRef);
  let scale = 1 + Math.abs(ERef);
  let diff = Math.abs(E - ERef);
  for (let j = 0; j < g.length; j++) {
    scale = Math.max(scale, 1 + Math.abs(gRef[j]));
    diff = Math.max(diff, Math.abs(g[j] - gRef[j]));
  }
  return { E, ERef, diff, scale };
}
