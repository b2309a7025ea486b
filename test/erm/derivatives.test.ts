import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/estimator/activation.ts';
import { erfActivation, getActivation, softplusKernel } from '../../src/estimator/activations.ts';
import { registerActivationDerivative, resolveDerivative } from '../../src/erm/derivatives.ts';
import { fcParams, reportSeed } from '../helpers/arbitraries.ts';

reportSeed('erm/derivatives.test.ts');

/**
 * Each closed-form φ' (or (log φ)') against a Richardson-extrapolated central
 * difference of `weight` / `logWeight` itself: R = (4F(h/2) − F(h))/3 with
 * F(h) = (g(x+h) − g(x−h))/(2h), h = 1e−3·max(1,|x|). Tolerance:
 * |F(h) − F(h/2)| (estimates F's O(h²) error, far above R's O(h⁴)) plus
 * rounding 4ε·max|g|/h over the four evaluations, each g accurate to ~2 ulp.
 */
function check(g: (x: number) => number, dg: (x: number) => number, x: number) {
  const h = 1e-3 * Math.max(1, Math.abs(x));
  const F = (s: number) => (g(x + s) - g(x - s)) / (2 * s);
  const F1 = F(h);
  const F2 = F(h / 2);
  const R = (4 * F2 - F1) / 3;
  const scale = Math.max(Math.abs(g(x + h)), Math.abs(g(x - h)), Math.abs(g(x)));
  const tolerance = Math.abs(F1 - F2) + (4 * Number.EPSILON * scale) / (h / 2);
  const analytic = dg(x);
  if (!(Math.abs(analytic - R) <= tolerance)) console.error({ x, analytic, finiteDifference: R, difference: Math.abs(analytic - R), tolerance });
  expect(Math.abs(analytic - R)).toBeLessThanOrEqual(tolerance);
}

const xArb = fc.double({ min: -30, max: 30, noNaN: true });

describe('resolveDerivative', () => {
  it.each(['softmax', 'softplus'])('should give d/dx log φ for the normalised %s', (id) => {
    const act = getActivation(id);
    const d = resolveDerivative(act);
    expect(d.method).toBe('analytic');
    fc.assert(fc.property(xArb, (x) => check((u) => act.logWeight!(u, []), (u) => d.dx(u, []), x)), fcParams);
  });

  it.each(['linear', 'exp'])('should give d/dx φ for the separable %s', (id) => {
    const act = getActivation(id);
    const d = resolveDerivative(act);
    fc.assert(fc.property(fc.double({ min: -20, max: 20, noNaN: true }), (x) => check((u) => act.weight(u, []), (u) => d.dx(u, []), x)), fcParams);
  });

  it('should give d/dx φ and ∂φ/∂c for erf (1 + erf(c + x))', () => {
    const d = resolveDerivative(erfActivation);
    const out = new Float64Array(1);
    fc.assert(
      fc.property(fc.double({ min: -6, max: 6, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (x, c) => {
        check((u) => erfActivation.weight(u, [c]), (u) => d.dx(u, [c]), x);
        check(
          (cc) => erfActivation.weight(x, [cc]),
          (cc) => {
            d.dTheta(x, [cc], out);
            return out[0];
          },
          c,
        );
      }),
      fcParams,
    );
  });

  it('should give (log softplus)\' → 1 far left without 0/0 (softplus(−800) underflows)', () => {
    const d = resolveDerivative(softplusKernel);
    for (const x of [-38, -100, -800, -1e6]) {
      const v = d.dx(x, []);
      expect(Number.isFinite(v)).toBe(true);
      // 1 − e^x/2 + O(e^{2x}): within e^{−38} of 1
      expect(Math.abs(v - 1)).toBeLessThanOrEqual(Math.exp(-38));
    }
    // continuity across the switch at x = −37 (both branches accurate to a few ulp there)
    expect(Math.abs(d.dx(-37 - 1e-9, []) - d.dx(-37 + 1e-9, []))).toBeLessThan(1e-12);
    // far right: sigmoid/softplus ≈ 1/x
    expect(Math.abs(d.dx(1e6, []) * 1e6 - 1)).toBeLessThan(1e-12);
  });

  it('should fall back to a central difference for a registered σ without derivative, with ~1e−10 relative accuracy', () => {
    const act: Activation = {
      id: 'cube-plus',
      label: 'cube plus',
      formula: '1 + \\chi^3/3',
      normalised: false,
      parameters: [{ name: 'a', initial: 1, description: 'scale' }],
      growth: 'polynomial',
      weight: (x, th) => 1 + (th[0] * x * x * x) / 3,
    };
    const d = resolveDerivative(act);
    expect(d.method).toBe('central-difference');
    const out = new Float64Array(1);
    for (const x of [-3, -0.5, 0.2, 2.5]) {
      // φ' = a x², ∂φ/∂a = x³/3 (a cubic: the central difference has no truncation error left beyond h²·a/…)
      expect(Math.abs(d.dx(x, [1.5]) - 1.5 * x * x)).toBeLessThanOrEqual(1e-9 * Math.max(1, 1.5 * x * x));
      d.dTheta(x, [1.5], out);
      expect(Math.abs(out[0] - (x * x * x) / 3)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(x * x * x)));
    }
  });
});

describe('registerActivationDerivative', () => {
  const base: Activation = { id: 'some-act', label: 's', formula: 's', normalised: true, parameters: [], growth: 'bounded', weight: (x) => Math.exp(x), logWeight: (x) => x };
  it('should require the derivative matching the kind of σ and dTheta when σ has parameters', () => {
    expect(() => registerActivationDerivative(base, { dWeight: () => 1 })).toThrow(/needs dLogWeight/);
    expect(() => registerActivationDerivative({ ...base, normalised: false }, { dLogWeight: () => 1 })).toThrow(/needs dWeight/);
    expect(() => registerActivationDerivative({ ...base, parameters: [{ name: 'c', initial: 0, description: '' }] }, { dLogWeight: () => 1 })).toThrow(/needs dTheta/);
  });

  it('should attach to the object, not the id (a re-registered id does not inherit a stale derivative)', () => {
    const a: Activation = { ...base, id: 'same-id' };
    const b: Activation = { ...base, id: 'same-id' };
    registerActivationDerivative(a, { dLogWeight: () => 1 });
    expect(resolveDerivative(a).method).toBe('analytic');
    expect(resolveDerivative(b).method).toBe('central-difference');
  });
});
