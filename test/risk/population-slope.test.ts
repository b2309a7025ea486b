import { describe, expect, it } from 'vitest';
import { softmax } from '../../src/estimator/activations.ts';
import { bayesRisk } from '../../src/risk/bayes.ts';
import { manifoldOverlaps } from '../../src/risk/overlaps.ts';
import { populationRisk } from '../../src/risk/population.ts';
import { lengthLaw } from '../../src/task/length-law.ts';
import { maxTask } from '../../src/task/tasks.ts';

// Prop. 4.2: softmax at k = c_ν k*, v = v* (c_ν = ν on max-SLR: m_kk* = ν, q_kk = ν², m_vv* = q_vv = 1)
// has exactly the Bayes risk. bayesRisk computes E_Bayes by a different route (one outer integral of
// the posterior, no σ, no normaliser variable), so it is an independent reference at any slope; the
// population risk at these slopes runs the windowed fixed rule of softmax selection (the key slope
// ν puts the selection and σ steps 1/ν wide: ν = 20 took 115 s and ν ≥ 128 threw before).
describe('populationRisk of softmax at the Bayes point of max-SLR at large slopes', () => {
  for (const nu of [20, 100]) {
    for (const Ls of [[2], [1, 2, 3]]) {
      it(`should equal the Bayes risk within both error bounds at ν = ${nu}, L ~ Unif{${Ls.join(',')}}`, () => {
        const lengths = lengthLaw(Ls);
        const r = populationRisk({ task: maxTask, nu, lengths, act: softmax, overlaps: manifoldOverlaps({ mkk: nu, mvv: 1, qkk: nu * nu, qvv: 1 }) });
        const b = bayesRisk(maxTask, nu, lengths);
        expect(r.converged).toBe(true);
        // the error bound must be small enough for the check to mean something (the excess is ~5e−3 at ν = 100)
        expect(r.error).toBeLessThan(1e-8);
        expect(Math.abs(r.excess - b.excess)).toBeLessThanOrEqual(r.error + b.error);
      }, 30_000);
    }
  }
});
