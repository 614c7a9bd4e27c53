/**
 * Turns zod issues into one-line, user-facing problems: the field path, what was expected and what was found,
 * with a "did you mean" for misspelt keys and enum values.
 */
import type { core, z } from 'zod';
import { didYouMean } from './did-you-mean.js';
import type { FieldPath } from './yaml-source.js';

export interface SettingsProblem {
  path: FieldPath;
  detail: string;
  /** Report the key's position rather than the value's (unknown keys). */
  target?: 'key' | 'value';
}

type AnySchema = z.ZodType;

function def(schema: AnySchema): core.$ZodTypeDef & Record<string, unknown> {
  return (schema as unknown as { _zod: { def: core.$ZodTypeDef & Record<string, unknown> } })._zod.def;
}

function valueAt(data: unknown, path: FieldPath): unknown {
  let current = data;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

/** Unwraps optional/default/pipe wrappers and picks the union option matching the data. */
function resolve(schema: AnySchema, data: unknown): AnySchema {
  const d = def(schema);
  switch (d.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return resolve(d.innerType as AnySchema, data);
    case 'pipe':
      return resolve(d.in as AnySchema, data);
    case 'union': {
      const options = d.options as AnySchema[];
      const discriminator = d.discriminator as string | undefined;
      const wanted = discriminator ? valueAt(data, [discriminator]) : undefined;
      const match = options.find((option) => {
        const shape = def(resolve(option, data)).shape as Record<string, AnySchema> | undefined;
        if (!shape) return false;
        if (!discriminator) return true;
        const literal = def(shape[discriminator]!).values as unknown[] | undefined;
        return literal?.includes(wanted) ?? false;
      });
      return match ? resolve(match, data) : schema;
    }
    default:
      return schema;
  }
}

/** The keys an object at `path` accepts, following the data through arrays, records and unions. */
export function knownKeys(root: AnySchema, data: unknown, path: FieldPath): string[] {
  let schema = resolve(root, data);
  for (const [index, part] of path.entries()) {
    const d = def(schema);
    const here = valueAt(data, path.slice(0, index + 1));
    if (d.type === 'object') schema = (d.shape as Record<string, AnySchema>)[String(part)] ?? schema;
    else if (d.type === 'array') schema = d.element as AnySchema;
    else if (d.type === 'record') schema = d.valueType as AnySchema;
    else return [];
    schema = resolve(schema, here);
  }
  const shape = def(schema).shape as Record<string, AnySchema> | undefined;
  return shape ? Object.keys(shape) : [];
}

/** The offending value as it may be shown: at most 200 characters (errors escape control characters). */
function got(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 200 ? `${value.slice(0, 200)}…` : value}'`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

function expectedType(expected: string): string {
  return typeNames[expected] ?? expected;
}

function quoteAll(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
}

function sizeDetail(issue: core.$ZodIssueTooSmall | core.$ZodIssueTooBig, value: unknown): string {
  const small = issue.code === 'too_small';
  const bound = small ? issue.minimum : issue.maximum;
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'array')
    return `expected ${small ? 'at least' : 'at most'} ${bound} item(s) (got ${(value as unknown[]).length})`;
  if (issue.origin === 'string') {
    if (small && Number(bound) === 1) return 'expected a non-empty string';
    return `expected ${small ? 'at least' : 'at most'} ${bound} characters (got ${got(value)})`;
  }
  const relation = small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  return `expected a number ${relation} ${bound} (got ${got(value)})`;
}

function unionDetail(issue: core.$ZodIssueInvalidUnion, value: unknown): string {
  if ('discriminator' in issue && issue.discriminator !== undefined) {
    const options = (issue as unknown as { options: unknown[] }).options;
    if (value === undefined) return `missing required field (expected one of ${quoteAll(options)})`;
    return `expected one of ${quoteAll(options)} (got ${got(value)})${didYouMean(String(value), options.map(String))}`;
  }
  // A branch whose type matched but whose content did not explains the problem best (a string that is not a
  // quantity); otherwise list what each branch would have taken.
  const contentIssue = issue.errors
    .flat()
    .find((inner) => inner.code !== 'invalid_type' && inner.code !== 'invalid_value');
  if (contentIssue) return problemDetail(contentIssue, value);
  const expected = issue.errors.flat().map((inner) => {
    if (inner.code === 'invalid_type') return expectedType(inner.expected);
    if (inner.code === 'invalid_value') return quoteAll(inner.values);
    return inner.message;
  });
  return `expected ${[...new Set(expected)].join(' or ')} (got ${got(value)})`;
}

function problemDetail(issue: core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `missing required field (expected ${expectedType(issue.expected)})`;
      return `expected ${expectedType(issue.expected)} (got ${got(value)})`;
    case 'invalid_value':
      if (issue.values.length === 1) return `expected ${quoteAll(issue.values)} (got ${got(value)})`;
      return `expected one of ${quoteAll(issue.values)} (got ${got(value)})${didYouMean(String(value), issue.values.map(String))}`;
    case 'too_small':
    case 'too_big':
      return sizeDetail(issue, value);
    case 'invalid_format':
      if (issue.format === 'regex') return `expected ${issue.message} (got ${got(value)})`;
      if (issue.format === 'starts_with')
        return `expected a value starting with '${(issue as unknown as { prefix: string }).prefix}' (got ${got(value)})`;
      return `expected a ${issue.format.toUpperCase()} (got ${got(value)})`;
    case 'invalid_union':
      return unionDetail(issue, value);
    case 'invalid_key':
      return problemDetail(issue.issues[0]!, value);
    default:
      return issue.message;
  }
}

/** One problem per zod issue; unknown keys become one problem each, pointing at the key. */
export function problemsFromIssues(
  schema: AnySchema,
  data: unknown,
  issues: readonly core.$ZodIssue[],
): SettingsProblem[] {
  return issues.flatMap((issue): SettingsProblem[] => {
    const path = issue.path as FieldPath;
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, data, path);
      return issue.keys.map((key) => {
        const hint = didYouMean(key, known) || ` (expected one of: ${known.join(', ')})`;
        return { path: [...path, key], detail: `unknown field${hint}`, target: 'key' as const };
      });
    }
    if (issue.code === 'invalid_key') {
      // The path ends with the offending key itself: describe the key, not its value.
      return [{ path, detail: problemDetail(issue, path[path.length - 1]), target: 'key' as const }];
    }
    return [{ path, detail: problemDetail(issue, valueAt(data, path)) }];
  });
}
