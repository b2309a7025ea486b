/**
 * The optional native streaming kernels of the ERM loss and gradient
 * (native/erm_kernel.cc, a Node-API addon built at install by node-gyp where
 * a C++ compiler is present; `npm run build:native` rebuilds it).
 *
 * Why: WebAssembly SIMD has 128-bit vectors, and converting the Float32 tokens
 * to Float64 two at a time plus 8 flops per stored number bounds its kernels by
 * arithmetic, at ≈ 0.7 of a streaming read of the same data (simd.ts). The
 * addon compiles the same Float64 arithmetic for AVX-512 or AVX2 + FMA (chosen
 * at load from the CPU), runs pass 2 of one block of tokens in the same sweeps
 * as pass 1 of the next, so that the arithmetic proceeds while the next tokens
 * stream in, and prefetches the tokens ahead. One evaluation then takes less
 * time than a plain loop reading the data once, and about 1.5× the fastest
 * read found (bench/erm.ts, README).
 *
 * Without the addon (no compiler at install, another platform, or
 * SLR_ERM_NATIVE=0 in the environment) `nativeKernels()` is null and the
 * WebAssembly (or JS) kernels run; results agree to rounding either way
 * (test/erm/reference.test.ts).
 */
import { createRequire } from 'node:module';

/** The instruction sets the addon is compiled for (x86-64; elsewhere only 'baseline'). */
export type NativeIsa = 'avx512' | 'avx2' | 'baseline';
export const NATIVE_ISAS: readonly NativeIsa[] = ['avx512', 'avx2', 'baseline'];

/** The addon's exports (see native/erm_kernel.cc). */
export interface NativeKernels {
  /**
   * Pass 2 of block A fused with pass 1 of block B. Block A: tokensA tokens
   * stored one after another from float firstA of XA, with coefficients
   * (ck, cv) per token in coefA, added as g_k += Σ ck x, g_v += Σ cv x.
   * Block B: tokensB tokens from float firstB of XB, whose projections
   * (χ, z) = (x·w_k, x·w_v) go to outB, per token. The k-th eight tokens of
   * A and of B share one sweep over the D coordinates. Arguments out of
   * range throw.
   */
  step(
    XA: Float32Array | null,
    firstA: number,
    tokensA: number,
    coefA: Float64Array,
    XB: Float32Array | null,
    firstB: number,
    tokensB: number,
    outB: Float64Array,
    wk: Float64Array,
    wv: Float64Array,
    gk: Float64Array | null,
    gv: Float64Array | null,
    D: number,
  ): void;
  /**
   * Σ X[i] in Float64, read in 1 stream (front to back) or 8 (the array cut
   * in 8 parts read side by side, as pass 1 reads the 8 tokens of a sweep):
   * the streaming-read references of the benchmark
   */
  sum(X: Float32Array, streams: 1 | 8): number;
  /** the instruction set of the kernels in use: 'avx512', 'avx2' or 'baseline' (the widest this CPU runs, unless `useIsa` chose another) */
  isa(): NativeIsa;
  /** selects the kernels of another instruction set (tests, benchmarks); false when this CPU does not run them */
  useIsa(isa: NativeIsa): boolean;
}

/** The interface version of native/erm_kernel.cc this file calls (a build exporting another is refused). */
const INTERFACE_VERSION = 1;

/** Where the addon was looked for, relative to this file (src/erm or dist/src/erm). */
const CANDIDATES = ['../../build/Release/erm_kernel.node', '../../../build/Release/erm_kernel.node'];

let loaded: { kernels: NativeKernels | null; reason: string } | undefined;

function load(): { kernels: NativeKernels | null; reason: string } {
  if (typeof process !== 'undefined' && process.env.SLR_ERM_NATIVE === '0') return { kernels: null, reason: 'disabled by SLR_ERM_NATIVE=0' };
  const require = createRequire(import.meta.url);
  let reason = 'not built (npm run build:native; needs a C++ compiler)';
  for (const path of CANDIDATES) {
    try {
      const k = require(path) as NativeKernels & { interfaceVersion?: number };
      if (k.interfaceVersion === INTERFACE_VERSION) return { kernels: k, reason: `loaded (${k.isa()})` };
      reason = `${path} is a stale build (interface ${k.interfaceVersion ?? 'unknown'}, expected ${INTERFACE_VERSION}): npm run build:native`;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'MODULE_NOT_FOUND') reason = `${path} failed to load: ${(e as Error).message.split('\n')[0]}`;
    }
  }
  return { kernels: null, reason };
}

/** The native kernels, or null when the addon is unavailable (see `nativeKernelStatus`). */
export function nativeKernels(): NativeKernels | null {
  loaded ??= load();
  return loaded.kernels;
}

/** Why the native kernels are (not) in use: 'loaded (avx512)', 'not built …', 'disabled by …'. */
export function nativeKernelStatus(): string {
  loaded ??= load();
  return loaded.reason;
}
