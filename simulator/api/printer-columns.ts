import type { ResourceType } from '../store/resources.js';
import { ageOf } from './age.js';
import { age, type Column, type Json, name, type Printer } from './table-columns.js';

/**
 * The Table printer of a custom resource (`additionalPrinterColumns`), as the apiextensions server builds it: NAME,
 * then each column's JSONPath value, AGE when no column is given. The JSONPath subset CRDs use: `.field`, `[n]`,
 * `[*]` and `[?(@.field=="value")]`.
 */

function evaluate(root: Json, path: string): unknown[] {
  let current: unknown[] = [root];
  const steps = path.match(/\.[^.[]+|\[[^\]]*\]/g) ?? [];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current as Json[]) {
      if (value === undefined || value === null) continue;
      if (step.startsWith('.')) next.push(value[step.slice(1)]);
      else if (step === '[*]') next.push(...(Array.isArray(value) ? value : Object.values(value)));
      else if (/^\[\d+\]$/.test(step)) next.push(value[Number(step.slice(1, -1))]);
      else {
        const filter = /^\[\?\(@\.([\w.]+)\s*==\s*["']([^"']*)["']\)\]$/.exec(step);
        if (filter && Array.isArray(value))
          next.push(...value.filter((item) => evaluate(item, `.${filter[1]}`)[0] === filter[2]));
      }
    }
    current = next.filter((v) => v !== undefined);
  }
  return current;
}

function cell(value: unknown[], type: string, now: number): unknown {
  if (value.length === 0) return type === 'date' ? '<unknown>' : '';
  const first = value[0];
  if (type === 'date') return ageOf(String(first), now);
  if (typeof first === 'object') return JSON.stringify(value.length === 1 ? first : value);
  return value.map(String).join(',');
}

export function customResourcePrinter(type: ResourceType): Printer | undefined {
  if (!type.customResource && !type.printerColumns) return undefined;
  const columns = type.printerColumns ?? [];
  if (columns.length === 0)
    return {
      columns: [name, age],
      cells: (o, now) => [o.metadata.name, ageOf(o.metadata.creationTimestamp, now)],
    };
  return {
    columns: [
      name,
      ...columns.map(
        (c): Column => ({
          name: c.name,
          type: c.type === 'integer' || c.type === 'number' ? 'integer' : 'string',
          priority: c.priority ?? 0,
        }),
      ),
    ],
    cells: (o, now) => [o.metadata.name, ...columns.map((c) => cell(evaluate(o, c.jsonPath), c.type, now))],
  };
}
