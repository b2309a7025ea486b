/**
 * An attention activation σ: the estimator is f(X) = Σ_ℓ σ(χ)_ℓ z_ℓ with
 * χ = Xk/√D, z = Xv/√D. Every σ of this project is built from a per-token
 * weight φ(χ_ℓ; θ):
 * - separable: σ(χ)_ℓ = φ(χ_ℓ)            (linear, erf, unnormalised exp)
 * - normalised: σ(χ)_ℓ = φ(χ_ℓ) / Σ φ(χ_ℓ')  (softmax, softplus-kernel), φ > 0
 * The risk machinery needs nothing else, so a new σ is one object of this
 * shape passed to `registerActivation` (see README, "Adding an activation").
 */
export interface Activation {
  readonly id: string;
  readonly label: string;
  /** LaTeX of σ(χ)_ℓ. */
  readonly formula: string;
  readonly normalised: boolean;
  /** σ's own trainable parameters θ (e.g. the offset c of erf), optimised with the overlaps. */
  readonly parameters: readonly ActivationParameter[];
  /** φ(x; θ). */
  weight(x: number, theta: readonly number[]): number;
  /** log φ(x; θ); required when normalised (then φ > 0 everywhere). */
  logWeight?(x: number, theta: readonly number[]): number;
  /**
   * Where log φ(x) = y, for increasing weights: used only to place quadrature
   * breakpoints at the step of exp(−t φ); optional.
   */
  inverseLogWeight?(y: number, theta: readonly number[]): number;
  /** Growth class of φ for large x, used to size integration ranges. */
  readonly growth: 'bounded' | 'polynomial' | 'exponential';
  /**
   * Normalised σ only, optional: the weights' limit as the scores scale up,
   * σ(sχ) → σ∞(χ) as s → ∞. 'argmax': all weight on the largest score
   * (softmax); { positivePart: p }: (χ_ℓ)_+^p / Σ (χ_ℓ')_+^p where some χ > 0,
   * the argmax where none is (softplus kernel, p = 1). With it the class risk
   * computes the end of a ray |k| → ∞ exactly (src/risk/scale-limit.ts)
   * instead of extrapolating towards it.
   */
  readonly scaleLimit?: 'argmax' | { readonly positivePart: number };
}

export interface ActivationParameter {
  readonly name: string;
  readonly initial: number;
  readonly description: string;
}
