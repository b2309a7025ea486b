import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { claims } from '../../proofs/index.ts';
import { junitXml, verifyTable } from '../claims/format.ts';
import { selectClaims, validateClaims } from '../claims/graph.ts';
import { DEFAULT_SEED, runVerification } from '../claims/runner.ts';
import type { VerifyReport } from '../claims/types.ts';
import type { Io } from './io.ts';
import { availableParallelism } from 'node:os';
import { parseInteger } from './parse.ts';

/** where the worker threads of a parallel run import the claims from */
export const CLAIMS_MODULE = new URL('../../proofs/index.ts', import.meta.url);

export interface VerifyOptions {
  only?: string[];
  fast?: boolean;
  json?: boolean;
  junit?: string;
  seed: string;
  evidence?: boolean;
  progress?: boolean;
  workers: string;
}


/** Progress on stderr: a bar on a terminal, nothing otherwise (unless forced, then one line per check). */
export function progressReporter(io: Io, force: boolean | undefined): ((done: number, total: number, what: string) => void) | undefined {
  if (io.isTTY && force !== false) {
    let bar: SingleBar | undefined;
    return (done, total, what) => {
      if (!bar) {
        bar = new SingleBar({ format: ' {bar} {value}/{total} {what}', stream: process.stderr, clearOnComplete: true, hideCursor: true });
        bar.start(total, 0, { what });
      }
      bar.update(done, { what });
      if (done >= total) bar.stop();
    };
  }
  if (force) return (done, total, what) => io.err(`[${done}/${total}] ${what}\n`);
  return undefined;
}

export async function runVerifyCommand(o: VerifyOptions, io: Io): Promise<VerifyReport> {
  const seed = parseInteger('seed', o.seed, 0);
  const all = validateClaims(claims);
  const selected = selectClaims(all, o.only);
  const workers = o.workers === 'auto' ? availableParallelism() : parseInteger('workers', o.workers, 1);
  return runVerification(selected, { fast: o.fast ?? false, seed, progress: progressReporter(io, o.progress), workers, claimsModule: CLAIMS_MODULE });
}

export function verifyCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command('verify')
    .description('run every claim of the paper; exit 0 iff every verdict equals its declared expectation (1 otherwise, 2 on bad usage)')
    .option('--only <ids...>', 'run only these claims (ids as in `slr list`)')
    .option('--fast', 'quick run: fewer points and samples, same logic (≤ 10 s)')
    .option('--json', 'print one JSON object (claims, verdicts, evidence, versions, seeds, timings)')
    .option('--junit <file>', 'also write a JUnit XML report to FILE')
    .option('--seed <seed>', 'base seed of every random choice', String(DEFAULT_SEED))
    .option('--evidence', 'print the evidence of confirmed checks too')
    .option('--progress', 'progress lines on stderr even when it is not a terminal')
    .option('--no-progress', 'no progress bar')
    .option('--workers <n>', "claims run side by side in this many threads: a number, or 'auto' (the cores)", 'auto')
    .action(async (o: VerifyOptions) => {
      const report = await runVerifyCommand(o, io);
      if (o.junit) writeFileSync(o.junit, junitXml(report));
      io.out(o.json ? JSON.stringify(report) + '\n' : verifyTable(report, { evidence: o.evidence }) + '\n');
      setExit(report.summary.unexpected.length === 0 ? 0 : 1);
    });
}
