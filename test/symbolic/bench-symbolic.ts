/**
 * Benchmark of the symbolic layer (run: npx tsx test/symbolic/bench-symbolic.ts).
 * Prints figures, asserts nothing. Wall times depend on the machine's load;
 * the work counts (nerdamer calls, worker starts) do not.
 */
import { casStatistics, cas, derivationIds, derivations } from '../../src/symbolic/index.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// worker start-up and round-trip overhead
const t0 = performance.now();
cas.normalize('x');
const start = performance.now() - t0;
const trip: number[] = [];
for (let i = 0; i < 50; i++) {
  const t = performance.now();
  cas.normalize('x');
  trip.push(performance.now() - t);
}
console.log(`CAS worker: first call (start-up, nerdamer load) ${start.toFixed(0)} ms; round trip of normalize('x') median ${median(trip).toFixed(3)} ms over 50 calls`);
const timeoutT = performance.now();
try {
  cas.expand('(a+b+c+d+f)^12', { timeoutMs: 200 });
} catch (e) {
  console.log(`Timeout: ${(e as Error).name} after ${(performance.now() - timeoutT).toFixed(0)} ms (limit 200 ms)`);
}
const restart = performance.now();
cas.normalize('x');
console.log(`Next call after a timeout (worker restart): ${(performance.now() - restart).toFixed(0)} ms`);

console.log('Derivations (one run each, cold; nerdamer calls and time in the worker):');
let total = 0;
for (const id of derivationIds()) {
  const before = casStatistics();
  const t = performance.now();
  const d = derivations[id]();
  const ms = performance.now() - t;
  total += ms;
  const after = casStatistics();
  const checks = d.steps.filter((s) => s.check).length;
  console.log(
    `  ${id.padEnd(26)} ${ms.toFixed(0).padStart(6)} ms  checked=${d.checked}  steps ${d.steps.length} (${checks} checked)  nerdamer calls ${after.calls - before.calls} (${(after.milliseconds - before.milliseconds).toFixed(0)} ms)`,
  );
}
console.log(`  total ${total.toFixed(0)} ms`);
