/**
 * A small typed wrapper around nerdamer-prime with a time limit on every call.
 *
 * nerdamer is synchronous and some of its operations never return (solve on
 * a rational derivative, expand of a large power); it can also be silently
 * wrong (limit, integrate, defint, some simplify; and, measured here, `diff`
 * of `sqrt(nu)*x` and the parse of `exp(a)/(exp(a)+exp(b))`, see
 * expression.ts). So:
 *
 * - every nerdamer call runs in one long-lived `worker_threads` Worker; the
 *   caller posts the request and blocks with `Atomics.wait` on a
 *   SharedArrayBuffer flag until the worker has posted its reply on a
 *   MessageChannel (read synchronously with `receiveMessageOnPort`) or the
 *   time limit has passed; then the worker is terminated (a fresh one is
 *   started on the next call) and `SymbolicTimeoutError` is thrown. A nerdamer
 *   exception becomes `SymbolicError`. The API stays synchronous.
 * - inputs and outputs are plain expression text; numeric work (compiling,
 *   evaluating, re-checking) never goes through nerdamer but through our own
 *   reader (expression.ts), so a nerdamer result is always checked by an
 *   independent evaluation (verify-numerically.ts).
 *
 * Overhead (test/symbolic/bench-symbolic.ts): starting the worker and loading
 * nerdamer costs ~0.2–0.4 s once per process; a round trip costs tens of µs
 * on top of nerdamer's own time (≥ 0.1 ms even for `x+1`).
 *
 * Not wrapped on purpose: limit, integrate, defint, simplify (silently wrong
 * in our measurements); `substitute` works on our own syntax tree, and
 * `solvePolynomial` uses the root formulas for degrees 1–2 (nerdamer's
 * solve took seconds on the derivations' quadratics).
 */
import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { InvalidInputError, SlrError } from '../errors.ts';
import { type Node, compileExpression, freeNames, parseExpression, printExpression, texExpression } from './expression.ts';
import { Poly } from './polynomial.ts';

/** A nerdamer call failed (it threw, or returned something unusable). */
export class SymbolicError extends SlrError {
  override readonly name: string = 'SymbolicError';
}

/** A nerdamer call did not finish within its time limit (the worker was terminated), or the worker died. */
export class SymbolicTimeoutError extends SymbolicError {
  override readonly name = 'SymbolicTimeoutError';
}

export interface CasOptions {
  /** time limit of this call in ms (default DEFAULT_TIMEOUT_MS) */
  timeoutMs?: number;
}

/** Default time limit of one nerdamer call (ms): generous for the derivations here (the slowest call takes < 1 s). */
export const DEFAULT_TIMEOUT_MS = 20_000;
/** Heap limit of the worker, so that a runaway expansion fails instead of exhausting the machine. */
const WORKER_HEAP_MB = 1024;

// The worker: CommonJS, run with `eval: true` so that no separate file has to be
// located next to the compiled module. It answers {id, op, args} with {id, ok, value | error}.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const nerdamer = require(workerData.nerdamerPath);
const flag = new Int32Array(workerData.flag);
const port = workerData.port;
// nerdamer prints vectors as [a,b,c]; split at top-level commas
function splitVector(text) {
  const s = text.trim();
  if (s[0] !== '[' || s[s.length - 1] !== ']') throw new Error('expected a vector, got ' + s);
  const body = s.slice(1, -1);
  const out = [];
  let depth = 0, start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) { out.push(body.slice(start, i)); start = i + 1; }
  }
  if (body.trim() !== '') out.push(body.slice(start));
  return out.map((t) => t.trim());
}
const ops = {
  normalize: (text) => nerdamer(text).toString(),
  expand: (text) => nerdamer(text).expand().toString(),
  diff: (text, v) => nerdamer.diff(text, v).toString(),
  coeffs: (text, v) => splitVector(nerdamer.coeffs(text, v).toString()),
  solve: (text, v) => splitVector(nerdamer.solve(text, v).toString()),
  tex: (text) => { const e = nerdamer(text); return [e.toString(), e.toTeX()]; },
  ping: () => 'pong',
};
parentPort.on('message', (msg) => {
  let reply;
  try {
    const value = ops[msg.op](...msg.args);
    reply = { id: msg.id, ok: true, value };
  } catch (e) {
    reply = { id: msg.id, ok: false, error: String((e && e.message) || e) };
  }
  try { nerdamer.flush(); } catch (e) { /* history only */ }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

interface Connection {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
}

let connection: Connection | undefined;
let nextId = 1;

/** Work counts of the wrapper (for the benchmark and reports). */
export interface CasStatistics {
  /** nerdamer calls made (including failed and timed-out ones) */
  calls: number;
  /** wall time spent waiting for the worker (ms), including nerdamer's own time */
  milliseconds: number;
  /** workers started (1 + one per timeout) */
  workerStarts: number;
  /** wall time spent starting workers and loading nerdamer (ms) */
  startMilliseconds: number;
  timeouts: number;
}

const stats: CasStatistics = { calls: 0, milliseconds: 0, workerStarts: 0, startMilliseconds: 0, timeouts: 0 };

export function casStatistics(): Readonly<CasStatistics> {
  return { ...stats };
}

function connect(timeoutMs: number): Connection {
  if (connection) return connection;
  const t0 = performance.now();
  const require = createRequire(import.meta.url);
  const nerdamerPath = require.resolve('nerdamer-prime/all');
  const flagBuffer = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { nerdamerPath, flag: flagBuffer, port: port2 },
    transferList: [port2],
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  worker.unref(); // an idle worker must not keep the process alive
  port1.unref();
  connection = { worker, port: port1, flag: new Int32Array(flagBuffer) };
  stats.workerStarts++;
  try {
    // first round trip: waits for nerdamer to load, so start-up is not charged to the first real call
    roundTrip(connection, 'ping', [], Math.max(timeoutMs, 30_000));
  } finally {
    stats.startMilliseconds += performance.now() - t0;
  }
  return connection;
}

/** Terminate the worker (it is restarted on demand). Safe to call at any time. */
export function shutdownCas(): void {
  if (!connection) return;
  void connection.worker.terminate();
  connection.port.close();
  connection = undefined;
}

function roundTrip(c: Connection, op: string, args: readonly unknown[], timeoutMs: number): unknown {
  const id = nextId++;
  Atomics.store(c.flag, 0, 0);
  c.worker.postMessage({ id, op, args });
  const deadline = performance.now() + timeoutMs;
  while (Atomics.load(c.flag, 0) === 0) {
    const remaining = deadline - performance.now();
    if (remaining <= 0 || Atomics.wait(c.flag, 0, 0, remaining) === 'timed-out') {
      if (Atomics.load(c.flag, 0) !== 0) break; // finished at the last moment
      if (connection === c) connection = undefined;
      void c.worker.terminate();
      c.port.close();
      stats.timeouts++;
      throw new SymbolicTimeoutError(
        `nerdamer ${op} did not finish within ${timeoutMs} ms (worker terminated; a fresh one starts on the next call)` +
          (args.length > 0 ? `: ${preview(args[0])}` : ''),
      );
    }
  }
  const msg = receiveMessageOnPort(c.port)?.message as { id: number; ok: boolean; value?: unknown; error?: string } | undefined;
  if (!msg || msg.id !== id) throw new SymbolicError(`nerdamer worker answered out of order (expected reply ${id}, got ${msg?.id})`);
  if (!msg.ok) throw new SymbolicError(`nerdamer ${op} failed: ${msg.error}${args.length > 0 ? ` (input ${preview(args[0])})` : ''}`);
  return msg.value;
}

function call(op: string, args: readonly unknown[], opts: CasOptions): unknown {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    throw new InvalidInputError(`timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  }
  const c = connect(timeoutMs);
  const t0 = performance.now();
  stats.calls++;
  try {
    return roundTrip(c, op, args, timeoutMs);
  } finally {
    stats.milliseconds += performance.now() - t0;
  }
}

function preview(x: unknown): string {
  const s = typeof x === 'string' ? x : JSON.stringify(x);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function requireText(what: string, text: unknown): string {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidInputError(`${what} must be a non-empty expression string, got ${preview(text)}`);
  parseExpression(text); // our own syntax check: what we cannot read back we cannot check
  return text;
}

function requireName(name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name === 'e' || name === 'pi') {
    throw new InvalidInputError(`variable must be a name ([A-Za-z_][A-Za-z0-9_]*, not e or pi), got ${preview(name)}`);
  }
  return name;
}

function asText(op: string, v: unknown): string {
  if (typeof v !== 'string') throw new SymbolicError(`nerdamer ${op} returned ${preview(v)}, not text`);
  return v;
}

/** nerdamer's normal form of `text` (parse and print). Not necessarily simplified. */
export function normalize(text: string, opts: CasOptions = {}): string {
  return asText('normalize', call('normalize', [requireText('expression', text)], opts));
}

/** Fully expanded form (products and integer powers of sums multiplied out). */
export function expand(text: string, opts: CasOptions = {}): string {
  return asText('expand', call('expand', [requireText('expression', text)], opts));
}

/** ∂ text / ∂ variable. Check the result with `checkDerivative` (nerdamer mis-differentiates sqrt(a)·x). */
export function diff(text: string, variable: string, opts: CasOptions = {}): string {
  return asText('diff', call('diff', [requireText('expression', text), requireName(variable)], opts));
}

/**
 * Coefficients c_0 … c_d of a polynomial in `variable`: text = Σ c_k variable^k
 * (index = power). The text should be expanded; coefficients may involve other names.
 */
export function coefficients(text: string, variable: string, opts: CasOptions = {}): string[] {
  const r = call('coeffs', [requireText('polynomial', text), requireName(variable)], opts);
  if (!Array.isArray(r) || r.some((x) => typeof x !== 'string')) throw new SymbolicError(`nerdamer coeffs returned ${preview(r)}`);
  return r as string[];
}

export interface SolveOptions extends CasOptions {
  /**
   * 'auto' (default): degree 1 and 2 in `variable` by the root formulas on
   * exact coefficients (polynomial.ts), higher degrees by nerdamer's solve;
   * 'nerdamer': always nerdamer (it took 1.6–4 s on the quadratics of the
   * derivations, whose coefficients are polynomials in L and c).
   */
  method?: 'auto' | 'nerdamer';
}

/**
 * Roots in `variable` of the equation text = 0, a polynomial in `variable`
 * (other names are parameters). Degree 1: −c₀/c₁; degree 2:
 * (−c₁ ± sqrt(c₁² − 4c₂c₀))/(2c₂) (real for the parameter values where the
 * discriminant is ≥ 0); the text is not simplified. Check each root by
 * substitution (verifyNumerically). Throws SymbolicError when the text is
 * not a polynomial in `variable` or has degree 0.
 */
export function solvePolynomial(text: string, variable: string, opts: SolveOptions = {}): string[] {
  requireText('equation', text);
  requireName(variable);
  if ((opts.method ?? 'auto') === 'auto') {
    const p = Poly.parse(text);
    const inside = p.factors().filter((f) => f.includes('(') && freeNames(parseExpression(f)).includes(variable));
    const { low, coefficients: cs } = p.coefficientsIn(variable);
    if (inside.length > 0 || low < 0) throw new SymbolicError(`solvePolynomial: ${preview(text)} is not a polynomial in ${variable}`);
    const degree = cs.length - 1;
    if (degree === 0) throw new SymbolicError(`solvePolynomial: ${preview(text)} does not depend on ${variable}`);
    if (degree === 1) return [`-(${cs[0]})/(${cs[1]})`];
    if (degree === 2) {
      const disc = `(${cs[1]})^2-4*(${cs[2]})*(${cs[0]})`;
      return [`(-(${cs[1]})+sqrt(${disc}))/(2*(${cs[2]}))`, `(-(${cs[1]})-sqrt(${disc}))/(2*(${cs[2]}))`];
    }
  }
  const r = call('solve', [text, variable], opts);
  if (!Array.isArray(r) || r.some((x) => typeof x !== 'string')) throw new SymbolicError(`nerdamer solve returned ${preview(r)}`);
  return r as string[];
}

/**
 * LaTeX of `text` in nerdamer's normal form. nerdamer sometimes gets that
 * form wrong (see the module comment), so it is compared with `text` at a few
 * fixed points in (0.5, 2) by our evaluator; when they differ, cannot be
 * compared, or nerdamer fails, the text is printed as written (texExpression).
 */
export function toTeX(text: string, opts: CasOptions = {}): string {
  requireText('expression', text);
  let r: unknown;
  try {
    r = call('tex', [text], opts);
  } catch (e) {
    if (e instanceof SymbolicTimeoutError || !(e instanceof SymbolicError)) throw e;
    return texExpression(text); // nerdamer failed (it has internal time limits of its own): print the text as written
  }
  if (!Array.isArray(r) || r.length !== 2) throw new SymbolicError(`nerdamer toTeX returned ${preview(r)}`);
  const [normal, tex] = r as [string, string];
  return sameAtProbePoints(text, normal) ? tex : texExpression(text);
}

/** Whether two texts agree (to 1e−9 relative) at three fixed points with every name in (0.5, 2). */
function sameAtProbePoints(a: string, b: string): boolean {
  try {
    const names = [...new Set([...freeNames(parseExpression(a)), ...freeNames(parseExpression(b))])];
    const fa = compileExpression(a, names);
    const fb = compileExpression(b, names);
    for (const k of [0, 1, 2]) {
      const x = names.map((_, i) => 0.5 + ((0.6180339887 * (i + 1) * (k + 2)) % 1) * 1.5);
      const va = fa(...x);
      const vb = fb(...x);
      if (!Number.isFinite(va) || !Number.isFinite(vb)) return false;
      if (Math.abs(va - vb) > 1e-9 * Math.max(1, Math.abs(va), Math.abs(vb))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Simultaneous substitution on our own syntax tree (no nerdamer involved):
 * every occurrence of a name in `replacements` is replaced by the given
 * expression text (parenthesised), all at once, so x → y, y → x swaps.
 */
export function substitute(text: string, replacements: Readonly<Record<string, string | number>>): string {
  const node = parseExpression(requireText('expression', text));
  const parsed = new Map<string, Node>();
  for (const [name, value] of Object.entries(replacements)) {
    requireName(name);
    const t = typeof value === 'number' ? numberText(value) : value;
    parsed.set(name, parseExpression(requireText(`replacement for ${name}`, t)));
  }
  const walk = (n: Node): Node => {
    switch (n.kind) {
      case 'num':
        return n;
      case 'name':
        return parsed.get(n.name) ?? n;
      case 'neg':
        return { kind: 'neg', arg: walk(n.arg) };
      case 'add':
        return { kind: 'add', left: walk(n.left), right: walk(n.right), sub: n.sub };
      case 'mul':
        return { kind: 'mul', left: walk(n.left), right: walk(n.right), div: n.div };
      case 'pow':
        return { kind: 'pow', base: walk(n.base), exponent: walk(n.exponent) };
      case 'call':
        return { kind: 'call', fn: n.fn, args: n.args.map(walk) };
    }
  };
  return printExpression(walk(node));
}

function numberText(x: number): string {
  if (!Number.isFinite(x)) throw new InvalidInputError(`substituted value must be finite, got ${x}`);
  const s = String(Math.abs(x));
  return x < 0 ? `(-${s})` : s;
}

/** Compile to a JS function of `variables` (in order) with our own evaluator (independent of nerdamer). */
export function compile(text: string, variables: readonly string[]): (...values: number[]) => number {
  variables.forEach(requireName);
  return compileExpression(requireText('expression', text), variables);
}
