/**
 * The data model of figures. A figure is a sweep of points (jobs) grouped in
 * panels and series; every point is computed by the engine and written to the
 * figure's CSV with how it was obtained, then plotted.
 *
 * A new figure is one module exporting a `FigureDefinition`, listed in
 * `catalog.ts`. Points of kind 'risk' are `slr risk` invocations (computed by
 * the same `runRisk` as the command, so every CSV row can be re-run); a figure
 * with other kinds of points (e.g. ERM experiments) supplies `computePoint`.
 */

/** The options of `slr risk` for one point (strings, exactly as on the command line). */
export interface RiskPointSpec {
  readonly task: string;
  readonly act: string;
  /** `--L`: one length or a comma list */
  readonly L: string;
  readonly LWeights?: string;
  readonly nu: string;
  readonly delta: string;
  readonly family: 'manifold' | 'full';
}

interface JobBase {
  /** panel id within the figure */
  readonly panel: string;
  /** series id: 'bayes', an activation id, or a reference curve */
  readonly series: string;
  /** abscissa (ν, L, α, …) */
  readonly x: number;
}

/** A point computed by the engine exactly as `slr risk` computes it. */
export interface RiskJob extends JobBase {
  readonly kind: 'risk';
  readonly risk: RiskPointSpec;
}

/** A closed-form reference value (e.g. a reported asymptote), known when the sweep is built. */
export interface ClosedFormJob extends JobBase {
  readonly kind: 'closed-form';
  readonly value: number;
  /** the formula, e.g. "L/((L−1)ν), reported Cor. 4.3" */
  readonly method: string;
}

/** A point of a kind only its figure knows how to compute (`FigureDefinition.computePoint`); `input` must be structured-cloneable. */
export interface CustomJob extends JobBase {
  readonly kind: 'custom';
  readonly input: unknown;
  /** the command line that recomputes the point (the CSV column `command`) */
  readonly command?: string;
  /** the setting of the point, for the CSV columns task, act, L, nu, delta, family (whichever apply) */
  readonly setting?: Partial<RiskPointSpec>;
}

export type Job = RiskJob | ClosedFormJob | CustomJob;

/** How a point came out. `value`/`error` are null when the computation failed (`failure` says why). */
export interface PointOutcome {
  readonly value: number | null;
  /** absolute error bound (quadrature), CI half-width (Monte Carlo), 0 for exact values */
  readonly error: number | null;
  readonly errorKind: 'bound' | 'ci-half-width' | 'exact';
  /** coverage of the interval, for Monte Carlo */
  readonly confidence?: number;
  readonly method: string;
  readonly converged: boolean;
  readonly evaluations?: number;
  readonly iterations?: number;
  readonly samples?: number;
  /** wall time of this point (noisy under load) */
  readonly seconds: number;
  /** the library error's message when the point could not be computed */
  readonly failure?: string;
  /** values of the figure's own CSV columns (`FigureDefinition.extraColumns`) */
  readonly columns?: Readonly<Record<string, string>>;
}

export interface PointRecord {
  readonly figure: string;
  readonly job: Job;
  readonly outcome: PointOutcome;
}

export type ScaleType = 'linear' | 'log';

export interface AxisSpec {
  /** label with symbol and units, e.g. "signal strength ν" */
  readonly label: string;
  /** 'auto' (y only): log when every value is > 0 and they span at least two decades */
  readonly type: ScaleType | 'auto';
  readonly domain?: readonly [number, number];
  /** log x axes: widen the data range by this factor on each side (default 1), so that end markers and their bars clear the frame */
  readonly padding?: number;
}

export interface PanelSpec {
  readonly id: string;
  readonly title: string;
  readonly x: AxisSpec;
  readonly y: AxisSpec;
}

/** How a series is drawn; Bayes is black and heavier than every σ. */
export interface SeriesStyle {
  readonly label: string;
  readonly color: string;
  readonly strokeWidth: number;
  readonly dash?: string;
  /** marker symbol, or none */
  readonly marker?: 'circle' | 'square' | 'triangle' | 'diamond' | 'cross' | 'star';
  /** hollow markers let the curve underneath show (softmax on Bayes) */
  readonly hollow?: boolean;
  /** draw points without a connecting line (e.g. experiments against a theory line) */
  readonly line?: boolean;
  /**
   * a horizontal reference: each point is drawn as a line across the whole
   * panel at its value (its x, e.g. α = ∞ for a population limit, is not
   * plotted and does not enter the x domain)
   */
  readonly horizontal?: boolean;
}

export interface SweepSize {
  /** points per curve (≥ 2) */
  readonly points: number;
  /** restrict to these series ids (all when absent) */
  readonly series?: readonly string[];
  /** values of the figure's own options (`FigureDefinition.parameters`), as typed, by key; absent = the figure's default */
  readonly params?: Readonly<Record<string, string>>;
}

/**
 * An option of one figure (`slr figure <id> --flag value`). The figure parses
 * and validates the value in `jobs` (throwing InvalidInputError), so bad values
 * are reported before any work starts.
 */
export interface FigureParameter {
  /** key in `SweepSize.params`: commander's attribute name of the flag (`--sqrt-nd` → sqrtNd) */
  readonly key: string;
  /** the flag with its value name, e.g. '--D <D>' */
  readonly flags: string;
  readonly description: string;
  /** the default, as shown in the help */
  readonly defaultText: string;
}

export interface FigureDefinition {
  readonly id: string;
  readonly title: string;
  /** one line under the title: the fixed settings (Δ, family, method, what the bars are) */
  readonly subtitle: string;
  /** the subtitle for the points computed, when it depends on the figure's options (default: `subtitle`) */
  subtitleOf?(records: readonly PointRecord[]): string;
  /** a paragraph for the report: what the figure shows and which claim it illustrates */
  readonly caption: string;
  readonly panels: readonly PanelSpec[];
  /** series ids in legend order */
  readonly series: readonly string[];
  /** points per curve by default and with --fast */
  readonly defaultPoints: number;
  readonly fastPoints: number;
  /** the points of the sweep */
  jobs(size: SweepSize): Job[];
  /** styles of series this figure adds beyond the shared ones (series-style.ts) */
  readonly styles?: Readonly<Record<string, SeriesStyle>>;
  /** compute a 'custom' job (runs inside a worker: must not rely on state outside its module) */
  computePoint?(job: CustomJob): PointOutcome | Promise<PointOutcome>;
  /** panel columns (default 2) */
  readonly columns?: number;
  /** lines for `slr figure --help` (e.g. the settings that reproduce the paper) */
  readonly help?: string;
  /** options of this figure only */
  readonly parameters?: readonly FigureParameter[];
  /** CSV columns this figure adds after the shared ones (filled from `PointOutcome.columns`) */
  readonly extraColumns?: readonly string[];
  /** whether `slr figure all` makes it (default true; false for expensive figures) */
  readonly inAll?: boolean;
}
