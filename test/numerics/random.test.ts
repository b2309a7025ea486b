import erfc from '@stdlib/math-base-special-erfc';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { RandomStream } from '../../src/numerics/random.ts';
import { chiSquarePValue, ksTest, zQuantile } from '../../src/numerics/statistics.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';

/*
 * Monte Carlo checks are hypothesis tests. Each runs at a per-seed level α and
 * follows stdlib's retry rule: it fails only if at least 2 of 3 independent
 * seeds reject, so its false-failure probability is 3α²(1 − α) + α³ < 3α².
 * With α = 1e−4 (the level used throughout unless stated) that is < 3e−8 per
 * test. Seeds derive from SLR_SEED (printed below) so failures replay.
 */
reportSeed('random.test.ts');

const ALPHA = 1e-4;

interface Trial {
  reject: boolean;
  detail: string;
}

/** Seed of trial `trial` of the test numbered `test` (distinct tests get distinct seeds). */
function trialSeed(test: number, trial: number): number {
  return (SEED + 7919 * test + 104729 * trial) % 2 ** 52;
}

/** Run `run` on up to 3 seeds; fail iff 2 of them reject (false-failure probability < 3α²). */
function twoOfThree(test: number, run: (seed: number) => Trial): void {
  const details: string[] = [];
  let rejects = 0;
  let accepts = 0;
  for (let trial = 0; trial < 3 && rejects < 2 && accepts < 2; trial++) {
    const seed = trialSeed(test, trial);
    const r = run(seed);
    details.push(`seed ${seed}: ${r.reject ? 'REJECT' : 'accept'} ${r.detail}`);
    if (r.reject) rejects++;
    else accepts++;
  }
  expect(rejects, details.join('\n')).toBeLessThan(2);
}

function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Pearson correlation of two equally long arrays. */
function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Under independence √n·r is asymptotically N(0, 1): reject at two-sided level α when |√n·r| > z_{1−α/2}. */
function correlationTrial(x: ArrayLike<number>, y: ArrayLike<number>, alpha: number): Trial {
  const z = Math.sqrt(x.length) * correlation(x, y);
  return { reject: Math.abs(z) > zQuantile(1 - alpha), detail: `√n·r = ${z.toFixed(3)}` };
}

function ksTrial(xs: Float64Array, cdf: (x: number) => number, alpha: number): Trial {
  const { statistic, pValue } = ksTest(xs, cdf);
  return { reject: pValue < alpha, detail: `D = ${statistic.toExponential(3)}, p = ${pValue.toExponential(3)}` };
}

/** Pearson chi-square goodness of fit of observed counts against probabilities (all > 0). */
function chiSquareTrial(counts: ArrayLike<number>, probabilities: ArrayLike<number>, draws: number, alpha: number): Trial {
  let stat = 0;
  for (let i = 0; i < counts.length; i++) {
    const e = draws * probabilities[i];
    stat += ((counts[i] - e) * (counts[i] - e)) / e;
  }
  const p = chiSquarePValue(stat, counts.length - 1);
  return { reject: p < alpha, detail: `χ² = ${stat.toFixed(2)} (df ${counts.length - 1}), p = ${p.toExponential(3)}` };
}

function draw(n: number, f: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f();
  return out;
}

/** Softmax of log-weights, computed stably (reference for categorical). */
function softmax(logWeights: readonly number[]): number[] {
  const m = Math.max(...logWeights);
  const w = logWeights.map((x) => Math.exp(x - m));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

describe('RandomStream constructor', () => {
  it('should accept any safe integer seed, negative ones included', () => {
    for (const seed of [0, 1, -1, 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      const u = new RandomStream(seed).uniform();
      expect(u > 0 && u < 1).toBe(true);
    }
  });

  it.each([[1.5], [NaN], [Infinity], [-Infinity], [2 ** 53], ['3']])('should reject the seed %s', (seed) => {
    expect(() => new RandomStream(seed as number)).toThrow(InvalidInputError);
  });

  it('should be deterministic for a seed, across every transform', () => {
    const run = (rng: RandomStream): number[] => {
      const out: number[] = [];
      const buf = new Float64Array(7);
      const lw = Float64Array.from([0, -1, 2, -Infinity]);
      for (let i = 0; i < 50; i++) {
        out.push(rng.uniform(), rng.normal(), rng.exponential(), rng.gumbel(), rng.categorical(lw, 4));
        rng.fillNormal(buf, 1, 5);
        out.push(...buf);
      }
      return out;
    };
    expect(run(new RandomStream(SEED))).toEqual(run(new RandomStream(SEED)));
  });

  it('should give unrelated sequences for nearby seeds', () => {
    const a = new RandomStream(SEED);
    const b = new RandomStream(SEED + 1);
    let equal = 0;
    for (let i = 0; i < 1000; i++) if (a.uniform() === b.uniform()) equal++;
    expect(equal).toBe(0);
  });

  it('should seed consecutive integers into independent uniform first draws (KS and lag-1 correlation)', () => {
    // the first uniform of seeds s, s+1, …, s+N−1: KS against U(0,1) and the correlation of
    // neighbours, each at level α/2 (Bonferroni), i.e. α per seed for the pair of tests
    twoOfThree(1, (seed) => {
      const N = 20_000;
      const first = new Float64Array(N);
      for (let j = 0; j < N; j++) first[j] = new RandomStream(seed + j).uniform();
      const ks = ksTrial(first, (x) => Math.min(1, Math.max(0, x)), ALPHA / 2);
      const corr = correlationTrial(first.subarray(0, N - 1), first.subarray(1), ALPHA / 2);
      return { reject: ks.reject || corr.reject, detail: `${ks.detail}; ${corr.detail}` };
    });
  });
});

describe('RandomStream.streams', () => {
  it('should return k streams whose first equals new RandomStream(seed)', () => {
    const streams = RandomStream.streams(SEED, 3);
    expect(streams).toHaveLength(3);
    const plain = new RandomStream(SEED);
    const a = draw(100, () => streams[0].uniform());
    expect(a).toEqual(draw(100, () => plain.uniform()));
    const b = draw(100, () => streams[1].uniform());
    const c = draw(100, () => streams[2].uniform());
    expect(b).not.toEqual(a);
    expect(c).not.toEqual(a);
    expect(c).not.toEqual(b);
  });

  it('should be deterministic: equal seeds give equal stream families', () => {
    const s1 = RandomStream.streams(SEED, 4);
    const s2 = RandomStream.streams(SEED, 4);
    for (let i = 0; i < 4; i++) expect(draw(20, () => s1[i].normal())).toEqual(draw(20, () => s2[i].normal()));
  });

  it('should not make one stream a shifted copy of another (no overlap within 10^6 generator words)', () => {
    // read the raw 32-bit words; a pair of consecutive words of stream j reappearing in stream i is a
    // sign of overlap (a jump that is too short). For independent streams the chance of a spurious
    // match is ≤ 12·10^6·2^−64 < 1e−12.
    const words = (s: RandomStream, n: number): Int32Array => {
      const gen = (s as unknown as { gen: { next(): number } }).gen;
      return Int32Array.from({ length: n }, () => gen.next());
    };
    const k = 4;
    const n = 1_000_000;
    const streams = RandomStream.streams(SEED, k);
    const all = streams.map((s) => words(s, n));
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        if (i === j) continue;
        const [w0, w1] = all[j];
        const w = all[i];
        let hit = -1;
        for (let t = 0; t + 1 < n && hit < 0; t++) if (w[t] === w0 && w[t + 1] === w1) hit = t;
        expect(hit, `stream ${j} starts at word ${hit} of stream ${i}`).toBe(-1);
      }
    }
  });

  it.each([[0], [-1], [1.5], [NaN]])('should reject k = %s', (k) => {
    expect(() => RandomStream.streams(SEED, k)).toThrow(InvalidInputError);
  });

  it('should give uncorrelated streams (all 6 pairs of 4 streams, 10^5 uniforms and normals)', () => {
    // 12 correlation z-tests (6 pairs × {uniform, normal²}), each at level α/12 (Bonferroni): level α per seed
    twoOfThree(2, (seed) => {
      const k = 4;
      const n = 100_000;
      const streams = RandomStream.streams(seed, k);
      const u = streams.map((s) => draw(n, () => s.uniform()));
      const z2 = streams.map((s) => {
        const x = new Float64Array(n);
        s.fillNormal(x);
        return x.map((v) => v * v);
      });
      const details: string[] = [];
      let reject = false;
      for (let i = 0; i < k; i++) {
        for (let j = i + 1; j < k; j++) {
          for (const [name, xs] of [['u', u], ['z²', z2]] as const) {
            const t = correlationTrial(xs[i], xs[j], ALPHA / 12);
            if (t.reject) {
              reject = true;
              details.push(`${name} streams ${i},${j}: ${t.detail}`);
            }
          }
        }
      }
      return { reject, detail: details.join('; ') };
    });
  });
});

describe('uniform', () => {
  it('should stay strictly inside (0, 1)', () => {
    const rng = new RandomStream(SEED);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const u = rng.uniform();
      if (u < min) min = u;
      if (u > max) max = u;
    }
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThan(1);
  });

  it('should map the extreme bit patterns to 2^-53 and 1 - 2^-53, redraw an all-zero pattern, and keep the transforms finite there', () => {
    // replace the generator by a scripted one: uniform() takes 27 + 26 high bits of two words
    const script = (words: number[]): RandomStream => {
      const rng = new RandomStream(0);
      let i = 0;
      (rng as unknown as { gen: { next(): number } }).gen = { next: () => words[i++] };
      return rng;
    };
    expect(script([-1, -1]).uniform()).toBe(1 - 2 ** -53);
    expect(script([-1, -1]).uniform()).toBeLessThan(1);
    expect(script([0, 1 << 6]).uniform()).toBe(2 ** -53);
    expect(script([0, 63, 0, 1 << 6]).uniform()).toBe(2 ** -53); // the low 6 bits are dropped: k = 0 → redraw
    expect(Number.isFinite(script([-1, -1]).gumbel())).toBe(true);
    expect(Number.isFinite(script([0, 1 << 6]).gumbel())).toBe(true);
    // ziggurat normals: the extreme words 0 and −1 take the fast path (|z| tiny); −2^31 falls in the base
    // layer's tail, which with the extreme uniforms 1 − 2^−53 (E1 ≈ 1e−16) and 2^−53 (E2 = 36.7) returns −r − E1/r
    for (const words of [[0], [-1]]) {
      const z = script(words).normal();
      expect(Number.isFinite(z) && Math.abs(z) < 3.5).toBe(true);
    }
    const tail = script([-(2 ** 31), -1, -1, 0, 1 << 6]).normal();
    expect(tail).toBeLessThanOrEqual(-3.442619855899);
    expect(tail).toBeGreaterThan(-3.4427);
  });

  it('should be uniform (KS test of 10^5 draws at level 1e-4)', () => {
    twoOfThree(3, (seed) => {
      const rng = new RandomStream(seed);
      return ksTrial(
        draw(100_000, () => rng.uniform()),
        (x) => x,
        ALPHA,
      );
    });
  });
});

describe('normal', () => {
  it('should follow N(0, 1) (KS test of 10^5 draws at level 1e-4)', () => {
    twoOfThree(4, (seed) => {
      const rng = new RandomStream(seed);
      return ksTrial(
        draw(100_000, () => rng.normal()),
        normalCdf,
        ALPHA,
      );
    });
  });

  it('should have the moments 0, 1, 0, 3 (z-tests on 2·10^5 draws)', () => {
    // with known law, mean(x^k) has sd √(Var x^k / n): Var x = 1, Var x² = 2, Var x³ = 15, Var x⁴ = 96.
    // four two-sided z-tests at α/4 each (Bonferroni): level α per seed
    twoOfThree(5, (seed) => {
      const n = 200_000;
      const x = new Float64Array(n);
      new RandomStream(seed).fillNormal(x);
      const m = [0, 0, 0, 0];
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const v2 = v * v;
        m[0] += v;
        m[1] += v2;
        m[2] += v2 * v;
        m[3] += v2 * v2;
      }
      const expected = [0, 1, 0, 3];
      const variance = [1, 2, 15, 96];
      const crit = zQuantile(1 - ALPHA / 4);
      const z = m.map((s, k) => (s / n - expected[k]) / Math.sqrt(variance[k] / n));
      return { reject: z.some((v) => Math.abs(v) > crit), detail: `z = ${z.map((v) => v.toFixed(2)).join(', ')} (crit ${crit.toFixed(2)})` };
    });
  });

  it('should make consecutive draws independent (correlation of values and of squares)', () => {
    // a shared layer or radius would show in corr(x², y²); two z-tests at α/2 each
    twoOfThree(6, (seed) => {
      const pairs = 100_000;
      const x = new Float64Array(2 * pairs);
      new RandomStream(seed).fillNormal(x);
      const a = new Float64Array(pairs);
      const b = new Float64Array(pairs);
      for (let i = 0; i < pairs; i++) {
        a[i] = x[2 * i];
        b[i] = x[2 * i + 1];
      }
      const lin = correlationTrial(a, b, ALPHA / 2);
      const sq = correlationTrial(
        a.map((v) => v * v),
        b.map((v) => v * v),
        ALPHA / 2,
      );
      return { reject: lin.reject || sq.reject, detail: `values ${lin.detail}; squares ${sq.detail}` };
    });
  });
});

describe('gaussianProjections', () => {
  it('should equal fillNormal followed by k dot products, and leave the stream where fillNormal would', () => {
    for (const k of [1, 2, 3, 4]) {
      const D = 37;
      const basis = new Float64Array(k * D);
      const dirs = new RandomStream(SEED + k);
      dirs.fillNormal(basis);
      const a = new RandomStream(SEED);
      const b = new RandomStream(SEED);
      const out = new Float64Array(4);
      a.gaussianProjections(basis, D, k, out);
      const z = new Float64Array(D);
      b.fillNormal(z);
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let i = 0; i < D; i++) dot += z[i] * basis[k * i + j];
        // same terms summed in the same order: identical
        expect(out[j]).toBe(dot);
      }
      expect(a.normal()).toBe(b.normal());
    }
  });

  it('should reject inconsistent sizes', () => {
    const rng = new RandomStream(SEED);
    expect(() => rng.gaussianProjections(new Float64Array(5), 3, 2, new Float64Array(2))).toThrow(InvalidInputError);
    expect(() => rng.gaussianProjections(new Float64Array(10), 2, 5, new Float64Array(5))).toThrow(InvalidInputError);
  });
});

describe('normal tails', () => {
  it('should follow N(0, 1) beyond |z| = 3 (KS test of the conditional law of the tail draws at level 1e-4)', () => {
    // the ziggurat's base layer and outer wedges: of 4·10^6 draws about 10 800 have |z| > 3;
    // given |z| > 3, |z| has CDF 1 − Q(|z|)/Q(3)
    twoOfThree(12, (seed) => {
      const x = new Float64Array(4_000_000);
      new RandomStream(seed).fillNormal(x);
      const tail = Float64Array.from(x.filter((v) => Math.abs(v) > 3).map(Math.abs));
      const q3 = 0.5 * erfc(3 / Math.SQRT2);
      return ksTrial(tail, (t) => 1 - (0.5 * erfc(t / Math.SQRT2)) / q3, ALPHA);
    });
  });
});

describe('fillNormal', () => {
  it('should produce exactly the sequence of repeated normal() calls, for any interleaving', () => {
    const a = new RandomStream(SEED);
    const b = new RandomStream(SEED);
    const fromFill: number[] = [];
    for (const len of [1, 2, 3, 0, 5, 4, 7, 1, 1, 10]) {
      const buf = new Float64Array(len + 3);
      a.fillNormal(buf, 2, len);
      fromFill.push(...buf.subarray(2, 2 + len));
      fromFill.push(a.normal());
    }
    expect(fromFill).toEqual(Array.from(draw(fromFill.length, () => b.normal())));
  });

  it('should write only inside [offset, offset + length)', () => {
    const buf = new Float64Array(10).fill(NaN);
    new RandomStream(SEED).fillNormal(buf, 3, 5);
    buf.forEach((v, i) => expect(Number.isNaN(v)).toBe(i < 3 || i >= 8));
    const whole = new Float64Array(9);
    new RandomStream(SEED).fillNormal(whole);
    expect(whole.every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
  });

  it.each([
    [-1, 2],
    [0, 11],
    [8, 3],
    [1.5, 2],
    [0, -1],
  ])('should reject offset %s, length %s in an array of 10', (offset, length) => {
    expect(() => new RandomStream(SEED).fillNormal(new Float64Array(10), offset, length)).toThrow(InvalidInputError);
  });
});

describe('exponential', () => {
  it('should follow Exp(1) (KS test of 10^5 draws at level 1e-4)', () => {
    twoOfThree(7, (seed) => {
      const rng = new RandomStream(seed);
      const xs = draw(100_000, () => rng.exponential());
      expect(xs.every((x) => x > 0 && Number.isFinite(x))).toBe(true);
      return ksTrial(xs, (x) => -Math.expm1(-x), ALPHA);
    });
  });
});

describe('gumbel', () => {
  it('should follow the standard Gumbel law exp(-e^-x) (KS test of 10^5 draws at level 1e-4)', () => {
    twoOfThree(8, (seed) => {
      const rng = new RandomStream(seed);
      const xs = draw(100_000, () => rng.gumbel());
      expect(xs.every((x) => Number.isFinite(x))).toBe(true);
      return ksTrial(xs, (x) => Math.exp(-Math.exp(-x)), ALPHA);
    });
  });
});

describe('categorical', () => {
  /** counts of n draws; asserts that indices with zero reference probability never occur */
  function frequencies(seed: number, logWeights: number[], n: number, length = logWeights.length): number[] {
    const rng = new RandomStream(seed);
    const lw = Float64Array.from(logWeights);
    const counts = new Array<number>(length).fill(0);
    for (let i = 0; i < n; i++) counts[rng.categorical(lw, length)]++;
    return counts;
  }

  function checkFrequencies(test: number, logWeights: number[]): void {
    const p = softmax(logWeights);
    const support = p.map((q, i) => (q > 1e-12 ? i : -1)).filter((i) => i >= 0);
    twoOfThree(test, (seed) => {
      const n = 100_000;
      const counts = frequencies(seed, logWeights, n);
      // outside the support the reference probability is < 1e−12 (here e^−1000 or exactly 0): any hit is a bug
      const stray = counts.reduce((acc, c, i) => (support.includes(i) ? acc : acc + c), 0);
      expect(stray, `draws outside the support: ${counts.join(',')}`).toBe(0);
      return chiSquareTrial(
        support.map((i) => counts[i]),
        support.map((i) => p[i]),
        n,
        ALPHA,
      );
    });
  }

  it('should draw indices with P ∝ exp(logWeights) (chi-square, 10^5 draws, level 1e-4)', () => {
    checkFrequencies(9, [1, 2, 3, 4].map((w) => Math.log(w) + 17));
  });

  it('should handle huge log-weight spreads (1000·x) shifted far beyond exp overflow (chi-square at 1e-4)', () => {
    const x = [0, 0.001, -0.002, 0.0005, -1, -Infinity, 0.0012];
    checkFrequencies(
      10,
      x.map((v) => 1000 * v + 2e4),
    );
  });

  it('should handle huge log-weight spreads shifted far below exp underflow (chi-square at 1e-4)', () => {
    const x = [0, 0.001, -0.002, 0.0005, -1, -Infinity, 0.0012];
    checkFrequencies(
      11,
      x.map((v) => 1000 * v - 2e4),
    );
  });

  it('should always return the only finite entry among -Infinity entries', () => {
    const rng = new RandomStream(SEED);
    const lw = Float64Array.from([-Infinity, -Infinity, -1e300, -Infinity]);
    for (let i = 0; i < 1000; i++) expect(rng.categorical(lw)).toBe(2);
  });

  it('should only look at the first `length` entries', () => {
    const rng = new RandomStream(SEED);
    const lw = Float64Array.from([0, 0, 0, 1e3, 1e3]);
    for (let i = 0; i < 1000; i++) expect(rng.categorical(lw, 3)).toBeLessThan(3);
  });

  it('should consume exactly one uniform per draw', () => {
    const a = new RandomStream(SEED);
    const b = new RandomStream(SEED);
    a.categorical(Float64Array.from([0, 1, 2]));
    b.uniform();
    expect(a.uniform()).toBe(b.uniform());
  });

  it.each([
    ['all -Infinity', [-Infinity, -Infinity], 2],
    ['a NaN', [0, NaN], 2],
    ['a +Infinity', [0, Infinity], 2],
    ['length 0', [0, 1], 0],
    ['length too large', [0, 1], 3],
    ['fractional length', [0, 1], 1.5],
  ])('should reject %s', (_name, lw, length) => {
    expect(() => new RandomStream(SEED).categorical(Float64Array.from(lw), length)).toThrow(InvalidInputError);
  });
});
