/**
 * Whether a bundled k6 script can run pooled (many VUs per thread), and its rewritten source when it can.
 *
 * Pooled, k6's blocking calls (`http.get`, `sleep`, `group`, …) return promises, so each becomes `(await CALL)`,
 * each function making one becomes `async`, and each call of such a function is awaited in turn (bindings resolved
 * by scope). That is only sound when the VU's code cannot run anything else while it waits, as it cannot in k6
 * where a blocking call blocks the VU's event loop: so when the script blocks, every promise it makes must be
 * awaited where it is made (async functions, `http.asyncRequest`, two idioms in awaited-idioms.ts), and other
 * timers or promises and modules not known to be synchronous rule pooling out. Anything not handled soundly
 * answers `pooled: false` with the construct and the script's file:line; the thread-per-VU engine then runs the
 * script as it is.
 *
 * The source is the bundle with insertions only and no newline added (so its inline source map still gives the
 * script's lines): wrapped in an async arrow function whose promise resolves to the module's exports. Any exported
 * function (default, setup, teardown, handleSummary, a scenario's exec) may have become async: the engine awaits
 * what it returns, as `group` awaits what its function returns.
 */
import type { Variable } from 'eslint-scope';
import type * as ES from 'estree';
import { awaitedIdioms } from './awaited-idioms.js';
import { type K6Bindings, k6Bindings, memberName } from './k6-bindings.js';
import { scriptPositions } from './script-position.js';
import { type Node, parseBundle, type Syntax } from './syntax.js';

export type PoolPlan = { pooled: true; source: string } | { pooled: false; reason: string };

/** The k6 APIs that block their VU, by module; pooled, they return promises. */
const blockingApis: Record<string, ReadonlySet<string>> = {
  'k6/http': new Set(['request', 'get', 'head', 'post', 'put', 'patch', 'del', 'options', 'batch']),
  k6: new Set(['sleep', 'group']),
};

/** k6 APIs returning a promise: with blocking calls about, it must be awaited where it is made. */
const promiseApis: Record<string, ReadonlySet<string>> = { 'k6/http': new Set(['asyncRequest']) };

/** Modules whose APIs neither block nor return promises nor call back later, besides the ones above. */
const synchronousModules = new Set([
  'k6/metrics',
  'k6/execution',
  'k6/data',
  'k6/crypto',
  'k6/html',
  'k6/encoding',
  'k6-summary',
  'k6-utils',
  'k6-url',
  'k6-formdata',
  'k6-formdata-0.0.1',
  'npm:papaparse',
  'npm:jsonpath',
  'npm:form-urlencoded',
]);

/** Globals through which code can run while a pooled VU waits on a blocking call (timers, promises, finalizers…). */
const concurrencyGlobals = new Set([
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'Promise',
  'Atomics',
  'WebAssembly',
  'FinalizationRegistry',
  'fetch',
  'crypto',
  'globalThis',
  'self',
  'window',
  'global',
]);

class NotPooled extends Error {
  constructor(
    readonly what: string,
    readonly node: ES.Node,
  ) {
    super(what);
  }
}

export function planPooled(bundle: string): PoolPlan {
  try {
    return { pooled: true, source: rewrite(bundle, parseBundle(bundle)) };
  } catch (error) {
    // The source map is read only to explain a refusal.
    const where = scriptPositions(bundle);
    if (error instanceof NotPooled) {
      const { line, column } = (error.node as Node).loc.start;
      return { pooled: false, reason: `${error.what} at ${where(line, column)}` };
    }
    const { message, loc } = error as Error & { loc?: { line: number; column: number } };
    if (error instanceof SyntaxError && loc)
      return {
        pooled: false,
        reason: `the script does not parse (${message}) at ${where(loc.line, loc.column)}`,
      };
    // A shape the analysis did not foresee is no reason to fail the run: the thread-per-VU engine runs any script.
    return { pooled: false, reason: `the pooling analysis failed (${message})` };
  }
}

const isFunction = (
  node: ES.Node,
): node is ES.FunctionDeclaration | ES.FunctionExpression | ES.ArrowFunctionExpression =>
  node.type === 'FunctionDeclaration' ||
  node.type === 'FunctionExpression' ||
  node.type === 'ArrowFunctionExpression';

type Fn = (ES.FunctionDeclaration | ES.FunctionExpression | ES.ArrowFunctionExpression) & Node;

interface Edit {
  start: number;
  end: number;
  text: string;
  /** Order among edits at one position: closing parentheses, then openings (outer first), then `async`. */
  order: number;
}

function rewrite(bundle: string, syntax: Syntax): string {
  const k6 = k6Bindings(syntax);
  refuseDynamicCode(syntax, k6);
  const { blocking, promises, groups } = k6Calls(syntax, k6);
  const edits: Edit[] = [];
  const awaitCall = (call: Node) => {
    edits.push({ start: call.start, end: call.start, text: '(await ', order: 1e12 - call.end });
    edits.push({ start: call.end, end: call.end, text: ')', order: 0 });
  };
  // Worklist: each blocking call makes its function async, and that function's calls blocking in turn.
  const queue = [...blocking];
  const seen = new Set<Node>();
  while (queue.length > 0) {
    const { call, label } = queue.pop()!;
    awaitCall(call);
    const fn = enclosingFunction(syntax, call, label);
    if (!fn || seen.has(fn)) continue;
    seen.add(fn);
    checkCanWait(syntax, fn, label, call);
    if (!fn.async) edits.push({ start: fn.start, end: fn.start, text: 'async ', order: 2e12 });
    if (isGroupCallback(syntax, fn, groups)) continue;
    const name = boundName(
      syntax,
      fn,
      () => new NotPooled(`${label} inside ${describeUnbound(syntax, fn)}`, call),
    );
    // An async function's callers get its promise as before: they are checked below, not rewritten.
    if (fn.async) continue;
    for (const id of readsOf(syntax, fn, name)) {
      const use = syntax.parent(id)!;
      if (use.type === 'CallExpression' && use.callee === id && !use.optional)
        queue.push({ call: use, label: `${name}()` });
      else if (!(use.type === 'ExportSpecifier' || isGroupArgument(use, id, groups)))
        throw new NotPooled(`${name}, which makes blocking calls, used as a value`, id);
    }
  }
  if (blocking.length > 0) refuseConcurrency(syntax, k6, promises);
  return applyEdits(bundle, [...edits, ...wrapper(syntax, bundle)]);
}

/** Response methods that send HTTP (and block): the analysis cannot follow a Response, so they refuse. */
const sendsFromResponse = new Set(['submitForm', 'clickLink']);

/**
 * What the analysis cannot follow: eval, new Function, import(), with, import.meta, the module registry, HTTP sent
 * from a Response.
 */
function refuseDynamicCode(syntax: Syntax, k6: K6Bindings): void {
  const refused: Partial<Record<ES.Node['type'], string>> = {
    ImportExpression: 'dynamic import()',
    WithStatement: 'a with statement',
    ImportDeclaration: 'an import left in the bundle',
    ExportDefaultDeclaration: 'an export the bundler does not make',
    ExportAllDeclaration: 'an export the bundler does not make',
  };
  for (const node of syntax.nodes) {
    const what = refused[node.type];
    if (what) throw new NotPooled(what, node);
    if (node.type === 'MetaProperty' && node.meta.name === 'import') throw new NotPooled('import.meta', node);
    if (node.type === 'ExportNamedDeclaration' && (node.declaration || node.source))
      throw new NotPooled('an export the bundler does not make', node);
    if (
      node.type === 'Identifier' &&
      syntax.binding(node) === null &&
      (node.name === 'eval' || node.name === 'Function')
    )
      throw new NotPooled(node.name === 'eval' ? 'eval' : 'new Function', node);
    if (node.type === 'Identifier' && node.name === '__k6_modules' && !k6.shape.has(node))
      throw new NotPooled('__k6_modules used by the script', node);
    if (node.type === 'MemberExpression' && sendsFromResponse.has(memberName(node) ?? ''))
      throw new NotPooled(`${memberName(node)} (HTTP sent from a Response)`, node.property);
    if (node.type === 'ThisExpression' && atTopLevel(syntax, node))
      throw new NotPooled('top-level this (undefined in a module)', node);
  }
}

function atTopLevel(syntax: Syntax, node: Node): boolean {
  for (let n = syntax.parent(node); n; n = syntax.parent(n))
    if (
      (isFunction(n) && n.type !== 'ArrowFunctionExpression') ||
      n.type === 'PropertyDefinition' ||
      n.type === 'StaticBlock'
    )
      return false;
  return true;
}

interface K6Call {
  call: Node & ES.CallExpression;
  label: string;
}

/** Every call of a blocking or promise-returning k6 API; any other use of one (or of its module object) refuses. */
function k6Calls(syntax: Syntax, k6: K6Bindings) {
  const blocking: K6Call[] = [];
  const promises: K6Call[] = [];
  const label = (module: string, name: string) => (module === 'k6/http' ? `http.${name}` : name);
  const classify = (module: string, name: string, callee: Node) => {
    const kind = blockingApis[module]?.has(name)
      ? blocking
      : promiseApis[module]?.has(name)
        ? promises
        : undefined;
    if (!kind) return;
    const call = syntax.parent(callee);
    const what = label(module, name);
    if (call?.type !== 'CallExpression' || call.callee !== callee)
      throw new NotPooled(`${what} used as a value`, callee);
    if (call.optional || (callee.type === 'MemberExpression' && callee.optional))
      throw new NotPooled(`${what} called through optional chaining`, callee);
    kind.push({ call, label: what });
  };
  for (const [variable, module] of k6.objects) {
    if (!blockingApis[module] && !promiseApis[module]) continue;
    for (const id of references(variable)) {
      if (k6.shape.has(id)) continue;
      const member = syntax.parent(id);
      const name =
        member?.type === 'MemberExpression' && member.object === id ? memberName(member) : undefined;
      if (name === undefined)
        throw new NotPooled(`the ${module} module object used other than to call its functions`, id);
      classify(module, name, member!);
    }
  }
  for (const [variable, { module, name }] of k6.named)
    for (const id of references(variable)) if (!k6.shape.has(id)) classify(module, name, id);
  const groups = new Set(blocking.filter((c) => c.label === 'group').map((c) => c.call));
  return { blocking, promises, groups };
}

/** Where a k6 binding is read; the bundle's own declaration aside, writing one refuses. */
function references(variable: Variable): Node[] {
  const reads = variable.references.filter((r) => !r.init);
  const write = reads.find((r) => r.isWrite());
  if (write)
    throw new NotPooled(`${variable.name}, a k6 binding, is reassigned`, write.identifier as ES.Node);
  return reads.map((r) => r.identifier as Node);
}

/** The function a call runs in (undefined at top level, where the wrapper awaits). */
function enclosingFunction(syntax: Syntax, call: Node, label: string): Fn | undefined {
  let child = call;
  for (let n = syntax.parent(call); n; child = n, n = syntax.parent(n)) {
    if (isFunction(n)) {
      if ((n.params as ES.Node[]).includes(child))
        throw new NotPooled(`${label} in a parameter default`, call);
      return n as Fn;
    }
    if (n.type === 'PropertyDefinition' || n.type === 'StaticBlock')
      throw new NotPooled(`${label} in a class field or static block`, call);
  }
  return undefined;
}

/** Functions a blocking call may run in: not generators, accessors or constructors, whose callers cannot wait. */
function checkCanWait(syntax: Syntax, fn: Fn, label: string, call: Node): void {
  const parent = syntax.parent(fn);
  if (fn.generator) throw new NotPooled(`${label} inside a generator`, call);
  if (
    (parent?.type === 'Property' || parent?.type === 'MethodDefinition') &&
    (parent.kind === 'get' || parent.kind === 'set')
  )
    throw new NotPooled(`${label} inside a getter or setter`, call);
  if (parent?.type === 'MethodDefinition' && parent.kind === 'constructor')
    throw new NotPooled(`${label} inside a class constructor`, call);
}

const isGroupArgument = (call: Node, argument: ES.Node, groups: ReadonlySet<ES.Node>) =>
  groups.has(call) && (call as ES.CallExpression).arguments[1] === argument;

function isGroupCallback(syntax: Syntax, fn: Fn, groups: ReadonlySet<ES.Node>): boolean {
  const parent = syntax.parent(fn);
  return parent !== undefined && isGroupArgument(parent, fn, groups);
}

/** The name a function is bound to, for good (a declaration, or a function expression initialising a variable). */
function boundName(syntax: Syntax, fn: Fn, refusal: () => NotPooled): string {
  if (fn.type === 'FunctionDeclaration' && fn.id) return fn.id.name;
  const parent = syntax.parent(fn);
  if (parent?.type === 'VariableDeclarator' && parent.init === fn && parent.id.type === 'Identifier')
    return parent.id.name;
  throw refusal();
}

/** Where an unbound function is, to say why its callers cannot be found. */
function describeUnbound(syntax: Syntax, fn: Fn): string {
  const parent = syntax.parent(fn);
  if (parent?.type === 'CallExpression' && parent.callee === fn) return 'an immediately invoked function';
  if (parent?.type === 'CallExpression' || parent?.type === 'NewExpression') {
    const callee = parent.callee;
    const name =
      callee.type === 'Identifier'
        ? callee.name
        : callee.type === 'MemberExpression'
          ? (memberName(callee) ?? 'a function')
          : 'a function';
    return `a callback passed to ${name}`;
  }
  if (parent?.type === 'MethodDefinition' || (parent?.type === 'Property' && parent.method))
    return 'a method';
  if (parent?.type === 'Property') return 'a function stored in an object';
  return 'a function used as a value';
}

/** The places a bound function is read; a reassignment refuses (its callers could call something else). */
function readsOf(syntax: Syntax, fn: Fn, name: string): Node[] {
  const declaredBy = fn.type === 'FunctionDeclaration' ? fn : syntax.parent(fn)!;
  const own = (v: Variable) =>
    v.defs.some(
      (d) => (d.type === 'FunctionName' && d.node === fn) || (d.type === 'Variable' && d.node === declaredBy),
    );
  const variables = [
    ...syntax.declared(declaredBy),
    ...(fn.type === 'FunctionExpression' ? syntax.declared(fn) : []),
  ];
  const reads: Node[] = [];
  for (const variable of variables.filter(own))
    for (const reference of variable.references) {
      if (reference.isWrite() && !reference.init)
        throw new NotPooled(
          `${name}, which makes blocking calls, is reassigned`,
          reference.identifier as ES.Node,
        );
      if (reference.isRead()) reads.push(reference.identifier as Node);
    }
  return reads;
}

/**
 * In a script that blocks, nothing else of the VU may run while it waits: every promise awaited where it is made
 * (or in the idioms of awaited-idioms.ts), no other timers or promises, only modules known to be synchronous.
 */
function refuseConcurrency(syntax: Syntax, k6: K6Bindings, promises: K6Call[]): void {
  for (const [module, declaration] of k6.declarations)
    if (!blockingApis[module] && !synchronousModules.has(module))
      throw new NotPooled(
        `module ${module} (not known to be synchronous) with blocking calls`,
        firstUse(k6, module) ?? declaration,
      );
  const idioms = awaitedIdioms(syntax, new Set(promises.map(({ call }) => call)));
  for (const { call, label } of promises)
    if (syntax.parent(call)?.type !== 'AwaitExpression' && !idioms.calls.has(call))
      throw new NotPooled(`${label} not awaited where it is called, with blocking calls`, call);
  for (const node of syntax.nodes) {
    if (
      node.type === 'Identifier' &&
      !k6.shape.has(node) &&
      !idioms.globals.has(node) &&
      syntax.binding(node) === null &&
      concurrencyGlobals.has(node.name)
    )
      throw new NotPooled(`${node.name}, which can run code while a VU waits, with blocking calls`, node);
    if (!isFunction(node) || !node.async) continue;
    const fn = node as Fn;
    const name = boundName(
      syntax,
      fn,
      () => new NotPooled('an async function used as a value, with blocking calls', fn),
    );
    for (const id of readsOf(syntax, fn, name)) {
      const use = syntax.parent(id)!;
      const awaited =
        use.type === 'CallExpression' && use.callee === id && syntax.parent(use)?.type === 'AwaitExpression';
      if (!awaited && use.type !== 'ExportSpecifier')
        throw new NotPooled(`async function ${name} not awaited where it is called, with blocking calls`, id);
    }
  }
}

/** The first place the script uses a module (its declaration is the bundler's, in no file of the script). */
function firstUse(k6: K6Bindings, module: string): Node | undefined {
  const variables = [...k6.objects].filter(([, m]) => m === module).map(([v]) => v);
  for (const [v, { module: m }] of k6.named) if (m === module) variables.push(v);
  const uses = variables.flatMap((v) => v.references.filter((r) => !r.init).map((r) => r.identifier as Node));
  return uses.filter((id) => !k6.shape.has(id)).sort((a, b) => a.start - b.start)[0];
}

/**
 * `(async () => {"use strict";` before the first line (strict, as a module is), and the export statement turned
 * into `return {…}` on its own lines, closed by `})()`: the script's completion value is a promise of the exports.
 */
function wrapper(syntax: Syntax, bundle: string): Edit[] {
  const body = syntax.program.body as Node[];
  const edits: Edit[] = [{ start: 0, end: 0, text: '(async () => {"use strict";', order: -1 }];
  // A hashbang is only allowed at the very start: after the opening it becomes a line comment.
  if (bundle.startsWith('#!')) edits.push({ start: 0, end: 2, text: '//', order: 0 });
  const exports = body.filter((s) => s.type === 'ExportNamedDeclaration');
  const last = body.at(-1);
  if (exports.length === 0) {
    const end = last?.end ?? bundle.length;
    return [...edits, { start: end, end, text: 'return {};})()', order: 3e12 }];
  }
  const statement = exports[0]! as Node & ES.ExportNamedDeclaration;
  if (exports.length > 1 || statement !== last)
    throw new NotPooled('an export statement other than the last one', statement);
  edits.push({ start: statement.start, end: statement.start + 'export'.length, text: 'return', order: 0 });
  for (const specifier of statement.specifiers as (ES.ExportSpecifier & Node)[]) {
    // An export is a live binding; the returned record is taken when the module body ends.
    const laterWrite = syntax
      .binding(specifier.local as Node)
      ?.references.find((r) => r.isWrite() && insideFunction(syntax, r.identifier as Node));
    if (laterWrite)
      throw new NotPooled(
        `the export ${laterWrite.identifier.name} reassigned after the module body ran`,
        laterWrite.identifier as ES.Node,
      );
    const key = (s: ES.Identifier | ES.Literal) =>
      s.type === 'Identifier' ? s.name : JSON.stringify(s.value);
    edits.push({
      start: specifier.start,
      end: specifier.end,
      text: `${key(specifier.exported)}: ${key(specifier.local)}`,
      order: 0,
    });
  }
  edits.push({ start: statement.end, end: statement.end, text: '})()', order: 3e12 });
  return edits;
}

function insideFunction(syntax: Syntax, node: Node): boolean {
  for (let n = syntax.parent(node); n; n = syntax.parent(n)) if (isFunction(n)) return true;
  return false;
}

function applyEdits(source: string, edits: Edit[]): string {
  edits.sort((a, b) => a.start - b.start || a.order - b.order);
  let out = '';
  let at = 0;
  for (const edit of edits) {
    out += source.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + source.slice(at);
}
