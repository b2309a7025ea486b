import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { getFigure } from '../figures/catalog.ts';
import { parseCsv } from '../figures/csv.ts';
import { figureFiles } from '../figures/make-figure.ts';
import type { ReportFigure } from './render-report.ts';

/** Whether `<figuresDir>/<id>/` holds a complete figure (SVG, PNG, CSV, command). */
export function figureExists(figuresDir: string, id: string): boolean {
  const f = figureFiles(figuresDir, id);
  return [f.svg, f.png, f.csv, f.command].every((p) => existsSync(p));
}

/**
 * A figure written by `slr figure` (or `makeFigure`), as the report shows it:
 * title and caption from the figure registry, the SVG inlined, a summary of
 * its CSV (points, failures, convergence), and links relative to the report.
 */
export function loadReportFigure(figuresDir: string, id: string, reportDir: string): ReportFigure {
  const def = getFigure(id);
  const f = figureFiles(figuresDir, id);
  const rows = parseCsv(readFileSync(f.csv, 'utf8'));
  const failed = rows.filter((r) => r.value === '').length;
  const notConverged = rows.filter((r) => r.value !== '' && r.converged !== 'true').length;
  const seconds = rows.reduce((s, r) => s + Number(r.seconds || 0), 0);
  const summary =
    `${rows.length} points in the CSV` +
    (failed ? `, ${failed} failed` : '') +
    (notConverged ? `, ${notConverged} not converged (marked ×)` : ', all converged') +
    `; ${seconds.toFixed(1)} s of computation (summed over points).`;
  const rel = (p: string) => relative(reportDir, p).split('\\').join('/');
  return {
    id,
    title: def.title,
    caption: def.caption,
    svg: readFileSync(f.svg, 'utf8'),
    provenance: readFileSync(f.command, 'utf8'),
    summary,
    links: [
      { label: 'PNG', href: rel(f.png) },
      { label: 'SVG', href: rel(f.svg) },
      { label: 'CSV of every point', href: rel(f.csv) },
      { label: 'command and versions', href: rel(f.command) },
    ],
  };
}
