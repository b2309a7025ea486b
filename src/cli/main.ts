import { Command, CommanderError } from 'commander';
import { SlrError } from '../errors.ts';
import type { Io } from './io.ts';

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
  // each command's module is imported only when it runs (or for the command list of `slr --help`):
  // `figure` and `report` pull in the plotting and KaTeX stacks, `verify` all claims, ≈ 0.6 s of
  // loading that `slr risk` does not need
  const loaders: Record<string, () => Promise<Command>> = {
    risk: async () => (await import('./risk-command.ts')).riskCommand(io.out),
    verify: async () => (await import('./verify-command.ts')).verifyCommand(io, (c) => (exitCode = c)),
    inspect: async () => (await import('./inspect-command.ts')).inspectCommand(io),
    list: async () => (await import('./list-command.ts')).listCommand(io),
    figure: async () => (await import('./figure-command.ts')).figureCommand(io),
    report: async () => (await import('./report-command.ts')).reportCommand(io),
    erm: async () => (await import('./erm-command.ts')).ermCommand(io.out),
  };
  const named = argv[2];
  const wanted = named !== undefined && Object.hasOwn(loaders, named) ? [named] : Object.keys(loaders);
  try {
    for (const name of wanted) program.addCommand((await loaders[name]()).exitOverride().configureOutput({ writeOut: io.out, writeErr: () => {} }));
    if (named === undefined) {
      // no command: the help, on stdout (commander would send it to the silenced error stream)
      io.out(program.helpInformation());
      return EXIT_OK;
    }
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
