/**
 * WebAssembly SIMD kernels of the ERM loss and gradient, assembled here byte
 * by byte (no build tooling): the two streaming passes of objective.ts over
 * the Float32 tokens of a group of G = 1…4 tokens, two coordinates per
 * f64x2, every product and sum in Float64:
 *
 *   project_G:     out[2j] = Σ_{i<n} x_j[i] w_k[i],  out[2j+1] = Σ_{i<n} x_j[i] w_v[i]   (pass 1)
 *   accumulate_G:  g_k[i] += Σ_j c[2j] x_j[i],        g_v[i] += Σ_j c[2j+1] x_j[i]       (pass 2)
 *   sum(x, n):     Σ_{i<n} x[i]  (the streaming-read reference of the benchmark)
 *
 * with x_j the Float32 token j of a group (tokens `stride` bytes apart), w
 * and g in the blocked layout of `scratchLayout`, and n a multiple of 4 (the
 * caller does the last D mod 4 coordinates). Each f64x2 accumulator adds the
 * even and the odd coordinates separately, so the sums are those of the
 * scalar kernel in another order: equal to rounding
 * (test/erm/reference.test.ts).
 *
 * Two builds (`kernelVariant`): 'fma' does every x·w + acc and c·x + g with
 * one f64x2.relaxed_madd of relaxed SIMD (a single rounding; pass 2 starts
 * its chain from g, g + c_0 x_0 + c_1 x_1 + …), 'mul-add' with an f64x2
 * multiply and an add (pass 2 adds Σ_j c_j x_j to g). 'fma' is used where V8
 * accepts relaxed SIMD (turned on at run time in Node 20) and fuses it; it
 * made one loss-and-gradient evaluation ≈ 20% faster (bench/erm.ts, N = D =
 * 3000, L = 3, softmax, one thread: 20.4–21.8 ms against 25.1–27.1 ms,
 * 0.70 instead of 0.58 of the SIMD streaming-read sum; a 2-vCPU AVX-512
 * Xeon at 2.1 GHz, shared, so ±10% noise).
 *
 * The data must live in the module's memory: `kernelMemory` allocates a
 * WebAssembly.Memory holding a scratch region (w, gradient, projections,
 * coefficients) followed by the data, and data.ts places its chunks there.
 */

import { setFlagsFromString } from 'node:v8';
import {
  F64,
  type Fn,
  I32,
  type KernelMemory,
  V128,
  type WasmModule,
  block,
  brIf,
  end,
  f64add,
  f64load,
  f64store,
  f64x2add,
  f64x2madd,
  f64x2mul,
  f64x2splat,
  get,
  i32add,
  i32c,
  i32eqz,
  i32ne,
  i32shl,
  laneSum,
  load64zero,
  loop,
  moduleWithMemory,
  promoteLow,
  set,
  v128load,
  v128store,
  wasm,
} from '../numerics/wasm-assembly.ts';

export type { KernelMemory };

/**
 * One streaming kernel over the first n coordinates (n a multiple of 4) of
 * up to two groups of tokens, in one loop: `accumulate` tokens (G_a of them,
 * the first at byte xa) add into the gradient, `project` tokens (G_p, the
 * first at xb) are projected on w_k, w_v. (With both, one loop would do pass
 * 2 of one sequence and pass 1 of the next; that measured no faster than the
 * two loops, see objective.ts, and is not exported. Nor is a variant whose
 * pass 1 stores the tokens converted to Float64 for pass 2, saving pass 2's
 * conversions: 6% slower with mul-add, 8–18% slower with the fma build in
 * a same-process A/B (2026-11-30, D ≥ 1000: pass 1's 8·L·D-byte stores
 * compete in L2 with the stream, pass 2 gains ≈ 1 ms of 8).)
 *
 * Params (i32): xa, xb, stride, n, w, out, c. `w` points to the blocked
 * scratch (see scratchLayout: per pair of coordinates 64 bytes = w_k, w_v,
 * g_k, g_v, two Float64 each); out receives (χ_j, z_j) at out + 16j for the
 * projected tokens; c holds (ck_j, cv_j) at c + 16j for the accumulated ones.
 * U pairs of coordinates per step: U = 2 for G_p ≤ 2, so that the
 * projections have ≥ 4 independent addition chains, and for the
 * accumulation (halving the per-step pointer increments and stack check,
 * ≈ 5% with FMA, nothing with mul-add); U = 1 for projections of 3 or 4
 * tokens, whose 2G_p accumulators, w and x already take most of the 16 xmm
 * registers. `fma` selects the build (see `kernelVariant`).
 */
function streamKernel(Ga: number, Gp: number, fma: boolean): Fn {
  const U = Gp <= 2 ? 2 : 1;
  const [xa, xb, stride, n, w, out, c] = [0, 1, 2, 3, 4, 5, 6];
  let next = 7;
  const i32s: number[] = [];
  const v128s: number[] = [];
  const local = (list: number[]) => {
    list.push(next);
    return next++;
  };
  const pa = Ga > 0 ? [xa, ...Array.from({ length: Ga - 1 }, () => local(i32s))] : [];
  const pb = Gp > 0 ? [xb, ...Array.from({ length: Gp - 1 }, () => local(i32s))] : [];
  const stop = local(i32s);
  const a = Array.from({ length: U }, () => Array.from({ length: Gp }, () => local(v128s)));
  const b = Array.from({ length: U }, () => Array.from({ length: Gp }, () => local(v128s)));
  const ck = Array.from({ length: Ga }, () => local(v128s));
  const cv = Array.from({ length: Ga }, () => local(v128s));
  const kv = local(v128s);
  const vv = local(v128s);
  const xv = local(v128s);
  const sk = local(v128s);
  const sv = local(v128s);
  const body: number[] = [];
  /** acc + x·y on the stack: one relaxed_madd, or a multiply and an add */
  const madd = (acc: number, x: number, y: number) => (fma ? [...get(x), ...get(y), ...get(acc), ...f64x2madd] : [...get(acc), ...get(x), ...get(y), ...f64x2mul, ...f64x2add]);
  for (const p of [pa, pb]) for (let j = 1; j < p.length; j++) body.push(...get(p[j - 1]), ...get(stride), ...i32add, ...set(p[j]));
  body.push(...get(w), ...get(n), ...i32c(5), ...i32shl, ...i32add, ...set(stop));
  for (let j = 0; j < Ga; j++) {
    body.push(...get(c), ...f64load(16 * j), ...f64x2splat, ...set(ck[j]));
    body.push(...get(c), ...f64load(16 * j + 8), ...f64x2splat, ...set(cv[j]));
  }
  // projection accumulators start at 0 (locals are zero-initialised)
  body.push(...block, ...get(n), ...i32eqz, ...brIf(0), ...loop);
  for (let u = 0; u < U; u++) {
    const blockOffset = 64 * u;
    if (Gp > 0) {
      body.push(...get(w), ...v128load(blockOffset), ...set(kv), ...get(w), ...v128load(blockOffset + 16), ...set(vv));
      for (let j = 0; j < Gp; j++) {
        body.push(...get(pb[j]), ...load64zero(8 * u), ...promoteLow, ...set(xv));
        body.push(...madd(a[u][j], xv, kv), ...set(a[u][j]));
        body.push(...madd(b[u][j], xv, vv), ...set(b[u][j]));
      }
    }
    if (Ga > 0 && fma) {
      // g_k, g_v start the chains: g + c_0 x_0 + … + c_{G−1} x_{G−1}, one fused multiply-add per token
      body.push(...get(w), ...v128load(blockOffset + 32), ...set(sk), ...get(w), ...v128load(blockOffset + 48), ...set(sv));
      for (let j = 0; j < Ga; j++) {
        body.push(...get(pa[j]), ...load64zero(8 * u), ...promoteLow, ...set(xv));
        body.push(...madd(sk, xv, ck[j]), ...set(sk), ...madd(sv, xv, cv[j]), ...set(sv));
      }
      body.push(...get(w), ...get(sk), ...v128store(blockOffset + 32), ...get(w), ...get(sv), ...v128store(blockOffset + 48));
    } else if (Ga > 0) {
      for (let j = 0; j < Ga; j++) {
        body.push(...get(pa[j]), ...load64zero(8 * u), ...promoteLow, ...set(xv));
        if (j === 0) {
          body.push(...get(xv), ...get(ck[0]), ...f64x2mul, ...set(sk));
          body.push(...get(xv), ...get(cv[0]), ...f64x2mul, ...set(sv));
        } else {
          body.push(...get(sk), ...get(xv), ...get(ck[j]), ...f64x2mul, ...f64x2add, ...set(sk));
          body.push(...get(sv), ...get(xv), ...get(cv[j]), ...f64x2mul, ...f64x2add, ...set(sv));
        }
      }
      body.push(...get(w), ...get(w), ...v128load(blockOffset + 32), ...get(sk), ...f64x2add, ...v128store(blockOffset + 32));
      body.push(...get(w), ...get(w), ...v128load(blockOffset + 48), ...get(sv), ...f64x2add, ...v128store(blockOffset + 48));
    }
  }
  for (const p of [pa, pb]) for (const q of p) body.push(...get(q), ...i32c(8 * U), ...i32add, ...set(q));
  body.push(...get(w), ...i32c(64 * U), ...i32add, ...set(w));
  body.push(...get(w), ...get(stop), ...i32ne, ...brIf(0), ...end, ...end);
  for (let j = 0; j < Gp; j++) {
    for (const [acc, off] of [[a, 0], [b, 8]] as const) {
      body.push(...get(out));
      body.push(...laneSum(acc[0][j]));
      for (let u = 1; u < U; u++) body.push(...laneSum(acc[u][j]), ...f64add);
      body.push(...f64store(16 * j + off));
    }
  }
  // local declarations in index order
  const types = new Array<number>(next - 7);
  for (const i of i32s) types[i - 7] = I32;
  for (const i of v128s) types[i - 7] = V128;
  return { params: new Array<number>(7).fill(I32), results: [], locals: types, body };
}

/** sum(x, n): Σ of n Float32 (n a multiple of 8) with four f64x2 accumulators. */
function streamSum(): Fn {
  const [x, n] = [0, 1];
  const stop = 2;
  const acc = [3, 4, 5, 6];
  const body: number[] = [...get(x), ...get(n), ...i32c(2), ...i32shl, ...i32add, ...set(stop)];
  body.push(...block, ...get(n), ...i32eqz, ...brIf(0), ...loop);
  for (let u = 0; u < 4; u++) body.push(...get(acc[u]), ...get(x), ...load64zero(8 * u), ...promoteLow, ...f64x2add, ...set(acc[u]));
  body.push(...get(x), ...i32c(32), ...i32add, ...set(x));
  body.push(...get(x), ...get(stop), ...i32ne, ...brIf(0), ...end, ...end);
  body.push(...get(acc[0]), ...get(acc[1]), ...f64x2add, ...get(acc[2]), ...get(acc[3]), ...f64x2add, ...f64x2add, ...set(acc[0]), ...laneSum(acc[0]));
  return { params: [I32, I32], results: [F64], locals: [I32, V128, V128, V128, V128], body };
}

const GROUPS = [1, 2, 3, 4];
const functions = (fma: boolean): [string, Fn][] => [
  ...GROUPS.map((G) => [`project${G}`, streamKernel(0, G, fma)] as [string, Fn]),
  ...GROUPS.map((G) => [`accumulate${G}`, streamKernel(G, 0, fma)] as [string, Fn]),
  ['sum', streamSum()],
];

/**
 * The module's bytes. A module imports either an ordinary or a shared memory
 * (wasm links only a memory of the declared kind); a shared import must state
 * a maximum, here the wasm32 limit so that any shared memory links.
 */
function moduleBytes(shared: boolean, variant: KernelVariant): Uint8Array {
  return moduleWithMemory(functions(variant === 'fma'), { shared, maxPages: MAX_PAGES });
}

/** The exports of one instance. Addresses are byte offsets into its memory. */
export interface SimdKernels {
  /**
   * Indexed by the group size G = 1…4, all with the parameters of
   * `streamKernel`: project[G](0, xb, stride, n, w, out, 0),
   * accumulate[G](xa, 0, stride, n, w, 0, c).
   */
  readonly project: readonly StreamKernel[];
  readonly accumulate: readonly StreamKernel[];
  readonly sum: (x: number, n: number) => number;
  /** every export by name (benchmarks of the variants) */
  readonly raw: Readonly<Record<string, (...args: number[]) => number>>;
}

/** (xa, xb, stride, n, w, out, c) => void, see `streamKernel` */
export type StreamKernel = (xa: number, xb: number, stride: number, n: number, w: number, out: number, c: number) => void;

/**
 * The two builds of the streaming kernels: 'fma' with f64x2.relaxed_madd
 * (relaxed SIMD), 'mul-add' with separate f64x2 multiplies and adds.
 */
export type KernelVariant = 'fma' | 'mul-add';

let variant: KernelVariant | undefined;
const compiled = new Map<boolean, WasmModule | null>();

/**
 * The kernel build of this process: 'fma' where the runtime accepts the
 * relaxed-SIMD module and its relaxed_madd is fused (`fusedMadd`), after
 * turning V8's relaxed SIMD on if it is not already (Node 20, V8 11.3, has it
 * behind --experimental-wasm-relaxed-simd; V8 flags are process-wide, so
 * worker threads, which import this module and compile after that, get the
 * same build); otherwise 'mul-add'. SLR_ERM_SIMD=mul-add in the environment
 * forces the latter (benchmarks, tests).
 */
export function kernelVariant(): KernelVariant {
  if (variant === undefined) variant = detectVariant();
  return variant;
}

function detectVariant(): KernelVariant {
  if (!wasm || (typeof process !== 'undefined' && process.env.SLR_ERM_SIMD === 'mul-add')) return 'mul-add';
  const bytes = moduleBytes(false, 'fma');
  if (!wasm.validate(bytes)) {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      return 'mul-add';
    }
    if (!wasm.validate(bytes)) return 'mul-add';
  }
  const mod = new wasm.Module(bytes);
  if (!fusedMadd(mod)) return 'mul-add';
  compiled.set(false, mod);
  return 'fma';
}

/**
 * Whether relaxed_madd rounds once (V8 emits vfmadd231pd where the CPU has
 * FMA, else a multiply and an add, which would gain nothing): accumulate1
 * on one coordinate with g = −(1 + 2⁻²³ + 2⁻⁴⁰), c = 1 + 2⁻⁴⁰ and
 * x = 1 + 2⁻²³ (a Float32), whose g + c·x is exactly 2⁻⁶³ while the rounded
 * product c·x loses that 2⁻⁶³ and gives 0.
 */
function fusedMadd(mod: WasmModule): boolean {
  const memory = new wasm!.Memory({ initial: 1 });
  const f64 = new Float64Array(memory.buffer, 0, 18); // w, g of coordinates 0…3 (128 bytes), then (ck, cv)
  const x = new Float32Array(memory.buffer, 144, 4);
  f64[4] = -(1 + 2 ** -23 + 2 ** -40);
  f64[16] = 1 + 2 ** -40;
  x[0] = 1 + 2 ** -23;
  const { accumulate1 } = new wasm!.Instance(mod, { env: { memory } }).exports as Record<string, StreamKernel>;
  accumulate1(144, 0, 0, 4, 0, 0, 128);
  return f64[4] === 2 ** -63;
}

/**
 * The compiled module for an ordinary (or, with `shared`, a shared) memory,
 * in the build `kernelVariant()`, or null when this runtime has no
 * WebAssembly SIMD (or no shared memory: threads) — then the JS kernels, or
 * the single-thread path, run.
 */
export function simdModule(shared = false): WasmModule | null {
  let mod = compiled.get(shared);
  if (mod === undefined) {
    const bytes = moduleBytes(shared, kernelVariant());
    mod = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
    compiled.set(shared, mod);
  }
  return mod;
}

/** Whether `memory` was created shared (its buffer is then a SharedArrayBuffer, visible to worker threads). */
export function isShared(memory: KernelMemory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

const instances = new WeakMap<KernelMemory, SimdKernels>();

/** The kernels bound to `memory` (one instance per memory, cached). */
export function simdKernels(memory: KernelMemory): SimdKernels {
  let k = instances.get(memory);
  if (!k) {
    const mod = simdModule(isShared(memory));
    if (!mod || !wasm) throw new Error('WebAssembly SIMD is not available');
    const e = new wasm.Instance(mod, { env: { memory } }).exports as Record<string, (...args: number[]) => number>;
    k = {
      project: [e.project1, e.project1, e.project2, e.project3, e.project4],
      accumulate: [e.accumulate1, e.accumulate1, e.accumulate2, e.accumulate3, e.accumulate4],
      sum: e.sum,
      raw: e,
    };
    instances.set(memory, k);
  }
  return k;
}

/**
 * Layout of the scratch region at the start of a kernel memory, for
 * dimension D and sequences of at most Lmax tokens (byte offsets, Float64):
 * from `w` = 0 the blocked variables, per pair of coordinates (2p, 2p + 1)
 * the 8 numbers w_k, w_k, w_v, w_v, g_k, g_k, g_v, g_v at Float64 index 8p
 * (so that one pointer serves all four vectors); the projections (χ_ℓ, z_ℓ)
 * at `out`, the coefficients (ck_ℓ, cv_ℓ) at `coef`; `bytes` is the total,
 * rounded up to 64.
 */
export function scratchLayout(D: number, Lmax: number): { w: number; out: number; coef: number; bytes: number } {
  const out = 32 * D;
  const coef = out + 16 * Lmax;
  return { w: 0, out, coef, bytes: Math.ceil((coef + 16 * Lmax) / 64) * 64 };
}

const PAGE = 65536;
/** Largest memory requested (wasm32: 4 GiB). */
const MAX_PAGES = 65536;

/**
 * A memory of at least `bytes` bytes for the SIMD kernels, or undefined when
 * SIMD is unavailable or the size exceeds what wasm32 can address (then the
 * caller stores its data in ordinary arrays and the JS kernels run). With
 * `shared`, a shared memory (worker threads read the data in place), or
 * undefined where the runtime has none.
 */
export function kernelMemory(bytes: number, shared = false): KernelMemory | undefined {
  if (!simdModule(shared) || !wasm) return undefined;
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) return undefined;
  try {
    return new wasm.Memory({ initial: pages, maximum: pages, shared });
  } catch {
    return undefined;
  }
}
