/**
 * Symbolic evidence for a claim: its derivations (src/symbolic) are run, every
 * step must have passed its numeric re-check, and the derived result must
 * equal what the statement says (compared by `verifyNumerically` at random
 * points, SymPy style). A failed step or a mismatch refutes; a CAS failure or
 * timeout is INCONCLUSIVE (nothing was decided).
 */
import { SymbolicError, type Domain, getDerivation, verifyNumerically } from '../symbolic/index.ts';
import type { Check, CheckOutcome, Derivation, DerivationStep, Evidence } from './types.ts';

export interface StatedForm {
  /** which derivation's result to compare */
  readonly derivation: string;
  /** compare this step's expression (its label starts with this) instead of the result */
  readonly step?: string;
  readonly label: string;
  /** the statement's expression, in the variables of the derivation's result */
  readonly expression: string;
  readonly variables: readonly string[];
  readonly domain: Domain;
}

export function symbolicCheck(spec: { id: string; description: string; fast: boolean; derivations: readonly string[]; stated?: readonly StatedForm[] }): Check {
  return {
    id: spec.id,
    kind: 'symbolic',
    description: spec.description,
    fast: spec.fast,
    run(ctx): CheckOutcome {
      const evidence: Evidence[] = [];
      let derived: Derivation[];
      try {
        derived = spec.derivations.map((id) => getDerivation(id));
      } catch (e) {
        if (!(e instanceof SymbolicError)) throw e;
        return { verdict: 'INCONCLUSIVE', summary: `the computer algebra failed: ${e.message}`, evidence: [{ label: 'symbolic error', note: e.message }] };
      }
      const failedSteps: string[] = [];
      for (const d of derived) {
        const failed = d.steps.filter((s) => s.check && !s.check.passed);
        failedSteps.push(...failed.map((s) => `${d.title}: ${s.label}`));
        evidence.push({
          label: d.title,
          expression: d.result.expression,
          tex: d.result.tex,
          note: `${d.steps.length} steps, ${d.steps.filter((s) => s.check?.passed).length} re-checked numerically${failed.length ? `, ${failed.length} FAILED` : ''}`,
        });
      }
      let mismatches = 0;
      for (const st of spec.stated ?? []) {
        const d = derived[spec.derivations.indexOf(st.derivation)];
        const step = st.step === undefined ? undefined : d.steps.find((x) => x.label.startsWith(st.step!));
        if (st.step !== undefined && !step) throw new Error(`derivation ${st.derivation} has no step "${st.step}"`);
        const derivedExpression = step ? step.expression : d.result.expression;
        const c = verifyNumerically(derivedExpression, st.expression, st.variables, st.domain, ctx.seed);
        if (!c.passed) mismatches++;
        evidence.push({
          label: `derived ${step ? `"${step.label}"` : 'result'} vs ${st.label}`,
          expression: `${derivedExpression}  vs  ${st.expression}`,
          note: `${c.passed ? 'equal' : 'DIFFERENT'}: ${c.detail}`,
          method: c.method,
          seed: c.seed,
        });
      }
      const verdict = failedSteps.length || mismatches ? 'REFUTED' : 'CONFIRMED';
      const summary = failedSteps.length
        ? `a derivation step failed its numeric re-check: ${failedSteps.join('; ')}`
        : `${derived.reduce((n, d) => n + d.steps.length, 0)} derivation steps re-checked${spec.stated?.length ? `; derived result ${mismatches ? 'DIFFERS from' : 'equals'} the statement (${spec.stated.map((s) => s.label).join(', ')})` : ''}`;
      return { verdict, summary, evidence };
    },
  };
}

/** One derivation made of several (their steps in order, each labelled with its part). */
export function combinedDerivation(title: string, ids: readonly string[]): Derivation {
  const parts = ids.map((id) => getDerivation(id));
  if (parts.length === 1) return parts[0];
  const steps: DerivationStep[] = parts.flatMap((d, i) => d.steps.map((s) => ({ ...s, label: `(${String.fromCharCode(97 + i)}) ${s.label}` })));
  const last = parts[parts.length - 1];
  return { title: `${title}: ${parts.map((d, i) => `(${String.fromCharCode(97 + i)}) ${d.title}`).join('; ')}`, steps, result: last.result, checked: parts.every((d) => d.checked) };
}
