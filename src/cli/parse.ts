import { InvalidInputError } from '../errors.ts';
import { type LengthLaw, lengthLaw } from '../task/length-law.ts';
import { OVERLAP_NAMES, type OverlapName, type Overlaps, overlapsFrom } from '../risk/overlaps.ts';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parse a decimal number strictly (no trailing junk, no empty string); 'inf' only when allowed. */
export function parseNumber(name: string, text: string, opts: { allowInfinity?: boolean } = {}): number {
  const t = text.trim();
  if (opts.allowInfinity && /^(\+?inf(inity)?)$/i.test(t)) return Infinity;
  if (!NUMBER.test(t)) throw new InvalidInputError(`${name} must be a number, got ${JSON.stringify(text)}`);
  return Number(t);
}

export function parseInteger(name: string, text: string, min: number): number {
  const x = parseNumber(name, text);
  if (!Number.isInteger(x)) throw new InvalidInputError(`${name} must be an integer, got ${text}`);
  if (x < min) throw new InvalidInputError(`${name} must be >= ${min}, got ${text}`);
  return x;
}

function list(name: string, text: string): string[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new InvalidInputError(`${name} has an empty entry: ${JSON.stringify(text)}`);
  return parts;
}

/** `--L 5`, `--L 1,2,3` (uniform), with `--L-weights 1,1,2` for other laws. */
export function parseLengths(text: string, weightsText?: string): LengthLaw {
  const Ls = list('L', text).map((p) => parseInteger('L', p, 1));
  const weights = weightsText === undefined ? undefined : list('L-weights', weightsText).map((p) => parseNumber('L-weights', p));
  return lengthLaw(Ls, weights);
}

/**
 * `--at mkk=1,mvv=1,qkk=1,qvv=1[,mkv=…,mvk=…,qkv=…][,c=…]`: overlaps (cross
 * terms default to 0, the manifold) and, separately, named activation
 * parameters.
 */
export function parseAt(text: string, thetaNames: readonly string[]): { overlaps: Overlaps; theta: Record<string, number> } {
  const rec: Partial<Record<OverlapName, number>> = {};
  const theta: Record<string, number> = {};
  for (const part of list('at', text)) {
    const m = /^([A-Za-z_][A-Za-z0-9_*]*)\s*=\s*(.*)$/.exec(part);
    if (!m) throw new InvalidInputError(`--at entries must be name=value, got ${JSON.stringify(part)}`);
    const name = m[1].replace(/\*$/, '');
    const value = parseNumber(`--at ${name}`, m[2]);
    if ((OVERLAP_NAMES as readonly string[]).includes(name)) {
      if (rec[name as OverlapName] !== undefined) throw new InvalidInputError(`--at gives ${name} twice`);
      rec[name as OverlapName] = value;
    } else if (thetaNames.includes(name)) {
      theta[name] = value;
    } else {
      throw new InvalidInputError(
        `--at: unknown name "${name}" (overlaps: ${OVERLAP_NAMES.join(', ')}${thetaNames.length ? `; activation parameters: ${thetaNames.join(', ')}` : ''})`,
      );
    }
  }
  return { overlaps: overlapsFrom(rec), theta };
}
