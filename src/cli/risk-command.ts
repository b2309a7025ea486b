import { Command, Option } from 'commander';
import { InvalidInputError } from '../errors.ts';
import { getActivation } from '../estimator/activations.ts';
import { bayesRisk } from '../risk/bayes.ts';
import { classRisk } from '../risk/class-risk.ts';
import { monteCarloRisk } from '../risk/montecarlo.ts';
import type { Family } from '../risk/overlaps.ts';
import { populationRisk } from '../risk/population.ts';
import type { RiskResult } from '../risk/result.ts';
import { getTask, taskIds, validateNu } from '../task/tasks.ts';
import { riskJson, riskTable } from './format.ts';
import { parseAt, parseInteger, parseLengths, parseNumber } from './parse.ts';

interface RiskOptions {
  task: string;
  act: string;
  L: string;
  LWeights?: string;
  nu: string;
  delta: string;
  family: string;
  at?: string;
  method: string;
  samples: string;
  seed: string;
  dimension: string;
  json?: boolean;
}

export function riskCommand(write: (s: string) => void): Command {
  return new Command('risk')
    .description('Bayes risk, class risk E_σ (minimised over overlaps), or the risk at given overlaps')
    .option('--task <task>', `task: ${taskIds().join(' | ')}`, 'spiked')
    .option('--act <act>', 'bayes | softmax | linear | erf | softplus | exp (or a registered activation)', 'bayes')
    .option('--L <lengths>', 'sequence length, or a comma list drawn uniformly (e.g. 1,2,3)', '2')
    .option('--L-weights <weights>', 'weights of the lengths in --L (unnormalised)')
    .option('--nu <nu>', 'signal strength ν ≥ 0 (max-SLR also inf)', '1')
    .option('--delta <delta>', 'label-noise variance Δ ≥ 0', '0')
    .addOption(new Option('--family <family>', 'overlaps minimised over').choices(['manifold', 'full']).default('manifold'))
    .option('--at <overlaps>', 'evaluate at mkk=…,mvv=…,qkk=…,qvv=…[,mkv=…,mvk=…,qkv=…][,c=…] instead of minimising')
    .addOption(new Option('--method <method>', 'how expectations are computed').choices(['quadrature', 'montecarlo']).default('quadrature'))
    .option('--samples <n>', 'Monte Carlo sequences', '100000')
    .option('--seed <seed>', 'Monte Carlo seed (integer)', '1')
    .option('--dimension <D>', "Monte Carlo token dimension: 'reduced' or D ≥ 4 for the full model", 'reduced')
    .option('--json', 'print one JSON object')
    .action((o: RiskOptions) => {
      const result = runRisk(o);
      write(o.json ? JSON.stringify(riskJson(result)) + '\n' : riskTable(result) + '\n');
    });
}

export function runRisk(o: RiskOptions): RiskResult {
  const task = getTask(o.task);
  const nu = validateNu(task, parseNumber('nu', o.nu, { allowInfinity: true }));
  const lengths = parseLengths(o.L, o.LWeights);
  const delta = parseNumber('delta', o.delta);
  if (delta < 0) throw new InvalidInputError(`delta must be >= 0, got ${o.delta}`);
  const family = o.family as Family;
  const montecarlo = o.method === 'montecarlo';
  const mcOpts = () => ({
    samples: parseInteger('samples', o.samples, 2),
    seed: parseInteger('seed', o.seed, 0),
    dimension: o.dimension === 'reduced' ? ('reduced' as const) : parseInteger('dimension', o.dimension, 4),
  });
  if (o.act === 'bayes') {
    if (o.at) throw new InvalidInputError('--at applies to an activation, not to --act bayes');
    return montecarlo ? monteCarloRisk({ task, nu, lengths, delta, act: 'bayes' }, mcOpts()) : bayesRisk(task, nu, lengths, delta);
  }
  const act = getActivation(o.act);
  if (o.at) {
    const { overlaps, theta: named } = parseAt(o.at, act.parameters.map((p) => p.name));
    const theta = act.parameters.map((p) => named[p.name] ?? p.initial);
    const input = { task, nu, lengths, delta, act, theta, overlaps };
    return montecarlo ? monteCarloRisk(input, mcOpts()) : populationRisk(input);
  }
  if (montecarlo) throw new InvalidInputError('--method montecarlo needs --at (the class minimum is found by quadrature)');
  return classRisk({ task, nu, lengths, delta, act, family });
}
