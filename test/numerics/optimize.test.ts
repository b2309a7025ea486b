import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { lbfgs, nelderMead } from '../../src/numerics/optimize.ts';

/*
 * How the tolerances on the minimiser are argued. Near a strict local minimum
 * x* with Hessian H (smallest eigenvalue λ_min > 0):
 *  - L-BFGS stops when ‖∇f‖∞ ≤ gTol·max(1, |f|); since ∇f(x) ≈ H(x − x*),
 *    ‖x − x*‖₂ ≤ ‖∇f‖₂/λ_min ≤ √n·gTol·max(1, |f|)/λ_min (to first order; we
 *    allow a factor 2 for the second-order term).
 *  - Nelder–Mead has no such theorem (McKinnon 1998); its test bounds the
 *    spread of f over the simplex. We check the excess f(x_best) − f* against
 *    a stated budget and then the Taylor bound ‖x − x*‖₂ ≤ √(2(f − f*)/λ_min)
 *    (again ×2 for higher-order terms).
 * λ_min is computed from the closed-form Hessian with ml-matrix.
 */
const EPS = Number.EPSILON;

function lambdaMin(h: number[][]): number {
  const e = new EigenvalueDecomposition(new Matrix(h), { assumeSymmetric: true });
  return Math.min(...e.realEigenvalues);
}
function dist(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2;
  return Math.sqrt(s);
}

// Rosenbrock Σ 100(x_{i+1} − x_i²)² + (1 − x_i)²: minimum 0 at (1, …, 1) (closed form)
function rosenbrock(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
  return s;
}
function rosenbrockFg(x: Float64Array, g: Float64Array): number {
  g.fill(0);
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const t = x[i + 1] - x[i] ** 2;
    s += 100 * t * t + (1 - x[i]) ** 2;
    g[i] += -400 * t * x[i] - 2 * (1 - x[i]);
    g[i + 1] += 200 * t;
  }
  return s;
}
/** Hessian of Rosenbrock at (1, …, 1): tridiagonal, diagonal 802 (first), 1002, 200 (last); off-diagonal −400. */
function rosenbrockHessianAtOnes(n: number): number[][] {
  const h = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i + 1 < n; i++) {
    h[i][i] += 802; // 1200x_i² − 400x_{i+1} + 2 at ones
    h[i + 1][i + 1] += 200;
    h[i][i + 1] = h[i + 1][i] = -400;
  }
  return h;
}

describe('Rosenbrock', () => {
  it.each([
    [2, [-1.2, 1]],
    [5, [-1.2, 1, -1.2, 1, -1.2]],
  ])('%i-D from the classical start: both methods reach (1, …, 1) and agree', (n, x0) => {
    const ones = new Array<number>(n).fill(1);
    const lmin = lambdaMin(rosenbrockHessianAtOnes(n));

    const gTol = 1e-8;
    const lb = lbfgs(rosenbrockFg, x0, { gTol });
    expect(lb.converged, lb.message).toBe(true);
    const lbBound = (2 * Math.sqrt(n) * gTol) / lmin; // f* = 0 so max(1, |f|) = 1
    expect(dist(lb.x, ones)).toBeLessThanOrEqual(lbBound);

    const nm = nelderMead(rosenbrock, x0, { fTol: 1e-14, xTol: 1e-10, maxIterations: 20_000 });
    expect(nm.converged, nm.message).toBe(true);
    // budget for f(x_best) − f*: the final spread is ≤ fTol = 1e−14; we allow 100× that
    expect(nm.value).toBeLessThanOrEqual(1e-12);
    const nmBound = 2 * Math.sqrt((2 * nm.value) / lmin);
    expect(dist(nm.x, ones)).toBeLessThanOrEqual(nmBound);

    // gradient-free and gradient-based minimisers agree within the sum of their bounds
    expect(dist(nm.x, lb.x)).toBeLessThanOrEqual(nmBound + lbBound);
    expect(nm.value).toBe(rosenbrock(nm.x));
    expect(lb.value).toBe(rosenbrock(lb.x));
  });
});

describe('strictly convex quadratic with a known minimiser', () => {
  // f(x) = ½(x − c)ᵀA(x − c) + 7: minimiser c, minimum 7 (closed form)
  const A = [
    [4, 1, 0],
    [1, 3, 0.5],
    [0, 0.5, 2],
  ];
  const c = [1, -2, 0.5];
  const fg = (x: Float64Array, g?: Float64Array) => {
    let s = 0;
    for (let i = 0; i < 3; i++) {
      let ai = 0;
      for (let j = 0; j < 3; j++) ai += A[i][j] * (x[j] - c[j]);
      if (g) g[i] = ai;
      s += 0.5 * (x[i] - c[i]) * ai;
    }
    return s + 7;
  };
  const lmin = lambdaMin(A);

  it('L-BFGS and Nelder–Mead find it', () => {
    const gTol = 1e-10;
    const lb = lbfgs(fg, [10, 10, -10], { gTol });
    expect(lb.converged, lb.message).toBe(true);
    const lbBound = (2 * Math.sqrt(3) * gTol * 7) / lmin; // max(1, |f|) = 7 at the minimum
    expect(dist(lb.x, c)).toBeLessThanOrEqual(lbBound);
    // a quadratic needs few iterations: L-BFGS is exact on an n-D quadratic in ≲ n + a few steps
    expect(lb.iterations).toBeLessThanOrEqual(20);

    const nm = nelderMead((x) => fg(x), [0, 0, 0], { fTol: 1e-15, xTol: 1e-10 });
    expect(nm.converged, nm.message).toBe(true);
    // spread budget: fTol·|f*| = 7e−15, allowed 100×
    expect(nm.value - 7).toBeLessThanOrEqual(7e-13);
    // exact for a quadratic: f − f* = ½(x − c)ᵀA(x − c) ≥ ½λ_min|x − c|² (no ×2 needed), but
    // f itself is only known to the rounding of "… + 7" (≲ 4·eps·7): x is resolved to ~√(eps·7/λ_min)
    expect(dist(nm.x, c)).toBeLessThanOrEqual(Math.sqrt((2 * (nm.value - 7 + 4 * EPS * 7)) / lmin));
  });

  it('Nelder–Mead works in one dimension', () => {
    // (x − 3)² + 1: minimiser 3 (closed form); spread budget 100·fTol
    const nm = nelderMead((x) => (x[0] - 3) ** 2 + 1, [0], { fTol: 1e-14, xTol: 1e-12 });
    expect(nm.converged).toBe(true);
    expect(nm.value - 1).toBeLessThanOrEqual(1e-12);
    // exact: f − 1 = (x − 3)², up to the rounding of "… + 1" (≲ 2 eps)
    expect(Math.abs(nm.x[0] - 3)).toBeLessThanOrEqual(Math.sqrt(nm.value - 1 + 2 * EPS));
  });
});

describe('objective = +∞ outside a region', () => {
  // f(x) = −a·x₁ − log(1 − |x|²) on the open unit disc, +∞ outside (NaN gradient for L-BFGS there),
  // a = 10. Closed form: ∇f = 0 at x₂ = 0, a·x₁² + 2x₁ − a = 0, so x* = ((√(1 + a²) − 1)/a, 0) ≈ (0.905, 0),
  // close to the wall; the Hessian is diagonal there with λ_min = 2/(1 − x₁*²) (the x₂ direction).
  const a = 10;
  const x1 = (Math.sqrt(1 + a * a) - 1) / a;
  const xStar = [x1, 0];
  const lmin = 2 / (1 - x1 * x1);
  const fStar = -a * x1 - Math.log(1 - x1 * x1);
  let outside = 0;
  const f = (x: Float64Array) => {
    const r2 = x[0] ** 2 + x[1] ** 2;
    if (!(r2 < 1)) {
      outside++;
      return Infinity;
    }
    return -a * x[0] - Math.log(1 - r2);
  };
  const fg = (x: Float64Array, g: Float64Array) => {
    const r2 = x[0] ** 2 + x[1] ** 2;
    if (!(r2 < 1)) {
      outside++;
      g.fill(NaN);
      return Infinity;
    }
    g[0] = -a + (2 * x[0]) / (1 - r2);
    g[1] = (2 * x[1]) / (1 - r2);
    return -a * x[0] - Math.log(1 - r2);
  };
  // f is evaluated with a relative rounding error of a few eps; |f*| ≈ 7.4
  const fRounding = 4 * EPS * Math.abs(fStar);

  it('Nelder–Mead retreats from +∞ vertices', () => {
    outside = 0;
    const nm = nelderMead(f, [0.85, 0.45], { fTol: 1e-15, xTol: 1e-10 }); // the initial simplex pokes outside
    expect(outside).toBeGreaterThan(0);
    expect(nm.converged).toBe(true);
    expect(nm.value - fStar).toBeLessThanOrEqual(100 * 1e-15 * Math.abs(fStar)); // spread budget as above
    expect(dist(nm.x, xStar)).toBeLessThanOrEqual(2 * Math.sqrt((2 * (Math.max(0, nm.value - fStar) + fRounding)) / lmin));
  });

  it('L-BFGS backtracks out of it', () => {
    outside = 0;
    const gTol = 1e-10;
    const lb = lbfgs(fg, [0, 0], { gTol }); // the first steepest-descent step (length 1) lands on the wall
    expect(outside).toBeGreaterThan(0);
    expect(lb.converged, lb.message).toBe(true);
    expect(dist(lb.x, xStar)).toBeLessThanOrEqual((2 * Math.SQRT2 * gTol * Math.abs(fStar)) / lmin);
  });
});

describe('limits and validation', () => {
  it('reports converged = false at maxIterations', () => {
    const nm = nelderMead(rosenbrock, [-1.2, 1], { maxIterations: 10 });
    expect(nm.converged).toBe(false);
    expect(nm.iterations).toBe(10);
    expect(nm.message).toMatch(/maxIterations/);
    const lb = lbfgs(rosenbrockFg, [-1.2, 1], { maxIterations: 3 });
    expect(lb.converged).toBe(false);
    expect(lb.iterations).toBe(3);
  });

  it('restarts do not lose progress', () => {
    const once = nelderMead(rosenbrock, [-1.2, 1], { fTol: 1e-12, xTol: 1e-8 });
    const again = nelderMead(rosenbrock, [-1.2, 1], { fTol: 1e-12, xTol: 1e-8, restarts: 3 });
    expect(again.converged).toBe(true);
    expect(again.value).toBeLessThanOrEqual(once.value);
    expect(again.evaluations).toBeGreaterThan(once.evaluations);
  });

  it('rejects invalid starts', () => {
    expect(() => nelderMead(rosenbrock, [])).toThrow(InvalidInputError);
    expect(() => nelderMead(() => NaN, [0, 0])).toThrow(InvalidInputError);
    expect(() => nelderMead(rosenbrock, [0, NaN])).toThrow(InvalidInputError);
    expect(() => nelderMead(rosenbrock, [0, 0], { initialStep: 0 })).toThrow(InvalidInputError);
    expect(() => lbfgs(() => Infinity, [1])).toThrow(InvalidInputError);
    expect(() => lbfgs(rosenbrockFg, [1, 1], { c1: 0.9, c2: 0.1 })).toThrow(InvalidInputError);
  });

  it('takes the initial step per coordinate', () => {
    let calls = 0;
    const first: number[][] = [];
    nelderMead(
      (x) => {
        if (calls++ < 3) first.push(Array.from(x));
        return rosenbrock(x);
      },
      [0, 0],
      { initialStep: [0.5, -0.25], maxIterations: 1 },
    );
    expect(first).toEqual([
      [0, 0],
      [0.5, 0],
      [0, -0.25],
    ]);
  });
});
