import { Command } from 'commander';
import { claims } from '../../proofs/index.ts';
import { inspectTex, inspectText, verifyTable } from '../claims/format.ts';
import { selectClaims, validateClaims } from '../claims/graph.ts';
import { DEFAULT_SEED, runVerification } from '../claims/runner.ts';
import { parseInteger } from './parse.ts';
import type { Io } from './io.ts';
import { progressReporter } from './verify-command.ts';

export function inspectCommand(io: Io): Command {
  return new Command('inspect')
    .description("a claim's statement, assumptions, tolerances, checks and its derivation step by step")
    .argument('<id>', 'claim id (see `slr list`)')
    .option('--tex', 'print the statement and derivation as LaTeX')
    .option('--run', 'also run the claim\'s checks and show the evidence')
    .option('--fast', 'with --run: the quick run')
    .option('--seed <seed>', 'with --run: base seed', String(DEFAULT_SEED))
    .action(async (id: string, o: { tex?: boolean; run?: boolean; fast?: boolean; seed: string }) => {
      const [claim] = selectClaims(validateClaims(claims), [id]);
      const derivation = claim.derivation?.();
      io.out((o.tex ? inspectTex(claim, derivation) : inspectText(claim, derivation)) + '\n');
      if (o.run) {
        const report = await runVerification([claim], { fast: o.fast ?? false, seed: parseInteger('seed', o.seed, 0), progress: progressReporter(io, undefined) });
        io.out('\n' + verifyTable(report, { evidence: true }) + '\n');
      }
    });
}
