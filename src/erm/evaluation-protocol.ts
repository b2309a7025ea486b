/**
 * The shared-memory protocol between the main thread and the evaluation
 * workers of a parallel ERM evaluation (evaluation-pool.ts, evaluation-worker.ts).
 * Kept free of imports beyond the language so that a worker can report a
 * failure to load everything else.
 *
 * Per worker, an Int32 control block of CONTROL_INTS (64 bytes: workers do not
 * share a cache line) in one SharedArrayBuffer:
 */
export const CONTROL_INTS = 16;
/** generation of the latest request; the main thread increments it and notifies */
export const REQUEST = 0;
/** generation of the latest finished request; the worker stores it and notifies */
export const DONE = 1;
/** 0: the last request succeeded; 1: it failed, the error text is in the error block */
export const STATUS = 2;
/** 0: starting; 1: ready; −1: failed to start (error text in the error block) */
export const READY = 3;
/** EVALUATE or STOP */
export const COMMAND = 4;
/** index into EVALUATION_ACTIVATION_IDS */
export const ACTIVATION = 5;
/** 1: accumulate the gradient; 0: loss only */
export const WITH_GRAD = 6;
/** the worker's slice of sequences [FIRST, END) */
export const FIRST = 7;
export const END = 8;
/** bytes of the error text */
export const ERROR_LENGTH = 9;
/** 1: the native kernels (native.ts); 0: the WebAssembly SIMD ones */
export const KERNEL = 10;

export const EVALUATE = 0;
export const STOP = 1;

/** Bytes of a worker's error block (longer error texts are cut). */
export const ERROR_BYTES = 2048;

/** σ parameters a parallel evaluation carries (room in the shared w and result buffers). */
export const MAX_PARAMETERS = 8;

/**
 * The activations a worker can evaluate, by index: the built-in ones (a
 * user-registered σ lives only in the thread that registered it).
 */
export const EVALUATION_ACTIVATION_IDS = ['softmax', 'linear', 'erf', 'softplus', 'exp'] as const;

/** What a worker is started with (structured-cloned; the buffers are shared). */
export interface EvaluationWorkerData {
  /** `Dataset.sharedParts()` */
  readonly parts: unknown;
  readonly control: SharedArrayBuffer;
  /** w = (w_k, w_v, θ): 2D + MAX_PARAMETERS Float64 */
  readonly weights: SharedArrayBuffer;
  /** this worker's partial results: data gradient (2D), θ gradient (MAX_PARAMETERS), loss (1) */
  readonly results: SharedArrayBuffer;
  readonly errors: SharedArrayBuffer;
  /** this worker's index (0-based): its control block, and scratch slot index + 1 (slot 0 is the main thread's) */
  readonly index: number;
}

/** Write "name: message" into a worker's error block. */
export function writeError(control: Int32Array, errors: Uint8Array, error: unknown): void {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const { written } = new TextEncoder().encodeInto(text, errors);
  control[ERROR_LENGTH] = written;
}

/** The error text of a worker's error block. */
export function readError(control: Int32Array, errors: Uint8Array): string {
  // TextDecoder does not accept views of shared memory: copy first
  return new TextDecoder().decode(errors.slice(0, control[ERROR_LENGTH]));
}
