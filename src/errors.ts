/**
 * Typed errors of the library. The CLI maps every `SlrError` to one line on
 * stderr and exit code 2; anything else is a bug and is reported as such.
 */
export class SlrError extends Error {
  override readonly name: string = 'SlrError';
}

/** A user-supplied value is outside its documented range or not a number. */
export class InvalidInputError extends SlrError {
  override readonly name = 'InvalidInputError';
}

/** Order parameters whose residual covariance is not positive semi-definite. */
export class InadmissibleOverlapsError extends SlrError {
  override readonly name = 'InadmissibleOverlapsError';
}

/** A result would leave the range of double precision (overflow, total underflow, NaN). */
export class NumericalRangeError extends SlrError {
  override readonly name = 'NumericalRangeError';
}

/** An unknown task, activation or claim id. */
export class UnknownNameError extends SlrError {
  override readonly name = 'UnknownNameError';
}

/** Throw `InvalidInputError` unless `x` is a finite number (optionally with bounds). */
export function requireFinite(name: string, x: unknown, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  if (typeof x !== 'number' || Number.isNaN(x)) throw new InvalidInputError(`${name} must be a number, got ${describe(x)}`);
  if (!Number.isFinite(x)) throw new InvalidInputError(`${name} must be finite, got ${x}`);
  if (opts.integer && !Number.isInteger(x)) throw new InvalidInputError(`${name} must be an integer, got ${x}`);
  if (opts.min !== undefined && x < opts.min) throw new InvalidInputError(`${name} must be >= ${opts.min}, got ${x}`);
  if (opts.max !== undefined && x > opts.max) throw new InvalidInputError(`${name} must be <= ${opts.max}, got ${x}`);
  return x;
}

export function describe(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x);
  if (typeof x === 'number') return String(x);
  if (x === undefined) return 'nothing';
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}

/** A worker thread of a parallel computation failed, or did not start (its error's name and message are quoted). */
export class WorkerThreadError extends SlrError {
  override readonly name = 'WorkerThreadError';
}
