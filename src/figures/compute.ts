import { getFigure } from './catalog.ts';
import { computeRiskPoint } from './risk-point.ts';
import type { Job, PointOutcome } from './types.ts';

/** What a worker receives: the figure (for its own point kinds) and one job. */
export interface PointTask {
  readonly figure: string;
  readonly job: Job;
}

/** Compute one point of a figure's sweep (in-process or inside a pool worker). */
export async function computePoint(task: PointTask): Promise<PointOutcome> {
  const { job } = task;
  switch (job.kind) {
    case 'risk':
      return computeRiskPoint(job.risk);
    case 'closed-form':
      return { value: job.value, error: 0, errorKind: 'exact', method: job.method, converged: true, seconds: 0 };
    case 'custom': {
      const def = getFigure(task.figure);
      if (!def.computePoint) throw new Error(`figure ${def.id} has a custom point but no computePoint`);
      return def.computePoint(job);
    }
  }
}
