/**
 * Derivatives of the per-token weights φ(x; θ) that empirical risk
 * minimisation needs for analytic gradients. The `Activation` interface
 * (src/estimator/activation.ts) carries φ and log φ only, so the derivatives
 * live here, keyed by the activation object (not its id: re-registering an id
 * with another φ must not inherit a derivative that no longer matches).
 *
 * What is differentiated:
 * - normalised σ (σ_ℓ = φ_ℓ / Σφ): d/dx log φ(x; θ) and ∂/∂θ_j log φ(x; θ);
 * - separable σ (σ_ℓ = φ(χ_ℓ)):    d/dx φ(x; θ)     and ∂/∂θ_j φ(x; θ).
 *
 * Built-in σ have closed forms (below, each derived in its comment). A
 * user-registered σ may supply its own with `registerActivationDerivative`;
 * without one, ERM falls back to a central difference of `weight` (separable)
 * or `logWeight` (normalised) with step h = ε^{1/3}·max(1, |x|) (ε = 2^−52):
 * truncation h²|f'''|/6 plus rounding ε|f|/h, i.e. a relative error of about
 * 1e−10 for smooth φ of moderate size. Every ERM result names which was used
 * (`gradient: 'analytic' | 'central-difference'`).
 */
import type { Activation } from '../estimator/activation.ts';
import { erfActivation, linear, softmax, softplusKernel, unnormalisedExp } from '../estimator/activations.ts';
import { InvalidInputError } from '../errors.ts';
import { softplus } from '../numerics/special.ts';

/** Derivatives supplied for one activation (see the module comment for which function is differentiated). */
export interface ActivationDerivative {
  /** normalised σ: d/dx log φ(x; θ) */
  readonly dLogWeight?: (x: number, theta: readonly number[]) => number;
  /** separable σ: d/dx φ(x; θ) */
  readonly dWeight?: (x: number, theta: readonly number[]) => number;
  /**
   * ∂/∂θ_j of log φ (normalised) or φ (separable), written to out[j] for every
   * parameter j; required when the activation has parameters.
   */
  readonly dTheta?: (x: number, theta: readonly number[], out: Float64Array) => void;
}

/** What the gradient code calls: g(x) = log φ or φ (see `normalised`), its x-derivative and θ-gradient. */
export interface ResolvedDerivative {
  readonly method: 'analytic' | 'central-difference';
  /** d/dx of log φ (normalised) or φ (separable) */
  readonly dx: (x: number, theta: readonly number[]) => number;
  /** ∂/∂θ of the same function, into out (length = number of parameters) */
  readonly dTheta: (x: number, theta: readonly number[], out: Float64Array) => void;
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const noTheta = () => {};

/** logistic sigmoid 1/(1 + e^{−x}), no overflow for any x */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const builtIn = new WeakMap<Activation, ActivationDerivative>([
  // softmax: log φ(x) = x, so d/dx log φ = 1
  [softmax, { dLogWeight: () => 1 }],
  // linear: φ(x) = 1 + x, φ' = 1
  [linear, { dWeight: () => 1 }],
  // erf: φ(x; c) = 1 + erf(c + x); d/dx = ∂/∂c = (2/√π) e^{−(c+x)²} (underflows to 0 for |c+x| > 27, where φ is flat)
  [
    erfActivation,
    {
      dWeight: (x, theta) => TWO_OVER_SQRT_PI * Math.exp(-(theta[0] + x) * (theta[0] + x)),
      dTheta: (x, theta, out) => {
        out[0] = TWO_OVER_SQRT_PI * Math.exp(-(theta[0] + x) * (theta[0] + x));
      },
    },
  ],
  // softplus kernel: d/dx log softplus(x) = sigmoid(x)/softplus(x). For x < −37 logSoftplus is
  // x + log1p(−e^x/2) (special.ts), whose derivative 1 − (e^x/2)/(1 − e^x/2) = 1 − e^x/2 + O(e^{2x})
  // is used there (softplus underflows for x < −745 and the quotient would be 0/0)
  [
    softplusKernel,
    {
      dLogWeight: (x) => {
        if (x < -37) return 1 - 0.5 * Math.exp(x);
        return sigmoid(x) / softplus(x);
      },
    },
  ],
  // unnormalised exp: φ(x) = e^x = φ'
  [unnormalisedExp, { dWeight: (x) => Math.exp(x) }],
]);

const userSupplied = new WeakMap<Activation, ActivationDerivative>();

/**
 * Supply analytic derivatives for a user-registered activation (keyed by the
 * object passed to `registerActivation`). Needs `dLogWeight` for a normalised
 * σ, `dWeight` for a separable one, and `dTheta` when σ has parameters.
 */
export function registerActivationDerivative(act: Activation, d: ActivationDerivative): void {
  if (act.normalised && !d.dLogWeight) throw new InvalidInputError(`normalised activation "${act.id}" needs dLogWeight (d/dx log φ)`);
  if (!act.normalised && !d.dWeight) throw new InvalidInputError(`separable activation "${act.id}" needs dWeight (d/dx φ)`);
  if (act.parameters.length > 0 && !d.dTheta) throw new InvalidInputError(`activation "${act.id}" has parameters and needs dTheta`);
  userSupplied.set(act, d);
}

/** Step of the central-difference fallback: h = ε^{1/3}·max(1, |x|) balances truncation h² against rounding ε/h. */
const CBRT_EPS = Math.cbrt(Number.EPSILON);

/** The derivative ERM uses for `act`: analytic when known, else a central difference (see module comment). */
export function resolveDerivative(act: Activation): ResolvedDerivative {
  const g = act.normalised ? (x: number, th: readonly number[]) => act.logWeight!(x, th) : (x: number, th: readonly number[]) => act.weight(x, th);
  const d = builtIn.get(act) ?? userSupplied.get(act);
  const nTheta = act.parameters.length;
  if (d) {
    const dx = act.normalised ? d.dLogWeight : d.dWeight;
    if (dx && (nTheta === 0 || d.dTheta)) return { method: 'analytic', dx, dTheta: d.dTheta ?? noTheta };
  }
  const dx = (x: number, th: readonly number[]) => {
    const h = CBRT_EPS * Math.max(1, Math.abs(x));
    return (g(x + h, th) - g(x - h, th)) / (2 * h);
  };
  const shifted = new Array<number>(nTheta);
  const dTheta = (x: number, th: readonly number[], out: Float64Array) => {
    for (let j = 0; j < nTheta; j++) {
      for (let i = 0; i < nTheta; i++) shifted[i] = th[i];
      const h = CBRT_EPS * Math.max(1, Math.abs(th[j]));
      shifted[j] = th[j] + h;
      const up = g(x, shifted);
      shifted[j] = th[j] - h;
      out[j] = (up - g(x, shifted)) / (2 * h);
    }
  };
  return { method: 'central-difference', dx, dTheta };
}
