import { join } from 'node:path';
import { Command } from 'commander';
import type { VerifyReport } from '../claims/types.ts';
import { InvalidInputError } from '../errors.ts';
import { figureIds } from '../figures/catalog.ts';
import { figureExists, loadReportFigure } from '../report/figures.ts';
import { renderReport } from '../report/render-report.ts';
import { readVerifyReport } from '../report/verify-json.ts';
import { type Io, commandLine, makeFigures, parseFigureRunOptions, selectFigures } from './figure-command.ts';
import { DEFAULT_SEED } from '../claims/runner.ts';
import { runVerifyCommand } from './verify-command.ts';

interface ReportOptions {
  out?: string;
  verifyJson?: string;
  figures: string;
  figuresDir?: string;
  refreshFigures?: boolean;
  points?: string;
  fast?: boolean;
  series?: string;
  workers: string;
  progress: boolean;
  seed: string;
}

export function reportCommand(io: Io): Command {
  return new Command('report')
    .description('one self-contained HTML page: every claim typeset with its verdict, evidence and derivation, and the figures')
    .option('--out <dir>', 'output directory (the page is <dir>/index.html)')
    .option('--verify-json <file>', 'render this JSON written by `slr verify --json` instead of running the suite')
    .option('--seed <seed>', 'base seed when the suite is run here', String(DEFAULT_SEED))
    .option('--figures <list>', `figures to include: ${figureIds().join(',')}, all or none`, 'all')
    .option('--figures-dir <dir>', 'where the figures are, made there when missing (default: <out>/figures)')
    .option('--refresh-figures', 'recompute the figures even when present')
    .option('--points <n>', 'points per curve for figures that are computed')
    .option('--fast', 'fewer points per curve for figures that are computed')
    .option('--series <list>', 'only these series in figures that are computed')
    .option('--workers <n>', "worker threads for the verification suite and figure sweeps: a number, or 'auto'", 'auto')
    .option('--no-progress', 'no progress bar on the terminal')
    .action(async (o: ReportOptions, cmd: Command) => {
      if (!o.out) throw new InvalidInputError('--out <dir> is required');
      const report = await loadVerifyReport(o, io);
      const run = parseFigureRunOptions(o);
      const figuresDir = o.figuresDir ?? join(o.out, 'figures');
      const defs = o.figures === 'none' ? [] : selectFigures(o.figures.split(',').map((s) => s.trim()));
      const missing = defs.filter((def) => {
        const reuse = !o.refreshFigures && figureExists(figuresDir, def.id);
        if (reuse) io.out(`${def.id}: using the figure in ${join(figuresDir, def.id)} (--refresh-figures to recompute)\n`);
        return !reuse;
      });
      await makeFigures(missing, figuresDir, run, commandLine(cmd), io);
      const figures = defs.map((d) => loadReportFigure(figuresDir, d.id, o.out as string));
      const r = renderReport(report, figures, o.out);
      io.out(`report: ${r.path} (${r.claims} claims, ${r.figures} figures, ${(r.bytes / 1024).toFixed(0)} KiB; self-contained: KaTeX CSS and fonts inlined, no network)\n`);
      for (const w of r.texWarnings) io.err(`slr: warning: TeX in ${w.where}: ${w.message}\n`);
      if (r.texErrors.length) {
        const e = r.texErrors[0];
        throw new InvalidInputError(
          `${r.texErrors.length} TeX expression(s) failed to typeset (shown in red in ${r.path}); first: ${e.where}: ${e.message}`.replace(/\n/g, ' '),
        );
      }
    });
}

/** The verify report to render: from a file, or by running the suite (`--fast` runs the quick suite). */
async function loadVerifyReport(o: ReportOptions, io: Io): Promise<VerifyReport> {
  if (o.verifyJson) return readVerifyReport(o.verifyJson);
  return runVerifyCommand({ fast: o.fast, seed: o.seed, progress: o.progress ? undefined : false, workers: o.workers }, io);
}
