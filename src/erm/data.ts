/**
 * Training, validation and test sets of the full SLR model for empirical risk
 * minimisation: N sequences of tokens in R^D with hidden orthonormal
 * directions, stored as Float32 in chunks.
 *
 * How a sequence is drawn. The task model (`SequenceSampler` in its reduced
 * mode, src/task/sampler.ts) draws the length L, the location ε, the key and
 * value projections χ*_ℓ, z*_ℓ of every token and the label y = z*_ε + √Δ ξ.
 * The token is then completed in R^D as
 *   x_ℓ = χ*_ℓ u_k + z*_ℓ u_v + P_⊥ g_ℓ,   g_ℓ ~ N(0, I_D),
 * with u_k = k* / √D, u_v = v* / √D orthonormal and P_⊥ the projection on their
 * orthogonal complement. This is the law of the full model: a standard
 * Gaussian vector splits into independent parts along an orthonormal frame
 * and its complement, and the task only re-weights (ε, χ*) — the complement
 * part stays N(0, P_⊥) whatever ε and χ* are. (The full-model mode of
 * `SequenceSampler` draws tokens in R^D but exposes only their projections,
 * which ERM cannot use.)
 *
 * Storage: tokens are rounded to Float32 (half the memory and bandwidth of
 * Float64; at √(ND) = 10^4, L = 3 the data is 3·10^8 numbers = 1.2 GB), every
 * sum over them is accumulated in Float64. The labels are computed from the
 * unrounded projections, so the stored (x, y) differ from an exact draw by a
 * relative 2^−24 in x: an extra label perturbation of variance ~ 1e−15,
 * far below any statistical error here. Chunks hold whole sequences and at
 * most 2^24 numbers (64 MB) each, so no single allocation is huge.
 *
 * Where the chunks live: for data of at least `SIMD_MIN_NUMBERS` numbers
 * (and at most what wasm32 addresses, 4 GiB), all chunks are consecutive
 * views into one WebAssembly.Memory, after the scratch region of the SIMD
 * kernels (simd.ts), so that the kernels read the data in place; from
 * `SHARED_MIN_NUMBERS` on that memory is shared (worker threads can evaluate
 * slices of the data in place) and starts with one scratch region per core;
 * otherwise, or where WebAssembly SIMD is missing, in ordinary Float32Arrays
 * and the JS kernels run. `storage` says which.
 */
import { availableParallelism } from 'node:os';
import { InvalidInputError, requireFinite } from '../errors.ts';
import { RandomStream } from '../numerics/random.ts';
import type { LengthLaw } from '../task/length-law.ts';
import { SequenceSampler, orthonormalDirections } from '../task/sampler.ts';
import { type KernelMemory, isShared, kernelMemory, scratchLayout } from './simd.ts';
import { type Task, validateNu } from '../task/tasks.ts';

/** The data law: task, signal strength ν, length law P_L and noise variance Δ. */
export interface DataLaw {
  readonly task: Task;
  readonly nu: number;
  readonly lengths: LengthLaw;
  readonly delta: number;
}

/** Hidden directions u_k = k* / √D and u_v = v* / √D (unit, orthogonal). */
export interface Teacher {
  readonly D: number;
  readonly uk: Float64Array;
  readonly uv: Float64Array;
}

/** Numbers per chunk (64 MB of Float32); a chunk always holds at least one whole sequence. */
export const CHUNK_NUMBERS = 1 << 24;

/**
 * Data of at least this many numbers (128 KB) go to a WebAssembly memory
 * ('auto' storage); below it an evaluation costs microseconds either way and
 * a memory per small data set (each reserves address space) is not worth it.
 */
export const SIMD_MIN_NUMBERS = 1 << 15;

/**
 * Data of at least this many numbers (2^20 = 4 MB) go to a shared
 * WebAssembly memory ('auto' storage), so that an evaluation may split them
 * over threads (objective.ts). Measured on 2 idle cores (bench/erm.ts,
 * split): the split loses below ~5·10^4 numbers (≈ 8 µs of synchronisation
 * per evaluation), gains 1.7× at 2·10^5 and 1.9× from 8·10^5 on; 2^20
 * leaves a margin for the workers' start (≈ 0.4 s with tsx) and for a
 * loaded machine, where the caller waits for the slower thread.
 */
export const SHARED_MIN_NUMBERS = 1 << 20;

/** Most threads one evaluation splits over (scratch regions reserved in a shared memory). */
export const MAX_EVALUATION_THREADS = 16;

/**
 * 'wasm': chunks in a WebAssembly.Memory for the SIMD kernels; 'shared': the
 * same memory shared with worker threads; 'array': plain Float32Arrays;
 * 'auto': wasm from SIMD_MIN_NUMBERS on, shared from SHARED_MIN_NUMBERS on
 * (each when available).
 */
export type Storage = 'auto' | 'wasm' | 'shared' | 'array';

/** The fields of a Dataset (its constructor's argument), typed by the class itself. */
type DatasetParts = Pick<
  Dataset,
  'D' | 'N' | 'y' | 'length' | 'start' | 'chunks' | 'firstOfChunk' | 'maxLength' | 'tokens' | 'memory' | 'storage' | 'scratchSlots' | 'scratchBytes'
>;

/** A shared data set as plain data for a worker thread (`Dataset.sharedParts`): chunks as [byte offset, length] in `memory`. */
export interface SharedDatasetParts extends Omit<DatasetParts, 'chunks' | 'storage' | 'memory'> {
  readonly memory: KernelMemory;
  readonly chunkViews: readonly (readonly [number, number])[];
}

/**
 * The memory for `numbers` numbers after the scratch region(s), and how many
 * scratch regions it starts with: one per possible evaluation thread when
 * shared (threads evaluate at once, each with its own scratch), else one.
 */
function dataMemory(storage: Storage, numbers: number, scratchBytes: number): { memory: KernelMemory | undefined; slots: number } {
  if (storage === 'array' || (storage === 'auto' && numbers < SIMD_MIN_NUMBERS)) return { memory: undefined, slots: 1 };
  if (storage === 'shared' || (storage === 'auto' && numbers >= SHARED_MIN_NUMBERS)) {
    const slots = Math.min(availableParallelism(), MAX_EVALUATION_THREADS);
    const memory = kernelMemory(slots * scratchBytes + 4 * numbers, true);
    if (memory) return { memory, slots };
    if (storage === 'shared') throw new InvalidInputError(`no shared WebAssembly memory for ${numbers} numbers (SIMD or shared memory missing, or above 4 GiB)`);
  }
  const memory = kernelMemory(scratchBytes + 4 * numbers);
  if (storage === 'wasm' && !memory) throw new InvalidInputError(`no WebAssembly SIMD memory for ${numbers} numbers (SIMD missing, or above 4 GiB)`);
  return { memory, slots: 1 };
}

/** Largest dimension accepted (one token must fit a chunk many times over). */
export const MAX_DIMENSION = 1 << 20;

/** Random orthonormal u_k, u_v in R^D (Gram–Schmidt of Gaussian vectors, `orthonormalDirections`). */
export function drawTeacher(D: number, rng: RandomStream): Teacher {
  requireFinite('D', D, { min: 2, max: MAX_DIMENSION, integer: true });
  const [uk, uv] = orthonormalDirections(rng, D, 2);
  return { D, uk, uv };
}

/**
 * N sequences: sequence n has `length[n]` tokens, stored contiguously from
 * number `start[n]·D` of chunk `chunkOf[n]`; chunk c holds sequences
 * `firstOfChunk[c]` … `firstOfChunk[c + 1] − 1`.
 */
export class Dataset {
  readonly D: number;
  readonly N: number;
  readonly y: Float64Array;
  readonly length: Uint32Array;
  /** token index of the sequence's first token inside its chunk */
  readonly start: Uint32Array;
  readonly chunks: Float32Array[];
  readonly firstOfChunk: Uint32Array;
  readonly maxLength: number;
  /** total number of tokens Σ_n L_n */
  readonly tokens: number;
  /** the memory holding the chunks (after its scratch regions) when storage is 'wasm' or 'shared' */
  readonly memory: KernelMemory | undefined;
  readonly storage: 'wasm' | 'shared' | 'array';
  /**
   * Scratch regions of the SIMD kernels at the start of the memory, one per
   * thread that may evaluate on these data at once (`scratchSlots × scratchBytes`
   * bytes, then the data); 1 unless the memory is shared.
   */
  readonly scratchSlots: number;
  /** bytes of one scratch region (`scratchLayout(D, maxLength).bytes`) */
  readonly scratchBytes: number;

  private constructor(parts: DatasetParts) {
    this.D = parts.D;
    this.N = parts.N;
    this.y = parts.y;
    this.length = parts.length;
    this.start = parts.start;
    this.chunks = parts.chunks;
    this.firstOfChunk = parts.firstOfChunk;
    this.maxLength = parts.maxLength;
    this.tokens = parts.tokens;
    this.memory = parts.memory;
    this.storage = parts.storage;
    this.scratchSlots = parts.scratchSlots;
    this.scratchBytes = parts.scratchBytes;
  }

  /**
   * Allocate room for N sequences with the given lengths (tokens zero, labels
   * zero), in chunks of at most `chunkNumbers` numbers (or one sequence),
   * stored as `storage` says (see the module comment).
   */
  static allocate(D: number, lengths: ArrayLike<number>, chunkNumbers = CHUNK_NUMBERS, storage: Storage = 'auto'): Dataset {
    requireFinite('D', D, { min: 2, max: MAX_DIMENSION, integer: true });
    const N = lengths.length;
    if (N < 1) throw new InvalidInputError('a data set needs at least one sequence');
    const length = new Uint32Array(N);
    for (let n = 0; n < N; n++) length[n] = requireFinite('sequence length', lengths[n], { min: 1, integer: true });
    requireFinite('chunk size', chunkNumbers, { min: 1, integer: true });
    const start = new Uint32Array(N);
    let maxLength = 0;
    for (let n = 0; n < N; n++) maxLength = Math.max(maxLength, length[n]);
    const tokensPerChunk = Math.max(maxLength, Math.floor(chunkNumbers / D));
    const chunkSizes: number[] = [];
    const firsts: number[] = [0];
    let inChunk = 0;
    let tokens = 0;
    for (let n = 0; n < N; n++) {
      if (inChunk + length[n] > tokensPerChunk) {
        chunkSizes.push(inChunk);
        firsts.push(n);
        inChunk = 0;
      }
      start[n] = inChunk;
      inChunk += length[n];
      tokens += length[n];
    }
    chunkSizes.push(inChunk);
    firsts.push(N);
    const numbers = tokens * D;
    const scratchBytes = scratchLayout(D, maxLength).bytes;
    const { memory, slots } = dataMemory(storage, numbers, scratchBytes);
    let offset = slots * scratchBytes;
    const chunks = chunkSizes.map((t) => {
      if (!memory) return new Float32Array(t * D);
      const X = new Float32Array(memory.buffer, offset, t * D);
      offset += 4 * t * D;
      return X;
    });
    return new Dataset({
      D,
      N,
      y: new Float64Array(N),
      length,
      start,
      chunks,
      firstOfChunk: Uint32Array.from(firsts),
      maxLength,
      tokens,
      memory,
      storage: memory ? (isShared(memory) ? 'shared' : 'wasm') : 'array',
      scratchSlots: slots,
      scratchBytes,
    });
  }

  /**
   * What a worker thread needs to see these data in place (storage 'shared'
   * only): the shared memory, where the chunks lie in it, and copies of the
   * small per-sequence arrays. Rebuilt there by `fromSharedParts`.
   */
  sharedParts(): SharedDatasetParts {
    if (this.storage !== 'shared' || !this.memory) throw new InvalidInputError(`data with storage '${this.storage}' cannot be shared with worker threads`);
    return {
      D: this.D,
      N: this.N,
      y: this.y,
      length: this.length,
      start: this.start,
      firstOfChunk: this.firstOfChunk,
      maxLength: this.maxLength,
      tokens: this.tokens,
      memory: this.memory,
      scratchSlots: this.scratchSlots,
      scratchBytes: this.scratchBytes,
      chunkViews: this.chunks.map((X) => [X.byteOffset, X.length]),
    };
  }

  /** The data set of `sharedParts`, its chunks views into the same shared memory. */
  static fromSharedParts(parts: SharedDatasetParts): Dataset {
    const { chunkViews, ...rest } = parts;
    const chunks = chunkViews.map(([byteOffset, length]) => new Float32Array(parts.memory.buffer, byteOffset, length));
    return new Dataset({ ...rest, chunks, storage: 'shared' });
  }

  /** Token ℓ of sequence n as a view (for tests and diagnostics; the kernels index chunks directly). */
  token(n: number, l: number): Float32Array {
    const c = this.chunkIndex(n);
    const o = (this.start[n] + l) * this.D;
    return this.chunks[c].subarray(o, o + this.D);
  }

  chunkIndex(n: number): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firstOfChunk[mid] <= n) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** The projections the task model drew for one sequence (kept only when asked, for tests). */
export interface DrawnProjections {
  readonly epsilon: Int32Array;
  readonly chiStar: Float64Array[];
  readonly zStar: Float64Array[];
}

/**
 * Draw N sequences of the full model (see the module comment). `sampler`
 * feeds the task model (lengths, ε, χ*, z*, noise), `tokens` the Gaussian
 * complement; both are consumed in a fixed order, so equal streams give equal
 * data (whatever the chunk size). With `keepProjections` the drawn ε, χ*, z*
 * are returned as well.
 */
export function drawDataset(
  law: DataLaw,
  teacher: Teacher,
  N: number,
  sampler: RandomStream,
  tokens: RandomStream,
  options: { keepProjections?: boolean; chunkNumbers?: number; storage?: Storage } = {},
): { data: Dataset; projections?: DrawnProjections } {
  const keepProjections = options.keepProjections ?? false;
  validateNu(law.task, law.nu);
  requireFinite('N', N, { min: 1, integer: true });
  const seq = new SequenceSampler({ task: law.task, nu: law.nu, lengths: law.lengths, delta: law.delta }, sampler, 'reduced');
  // the task model draws every sequence first (its lengths fix the storage layout), then the tokens are completed
  const drawn: { L: number; eps: number; y: number; chi: Float64Array; z: Float64Array }[] = [];
  for (let n = 0; n < N; n++) {
    const s = seq.next();
    drawn.push({ L: s.L, eps: s.epsilon, y: s.y, chi: s.chiStar.slice(0, s.L), z: s.zStar.slice(0, s.L) });
  }
  const data = Dataset.allocate(teacher.D, drawn.map((d) => d.L), options.chunkNumbers, options.storage);
  fillTokens(data, teacher, tokens, drawn);
  const projections = keepProjections
    ? { epsilon: Int32Array.from(drawn.map((d) => d.eps)), chiStar: drawn.map((d) => d.chi), zStar: drawn.map((d) => d.z) }
    : undefined;
  return { data, projections };
}

/**
 * A source of fresh sequences in blocks of at most `blockSize` (for test
 * sets too large to hold: the empirical test risk streams through them).
 */
export class DatasetStream {
  private readonly seq: SequenceSampler;

  constructor(
    private readonly law: DataLaw,
    private readonly teacher: Teacher,
    sampler: RandomStream,
    private readonly tokens: RandomStream,
  ) {
    validateNu(law.task, law.nu);
    this.seq = new SequenceSampler({ task: law.task, nu: law.nu, lengths: law.lengths, delta: law.delta }, sampler, 'reduced');
  }

  /** The next `count` sequences as a data set. */
  next(count: number): Dataset {
    const drawn: { L: number; y: number; chi: Float64Array; z: Float64Array }[] = [];
    for (let n = 0; n < count; n++) {
      const s = this.seq.next();
      drawn.push({ L: s.L, y: s.y, chi: s.chiStar.slice(0, s.L), z: s.zStar.slice(0, s.L) });
    }
    const data = Dataset.allocate(this.teacher.D, drawn.map((d) => d.L));
    fillTokens(data, this.teacher, this.tokens, drawn);
    return data;
  }
}

/** x = χ* u_k + z* u_v + P_⊥ g for every token, in sequence order; labels copied. */
function fillTokens(data: Dataset, teacher: Teacher, rng: RandomStream, drawn: readonly { L: number; y: number; chi: Float64Array; z: Float64Array }[]): void {
  const { D } = data;
  const { uk, uv } = teacher;
  const g = new Float64Array(D);
  for (let c = 0; c < data.chunks.length; c++) {
    const X = data.chunks[c];
    for (let n = data.firstOfChunk[c]; n < data.firstOfChunk[c + 1]; n++) {
      const d = drawn[n];
      data.y[n] = d.y;
      for (let l = 0; l < d.L; l++) {
        rng.fillNormal(g);
        let a = 0;
        let b = 0;
        for (let i = 0; i < D; i++) {
          a += g[i] * uk[i];
          b += g[i] * uv[i];
        }
        // replace g's components along u_k, u_v by the task model's χ*, z*
        const ca = d.chi[l] - a;
        const cb = d.z[l] - b;
        const o = (data.start[n] + l) * D;
        for (let i = 0; i < D; i++) X[o + i] = g[i] + ca * uk[i] + cb * uv[i];
      }
    }
  }
}
