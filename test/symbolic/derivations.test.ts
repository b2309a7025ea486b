import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Derivation } from '../../src/claims/types.ts';
import { UnknownNameError } from '../../src/errors.ts';
import { getActivation } from '../../src/estimator/activations.ts';
import { RandomStream } from '../../src/numerics/random.ts';
import { zQuantile } from '../../src/numerics/statistics.ts';
import { classRisk } from '../../src/risk/class-risk.ts';
import { manifoldOverlaps } from '../../src/risk/overlaps.ts';
import { populationRisk } from '../../src/risk/population.ts';
import { fixedLength } from '../../src/task/length-law.ts';
import { spikedTask } from '../../src/task/tasks.ts';
import { checkLinearRiskAgainstEngine, randomFullOverlaps } from '../../src/symbolic/derivations/common.ts';
import {
  centredLinearSpikedClosedForm,
  checkSoftmaxIsBayes,
  derivationIds,
  getDerivation,
  linearMaxClosedForm,
  linearSpikedClosedForm,
  linearSpikedLargeNu,
  linearSpikedMinimiser,
  linearSpikedRisk,
  shutdownCas,
  spikedBayesAsymptote,
  spikedBayesRatioBounds,
} from '../../src/symbolic/index.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';

reportSeed('symbolic/derivations.test.ts');
afterAll(() => shutdownCas());

const all = new Map<string, Derivation>();
const seconds = new Map<string, number>();
beforeAll(() => {
  for (const id of derivationIds()) {
    const t0 = performance.now();
    all.set(id, getDerivation(id, { seed: SEED }));
    seconds.set(id, (performance.now() - t0) / 1000);
  }
  console.info(`[derivations.test] seconds per derivation: ${[...seconds].map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
}, 300_000);

describe('derivations', () => {
  for (const id of [
    'linear-risk-polynomial',
    'linear-value-side',
    'linear-spiked-closed-form',
    'linear-spiked-large-nu',
    'linear-full-family',
    'linear-max-closed-form',
    'max-large-L',
    'stein-max',
    'nishimori-ratio',
    'bayes-spiked-asymptotics',
    'centred-linear',
  ]) {
    it(`should check every step of ${id}`, () => {
      const d = all.get(id)!;
      expect(d, `derivation ${id} missing from the registry`).toBeDefined();
      const failed = d.steps.filter((s) => s.check && !s.check.passed);
      expect(failed.map((s) => `${s.label}: ${s.check!.detail}`)).toEqual([]);
      expect(d.checked).toBe(true);
      // every step has LaTeX; steps without a check are definitions (at most 2 per derivation), the others all checked
      for (const s of d.steps) expect(s.tex.length, s.label).toBeGreaterThan(0);
      expect(d.steps.filter((s) => !s.check).length).toBeLessThanOrEqual(2);
      expect(d.steps.filter((s) => s.check).length).toBeGreaterThanOrEqual(3);
      expect(d.result.tex.length).toBeGreaterThan(0);
    });
  }

  it('should cover exactly the registered ids', () => {
    expect(derivationIds().sort()).toEqual([...all.keys()].sort());
  });

  it('should memoise per id and seed, and reject unknown ids', () => {
    expect(getDerivation('linear-spiked-large-nu', { seed: SEED })).toBe(all.get('linear-spiked-large-nu'));
    expect(() => getDerivation('no-such-derivation')).toThrow(UnknownNameError);
  });

  it('should be deterministic for a seed', () => {
    const again = getDerivation('linear-spiked-large-nu', { seed: SEED + 1 });
    const d = all.get('linear-spiked-large-nu')!;
    expect(again.result).toEqual(d.result);
    expect(again.steps.map((s) => s.expression)).toEqual(d.steps.map((s) => s.expression));
  });
});

describe('linearSpikedRisk (the Wick polynomial) against the engine', () => {
  it('should equal populationRisk at random admissible overlaps (all seven) within the engine bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(2, 3, 6), fc.double({ min: 0.05, max: 8, noNaN: true }), (s, L, nu) => {
        const next = new RandomStream(s);
        const { overlaps } = randomFullOverlaps(() => next.uniform());
        const engine = populationRisk({ task: spikedTask, nu, lengths: fixedLength(L), delta: 0.3, act: getActivation('linear'), overlaps });
        const ours = linearSpikedRisk(L, nu, 0.3, overlaps);
        // tolerance: the engine's quadrature bound + 64 eps relative for our polynomial's rounding (~50 terms)
        const tol = engine.error + 64 * Number.EPSILON * Math.max(1, Math.abs(ours));
        expect(Math.abs(ours - engine.value), `L=${L} ν=${nu} ${JSON.stringify(overlaps)}: ${ours} vs ${engine.value} ± ${engine.error}`).toBeLessThanOrEqual(tol);
      }),
      { seed: SEED, numRuns: 8 },
    );
  });
});

describe('linearSpikedClosedForm', () => {
  it('should equal the engine’s class minimum (Nelder–Mead) at several (L, ν)', () => {
    for (const [L, nu] of [
      [2, 5],
      [3, 2],
      [5, 40],
    ]) {
      const r = classRisk({ task: spikedTask, nu, lengths: fixedLength(L), act: getActivation('linear') });
      const closed = linearSpikedClosedForm(L, nu);
      // the class minimum is an upper bound on the infimum, reached to O(δ²) ≈ 1e−12 by the search
      // (xTol 1e−6), plus its quadrature bound
      expect(r.converged).toBe(true);
      expect(Math.abs(r.value - closed), `L=${L} ν=${nu}: engine ${r.value} ± ${r.error} vs ${closed}`).toBeLessThanOrEqual(r.error + 1e-10);
      const m = linearSpikedMinimiser(L, nu);
      expect(Math.abs(r.params!.mkk - m.mkk)).toBeLessThan(1e-4);
    }
  });

  it('should give Δ at L = 1 and Δ + 1 − 1/L at ν = 0, and exceed the Bayes asymptote at large ν', () => {
    expect(linearSpikedClosedForm(1, 3, 0.2)).toBe(0.2);
    expect(linearSpikedClosedForm(4, 0, 0)).toBeCloseTo(0.75, 15);
    expect(linearSpikedClosedForm(3, 200) - 0).toBeGreaterThan(spikedBayesAsymptote(3, 200));
  });

  it('should refute the reported C_L = L/(L−1) for L ≥ 3 and agree with it at L = 2', () => {
    for (const L of [2, 3, 10]) {
      const nu = 1e7;
      const nuE = nu * linearSpikedClosedForm(L, nu);
      const { C } = linearSpikedLargeNu(L);
      expect(Math.abs(nuE - C)).toBeLessThan((2 * L ** 3) / ((L - 1) * nu));
      if (L === 2) expect(Math.abs(nuE - L / (L - 1))).toBeLessThan(1e-5);
      else expect(Math.abs(nuE - L / (L - 1))).toBeGreaterThan(1);
    }
  });
});

describe('engine comparisons refute wrong formulas (mutation)', () => {
  it('should fail a wrong linear closed form against the engine', () => {
    const points = [[3, 2, 0] as const].map(([L, nu, delta]) => ({ task: spikedTask, L, nu, delta, overlaps: manifoldOverlaps(linearSpikedMinimiser(L, nu)) }));
    const right = checkLinearRiskAgainstEngine('Delta + L*(L-1)/(L^2 + nu*(L-1))', ['L', 'nu', 'Delta'], points, (p) => [p.L, p.nu, p.delta]);
    // the reported large-ν constant, turned into a closed form with the same L = 2 behaviour
    const wrong = checkLinearRiskAgainstEngine('Delta + L/(L - 1 + nu)', ['L', 'nu', 'Delta'], points, (p) => [p.L, p.nu, p.delta]);
    expect(right.passed).toBe(true);
    expect(wrong.passed).toBe(false);
  });

  it('should fail softmax = Bayes when the slope c_ν is wrong', () => {
    const wrongTask = { ...spikedTask, nishimoriSlope: (nu: number) => nu };
    expect(checkSoftmaxIsBayes([{ task: spikedTask, L: 3, nu: 4, delta: 0 }]).passed).toBe(true);
    expect(checkSoftmaxIsBayes([{ task: wrongTask, L: 3, nu: 4, delta: 0 }]).passed).toBe(false);
  });
});

describe('linearMaxClosedForm', () => {
  it('should be 1 − (1 + μ²)/L + Δ and reject bad input', () => {
    expect(linearMaxClosedForm(2, 1 / Math.sqrt(Math.PI), 0.1)).toBeCloseTo(0.1 + 1 - (1 + 1 / Math.PI) / 2, 15);
    expect(() => linearMaxClosedForm(0, 1)).toThrow();
    expect(() => linearMaxClosedForm(2, Number.NaN)).toThrow();
  });
});

describe('centredLinearSpikedClosedForm', () => {
  it('should match a Monte Carlo estimate of the centred risk at its minimiser (99.9% interval, false-failure probability 1e−3)', () => {
    // minimiser: m = √ν L/(L + ν), m_vv = A/B, R = 0 (derivation `centred-linear`)
    const L = 3;
    const nu = 2;
    const c = Math.sqrt(nu);
    const m = (c * L) / (L + nu);
    const A = 1 + (m * c * (L - 1)) / L;
    const B = L + (m * m * (L - 1) * (L + nu)) / L;
    const mvv = A / B;
    const rng = new RandomStream(SEED);
    const n = 200_000;
    let s1 = 0;
    let s2 = 0;
    const chi = new Float64Array(L);
    const z = new Float64Array(L);
    for (let t = 0; t < n; t++) {
      let mean = 0;
      for (let l = 0; l < L; l++) {
        chi[l] = m * ((l === 0 ? c : 0) + rng.normal());
        z[l] = rng.normal();
        mean += chi[l] / L;
      }
      let f = 0;
      for (let l = 0; l < L; l++) f += (1 + chi[l] - mean) * mvv * z[l];
      const loss = (z[0] - f) ** 2;
      s1 += loss;
      s2 += loss * loss;
    }
    const est = s1 / n;
    const sd = Math.sqrt((s2 / n - est * est) * (n / (n - 1)));
    const half = zQuantile(0.999) * (sd / Math.sqrt(n));
    const closed = centredLinearSpikedClosedForm(L, nu);
    expect(Math.abs(est - closed), `MC ${est} ± ${half} vs ${closed}`).toBeLessThanOrEqual(half);
  });

  it('should sit below the uncentred linear risk for L ≥ 2, ν > 0', () => {
    for (const [L, nu] of [
      [2, 1],
      [3, 5],
      [10, 100],
    ]) {
      expect(centredLinearSpikedClosedForm(L, nu)).toBeLessThan(linearSpikedClosedForm(L, nu));
    }
  });
});

describe('spikedBayesRatioBounds', () => {
  it('should bracket 1 − π²/(4ν) and shrink like ν⁻²', () => {
    const a = spikedBayesRatioBounds(100);
    const b = spikedBayesRatioBounds(200);
    expect(a.lower).toBeCloseTo(1 - Math.PI ** 2 / 400, 15);
    expect((a.upper - a.lower) / (b.upper - b.lower)).toBeCloseTo(4, 12);
    expect(() => spikedBayesRatioBounds(0)).toThrow();
  });
});
