import { describe, expect, it } from 'vitest';
import { getActivation } from '../../src/estimator/activations.ts';
import { classRisk } from '../../src/risk/class-risk.ts';
import { fixedLength } from '../../src/task/length-law.ts';
import { maxTask } from '../../src/task/tasks.ts';
import { linearMaxMinimiser, linearMaxRisk } from '../../src/symbolic/index.ts';

// The engine's class minimum of linear attention on max-SLR takes ~100 s per point on a loaded
// 2-core machine, hence a long test. The closed form Δ + 1 − (1 + μ²)/L (derivation
// `linear-max-closed-form`) with μ_L by quadrature must equal it.
describe('linearMaxRisk against the engine class minimum (max-SLR, ν = ∞)', () => {
  for (const L of [2, 10]) {
    it(`should equal classRisk at L = ${L} within the engine bound plus the search's O(δ²)`, () => {
      const r = classRisk({ task: maxTask, nu: Infinity, lengths: fixedLength(L), act: getActivation('linear') });
      const closed = linearMaxRisk(L, Infinity);
      // the class minimum is reached to O(δ²) ≈ 1e−12 by the search (xTol 1e−6), plus both quadrature bounds
      const tol = r.error + closed.error + 1e-10;
      expect(r.converged).toBe(true);
      expect(Math.abs(r.value - closed.value), `L=${L}: engine ${r.value} ± ${r.error} vs closed form ${closed.value} ± ${closed.error}`).toBeLessThanOrEqual(tol);
      const m = linearMaxMinimiser(L, closed.mu.value);
      expect(Math.abs(r.params!.mkk - m.mkk)).toBeLessThan(1e-4);
    });
  }
});
