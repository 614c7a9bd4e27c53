import { badRequest } from './errors.js';

/** One requirement of a label selector, in the shape of metav1.LabelSelectorRequirement. */
export interface LabelRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** metav1.LabelSelector as it appears in Deployment, Service-less selectors and topology constraints. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelRequirement[];
}

export type Labels = Record<string, string> | undefined;

export function matchesRequirements(labels: Labels, requirements: LabelRequirement[]): boolean {
  const l = labels ?? {};
  return requirements.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.operator) {
      case 'In':
        return has && (r.values ?? []).includes(l[r.key] as string);
      case 'NotIn':
        return !has || !(r.values ?? []).includes(l[r.key] as string);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
    return false;
  });
}

export function selectorRequirements(selector: LabelSelector): LabelRequirement[] {
  const fromLabels = Object.entries(selector.matchLabels ?? {}).map(
    ([key, value]): LabelRequirement => ({ key, operator: 'In', values: [value] }),
  );
  return [...fromLabels, ...(selector.matchExpressions ?? [])];
}

/**
 * Whether labels match a metav1.LabelSelector. As in Kubernetes, an empty selector ({}) matches everything,
 * while a missing (undefined) selector matches nothing.
 */
export function matchesLabelSelector(labels: Labels, selector: LabelSelector | undefined): boolean {
  if (!selector) return false;
  return matchesRequirements(labels, selectorRequirements(selector));
}

/** Whether labels carry every key/value of a plain map selector (Service.spec.selector style). */
export function matchesLabelMap(labels: Labels, selector: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/**
 * Parses the `labelSelector` query parameter (`a=b,c!=d,e in (x,y),f notin (z),g,!h`) into requirements.
 * `!=` and `notin` are represented as NotIn, as apimachinery does.
 */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    let m = /^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = (m[3] as string)
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      requirements.push({ key: m[1] as string, operator: m[2] === 'in' ? 'In' : 'NotIn', values });
      continue;
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) {
      requirements.push({
        key: m[1] as string,
        operator: m[2] === '!=' ? 'NotIn' : 'In',
        values: [m[3] as string],
      });
      continue;
    }
    m = /^(!?)([A-Za-z0-9][-A-Za-z0-9_./]*)$/.exec(part);
    if (m) {
      requirements.push({ key: m[2] as string, operator: m[1] ? 'DoesNotExist' : 'Exists' });
      continue;
    }
    throw badRequest(`unable to parse requirement: found '${part}', expected: key, =, ==, !=, in, notin`);
  }
  return requirements;
}

/** The string form of a LabelSelector, as `kubectl` and HPA `status.selector` show it. */
export function formatLabelSelector(selector: LabelSelector): string {
  return selectorRequirements(selector)
    .map((r) => {
      if (r.operator === 'Exists') return r.key;
      if (r.operator === 'DoesNotExist') return `!${r.key}`;
      const values = r.values ?? [];
      if (values.length === 1) return `${r.key}${r.operator === 'In' ? '=' : '!='}${values[0]}`;
      return `${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${[...values].sort().join(',')})`;
    })
    .sort()
    .join(',');
}

export interface FieldRequirement {
  path: string;
  equal: boolean;
  value: string;
}

/** Parses `fieldSelector` (`spec.nodeName=n1,status.phase!=Running,metadata.name==x`). */
export function parseFieldSelector(text: string): FieldRequirement[] {
  return splitTopLevel(text).map((part) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid field selector: '${part}'`);
    return { path: m[1] as string, equal: m[2] !== '!=', value: m[3] as string };
  });
}

function fieldValue(object: unknown, path: string): string {
  let value: unknown = object;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<string, unknown>)[key];
  }
  return value === undefined || value === null ? '' : String(value);
}

export function matchesFieldSelector(object: unknown, requirements: FieldRequirement[]): boolean {
  return requirements.every((r) => (fieldValue(object, r.path) === r.value) === r.equal);
}
