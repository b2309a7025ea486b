import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { RESULTS, type SelectionRowsBand, type SelectionRowsLayout, type WindowSumArena, windowSumArena } from '../../src/numerics/window-sums.ts';

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

/**
 * The selection rule's row loop (`rows`) against the same loop in JS over the arena: the per-row
 * sums from dot2 (tested above against the plain loop), then the complement, the error bounds,
 * t1PointValueFree's Horner form and the panels' QUADPACK estimates in the order of
 * src/risk/population.ts. Every operation is the same, so the results must be the same numbers.
 */
function rowsInJs(arena: WindowSumArena, L: SelectionRowsLayout, B: SelectionRowsBand): { out: number[]; panelErr: number[] } {
  const f = arena.f64;
  const i32 = (at: number, j: number) => new Int32Array(f.buffer, 8 * at, j + 1)[j];
  const fl = 50 * Number.EPSILON;
  let v = 0, e = 0, quad = 0, absTotal = 0; // prettier-ignore
  const panelErr: number[] = [];
  for (let p = 0; p < L.panels; p++) {
    let kSum = 0, gSum = 0, abs = 0; // prettier-ignore
    for (let q = 0; q < L.size; q++) {
      const k = L.size * p + q;
      const st = i32(L.start, k), ln = i32(L.len, k), gst = i32(L.gStart, k), gln = i32(L.gLen, k); // prettier-ignore
      const a = Math.max(st, B.iBot);
      const b = Math.min(st + ln, B.iTop);
      if (b <= a) {
        e += f[L.kW + k] * B.skipErr;
        continue;
      }
      const ag = Math.max(gst, B.gBot);
      const bg = Math.min(gst + gln, B.gTop);
      const o = i32(L.off, k) - st;
      const og = i32(L.gOff, k) - gst;
      arena.dot2(L.K1 + o + a, L.K0 + o + a, L.u1 + a, L.u4 + a, b - a);
      const k1 = f[0], s4 = f[1]; // prettier-ignore
      arena.dot2(L.K1g + og + ag, L.K0g + og + ag, L.v1 + ag, L.v4 + ag, bg - ag);
      const g1 = f[0], gs4 = f[1]; // prettier-ignore
      const top = f[L.W0 + o + k + Math.max(st, Math.min(B.iTop, st + ln))];
      const topG = f[L.W0g + og + k + Math.max(gst, Math.min(B.gTop, gst + gln))];
      const k4 = s4 + f[L.pu4 + st] + top + f[L.cK + k];
      const g4 = gs4 + f[L.pv4 + gst] + topG + f[L.cG + k];
      const e1 = Math.abs(k1 - g1) + fl * Math.abs(k1) + B.e1a + B.e1b;
      const e4 = Math.abs(k4 - g4) + fl * Math.abs(k4) + B.e4a + B.e4b + B.e4c;
      const bq = k4 >= 1 ? 0 : 1 - k4;
      const lowC = k4 - e4;
      const bl = lowC <= 0 ? 1 : lowC >= 1 ? 0 : 1 - lowC;
      let hq = f[L.poly + L.polyTop];
      let hl = hq;
      for (let d = L.polyTop - 1; d >= 0; d--) {
        hq = hq * bq + f[L.poly + d];
        hl = hl * bl + f[L.poly + d];
      }
      const aPsi = Math.abs(k1);
      const val = B.c12 * k1 * hq;
      const pe = Math.abs(B.c12) * Math.max(0, (aPsi + e1) * hl - aPsi * hq);
      kSum += f[L.kW + k] * val;
      gSum += f[L.gW + k] * val;
      abs += f[L.kW + k] * Math.abs(val);
      e += f[L.kW + k] * pe;
    }
    v += kSum;
    absTotal += abs;
    let pe = 0;
    if (abs !== 0) {
      const r = (200 * Math.abs(kSum - gSum)) / abs;
      pe = Math.max(2 * abs * (r < 1 ? r * Math.sqrt(r) : 1), 50 * Number.EPSILON * abs);
    }
    quad += pe;
    panelErr.push(pe);
  }
  return { out: [v, e, quad, absTotal], panelErr };
}

describe('the selection rule’s rows in WebAssembly (rows)', () => {
  // a random rule: 3 panels of 21 rows over an x-grid of 8 panels of 21 nodes (G10 nodes: the odd ones
  // of each panel), random windows of whole x-panels, kernels, moments, prefix sums and weights
  fcTest.prop([fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 4 }), fc.boolean()])(
    'should give the numbers of the JS loop: window by window, bounds, Horner, panel estimates',
    (seed, polyLength, withPanelErr) => {
      let x = seed;
      const rnd = () => (x = (x * 48271) % 2147483647) / 2147483647;
      const panels = 3;
      const size = 21;
      const R = panels * size;
      const nPanels = 8;
      const n = 21 * nPanels;
      const gIdx = Array.from({ length: n }, (_, i) => i).filter((i) => (i % 21) % 2 === 1);
      const ng = gIdx.length;
      const gFirst = (i: number) => gIdx.filter((j) => j < i).length;
      const start = new Int32Array(R), len = new Int32Array(R), off = new Int32Array(R + 1); // prettier-ignore
      const gStart = new Int32Array(R), gLen = new Int32Array(R), gOff = new Int32Array(R + 1); // prettier-ignore
      for (let k = 0; k < R; k++) {
        const p0 = Math.floor(rnd() * nPanels);
        const p1 = Math.min(nPanels, p0 + Math.floor(rnd() * 4)); // 0 to 3 panels (some rows empty)
        start[k] = 21 * p0;
        len[k] = 21 * (p1 - p0);
        off[k + 1] = off[k] + len[k];
        gStart[k] = gFirst(start[k]);
        gLen[k] = gFirst(start[k] + len[k]) - gStart[k];
        gOff[k + 1] = gOff[k] + gLen[k];
      }
      const arena = windowSumArena(4 * R + 4 * off[R] + 4 * gOff[R] + 3 * n + 3 * ng + 10 + 3 * R + 8 + panels + 8)!;
      const f = arena.f64;
      let next = arena.first;
      const take = (count: number, fill: () => number) => {
        const at = next;
        for (let i = 0; i < count; i++) f[at + i] = fill();
        next += count;
        return at;
      };
      const takeInt = (a: Int32Array) => {
        const at = next;
        new Int32Array(f.buffer, 8 * at, a.length).set(a);
        next += Math.ceil(a.length / 2);
        return at;
      };
      const signed = () => 2 * rnd() - 1;
      const layout: SelectionRowsLayout = {
        panels,
        size,
        kW: take(R, rnd),
        gW: take(R, () => (rnd() < 0.5 ? 0 : rnd())),
        start: takeInt(start),
        len: takeInt(len),
        off: takeInt(off),
        gStart: takeInt(gStart),
        gLen: takeInt(gLen),
        gOff: takeInt(gOff),
        K1: take(off[R], () => 0.37 * rnd()),
        K0: take(off[R], rnd),
        K1g: take(gOff[R], () => 0.37 * rnd()),
        K0g: take(gOff[R], rnd),
        u1: take(n, signed),
        u4: take(n, () => 0.01 * rnd()),
        v1: take(ng, signed),
        v4: take(ng, () => 0.01 * rnd()),
        pu4: take(n + 1, () => 0.2 * rnd()),
        pv4: take(ng + 1, () => 0.2 * rnd()),
        W0: take(off[R] + R, () => 0.3 * rnd()),
        W0g: take(gOff[R] + R, () => 0.3 * rnd()),
        cK: take(R, () => 0.5 * rnd()),
        cG: take(R, () => 0.5 * rnd()),
        poly: take(polyLength, rnd),
        polyTop: polyLength - 1,
        panelErr: withPanelErr ? take(panels, () => NaN) : -1,
      };
      // a band over at least half the grid, so that most rows meet it (the others are skipped)
      const iBot = Math.floor(rnd() * n * 0.25);
      const iTop = iBot + Math.ceil(n / 2) + Math.floor(rnd() * (n - iBot - Math.ceil(n / 2) + 1));
      const band: SelectionRowsBand = {
        iBot,
        iTop,
        gBot: gFirst(iBot),
        gTop: gFirst(iTop),
        c12: signed(),
        skipErr: 1e-12 * rnd(),
        e1a: 1e-9 * rnd(),
        e1b: 1e-17 * rnd(),
        e4a: 1e-9 * rnd(),
        e4b: 1e-17 * rnd(),
        e4c: 1e-17 * rnd(),
      };
      const want = rowsInJs(arena, layout, band);
      arena.rows(layout, band);
      expect([f[0], f[1], f[2], f[3]]).toEqual(want.out);
      expect(want.out[3]).toBeGreaterThan(0);
      if (withPanelErr) expect(Array.from(f.subarray(layout.panelErr, layout.panelErr + panels))).toEqual(want.panelErr);
    },
  );
});

