import { ageOf } from './age.js';

/** The column helpers every Table printer shares. */

// biome-ignore lint/suspicious/noExplicitAny: printers read untyped JSON of many kinds.
export type Json = any;

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: string;
  priority?: number;
}

export interface Printer {
  columns: Column[];
  cells(object: Json, now: number): unknown[];
}

export const name: Column = { name: 'Name', type: 'string', format: 'name' };
export const age: Column = { name: 'Age', type: 'string' };
export const col = (n: string, type: Column['type'] = 'string', priority = 0): Column => ({
  name: n,
  type,
  priority,
});

export const none = (value: unknown) =>
  value === undefined || value === null || value === '' ? '<none>' : String(value);

export function containersAndImages(template: Json): [string, string] {
  const containers: Json[] = template?.spec?.containers ?? [];
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image).join(',')];
}

export function selectorText(selector: Json): string {
  if (!selector) return '<none>';
  const parts = Object.entries(selector.matchLabels ?? selector)
    .filter(([, v]) => typeof v === 'string')
    .map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? [])
    parts.push(`${r.key} ${String(r.operator).toLowerCase()} (${(r.values ?? []).join(',')})`);
  return parts.length > 0 ? parts.join(',') : '<none>';
}

/** NAME ... AGE for one object: most printers end with the object's age. */
export const ageCell = (object: Json, now: number): string => ageOf(object.metadata?.creationTimestamp, now);
