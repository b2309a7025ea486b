/**
 * The claims of the verification suite, one file per statement (see README,
 * "Claims"). `slr verify` runs them in dependency order.
 */
import type { Claim } from '../src/claims/types.ts';
import { claim as bayesRisk } from './bayes-risk.ts';
import { claim as cauchySchwarz } from './cauchy-schwarz-reduction.ts';
import { claim as cor43Max } from './cor-4.3-max.ts';
import { claim as cor43Spiked } from './cor-4.3-spiked.ts';
import { claim as cor43SpikedCorrected } from './cor-4.3-spiked-corrected.ts';
import { claim as cor44Length } from './cor-4.4-length.ts';
import { claim as cor44LengthCorrected } from './cor-4.4-length-corrected.ts';
import { claim as gaussianIbp } from './gaussian-ibp-max.ts';
import { claim as linearClosedForm } from './linear-closed-form.ts';
import { claim as linearGap } from './linear-gap.ts';
import { claim as nishimori } from './nishimori-ratio.ts';
import { claim as othersGap } from './others-gap.ts';
import { claim as softmaxBayes } from './softmax-bayes.ts';

export const claims: readonly Claim[] = [
  nishimori,
  bayesRisk,
  cauchySchwarz,
  gaussianIbp,
  softmaxBayes,
  linearClosedForm,
  linearGap,
  othersGap,
  cor43Spiked,
  cor43SpikedCorrected,
  cor43Max,
  cor44Length,
  cor44LengthCorrected,
];
