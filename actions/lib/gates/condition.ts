/**
 * The condition language of `promql` gates (`successCondition`, `failureCondition`), a small subset of the expr
 * language Argo Rollouts uses: numbers, `result`, comparisons, `&& || !` (and `and or not`), arithmetic,
 * indexing (`result[0]`) and a few functions (`len`, `isNaN`, `isInf`, `abs`, `min`, `max`, `sum`, `avg`,
 * `default`, and `all`/`any`/`none` with `#` for the element, e.g. `all(result, # < 1000)`). It is parsed into a
 * tree once and interpreted; nothing is ever handed to `eval`.
 */

export type ConditionValue = number | boolean | number[];

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'name'; name: string }
  | { kind: 'unary'; op: '!' | '-'; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'index'; target: Node; index: Node }
  | { kind: 'call'; name: string; args: Node[] };

/** A syntax error (with the 1-based column in the expression) or an evaluation error (wrong types, empty result). */
export class ConditionError extends Error {}

// Maps, not object literals: a name like `constructor` must not find Object.prototype members.
const functionArity = new Map<string, number>([
  ['len', 1],
  ['isNaN', 1],
  ['isInf', 1],
  ['abs', 1],
  ['min', 1],
  ['max', 1],
  ['sum', 1],
  ['avg', 1],
  ['default', 2],
  ['all', 2],
  ['any', 2],
  ['none', 2],
]);

const wordOperators = new Map([
  ['and', '&&'],
  ['or', '||'],
  ['not', '!'],
]);
const constants = new Map<string, Node>([
  ['true', { kind: 'bool', value: true }],
  ['false', { kind: 'bool', value: false }],
  ['NaN', { kind: 'number', value: Number.NaN }],
  ['Inf', { kind: 'number', value: Number.POSITIVE_INFINITY }],
]);

interface Token {
  text: string;
  type: 'number' | 'ident' | 'op' | 'end';
  column: number;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*|#)|(&&|\|\||==|!=|<=|>=|[<>!+\-*/%()[\],]))/y;
  let index = 0;
  while (index < source.length) {
    if (/^\s*$/.test(source.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (!match) {
      const column = index + source.slice(index).search(/\S/) + 1;
      throw new ConditionError(`unexpected '${source[column - 1]}' at column ${column}`);
    }
    const text = match[1] ?? match[2] ?? match[3]!;
    const column = match.index + match[0].length - text.length + 1;
    if (match[1] !== undefined) tokens.push({ text, type: 'number', column });
    else if (match[2] !== undefined && wordOperators.has(text))
      tokens.push({ text: wordOperators.get(text)!, type: 'op', column });
    else tokens.push({ text, type: match[2] !== undefined ? 'ident' : 'op', column });
    index = pattern.lastIndex;
  }
  tokens.push({ text: 'end of expression', type: 'end', column: source.length + 1 });
  return tokens;
}

const binaryLevels: string[][] = [
  ['||'],
  ['&&'],
  ['==', '!=', '<', '<=', '>', '>='],
  ['+', '-'],
  ['*', '/', '%'],
];

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.binary(0);
    const next = this.peek();
    if (next.type !== 'end') throw this.unexpected(next);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private take(): Token {
    return this.tokens[this.position++]!;
  }

  private unexpected(token: Token): ConditionError {
    return new ConditionError(
      `unexpected ${token.type === 'end' ? token.text : `'${token.text}'`} at column ${token.column}`,
    );
  }

  private expect(text: string): void {
    const token = this.take();
    if (token.text !== text || token.type !== 'op') {
      const found = token.type === 'end' ? token.text : `'${token.text}'`;
      throw new ConditionError(`expected '${text}' at column ${token.column}, found ${found}`);
    }
  }

  private binary(level: number): Node {
    if (level === binaryLevels.length) return this.unary();
    let left = this.binary(level + 1);
    const comparison = level === 2;
    while (this.peek().type === 'op' && binaryLevels[level]!.includes(this.peek().text)) {
      const op = this.take().text;
      left = { kind: 'binary', op, left, right: this.binary(level + 1) };
      // a < b < c reads like maths but means (a < b) < c: refuse it.
      if (comparison) break;
    }
    return left;
  }

  private unary(): Node {
    const token = this.peek();
    if (token.type === 'op' && (token.text === '!' || token.text === '-')) {
      this.take();
      return { kind: 'unary', op: token.text, operand: this.unary() };
    }
    return this.postfix();
  }

  private postfix(): Node {
    let node = this.primary();
    while (this.peek().type === 'op' && this.peek().text === '[') {
      this.take();
      const index = this.binary(0);
      this.expect(']');
      node = { kind: 'index', target: node, index };
    }
    return node;
  }

  private primary(): Node {
    const token = this.take();
    if (token.type === 'number') return { kind: 'number', value: Number(token.text) };
    if (token.type === 'op' && token.text === '(') {
      const node = this.binary(0);
      this.expect(')');
      return node;
    }
    if (token.type !== 'ident') throw this.unexpected(token);
    const constant = constants.get(token.text);
    if (constant) return constant;
    if (this.peek().type === 'op' && this.peek().text === '(') {
      const arity = functionArity.get(token.text);
      if (arity === undefined)
        throw new ConditionError(
          `unknown function '${token.text}' at column ${token.column} (known: ${[...functionArity.keys()].join(', ')})`,
        );
      this.take();
      const args: Node[] = [];
      if (!(this.peek().type === 'op' && this.peek().text === ')')) {
        args.push(this.binary(0));
        while (this.peek().type === 'op' && this.peek().text === ',') {
          this.take();
          args.push(this.binary(0));
        }
      }
      this.expect(')');
      if (args.length !== arity)
        throw new ConditionError(`${token.text}() takes ${arity} argument(s), got ${args.length}`);
      return { kind: 'call', name: token.text, args };
    }
    if (token.text !== 'result' && token.text !== '#')
      throw new ConditionError(`unknown name '${token.text}' at column ${token.column} (use result)`);
    return { kind: 'name', name: token.text };
  }
}

type Scope = Record<string, ConditionValue>;

function describe(value: ConditionValue): string {
  if (Array.isArray(value)) return `a list of ${value.length} value(s)`;
  return typeof value === 'boolean' ? 'a boolean' : 'a number';
}

/** A list of exactly one value reads as that value, so `result < 5` works on a single-series result. */
function toNumber(value: ConditionValue): number {
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) {
    if (value.length === 1) return value[0]!;
    const hint = value.length === 0 ? 'result is empty' : `result has ${value.length} values`;
    throw new ConditionError(`${hint}; use result[i], len(), all(), any() or default()`);
  }
  throw new ConditionError('expected a number, got a boolean');
}

function toList(value: ConditionValue, fn: string): number[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'number') return [value];
  throw new ConditionError(`${fn}() expects a list of numbers, got ${describe(value)}`);
}

function toBoolean(value: ConditionValue): boolean {
  if (typeof value === 'boolean') return value;
  throw new ConditionError(`expected a condition (true/false), got ${describe(value)}`);
}

function callFunction(name: string, args: Node[], scope: Scope): ConditionValue {
  const first = () => evaluateNode(args[0]!, scope);
  switch (name) {
    case 'len':
      return toList(first(), name).length;
    case 'isNaN':
      return Number.isNaN(toNumber(first()));
    case 'isInf':
      return Math.abs(toNumber(first())) === Number.POSITIVE_INFINITY;
    case 'abs':
      return Math.abs(toNumber(first()));
    case 'default': {
      const value = first();
      const empty = Array.isArray(value)
        ? value.length === 0
        : typeof value === 'number' && Number.isNaN(value);
      return empty ? evaluateNode(args[1]!, scope) : value;
    }
    case 'all':
    case 'any':
    case 'none': {
      const list = toList(first(), name);
      const test = (item: number) => toBoolean(evaluateNode(args[1]!, { ...scope, '#': item }));
      if (name === 'all') return list.every(test);
      if (name === 'any') return list.some(test);
      return !list.some(test);
    }
    default: {
      const list = toList(first(), name);
      if (list.length === 0) throw new ConditionError(`${name}() of an empty result`);
      if (name === 'min') return Math.min(...list);
      if (name === 'max') return Math.max(...list);
      const total = list.reduce((a, b) => a + b, 0);
      return name === 'sum' ? total : total / list.length;
    }
  }
}

function compare(op: string, a: ConditionValue, b: ConditionValue): boolean {
  if ((op === '==' || op === '!=') && typeof a === 'boolean' && typeof b === 'boolean')
    return op === '==' ? a === b : a !== b;
  const [x, y] = [toNumber(a), toNumber(b)];
  switch (op) {
    case '==':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

function arithmetic(op: string, x: number, y: number): number {
  if (op === '+') return x + y;
  if (op === '-') return x - y;
  if (op === '*') return x * y;
  if (op === '/') return x / y;
  return x % y;
}

function evaluateNode(node: Node, scope: Scope): ConditionValue {
  switch (node.kind) {
    case 'number':
    case 'bool':
      return node.value;
    case 'name': {
      const value = scope[node.name];
      if (value === undefined)
        throw new ConditionError(`'${node.name}' is only defined inside all(), any(), none()`);
      return value;
    }
    case 'unary': {
      const value = evaluateNode(node.operand, scope);
      return node.op === '!' ? !toBoolean(value) : -toNumber(value);
    }
    case 'index': {
      const list = toList(evaluateNode(node.target, scope), 'indexing');
      const index = toNumber(evaluateNode(node.index, scope));
      const item = list[index < 0 ? list.length + index : index];
      if (!Number.isInteger(index) || item === undefined)
        throw new ConditionError(`index ${index} is out of range (result has ${list.length} value(s))`);
      return item;
    }
    case 'call':
      return callFunction(node.name, node.args, scope);
    case 'binary': {
      if (node.op === '&&')
        return toBoolean(evaluateNode(node.left, scope)) && toBoolean(evaluateNode(node.right, scope));
      if (node.op === '||')
        return toBoolean(evaluateNode(node.left, scope)) || toBoolean(evaluateNode(node.right, scope));
      const [left, right] = [evaluateNode(node.left, scope), evaluateNode(node.right, scope)];
      if (['==', '!=', '<', '<=', '>', '>='].includes(node.op)) return compare(node.op, left, right);
      return arithmetic(node.op, toNumber(left), toNumber(right));
    }
  }
}

export interface Condition {
  source: string;
  /** True or false for the given query result; throws ConditionError when the result does not fit the expression. */
  evaluate(result: number[]): boolean;
}

/** Parses a condition; throws ConditionError on a syntax error. */
export function parseCondition(source: string): Condition {
  const tree = new Parser(tokenize(source)).parse();
  return {
    source,
    evaluate(result) {
      const value = evaluateNode(tree, { result });
      if (typeof value !== 'boolean')
        throw new ConditionError(`'${source}' gives ${describe(value)}, not true or false`);
      return value;
    },
  };
}
