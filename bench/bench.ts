/**
 * Benchmark (npm run bench): prints figures, asserts nothing.
 *
 * Times are per call after warm-up: the median of the wall-clock times and the
 * minimum of the process CPU times (user + system, all threads) — on a shared
 * machine the CPU time is the steadier of the two, and the work counts
 * (evaluations: integrand / kernel evaluations, as reported by the results)
 * do not depend on the load at all.
 */
import { getActivation } from '../src/estimator/activations.ts';
import { RandomStream } from '../src/numerics/random.ts';
import { bayesRisk } from '../src/risk/bayes.ts';
import { benchClassRisk } from './class-risk.ts';
import { monteCarloRisk } from '../src/risk/montecarlo.ts';
import { type Overlaps } from '../src/risk/overlaps.ts';
import { populationRisk } from '../src/risk/population.ts';
import type { RiskResult } from '../src/risk/result.ts';
import { fixedLength, lengthLaw } from '../src/task/length-law.ts';
import { maxTask, spikedTask } from '../src/task/tasks.ts';

const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Median wall ms and minimum CPU ms over `reps` calls (after `warm` warm-up calls), and the last result. */
function time<T>(fn: () => T, reps: number, warm = 2): { wall: number; cpu: number; last: T } {
  let last = fn();
  for (let i = 1; i < warm; i++) last = fn();
  const walls: number[] = [];
  let cpu = Infinity;
  for (let i = 0; i < reps; i++) {
    const c0 = cpuNow();
    const t0 = performance.now();
    last = fn();
    walls.push(performance.now() - t0);
    cpu = Math.min(cpu, cpuNow() - c0);
  }
  walls.sort((a, b) => a - b);
  return { wall: walls[Math.floor(reps / 2)], cpu, last };
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)).padStart(7);

console.log('Bayes risk (ms per call: median wall / min CPU of 9 after 3 warm-ups; evaluations)');
for (const [task, nu, L] of [
  [spikedTask, 5, 2],
  [spikedTask, 5, 1e6],
  [spikedTask, 400, 1000],
  [spikedTask, 1000, 3],
  [maxTask, 5, 10],
  [maxTask, 1000, 1e6],
  [spikedTask, 0.01, 1e6],
] as const) {
  const t = time(() => bayesRisk(task, nu, fixedLength(L)), 9, 3);
  const r = t.last;
  console.log(
    `  ${task.id.padEnd(6)} nu=${String(nu).padEnd(5)} L=${String(L).padEnd(8)} ${fmt(t.wall)} / ${fmt(t.cpu)} ms  evaluations ${String(r.evaluations).padStart(7)}  excess ${r.excess.toPrecision(10)} ± ${r.error.toExponential(1)}`,
  );
}

// a point off the manifold (all seven overlaps non-zero), the Monte Carlo test's; erf's offset c = −0.4
const overlaps: Overlaps = { mkk: 0.8, mkv: 0.3, mvk: -0.2, mvv: 0.7, qkk: 1.2, qvv: 1.1, qkv: 0.25 };
console.log('Population risk at given overlaps (ms per evaluation: median wall / min CPU; evaluations)');
for (const act of ['linear', 'erf', 'exp', 'softmax', 'softplus']) {
  for (const [label, task, nu] of [
    ['spiked ν=2  ', spikedTask, 2],
    ['max ν=1.5   ', maxTask, 1.5],
    ['max ν=∞     ', maxTask, Infinity],
  ] as const) {
    for (const lengths of [fixedLength(3), lengthLaw([1, 2, 3])]) {
      const a = getActivation(act);
      const theta = a.parameters.map(() => -0.4);
      const slow = a.normalised && task === maxTask && Number.isFinite(nu);
      const t = time(() => populationRisk({ task, nu, lengths, act: a, theta, overlaps }), slow ? 3 : 7, slow ? 1 : 2);
      const r: RiskResult = t.last;
      const Ls = lengths.lengths.length === 1 ? `L=${lengths.lengths[0]}      ` : 'L~U{1,2,3}';
      console.log(
        `  ${act.padEnd(9)} ${label} ${Ls} ${fmt(t.wall)} / ${fmt(t.cpu)} ms  evaluations ${String(r.evaluations).padStart(8)}  risk ${r.value.toPrecision(12)} ± ${r.error.toExponential(1)}`,
      );
    }
  }
}

benchClassRisk();
console.log('');

const rng = new RandomStream(1);
const buf = new Float64Array(1 << 20);
const tn = time(() => rng.fillNormal(buf), 7, 1);
console.log(`Normals (ziggurat): ${(buf.length / tn.wall / 1e3).toFixed(1)} M/s wall, ${(buf.length / tn.cpu / 1e3).toFixed(1)} M/s CPU`);
const n = 200_000;
const L = 10;
const tm = time(() => monteCarloRisk({ task: spikedTask, nu: 2, lengths: fixedLength(L), act: 'bayes' }, { samples: n, seed: 3 }), 3, 1);
console.log(`Monte Carlo, reduced tokens (Bayes predictor, L=10): ${((n * L) / tm.wall / 1e3).toFixed(1)} M token draws/s wall, ${((n * L) / tm.cpu / 1e3).toFixed(1)} M/s CPU`);
const D = 200;
const nD = 5_000;
const tD = time(
  () => monteCarloRisk({ task: spikedTask, nu: 2, lengths: fixedLength(3), act: getActivation('softmax'), overlaps }, { samples: nD, seed: 3, dimension: D }),
  3,
  1,
);
console.log(`Monte Carlo, full model D=${D} (softmax, L=3): ${((nD * 3) / tD.wall / 1e3).toFixed(2)} M token draws/s wall, ${((nD * 3) / tD.cpu / 1e3).toFixed(2)} M/s CPU (${D} normals each)`);
