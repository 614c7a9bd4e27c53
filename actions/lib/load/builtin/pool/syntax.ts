/**
 * A bundle as a syntax tree with what the pooling analysis asks of it: each node's parent, each identifier's
 * binding (scopes resolved by eslint-scope, so a local `get` is not k6's), and the variables a declaration makes.
 */
import { type Node as AcornNode, parse } from 'acorn';
import { analyze, type Variable } from 'eslint-scope';
import type * as ES from 'estree';

export type Node = ES.Node & { start: number; end: number; loc: ES.SourceLocation };

export interface Syntax {
  program: Node & ES.Program;
  parent(node: Node): Node | undefined;
  /** The variable an identifier refers to: null for a global, undefined when the identifier is no reference. */
  binding(id: Node): Variable | null | undefined;
  declared(node: Node): Variable[];
  /** Every node, parents before children. */
  nodes: Node[];
}

/** Throws acorn's SyntaxError (with `loc`) when the bundle does not parse. */
export function parseBundle(bundle: string): Syntax {
  const program = parse(bundle, {
    ecmaVersion: 'latest',
    sourceType: 'module',
    locations: true,
    ranges: true,
  }) as AcornNode;
  const root = program as unknown as Node & ES.Program;
  const scopes = analyze(root, { ecmaVersion: 2022, sourceType: 'module', fallback: 'iteration' });
  const bindings = new Map<ES.Node, Variable | null>();
  for (const scope of scopes.scopes)
    for (const reference of scope.references)
      bindings.set(reference.identifier as ES.Node, reference.resolved);
  const parents = new Map<Node, Node>();
  const nodes: Node[] = [];
  const visit = (node: Node) => {
    nodes.push(node);
    for (const child of children(node)) {
      parents.set(child, node);
      visit(child);
    }
  };
  visit(root);
  return {
    program: root,
    parent: (node) => parents.get(node),
    binding: (id) => bindings.get(id),
    declared: (node) => scopes.getDeclaredVariables(node),
    nodes,
  };
}

function* children(node: Node): Generator<Node> {
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc') continue;
    for (const item of Array.isArray(value) ? value : [value])
      if (item && typeof item === 'object' && typeof (item as { type?: unknown }).type === 'string')
        yield item as Node;
  }
}
