/**
 * YAML files read with their source positions, so that any value (or key) found by a field path can be reported as
 * `file:line:column`. Used for settings and gate files; syntax errors become a one-line SettingsError.
 */
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  type YAMLError,
} from 'yaml';
import { SettingsError, type SourcePosition } from './errors.js';

export type FieldPath = ReadonlyArray<string | number>;

export interface YamlSource {
  /** The file name used in messages. */
  file: string;
  /** The parsed document as plain JavaScript values. */
  value: unknown;
  /**
   * Where the value at `path` starts (`target: 'key'`: where its key starts). A path that does not exist maps to
   * its deepest existing ancestor, which is where a missing field belongs.
   */
  locate(path: FieldPath, target?: 'value' | 'key'): SourcePosition;
}

/** `a.b[0].c` for messages. */
export function formatFieldPath(path: FieldPath): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    const safe = /^[A-Za-z_$][\w$-]*$/.test(part) ? part : JSON.stringify(part);
    return text === '' ? safe : /^[A-Za-z_$]/.test(safe) ? `${text}.${safe}` : `${text}[${safe}]`;
  }, '');
}

function childOf(node: unknown, part: string | number): { key?: Node; value?: Node } | undefined {
  if (isMap(node)) {
    const pair = node.items.find(
      (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(part),
    );
    if (!pair) return undefined;
    return { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined };
  }
  if (isSeq(node) && typeof part === 'number') {
    const item = node.items[part];
    return item === undefined ? undefined : { value: item as Node };
  }
  return undefined;
}

/** Positions inside one parsed document of a file (multi-document files have one locator per document). */
export function documentLocator(doc: Document, lines: LineCounter, file: string): YamlSource['locate'] {
  return (path, target = 'value') => locateIn(doc, lines, file, path, target);
}

function locateIn(doc: Document, lines: LineCounter, file: string, path: FieldPath, target: 'value' | 'key') {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const [index, part] of path.entries()) {
    const child = childOf(node, part);
    if (!child) break;
    const last = index === path.length - 1;
    const keyStart = child.key?.range?.[0];
    const valueStart = child.value?.range?.[0];
    offset = (last && target === 'key' ? keyStart : undefined) ?? valueStart ?? keyStart ?? offset;
    node = child.value;
  }
  const { line, col } = lines.linePos(offset);
  return { file, line, column: col };
}

/** A YAML parse error as a one-line SettingsError at its position. */
export function yamlSyntaxError(error: YAMLError, lines: LineCounter, file: string): SettingsError {
  const { line, col } = lines.linePos(error.pos[0]);
  const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return new SettingsError({ file, line, column: col }, '', `invalid YAML: ${reason}`);
}

/** At most this many aliases per document, expanding to at most this much source text in all. */
export const aliasLimits = { count: 100, expandedBytes: 256 * 1024 };

/**
 * The document as plain values, once its aliases are known to be defined and bounded: an undefined alias, more
 * than `aliasLimits.count` of them, or aliases that would copy more than `aliasLimits.expandedBytes` of source
 * (a billion laughs, or 90 copies of a 1 MB string) are a SettingsError at the offending alias.
 */
export function documentValue(doc: Document, lines: LineCounter, file: string): unknown {
  let count = 0;
  let expanded = 0;
  visit(doc, {
    Alias(_, alias) {
      const at = () => {
        const { line, col } = lines.linePos(alias.range?.[0] ?? 0);
        return { file, line, column: col };
      };
      const target = alias.resolve(doc);
      if (!target)
        throw new SettingsError(at(), '', `invalid YAML: alias *${alias.source} has no anchor before it`);
      count += 1;
      // Nested aliases inside the target count again each time it is copied: the source span bounds them all.
      expanded += (target.range?.[1] ?? 0) - (target.range?.[0] ?? 0);
      if (count > aliasLimits.count)
        throw new SettingsError(at(), '', `invalid YAML: more than ${aliasLimits.count} aliases`);
      if (expanded > aliasLimits.expandedBytes)
        throw new SettingsError(
          at(),
          '',
          `invalid YAML: aliases expand to more than ${aliasLimits.expandedBytes / 1024} KiB of text`,
        );
    },
  });
  try {
    return doc.toJS({ maxAliasCount: aliasLimits.count });
  } catch (error) {
    // What the checks above did not foresee (yaml's own limit on nested aliases) is still one line.
    throw new SettingsError({ file, line: 1, column: 1 }, '', `invalid YAML: ${(error as Error).message}`);
  }
}

/** Parses one YAML document; a syntax error throws a SettingsError at its position. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, keepSourceTokens: false });
  if (doc.errors[0]) throw yamlSyntaxError(doc.errors[0], lines, file);
  return {
    file,
    value: documentValue(doc, lines, file),
    locate: documentLocator(doc, lines, file),
  };
}
