import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { getActivation } from '../../src/estimator/activations.ts';
import { InvalidInputError } from '../../src/errors.ts';
import { NATIVE_ISAS, type NativeIsa, nativeKernelStatus, nativeKernels } from '../../src/erm/native.ts';
import { ErmObjective } from '../../src/erm/objective.ts';
import { fcParams, reportSeed } from '../helpers/arbitraries.ts';
import { pointNearTeacher, smallProblem } from './arbitraries.ts';

reportSeed('erm/native.test.ts');

/** Whether node-gyp's toolchain answers here: a C++ compiler, make and Python (then `npm ci` builds the addon: package.json's install script). */
function toolchainPresent(): boolean {
  const answers = (command: string) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
  return ['c++', 'g++', 'clang++'].some(answers) && answers('make') && ['python3', 'python'].some(answers);
}

/** The widest instruction set the addon should pick on this CPU (Linux x86-64: from /proc/cpuinfo), or undefined where unknown. */
function expectedIsa(): NativeIsa | undefined {
  if (process.arch !== 'x64' || !existsSync('/proc/cpuinfo')) return undefined;
  const flags = new Set((readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '').trim().split(/\s+/));
  if (['avx512f', 'avx512vl', 'avx512bw', 'avx512dq', 'avx2', 'fma'].every((f) => flags.has(f))) return 'avx512';
  if (flags.has('avx2') && flags.has('fma')) return 'avx2';
  return 'baseline';
}

const nat = nativeKernels();
const initialIsa = nat?.isa();
afterAll(() => {
  if (nat && initialIsa) nat.useIsa(initialIsa);
});

describe('the native ERM kernels (native/erm_kernel.cc)', () => {
  it('should be built and loaded wherever a C++ toolchain is present (unless SLR_ERM_NATIVE=0)', () => {
    if (process.env.SLR_ERM_NATIVE === '0') {
      expect(nativeKernelStatus()).toMatch(/disabled/);
      return;
    }
    if (!toolchainPresent()) return; // nothing to build with: the WebAssembly kernels run (reference.test.ts)
    expect(nativeKernelStatus()).toMatch(/^loaded/);
    expect(nat).not.toBeNull();
  });

  const available = nat ? NATIVE_ISAS.filter((isa) => nat.useIsa(isa)) : [];
  if (nat && initialIsa) nat.useIsa(initialIsa);

  it.runIf(nat !== null)('should pick the widest vectors this CPU runs, and refuse an unknown instruction set', () => {
    const expected = expectedIsa();
    if (expected) expect(initialIsa).toBe(expected);
    expect(available).toContain('baseline');
    expect(nat!.useIsa('sse9' as NativeIsa)).toBe(false);
    expect(nat!.isa()).toBe(initialIsa);
  });

  /**
   * `step` against plain loops in Float64: projections (χ, z) of block B and
   * the gradient terms of block A, for token counts 0…19 (groups of 8 and
   * every tail) and D = 1…40 (every vector tail of every build). Each entry
   * is a sum of at most D + 19 products of numbers ≤ 1 in size, so both
   * orders agree to ≈ 60ε: the tolerance 1e−13 leaves a factor 7.
   */
  it.runIf(nat !== null).each(available)('should equal plain loops for random blocks (%s)', (isa) => {
    expect(nat!.useIsa(isa)).toBe(true);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 19 }),
        fc.integer({ min: 0, max: 19 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (D, tokensA, tokensB, seed) => {
          let state = seed + 1;
          const rand = () => ((state = (state * 48271) % 2147483647) / 2147483647) * 2 - 1;
          const offA = 3;
          const offB = 5;
          const XA = Float32Array.from({ length: offA + tokensA * D + 2 }, rand);
          const XB = Float32Array.from({ length: offB + tokensB * D + 1 }, rand);
          const coef = Float64Array.from({ length: 2 * tokensA }, rand);
          const wk = Float64Array.from({ length: D }, rand);
          const wv = Float64Array.from({ length: D }, rand);
          const gk = Float64Array.from({ length: D }, rand);
          const gv = Float64Array.from({ length: D }, rand);
          const out = new Float64Array(2 * tokensB).fill(NaN);
          const [gk0, gv0] = [gk.slice(), gv.slice()];
          nat!.step(XA, offA, tokensA, coef, XB, offB, tokensB, out, wk, wv, gk, gv, D);
          for (let t = 0; t < tokensB; t++) {
            let chi = 0;
            let z = 0;
            for (let i = 0; i < D; i++) {
              chi += XB[offB + t * D + i] * wk[i];
              z += XB[offB + t * D + i] * wv[i];
            }
            expect(Math.abs(out[2 * t] - chi)).toBeLessThanOrEqual(1e-13 * D);
            expect(Math.abs(out[2 * t + 1] - z)).toBeLessThanOrEqual(1e-13 * D);
          }
          for (let i = 0; i < D; i++) {
            let sk = gk0[i];
            let sv = gv0[i];
            for (let t = 0; t < tokensA; t++) {
              sk += coef[2 * t] * XA[offA + t * D + i];
              sv += coef[2 * t + 1] * XA[offA + t * D + i];
            }
            expect(Math.abs(gk[i] - sk)).toBeLessThanOrEqual(1e-13 * (1 + tokensA));
            expect(Math.abs(gv[i] - sv)).toBeLessThanOrEqual(1e-13 * (1 + tokensA));
          }
        },
      ),
      fcParams,
    );
  });

  it.runIf(nat !== null).each(available)('should give the streaming-read sums in 1 and 8 streams (%s)', (isa) => {
    expect(nat!.useIsa(isa)).toBe(true);
    for (const n of [0, 1, 7, 8, 63, 64, 65, 1000, 4099]) {
      const X = Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1));
      let sum = 0;
      let abs = 0;
      for (const x of X) {
        sum += x;
        abs += Math.abs(x);
      }
      expect(Math.abs(nat!.sum(X, 1) - sum)).toBeLessThanOrEqual(1e-15 * n * abs + 1e-300);
      expect(Math.abs(nat!.sum(X, 8) - sum)).toBeLessThanOrEqual(1e-15 * n * abs + 1e-300);
    }
  });

  it.runIf(nat !== null)('should throw on arguments out of range instead of reading outside the arrays', () => {
    const D = 4;
    const X = new Float32Array(3 * D);
    const w = new Float64Array(D);
    const g = new Float64Array(D);
    const six = new Float64Array(6);
    const step = (...args: unknown[]) => () => (nat!.step as (...a: unknown[]) => void)(...args);
    // a token past the end of XB, of XA; too few slots in outB, coefA
    expect(step(null, 0, 0, six, X, 1, 3, six, w, w, g, g, D)).toThrow(RangeError);
    expect(step(X, 0, 4, new Float64Array(8), null, 0, 0, six, w, w, g, g, D)).toThrow(RangeError);
    expect(step(null, 0, 0, six, X, 0, 3, new Float64Array(5), w, w, g, g, D)).toThrow(RangeError);
    expect(step(X, 0, 3, new Float64Array(5), null, 0, 0, six, w, w, g, g, D)).toThrow(RangeError);
    // tokens without their array or gradient, a short w, D = 0, a fractional or negative count, NaN
    expect(step(null, 0, 1, six, null, 0, 0, six, w, w, g, g, D)).toThrow(RangeError);
    expect(step(X, 0, 1, six, null, 0, 0, six, w, w, null, null, D)).toThrow(RangeError);
    expect(step(null, 0, 0, six, X, 0, 1, six, new Float64Array(3), w, g, g, D)).toThrow(RangeError);
    expect(step(null, 0, 0, six, X, 0, 1, six, w, w, g, g, 0)).toThrow(RangeError);
    expect(step(null, 0, 0, six, X, 0.5, 1, six, w, w, g, g, D)).toThrow(RangeError);
    expect(step(null, 0, 0, six, X, -4, 1, six, w, w, g, g, D)).toThrow(RangeError);
    expect(step(null, 0, 0, six, X, NaN, 1, six, w, w, g, g, D)).toThrow(RangeError);
    // wrong array types, wrong argument count
    expect(step(null, 0, 0, six, new Float64Array(12), 0, 1, six, w, w, g, g, D)).toThrow(TypeError);
    expect(step(null, 0, 0, six, X, 0, 1, new Float32Array(6), w, w, g, g, D)).toThrow(TypeError);
    expect(step(null, 0, 0, six, X, 0, 1, six, w, w, g, g)).toThrow(TypeError);
    expect(() => nat!.sum(X, 3 as 8)).toThrow(RangeError);
    expect(() => (nat!.sum as (x: unknown, s: number) => number)([1, 2], 1)).toThrow(TypeError);
    // and a valid call still works: one token of XB
    expect(step(null, 0, 0, six, X, 8, 1, six, w, w, g, g, D)).not.toThrow();
  });

  it.runIf(nat !== null)('should give the same predictions and training loss as the JS kernels, and the unpenalised gradient at a residual of 0', () => {
    const spec = { task: 'max' as const, nu: 2, lengths: [2, 9], delta: 0.3, D: 37, N: 30, seed: 11 };
    const { teacher, data, rng } = smallProblem(spec, 'array');
    const act = getActivation('softmax');
    const native = new ErmObjective(data, act, { lambdaK: 0, lambdaV: 0 }, { kernel: 'native' });
    const js = new ErmObjective(data, act, { lambdaK: 0, lambdaV: 0 }, { kernel: 'js' });
    const w = pointNearTeacher(native.size, spec.D, teacher, rng);
    const [p1, p2] = [new Float64Array(spec.N), new Float64Array(spec.N)];
    native.predict(w, p1);
    js.predict(w, p2);
    for (let n = 0; n < spec.N; n++) expect(Math.abs(p1[n] - p2[n])).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(p2[n])));
    expect(Math.abs(native.trainLoss(w) - js.trainLoss(w))).toBeLessThanOrEqual(1e-13 * js.trainLoss(w));
    // labels set to the predictions: every residual is exactly 0, so the gradient is exactly 0 (no sequence adds a term)
    data.y.set(p1);
    const g = new Float64Array(native.size).fill(NaN);
    expect(native.evaluate(w, g)).toBe(0);
    expect(Array.from(g.subarray(0, 2 * spec.D)).every((x) => x === 0)).toBe(true);
  });

  it('should refuse an unknown kernel name', () => {
    const { data } = smallProblem({ task: 'spiked', nu: 1, lengths: [3], delta: 0, D: 8, N: 4, seed: 1 }, 'array');
    expect(() => new ErmObjective(data, getActivation('softmax'), { lambdaK: 0, lambdaV: 0 }, { kernel: 'cuda' as 'js' })).toThrow(InvalidInputError);
  });
});
