import { describe, expect, it } from 'vitest';
import { parseLengths, parseNumber } from '../../src/cli/parse.ts';
import { UnknownNameError } from '../../src/errors.ts';
import { getActivation } from '../../src/estimator/activations.ts';
import { figureIds, getFigure } from '../../src/figures/catalog.ts';
import { SHARED_STYLES, seriesStyle } from '../../src/figures/series-style.ts';
import { getTask, validateNu } from '../../src/task/tasks.ts';

describe('figure catalog', () => {
  it('should list the figures of the issue', () => {
    expect(figureIds()).toEqual(expect.arrayContaining(['fig2', 'rates', 'length']));
  });

  it('should reject an unknown figure with a typed error naming the known ones', () => {
    expect(() => getFigure('fig9')).toThrow(UnknownNameError);
    expect(() => getFigure('fig9')).toThrow(/known: fig2, rates, length/);
  });

  describe.each(figureIds())('figure %s', (id) => {
    const def = getFigure(id);

    it.each([2, def.fastPoints, def.defaultPoints])('should build jobs (points = %i) whose panels and series exist and whose slr risk options parse', (points) => {
      const jobs = def.jobs({ points });
      expect(jobs.length).toBeGreaterThan(0);
      const panels = new Set(def.panels.map((p) => p.id));
      for (const job of jobs) {
        expect(panels.has(job.panel), `job panel ${job.panel}`).toBe(true);
        expect(def.series, `job series ${job.series}`).toContain(job.series);
        if (job.kind !== 'risk') continue;
        // the same parsers as `slr risk` accept the point (so its CSV command runs)
        const task = getTask(job.risk.task);
        validateNu(task, parseNumber('nu', job.risk.nu, { allowInfinity: true }));
        parseLengths(job.risk.L, job.risk.LWeights);
        if (job.risk.act !== 'bayes') getActivation(job.risk.act);
      }
      // every panel has a point, every series a point
      for (const p of def.panels) expect(jobs.some((j) => j.panel === p.id), `panel ${p.id}`).toBe(true);
      for (const s of def.series) expect(jobs.some((j) => j.series === s), `series ${s}`).toBe(true);
    });

    it('should restrict the sweep to the requested series', () => {
      const jobs = def.jobs({ points: 2, series: ['bayes'] });
      expect(jobs.length).toBeGreaterThan(0);
      expect(new Set(jobs.map((j) => j.series))).toEqual(new Set(['bayes']));
    });

    it('should label every series and every axis, and draw Bayes black and heavier than every σ', () => {
      for (const s of def.series) expect(seriesStyle(s, def.styles).label.length).toBeGreaterThan(0);
      for (const p of def.panels) {
        expect(p.title.length).toBeGreaterThan(0);
        expect(p.x.label.length).toBeGreaterThan(0);
        expect(p.y.label.length).toBeGreaterThan(0);
      }
      const bayes = seriesStyle('bayes', def.styles);
      expect(bayes.color).toBe('#000000');
      for (const s of def.series.filter((x) => x !== 'bayes')) {
        const st = seriesStyle(s, def.styles);
        expect(st.color).not.toBe('#000000');
        expect(st.strokeWidth).toBeLessThan(bayes.strokeWidth);
      }
    });

    it('should compute fewer points with --fast than by default', () => {
      expect(def.jobs({ points: def.fastPoints }).length).toBeLessThan(def.jobs({ points: def.defaultPoints }).length);
    });
  });

  it('should give every shared σ its own colour and marker', () => {
    const acts = Object.entries(SHARED_STYLES).filter(([id]) => id !== 'bayes');
    expect(new Set(acts.map(([, s]) => s.color)).size).toBe(acts.length);
    expect(new Set(acts.map(([, s]) => s.marker)).size).toBe(acts.length);
  });
});
