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
 * rounding (test/numerics/window-sums.test.ts). On the manifold the whole
 * row loop of one s runs here too (`rows`: sums, bounds, the length
 * polynomial, panel estimates, in the JS loop's order, so the same numbers):
 * one call per s instead of two per row, 0.63–0.91 of a search evaluation at
 * max-SLR ν = 2 (2026-11-30). Where WebAssembly SIMD is missing or the memory
 * cannot be had, `windowSumArena` returns undefined and the caller keeps its
 * JS loop.
 */
import {
  F64,
  type Fn,
  I32,
  V128,
  block,
  brIf,
  end,
  f64abs,
  f64add,
  f64c,
  f64ge,
  f64le,
  f64load,
  f64lt,
  f64max,
  f64mul,
  f64sqrt,
  f64store,
  f64sub,
  f64div,
  f64eq,
  f64x2add,
  f64x2mul,
  get,
  i32add,
  i32and,
  i32c,
  i32eq,
  i32leS,
  i32load,
  i32ltS,
  i32ne,
  i32shl,
  i32sub,
  ifElse,
  laneSum,
  load64zero,
  loop,
  moduleWithMemory,
  select,
  set,
  tee,
  v128load,
  v128zero,
  wasm,
  type WasmModule,
} from './wasm-assembly.ts';

/** acc += x·y for two f64x2 values left on the stack by `x`, `y` */
const madd = (acc: number, x: number[], y: number[]) => [...get(acc), ...x, ...y, ...f64x2mul, ...f64x2add, ...set(acc)];

/**
 * The sums of dot2 as inline code over pointer locals k1, k0, u1, u4 (advanced past the window) and a
 * length local: Σ k1[i]·u1[i] into the f64 local out1, Σ k0[i]·u4[i] into out4; four doubles per step
 * (two f64x2 chains per sum, the v128 locals A, B, C, D, zeroed here), the last len mod 4 one at a
 * time in lane 0. stopMain, stopAll: i32 scratch locals.
 */
function dot2Code(k1: number, k0: number, u1: number, u4: number, len: number, stopMain: number, stopAll: number, [A, B, C, D]: readonly number[], out1: number, out4: number): number[] {
  const ptrs = [k1, k0, u1, u4];
  const body: number[] = [];
  for (const v of [A, B, C, D]) body.push(...v128zero, ...set(v));
  body.push(...get(k1), ...get(len), ...i32c(3), ...i32shl, ...i32add, ...set(stopAll));
  body.push(...get(k1), ...get(len), ...i32c(-4), ...i32and, ...i32c(3), ...i32shl, ...i32add, ...set(stopMain));
  body.push(...block, ...get(k1), ...get(stopMain), ...i32eq, ...brIf(0), ...loop);
  body.push(...madd(A, [...get(k1), ...v128load(0)], [...get(u1), ...v128load(0)]));
  body.push(...madd(B, [...get(k1), ...v128load(16)], [...get(u1), ...v128load(16)]));
  body.push(...madd(C, [...get(k0), ...v128load(0)], [...get(u4), ...v128load(0)]));
  body.push(...madd(D, [...get(k0), ...v128load(16)], [...get(u4), ...v128load(16)]));
  for (const p of ptrs) body.push(...get(p), ...i32c(32), ...i32add, ...set(p));
  body.push(...get(k1), ...get(stopMain), ...i32ne, ...brIf(0), ...end, ...end);
  body.push(...block, ...get(k1), ...get(stopAll), ...i32eq, ...brIf(0), ...loop);
  body.push(...madd(A, [...get(k1), ...load64zero(0)], [...get(u1), ...load64zero(0)]));
  body.push(...madd(C, [...get(k0), ...load64zero(0)], [...get(u4), ...load64zero(0)]));
  for (const p of ptrs) body.push(...get(p), ...i32c(8), ...i32add, ...set(p));
  body.push(...get(k1), ...get(stopAll), ...i32ne, ...brIf(0), ...end, ...end);
  body.push(...get(A), ...get(B), ...f64x2add, ...set(A), ...get(C), ...get(D), ...f64x2add, ...set(C));
  body.push(...laneSum(A), ...set(out1), ...laneSum(C), ...set(out4));
  return body;
}

/**
 * dot2(k1, k0, u1, u4, len) (byte addresses, len doubles): Σ k1[i]·u1[i] to
 * address 0 and Σ k0[i]·u4[i] to address 8 (`dot2Code`).
 */
function dot2(): Fn {
  const [k1, k0, u1, u4, len] = [0, 1, 2, 3, 4];
  const [stopMain, stopAll, a, b, c, d, s1, s4] = [5, 6, 7, 8, 9, 10, 11, 12];
  const body = dot2Code(k1, k0, u1, u4, len, stopMain, stopAll, [a, b, c, d], s1, s4);
  body.push(...i32c(0), ...get(s1), ...f64store(0), ...i32c(0), ...get(s4), ...f64store(8));
  return { params: [I32, I32, I32, I32, I32], results: [], locals: [I32, I32, V128, V128, V128, V128, F64, F64], body };
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

/** The parameters of `rows`, in order (byte addresses of Float64 or Int32 arrays, indices, scalars). */
const ROWS_PARAMS = [
  'panels', 'size', 'kW', 'gW', 'start', 'len', 'off', 'gStart', 'gLen', 'gOff',
  'K1', 'K0', 'K1g', 'K0g', 'u1', 'u4', 'v1', 'v4', 'pu4', 'pv4',
  'W0', 'W0g', 'cK', 'cG', 'iBot', 'iTop', 'gBot', 'gTop', 'poly', 'polyTop', 'panelErr',
  'c12', 'skipErr', 'e1a', 'e1b', 'e4a', 'e4b', 'e4c',
] as const; // prettier-ignore
const ROWS_F64_FROM = ROWS_PARAMS.indexOf('c12');

/**
 * rows(…): the whole r-rule of the softmax-selection rule at one s where b ≡ 0 (the manifold), the
 * loop of `atS` in src/risk/population.ts done here in one call: per row k its window ∩ the band,
 * the K21 and G10 sums (`dot2Code`), the complement from the prefix sums and W0, the error bounds,
 * t1PointValueFree (Horner over the length polynomial) and the panel sums with their QUADPACK
 * estimates (panelErrorOf). Every operation and its order is that of the JS loop, so the results are
 * the same numbers. Out: value, carried error, the rule's estimate, ∫|·| at addresses 0, 8, 16, 24;
 * the per-panel estimates at panelErr when it is not 0.
 */
function rows(): Fn {
  const P = Object.fromEntries(ROWS_PARAMS.map((nm, i) => [nm, i])) as Record<(typeof ROWS_PARAMS)[number], number>;
  let next = ROWS_PARAMS.length;
  const locals: number[] = [];
  const local = (type: number) => {
    locals.push(type);
    return next++;
  };
  const [p, q, k, st, ln, a, b, gst, gln, ag, bg, o, og, x1, x2, x3, x4, n, stopMain, stopAll, d] = Array.from({ length: 21 }, () => local(I32));
  const [kSum, gSum, absP, eTot, vTot, quad, absT, k1, s4, g1, gs4, k4, g4, e1, e4, bq, bl, hq, hl, lowC, v, pe, w, pc, aPsi, t] = Array.from({ length: 26 }, () => local(F64));
  const acc = [local(V128), local(V128), local(V128), local(V128)];
  const f64At = (base: number, idx: number[]) => [...get(base), ...idx, ...i32c(3), ...i32shl, ...i32add, ...f64load(0)];
  const i32At = (base: number, idx: number[]) => [...get(base), ...idx, ...i32c(2), ...i32shl, ...i32add, ...i32load(0)];
  const max = (x: number[], y: number[]) => [...y, ...x, ...x, ...y, ...i32ltS, ...select]; // x < y ? y : x
  const min = (x: number[], y: number[]) => [...x, ...y, ...x, ...y, ...i32ltS, ...select]; // x < y ? x : y
  const addTo = (acc1: number, x: number[]) => [...get(acc1), ...x, ...f64add, ...set(acc1)];
  const ptr = (base: number, idx: number[]) => [...get(base), ...idx, ...i32c(3), ...i32shl, ...i32add];
  const EPS50 = 50 * Number.EPSILON;
  const body: number[] = [];
  for (const x of [eTot, vTot, quad, absT]) body.push(...f64c(0), ...set(x));
  body.push(...i32c(0), ...set(p), ...i32c(0), ...set(k));
  const row: number[] = [];
  // the window ∩ [iBot, iTop)
  row.push(...i32At(P.start, get(k)), ...set(st), ...i32At(P.len, get(k)), ...set(ln));
  row.push(...max(get(st), get(P.iBot)), ...set(a), ...min([...get(st), ...get(ln), ...i32add], get(P.iTop)), ...set(b));
  const skip = addTo(eTot, [...f64At(P.kW, get(k)), ...get(P.skipErr), ...f64mul]);
  const live: number[] = [];
  live.push(...i32At(P.gStart, get(k)), ...set(gst), ...i32At(P.gLen, get(k)), ...set(gln));
  live.push(...max(get(gst), get(P.gBot)), ...set(ag), ...min([...get(gst), ...get(gln), ...i32add], get(P.gTop)), ...set(bg));
  live.push(...i32At(P.off, get(k)), ...get(st), ...i32sub, ...set(o), ...i32At(P.gOff, get(k)), ...get(gst), ...i32sub, ...set(og));
  // K21 sums over [a, b), G10 sums over [ag, bg)
  live.push(...ptr(P.K1, [...get(o), ...get(a), ...i32add]), ...set(x1), ...ptr(P.K0, [...get(o), ...get(a), ...i32add]), ...set(x2));
  live.push(...ptr(P.u1, get(a)), ...set(x3), ...ptr(P.u4, get(a)), ...set(x4), ...get(b), ...get(a), ...i32sub, ...set(n));
  live.push(...dot2Code(x1, x2, x3, x4, n, stopMain, stopAll, acc, k1, s4));
  live.push(...ptr(P.K1g, [...get(og), ...get(ag), ...i32add]), ...set(x1), ...ptr(P.K0g, [...get(og), ...get(ag), ...i32add]), ...set(x2));
  live.push(...ptr(P.v1, get(ag)), ...set(x3), ...ptr(P.v4, get(ag)), ...set(x4), ...get(bg), ...get(ag), ...i32sub, ...set(n));
  live.push(...dot2Code(x1, x2, x3, x4, n, stopMain, stopAll, acc, g1, gs4));
  // k4 = s4 + pu4[st] + W0[o + k + max(st, min(iTop, st + ln))] + cK[k]; g4 the same on the G10 nodes
  const topIdx = (off: number, s0: number, l0: number, topBand: number) => [...get(off), ...get(k), ...i32add, ...max(get(s0), min(get(topBand), [...get(s0), ...get(l0), ...i32add])), ...i32add];
  live.push(...get(s4), ...f64At(P.pu4, get(st)), ...f64add, ...f64At(P.W0, topIdx(o, st, ln, P.iTop)), ...f64add, ...f64At(P.cK, get(k)), ...f64add, ...set(k4));
  live.push(...get(gs4), ...f64At(P.pv4, get(gst)), ...f64add, ...f64At(P.W0g, topIdx(og, gst, gln, P.gTop)), ...f64add, ...f64At(P.cG, get(k)), ...f64add, ...set(g4));
  // e1 = |k1 − g1| + fl|k1| + e1a + e1b; e4 = |k4 − g4| + fl|k4| + e4a + e4b + e4c
  live.push(...get(k1), ...get(g1), ...f64sub, ...f64abs, ...f64c(EPS50), ...get(k1), ...f64abs, ...f64mul, ...f64add, ...get(P.e1a), ...f64add, ...get(P.e1b), ...f64add, ...set(e1));
  live.push(...get(k4), ...get(g4), ...f64sub, ...f64abs, ...f64c(EPS50), ...get(k4), ...f64abs, ...f64mul, ...f64add);
  live.push(...get(P.e4a), ...f64add, ...get(P.e4b), ...f64add, ...get(P.e4c), ...f64add, ...set(e4));
  // t1PointValueFree: b = k4 ≥ 1 ? 0 : 1 − k4; bl from lowC = k4 − e4 clamped; Horner over the polynomial
  live.push(...f64c(0), ...f64c(1), ...get(k4), ...f64sub, ...get(k4), ...f64c(1), ...f64ge, ...select, ...set(bq));
  live.push(...get(k4), ...get(e4), ...f64sub, ...set(lowC));
  live.push(...f64c(1), ...f64c(0), ...f64c(1), ...get(lowC), ...f64sub, ...get(lowC), ...f64c(1), ...f64ge, ...select, ...get(lowC), ...f64c(0), ...f64le, ...select, ...set(bl));
  live.push(...f64At(P.poly, get(P.polyTop)), ...set(hq), ...get(hq), ...set(hl), ...get(P.polyTop), ...set(d));
  live.push(...block, ...get(d), ...i32c(0), ...i32eq, ...brIf(0), ...loop);
  live.push(...get(d), ...i32c(1), ...i32sub, ...set(d), ...f64At(P.poly, get(d)), ...set(pc));
  live.push(...get(hq), ...get(bq), ...f64mul, ...get(pc), ...f64add, ...set(hq), ...get(hl), ...get(bl), ...f64mul, ...get(pc), ...f64add, ...set(hl));
  live.push(...get(d), ...i32c(0), ...i32ne, ...brIf(0), ...end, ...end);
  live.push(...get(k1), ...f64abs, ...set(aPsi));
  live.push(...get(P.c12), ...get(k1), ...f64mul, ...get(hq), ...f64mul, ...set(v));
  live.push(...get(P.c12), ...f64abs, ...f64c(0), ...get(aPsi), ...get(e1), ...f64add, ...get(hl), ...f64mul, ...get(aPsi), ...get(hq), ...f64mul, ...f64sub, ...f64max, ...f64mul, ...set(pe));
  // panel sums
  live.push(...f64At(P.kW, get(k)), ...set(w));
  live.push(...addTo(kSum, [...get(w), ...get(v), ...f64mul]), ...addTo(gSum, [...f64At(P.gW, get(k)), ...get(v), ...f64mul]));
  live.push(...addTo(absP, [...get(w), ...get(v), ...f64abs, ...f64mul]), ...addTo(eTot, [...get(w), ...get(pe), ...f64mul]));
  row.push(...get(b), ...get(a), ...i32leS, ...ifElse(skip, live));
  row.push(...get(k), ...i32c(1), ...i32add, ...set(k), ...get(q), ...i32c(1), ...i32add, ...tee(q), ...get(P.size), ...i32ne, ...brIf(0));
  // panels
  body.push(...block, ...get(P.panels), ...i32c(0), ...i32leS, ...brIf(0), ...loop);
  body.push(...f64c(0), ...set(kSum), ...f64c(0), ...set(gSum), ...f64c(0), ...set(absP), ...i32c(0), ...set(q));
  body.push(...loop, ...row, ...end);
  body.push(...addTo(vTot, get(kSum)), ...addTo(absT, get(absP)));
  // panelErrorOf(kSum, gSum, absP): 0 where absP = 0, else max(2·abs·min-form, 50ε·abs)
  const rr = t;
  const estimate = [
    ...f64c(200), ...get(kSum), ...get(gSum), ...f64sub, ...f64abs, ...f64mul, ...get(absP), ...f64div, ...set(rr),
    ...f64c(2), ...get(absP), ...f64mul,
    ...get(rr), ...get(rr), ...f64sqrt, ...f64mul, ...f64c(1), ...get(rr), ...f64c(1), ...f64lt, ...select, ...f64mul,
    ...f64c(EPS50), ...get(absP), ...f64mul, ...f64max, ...set(pe),
  ]; // prettier-ignore
  body.push(...get(absP), ...f64c(0), ...f64eq, ...ifElse([...f64c(0), ...set(pe)], estimate));
  body.push(...addTo(quad, get(pe)));
  body.push(...get(P.panelErr), ...i32c(0), ...i32ne, ...ifElse(ptr(P.panelErr, get(p)).concat(get(pe), f64store(0))));
  body.push(...get(p), ...i32c(1), ...i32add, ...tee(p), ...get(P.panels), ...i32ne, ...brIf(0), ...end, ...end);
  for (const [i, x] of [vTot, eTot, quad, absT].entries()) body.push(...i32c(0), ...get(x), ...f64store(8 * i));
  return { params: ROWS_PARAMS.map((_, i) => (i < ROWS_F64_FROM ? I32 : F64)), results: [], locals, body };
}

let compiled: WasmModule | null | undefined;

function windowSumModule(): WasmModule | null {
  if (compiled === undefined) {
    const bytes = moduleWithMemory([
      ['dot2', dot2()],
      ['dot5', dot5()],
      ['rows', rows()],
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
  /**
   * The selection rule's rows at one s (`rows`) for a layout of arrays in this arena (indices in
   * doubles; the Int32 arrays start at a double index): f64[0…3] = value, carried error, the rule's
   * estimate, ∫|·|; the per-panel estimates at f64[layout.panelErr…] when panelErr ≥ 0.
   */
  rows(layout: SelectionRowsLayout, band: SelectionRowsBand): void;
}

/** Where the arrays of one fixed r-rule live in an arena (double indices), and its sizes. */
export interface SelectionRowsLayout {
  readonly panels: number;
  /** nodes per panel, 15 or 21 */
  readonly size: number;
  readonly kW: number;
  readonly gW: number;
  /** Int32 arrays: each row's window start, length, offset into K1/K0 (and the same on the G10 nodes) */
  readonly start: number;
  readonly len: number;
  readonly off: number;
  readonly gStart: number;
  readonly gLen: number;
  readonly gOff: number;
  readonly K1: number;
  readonly K0: number;
  readonly K1g: number;
  readonly K0g: number;
  readonly u1: number;
  readonly u4: number;
  readonly v1: number;
  readonly v4: number;
  readonly pu4: number;
  readonly pv4: number;
  readonly W0: number;
  readonly W0g: number;
  readonly cK: number;
  readonly cG: number;
  /** the length polynomial's coefficients, and its degree */
  readonly poly: number;
  readonly polyTop: number;
  /** where the per-panel estimates go, or −1 */
  readonly panelErr: number;
}

/** The per-s part: the band of x-nodes, c12, the bound of a skipped row, and the constant error terms. */
export interface SelectionRowsBand {
  iBot: number;
  iTop: number;
  gBot: number;
  gTop: number;
  c12: number;
  skipErr: number;
  e1a: number;
  e1b: number;
  e4a: number;
  e4b: number;
  e4c: number;
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
  const r = e.rows;
  return {
    f64: new Float64Array(memory.buffer),
    first: RESULTS,
    dot2: (k1, k0, u1, u4, len) => d2(8 * k1, 8 * k0, 8 * u1, 8 * u4, len),
    dot5: (k1, k0, u, stride, len) => d5(8 * k1, 8 * k0, 8 * u, 8 * stride, len),
    rows: (L, B) =>
      r(
        L.panels, L.size, 8 * L.kW, 8 * L.gW, 8 * L.start, 8 * L.len, 8 * L.off, 8 * L.gStart, 8 * L.gLen, 8 * L.gOff,
        8 * L.K1, 8 * L.K0, 8 * L.K1g, 8 * L.K0g, 8 * L.u1, 8 * L.u4, 8 * L.v1, 8 * L.v4, 8 * L.pu4, 8 * L.pv4,
        8 * L.W0, 8 * L.W0g, 8 * L.cK, 8 * L.cG, B.iBot, B.iTop, B.gBot, B.gTop, 8 * L.poly, L.polyTop, L.panelErr < 0 ? 0 : 8 * L.panelErr,
        B.c12, B.skipErr, B.e1a, B.e1b, B.e4a, B.e4b, B.e4c,
      ), // prettier-ignore
  };
}
