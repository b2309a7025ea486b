import { InvalidInputError, requireFinite } from '../errors.ts';

/**
 * n equally spaced values from a to b inclusive (n ≥ 2), endpoints exact.
 * Values are rounded to 12 significant digits so that the command line of a
 * point (`--nu 2.5`) stays short; the rounded value is the one computed.
 */
export function linspace(a: number, b: number, n: number): number[] {
  checkCount(n);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? b : tidy(a + ((b - a) * i) / (n - 1))));
}

/** n values from a to b inclusive (0 < a < b), equally spaced in log, rounded like `linspace`. */
export function logspace(a: number, b: number, n: number): number[] {
  checkCount(n);
  requireFinite('logspace start', a, { min: Number.MIN_VALUE });
  const la = Math.log(a);
  const lb = Math.log(b);
  return Array.from({ length: n }, (_, i) => (i === 0 ? a : i === n - 1 ? b : tidy(Math.exp(la + ((lb - la) * i) / (n - 1)))));
}

/**
 * Up to n distinct integers from a to b inclusive (1 ≤ a < b), roughly equally
 * spaced in log; rounding merges neighbours at the small end, so fewer than n
 * may come back.
 */
export function integerLogspace(a: number, b: number, n: number): number[] {
  requireFinite('integer grid start', a, { min: 1, integer: true });
  requireFinite('integer grid end', b, { min: a + 1, integer: true });
  return [...new Set(logspace(a, b, n).map(Math.round))];
}

function checkCount(n: number): void {
  requireFinite('points', n, { min: 2, integer: true });
  if (n > 10_000) throw new InvalidInputError(`points must be <= 10000, got ${n}`);
}

function tidy(x: number): number {
  return Number(x.toPrecision(12));
}
