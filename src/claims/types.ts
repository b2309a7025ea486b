/**
 * The data model of the verification suite (issue 3). A claim is one
 * statement of the paper (or an identity our derivations rest on, or a
 * corrected form of a reported statement), stored as data in `proofs/<id>.ts`;
 * its status is computed by running its checks, never typed in.
 *
 * Producers: `proofs/*.ts` (claims), `src/symbolic/` (derivations).
 * Consumers: `slr verify` (runner, JSON, JUnit), `slr inspect` (derivations),
 * `slr list` (graph), `slr report` (HTML, from the verify JSON below).
 */

/** Outcome of a check or a claim. */
export type Verdict = 'CONFIRMED' | 'REFUTED' | 'INCONCLUSIVE';

/** Where a statement comes from. */
export type ClaimSource =
  /** stated in the paper, read from its text */
  | 'paper'
  /** known only second-hand (THEORY.md marks it "reported") */
  | 'reported'
  /** an identity or closed form this project derived and relies on */
  | 'derived'
  /** our corrected form of a reported statement that came out refuted */
  | 'corrected';

/** A tolerance is a number with the reason for its size (rounding, quadrature, Monte Carlo, asymptotic remainder). */
export interface Tolerance {
  readonly value: number;
  readonly reason: string;
}

/**
 * One number, expression or observation offered as evidence, with its
 * provenance. Numbers carry error, method and work; symbolic results carry
 * their expression and LaTeX.
 */
export interface Evidence {
  readonly label: string;
  readonly value?: number;
  /** absolute error bound (quadrature) or CI half-width (Monte Carlo, see confidence) */
  readonly error?: number;
  readonly confidence?: number;
  readonly method?: string;
  readonly evaluations?: number;
  readonly samples?: number;
  readonly iterations?: number;
  readonly seed?: number;
  readonly converged?: boolean;
  /** what the statement predicts for this quantity, when it predicts a number */
  readonly expected?: number;
  readonly tolerance?: Tolerance;
  /** symbolic evidence: a nerdamer expression and its LaTeX */
  readonly expression?: string;
  readonly tex?: string;
  /** free text (e.g. a property run: "200 runs, seed 42, 0 counterexamples") */
  readonly note?: string;
  /** the parameters this evidence was computed at (task, L, ν, Δ, …) */
  readonly at?: Readonly<Record<string, string | number>>;
}

export type CheckKind = 'symbolic' | 'quadrature' | 'montecarlo' | 'property' | 'asymptotic' | 'structural';

export interface CheckContext {
  /** seed for every random choice of the check (Monte Carlo, random points, property runs) */
  readonly seed: number;
  /** a quick run (`slr verify --fast`): fewer points and samples, same logic */
  readonly fast: boolean;
  /** progress for long checks (stderr in the CLI) */
  readonly progress?: (message: string) => void;
}

export interface CheckOutcome {
  readonly verdict: Verdict;
  /** one line: what was compared and how it came out */
  readonly summary: string;
  readonly evidence: readonly Evidence[];
}

/** A numeric, symbolic or property check of a claim. `run` must be able to return REFUTED (see the mutation tests). */
export interface Check {
  readonly id: string;
  readonly kind: CheckKind;
  readonly description: string;
  /** run by `slr verify --fast` */
  readonly fast: boolean;
  run(ctx: CheckContext): CheckOutcome | Promise<CheckOutcome>;
}

/** One step of a derivation, as shown by `slr inspect`. */
export interface DerivationStep {
  readonly label: string;
  /** nerdamer expression text (or plain text where the step is not symbolic) */
  readonly expression: string;
  readonly tex: string;
  /** the rule applied: "Isserlis/Wick", "d/dm", "solve", "substitute m = …", "Cauchy–Schwarz", … */
  readonly justification: string;
  /** how the step was re-checked numerically, and whether it held */
  readonly check?: {
    readonly method: string;
    readonly passed: boolean;
    readonly detail: string;
  };
}

export interface Derivation {
  readonly title: string;
  readonly steps: readonly DerivationStep[];
  /** the final expression (nerdamer text and LaTeX) */
  readonly result: { readonly expression: string; readonly tex: string };
  /** every step's check passed */
  readonly checked: boolean;
}

export interface Claim {
  /** stable kebab-case id, also the file name proofs/<id>.ts */
  readonly id: string;
  readonly title: string;
  /** e.g. "Prop. 4.1", "Cor. 4.3", "Fig. 2", or "—" for our own identities */
  readonly paperRef: string;
  readonly source: ClaimSource;
  readonly statement: { readonly tex: string; readonly text: string };
  readonly assumptions: readonly string[];
  /** ids of the claims this one rests on (must exist; no cycles) */
  readonly uses: readonly string[];
  /** the verdict we expect (like SymPy's XFAIL): `slr verify` exits 1 when a verdict differs */
  readonly expect: Verdict;
  /** for a refuted reported statement: the id of the corrected claim beside it */
  readonly correctedBy?: string;
  /** each tolerance the checks use, named, with the reason for its size */
  readonly tolerances: Readonly<Record<string, Tolerance>>;
  /** the symbolic form (computed on demand: it may run nerdamer) */
  derivation?(): Derivation;
  readonly checks: readonly Check[];
  /**
   * Rough CPU seconds of a run on one core (measured, see the claim file), used
   * only to schedule parallel runs longest first; a wrong figure costs time,
   * never a verdict. Default 1.
   */
  readonly cost?: { readonly fast: number; readonly full: number };
}

/** A claim's verdict from its checks: REFUTED if any check refutes, CONFIRMED if all confirm, else INCONCLUSIVE. */
export function combineVerdicts(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('REFUTED')) return 'REFUTED';
  if (verdicts.length > 0 && verdicts.every((v) => v === 'CONFIRMED')) return 'CONFIRMED';
  return 'INCONCLUSIVE';
}

// ---- the JSON written by `slr verify --json` and read by `slr report` ----

export interface CheckRecord {
  readonly id: string;
  readonly kind: CheckKind;
  readonly description: string;
  readonly verdict: Verdict;
  readonly summary: string;
  readonly evidence: readonly Evidence[];
  readonly seconds: number;
}

export interface ClaimRecord {
  readonly id: string;
  readonly title: string;
  readonly paperRef: string;
  readonly source: ClaimSource;
  readonly statement: { readonly tex: string; readonly text: string };
  readonly assumptions: readonly string[];
  readonly uses: readonly string[];
  readonly expect: Verdict;
  readonly correctedBy?: string;
  readonly tolerances: Readonly<Record<string, Tolerance>>;
  readonly verdict: Verdict;
  readonly asExpected: boolean;
  readonly checks: readonly CheckRecord[];
  readonly derivation?: Derivation;
  readonly seconds: number;
}

export interface VerifyReport {
  readonly tool: { readonly name: string; readonly version: string };
  readonly paper: { readonly arxiv: string; readonly title: string };
  readonly startedAt: string;
  readonly seconds: number;
  readonly seed: number;
  readonly fast: boolean;
  readonly versions: Readonly<Record<string, string>>;
  readonly claims: readonly ClaimRecord[];
  readonly summary: {
    readonly confirmed: number;
    readonly refuted: number;
    readonly inconclusive: number;
    readonly asExpected: number;
    readonly unexpected: readonly string[];
  };
}
