// Worker of the multi-threaded streaming-read reference of bench/erm.ts: sums its slice of a
// shared kernel memory on request (Atomics, as the evaluation workers do), with the WebAssembly
// SIMD `sum` kernel or (workerData.native) the native 8-stream sum. Control Int32: [0] request
// counter (−1: stop), [1] done counter, [2] byte offset, [3] Float32 count.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
const { simdKernels } = await import('../src/erm/simd.ts');
const { nativeKernels } = await import('../src/erm/native.ts');
const { memory, control } = workerData;
const nat = workerData.native ? nativeKernels() : null;
const sum = nat ? (offset, count) => nat.sum(new Float32Array(memory.buffer, offset, count), 8) : simdKernels(memory).sum;
const c = new Int32Array(control);
const result = new Float64Array(workerData.result);
Atomics.store(c, 1, 0);
Atomics.notify(c, 1);
for (let seen = 0; ; ) {
  Atomics.wait(c, 0, seen);
  seen = Atomics.load(c, 0);
  if (seen < 0) break;
  result[0] = sum(c[2], c[3]);
  Atomics.store(c, 1, seen);
  Atomics.notify(c, 1);
}
