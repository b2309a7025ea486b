/**
 * Isserlis/Wick: E[P(x)] for a polynomial P in jointly Gaussian variables x
 * with symbolic means μ and covariances C, on expression text (nerdamer
 * syntax in and out).
 *
 * Method. P is expanded exactly into monomials c·Π x_a^{k_a}·(parameters)
 * (polynomial.ts: nerdamer's expand is correct but took 4.4 s on one factor
 * of the linear risk); each monomial's moment comes from the Gaussian
 * recursion (Stein's lemma / integration by parts)
 *     E[x_a M(x)] = μ_a E[M] + Σ_b C_ab E[∂M/∂x_b],
 * which for μ = 0 is Isserlis' sum over pairings and for μ ≠ 0 is the same
 * after the shift x = μ + g. Moments are exact polynomials in the means and
 * covariances (memoised per exponent vector); the result Σ c·moment is
 * expanded exactly. Zero means and absent covariances are pruned, so
 * independent variables cost nothing.
 *
 * Example: E[x^4] with x ~ N(μ, s) gives μ^4 + 6μ²s + 3s².
 *
 * Check the result independently with `checkGaussianExpectation`
 * (verify-numerically.ts: tensor Gauss–Hermite quadrature, exact for
 * polynomials of the degree involved).
 */
import { InvalidInputError } from '../errors.ts';
import { freeNames, parseExpression } from './expression.ts';
import { Poly } from './polynomial.ts';

/**
 * A jointly Gaussian vector, given by expression text. Defaults: mean 0,
 * variance 1, covariance 0 (so unspecified variables are independent
 * standard normals). Covariance keys are "x,y" (either order).
 */
export interface GaussianLaw {
  readonly variables: readonly string[];
  readonly mean?: Readonly<Record<string, string>>;
  readonly variance?: Readonly<Record<string, string>>;
  readonly covariance?: Readonly<Record<string, string>>;
}

/** The validated law: mean and covariance texts per index ('0' where zero). */
export interface ResolvedLaw {
  readonly variables: readonly string[];
  readonly mean: readonly string[];
  /** cov[a][b] text, symmetric */
  readonly cov: readonly (readonly string[])[];
}

/** Check names and fill defaults. Throws InvalidInputError for unknown or repeated variables and bad keys. */
export function resolveLaw(law: GaussianLaw): ResolvedLaw {
  const vars = law.variables;
  if (!Array.isArray(vars) || vars.length === 0) throw new InvalidInputError('a Gaussian law needs at least one variable');
  const index = new Map<string, number>();
  vars.forEach((v, i) => {
    if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new InvalidInputError(`bad variable name ${JSON.stringify(v)}`);
    if (index.has(v)) throw new InvalidInputError(`variable ${v} listed twice`);
    index.set(v, i);
  });
  const text = (what: string, t: unknown): string => {
    if (typeof t !== 'string' || t.trim() === '') throw new InvalidInputError(`${what} must be expression text, got ${JSON.stringify(t)}`);
    const used = freeNames(parseExpression(t)).filter((n) => index.has(n));
    if (used.length > 0) throw new InvalidInputError(`${what} must not involve the random variables (${used.join(', ')})`);
    return t.trim();
  };
  const idx = (v: string, where: string): number => {
    const i = index.get(v);
    if (i === undefined) throw new InvalidInputError(`${where} names ${JSON.stringify(v)}, which is not among the variables [${vars.join(', ')}]`);
    return i;
  };
  const mean: string[] = vars.map(() => '0');
  for (const [v, t] of Object.entries(law.mean ?? {})) mean[idx(v, 'mean')] = text(`mean of ${v}`, t);
  const cov: string[][] = vars.map((_, a) => vars.map((__, b) => (a === b ? '1' : '0')));
  for (const [v, t] of Object.entries(law.variance ?? {})) {
    const i = idx(v, 'variance');
    cov[i][i] = text(`variance of ${v}`, t);
  }
  for (const [key, t] of Object.entries(law.covariance ?? {})) {
    const parts = key.split(',').map((s) => s.trim());
    if (parts.length !== 2) throw new InvalidInputError(`covariance key must be "x,y", got ${JSON.stringify(key)}`);
    const a = idx(parts[0], 'covariance');
    const b = idx(parts[1], 'covariance');
    if (a === b) throw new InvalidInputError(`covariance key ${key}: use variance for the diagonal`);
    cov[a][b] = cov[b][a] = text(`covariance of ${key}`, t);
  }
  return { variables: [...vars], mean, cov };
}

/** Memoised moments of one law, as exact polynomials in the mean and covariance texts. */
class MomentTable {
  private memo = new Map<string, Poly>();
  private means: (Poly | undefined)[];
  private covs: (Poly | undefined)[][];
  constructor(readonly law: ResolvedLaw) {
    const read = (t: string) => {
      const p = Poly.parse(t);
      return p.isZero() ? undefined : p;
    };
    this.means = law.mean.map(read);
    this.covs = law.cov.map((row) => row.map(read));
  }

  moment(k: readonly number[]): Poly {
    const key = k.join(',');
    const hit = this.memo.get(key);
    if (hit) return hit;
    const a = k.findIndex((p) => p > 0);
    let out: Poly;
    if (a < 0) out = Poly.constant(1);
    else {
      const rest = [...k];
      rest[a]--;
      // μ_a E[M]
      out = this.means[a] ? this.means[a]!.mul(this.moment(rest)) : Poly.zero();
      // Σ_b C_ab k_b E[M / x_b]
      for (let b = 0; b < k.length; b++) {
        const c = this.covs[a][b];
        if (!c || rest[b] === 0) continue;
        const reduced = [...rest];
        const mult = reduced[b];
        reduced[b]--;
        out = out.add(c.mul(this.moment(reduced)).scale(mult));
      }
    }
    this.memo.set(key, out);
    return out;
  }
}

/**
 * The moment E[Π x_a^{k_a}] as expanded expression text in the law's mean
 * and covariance texts. `powers` maps variable names to non-negative
 * integer exponents. Example: {x: 4} with x ~ N(mu, s) gives
 * mu^4+6*mu^2*s+3*s^2.
 */
export function gaussianMoment(powers: Readonly<Record<string, number>>, law: GaussianLaw): string {
  const r = resolveLaw(law);
  const k = r.variables.map(() => 0);
  for (const [v, p] of Object.entries(powers)) {
    const i = r.variables.indexOf(v);
    if (i < 0) throw new InvalidInputError(`moment of ${v}, which is not among the variables [${r.variables.join(', ')}]`);
    if (!Number.isInteger(p) || p < 0) throw new InvalidInputError(`exponent of ${v} must be a non-negative integer, got ${p}`);
    k[i] = p;
  }
  return new MomentTable(r).moment(k).toString();
}

export interface WickResult {
  /** E[P], expanded (text) */
  readonly expression: string;
  /** the same as an exact polynomial */
  readonly polynomial: Poly;
  /** number of monomials of the expanded P */
  readonly monomials: number;
  /** distinct exponent vectors whose moment was needed */
  readonly distinctMoments: number;
  /** total degree of P in the random variables */
  readonly degree: number;
}

/**
 * E[P(x)] for a polynomial P (expression text) in the law's variables; other
 * names in P are treated as constants (they may also appear inside
 * non-polynomial sub-expressions such as sqrt(nu), but the random variables
 * may not). Throws InvalidInputError when P is not a polynomial in the
 * variables (a variable under a function, in a denominator, or with a
 * negative or fractional power).
 */
export function gaussianExpectation(poly: string, law: GaussianLaw): WickResult {
  const r = resolveLaw(law);
  const P = Poly.parse(poly);
  const random = new Set(r.variables);
  const table = new MomentTable(r);
  const distinct = new Set<string>();
  let result = Poly.zero();
  let degree = 0;
  for (const { coef, powers } of P.monomials()) {
    const k = r.variables.map(() => 0);
    const rest = new Map<string, number>();
    for (const [f, e] of powers) {
      const i = r.variables.indexOf(f);
      if (i >= 0) {
        if (e < 0) throw new InvalidInputError(`not a polynomial in [${r.variables.join(', ')}]: ${f}^(${e}) in ${poly}`);
        k[i] = e;
      } else {
        if (f.startsWith('(') || f.includes('(')) {
          const inside = freeNames(parseExpression(f)).filter((n) => random.has(n));
          if (inside.length > 0) throw new InvalidInputError(`not a polynomial in [${r.variables.join(', ')}]: ${inside.join(', ')} inside ${f}`);
        }
        rest.set(f, e);
      }
    }
    distinct.add(k.join(','));
    degree = Math.max(degree, k.reduce((s, x) => s + x, 0));
    const m = table.moment(k);
    if (m.isZero()) continue;
    let factor = Poly.constant(coef);
    for (const [f, e] of rest) factor = factor.mul(Poly.factor(f, e));
    result = result.add(factor.mul(m));
  }
  return { expression: result.toString(), polynomial: result, monomials: P.size, distinctMoments: distinct.size, degree };
}
