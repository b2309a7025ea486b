import { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { claims } from '../../proofs/index.ts';
import { graphText } from '../claims/format.ts';
import { validateClaims } from '../claims/graph.ts';
import { DEFAULT_SEED, runVerification } from '../claims/runner.ts';
import type { ClaimRecord } from '../claims/types.ts';
import { parseInteger } from './parse.ts';
import type { Io } from './io.ts';
import { CLAIMS_MODULE, progressReporter } from './verify-command.ts';

export function listCommand(io: Io): Command {
  return new Command('list')
    .description('the claims as a dependency graph (each after what it uses) with their statuses from a fast run')
    .option('--no-run', 'do not run the fast checks: show the graph with the declared expectations only')
    .option('--seed <seed>', 'base seed of the fast run', String(DEFAULT_SEED))
    .action(async (o: { run: boolean; seed: string }) => {
      const ordered = validateClaims(claims);
      let records: Map<string, ClaimRecord> | undefined;
      if (o.run) {
        const report = await runVerification(ordered, { fast: true, seed: parseInteger('seed', o.seed, 0), progress: progressReporter(io, undefined), workers: availableParallelism(), claimsModule: CLAIMS_MODULE });
        records = new Map(report.claims.map((r) => [r.id, r]));
      }
      io.out(`claims in dependency order (⟵ uses)${o.run ? ', statuses from `slr verify --fast`' : ''}:\n${graphText(ordered, records)}\n`);
    });
}
