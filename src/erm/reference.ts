/**
 * The plain reference implementation of E_train and its gradient: the same
 * formulas as `ErmObjective.evaluate` (objective.ts), written the
 * straightforward way — token by token, one dot product at a time, σ and
 * its derivatives called through the activation objects, scratch arrays
 * allocated per call. It exists for two reasons: the optimised kernel is
 * tested against it (equal to rounding, test/erm/reference.test.ts), and the
 * benchmark (bench/erm.ts) quotes the optimised kernel's speed as a ratio to
 * it. Not used by the fits.
 */
import type { Activation } from '../estimator/activation.ts';
import type { Dataset } from './data.ts';
import { resolveDerivative } from './derivatives.ts';
import type { Penalties } from './objective.ts';

/**
 * E_train(w) = (1/N) Σ_n (y_n − f(X_n))² + λ_k |w_k|² + λ_v |w_v|² for
 * w = (w_k, w_v, θ); when `grad` is given (length 2D + #θ), ∇E_train is
 * written into it.
 */
export function referenceEvaluate(data: Dataset, act: Activation, penalties: Penalties, w: Float64Array, grad?: Float64Array): number {
  const { D, N } = data;
  const nTheta = act.parameters.length;
  const theta = Array.from(w.subarray(2 * D, 2 * D + nTheta));
  const d = resolveDerivative(act);
  if (grad) grad.fill(0);
  let total = 0;
  for (let n = 0; n < N; n++) {
    const L = data.length[n];
    const X = data.chunks[data.chunkIndex(n)];
    const chi = new Float64Array(L);
    const z = new Float64Array(L);
    for (let l = 0; l < L; l++) {
      const o = (data.start[n] + l) * D;
      for (let i = 0; i < D; i++) chi[l] += X[o + i] * w[i];
      for (let i = 0; i < D; i++) z[l] += X[o + i] * w[D + i];
    }
    const sig = new Float64Array(L);
    if (act.normalised) {
      const a = Array.from(chi, (c) => act.logWeight!(c, theta));
      const amax = Math.max(...a);
      let S = 0;
      for (let l = 0; l < L; l++) S += Math.exp(a[l] - amax);
      for (let l = 0; l < L; l++) sig[l] = Math.exp(a[l] - amax) / S;
    } else {
      for (let l = 0; l < L; l++) sig[l] = act.weight(chi[l], theta);
    }
    let f = 0;
    for (let l = 0; l < L; l++) f += sig[l] * z[l];
    const r = data.y[n] - f;
    total += r * r;
    if (!grad) continue;
    const c = (-2 * r) / N;
    const dth = new Float64Array(nTheta);
    for (let l = 0; l < L; l++) {
      const weight = act.normalised ? sig[l] * (z[l] - f) : z[l];
      const dfdchi = weight * d.dx(chi[l], theta);
      const o = (data.start[n] + l) * D;
      for (let i = 0; i < D; i++) grad[i] += c * dfdchi * X[o + i];
      for (let i = 0; i < D; i++) grad[D + i] += c * sig[l] * X[o + i];
      if (nTheta > 0) {
        d.dTheta(chi[l], theta, dth);
        for (let j = 0; j < nTheta; j++) grad[2 * D + j] += c * weight * dth[j];
      }
    }
  }
  let qk = 0;
  let qv = 0;
  for (let i = 0; i < D; i++) {
    qk += w[i] * w[i];
    qv += w[D + i] * w[D + i];
  }
  if (grad) {
    for (let i = 0; i < D; i++) {
      grad[i] += 2 * penalties.lambdaK * w[i];
      grad[D + i] += 2 * penalties.lambdaV * w[D + i];
    }
  }
  return total / N + penalties.lambdaK * qk + penalties.lambdaV * qv;
}
