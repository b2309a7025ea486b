/**
 * Benchmark (npm run bench): prints figures, asserts nothing. Times are
 * medians after warm-up on this machine.
 */
import { getActivation } from '../src/estimator/activations.ts';
import { RandomStream } from '../src/numerics/random.ts';
import { bayesRisk } from '../src/risk/bayes.ts';
import { classRisk } from '../src/risk/class-risk.ts';
import { monteCarloRisk } from '../src/risk/montecarlo.ts';
import { fixedLength } from '../src/task/length-law.ts';
import { maxTask, spikedTask } from '../src/task/tasks.ts';

function median(fn: () => void, reps: number): number {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

console.log('Bayes risk (ms per call, median of 9 after 3 warm-ups)');
for (const [task, nu, L] of [[spikedTask, 5, 2], [spikedTask, 5, 1e6], [spikedTask, 400, 1000], [spikedTask, 1000, 3], [maxTask, 5, 10], [maxTask, 1000, 1e6], [spikedTask, 0.01, 1e6]] as const) {
  for (let i = 0; i < 3; i++) bayesRisk(task, nu, fixedLength(L));
  const ms = median(() => bayesRisk(task, nu, fixedLength(L)), 9);
  console.log(`  ${task.id.padEnd(6)} nu=${String(nu).padEnd(5)} L=${String(L).padEnd(8)} ${ms.toFixed(1)} ms`);
}
console.log('Class minimum E_σ (s, one run)');
for (const [task, nu, act] of [[spikedTask, 5, 'linear'], [spikedTask, 5, 'erf'], [spikedTask, 5, 'softmax'], [maxTask, Infinity, 'linear']] as const) {
  const t0 = performance.now();
  const r = classRisk({ task, nu, lengths: fixedLength(2), act: getActivation(act) });
  console.log(`  ${task.id.padEnd(6)} nu=${nu} L=2 ${act.padEnd(8)} ${((performance.now() - t0) / 1000).toFixed(2)} s  E=${r.value.toPrecision(10)}`);
}
const rng = new RandomStream(1);
const buf = new Float64Array(1 << 20);
const msN = median(() => rng.fillNormal(buf), 7);
console.log(`Normals: ${(buf.length / msN / 1e3).toFixed(1)} M/s`);
const n = 200_000;
const L = 10;
const msMc = median(() => monteCarloRisk({ task: spikedTask, nu: 2, lengths: fixedLength(L), act: 'bayes' }, { samples: n, seed: 3 }), 3);
console.log(`Monte Carlo, reduced tokens (Bayes predictor, L=10): ${((n * L) / msMc / 1e3).toFixed(1)} M token draws/s`);
