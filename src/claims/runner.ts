/**
 * Runs claims: every check (or only the fast ones), the derivation, timings,
 * and the verdict against the declared expectation. The result is the JSON
 * record `slr verify --json` prints and `slr report` renders.
 */
import { readFileSync } from 'node:fs';
import { SlrError } from '../errors.ts';
import { validateClaims } from './graph.ts';
import { runClaimsInWorkers } from './parallel.ts';
import {
  type CheckContext,
  type CheckRecord,
  type Claim,
  type ClaimRecord,
  type Derivation,
  type VerifyReport,
  combineVerdicts,
} from './types.ts';

export interface RunOptions {
  readonly fast?: boolean;
  readonly seed?: number;
  /** called before each check with a short description (stderr progress in the CLI) */
  readonly progress?: (done: number, total: number, what: string) => void;
  /**
   * Run claims side by side in this many worker threads (default 1: in this
   * thread). Needs `claimsModule`: the workers import the claims from there.
   */
  readonly workers?: number;
  /** module exporting `claims: Claim[]` that contains every claim run (for `workers` > 1) */
  readonly claimsModule?: URL;
}

export const DEFAULT_SEED = 20260922;

/** A stable 31-bit seed for one check, so `--only` reproduces the numbers of a full run. */
export function checkSeed(base: number, claimId: string, checkId: string): number {
  let h = 2166136261;
  for (const ch of `${claimId}/${checkId}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return ((base ^ h) >>> 0) % 2147483647;
}

export async function runClaim(claim: Claim, opts: RunOptions = {}, tick?: (what: string) => void): Promise<ClaimRecord> {
  const fast = opts.fast ?? false;
  const seed = opts.seed ?? DEFAULT_SEED;
  const t0 = performance.now();
  const checks: CheckRecord[] = [];
  for (const check of claim.checks) {
    if (fast && !check.fast) continue;
    tick?.(`${claim.id} / ${check.id}`);
    const ctx: CheckContext = { seed: checkSeed(seed, claim.id, check.id), fast };
    const c0 = performance.now();
    let record: CheckRecord;
    try {
      const out = await check.run(ctx);
      record = { id: check.id, kind: check.kind, description: check.description, ...out, seconds: (performance.now() - c0) / 1000 };
    } catch (e) {
      // a check that throws has decided nothing; say why instead of passing
      const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
      const kind = e instanceof SlrError ? 'input or numerical-range error' : 'internal error';
      record = {
        id: check.id,
        kind: check.kind,
        description: check.description,
        verdict: 'INCONCLUSIVE',
        summary: `check failed to run (${kind}): ${msg}`,
        evidence: [{ label: 'error', note: msg, seed: ctx.seed }],
        seconds: (performance.now() - c0) / 1000,
      };
    }
    checks.push(record);
  }
  // the derivation is shown when its symbolic check ran (a fast run skips slow derivations)
  let derivation: Derivation | undefined;
  if (claim.derivation && (!fast || claim.checks.some((k) => k.kind === 'symbolic' && k.fast))) {
    tick?.(`${claim.id} / derivation`);
    try {
      derivation = claim.derivation();
    } catch (e) {
      if (!(e instanceof SlrError)) throw e; // the symbolic check reports the failure as INCONCLUSIVE
    }
  }
  const verdict = combineVerdicts(checks.map((c) => c.verdict));
  return {
    id: claim.id,
    title: claim.title,
    paperRef: claim.paperRef,
    source: claim.source,
    statement: claim.statement,
    assumptions: claim.assumptions,
    uses: claim.uses,
    expect: claim.expect,
    ...(claim.correctedBy !== undefined ? { correctedBy: claim.correctedBy } : {}),
    tolerances: claim.tolerances,
    verdict,
    asExpected: verdict === claim.expect,
    checks,
    ...(derivation ? { derivation } : {}),
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Run the given claims in dependency order and assemble the report. They may
 * be a selection (`--only`): the whole set is validated by the caller.
 */
export async function runVerification(claims: readonly Claim[], opts: RunOptions = {}): Promise<VerifyReport> {
  const ordered = validateClaims(claims, { partial: true });
  const fast = opts.fast ?? false;
  const seed = opts.seed ?? DEFAULT_SEED;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const total = ordered.reduce(
    (n, c) => n + c.checks.filter((k) => !fast || k.fast).length + (c.derivation && (!fast || c.checks.some((k) => k.kind === 'symbolic' && k.fast)) ? 1 : 0),
    0,
  );
  let done = 0;
  const tick = (what: string) => {
    opts.progress?.(done, total, what);
    done++;
  };
  let records: ClaimRecord[] = [];
  if ((opts.workers ?? 1) > 1 && opts.claimsModule && ordered.length > 1) {
    records = await runClaimsInWorkers(ordered, { fast, seed, claimsModule: opts.claimsModule, threads: opts.workers ?? 1, tick });
  } else {
    for (const claim of ordered) records.push(await runClaim(claim, opts, tick));
  }
  opts.progress?.(total, total, 'done');
  const n = (v: string) => records.filter((r) => r.verdict === v).length;
  return {
    tool: { name: 'slr-verifier', version: packageVersion() },
    paper: { arxiv: '2509.21936', title: 'Statistical Advantage of Softmax Attention: Insights from Single-Location Regression' },
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    seed,
    fast,
    versions: versions(),
    claims: records,
    summary: {
      confirmed: n('CONFIRMED'),
      refuted: n('REFUTED'),
      inconclusive: n('INCONCLUSIVE'),
      asExpected: records.filter((r) => r.asExpected).length,
      unexpected: records.filter((r) => !r.asExpected).map((r) => r.id),
    },
  };
}

function readVersion(path: URL): string {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function packageVersion(): string {
  return readVersion(new URL('../../package.json', import.meta.url));
}

/** Versions of what the numbers depend on. */
export function versions(): Record<string, string> {
  const dep = (name: string) => readVersion(new URL(`../../node_modules/${name}/package.json`, import.meta.url));
  return {
    'slr-verifier': packageVersion(),
    node: process.version,
    'nerdamer-prime': dep('nerdamer-prime'),
    'fast-check': dep('fast-check'),
    'pure-rand': dep('pure-rand'),
  };
}
