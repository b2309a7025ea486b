/**
 * Seeded random streams for the Monte Carlo layer.
 *
 * Generator: pure-rand's xoroshiro128+ (Blackman & Vigna, parameters 24/16/37,
 * period 2^128 − 1). pure-rand's `next()` returns the low 32 bits of the 64-bit
 * xoroshiro128+ output; the lowest few bits of xoroshiro128+ have low linear
 * complexity, so `uniform()` drops the low 5–6 bits of each word, and the
 * ziggurat normal generator takes its layer index from bits 4–10 (never from
 * bits 0–3); those bits weigh ≤ 2^−20 in the value drawn from the same word.
 *
 * Seeding: the integer seed is expanded to the 128-bit state by SplitMix64 (as
 * recommended by the xoroshiro authors), so nearby seeds (0, 1, 2, …) give
 * unrelated streams from the first draw on.
 *
 * State is mutable and no transform allocates per draw.
 */
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { InvalidInputError } from '../errors.ts';

const TWO_POW_M53 = 1.1102230246251565e-16; // 2^-53
const TWO_POW_26 = 67108864;

const MASK64 = (1n << 64n) - 1n;
const MASK32 = (1n << 32n) - 1n;

/** SplitMix64 (Steele, Lea & Flood 2014): one step of the seed expander. */
function splitMix64(state: bigint): { state: bigint; out: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  z = z ^ (z >> 31n);
  return { state: next, out: z };
}

/** pure-rand's xoroshiro128+ state layout: [s0 high, s0 low, s1 high, s1 low] as int32. */
function seedState(seed: number): number[] {
  let s = BigInt(seed) & MASK64; // two's complement for negative seeds
  const words: number[] = [];
  for (let i = 0; i < 2; i++) {
    const step = splitMix64(s);
    s = step.state;
    words.push(Number(BigInt.asIntN(32, step.out >> 32n)), Number(BigInt.asIntN(32, step.out & MASK32)));
  }
  // SplitMix64 is a bijection of its counter, so two consecutive outputs are never both 0:
  // the all-zero state (the one fixed point of xoroshiro) cannot occur.
  return words;
}

// Ziggurat tables of Marsaglia & Tsang (J. Stat. Softw. 5(8), 2000) for N(0, 1), 128 layers:
// r = 3.442619855899 (start of the tail), v = 9.91256303526217e-3 (area of each layer).
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
const M1 = 2147483648; // 2^31
const KN = new Float64Array(128);
const WN = new Float64Array(128);
const FN = new Float64Array(128);
{
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  KN[0] = Math.floor((dn / q) * M1);
  KN[1] = 0;
  WN[0] = q / M1;
  WN[127] = dn / M1;
  FN[0] = 1;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = Math.floor((dn / tn) * M1);
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / M1;
  }
}

/**
 * A seeded stream of random numbers: pure-rand's xoroshiro128+ (period
 * 2^128 − 1) with our own transforms.
 *
 * - `uniform()` is in (0, 1) strictly, from 53 random bits.
 * - `normal()` / `fillNormal()` use the ziggurat method of Marsaglia & Tsang
 *   (2000) with 128 layers: one signed 32-bit word j gives the layer
 *   i = bits 4–10 of j and the candidate x = j·w_i, accepted at once when
 *   |j| < k_i (98.8% of draws: one generator call and one multiplication);
 *   otherwise the wedge test (one uniform and one exp) or, in the base layer,
 *   Marsaglia's exact tail beyond r = 3.4426 (x = r + E1/r with
 *   2E2 > (E1/r)², E1, E2 standard exponentials). Values in the body lie on a
 *   lattice of spacing w_i ≤ 1.6e−9; the tail reaches |z| ≈ 14. Each draw is
 *   independent of the previous one (no cached pair), so `normal()` and
 *   `fillNormal()` calls interleave into one and the same sequence.
 * - `streams(seed, k)` gives k independent streams by successive jumps of
 *   2^64 generator steps: they never overlap as long as each stream makes fewer
 *   than 2^64 calls to the underlying 32-bit generator (one `uniform()` is two
 *   calls, one normal about 1.03, one `categorical()` two).
 */
export class RandomStream {
  private gen: JumpableRandomGenerator;
  /** cumulative weights of `categorical`, grown on demand and reused */
  private scratch: Float64Array = new Float64Array(0);

  /** `seed`: any safe integer (negative allowed); equal seeds give equal streams. */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
      throw new InvalidInputError(`seed must be a safe integer, got ${String(seed)}`);
    }
    this.gen = xoroshiro128plusFromState(seedState(seed));
  }

  /**
   * k independent streams from one seed: stream 0 is `new RandomStream(seed)`,
   * stream i is it jumped i times (2^64 steps each), so streams never overlap
   * for fewer than 2^64 generator calls (2^63 uniforms) each.
   */
  static streams(seed: number, k: number): RandomStream[] {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
      throw new InvalidInputError(`number of streams must be a positive integer, got ${String(k)}`);
    }
    const base = new RandomStream(seed);
    const out: RandomStream[] = [base];
    let current = base.gen;
    for (let i = 1; i < k; i++) {
      current = current.clone();
      current.jump();
      const s = new RandomStream(seed);
      s.gen = current;
      out.push(s);
    }
    return out;
  }

  /**
   * Uniform on (0, 1): k·2^−53 for a uniform 53-bit integer k ≠ 0 (k = 0 is
   * redrawn, probability 2^−53). So U ∈ [2^−53, 1 − 2^−53], exactly
   * representable: log U and log(1 − U) are always finite.
   */
  uniform(): number {
    const g = this.gen;
    let k = (g.next() >>> 5) * TWO_POW_26 + (g.next() >>> 6);
    while (k === 0) k = (g.next() >>> 5) * TWO_POW_26 + (g.next() >>> 6);
    return k * TWO_POW_M53;
  }

  /** Standard normal N(0, 1) by the ziggurat method. */
  normal(): number {
    const j = this.gen.next() | 0;
    const i = (j >>> 4) & 127;
    if (Math.abs(j) < KN[i]) return j * WN[i];
    return this.normalSlow(j, i);
  }

  /** The ziggurat's rejection branch: wedges and the tail (≈ 1.2% of draws). */
  private normalSlow(j: number, i: number): number {
    for (;;) {
      if (i === 0) {
        // base layer: the tail beyond r, exactly (Marsaglia 1964)
        let x: number;
        let y: number;
        do {
          x = -Math.log(this.uniform()) / ZIG_R;
          y = -Math.log(this.uniform());
        } while (y + y < x * x);
        return j > 0 ? ZIG_R + x : -ZIG_R - x;
      }
      const x = j * WN[i];
      if (FN[i] + this.uniform() * (FN[i - 1] - FN[i]) < Math.exp(-0.5 * x * x)) return x;
      j = this.gen.next() | 0;
      i = (j >>> 4) & 127;
      if (Math.abs(j) < KN[i]) return j * WN[i];
    }
  }

  /**
   * Fill out[offset … offset + length) with N(0, 1) draws — the same values,
   * in the same order, as `length` calls of `normal()`.
   */
  fillNormal(out: Float64Array, offset = 0, length = out.length - offset): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > out.length) {
      throw new InvalidInputError(`fillNormal: range [${offset}, ${offset + length}) is not inside an array of length ${out.length}`);
    }
    const g = this.gen;
    const end = offset + length;
    for (let k = offset; k < end; k++) {
      const j = g.next() | 0;
      const i = (j >>> 4) & 127;
      out[k] = Math.abs(j) < KN[i] ? j * WN[i] : this.normalSlow(j, i);
    }
  }

  /**
   * Projections of a standard Gaussian vector z ∈ R^D on k directions without storing z:
   * out[j] = Σ_i z_i·basis[k·i + j] (j < k), the directions interleaved in `basis` (length ≥ k·D).
   * z is the next D values of the stream — exactly those `fillNormal` would give — so this is
   * `fillNormal` followed by k dot products, in one pass.
   */
  gaussianProjections(basis: Float64Array, D: number, k: number, out: Float64Array): void {
    if (!Number.isInteger(D) || D < 0 || !Number.isInteger(k) || k < 1 || k > 4 || basis.length < k * D || out.length < k) {
      throw new InvalidInputError(`gaussianProjections: need 1 ≤ k ≤ 4 and basis.length ≥ k·D (k = ${k}, D = ${D}, basis.length = ${basis.length})`);
    }
    const g = this.gen;
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    for (let i = 0, b = 0; i < D; i++, b += k) {
      const j = g.next() | 0;
      const l = (j >>> 4) & 127;
      const z = Math.abs(j) < KN[l] ? j * WN[l] : this.normalSlow(j, l);
      p0 += z * basis[b];
      if (k > 1) p1 += z * basis[b + 1];
      if (k > 2) p2 += z * basis[b + 2];
      if (k > 3) p3 += z * basis[b + 3];
    }
    out[0] = p0;
    if (k > 1) out[1] = p1;
    if (k > 2) out[2] = p2;
    if (k > 3) out[3] = p3;
  }

  /** Standard exponential: −log U ∈ (0, 36.8]. */
  exponential(): number {
    return -Math.log(this.uniform());
  }

  /** Standard Gumbel: −log(−log U), finite (in [−3.61, 36.8]). */
  gumbel(): number {
    return -Math.log(-Math.log(this.uniform()));
  }

  /**
   * An index i in [0, length) with P(i) ∝ exp(logWeights[i]).
   *
   * Numerically safe inverse-CDF method with one uniform per call: the
   * weights are exp(logWeights[i] − max) ∈ [0, 1] (no overflow for any spread,
   * e.g. 1000·χ; entries more than ~745 below the maximum underflow to
   * weight 0, i.e. probability < e^−745), accumulated once, and the first i
   * with cumulative weight > U·total is returned. −Infinity entries have
   * weight 0 and are never chosen. Throws InvalidInputError for NaN or
   * +Infinity entries, when all entries are −Infinity, or when `length` is not
   * in [1, logWeights.length].
   */
  categorical(logWeights: ArrayLike<number>, length: number = logWeights.length): number {
    if (!Number.isInteger(length) || length < 1 || length > logWeights.length) {
      throw new InvalidInputError(`categorical: length must be an integer in [1, ${logWeights.length}], got ${length}`);
    }
    let max = -Infinity;
    for (let i = 0; i < length; i++) {
      const w = logWeights[i];
      if (w > max) max = w;
      else if (w !== w) throw new InvalidInputError(`categorical: log-weight ${i} is NaN`);
    }
    if (max === Infinity) throw new InvalidInputError('categorical: a log-weight is +Infinity');
    if (max === -Infinity) throw new InvalidInputError('categorical: all weights are zero (every log-weight is -Infinity)');
    if (this.scratch.length < length) this.scratch = new Float64Array(Math.max(length, 2 * this.scratch.length));
    const cum = this.scratch;
    let total = 0;
    for (let i = 0; i < length; i++) {
      total += Math.exp(logWeights[i] - max); // exp(-Infinity) = 0
      cum[i] = total;
    }
    // total ≥ 1 (the maximal entry has weight 1) and U ≤ 1 − 2^−53, so
    // U·total < total = cum[length − 1] after rounding: the loop always returns,
    // and an index whose weight is 0 (cum[i] = cum[i − 1]) is never returned.
    const target = this.uniform() * total;
    for (let i = 0; i < length; i++) if (target < cum[i]) return i;
    /* c8 ignore next */
    throw new Error('categorical: unreachable (cumulative search ran past the total)');
  }
}
