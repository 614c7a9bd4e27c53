/**
 * Two idioms of async k6 scripts that make promises and await them at once, so that no code of the VU is left to
 * run while it later waits on a blocking call:
 *   await new Promise((resolve) => setTimeout(resolve, ms))       (the timer only resolves the awaited promise)
 *   await Promise.all([http.asyncRequest(…), …])                  (also allSettled, race, any; or list.map(
 *                                                                   (x) => http.asyncRequest(…)) as the list)
 * The promise calls and the globals these idioms use are allowed next to blocking calls; any other use is not.
 */
import type * as ES from 'estree';
import type { Node, Syntax } from './syntax.js';

export interface AwaitedIdioms {
  /** Promise-returning calls awaited through Promise.all & co. */
  calls: Set<ES.Node>;
  /** `Promise` and `setTimeout` identifiers inside the idioms. */
  globals: Set<ES.Node>;
}

const combinators = new Set(['all', 'allSettled', 'race', 'any']);

export function awaitedIdioms(syntax: Syntax, promiseCalls: ReadonlySet<ES.Node>): AwaitedIdioms {
  const idioms: AwaitedIdioms = { calls: new Set(), globals: new Set() };
  const global = (node: ES.Node, name: string): node is ES.Identifier =>
    node.type === 'Identifier' && node.name === name && syntax.binding(node as Node) === null;
  for (const node of syntax.nodes) {
    if (node.type !== 'AwaitExpression') continue;
    const awaited = node.argument;
    if (awaited.type === 'NewExpression' && global(awaited.callee, 'Promise')) {
      const timer = timerResolving(syntax, awaited, global);
      if (timer) idioms.globals.add(awaited.callee).add(timer);
    }
    if (
      awaited.type === 'CallExpression' &&
      awaited.callee.type === 'MemberExpression' &&
      !awaited.callee.computed &&
      global(awaited.callee.object, 'Promise') &&
      awaited.callee.property.type === 'Identifier' &&
      combinators.has(awaited.callee.property.name) &&
      awaited.arguments.length === 1
    ) {
      const calls = listed(awaited.arguments[0]!);
      if (calls?.every((call) => promiseCalls.has(call))) {
        idioms.globals.add(awaited.callee.object);
        for (const call of calls) idioms.calls.add(call);
      }
    }
  }
  return idioms;
}

/** In `new Promise((r) => setTimeout(r, ms))`, the setTimeout identifier. */
function timerResolving(
  syntax: Syntax,
  created: ES.NewExpression,
  global: (node: ES.Node, name: string) => node is ES.Identifier,
): ES.Node | undefined {
  const [executor] = created.arguments;
  if (
    created.arguments.length !== 1 ||
    (executor?.type !== 'ArrowFunctionExpression' && executor?.type !== 'FunctionExpression') ||
    executor.async ||
    executor.params.length !== 1 ||
    executor.params[0]!.type !== 'Identifier'
  )
    return undefined;
  const body = executor.body;
  const only =
    body.type === 'BlockStatement'
      ? body.body.length === 1 && body.body[0]!.type === 'ExpressionStatement'
        ? body.body[0].expression
        : undefined
      : body;
  if (only?.type !== 'CallExpression' || !global(only.callee, 'setTimeout') || only.arguments.length > 2)
    return undefined;
  const [resolve] = only.arguments;
  const param = syntax
    .declared(executor as Node)
    .find((v) => v.name === (executor.params[0] as ES.Identifier).name);
  const passed = resolve?.type === 'Identifier' && syntax.binding(resolve as Node) === param;
  return passed ? only.callee : undefined;
}

/** `[a(), b()]` or `list.map((x) => a(x))`: the calls that make the list's promises. */
function listed(list: ES.Node): ES.Node[] | undefined {
  if (list.type === 'ArrayExpression') {
    const calls = list.elements.filter((e): e is ES.CallExpression => e?.type === 'CallExpression');
    return calls.length === list.elements.length ? calls : undefined;
  }
  if (
    list.type === 'CallExpression' &&
    list.callee.type === 'MemberExpression' &&
    !list.callee.computed &&
    list.callee.property.type === 'Identifier' &&
    list.callee.property.name === 'map' &&
    list.arguments.length === 1
  ) {
    const [mapper] = list.arguments;
    if (mapper?.type === 'ArrowFunctionExpression' && !mapper.async && mapper.body.type === 'CallExpression')
      return [mapper.body];
  }
  return undefined;
}
