import { UnknownNameError } from '../errors.ts';
import { fig2 } from './fig2.ts';
import { fig3 } from './fig3.ts';
import { length } from './length.ts';
import { rates } from './rates.ts';
import type { FigureDefinition } from './types.ts';

/**
 * The figure registry. A new figure is one module exporting a
 * `FigureDefinition`, added to this list (workers import this file too, so a
 * figure's own `computePoint` is available to the pool).
 */
const FIGURES: readonly FigureDefinition[] = [fig2, rates, length, fig3];

export function figureIds(): string[] {
  return FIGURES.map((f) => f.id);
}

/** The figures `all` stands for: every figure but the expensive ones (`inAll: false`, made only when named). */
export function allFigureIds(): string[] {
  return FIGURES.filter((f) => f.inAll !== false).map((f) => f.id);
}

export function getFigure(id: string): FigureDefinition {
  const f = FIGURES.find((d) => d.id === id);
  if (!f) throw new UnknownNameError(`unknown figure "${id}" (known: ${figureIds().join(', ')}, or all)`);
  return f;
}
