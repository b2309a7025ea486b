/**
 * A small WebAssembly assembler: the binary encodings of the module sections
 * and of the instructions the project's hand-written kernels use (integer
 * and Float64 scalars, 128-bit SIMD on f64x2), so that kernels are built
 * byte by byte at run time without build tooling (src/erm/simd.ts: the ERM
 * loss and gradient; src/numerics/window-sums.ts: the sums of the risk
 * engine's selection rule). WebAssembly binary format 1.0 with the SIMD
 * proposal (and relaxed SIMD's f64x2.relaxed_madd).
 */

/**
 * The parts of the WebAssembly API used here, typed locally: the project's
 * TypeScript setup (lib without DOM) declares no WebAssembly values.
 */
export interface KernelMemory {
  /** a SharedArrayBuffer when the memory was created shared (see `kernelMemory`) */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
export type WasmModule = object;
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => KernelMemory;
}
export const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** unsigned LEB128 */
export function uleb(n: number): number[] {
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
export function sleb(n: number): number[] {
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

export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

export function name(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  return [...uleb(b.length), ...b];
}

// instructions
export const get = (i: number) => [0x20, ...uleb(i)];
export const set = (i: number) => [0x21, ...uleb(i)];
export const i32c = (v: number) => [0x41, ...sleb(v)];
export const i32add = [0x6a];
export const i32ne = [0x47];
export const i32eqz = [0x45];
export const i32shl = [0x74];
export const f64load = (offset = 0) => [0x2b, 3, ...uleb(offset)];
export const f64store = (offset = 0) => [0x39, 3, ...uleb(offset)];
export const f64add = [0xa0];
export const f64sub = [0xa1];
export const f64mul = [0xa2];
export const f64div = [0xa3];
export const f64min = [0xa4];
export const f64max = [0xa5];
export const f64abs = [0x99];
export const f64sqrt = [0x9f];
export const f64lt = [0x63];
export const f64le = [0x65];
export const f64ge = [0x66];
export const f64eq = [0x61];
/** f64.const: the 8 little-endian bytes of v */
export const f64c = (v: number) => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];
export const i32load = (offset = 0) => [0x28, 2, ...uleb(offset)];
export const i32sub = [0x6b];
export const i32and = [0x71];
export const i32eq = [0x46];
export const i32ltS = [0x48];
export const i32leS = [0x4c];
export const tee = (i: number) => [0x22, ...uleb(i)];
/** select: the first operand if the i32 on top is non-zero, else the second (numeric types) */
export const select = [0x1b];
export const ifElse = (then: number[], otherwise: number[] = []) => [0x04, 0x40, ...then, ...(otherwise.length ? [0x05, ...otherwise] : []), 0x0b];
export const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
export const v128load = (offset = 0) => simd(0x00, 4, ...uleb(offset));
export const v128store = (offset = 0) => simd(0x0b, 4, ...uleb(offset));
export const load64zero = (offset = 0) => simd(0x5d, 3, ...uleb(offset));
export const promoteLow = simd(0x5f);
export const f64x2splat = simd(0x14);
export const f64x2extract = (lane: number) => simd(0x21, lane);
export const f64x2add = simd(0xf0);
export const f64x2mul = simd(0xf2);
/** relaxed SIMD: f64x2.relaxed_madd(a, b, c) = a·b + c, fused where the CPU has FMA */
export const f64x2madd = simd(0x107);
export const v128zero = simd(0x0c, ...new Array<number>(16).fill(0));
export const block = [0x02, 0x40];
export const loop = [0x03, 0x40];
export const brIf = (d: number) => [0x0d, ...uleb(d)];
export const end = [0x0b];

export interface Fn {
  params: number[];
  results: number[];
  locals: number[];
  body: number[];
}

/** the lane sum of an f64x2 local */
export const laneSum = (v: number) => [...get(v), ...f64x2extract(0), ...get(v), ...f64x2extract(1), ...f64add];

/** run-length local declarations: [(count, type)] */
export function compressLocals(types: number[]): number[][] {
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


/**
 * The bytes of a module importing one memory (`env.memory`; shared ones must
 * state a maximum, `maxPages`) and exporting `functions` in order.
 */
export function moduleWithMemory(functions: readonly (readonly [string, Fn])[], memory: { shared: boolean; maxPages?: number } = { shared: false }): Uint8Array {
  const types = functions.map(([, f]) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const memoryLimits = memory.shared ? [0x03, ...uleb(0), ...uleb(memory.maxPages ?? 65536)] : [0x00, ...uleb(0)];
  const imports = [[...name('env'), ...name('memory'), 0x02, ...memoryLimits]];
  const funcs = functions.map((_, i) => uleb(i));
  const exports = functions.map(([nm], i) => [...name(nm), 0x00, ...uleb(i)]);
  const codes = functions.map(([, f]) => {
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
