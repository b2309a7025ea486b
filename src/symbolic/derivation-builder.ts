/**
 * Building a `Derivation` (src/claims/types.ts) step by step: each step is
 * an expression (nerdamer text, with LaTeX from nerdamer or given), the rule
 * applied, and how it was re-checked numerically. Steps without a check are
 * definitions or assumptions (the model, a substitution of notation); every
 * derived step carries one. `checked` is true iff every check passed.
 */
import type { Derivation, DerivationStep } from '../claims/types.ts';
import { texStatement } from './expression.ts';
import type { NumericCheck } from './verify-numerically.ts';

export type StepCheck = { readonly method: string; readonly passed: boolean; readonly detail: string };

/** Several checks of one step as one: passed iff all passed; methods and details joined. */
export function allOf(...checks: readonly StepCheck[]): StepCheck {
  return {
    method: [...new Set(checks.map((c) => c.method))].join('; '),
    passed: checks.every((c) => c.passed),
    detail: checks.map((c) => c.detail).join('; '),
  };
}

/** Keep only the fields of a NumericCheck that a DerivationStep records. */
export function stepCheck(c: NumericCheck | StepCheck): StepCheck {
  return { method: c.method, passed: c.passed, detail: c.detail };
}

export class DerivationBuilder {
  private readonly steps: DerivationStep[] = [];
  constructor(readonly title: string) {}

  /**
   * A symbolic step. `tex` defaults to the LaTeX of `expression` exactly as
   * written (texExpression: no normalisation, so text and TeX cannot disagree;
   * nerdamer's toTeX re-normalises and fails on some large inputs). Returns `expression`.
   */
  step(label: string, expression: string, justification: string, check?: NumericCheck | StepCheck, tex?: string): string {
    this.steps.push({
      label,
      expression,
      tex: tex ?? texStatement(expression),
      justification,
      ...(check ? { check: stepCheck(check) } : {}),
    });
    return expression;
  }

  /** A step stated in words (e.g. an inequality or a structural fact), with its LaTeX. */
  text(label: string, statement: string, tex: string, justification: string, check?: NumericCheck | StepCheck): void {
    this.steps.push({ label, expression: statement, tex, justification, ...(check ? { check: stepCheck(check) } : {}) });
  }

  finish(expression: string, tex?: string): Derivation {
    const withChecks = this.steps.filter((s) => s.check);
    return {
      title: this.title,
      steps: [...this.steps],
      result: { expression, tex: tex ?? texStatement(expression) },
      checked: withChecks.length > 0 && withChecks.every((s) => s.check!.passed),
    };
  }
}
