/**
 * The k6 module bindings a bundle declares (bundle.ts writes them for every built-in module it imports):
 *   var m = globalThis.__k6_modules["k6/http"];          → m is the module object
 *   var http_default = m.__esModule ? m.default : m;     → so is http_default
 *   var { get, post: post2, … } = m;                     → get is k6/http's get
 * The identifiers these declarations use are the bundler's, not the script's, and are listed apart.
 */
import type { Variable } from 'eslint-scope';
import type * as ES from 'estree';
import type { Node, Syntax } from './syntax.js';

export interface K6Bindings {
  /** Module objects (namespace or default export) → module name. */
  objects: Map<Variable, string>;
  /** Named imports → module name and the export's name. */
  named: Map<Variable, { module: string; name: string }>;
  /** The module declarations, by module name (to point at an import). */
  declarations: Map<string, Node>;
  /** Identifiers and property names belonging to the declarations above. */
  shape: Set<ES.Node>;
}

const staticName = (node: ES.Node): string | undefined =>
  node.type === 'Identifier'
    ? node.name
    : node.type === 'Literal' && typeof node.value === 'string'
      ? node.value
      : undefined;

/** `object.name` (or `object["name"]`) with a static property name. */
export function memberName(member: ES.MemberExpression): string | undefined {
  const { property } = member;
  if (member.computed)
    return property.type === 'Literal' && typeof property.value === 'string' ? property.value : undefined;
  return property.type === 'Identifier' ? property.name : undefined;
}

const isMember = (node: ES.Node | null | undefined, object: (o: ES.Node) => boolean, name: string) =>
  node?.type === 'MemberExpression' && object(node.object) && memberName(node) === name;

export function k6Bindings(syntax: Syntax): K6Bindings {
  const bindings: K6Bindings = {
    objects: new Map(),
    named: new Map(),
    declarations: new Map(),
    shape: new Set(),
  };
  const variable = (declarator: Node, id: ES.Node) =>
    syntax.declared(declarator).find((v) => id.type === 'Identifier' && v.name === id.name);
  const moduleOf = (node: ES.Node) => {
    const v = node.type === 'Identifier' ? syntax.binding(node as Node) : undefined;
    return v ? bindings.objects.get(v) : undefined;
  };
  for (const statement of syntax.program.body) {
    if (statement.type !== 'VariableDeclaration') continue;
    for (const declarator of statement.declarations as (ES.VariableDeclarator & Node)[]) {
      const { id, init } = declarator;
      if (!init) continue;
      // var m = globalThis.__k6_modules["name"]
      if (
        init.type === 'MemberExpression' &&
        init.computed &&
        isMember(init.object, (o) => o.type === 'Identifier' && o.name === 'globalThis', '__k6_modules')
      ) {
        const name = staticName(init.property);
        const v = variable(declarator, id);
        const registry = init.object as ES.MemberExpression;
        if (name === undefined || !v || syntax.binding(registry.object as Node) !== null) continue;
        bindings.objects.set(v, name);
        bindings.declarations.set(name, declarator);
        bindings.shape.add(registry.object).add(registry.property);
        continue;
      }
      // var d = m.__esModule ? m.default : m
      if (init.type === 'ConditionalExpression') {
        const module = moduleOf(init.alternate);
        const same = (o: ES.Node) => o.type === 'Identifier' && moduleOf(o) === module;
        const v = variable(declarator, id);
        if (
          module === undefined ||
          !v ||
          !isMember(init.test, same, '__esModule') ||
          !isMember(init.consequent, same, 'default')
        )
          continue;
        bindings.objects.set(v, module);
        const test = init.test as ES.MemberExpression;
        const consequent = init.consequent as ES.MemberExpression;
        bindings.shape.add(test.object).add(consequent.object).add(init.alternate);
        continue;
      }
      // var { a, b: c } = m
      const module = moduleOf(init);
      if (id.type !== 'ObjectPattern' || module === undefined) continue;
      bindings.shape.add(init);
      for (const property of id.properties) {
        if (property.type !== 'Property' || property.computed || property.value.type !== 'Identifier')
          continue;
        const name = staticName(property.key);
        const v = variable(declarator, property.value);
        if (name !== undefined && v) bindings.named.set(v, { module, name });
      }
    }
  }
  namespaceObjects(syntax, bindings);
  return bindings;
}

/**
 * esbuild's namespace object, made when a script uses `import * as http` other than to call its functions:
 *   var http_exports = {}; __export(http_exports, { get: () => get, default: () => http_default, … });
 * It is one more module object; the getters are the bundler's.
 */
function namespaceObjects(syntax: Syntax, bindings: K6Bindings): void {
  const moduleOf = (id: ES.Node | undefined) => {
    const v = id && syntax.binding(id as Node);
    return v ? (bindings.objects.get(v) ?? bindings.named.get(v)?.module) : undefined;
  };
  for (const statement of syntax.program.body) {
    const call = statement.type === 'ExpressionStatement' ? statement.expression : undefined;
    if (
      call?.type !== 'CallExpression' ||
      call.callee.type !== 'Identifier' ||
      call.callee.name !== '__export'
    )
      continue;
    const [target, getters] = call.arguments;
    if (target?.type !== 'Identifier' || getters?.type !== 'ObjectExpression') continue;
    const returned = getters.properties.map((p) =>
      p.type === 'Property' &&
      p.value.type === 'ArrowFunctionExpression' &&
      p.value.body.type === 'Identifier'
        ? p.value.body
        : undefined,
    );
    const modules = new Set(returned.map(moduleOf));
    const [module] = modules;
    const v = syntax.binding(target as Node);
    if (modules.size !== 1 || module === undefined || !v) continue;
    bindings.objects.set(v, module);
    bindings.shape.add(target);
    for (const id of returned) bindings.shape.add(id!);
  }
}
