import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { RESULTS, windowSumArena } from '../../src/numerics/window-sums.ts';

const EPS = Number.EPSILON;

/** Σ|k·u|·(len + 2)·eps: the rounding of either order of summation */
function bound(k: Float64Array, u: Float64Array, a: number, b: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += Math.abs(k[a + i] * u[b + i]);
  return (len + 2) * EPS * s;
}

function plain(k: Float64Array, u: Float64Array, a: number, b: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += k[a + i] * u[b + i];
  return s;
}

describe('window sums in WebAssembly SIMD', () => {
  const arena = windowSumArena(4000);

  it('should be available on this runtime (Node 20 has WebAssembly SIMD)', () => {
    expect(arena).toBeDefined();
    expect(arena!.first).toBe(RESULTS);
    expect(arena!.f64.length).toBeGreaterThanOrEqual(RESULTS + 4000);
  });

  // every length 0…13 (all tails of both kernels) and odd or even offsets, against the plain loop
  fcTest.prop([fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 1e6 })])(
    'dot2 and dot5 equal the plain loop to rounding at any length and offset',
    (len, shiftK, shiftU, seed) => {
      const f = arena!.f64;
      let x = seed;
      const rnd = () => ((x = (x * 48271) % 2147483647) / 2147483647) * 2 - 1;
      for (let i = RESULTS; i < RESULTS + 400; i++) f[i] = rnd();
      const k1 = RESULTS + shiftK;
      const k0 = RESULTS + 20 + shiftK;
      const u = RESULTS + 40 + shiftU;
      const stride = 30;
      arena!.dot2(k1, k0, u + stride, u + 4 * stride, len);
      const got2 = [f[0], f[1]];
      expect(Math.abs(got2[0] - plain(f, f, k1, u + stride, len))).toBeLessThanOrEqual(bound(f, f, k1, u + stride, len));
      expect(Math.abs(got2[1] - plain(f, f, k0, u + 4 * stride, len))).toBeLessThanOrEqual(bound(f, f, k0, u + 4 * stride, len));
      arena!.dot5(k1, k0, u, stride, len);
      for (let j = 0; j < 5; j++) {
        const k = j < 3 ? k1 : k0;
        expect(Math.abs(f[j] - plain(f, f, k, u + j * stride, len)), `dot5 component ${j}`).toBeLessThanOrEqual(bound(f, f, k, u + j * stride, len));
      }
    },
  );

  it('should sum long windows (the engine’s sizes) to rounding', () => {
    const f = arena!.f64;
    const len = 1001;
    for (let i = 0; i < 3 * len; i++) f[RESULTS + i] = Math.sin(i) * Math.exp(-i / 500);
    arena!.dot2(RESULTS, RESULTS + len, RESULTS + 2 * len, RESULTS + 2 * len, len);
    expect(Math.abs(f[0] - plain(f, f, RESULTS, RESULTS + 2 * len, len))).toBeLessThanOrEqual(bound(f, f, RESULTS, RESULTS + 2 * len, len));
    expect(Math.abs(f[1] - plain(f, f, RESULTS + len, RESULTS + 2 * len, len))).toBeLessThanOrEqual(bound(f, f, RESULTS + len, RESULTS + 2 * len, len));
  });

  it('should decline sizes beyond what wasm32 addresses', () => {
    expect(windowSumArena(2 ** 40)).toBeUndefined();
  });
});
