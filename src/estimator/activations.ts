import { InvalidInputError, UnknownNameError } from '../errors.ts';
import { erfc, logSoftplus, softplus } from '../numerics/special.ts';
import type { Activation } from './activation.ts';

export type { Activation, ActivationParameter } from './activation.ts';

/** softmax: σ_ℓ = e^{χ_ℓ}/Σ e^{χ_ℓ'} — exponential growth, normalised. */
export const softmax: Activation = Object.freeze({
  id: 'softmax',
  label: 'softmax',
  formula: '\\sigma(\\chi)_\\ell = e^{\\chi_\\ell} / \\sum_{\\ell\'} e^{\\chi_{\\ell\'}}',
  normalised: true,
  parameters: [],
  growth: 'exponential' as const,
  weight: (x: number) => Math.exp(x),
  logWeight: (x: number) => x,
  inverseLogWeight: (y: number) => y,
  scaleLimit: 'argmax' as const,
});

/** linear attention: σ_ℓ = 1 + χ_ℓ (softmax linearised at 0) — separable, a polynomial. */
export const linear: Activation = Object.freeze({
  id: 'linear',
  label: 'linear',
  formula: '\\sigma(\\chi)_\\ell = 1 + \\chi_\\ell',
  normalised: false,
  parameters: [],
  growth: 'polynomial' as const,
  weight: (x: number) => 1 + x,
});

/** erf attention: σ_ℓ = 1 + erf(c + χ_ℓ), c ∈ R trained with the overlaps. 1 + erf(u) = erfc(−u) avoids cancellation. */
export const erfActivation: Activation = Object.freeze({
  id: 'erf',
  label: 'erf',
  formula: '\\sigma(\\chi)_\\ell = 1 + \\operatorname{erf}(c + \\chi_\\ell)',
  normalised: false,
  parameters: [{ name: 'c', initial: 0, description: 'offset inside erf' }],
  growth: 'bounded' as const,
  weight: (x: number, theta: readonly number[]) => erfc(-(theta[0] + x)),
});

/** softplus kernel: σ_ℓ = softplus(χ_ℓ)/Σ softplus(χ_ℓ') — normalised, no exponential growth. */
export const softplusKernel: Activation = Object.freeze({
  id: 'softplus',
  label: 'softplus-kernel',
  formula: '\\sigma(\\chi)_\\ell = \\operatorname{softplus}(\\chi_\\ell) / \\sum_{\\ell\'} \\operatorname{softplus}(\\chi_{\\ell\'})',
  normalised: true,
  parameters: [],
  growth: 'polynomial' as const,
  // softplus(sx)/s → x_+ (and ≈ e^{sx}/s for x < 0, so the argmax where every score is negative)
  scaleLimit: { positivePart: 1 },
  weight: (x: number) => softplus(x),
  logWeight: (x: number) => logSoftplus(x),
  // softplus(x) = e^y  ⇔  x = log(e^{e^y} − 1) = e^y + log(−expm1(−e^y))
  inverseLogWeight: (y: number) => {
    const t = Math.exp(y);
    return t > 40 ? t : t + Math.log(-Math.expm1(-t));
  },
});

/** unnormalised exponential: σ_ℓ = e^{χ_ℓ} — exponential growth, not normalised. */
export const unnormalisedExp: Activation = Object.freeze({
  id: 'exp',
  label: 'unnormalised exp',
  formula: '\\sigma(\\chi)_\\ell = e^{\\chi_\\ell}',
  normalised: false,
  parameters: [],
  growth: 'exponential' as const,
  weight: (x: number) => Math.exp(x),
  logWeight: (x: number) => x,
  inverseLogWeight: (y: number) => y,
});

const registry = new Map<string, Activation>(
  [softmax, linear, erfActivation, softplusKernel, unnormalisedExp].map((a) => [a.id, a]),
);

/** Make a user-defined activation available by id (CLI `--act`, verification suite). */
export function registerActivation(act: Activation): void {
  if (!/^[a-z][a-z0-9-]*$/.test(act.id)) throw new InvalidInputError(`activation id must be kebab-case, got "${act.id}"`);
  if (act.normalised && !act.logWeight) {
    throw new InvalidInputError(`normalised activation "${act.id}" needs logWeight (its weight must be positive)`);
  }
  registry.set(act.id, act);
}

export function getActivation(id: string): Activation {
  const a = registry.get(id);
  if (!a) throw new UnknownNameError(`unknown activation "${id}" (known: ${[...registry.keys()].join(', ')}, or bayes)`);
  return a;
}

export function activationIds(): string[] {
  return [...registry.keys()];
}

/** Check θ has the activation's arity and finite entries. */
export function validateTheta(act: Activation, theta: readonly number[]): readonly number[] {
  if (theta.length !== act.parameters.length) {
    throw new InvalidInputError(`${act.id} takes ${act.parameters.length} parameter(s), got ${theta.length}`);
  }
  theta.forEach((t, i) => {
    if (!Number.isFinite(t)) throw new InvalidInputError(`${act.id} parameter ${act.parameters[i].name} must be finite, got ${t}`);
  });
  return theta;
}
