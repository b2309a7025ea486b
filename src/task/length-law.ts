import { InvalidInputError, requireFinite } from '../errors.ts';

/**
 * The law P_L of the sequence length: a finite support of lengths L ≥ 1 with
 * probabilities. A fixed length is P_L = δ_L.
 */
export interface LengthLaw {
  readonly lengths: readonly number[];
  readonly probabilities: readonly number[];
}

/** Largest length accepted: beyond it (L−1)(L−2) loses integer exactness in doubles. */
export const MAX_LENGTH = 1e12;

export function fixedLength(L: number): LengthLaw {
  return lengthLaw([L]);
}

/**
 * Build P_L from lengths and (optional, unnormalised, non-negative) weights;
 * default weights are uniform. Repeated lengths are merged.
 */
export function lengthLaw(lengths: readonly number[], weights?: readonly number[]): LengthLaw {
  if (lengths.length === 0) throw new InvalidInputError('L needs at least one length');
  if (weights && weights.length !== lengths.length) {
    throw new InvalidInputError(`L-weights has ${weights.length} entries but L has ${lengths.length}`);
  }
  const merged = new Map<number, number>();
  lengths.forEach((L, i) => {
    requireFinite('L', L, { min: 1, max: MAX_LENGTH, integer: true });
    const w = weights ? requireFinite('L-weight', weights[i], { min: 0 }) : 1;
    merged.set(L, (merged.get(L) ?? 0) + w);
  });
  const total = [...merged.values()].reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new InvalidInputError('L-weights must not all be zero');
  const entries = [...merged.entries()].filter(([, w]) => w > 0).sort((a, b) => a[0] - b[0]);
  return Object.freeze({
    lengths: Object.freeze(entries.map(([L]) => L)),
    probabilities: Object.freeze(entries.map(([, w]) => w / total)),
  });
}

export function isFixedLength(law: LengthLaw): boolean {
  return law.lengths.length === 1;
}

export function describeLengthLaw(law: LengthLaw): string {
  if (isFixedLength(law)) return String(law.lengths[0]);
  const uniform = law.probabilities.every((p) => Math.abs(p - law.probabilities[0]) < 1e-15);
  if (uniform) return `Unif{${law.lengths.join(',')}}`;
  return law.lengths.map((L, i) => `${L}:${law.probabilities[i].toPrecision(6)}`).join(',');
}
