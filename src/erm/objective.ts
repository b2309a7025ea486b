/**
 * The regularised empirical risk of attention and its analytic gradient.
 *
 * Convention (stated in every output):
 *   E_train(k, v, θ) = (1/N) Σ_n (y_n − f(X_n))² + λ_k |k|²/D + λ_v |v|²/D
 *                    = empirical square loss + λ_k q_kk + λ_v q_vv,
 * with f(X) = Σ_ℓ σ(χ)_ℓ z_ℓ, χ_ℓ = x_ℓ·k/√D, z_ℓ = x_ℓ·v/√D; σ's own
 * parameters θ (erf's offset c) are trained and not penalised. The paper-style
 * objective Σ_n (y_n − f)² + (r_k/2)|k|² + (r_v/2)|v|² is N times this with
 * λ = r/(2α), α = N/D.
 *
 * Variables: w = (w_k, w_v, θ) with w_k = k/√D, w_v = v/√D (so χ_ℓ = x_ℓ·w_k,
 * q_kk = |w_k|², and the Hessian is O(1) whatever D is).
 *
 * Gradient, per sequence with residual r = y − f and c = −2r/N:
 *   normalised σ_ℓ = e^{a_ℓ}/Σe^{a}, a_ℓ = log φ(χ_ℓ; θ):
 *     ∂f/∂χ_ℓ = σ_ℓ (z_ℓ − f) a'(χ_ℓ),  ∂f/∂θ = Σ_ℓ σ_ℓ (z_ℓ − f) ∂_θ a(χ_ℓ)
 *   separable σ_ℓ = φ(χ_ℓ; θ):
 *     ∂f/∂χ_ℓ = φ'(χ_ℓ) z_ℓ,             ∂f/∂θ = Σ_ℓ ∂_θ φ(χ_ℓ) z_ℓ
 *   ∂/∂w_k += c Σ_ℓ (∂f/∂χ_ℓ) x_ℓ,  ∂/∂w_v += c Σ_ℓ σ_ℓ x_ℓ,  ∂/∂θ += c ∂f/∂θ;
 * plus 2λ_k w_k, 2λ_v w_v. The softmax is evaluated as a stable
 * log-sum-exp (weights e^{a_ℓ − max a}).
 *
 * Cost: one evaluation streams the N·L·D stored numbers once from memory:
 * per sequence the L·D numbers are read for the projections (2 dot products
 * per token) and read again, from cache, for the two gradient
 * accumulations — 8 flops per stored number. Where the native addon is
 * built (native.ts; x86-64 with AVX2 or AVX-512) every evaluation goes
 * through its kernels, pass 2 of one block of sequences fused with pass 1 of
 * the next. Otherwise data in a WebAssembly memory (the default from 2^15
 * numbers on, data.ts) go through the SIMD kernels of simd.ts, other data
 * through the JS kernels at the end of this file. All equal the plain
 * reference implementation (reference.ts) to rounding (`ErmKernel`).
 * Data in a shared memory (from 2^20 numbers on, data.ts) can be split over
 * threads (`ObjectiveOptions.threads`, evaluation-pool.ts), each running the
 * same kernels on its slice (bench/erm.ts, README).
 */
import type { Activation } from '../estimator/activation.ts';
import { InvalidInputError, requireFinite } from '../errors.ts';
import type { Overlaps } from '../risk/overlaps.ts';
import { type Dataset, SHARED_MIN_NUMBERS, SIMD_MIN_NUMBERS, type Teacher } from './data.ts';
import { type ResolvedDerivative, resolveDerivative } from './derivatives.ts';
import { type EvaluationPool, evaluationPool, workerActivationIndex } from './evaluation-pool.ts';
import { type NativeKernels, nativeKernelStatus, nativeKernels } from './native.ts';
import { type KernelMemory, kernelVariant, scratchLayout, simdKernels } from './simd.ts';

export interface Penalties {
  /** λ_k ≥ 0 */
  readonly lambdaK: number;
  /** λ_v ≥ 0 */
  readonly lambdaV: number;
}

/** Flops per stored number of one loss-and-gradient evaluation (2 dot products + 2 axpy). */
export const FLOPS_PER_NUMBER = 8;

/**
 * Which streaming kernels an evaluation runs: 'native' (the addon of
 * native.ts, on any data), 'wasm' (WebAssembly SIMD where the data are in a
 * kernel memory, else JS), 'js' (the plain JS kernels), 'auto' (native where
 * the addon is loaded with 256- or 512-bit vectors, else as 'wasm'). All
 * agree with reference.ts to rounding.
 */
export type ErmKernel = 'auto' | 'native' | 'wasm' | 'js';

/**
 * The kernels an 'auto' objective of this process runs, in words (the
 * provenance line of `slr erm`): native with its instruction set, or
 * WebAssembly SIMD (with its build) for data in a kernel memory and JS
 * kernels for smaller data.
 */
export function defaultKernelDescription(): string {
  const nat = autoNativeKernels();
  if (nat) return `native (${nat.isa()})`;
  return `WebAssembly SIMD (${kernelVariant()}) from ${SIMD_MIN_NUMBERS} stored numbers, JS below${nativeKernels() ? '' : `; native: ${nativeKernelStatus()}`}`;
}

/**
 * The native kernels 'auto' runs: the addon where it is loaded with 256- or
 * 512-bit vectors; its baseline build (128-bit, no FMA on x86) measured
 * slower than the WebAssembly kernels with FMA, so 'auto' leaves it to them.
 */
function autoNativeKernels(): NativeKernels | null {
  const nat = nativeKernels();
  return nat && nat.isa() !== 'baseline' ? nat : null;
}

/**
 * Token budget of one block of the native path: pass 2 of a block runs while
 * the next block is projected, so two blocks and the 32·D bytes of w and g
 * should stay in a core's L2 cache (≥ 1 MB on current x86 and ARM cores).
 */
const NATIVE_BLOCK_BYTES = 1 << 18;

export interface ObjectiveOptions {
  /**
   * Threads an evaluation on the training set may use (default 1): the
   * calling thread plus threads − 1 worker threads (evaluation-pool.ts). More
   * than one is used only when the data are in a shared memory (data.ts),
   * hold at least `parallelMinNumbers` numbers, σ is a built-in activation,
   * and the data reserve enough scratch regions (one per core); otherwise
   * the evaluation stays in this thread. See `evaluationThreads`.
   */
  readonly threads?: number;
  /** size threshold of the parallel evaluation in stored numbers (default SHARED_MIN_NUMBERS, where it measured to pay) */
  readonly parallelMinNumbers?: number;
  /** the streaming kernels (default 'auto'); 'native' throws when the addon is not loaded */
  readonly kernel?: ErmKernel;
}

/**
 * E_train and its gradient on one data set for one activation. `evaluate(w,
 * grad)` has the shape `lbfgs` expects; `trainLoss(w)` is the unpenalised
 * empirical square loss; `predict` gives f(X_n) for every sequence.
 */
export class ErmObjective {
  readonly D: number;
  readonly nTheta: number;
  readonly derivative: ResolvedDerivative;
  /** loss-and-gradient evaluations so far */
  evaluations = 0;
  private chi: Float64Array;
  private z: Float64Array;
  private sig: Float64Array;
  private ck: Float64Array;
  private cv: Float64Array;
  private readonly dth: Float64Array;
  private readonly gth: Float64Array;
  private theta: number[];
  /** threads of a training-set evaluation (1: this thread only) */
  readonly evaluationThreads: number;
  private readonly activationIndex: number;
  private pool: EvaluationPool | undefined;
  /** the native kernels when this objective uses them */
  private readonly native: NativeKernels | null;
  /** the kernels that evaluate the training set: 'native', 'wasm' or 'js' */
  readonly kernel: Exclude<ErmKernel, 'auto'>;
  // the per-token tables of the native path (see passNative)
  private coefA = new Float64Array(0);
  private outB = new Float64Array(0);

  constructor(
    readonly data: Dataset,
    readonly act: Activation,
    readonly penalties: Penalties,
    options: ObjectiveOptions = {},
  ) {
    requireFinite('lambda-k', penalties.lambdaK, { min: 0 });
    requireFinite('lambda-v', penalties.lambdaV, { min: 0 });
    const threads = requireFinite('threads', options.threads ?? 1, { min: 1, integer: true });
    const minNumbers = requireFinite('parallel threshold', options.parallelMinNumbers ?? SHARED_MIN_NUMBERS, { min: 0 });
    this.activationIndex = workerActivationIndex(act);
    const kernel = options.kernel ?? 'auto';
    if (!['auto', 'native', 'wasm', 'js'].includes(kernel)) throw new InvalidInputError(`unknown ERM kernel "${kernel}" (auto, native, wasm or js)`);
    this.native = kernel === 'native' ? nativeKernels() : kernel === 'auto' ? autoNativeKernels() : null;
    if (kernel === 'native' && !this.native) throw new InvalidInputError(`the native ERM kernels are not available: ${nativeKernelStatus()}`);
    this.kernel = this.native ? 'native' : kernel !== 'js' && data.memory ? 'wasm' : 'js';
    const parallel = threads > 1 && data.storage === 'shared' && data.tokens * data.D >= minNumbers && this.activationIndex >= 0 && data.N > 1;
    this.evaluationThreads = parallel ? Math.min(threads, data.scratchSlots) : 1;
    if (act.normalised && !act.logWeight) throw new InvalidInputError(`normalised activation "${act.id}" needs logWeight`);
    this.D = data.D;
    this.nTheta = act.parameters.length;
    this.derivative = resolveDerivative(act);
    const Lmax = data.maxLength;
    this.chi = this.z = this.sig = this.ck = this.cv = new Float64Array(0);
    this.growScratch(Lmax);
    this.dth = new Float64Array(this.nTheta);
    this.gth = new Float64Array(this.nTheta);
    this.theta = new Array<number>(this.nTheta).fill(0);
  }

  private growScratch(L: number): void {
    this.chi = new Float64Array(L);
    this.z = new Float64Array(L);
    this.sig = new Float64Array(L);
    this.ck = new Float64Array(L);
    this.cv = new Float64Array(L);
  }

  /** Number of variables: 2D + number of σ parameters. */
  get size(): number {
    return 2 * this.D + this.nTheta;
  }

  /** E_train(w); when `grad` is given, ∇E_train(w) is written into it. Non-finite values are returned as they are. */
  evaluate = (w: Float64Array, grad?: Float64Array): number => {
    this.evaluations++;
    const { D, nTheta } = this;
    for (let j = 0; j < nTheta; j++) this.theta[j] = w[2 * D + j];
    const sum = this.pass(w, grad);
    const N = this.data.N;
    let qk = 0;
    let qv = 0;
    for (let i = 0; i < D; i++) {
      qk += w[i] * w[i];
      qv += w[D + i] * w[D + i];
    }
    const { lambdaK, lambdaV } = this.penalties;
    if (grad) {
      const scale = 1 / N;
      for (let i = 0; i < D; i++) {
        grad[i] = grad[i] * scale + 2 * lambdaK * w[i];
        grad[D + i] = grad[D + i] * scale + 2 * lambdaV * w[D + i];
      }
      for (let j = 0; j < nTheta; j++) grad[2 * D + j] = this.gth[j] * scale;
    }
    return sum / N + lambdaK * qk + lambdaV * qv;
  };

  /** The empirical square loss (1/N) Σ (y − f)² at w (no penalty). */
  trainLoss(w: Float64Array): number {
    for (let j = 0; j < this.nTheta; j++) this.theta[j] = w[2 * this.D + j];
    return this.pass(w, undefined) / this.data.N;
  }

  /** f(X_n) for every sequence of `data` (default: the training set) into out. */
  predict(w: Float64Array, out: Float64Array, data: Dataset = this.data): void {
    for (let j = 0; j < this.nTheta; j++) this.theta[j] = w[2 * this.D + j];
    this.pass(w, undefined, data, out);
  }

  /**
   * Σ_n (y_n − f_n)² over `data`, accumulating the unscaled data part of the
   * gradient (Σ_n −2 r_n ∂f_n/∂w) into grad[0 … 2D) and this.gth when grad is
   * given; writes f_n into `predictions` when given. The streaming passes run
   * in WebAssembly SIMD when the data live in a kernel memory (data.ts), else
   * in the JS kernels below; σ and the per-token coefficients are computed in
   * `sequence` either way.
   */
  private pass(w: Float64Array, grad: Float64Array | undefined, data: Dataset = this.data, predictions?: Float64Array): number {
    if (data.D !== this.D) throw new InvalidInputError(`data of dimension ${data.D} given to an objective of dimension ${this.D}`);
    if (data.maxLength > this.chi.length) this.growScratch(data.maxLength);
    if (grad) {
      grad.fill(0, 0, 2 * this.D);
      this.gth.fill(0);
    }
    if (data === this.data && this.evaluationThreads > 1 && !predictions) return this.passParallel(w, grad, data);
    if (this.native) return this.passNative(this.native, w, grad, data, predictions);
    return data.memory && this.kernel !== 'js' ? this.passSimd(w, grad, data, data.memory, predictions) : this.passJs(w, grad, data, predictions);
  }

  /**
   * `pass` split over the evaluation threads (evaluation-pool.ts): this
   * thread evaluates the first slice of sequences in place, the workers the
   * others; their partial loss and gradient sums are added here in a fixed
   * order (deterministic for a fixed thread count).
   */
  private passParallel(w: Float64Array, grad: Float64Array | undefined, data: Dataset): number {
    this.pool ??= evaluationPool(data, this.evaluationThreads);
    let total = 0;
    const partials = this.pool.evaluate(this.activationIndex, this.native !== null, w, grad !== undefined, (first, end) => {
      total = this.native ? this.passNative(this.native, w, grad, data, undefined, first, end) : this.passSimd(w, grad, data, data.memory!, undefined, first, end, 0);
    });
    const { D, nTheta } = this;
    for (const p of partials) {
      total += p.loss;
      if (!grad) continue;
      for (let i = 0; i < 2 * D; i++) grad[i] += p.gradient[i];
      for (let j = 0; j < nTheta; j++) this.gth[j] += p.gradient[2 * D + j];
    }
    return total;
  }

  /**
   * The data part of one evaluation over sequences [first, end) only, with
   * the SIMD kernels' scratch region `slot` (data.ts; the native kernels
   * need none): Σ (y_n − f_n)² returned, and when `out` is given the
   * unscaled data gradient in out[0 … 2D) and the θ gradient in
   * out[2D … 2D + nTheta). This is what an evaluation worker runs
   * (evaluation-worker.ts); the data must be in a kernel memory unless this
   * objective runs the native kernels.
   */
  evaluateSlice(w: Float64Array, out: Float64Array | undefined, first: number, end: number, slot: number): number {
    const { data, D, nTheta } = this;
    if (!data.memory && !this.native) throw new InvalidInputError('a slice evaluation needs data in a WebAssembly memory or the native kernels');
    if (!(slot >= 0 && slot < data.scratchSlots)) throw new InvalidInputError(`scratch slot ${slot} outside 0…${data.scratchSlots - 1}`);
    if (!(first >= 0 && first <= end && end <= data.N)) throw new InvalidInputError(`slice [${first}, ${end}) outside the ${data.N} sequences`);
    for (let j = 0; j < nTheta; j++) this.theta[j] = w[2 * D + j];
    if (out) {
      out.fill(0, 0, 2 * D);
      this.gth.fill(0);
    }
    const total = this.native ? this.passNative(this.native, w, out, data, undefined, first, end) : this.passSimd(w, out, data, data.memory!, undefined, first, end, slot);
    if (out) for (let j = 0; j < nTheta; j++) out[2 * D + j] = this.gth[j];
    return total;
  }

  /** The JS streaming passes (data in ordinary arrays). */
  private passJs(w: Float64Array, grad: Float64Array | undefined, data: Dataset, predictions?: Float64Array): number {
    const { D, chi, z, ck, cv } = this;
    const wk = w.subarray(0, D);
    const wv = w.subarray(D, 2 * D);
    const gk = grad?.subarray(0, D);
    const gv = grad?.subarray(D, 2 * D);
    let total = 0;
    for (let c = 0; c < data.chunks.length; c++) {
      const X = data.chunks[c];
      const last = data.firstOfChunk[c + 1];
      for (let n = data.firstOfChunk[c]; n < last; n++) {
        const L = data.length[n];
        const base = data.start[n] * D;
        // pass 1: projections χ_ℓ = x_ℓ·w_k, z_ℓ = x_ℓ·w_v, up to four tokens per sweep over i
        for (let l = 0; l < L; l += 4) project(X, base + l * D, D, Math.min(4, L - l), wk, wv, chi, z, l);
        const y = data.y[n];
        const f = this.sequence(L, y, grad !== undefined);
        const r = y - f;
        total += r * r;
        if (predictions) predictions[n] = f;
        if (!grad || r === 0) continue;
        // pass 2 (the sequence is in cache): ∂/∂w_k += Σ_ℓ ck_ℓ x_ℓ, ∂/∂w_v += Σ_ℓ cv_ℓ x_ℓ, four tokens per sweep
        for (let l = 0; l < L; l += 4) accumulate(X, base + l * D, D, Math.min(4, L - l), gk!, gv!, ck, cv, l);
      }
    }
    return total;
  }

  /**
   * The native streaming passes (native.ts) over sequences [first, end):
   * consecutive sequences stored one after another in one chunk form blocks
   * of at most NATIVE_BLOCK_BYTES of tokens (or one sequence); each `step`
   * call projects block k (pass 1) in the same sweeps as it adds block
   * k − 1's gradient terms (pass 2, its tokens still in cache). Between calls
   * σ and the coefficients of block k are computed here, as in the other
   * paths; a sequence without a gradient term gets coefficients 0. w_k, w_v
   * are read from w and the gradient is added into grad in place.
   */
  private passNative(
    nat: NativeKernels,
    w: Float64Array,
    grad: Float64Array | undefined,
    data: Dataset,
    predictions?: Float64Array,
    first = 0,
    end = data.N,
  ): number {
    const { D, chi, z, ck, cv } = this;
    const wk = w.subarray(0, D);
    const wv = w.subarray(D, 2 * D);
    const gk = grad ? grad.subarray(0, D) : null;
    const gv = grad ? grad.subarray(D, 2 * D) : null;
    const maxTokens = Math.max(data.maxLength, Math.floor(NATIVE_BLOCK_BYTES / (4 * D)));
    if (this.outB.length < 2 * maxTokens) {
      this.coefA = new Float64Array(2 * maxTokens);
      this.outB = new Float64Array(2 * maxTokens);
    }
    const { coefA, outB } = this;
    let total = 0;
    let XA: Float32Array | null = null;
    let firstA = 0;
    let tokensA = 0;
    if (first >= end) return total; // an empty slice (more threads than sequences)
    for (let c = data.chunkIndex(first); c < data.chunks.length && data.firstOfChunk[c] < end; c++) {
      const X = data.chunks[c];
      const last = Math.min(end, data.firstOfChunk[c + 1]);
      for (let n0 = Math.max(first, data.firstOfChunk[c]); n0 < last; ) {
        // block B: sequences n0 … n1 − 1, their tokens contiguous
        let n1 = n0 + 1;
        let tokens = data.length[n0];
        while (n1 < last && tokens + data.length[n1] <= maxTokens && data.start[n1] === data.start[n0] + tokens) tokens += data.length[n1++];
        const firstB = data.start[n0] * D;
        nat.step(XA, firstA, tokensA, coefA, X, firstB, tokens, outB, wk, wv, gk, gv, D);
        // block A of the next call: this block with its coefficients
        let withGradient = false;
        for (let n = n0, t = 0; n < n1; n++) {
          const L = data.length[n];
          for (let l = 0; l < L; l++) {
            chi[l] = outB[2 * (t + l)];
            z[l] = outB[2 * (t + l) + 1];
          }
          const y = data.y[n];
          const f = this.sequence(L, y, grad !== undefined);
          const r = y - f;
          total += r * r;
          if (predictions) predictions[n] = f;
          const accumulate = grad !== undefined && r !== 0;
          withGradient ||= accumulate;
          for (let l = 0; l < L; l++) {
            coefA[2 * (t + l)] = accumulate ? ck[l] : 0;
            coefA[2 * (t + l) + 1] = accumulate ? cv[l] : 0;
          }
          t += L;
        }
        XA = X;
        firstA = firstB;
        tokensA = withGradient ? tokens : 0;
        n0 = n1;
      }
    }
    if (tokensA > 0) nat.step(XA, firstA, tokensA, coefA, null, 0, 0, outB, wk, wv, gk, gv, D);
    return total;
  }

  /**
   * The WebAssembly SIMD streaming passes (simd.ts) over data in a kernel
   * memory. w is copied into the memory's blocked scratch; the kernels do the
   * first nv = D − D mod 4 coordinates of every token, JS the rest (straight
   * into grad); the gradient blocks are copied back at the end.
   *
   * Speed (bench/erm.ts, N = D = 3000, L = 3, one thread): pass 1 alone
   * (loss, predictions) runs at the streaming-read bandwidth of one core.
   * With separate f64x2 multiplies and adds (simd.ts, kernelVariant
   * 'mul-add') both passes ran at ≈ 0.58 of it, the arithmetic, not memory,
   * bounding them: 8 flops per number plus 2 conversions from Float32 is
   * ≈ 2.5 cycles per number on 2 floating-point ports. With relaxed SIMD's
   * fused multiply-add ('fma', the default where V8 has it) they run at
   * ≈ 0.70 of it (softmax: 5.0–5.3 against 4.0–4.4 GB/s, the SIMD sum at
   * ≈ 7.0–7.5 GB/s). The rest is pass 2: timing the kernels alone on those
   * 27·10⁶ numbers, pass 1 takes ≈ 12 ms and both passes ≈ 20 ms, pass 2
   * re-reading each sequence (and the 32·D-byte scratch) from cache while
   * memory idles. A variant running pass 2 of sequence n fused with
   * pass 1 of sequence n + 1 in one loop (so the arithmetic would overlap
   * the memory reads) measured no faster with mul-add and only ≈ 5% faster
   * with FMA (within this machine's noise), and was dropped.
   */
  private passSimd(
    w: Float64Array,
    grad: Float64Array | undefined,
    data: Dataset,
    memory: KernelMemory,
    predictions?: Float64Array,
    first = 0,
    end = data.N,
    slot = 0,
  ): number {
    const { D, chi, z, ck, cv } = this;
    const { project, accumulate } = simdKernels(memory);
    // this thread's scratch region (slot 0 unless several threads evaluate these data at once)
    const base = slot * data.scratchBytes;
    const local = scratchLayout(D, data.maxLength);
    const lay = { w: base + local.w, out: base + local.out, coef: base + local.coef };
    const S = new Float64Array(memory.buffer, base, local.bytes / 8);
    const nv = D - (D % 4);
    for (let i = 0; i < nv; i += 2) {
      const o = 4 * i;
      S[o] = w[i];
      S[o + 1] = w[i + 1];
      S[o + 2] = w[D + i];
      S[o + 3] = w[D + i + 1];
      S[o + 4] = 0;
      S[o + 5] = 0;
      S[o + 6] = 0;
      S[o + 7] = 0;
    }
    const out = local.out / 8;
    const coef = local.coef / 8;
    const stride = 4 * D;
    let total = 0;
    if (first >= end) return total; // an empty slice (more threads than sequences)
    for (let c = data.chunkIndex(first); c < data.chunks.length && data.firstOfChunk[c] < end; c++) {
      const X = data.chunks[c];
      const x0 = X.byteOffset;
      const last = Math.min(end, data.firstOfChunk[c + 1]);
      for (let n = Math.max(first, data.firstOfChunk[c]); n < last; n++) {
        const L = data.length[n];
        const base = data.start[n] * D;
        const at = x0 + 4 * base;
        // pass 1: projections, up to four tokens per sweep
        for (let l = 0; l < L; l += 4) project[Math.min(4, L - l)](0, at + l * stride, stride, nv, lay.w, lay.out + 16 * l, 0);
        for (let l = 0; l < L; l++) {
          let a = S[out + 2 * l];
          let b = S[out + 2 * l + 1];
          for (let i = nv, o = base + l * D; i < D; i++) {
            a += X[o + i] * w[i];
            b += X[o + i] * w[D + i];
          }
          chi[l] = a;
          z[l] = b;
        }
        const y = data.y[n];
        const f = this.sequence(L, y, grad !== undefined);
        const r = y - f;
        total += r * r;
        if (predictions) predictions[n] = f;
        if (!grad || r === 0) continue;
        for (let l = 0; l < L; l++) {
          S[coef + 2 * l] = ck[l];
          S[coef + 2 * l + 1] = cv[l];
          for (let i = nv, o = base + l * D; i < D; i++) {
            grad[i] += ck[l] * X[o + i];
            grad[D + i] += cv[l] * X[o + i];
          }
        }
        // pass 2 (the sequence is in cache): gradients, up to four tokens per sweep
        for (let l = 0; l < L; l += 4) accumulate[Math.min(4, L - l)](at + l * stride, 0, stride, nv, lay.w, 0, lay.coef + 16 * l);
      }
    }
    if (grad) {
      for (let i = 0; i < nv; i += 2) {
        const o = 4 * i;
        grad[i] = S[o + 4];
        grad[i + 1] = S[o + 5];
        grad[D + i] = S[o + 6];
        grad[D + i + 1] = S[o + 7];
      }
    }
    return total;
  }

  /**
   * σ and f of one sequence from its projections this.chi, this.z (L tokens,
   * label y); with `withGrad`, the pass-2 coefficients ck_ℓ = c ∂f/∂χ_ℓ,
   * cv_ℓ = c σ_ℓ (c = −2(y − f)) into this.ck, this.cv and c ∂f/∂θ added to
   * this.gth. Returns f.
   */
  private sequence(L: number, y: number, withGrad: boolean): number {
    const { nTheta, chi, z, sig, ck, cv, dth, gth, theta, act } = this;
    const { normalised } = act;
    const g = normalised ? act.logWeight! : act.weight;
    let f = 0;
    if (normalised) {
      let amax = -Infinity;
      for (let l = 0; l < L; l++) {
        const a = g(chi[l], theta);
        sig[l] = a;
        if (a > amax) amax = a;
      }
      let S = 0;
      for (let l = 0; l < L; l++) {
        const e = Math.exp(sig[l] - amax);
        sig[l] = e;
        S += e;
      }
      for (let l = 0; l < L; l++) {
        sig[l] /= S;
        f += sig[l] * z[l];
      }
    } else {
      for (let l = 0; l < L; l++) {
        sig[l] = g(chi[l], theta);
        f += sig[l] * z[l];
      }
    }
    const coef = -2 * (y - f);
    if (!withGrad || coef === 0) return f;
    const { dx, dTheta } = this.derivative;
    for (let l = 0; l < L; l++) {
      const dfdchi = normalised ? sig[l] * (z[l] - f) * dx(chi[l], theta) : dx(chi[l], theta) * z[l];
      ck[l] = coef * dfdchi;
      cv[l] = coef * sig[l];
      if (nTheta > 0) {
        dTheta(chi[l], theta, dth);
        const weight = normalised ? sig[l] * (z[l] - f) : z[l];
        for (let j = 0; j < nTheta; j++) gth[j] += coef * weight * dth[j];
      }
    }
    return f;
  }
}

/*
 * The two streaming kernels, for g = 1…4 tokens at once (one sweep over the
 * coordinates serves g tokens: w_k[i], w_v[i] and the gradient entries are
 * loaded once per g tokens instead of once per token — about 1.7× faster
 * than token by token at L = 3; see bench/erm.ts). Each g has its own loop so
 * that every loop stays monomorphic and free of inner branches.
 */

/** χ[l + j] = x_{l+j}·w_k, z[l + j] = x_{l+j}·w_v for j < g, token l + j starting at X[o + j·D]. */
function project(X: Float32Array, o: number, D: number, g: number, wk: Float64Array, wv: Float64Array, chi: Float64Array, z: Float64Array, l: number): void {
  const o1 = o + D;
  const o2 = o1 + D;
  const o3 = o2 + D;
  if (g === 1) {
    let a0 = 0;
    let b0 = 0;
    for (let i = 0; i < D; i++) {
      const x0 = X[o + i];
      a0 += x0 * wk[i];
      b0 += x0 * wv[i];
    }
    chi[l] = a0;
    z[l] = b0;
  } else if (g === 2) {
    let a0 = 0;
    let b0 = 0;
    let a1 = 0;
    let b1 = 0;
    for (let i = 0; i < D; i++) {
      const k = wk[i];
      const v = wv[i];
      const x0 = X[o + i];
      const x1 = X[o1 + i];
      a0 += x0 * k;
      b0 += x0 * v;
      a1 += x1 * k;
      b1 += x1 * v;
    }
    chi[l] = a0;
    z[l] = b0;
    chi[l + 1] = a1;
    z[l + 1] = b1;
  } else if (g === 3) {
    let a0 = 0;
    let b0 = 0;
    let a1 = 0;
    let b1 = 0;
    let a2 = 0;
    let b2 = 0;
    for (let i = 0; i < D; i++) {
      const k = wk[i];
      const v = wv[i];
      const x0 = X[o + i];
      const x1 = X[o1 + i];
      const x2 = X[o2 + i];
      a0 += x0 * k;
      b0 += x0 * v;
      a1 += x1 * k;
      b1 += x1 * v;
      a2 += x2 * k;
      b2 += x2 * v;
    }
    chi[l] = a0;
    z[l] = b0;
    chi[l + 1] = a1;
    z[l + 1] = b1;
    chi[l + 2] = a2;
    z[l + 2] = b2;
  } else {
    let a0 = 0;
    let b0 = 0;
    let a1 = 0;
    let b1 = 0;
    let a2 = 0;
    let b2 = 0;
    let a3 = 0;
    let b3 = 0;
    for (let i = 0; i < D; i++) {
      const k = wk[i];
      const v = wv[i];
      const x0 = X[o + i];
      const x1 = X[o1 + i];
      const x2 = X[o2 + i];
      const x3 = X[o3 + i];
      a0 += x0 * k;
      b0 += x0 * v;
      a1 += x1 * k;
      b1 += x1 * v;
      a2 += x2 * k;
      b2 += x2 * v;
      a3 += x3 * k;
      b3 += x3 * v;
    }
    chi[l] = a0;
    z[l] = b0;
    chi[l + 1] = a1;
    z[l + 1] = b1;
    chi[l + 2] = a2;
    z[l + 2] = b2;
    chi[l + 3] = a3;
    z[l + 3] = b3;
  }
}

/** g_k += Σ_{j<g} ck[l+j] x_{l+j}, g_v += Σ_{j<g} cv[l+j] x_{l+j}, token l + j starting at X[o + j·D]. */
function accumulate(X: Float32Array, o: number, D: number, g: number, gk: Float64Array, gv: Float64Array, ck: Float64Array, cv: Float64Array, l: number): void {
  const o1 = o + D;
  const o2 = o1 + D;
  const o3 = o2 + D;
  const c0 = ck[l];
  const d0 = cv[l];
  if (g === 1) {
    for (let i = 0; i < D; i++) {
      const x0 = X[o + i];
      gk[i] += c0 * x0;
      gv[i] += d0 * x0;
    }
  } else if (g === 2) {
    const c1 = ck[l + 1];
    const d1 = cv[l + 1];
    for (let i = 0; i < D; i++) {
      const x0 = X[o + i];
      const x1 = X[o1 + i];
      gk[i] += c0 * x0 + c1 * x1;
      gv[i] += d0 * x0 + d1 * x1;
    }
  } else if (g === 3) {
    const c1 = ck[l + 1];
    const d1 = cv[l + 1];
    const c2 = ck[l + 2];
    const d2 = cv[l + 2];
    for (let i = 0; i < D; i++) {
      const x0 = X[o + i];
      const x1 = X[o1 + i];
      const x2 = X[o2 + i];
      gk[i] += c0 * x0 + c1 * x1 + c2 * x2;
      gv[i] += d0 * x0 + d1 * x1 + d2 * x2;
    }
  } else {
    const c1 = ck[l + 1];
    const d1 = cv[l + 1];
    const c2 = ck[l + 2];
    const d2 = cv[l + 2];
    const c3 = ck[l + 3];
    const d3 = cv[l + 3];
    for (let i = 0; i < D; i++) {
      const x0 = X[o + i];
      const x1 = X[o1 + i];
      const x2 = X[o2 + i];
      const x3 = X[o3 + i];
      gk[i] += c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3;
      gv[i] += d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3;
    }
  }
}

/** Split w = (w_k, w_v, θ) into k/√D, v/√D and θ (views, no copy). */
export function splitVariables(w: Float64Array, D: number): { wk: Float64Array; wv: Float64Array; theta: number[] } {
  return { wk: w.subarray(0, D), wv: w.subarray(D, 2 * D), theta: Array.from(w.subarray(2 * D)) };
}

/**
 * The seven overlaps of k = √D w_k, v = √D w_v with the hidden directions:
 * m_kk* = w_k·u_k, m_kv* = w_k·u_v, m_vk* = w_v·u_k, m_vv* = w_v·u_v,
 * q_kk = |w_k|², q_vv = |w_v|², q_kv = w_k·w_v (= k·k* / D etc.).
 */
export function learnedOverlaps(w: Float64Array, teacher: Teacher): Overlaps {
  const D = teacher.D;
  const { uk, uv } = teacher;
  let mkk = 0;
  let mkv = 0;
  let mvk = 0;
  let mvv = 0;
  let qkk = 0;
  let qvv = 0;
  let qkv = 0;
  for (let i = 0; i < D; i++) {
    const a = w[i];
    const b = w[D + i];
    mkk += a * uk[i];
    mkv += a * uv[i];
    mvk += b * uk[i];
    mvv += b * uv[i];
    qkk += a * a;
    qvv += b * b;
    qkv += a * b;
  }
  return { mkk, mkv, mvk, mvv, qkk, qvv, qkv };
}
