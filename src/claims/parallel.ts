/**
 * Claims in worker threads. A claim's checks are independent of the other
 * claims' results (`uses` orders the report, it does not feed numbers), so
 * claims can run side by side: each worker takes the next claim when it is
 * free, longest first by the claims' cost hints (the report keeps dependency
 * order). Each worker has its own memo of engine results, so a number two
 * claims share may be computed twice.
 */
import { Worker } from 'node:worker_threads';
import type { Claim, ClaimRecord } from './types.ts';

const WORKER = new URL('./worker.mjs', import.meta.url);

export interface ParallelOptions {
  readonly fast: boolean;
  readonly seed: number;
  /** module exporting `claims` (the workers look the claims up there by id) */
  readonly claimsModule: URL;
  readonly threads: number;
  /** called when a worker starts a check ("claim / check") */
  readonly tick?: (what: string) => void;
}

export async function runClaimsInWorkers(claims: readonly Claim[], opts: ParallelOptions): Promise<ClaimRecord[]> {
  const records = new Array<ClaimRecord | undefined>(claims.length);
  // longest first (by the claims' cost hints), so no long claim starts last; records keep their order
  const queue = claims.map((_, i) => i).sort((a, b) => costOf(claims[b], opts.fast) - costOf(claims[a], opts.fast) || a - b);
  let next = 0;
  const threads = Math.max(1, Math.min(opts.threads, claims.length));
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: threads }, () => {
        const w = new Worker(WORKER, { workerData: { claimsModule: opts.claimsModule.href } });
        workers.push(w);
        return new Promise<void>((resolve, reject) => {
          const give = () => {
            if (next >= claims.length) {
              resolve();
              return;
            }
            const i = queue[next++];
            const onMessage = (m: { type: string; what?: string; record?: ClaimRecord; message?: string }) => {
              if (m.type === 'tick') opts.tick?.(m.what ?? '');
              else if (m.type === 'done') {
                w.off('message', onMessage);
                records[i] = m.record;
                give();
              } else if (m.type === 'failed') {
                w.off('message', onMessage);
                reject(new Error(`claim ${claims[i].id}: ${m.message}`));
              }
            };
            w.on('message', onMessage);
            w.postMessage({ type: 'run', id: claims[i].id, opts: { fast: opts.fast, seed: opts.seed } });
          };
          w.once('message', (m: { type: string }) => (m.type === 'ready' ? give() : reject(new Error(`verification worker: unexpected first message ${m.type}`))));
          w.on('error', reject);
          // a worker that dies without an error event must not leave the run waiting (no-op once settled)
          w.on('exit', (code) => reject(new Error(`verification worker exited (code ${code}) before the run ended`)));
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return records.map((r, i) => {
    if (!r) throw new Error(`claim ${claims[i].id} was not run`);
    return r;
  });
}

function costOf(claim: Claim, fast: boolean): number {
  return (fast ? claim.cost?.fast : claim.cost?.full) ?? 1;
}
