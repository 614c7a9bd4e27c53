/**
 * KEDA's `advanced.scalingModifiers.formula`: the expr-lang (github.com/expr-lang/expr) language, for the operators
 * and functions a scaling formula uses: numbers, `nil`, `true`/`false`, trigger names as variables, `+ - * / %`,
 * `** ^` (power), comparisons, `and or not && || !`, `?:`, `??` and abs/ceil/floor/round/max/min/float/int.
 * Values keep expr's types: an integer literal is an int, a trigger value a float, `/` always gives a float, `%`
 * wants ints, and a condition must be a bool; breaking a type rule is an error, as expr reports it.
 */
import jsep from 'jsep';

// expr's operators on jsep's parser (a well-kept expression parser): the word forms, `^` as power (jsep reads it
// as XOR) and `??` binding tightest, as in expr's precedence table.
jsep.addBinaryOp('or', 1);
jsep.addBinaryOp('and', 2);
jsep.addBinaryOp('^', 11, true);
jsep.addBinaryOp('??', 12);
jsep.addUnaryOp('not');
jsep.addLiteral('nil', null);

type Value = { int: boolean; n: number } | boolean | null;

export interface Formula {
  /** The formula's value for the trigger values given by name; throws as expr's Run does. */
  evaluate(values: Record<string, number | null>): number | null;
}

class FormulaError extends Error {}

function typeName(v: Value): string {
  if (v === null) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  return v.int ? 'int' : 'float64';
}

function num(v: Value, what: string): { int: boolean; n: number } {
  if (v === null || typeof v === 'boolean')
    throw new FormulaError(`invalid operation: ${what} (mismatched type ${typeName(v)})`);
  return v;
}

function bool(v: Value, what: string): boolean {
  if (typeof v !== 'boolean')
    throw new FormulaError(`invalid operation: ${what} (non-bool ${typeName(v)} used as condition)`);
  return v;
}

const float = (n: number): Value => ({ int: false, n });

function arithmetic(op: string, a: Value, b: Value): Value {
  const x = num(a, op);
  const y = num(b, op);
  const int = x.int && y.int;
  switch (op) {
    case '+':
      return { int, n: x.n + y.n };
    case '-':
      return { int, n: x.n - y.n };
    case '*':
      return { int, n: x.n * y.n };
    case '/':
      return float(x.n / y.n);
    case '%':
      if (!int)
        throw new FormulaError(`invalid operation: % (mismatched types ${typeName(a)} and ${typeName(b)})`);
      if (y.n === 0) throw new FormulaError('integer divide by zero');
      return { int: true, n: x.n % y.n };
    default:
      return float(x.n ** y.n);
  }
}

function equal(a: Value, b: Value): boolean {
  if (a === null || b === null || typeof a === 'boolean' || typeof b === 'boolean') return a === b;
  return a.n === b.n;
}

function binary(op: string, a: Value, b: Value): Value {
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case '<':
      return num(a, op).n < num(b, op).n;
    case '>':
      return num(a, op).n > num(b, op).n;
    case '<=':
      return num(a, op).n <= num(b, op).n;
    case '>=':
      return num(a, op).n >= num(b, op).n;
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '**':
    case '^':
      return arithmetic(op, a, b);
    default:
      throw new FormulaError(`unknown operator ${op}`);
  }
}

const rounding: Record<string, (n: number) => number> = {
  ceil: Math.ceil,
  floor: Math.floor,
  // Go's math.Round: half away from zero.
  round: (n) => Math.sign(n) * Math.round(Math.abs(n)),
};

function call(name: string, args: Value[]): Value {
  const one = (): { int: boolean; n: number } => {
    if (args.length !== 1) throw new FormulaError(`not enough arguments to call ${name}`);
    return num(args[0] as Value, `${name}()`);
  };
  switch (name) {
    case 'float':
      return float(one().n);
    case 'int':
      return { int: true, n: Math.trunc(one().n) };
    case 'abs': {
      const v = one();
      return { int: v.int, n: Math.abs(v.n) };
    }
    case 'ceil':
    case 'floor':
    case 'round':
      return float((rounding[name] as (n: number) => number)(one().n));
    case 'max':
    case 'min': {
      if (args.length === 0) throw new FormulaError(`not enough arguments to call ${name}`);
      const values = args.map((a) => num(a, `${name}()`));
      return values.reduce((best, v) => ((name === 'max' ? v.n > best.n : v.n < best.n) ? v : best));
    }
    default:
      throw new FormulaError(`unknown func ${name}`);
  }
}

type Scope = Record<string, Value>;

function run(node: jsep.Expression, scope: Scope): Value {
  switch (node.type) {
    case 'Literal': {
      const value = (node as jsep.Literal).value;
      if (typeof value === 'number') return { int: !/[.eE]/.test((node as jsep.Literal).raw), n: value };
      if (typeof value === 'boolean' || value === null) return value;
      throw new FormulaError(`unsupported literal ${(node as jsep.Literal).raw}`);
    }
    case 'Identifier':
      return scope[(node as jsep.Identifier).name] ?? null;
    case 'UnaryExpression': {
      const { operator, argument } = node as jsep.UnaryExpression;
      const value = run(argument, scope);
      if (operator === '!' || operator === 'not') return !bool(value, operator);
      if (operator === '-' || operator === '+') {
        const v = num(value, operator);
        return { int: v.int, n: operator === '-' ? -v.n : v.n };
      }
      throw new FormulaError(`unknown operator ${operator}`);
    }
    case 'BinaryExpression': {
      const { operator, left, right } = node as jsep.BinaryExpression;
      const a = run(left, scope);
      if (operator === '??') return a === null ? run(right, scope) : a;
      if (operator === 'and' || operator === '&&')
        return bool(a, operator) ? bool(run(right, scope), operator) : false;
      if (operator === 'or' || operator === '||')
        return bool(a, operator) ? true : bool(run(right, scope), operator);
      return binary(operator, a, run(right, scope));
    }
    case 'ConditionalExpression': {
      const { test, consequent, alternate } = node as jsep.ConditionalExpression;
      return bool(run(test, scope), '?:') ? run(consequent, scope) : run(alternate, scope);
    }
    case 'CallExpression': {
      const { callee, arguments: args } = node as jsep.CallExpression;
      if (callee.type !== 'Identifier') throw new FormulaError('only built-in functions can be called');
      return call(
        (callee as jsep.Identifier).name,
        args.map((a) => run(a, scope)),
      );
    }
    default:
      throw new FormulaError(`unsupported expression (${node.type})`);
  }
}

const functions = new Set(['float', 'int', 'abs', 'ceil', 'floor', 'round', 'max', 'min']);

/** Every variable the formula names must be a trigger, as expr.Compile with expr.Env(triggers) requires. */
function checkNames(node: jsep.Expression, names: ReadonlySet<string>): void {
  if (node.type === 'Identifier') {
    const name = (node as jsep.Identifier).name;
    if (!names.has(name)) throw new FormulaError(`unknown name ${name}`);
    return;
  }
  if (node.type === 'CallExpression') {
    const { callee, arguments: args } = node as jsep.CallExpression;
    const name = callee.type === 'Identifier' ? (callee as jsep.Identifier).name : '';
    if (!functions.has(name)) throw new FormulaError(`unknown func ${name || '(expression)'}`);
    for (const arg of args) checkNames(arg, names);
    return;
  }
  for (const key of ['argument', 'left', 'right', 'test', 'consequent', 'alternate'] as const) {
    const child = (node as Record<string, unknown>)[key] as jsep.Expression | undefined;
    if (child) checkNames(child, names);
  }
}

/**
 * Compiles a formula over the given trigger names and runs it once with -1 for each, as KEDA's admission webhook
 * does; throws a one-line reason when it does not compile or run. The result is converted to a float (KEDA wraps
 * the formula in `float(...)`), keeping nil when the formula uses `??`.
 */
export function compileFormula(source: string, triggerNames: Iterable<string>): Formula {
  const names = new Set(triggerNames);
  let ast: jsep.Expression;
  try {
    ast = jsep(source);
  } catch (error) {
    throw new FormulaError((error as Error).message);
  }
  checkNames(ast, names);
  const nilAllowed = source.includes('??');
  const formula: Formula = {
    evaluate(values) {
      const scope: Scope = {};
      for (const [name, value] of Object.entries(values)) scope[name] = value === null ? null : float(value);
      const result = run(ast, scope);
      if (result === null && nilAllowed) return null;
      return num(result, 'float()').n;
    },
  };
  formula.evaluate(Object.fromEntries([...names].map((n) => [n, -1])));
  return formula;
}
