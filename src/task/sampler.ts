import { InvalidInputError, requireFinite } from '../errors.ts';
import { RandomStream } from '../numerics/random.ts';
import type { LengthLaw } from './length-law.ts';
import { type Task, logPosteriorWeight } from './tasks.ts';

/**
 * One drawn sequence, reduced to what any estimator of this project sees of
 * it: per token the projections χ*_ℓ (key side), z*_ℓ (value side) and the
 * coordinates of x_ℓ along two further orthonormal directions e3, e4 that the
 * trained k, v may use; the hidden location ε and the label y.
 */
export interface SequenceSample {
  L: number;
  epsilon: number;
  y: number;
  /** length ≥ L each; only the first L entries are meaningful */
  chiStar: Float64Array;
  zStar: Float64Array;
  e3: Float64Array;
  e4: Float64Array;
}

export interface SamplerConfig {
  readonly task: Task;
  readonly nu: number;
  readonly lengths: LengthLaw;
  readonly delta: number;
}

/**
 * Draws sequences of the SLR model. `dimension` = D ≥ 4 draws every token in
 * R^D and projects it on k* / √D, v* / √D, e3, e4 — random orthonormal directions
 * drawn once per sampler with |k*|² = |v*|² = D, k* ⊥ v* — so that the whole
 * model (and not its reduction) is exercised; `dimension` = 'reduced' draws
 * the four projections directly (they are exactly i.i.d. N(0,1) per token
 * under the base law), which is what the reduction of THEORY.md §3 claims.
 *
 * `coordinates` (2, 3 or 4; default 4) says how many of (χ*, z*, e3, e4) the
 * caller reads: the others are neither drawn (reduced) nor projected (full
 * model), and stay 0. The Bayes predictor needs 2; an estimator whose k, v do
 * not reach e3 (e4) needs 2 (3).
 */
export class SequenceSampler {
  readonly config: SamplerConfig;
  readonly dimension: number | 'reduced';
  readonly coordinates: number;
  private readonly rng: RandomStream;
  private readonly basis: Float64Array[] | undefined;
  private readonly interleaved: Float64Array | undefined;
  private readonly projections = new Float64Array(4);
  private readonly lengthCdf: Float64Array;
  private readonly sample: SequenceSample;
  private readonly logits: Float64Array;
  private readonly spike: readonly { weight: number; mean: number; sd: number }[] | undefined;
  private readonly slope: number;

  constructor(config: SamplerConfig, rng: RandomStream, dimension: number | 'reduced' = 'reduced', coordinates = 4) {
    this.config = config;
    this.rng = rng;
    this.dimension = dimension;
    requireFinite('delta', config.delta, { min: 0 });
    this.coordinates = requireFinite('coordinates', coordinates, { min: 2, max: 4, integer: true });
    const Lmax = Math.max(...config.lengths.lengths);
    if (dimension !== 'reduced') {
      requireFinite('D', dimension, { min: 4, integer: true });
      if (Lmax * dimension > 5e7) throw new InvalidInputError(`L·D = ${Lmax * dimension} is too large for full-model sampling (max 5e7)`);
      this.basis = orthonormalDirections(rng, dimension, 4);
      // the first `coordinates` directions interleaved, for one-pass projections
      const k = this.coordinates;
      this.interleaved = new Float64Array(k * dimension);
      for (let i = 0; i < dimension; i++) for (let j = 0; j < k; j++) this.interleaved[k * i + j] = this.basis[j][i];
    }
    // the task's laws are fixed for the sampler's life: read them once, not per sequence
    const task = config.task;
    this.spike = task.kind === 'product' ? task.spikeLaw(config.nu) : undefined;
    this.slope = task.kind === 'selection' ? task.selectionSlope(config.nu) : 0;
    const cdf = new Float64Array(config.lengths.probabilities.length);
    let acc = 0;
    config.lengths.probabilities.forEach((p, i) => (cdf[i] = acc += p));
    this.lengthCdf = cdf;
    this.sample = {
      L: 0,
      epsilon: 0,
      y: 0,
      chiStar: new Float64Array(Lmax),
      zStar: new Float64Array(Lmax),
      e3: new Float64Array(Lmax),
      e4: new Float64Array(Lmax),
    };
    this.logits = new Float64Array(Lmax);
  }

  /** k* / √D, v* / √D, e3, e4 of the full model (undefined when reduced). */
  directions(): readonly Float64Array[] | undefined {
    return this.basis;
  }

  /** Draw the next sequence; the returned object is reused by the next call. */
  next(): SequenceSample {
    const { task, nu, delta } = this.config;
    const rng = this.rng;
    const s = this.sample;
    const u = rng.uniform();
    let li = 0;
    while (li < this.lengthCdf.length - 1 && u > this.lengthCdf[li]) li++;
    const L = this.config.lengths.lengths[li];
    s.L = L;
    if (this.basis) for (let l = 0; l < L; l++) this.drawToken(l);
    else this.drawReduced(L);
    if (task.kind === 'product') {
      const eps = Math.min(L - 1, Math.floor(rng.uniform() * L));
      s.epsilon = eps;
      // replace the spike's key projection by a draw from the spike law; its other coordinates stay N(0,1)
      const law = this.spike!;
      let k = 0;
      if (law.length > 1) {
        const v = rng.uniform();
        let acc = law[0].weight;
        while (k < law.length - 1 && v > acc) acc += law[++k].weight;
      }
      s.chiStar[eps] = law[k].mean + law[k].sd * rng.normal();
    } else {
      const c = this.slope;
      if (c === Infinity) {
        let best = 0;
        for (let l = 1; l < L; l++) if (s.chiStar[l] > s.chiStar[best]) best = l;
        s.epsilon = best;
      } else {
        for (let l = 0; l < L; l++) this.logits[l] = c * s.chiStar[l];
        s.epsilon = rng.categorical(this.logits, L);
      }
    }
    s.y = s.zStar[s.epsilon] + (delta > 0 ? Math.sqrt(delta) * rng.normal() : 0);
    return s;
  }

  /** The first `coordinates` projections of L tokens, directly: χ* of all tokens, then z*, then e3, e4 (bulk fills, no copies). */
  private drawReduced(L: number): void {
    const s = this.sample;
    const k = this.coordinates;
    const rng = this.rng;
    rng.fillNormal(s.chiStar, 0, L);
    rng.fillNormal(s.zStar, 0, L);
    if (k > 2) rng.fillNormal(s.e3, 0, L);
    if (k > 3) rng.fillNormal(s.e4, 0, L);
  }

  /** One token of the full model: x ~ N(0, I_D) and its projections on the first `coordinates` directions (x is not stored). */
  private drawToken(l: number): void {
    const s = this.sample;
    const p = this.projections;
    const k = this.coordinates;
    this.rng.gaussianProjections(this.interleaved!, this.dimension as number, k, p);
    s.chiStar[l] = p[0];
    s.zStar[l] = p[1];
    s.e3[l] = k > 2 ? p[2] : 0;
    s.e4[l] = k > 3 ? p[3] : 0;
  }
}

/** n random orthonormal vectors in R^D (Gram–Schmidt of Gaussian vectors, done twice for stability). */
export function orthonormalDirections(rng: RandomStream, D: number, n: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = new Float64Array(D);
    rng.fillNormal(v);
    for (let pass = 0; pass < 2; pass++) {
      for (const u of out) {
        let dot = 0;
        for (let i = 0; i < D; i++) dot += v[i] * u[i];
        for (let i = 0; i < D; i++) v[i] -= dot * u[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < D; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < D; i++) v[i] /= norm;
    out.push(v);
  }
  return out;
}

/** Posterior log-weights of ε given the key projections, for the Bayes predictor. */
export function posteriorLogits(task: Task, nu: number, chiStar: Float64Array, L: number, out: Float64Array): void {
  if (task.kind === 'product') {
    const law = task.spikeLaw(nu);
    for (let l = 0; l < L; l++) out[l] = logPosteriorWeight(law, chiStar[l]);
  } else {
    const c = task.selectionSlope(nu);
    if (c === Infinity) {
      let best = 0;
      for (let l = 1; l < L; l++) if (chiStar[l] > chiStar[best]) best = l;
      for (let l = 0; l < L; l++) out[l] = l === best ? 0 : -Infinity;
    } else {
      for (let l = 0; l < L; l++) out[l] = c * chiStar[l];
    }
  }
}
