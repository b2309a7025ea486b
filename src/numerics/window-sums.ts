/**
 * Window sums Σ_{i<len} k[a + i]·u[b + i] of Float64 arrays, the inner loop of
 * the risk engine's softmax-selection rule (src/risk/population.ts: every row
 * of the fixed r-rule against the per-s moments, 2 or 5 sums sharing their
 * kernel values). In WebAssembly SIMD (f64x2, two or four independent
 * addition chains, multiply then add: every product and sum in Float64)
 * they run 5–7× faster than the JS loop (0.5–0.8 against 3–4.3 ns per
 * element, two sums, 200 windows of 400, measured 2026-11-30 on this 2-vCPU
 * Xeon), so the arrays live in one arena, a WebAssembly memory: the caller
 * places its kernels and moments there (`WindowSumArena.f64`) and passes
 * indices. The sums are those of the JS loop in another order: equal to
 * rounding (test/numerics/window-sums.test.ts). Where WebAssembly SIMD is
 * missing or the memory cannot be had, `windowSumArena` returns undefined and
 * the caller keeps its JS loop.
 */
import {
  type Fn,
  I32,
  V128,
  block,
  brIf,
  end,
  f64store,
  f64x2add,
  f64x2mul,
  get,
  i32add,
  i32c,
  i32ne,
  i32shl,
  laneSum,
  load64zero,
  loop,
  moduleWithMemory,
  set,
  v128load,
  wasm,
  type WasmModule,
} from './wasm-assembly.ts';

const i32and = [0x71];
const i32eq = [0x46];

/** acc += x·y for two f64x2 values left on the stack by `x`, `y` */
const madd = (acc: number, x: number[], y: number[]) => [...get(acc), ...x, ...y, ...f64x2mul, ...f64x2add, ...set(acc)];

/**
 * dot2(k1, k0, u1, u4, len) (byte addresses, len doubles): Σ k1[i]·u1[i] to
 * address 0 and Σ k0[i]·u4[i] to address 8; four doubles per step (two
 * f64x2 chains per sum), the last len mod 4 one at a time in lane 0.
 */
function dot2(): Fn {
  const [k1, k0, u1, u4, len] = [0, 1, 2, 3, 4];
  const [stopMain, stopAll, a, b, c, d] = [5, 6, 7, 8, 9, 10];
  const ptrs = [k1, k0, u1, u4];
  const body: number[] = [];
  body.push(...get(k1), ...get(len), ...i32c(3), ...i32shl, ...i32add, ...set(stopAll));
  body.push(...get(k1), ...get(len), ...i32c(-4), ...i32and, ...i32c(3), ...i32shl, ...i32add, ...set(stopMain));
  body.push(...block, ...get(k1), ...get(stopMain), ...i32eq, ...brIf(0), ...loop);
  body.push(...madd(a, [...get(k1), ...v128load(0)], [...get(u1), ...v128load(0)]));
  body.push(...madd(b, [...get(k1), ...v128load(16)], [...get(u1), ...v128load(16)]));
  body.push(...madd(c, [...get(k0), ...v128load(0)], [...get(u4), ...v128load(0)]));
  body.push(...madd(d, [...get(k0), ...v128load(16)], [...get(u4), ...v128load(16)]));
  for (const p of ptrs) body.push(...get(p), ...i32c(32), ...i32add, ...set(p));
  body.push(...get(k1), ...get(stopMain), ...i32ne, ...brIf(0), ...end, ...end);
  body.push(...block, ...get(k1), ...get(stopAll), ...i32eq, ...brIf(0), ...loop);
  body.push(...madd(a, [...get(k1), ...load64zero(0)], [...get(u1), ...load64zero(0)]));
  body.push(...madd(c, [...get(k0), ...load64zero(0)], [...get(u4), ...load64zero(0)]));
  for (const p of ptrs) body.push(...get(p), ...i32c(8), ...i32add, ...set(p));
  body.push(...get(k1), ...get(stopAll), ...i32ne, ...brIf(0), ...end, ...end);
  body.push(...get(a), ...get(b), ...f64x2add, ...set(a), ...get(c), ...get(d), ...f64x2add, ...set(c));
  body.push(...i32c(0), ...laneSum(a), ...f64store(0), ...i32c(0), ...laneSum(c), ...f64store(8));
  return { params: [I32, I32, I32, I32, I32], results: [], locals: [I32, I32, V128, V128, V128, V128], body };
}

/**
 * dot5(k1, k0, u, stride, len) (byte addresses and stride, len doubles):
 * Σ k1[i]·u_j[i] for j = 0, 1, 2 and Σ k0[i]·u_j[i] for j = 3, 4, with u_j at
 * u + j·stride, to addresses 0, 8, …, 32; two doubles per step, an odd last
 * one in lane 0.
 */
function dot5(): Fn {
  const [k1, k0, u, stride, len] = [0, 1, 2, 3, 4];
  const [p1, p2, p3, p4, stopMain, stopAll] = [5, 6, 7, 8, 9, 10];
  const s = [11, 12, 13, 14, 15];
  const [kv1, kv0] = [16, 17];
  const ptrs = [k1, k0, u, p1, p2, p3, p4];
  const us = [u, p1, p2, p3, p4];
  const body: number[] = [];
  for (let j = 1; j <= 4; j++) body.push(...get(us[j - 1]), ...get(stride), ...i32add, ...set(us[j]));
  body.push(...get(k1), ...get(len), ...i32c(3), ...i32shl, ...i32add, ...set(stopAll));
  body.push(...get(k1), ...get(len), ...i32c(-2), ...i32and, ...i32c(3), ...i32shl, ...i32add, ...set(stopMain));
  const step = (load: number[], width: number) => {
    const out: number[] = [];
    out.push(...get(k1), ...load, ...set(kv1), ...get(k0), ...load, ...set(kv0));
    for (let j = 0; j < 5; j++) out.push(...madd(s[j], get(j < 3 ? kv1 : kv0), [...get(us[j]), ...load]));
    for (const p of ptrs) out.push(...get(p), ...i32c(width), ...i32add, ...set(p));
    return out;
  };
  body.push(...block, ...get(k1), ...get(stopMain), ...i32eq, ...brIf(0), ...loop, ...step(v128load(0), 16));
  body.push(...get(k1), ...get(stopMain), ...i32ne, ...brIf(0), ...end, ...end);
  body.push(...block, ...get(k1), ...get(stopAll), ...i32eq, ...brIf(0), ...step(load64zero(0), 8), ...end);
  for (let j = 0; j < 5; j++) body.push(...i32c(0), ...laneSum(s[j]), ...f64store(8 * j));
  return { params: [I32, I32, I32, I32, I32], results: [], locals: [I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128], body };
}

let compiled: WasmModule | null | undefined;

function windowSumModule(): WasmModule | null {
  if (compiled === undefined) {
    const bytes = moduleWithMemory([
      ['dot2', dot2()],
      ['dot5', dot5()],
    ]);
    compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/** Arena indices 0…7 hold the results of the last call (`RESULTS`). */
export const RESULTS = 8;

/** One arena: a Float64 view of its memory and the two kernels, indices in doubles. */
export interface WindowSumArena {
  /** the whole arena; indices below RESULTS are the kernels' output */
  readonly f64: Float64Array;
  /** the first index free for the caller's arrays */
  readonly first: number;
  /** f64[0] = Σ_{i<len} f64[k1 + i]·f64[u1 + i], f64[1] = Σ f64[k0 + i]·f64[u4 + i] */
  dot2(k1: number, k0: number, u1: number, u4: number, len: number): void;
  /** f64[j] = Σ_{i<len} f64[k + i]·f64[u + j·stride + i], k = k1 for j = 0, 1, 2 and k0 for j = 3, 4 */
  dot5(k1: number, k0: number, u: number, stride: number, len: number): void;
}

const PAGE = 65536;
/** wasm32 addresses 4 GiB; beyond that (or where the memory cannot be had) the caller keeps JS arrays */
const MAX_BYTES = 65536 * PAGE;

/**
 * An arena of at least `doubles` Float64 numbers after the result slots, or
 * undefined where WebAssembly SIMD is not available or the memory cannot be
 * allocated (the caller then uses ordinary arrays and its own loop), and when
 * SLR_WINDOW_SUMS=js is set (tests and benchmarks of that loop).
 */
export function windowSumArena(doubles: number): WindowSumArena | undefined {
  if (typeof process !== 'undefined' && process.env.SLR_WINDOW_SUMS === 'js') return undefined;
  const mod = windowSumModule();
  const bytes = 8 * (RESULTS + Math.max(0, Math.ceil(doubles)));
  if (!mod || !wasm || !(bytes <= MAX_BYTES)) return undefined;
  let memory;
  try {
    memory = new wasm.Memory({ initial: Math.ceil(bytes / PAGE) });
  } catch {
    return undefined;
  }
  const e = new wasm.Instance(mod, { env: { memory } }).exports as Record<string, (...args: number[]) => void>;
  const d2 = e.dot2;
  const d5 = e.dot5;
  return {
    f64: new Float64Array(memory.buffer),
    first: RESULTS,
    dot2: (k1, k0, u1, u4, len) => d2(8 * k1, 8 * k0, 8 * u1, 8 * u4, len),
    dot5: (k1, k0, u, stride, len) => d5(8 * k1, 8 * k0, 8 * u, 8 * stride, len),
  };
}
