/**
 * The claims form a dependency graph through `uses`. It must be well formed:
 * stable kebab-case ids, unique, every `uses` id known, no cycles, every claim
 * with at least one fast check (so `slr verify --fast`, which the test suite
 * runs, exercises every claim) and every `correctedBy` id known.
 */
import { InvalidInputError, UnknownNameError } from '../errors.ts';
import type { Claim } from './types.ts';

export class ClaimGraphError extends InvalidInputError {}

const ID = /^[a-z][a-z0-9]*(-[a-z0-9.]+)*$/;

/**
 * Validate the claims and return them in dependency order (a claim after
 * everything it uses). `partial`: the claims are a selection of a validated
 * whole, so `uses`/`correctedBy` may name claims outside it (ignored for order).
 */
export function validateClaims(claims: readonly Claim[], opts: { partial?: boolean } = {}): Claim[] {
  const byId = new Map<string, Claim>();
  for (const c of claims) {
    if (!ID.test(c.id)) throw new ClaimGraphError(`claim id "${c.id}" is not kebab-case`);
    if (byId.has(c.id)) throw new ClaimGraphError(`claim id "${c.id}" is defined twice`);
    byId.set(c.id, c);
  }
  for (const c of claims) {
    for (const u of c.uses) if (!byId.has(u) && !opts.partial) throw new ClaimGraphError(`claim "${c.id}" uses unknown claim "${u}"`);
    if (c.correctedBy !== undefined && !byId.has(c.correctedBy) && !opts.partial) {
      throw new ClaimGraphError(`claim "${c.id}" is corrected by unknown claim "${c.correctedBy}"`);
    }
    if (c.checks.length === 0) throw new ClaimGraphError(`claim "${c.id}" has no checks`);
    if (!c.checks.some((k) => k.fast)) throw new ClaimGraphError(`claim "${c.id}" has no fast check, so no test exercises it`);
    const seen = new Set<string>();
    for (const k of c.checks) {
      if (seen.has(k.id)) throw new ClaimGraphError(`claim "${c.id}" has two checks with id "${k.id}"`);
      seen.add(k.id);
    }
  }
  // depth-first topological order; a grey node met again is a cycle
  const state = new Map<string, 'grey' | 'black'>();
  const order: Claim[] = [];
  const visit = (c: Claim, path: string[]) => {
    const s = state.get(c.id);
    if (s === 'black') return;
    if (s === 'grey') throw new ClaimGraphError(`claims form a cycle: ${[...path.slice(path.indexOf(c.id)), c.id].join(' → ')}`);
    state.set(c.id, 'grey');
    for (const u of c.uses) {
      const used = byId.get(u);
      if (used) visit(used, [...path, c.id]);
    }
    state.set(c.id, 'black');
    order.push(c);
  };
  for (const c of claims) visit(c, []);
  return order;
}

/** Select claims by id (unknown ids are an error naming the known ones). */
export function selectClaims(claims: readonly Claim[], ids: readonly string[] | undefined): Claim[] {
  if (!ids || ids.length === 0) return [...claims];
  const known = new Set(claims.map((c) => c.id));
  for (const id of ids) if (!known.has(id)) throw new UnknownNameError(`unknown claim "${id}" (known: ${[...known].join(', ')})`);
  return claims.filter((c) => ids.includes(c.id));
}

/** Claims that use `id`, directly. */
export function dependents(claims: readonly Claim[], id: string): Claim[] {
  return claims.filter((c) => c.uses.includes(id));
}
