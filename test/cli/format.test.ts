import { describe, expect, it } from 'vitest';
import { getActivation } from '../../src/estimator/activations.ts';
import { classRisk } from '../../src/risk/class-risk.ts';
import { riskJson, riskTable } from '../../src/cli/format.ts';
import { fixedLength } from '../../src/task/length-law.ts';
import { spikedTask } from '../../src/task/tasks.ts';

describe('printed error of a class minimum', () => {
  it('should add the search tolerance to a searched minimum, not to one the Bayes bound certifies', () => {
    const linear = classRisk({ task: spikedTask, nu: 2, lengths: fixedLength(3), act: getActivation('linear') });
    expect(linear.searchTolerance).toBe(1e-7);
    expect(riskJson(linear).error).toBe(linear.error + 1e-7);
    expect(riskJson(linear).errorKind).toMatch(/search tolerance/);
    expect(riskTable(linear)).toMatch(/incl\. search tolerance 1e-7/);
    // the exact value 6/13 (closed form of linear-closed-form) lies within the printed bound
    expect(Math.abs(linear.value - 6 / 13)).toBeLessThanOrEqual(riskJson(linear).error as number);
    const softmax = classRisk({ task: spikedTask, nu: 2, lengths: fixedLength(3), act: getActivation('softmax') });
    expect(softmax.bayes?.certified).toBe(true);
    expect(softmax.searchTolerance).toBe(0);
    expect(riskJson(softmax).error).toBe(softmax.error);
  });
});
