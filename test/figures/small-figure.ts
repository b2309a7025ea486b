import { getFigure } from '../../src/figures/catalog.ts';
import { type FigureOutput, makeFigure } from '../../src/figures/make-figure.ts';

/**
 * The smallest real figure the tests compute: `rates` (spiked-SLR, L = 2 and
 * L = 10) at 2 points per curve for Bayes, linear and erf — 12 engine points,
 * a few seconds in-process (softmax and softplus class minima are left out:
 * they take seconds each).
 */
export const SMALL_ARGS = ['figure', 'rates', '--points', '2', '--series', 'bayes,linear,erf', '--workers', '1', '--no-progress'];

export function makeSmallFigure(outDir: string): Promise<FigureOutput> {
  return makeFigure(getFigure('rates'), { outDir, points: 2, series: ['bayes', 'linear', 'erf'], workers: 1, command: 'npx slr ' + SMALL_ARGS.join(' ') });
}
