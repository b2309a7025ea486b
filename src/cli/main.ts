import { Command, CommanderError } from 'commander';
import { SlrError } from '../errors.ts';
import { ermCommand } from './erm-command.ts';
import { figureCommand } from './figure-command.ts';
import type { Io } from './io.ts';
import { inspectCommand } from './inspect-command.ts';
import { listCommand } from './list-command.ts';
import { reportCommand } from './report-command.ts';
import { riskCommand } from './risk-command.ts';
import { verifyCommand } from './verify-command.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * Run the CLI on argv (as process.argv). Returns the exit code: 0 success,
 * 2 bad usage or input (one line on stderr, never a stack trace).
 */
export async function main(
  argv: string[],
  io: Io = {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTTY: process.stderr.isTTY,
  },
): Promise<number> {
  const program = new Command('slr')
    .description('Verifier for the theory of softmax attention in single-location regression (arXiv:2509.21936)')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: () => {} })
    .showHelpAfterError(false);
  let exitCode = EXIT_OK;
  const commands = [
    riskCommand(io.out),
    verifyCommand(io, (c) => (exitCode = c)),
    inspectCommand(io),
    listCommand(io),
    figureCommand(io),
    reportCommand(io),
    ermCommand(io.out),
  ];
  for (const c of commands) program.addCommand(c.exitOverride().configureOutput({ writeOut: io.out, writeErr: () => {} }));
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
      io.err(`slr: ${e.message.replace(/^error: /, '').split('\n')[0]}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof SlrError) {
      io.err(`slr: ${e.message}\n`);
      return EXIT_USAGE;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`slr: internal error: ${msg.split('\n')[0]} (please report this)\n`);
    return EXIT_FAILURE;
  }
}
