import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { type PointTask, computePoint } from './compute.ts';
import type { Job, PointOutcome, PointRecord } from './types.ts';

/** The worker bootstrap (registers tsx, then loads compute.ts). */
const WORKER = new URL('./worker.mjs', import.meta.url);

/**
 * Below this many engine points the pool is not worth its start-up (each
 * worker compiles the engine through tsx, about a second, several under load).
 */
export const MIN_POINTS_FOR_POOL = 4;

export interface SweepOptions {
  /** worker threads; 'auto' = available cores when there are at least MIN_POINTS_FOR_POOL engine points, else in-process */
  readonly workers?: number | 'auto';
  /** a pool shared by several sweeps (then `workers` is ignored; the caller closes it) */
  readonly pool?: PointPool;
  /** called after each point */
  readonly onPoint?: (done: number, total: number, record: PointRecord) => void;
}

export interface SweepResult {
  /** in the order of the jobs */
  readonly records: PointRecord[];
  /** worker threads used (1 = in-process) */
  readonly workers: number;
  readonly seconds: number;
}

/** Number of threads a sweep of `engineJobs` points will use. */
export function resolveWorkers(workers: number | 'auto' | undefined, engineJobs: number): number {
  const cores = availableParallelism();
  const wantedThreads = workers === undefined || workers === 'auto' ? (engineJobs >= MIN_POINTS_FOR_POOL ? cores : 1) : workers;
  const n = Math.max(1, Math.min(wantedThreads, engineJobs));
  // outside the sources (a compiled dist/ without the bootstrap) the pool cannot start: compute in-process
  return n > 1 && existsSync(fileURLToPath(WORKER)) ? n : 1;
}

/** A piscina pool of sweep workers, shared by the figures of one command so that it starts once. */
export class PointPool {
  private readonly piscina: Piscina;

  constructor(readonly threads: number) {
    this.piscina = new Piscina({ filename: WORKER.href, minThreads: threads, maxThreads: threads, idleTimeout: 1000 });
  }

  run(task: PointTask): Promise<PointOutcome> {
    return this.piscina.run(task) as Promise<PointOutcome>;
  }

  close(): Promise<void> {
    return this.piscina.destroy();
  }
}

/** A pool for a sweep of `engineJobs` points, or undefined when computing in-process is better (see resolveWorkers). */
export function openPool(workers: number | 'auto' | undefined, engineJobs: number): PointPool | undefined {
  const n = resolveWorkers(workers, engineJobs);
  return n > 1 ? new PointPool(n) : undefined;
}

/**
 * Compute every job of a figure. Closed forms are filled in directly; engine
 * points run in-process or on a piscina pool, the costliest kinds first (class
 * minima before Bayes risks) so that the pool does not end on one long point.
 */
export async function runSweep(figure: string, jobs: readonly Job[], opts: SweepOptions = {}): Promise<SweepResult> {
  const t0 = performance.now();
  const outcomes: (PointOutcome | undefined)[] = new Array(jobs.length);
  let done = 0;
  const finish = (i: number, o: PointOutcome) => {
    outcomes[i] = o;
    done++;
    opts.onPoint?.(done, jobs.length, { figure, job: jobs[i], outcome: o });
  };
  const engine: number[] = [];
  for (let i = 0; i < jobs.length; i++) {
    if (jobs[i].kind === 'closed-form') finish(i, await computePoint({ figure, job: jobs[i] }));
    else engine.push(i);
  }
  engine.sort((a, b) => costHint(jobs[b]) - costHint(jobs[a]));
  const own = opts.pool ? undefined : openPool(opts.workers, engine.length);
  const pool = opts.pool ?? own;
  try {
    if (pool && engine.length > 1) {
      await Promise.all(engine.map((i) => pool.run({ figure, job: jobs[i] }).then((o) => finish(i, o))));
    } else {
      for (const i of engine) {
        finish(i, await computePoint({ figure, job: jobs[i] }));
        await new Promise((r) => setImmediate(r)); // let a progress bar redraw
      }
    }
  } finally {
    await own?.close();
  }
  const workers = pool && engine.length > 1 ? pool.threads : 1;
  return {
    records: jobs.map((job, i) => ({ figure, job, outcome: outcomes[i] as PointOutcome })),
    workers,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Relative cost: a class minimum is many risk evaluations, a Bayes risk one. */
function costHint(job: Job): number {
  if (job.kind !== 'risk') return 1;
  return job.risk.act === 'bayes' ? 0 : 1;
}
