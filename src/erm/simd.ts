/**
 * WebAssembly SIMD kernels of the ERM loss and gradient, assembled here byte
 * by byte (no build tooling): the two streaming passes of objective.ts over
 * the Float32 tokens of one group of G = 1…4 tokens, two coordinates per
 * f64x2 lane pair, every sum in Float64:
 *
 *   project_G(x, stride, n, wk, wv, out):    out[2j] = Σ_{i<n} x_j[i] wk[i],  out[2j+1] = Σ_{i<n} x_j[i] wv[i]
 *   accumulate_G(x, stride, n, gk, gv, c):   gk[i] += Σ_j c[2j] x_j[i],       gv[i] += Σ_j c[2j+1] x_j[i]
 *   sum(x, n):                               Σ_{i<n} x[i]  (the streaming-read reference of the benchmark)
 *
 * with x_j = the Float32 token at byte address x + j·stride, wk, wv, gk, gv, out
 * and c Float64 arrays at byte addresses, and n a multiple of 4 (the caller
 * does the last D mod 4 coordinates). Each f64x2 accumulator adds the even
 * and the odd coordinates separately, so the sums are those of the scalar
 * kernel in another order: equal to rounding (test/erm/reference.test.ts).
 *
 * The data must live in the module's memory: `kernelMemory` allocates a
 * WebAssembly.Memory holding a scratch region (w, gradient, projections,
 * coefficients) followed by the data, and data.ts places its chunks there.
 */

/**
 * The parts of the WebAssembly API used here, typed locally: the project's
 * TypeScript setup (lib without DOM) declares no WebAssembly values.
 */
export interface KernelMemory {
  readonly buffer: ArrayBuffer;
}
type WasmModule = object;
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => KernelMemory;
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

/** unsigned LEB128 */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** signed LEB128 (small constants) */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  return [...uleb(b.length), ...b];
}

// instructions
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const i32add = [0x6a];
const i32ne = [0x47];
const i32eqz = [0x45];
const i32shl = [0x74];
const f64load = (offset = 0) => [0x2b, 3, ...uleb(offset)];
const f64store = (offset = 0) => [0x39, 3, ...uleb(offset)];
const f64add = [0xa0];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const v128load = (offset = 0) => simd(0x00, 4, ...uleb(offset));
const v128store = (offset = 0) => simd(0x0b, 4, ...uleb(offset));
const load64zero = (offset = 0) => simd(0x5d, 3, ...uleb(offset));
const promoteLow = simd(0x5f);
const f64x2splat = simd(0x14);
const f64x2extract = (lane: number) => simd(0x21, lane);
const f64x2add = simd(0xf0);
const f64x2mul = simd(0xf2);
const v128zero = simd(0x0c, ...new Array<number>(16).fill(0));
const block = [0x02, 0x40];
const loop = [0x03, 0x40];
const brIf = (d: number) => [0x0d, ...uleb(d)];
const end = [0x0b];

interface Fn {
  params: number[];
  results: number[];
  locals: number[];
  body: number[];
}

/** the lane sum of an f64x2 local */
const laneSum = (v: number) => [...get(v), ...f64x2extract(0), ...get(v), ...f64x2extract(1), ...f64add];

/**
 * project_G: params x, stride, n, wk, wv, out (i32). Locals: pointers p_j
 * (j ≥ 1; p_0 = x), end (= wk + 8n), and U·G accumulator pairs a, b (U = 2
 * pairs of coordinates per step for G ≤ 2, else 1, so that there are 4–8
 * independent addition chains and at most 14 live vector registers).
 */
function project(G: number, U = G <= 2 ? 2 : 1): Fn {
  const [x, stride, n, wk, wv, out] = [0, 1, 2, 3, 4, 5];
  let next = 6;
  const p = [x];
  for (let j = 1; j < G; j++) p.push(next++);
  const stop = next++;
  const a: number[][] = [];
  const b: number[][] = [];
  for (let u = 0; u < U; u++) {
    a.push([]);
    b.push([]);
    for (let j = 0; j < G; j++) {
      a[u].push(next++);
      b[u].push(next++);
    }
  }
  const kv = next++;
  const vv = next++;
  const xv = next++;
  const nI32 = G - 1 + 1;
  const nV = next - 6 - nI32;
  const body: number[] = [];
  for (let j = 1; j < G; j++) body.push(...get(p[j - 1]), ...get(stride), ...i32add, ...set(p[j]));
  body.push(...get(wk), ...get(n), ...i32c(3), ...i32shl, ...i32add, ...set(stop));
  // accumulators start at 0 (locals are zero-initialised)
  body.push(...block, ...get(n), ...i32eqz, ...brIf(0), ...loop);
  for (let u = 0; u < U; u++) {
    body.push(...get(wk), ...v128load(16 * u), ...set(kv), ...get(wv), ...v128load(16 * u), ...set(vv));
    for (let j = 0; j < G; j++) {
      body.push(...get(p[j]), ...load64zero(8 * u), ...promoteLow, ...set(xv));
      body.push(...get(a[u][j]), ...get(xv), ...get(kv), ...f64x2mul, ...f64x2add, ...set(a[u][j]));
      body.push(...get(b[u][j]), ...get(xv), ...get(vv), ...f64x2mul, ...f64x2add, ...set(b[u][j]));
    }
  }
  for (let j = 0; j < G; j++) body.push(...get(p[j]), ...i32c(8 * U), ...i32add, ...set(p[j]));
  body.push(...get(wv), ...i32c(16 * U), ...i32add, ...set(wv));
  body.push(...get(wk), ...i32c(16 * U), ...i32add, ...set(wk));
  body.push(...get(wk), ...get(stop), ...i32ne, ...brIf(0), ...end, ...end);
  for (let j = 0; j < G; j++) {
    for (const [acc, off] of [[a, 0], [b, 8]] as const) {
      body.push(...get(out));
      body.push(...laneSum(acc[0][j]));
      for (let u = 1; u < U; u++) body.push(...laneSum(acc[u][j]), ...f64add);
      body.push(...f64store(16 * j + off));
    }
  }
  return { params: [I32, I32, I32, I32, I32, I32], results: [], locals: [...new Array<number>(nI32).fill(I32), ...new Array<number>(nV).fill(V128)], body };
}

/**
 * accumulate_G: params x, stride, n, gk, gv, c (i32). Locals: pointers p_j,
 * end (= gk + 8n), the splatted coefficients ck_j, cv_j, the promoted tokens
 * x_j and the two partial sums. Per pair of coordinates:
 * gk += ((ck_0 x_0 + ck_1 x_1) + …), gv likewise (the order of objective.ts).
 */
function accumulate(G: number, U = 1): Fn {
  // (U = 2 coordinate pairs per step measured no faster than U = 1 at G = 3: the loop is not overhead-bound)
  const [x, stride, n, gk, gv, c] = [0, 1, 2, 3, 4, 5];
  let next = 6;
  const p = [x];
  for (let j = 1; j < G; j++) p.push(next++);
  const stop = next++;
  const nI32 = next - 6;
  const ck: number[] = [];
  const cv: number[] = [];
  const xs: number[] = [];
  for (let j = 0; j < G; j++) {
    ck.push(next++);
    cv.push(next++);
    xs.push(next++);
  }
  const s = next++;
  const nV = next - 6 - nI32;
  const body: number[] = [];
  for (let j = 1; j < G; j++) body.push(...get(p[j - 1]), ...get(stride), ...i32add, ...set(p[j]));
  body.push(...get(gk), ...get(n), ...i32c(3), ...i32shl, ...i32add, ...set(stop));
  for (let j = 0; j < G; j++) {
    body.push(...get(c), ...f64load(16 * j), ...f64x2splat, ...set(ck[j]));
    body.push(...get(c), ...f64load(16 * j + 8), ...f64x2splat, ...set(cv[j]));
  }
  body.push(...block, ...get(n), ...i32eqz, ...brIf(0), ...loop);
  for (let u = 0; u < U; u++) {
    for (let j = 0; j < G; j++) body.push(...get(p[j]), ...load64zero(8 * u), ...promoteLow, ...set(xs[j]));
    for (const [g, cs] of [[gk, ck], [gv, cv]] as const) {
      body.push(...get(xs[0]), ...get(cs[0]), ...f64x2mul, ...set(s));
      for (let j = 1; j < G; j++) body.push(...get(s), ...get(xs[j]), ...get(cs[j]), ...f64x2mul, ...f64x2add, ...set(s));
      body.push(...get(g), ...get(g), ...v128load(16 * u), ...get(s), ...f64x2add, ...v128store(16 * u));
    }
  }
  for (let j = 0; j < G; j++) body.push(...get(p[j]), ...i32c(8 * U), ...i32add, ...set(p[j]));
  body.push(...get(gv), ...i32c(16 * U), ...i32add, ...set(gv));
  body.push(...get(gk), ...i32c(16 * U), ...i32add, ...set(gk));
  body.push(...get(gk), ...get(stop), ...i32ne, ...brIf(0), ...end, ...end);
  return { params: [I32, I32, I32, I32, I32, I32], results: [], locals: [...new Array<number>(nI32).fill(I32), ...new Array<number>(nV).fill(V128)], body };
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

const FUNCTIONS: [string, Fn][] = [
  ...[1, 2, 3, 4].map((G) => [`project${G}`, project(G)] as [string, Fn]),
  ...[1, 2, 3, 4].map((G) => [`accumulate${G}`, accumulate(G)] as [string, Fn]),
  ['sum', streamSum()],
];

function moduleBytes(): Uint8Array {
  const types = FUNCTIONS.map(([, f]) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const imports = [[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]];
  const funcs = FUNCTIONS.map((_, i) => uleb(i));
  const exports = FUNCTIONS.map(([nm], i) => [...name(nm), 0x00, ...uleb(i)]);
  const codes = FUNCTIONS.map(([, f]) => {
    const locals = vec(compressLocals(f.locals));
    const body = [...locals, ...f.body, ...end];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs)),
    ...section(7, vec(exports)),
    ...section(10, vec(codes)),
  ]);
}

/** run-length local declarations: [(count, type)] */
function compressLocals(types: number[]): number[][] {
  const out: number[][] = [];
  let i = 0;
  while (i < types.length) {
    let j = i;
    while (j < types.length && types[j] === types[i]) j++;
    out.push([...uleb(j - i), types[i]]);
    i = j;
  }
  return out;
}

/** The exports of one instance. Addresses are byte offsets into its memory. */
export interface SimdKernels {
  readonly project: readonly ((x: number, stride: number, n: number, wk: number, wv: number, out: number) => void)[];
  readonly accumulate: readonly ((x: number, stride: number, n: number, gk: number, gv: number, c: number) => void)[];
  readonly sum: (x: number, n: number) => number;
  /** every export by name (benchmarks of the variants) */
  readonly raw: Readonly<Record<string, (...args: number[]) => number>>;
}

let compiled: WasmModule | null | undefined;

/** The compiled module, or null when this runtime has no WebAssembly SIMD (then the JS kernels run). */
export function simdModule(): WasmModule | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

const instances = new WeakMap<KernelMemory, SimdKernels>();

/** The kernels bound to `memory` (one instance per memory, cached). */
export function simdKernels(memory: KernelMemory): SimdKernels {
  let k = instances.get(memory);
  if (!k) {
    const mod = simdModule();
    if (!mod || !wasm) throw new Error('WebAssembly SIMD is not available');
    const e = new wasm.Instance(mod, { env: { memory } }).exports as Record<string, (...args: number[]) => number>;
    k = {
      project: [null, e.project1, e.project2, e.project3, e.project4] as SimdKernels['project'],
      accumulate: [null, e.accumulate1, e.accumulate2, e.accumulate3, e.accumulate4] as SimdKernels['accumulate'],
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
 * w_k at 0, w_v at 8D, g_k at 16D, g_v at 24D, the projections (χ_ℓ, z_ℓ) at
 * `out`, the coefficients (ck_ℓ, cv_ℓ) at `coef`; `bytes` is the total,
 * rounded up to 64.
 */
export function scratchLayout(D: number, Lmax: number): { wk: number; wv: number; gk: number; gv: number; out: number; coef: number; bytes: number } {
  const out = 32 * D;
  const coef = out + 16 * Lmax;
  return { wk: 0, wv: 8 * D, gk: 16 * D, gv: 24 * D, out, coef, bytes: Math.ceil((coef + 16 * Lmax) / 64) * 64 };
}

const PAGE = 65536;
/** Largest memory requested (wasm32: 4 GiB). */
const MAX_PAGES = 65536;

/**
 * A memory of at least `bytes` bytes for the SIMD kernels, or undefined when
 * SIMD is unavailable or the size exceeds what wasm32 can address (then the
 * caller stores its data in ordinary arrays and the JS kernels run).
 */
export function kernelMemory(bytes: number): KernelMemory | undefined {
  if (!simdModule() || !wasm) return undefined;
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) return undefined;
  try {
    return new wasm.Memory({ initial: pages, maximum: pages });
  } catch {
    return undefined;
  }
}
