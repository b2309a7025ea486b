/**
 * Our own reader of expression text, independent of nerdamer: it parses the
 * syntax nerdamer prints (and that we write), evaluates it in double
 * precision with a running error bound, prints it back, and splits expanded
 * polynomials into monomials.
 *
 * Why a second parser: a numeric re-check of a nerdamer result must not go
 * through nerdamer. nerdamer-prime 1.5.0 parses `exp(nu*x)/(exp(nu*x)+exp(nu*y))`
 * as `(e^(nu*x)+e^(nu*y))^(-1+nu*x)` and differentiates `sqrt(nu)*x` in x to
 * `sqrt(nu^(1/2))` (= ν^{1/4}); its own `buildFunction` agrees with its own
 * mistake. Evaluating the *input* text with this module catches both (see
 * test/symbolic/cas.test.ts).
 *
 * Grammar (precedence low → high; `^` is right-associative and binds tighter
 * than unary minus, so -x^2 = -(x^2) and 2^-1 = 2^(-1), as in nerdamer):
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := atom ('^' unary)?
 *   atom    := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
 * Names are [A-Za-z_][A-Za-z0-9_]*; `e` and `pi` are constants; functions:
 * sqrt, exp, log (natural), abs, sin, cos, tan, atan, sinh, cosh, tanh, erf, erfc.
 */
import { InvalidInputError } from '../errors.ts';
import { erf, erfc } from '../numerics/special.ts';

export type Node =
  | { readonly kind: 'num'; readonly value: number; readonly text: string }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'neg'; readonly arg: Node }
  | { readonly kind: 'add'; readonly left: Node; readonly right: Node; readonly sub: boolean }
  | { readonly kind: 'mul'; readonly left: Node; readonly right: Node; readonly div: boolean }
  | { readonly kind: 'pow'; readonly base: Node; readonly exponent: Node }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Node[] };

const CONSTANTS: Readonly<Record<string, number>> = { e: Math.E, pi: Math.PI };

const FUNCTIONS: Readonly<Record<string, (x: number) => number>> = {
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  abs: Math.abs,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  erf,
  erfc,
};

/** Function names the evaluator knows. */
export const KNOWN_FUNCTIONS: readonly string[] = Object.freeze(Object.keys(FUNCTIONS));

/** Parse expression text; throws InvalidInputError with the position of the first error. */
export function parseExpression(text: string): Node {
  if (typeof text !== 'string') throw new InvalidInputError(`expression must be a string, got ${typeof text}`);
  const p = new Parser(text);
  const node = p.sum();
  p.skip();
  if (p.pos < text.length) p.fail(`unexpected "${text[p.pos]}"`);
  return node;
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(why: string): never {
    throw new InvalidInputError(`cannot parse expression at position ${this.pos}: ${why} in ${JSON.stringify(this.text)}`);
  }

  skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  peek(): string {
    this.skip();
    return this.text[this.pos] ?? '';
  }

  sum(): Node {
    let left = this.product();
    for (;;) {
      const c = this.peek();
      if (c !== '+' && c !== '-') return left;
      this.pos++;
      left = { kind: 'add', left, right: this.product(), sub: c === '-' };
    }
  }

  product(): Node {
    let left = this.unary();
    for (;;) {
      const c = this.peek();
      if (c !== '*' && c !== '/') return left;
      this.pos++;
      left = { kind: 'mul', left, right: this.unary(), div: c === '/' };
    }
  }

  unary(): Node {
    const c = this.peek();
    if (c === '-') {
      this.pos++;
      return { kind: 'neg', arg: this.unary() };
    }
    if (c === '+') {
      this.pos++;
      return this.unary();
    }
    return this.power();
  }

  power(): Node {
    const base = this.atom();
    if (this.peek() === '^') {
      this.pos++;
      return { kind: 'pow', base, exponent: this.unary() };
    }
    return base;
  }

  atom(): Node {
    const c = this.peek();
    if (c === '(') {
      this.pos++;
      const inner = this.sum();
      if (this.peek() !== ')') this.fail('missing ")"');
      this.pos++;
      return inner;
    }
    const rest = this.text.slice(this.pos);
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(rest);
    if (num) {
      this.pos += num[0].length;
      return { kind: 'num', value: Number(num[0]), text: num[0] };
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (name) {
      this.pos += name[0].length;
      if (this.peek() === '(') {
        if (!(name[0] in FUNCTIONS)) this.fail(`unknown function "${name[0]}"`);
        this.pos++;
        const args = [this.sum()];
        while (this.peek() === ',') {
          this.pos++;
          args.push(this.sum());
        }
        if (this.peek() !== ')') this.fail('missing ")"');
        this.pos++;
        if (args.length !== 1) this.fail(`${name[0]} takes one argument, got ${args.length}`);
        return { kind: 'call', fn: name[0], args };
      }
      return { kind: 'name', name: name[0] };
    }
    return this.fail(c === '' ? 'unexpected end' : `unexpected "${c}"`);
  }
}

/** The free names of an expression (constants e, pi excluded), sorted. */
export function freeNames(node: Node): string[] {
  const out = new Set<string>();
  const walk = (n: Node): void => {
    switch (n.kind) {
      case 'num':
        return;
      case 'name':
        if (!(n.name in CONSTANTS)) out.add(n.name);
        return;
      case 'neg':
        return walk(n.arg);
      case 'add':
      case 'mul':
        walk(n.left);
        return walk(n.right);
      case 'pow':
        walk(n.base);
        return walk(n.exponent);
      case 'call':
        return n.args.forEach(walk);
    }
  };
  walk(node);
  return [...out].sort();
}

/**
 * Print a node back to text that both this parser and nerdamer read as the
 * same value, with parentheses only where precedence needs them
 * (a − (b + c), a/(b·c), (a + b)^k, x^(−1), −(a + b)).
 */
export function printExpression(node: Node): string {
  const p = (n: Node, min: number) => (precedence(n) < min ? `(${printExpression(n)})` : printExpression(n));
  switch (node.kind) {
    case 'num':
      return node.text;
    case 'name':
      return node.name;
    case 'neg':
      return `-${p(node.arg, 3)}`;
    case 'add': {
      const right = node.right.kind === 'neg' || (node.sub && node.right.kind === 'add') ? `(${printExpression(node.right)})` : printExpression(node.right);
      return `${printExpression(node.left)}${node.sub ? '-' : '+'}${right}`;
    }
    case 'mul': {
      const right = node.right.kind === 'neg' ? `(${printExpression(node.right)})` : p(node.right, node.div ? 5 : 3);
      return `${p(node.left, 3)}${node.div ? '/' : '*'}${right}`;
    }
    case 'pow': {
      const base = node.base.kind === 'name' || node.base.kind === 'call' || (node.base.kind === 'num' && !/[eE]/.test(node.base.text)) ? printExpression(node.base) : `(${printExpression(node.base)})`;
      const exponent = node.exponent.kind === 'name' || node.exponent.kind === 'num' ? printExpression(node.exponent) : `(${printExpression(node.exponent)})`;
      return `${base}^${exponent}`;
    }
    case 'call':
      return `${node.fn}(${node.args.map(printExpression).join(',')})`;
  }
}

// ------------------------------------------------------------ evaluation

/** A value with a first-order bound on its rounding error. */
export interface Evaluated {
  readonly value: number;
  /** running (Wilkinson) first-order bound on |computed − exact|, for exact inputs */
  readonly error: number;
  /** number of rounded operations (arithmetic and library calls) */
  readonly operations: number;
}

/** Unit roundoff u = eps/2. */
const U = Number.EPSILON / 2;
/**
 * Library functions (Math.exp, Math.pow, erf, …) are not correctly rounded;
 * V8's fdlibm ports and our Cody erf are within 1–2 ulp, so each is charged 2 ulp = 4u.
 */
const LIBM_ROUNDING = 4 * U;

/**
 * Compile an expression to a function of the listed variables (in that
 * order); every other name is an error (InvalidInputError), except the
 * constants e and pi. The function returns the value only; see
 * `compileWithError` for the rounding bound.
 */
export function compileExpression(text: string | Node, variables: readonly string[]): (...values: number[]) => number {
  const node = typeof text === 'string' ? parseExpression(text) : text;
  const index = variableIndex(node, variables);
  // straight-line JavaScript generated from our own syntax tree (names are validated identifiers
  // mapped to array slots, so no input text reaches the generated code); ~50× faster than closures
  const f = new Function('x', 'pw', 'F', `return ${generate(node, index)};`) as (x: readonly number[], pw: typeof power, F: typeof FUNCTIONS) => number;
  return (...values: number[]) => f(values, power, FUNCTIONS);
}

function variableIndex(node: Node, variables: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  variables.forEach((v, i) => index.set(v, i));
  const missing = freeNames(node).filter((n) => !index.has(n));
  if (missing.length > 0) {
    throw new InvalidInputError(`expression uses ${missing.join(', ')}, not among the variables [${variables.join(', ')}]`);
  }
  return index;
}

/** Left spine of an operator chain (a ∘ b ∘ c parsed as ((a ∘ b) ∘ c)), so that long sums are emitted flat. */
function spine(node: Node, kind: 'add' | 'mul'): { first: Node; rest: Array<{ op: string; node: Node }> } {
  const rest: Array<{ op: string; node: Node }> = [];
  let n = node;
  while (n.kind === kind) {
    const op = n.kind === 'add' ? (n.sub ? '-' : '+') : n.div ? '/' : '*';
    rest.push({ op, node: n.right });
    n = n.left;
  }
  return { first: n, rest: rest.reverse() };
}

/** JavaScript for the value of a node; JS evaluates a + b - c left to right exactly as the tree does. */
function generate(node: Node, index: Map<string, number>): string {
  switch (node.kind) {
    case 'num':
      return `(${node.value})`;
    case 'name':
      if (node.name in CONSTANTS && !index.has(node.name)) return `(${CONSTANTS[node.name]})`;
      return `x[${index.get(node.name)!}]`;
    case 'neg':
      return `(-${generate(node.arg, index)})`;
    case 'add':
    case 'mul': {
      const { first, rest } = spine(node, node.kind);
      return `(${generate(first, index)}${rest.map((r) => ` ${r.op} ${generate(r.node, index)}`).join('')})`;
    }
    case 'pow':
      return `pw(${generate(node.base, index)}, ${generate(node.exponent, index)})`;
    case 'call':
      return `F.${node.fn}(${generate(node.args[0], index)})`;
  }
}

/**
 * x^p (integer powers of negative bases allowed, as in Math.pow); p = 2, 3 by
 * multiplication (≤ 2 roundings, within the 2 ulp charged to a power) and
 * p = 1/2 as sqrt.
 */
function power(x: number, p: number): number {
  if (p === 2) return x * x;
  if (p === 3) return x * x * x;
  if (p === 0.5) return Math.sqrt(x);
  return Math.pow(x, p);
}

/**
 * Compile to a function returning the value with a first-order running error
 * bound (Wilkinson's running error analysis): for exact inputs, each rounded
 * operation ∘ contributes u·|result| plus the propagation of its operands'
 * bounds through the derivative of ∘:
 *   a ± b: e_a + e_b;   a·b: |b|e_a + |a|e_b;   a/b: (e_a + |a/b|e_b)/|b|;
 *   a^p: |p a^{p−1}|e_a + |a^p log a|e_p;   f(a): |f′(a)|e_a  (+ 2 ulp per library call).
 * Decimal literals that are not exact doubles carry u·|value|. The bound is
 * first order: it neglects products of error terms (relative size ~ n·u), so
 * callers multiply it by a small safety factor.
 */
export function compileWithError(text: string | Node, variables: readonly string[]): (...values: number[]) => Evaluated {
  const node = typeof text === 'string' ? parseExpression(text) : text;
  const index = variableIndex(node, variables);
  const lines: string[] = [];
  let operations = 0;
  let k = 0;
  // emit straight-line code: each node gets a value v<k> and a bound e<k>
  const emit = (n: Node): number => {
    const t = k++;
    const v = `v${t}`;
    const e = `e${t}`;
    switch (n.kind) {
      case 'num': {
        // integers up to 2^53 are exact; any other literal is charged one rounding (conservative for 0.5 etc.)
        const exact = Number.isInteger(n.value) && Math.abs(n.value) <= 2 ** 53;
        lines.push(`const ${v} = ${n.value}; const ${e} = ${exact ? 0 : U * Math.abs(n.value)};`);
        break;
      }
      case 'name':
        if (n.name in CONSTANTS && !index.has(n.name)) lines.push(`const ${v} = ${CONSTANTS[n.name]}; const ${e} = ${U * CONSTANTS[n.name]};`);
        else lines.push(`const ${v} = x[${index.get(n.name)!}]; const ${e} = 0;`);
        break;
      case 'neg': {
        const a = emit(n.arg);
        lines.push(`const ${v} = -v${a}; const ${e} = e${a};`);
        break;
      }
      case 'add': {
        const a = emit(n.left);
        const b = emit(n.right);
        operations++;
        lines.push(`const ${v} = v${a} ${n.sub ? '-' : '+'} v${b}; const ${e} = e${a} + e${b} + U * Math.abs(${v});`);
        break;
      }
      case 'mul': {
        const a = emit(n.left);
        const b = emit(n.right);
        operations++;
        if (n.div) lines.push(`const ${v} = v${a} / v${b}; const ${e} = (e${a} + Math.abs(${v}) * e${b}) / Math.abs(v${b}) + U * Math.abs(${v});`);
        else lines.push(`const ${v} = v${a} * v${b}; const ${e} = Math.abs(v${b}) * e${a} + Math.abs(v${a}) * e${b} + U * Math.abs(${v});`);
        break;
      }
      case 'pow': {
        const a = emit(n.base);
        const b = emit(n.exponent);
        operations++;
        lines.push(
          `const ${v} = pw(v${a}, v${b}); let ${e} = LIBM * Math.abs(${v});` +
            ` if (e${a} > 0) ${e} += Math.abs(v${b} * pw(v${a}, v${b} - 1)) * e${a};` +
            ` if (e${b} > 0) ${e} += Math.abs(${v} * Math.log(Math.abs(v${a}))) * e${b};`,
        );
        break;
      }
      case 'call': {
        const a = emit(n.args[0]);
        operations++;
        lines.push(`const ${v} = F.${n.fn}(v${a}); const ${e} = LIBM * Math.abs(${v}) + (e${a} > 0 ? D.${n.fn}(v${a}, ${v}) * e${a} : 0);`);
        break;
      }
    }
    return t;
  };
  const root = emit(node);
  lines.push(`return [v${root}, e${root}];`);
  const f = new Function('x', 'pw', 'F', 'D', 'U', 'LIBM', lines.join('\n')) as (
    x: readonly number[],
    pw: typeof power,
    F: typeof FUNCTIONS,
    D: typeof DERIVATIVE_BOUNDS,
    U: number,
    LIBM: number,
  ) => [number, number];
  return (...values: number[]) => {
    const r = f(values, power, FUNCTIONS, DERIVATIVE_BOUNDS, U, LIBM_ROUNDING);
    return { value: r[0], error: r[1], operations };
  };
}

/** |f′(x)| for each function (given x and f(x)), to propagate an argument's error. */
const DERIVATIVE_BOUNDS: Readonly<Record<string, (x: number, fx: number) => number>> = {
  sqrt: (_x, fx) => 0.5 / fx,
  exp: (_x, fx) => Math.abs(fx),
  log: (x) => 1 / Math.abs(x),
  abs: () => 1,
  sin: () => 1,
  cos: () => 1,
  tan: (_x, fx) => 1 + fx * fx,
  atan: (x) => 1 / (1 + x * x),
  sinh: (x) => Math.cosh(x),
  cosh: (x) => Math.abs(Math.sinh(x)),
  tanh: (_x, fx) => 1 - fx * fx,
  erf: (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x),
  erfc: (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x),
};

// ------------------------------------------------------------ LaTeX

const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi',
  'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega',
  'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Upsilon', 'Phi', 'Psi', 'Omega',
]);
const NAME_ALIASES: Readonly<Record<string, string>> = { eps: '\\varepsilon', lam: '\\lambda' };

function texName(name: string): string {
  const i = name.indexOf('_');
  const base = i < 0 ? name : name.slice(0, i);
  const sub = i < 0 ? '' : name.slice(i + 1);
  const b = NAME_ALIASES[base] ?? (GREEK.has(base) ? `\\${base}` : base.length === 1 ? base : `\\mathit{${base}}`);
  return sub ? `${b}_{${sub.replaceAll('_', ',')}}` : b;
}

function texNumber(text: string): string {
  const m = /^([\d.]+)[eE]([+-]?\d+)$/.exec(text);
  if (!m) return text;
  const exp = Number(m[2]);
  return Number(m[1]) === 1 ? `10^{${exp}}` : `${m[1]} \\times 10^{${exp}}`;
}

function precedence(n: Node): number {
  switch (n.kind) {
    case 'add':
      return 1;
    case 'neg':
      return 2;
    case 'mul':
      return n.div ? 4 : 3; // \frac needs no parentheses around it
    case 'pow':
      return 5;
    default:
      return 6;
  }
}

/**
 * LaTeX of an expression exactly as written (no normalisation, so the TeX
 * and the text of a derivation step always say the same thing): Greek
 * names (nu, chi_e, Delta, …) become symbols with subscripts, a/b becomes
 * \frac, sqrt and exp become \sqrt{} and e^{}.
 */
export function texExpression(text: string | Node): string {
  const node = typeof text === 'string' ? parseExpression(text) : text;
  const wrap = (n: Node, min: number) => (precedence(n) < min ? `\\left(${tex(n)}\\right)` : tex(n));
  const tex = (n: Node): string => {
    switch (n.kind) {
      case 'num':
        return texNumber(n.text);
      case 'name':
        return n.name === 'pi' ? '\\pi' : texName(n.name);
      case 'neg':
        return `-${wrap(n.arg, 3)}`;
      case 'add': {
        const right = n.right.kind === 'neg' || (n.sub && n.right.kind === 'add') ? `\\left(${tex(n.right)}\\right)` : tex(n.right);
        return `${tex(n.left)} ${n.sub ? '-' : '+'} ${right}`;
      }
      case 'mul': {
        if (n.div) return `\\frac{${tex(n.left)}}{${tex(n.right)}}`;
        const l = wrap(n.left, 3);
        const r = n.right.kind === 'neg' ? `\\left(${tex(n.right)}\\right)` : wrap(n.right, 3);
        return /^[\d.]/.test(r) ? `${l} \\cdot ${r}` : `${l}\\,${r}`;
      }
      case 'pow': {
        const base = n.base.kind === 'name' || (n.base.kind === 'num' && !/[eE]/.test(n.base.text)) ? tex(n.base) : `\\left(${tex(n.base)}\\right)`;
        return `${base}^{${tex(n.exponent)}}`;
      }
      case 'call': {
        const a = tex(n.args[0]);
        switch (n.fn) {
          case 'sqrt':
            return `\\sqrt{${a}}`;
          case 'exp':
            return `e^{${a}}`;
          case 'abs':
            return `\\left|${a}\\right|`;
          case 'log':
          case 'sin':
          case 'cos':
          case 'tan':
          case 'sinh':
          case 'cosh':
          case 'tanh':
            return `\\${n.fn}\\left(${a}\\right)`;
          default:
            return `\\operatorname{${n.fn}}\\left(${a}\\right)`;
        }
      }
    }
  };
  return tex(node);
}

/** Split text at the top-level occurrences of `separator` (outside parentheses and brackets). */
export function splitTopLevel(text: string, separator: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === separator && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((t) => t.trim());
}

/**
 * LaTeX of a step's expression: an expression, an equation `lhs = rhs`, or a
 * list `[e1, e2, …]` of those (as derivation steps record several results).
 */
export function texStatement(text: string): string {
  const t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) {
    return `\\left[${splitTopLevel(t.slice(1, -1), ',').map(texStatement).join(',\\ ')}\\right]`;
  }
  const sides = splitTopLevel(t, '=');
  return sides.map((s) => texExpression(s)).join(' = ');
}
