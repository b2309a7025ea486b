/** The report's own stylesheet (inlined; system fonts for prose, KaTeX fonts for mathematics). */
export const REPORT_CSS = `
:root { --confirmed: #1a7f37; --refuted: #c62828; --inconclusive: #9a6700; --muted: #555; --rule: #d0d7de; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; line-height: 1.45; color: #111; margin: 0 auto; max-width: 1180px; padding: 1.5rem 2rem 4rem; }
h1 { margin: 0 0 .3rem; font-size: 1.9rem; }
h2 { border-bottom: 2px solid var(--rule); padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { margin: 0 0 .3rem; font-size: 1.25rem; }
h4 { margin: 1rem 0 .4rem; font-size: 1rem; }
a { color: #0550ae; }
header .paper { font-size: 1.1rem; margin: 0 0 .6rem; }
header .run, .meta, .seconds, .kind, .claim-id, .work, .reason, .justification { color: var(--muted); font-size: .9rem; }
.claim-id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: normal; margin-left: .4rem; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: .8rem; font-size: .78rem; font-weight: 700; letter-spacing: .02em; color: white; vertical-align: middle; }
.badge-confirmed { background: var(--confirmed); }
.badge-refuted { background: var(--refuted); }
.badge-inconclusive { background: var(--inconclusive); }
.bad { color: var(--refuted); }
.good { color: var(--confirmed); }
.unexpected { color: var(--refuted); font-weight: 600; }
nav ol { margin: .2rem 0; }
nav li { margin: .1rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin: .4rem 0 .8rem; }
th, td { border: 1px solid var(--rule); padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.evidence td:nth-child(2) { font-variant-numeric: tabular-nums; white-space: nowrap; }
.err { color: var(--muted); }
.claim { border: 1px solid var(--rule); border-left: 6px solid var(--muted); border-radius: 6px; padding: 1rem 1.2rem; margin: 1.2rem 0; }
.claim.verdict-confirmed { border-left-color: var(--confirmed); }
.claim.verdict-refuted { border-left-color: var(--refuted); }
.claim.verdict-inconclusive { border-left-color: var(--inconclusive); }
.statement { background: #f6f8fa; border-radius: 4px; padding: .3rem 1rem; margin: .6rem 0; overflow-x: auto; }
.statement-text { margin: .2rem 0 .6rem; }
.check { border-top: 1px dashed var(--rule); padding-top: .5rem; margin-top: .5rem; }
.check p { margin: .2rem 0; }
.derivation ol { padding-left: 1.4rem; }
.derivation .step { margin: .6rem 0; }
.derivation .katex-display, .statement .katex-display, .result .katex-display { overflow-x: auto; overflow-y: hidden; }
.step-check { font-size: .88rem; margin: 0; }
.slr-figure { margin: 1.5rem 0; border: 1px solid var(--rule); border-radius: 6px; padding: 1rem; }
.slr-figure .svg-wrap > svg { width: 100%; height: auto; display: block; }
figcaption { margin-top: .6rem; }
details pre { white-space: pre-wrap; font-size: .82rem; background: #f6f8fa; padding: .6rem; border-radius: 4px; }
footer { margin-top: 3rem; font-size: .9rem; }
`;
