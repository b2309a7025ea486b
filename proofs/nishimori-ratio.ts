/**
 * The ratio ("Nishimori") condition both tasks satisfy: the posterior of ε is
 * softmax(c_ν χ*) — the fact behind Prop. 4.1's form and Prop. 4.2. Checked on
 * the engine's own encodings of the tasks: the product task's log density
 * ratio (src/task/tasks.ts, used by the Bayes quadrature) and the posterior
 * logits the Monte Carlo Bayes predictor uses (src/task/sampler.ts).
 */
import fc from 'fast-check';
import { propertyCheck } from '../src/claims/checks.ts';
import { symbolicCheck } from '../src/claims/symbolic-check.ts';
import type { Claim } from '../src/claims/types.ts';
import { getDerivation } from '../src/symbolic/index.ts';
import { posteriorLogits } from '../src/task/sampler.ts';
import { getTask, logPosteriorWeight, spikedTask } from '../src/task/tasks.ts';

/** |a − b| ≤ 64 eps (|a| + |b| + |terms|): the two sides are sums of O(1)·O(c·x) terms rounded a few times. */
const ROUNDING = 64 * Number.EPSILON;

const tokens = fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 2, maxLength: 8 });

export const claim: Claim = {
  id: 'nishimori-ratio',
  title: 'Ratio condition: the posterior of the location is a softmax of the key projections',
  paperRef: '§4, ratio condition',
  source: 'derived',
  statement: {
    tex: String.raw`\frac{g_\nu(\epsilon,\chi)}{g_\nu(\epsilon',\chi)} = e^{c_\nu(\chi_\epsilon-\chi_{\epsilon'})},\quad c_\nu=\sqrt{\nu}\ \text{(spiked)},\ c_\nu=\nu\ \text{(max)}\ \Rightarrow\ P(\epsilon=\ell\mid X)=\operatorname{softmax}(c_\nu\chi^*)_\ell`,
    text: 'For spiked-SLR (g = exp(√ν χ_ε − ν/2)) and max-SLR (g = L e^{νχ_ε}/Σe^{νχ}) the ratio g(ε,χ)/g(ε′,χ) is exp(c_ν(χ_ε − χ_ε′)), so the posterior of ε is softmax(c_ν χ*).',
  },
  assumptions: ['ε uniform on {1..L} a priori; tokens i.i.d. N(0, I_D) re-weighted by g_ν'],
  uses: [],
  expect: 'CONFIRMED',
  // CPU seconds on one core (slr verify --workers 1, 2026-11-30, after the large-slope fix), for scheduling only
  cost: { fast: 0.38, full: 0.45 },
  tolerances: { rounding: { value: ROUNDING, reason: '64 ulp relative to the magnitude of the terms: each side is a few rounded products and sums' } },
  derivation: () => getDerivation('nishimori-ratio'),
  checks: [
    symbolicCheck({
      id: 'derivation',
      description: 'the log-ratio of g_ν simplified symbolically for both tasks, and softmax(c_ν χ*)·z* as the posterior mean (every step re-checked numerically)',
      fast: true,
      derivations: ['nishimori-ratio'],
    }),
    propertyCheck({
      id: 'spiked-density-ratio',
      description: "spiked-SLR: the engine's log density ratio of the spike law to N(0,1) satisfies log ρ(x) − log ρ(x′) = √ν (x − x′)",
      fast: true,
      runs: 500,
      fastRuns: 100,
      arbitrary: fc.tuple(fc.double({ min: 0, max: 1000, noNaN: true }), fc.double({ min: -8, max: 40, noNaN: true }), fc.double({ min: -8, max: 40, noNaN: true })),
      property: ([nu, x, x2]) => {
        const law = spikedTask.spikeLaw(nu);
        const lhs = logPosteriorWeight(law, x) - logPosteriorWeight(law, x2);
        const rhs = Math.sqrt(nu) * (x - x2);
        const scale = Math.abs(logPosteriorWeight(law, x)) + Math.abs(logPosteriorWeight(law, x2)) + Math.abs(rhs) + 1;
        const ok = Math.abs(lhs - rhs) <= ROUNDING * scale;
        return { verdict: ok ? 'CONFIRMED' : 'REFUTED', detail: `lhs ${lhs}, rhs ${rhs}, difference ${lhs - rhs}` };
      },
      show: ([nu, x, x2]) => `ν=${nu}, x=${x}, x′=${x2}`,
    }),
    propertyCheck({
      id: 'sampler-posterior-logits',
      description: 'both tasks: the posterior logits the Monte Carlo Bayes predictor uses differ from c_ν χ* by a constant',
      fast: true,
      runs: 300,
      fastRuns: 60,
      arbitrary: fc.tuple(fc.constantFrom('spiked', 'max'), fc.double({ min: 0, max: 100, noNaN: true }), tokens),
      property: ([taskId, nu, chi]) => {
        const task = getTask(taskId);
        const c = task.nishimoriSlope(nu)!;
        const out = new Float64Array(chi.length);
        posteriorLogits(task, nu, Float64Array.from(chi), chi.length, out);
        let worst = 0;
        for (let i = 1; i < chi.length; i++) {
          const lhs = out[i] - out[0];
          const rhs = c * (chi[i] - chi[0]);
          worst = Math.max(worst, Math.abs(lhs - rhs) / (ROUNDING * (Math.abs(out[i]) + Math.abs(out[0]) + Math.abs(rhs) + 1)));
        }
        return { verdict: worst <= 1 ? 'CONFIRMED' : 'REFUTED', detail: `largest difference / rounding allowance = ${worst}` };
      },
      show: ([t, nu, chi]) => `${t} ν=${nu} χ*=[${chi.join(', ')}]`,
    }),
  ],
};
