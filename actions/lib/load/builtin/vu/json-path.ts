/**
 * The common subset of gjson paths that k6's `response.json(selector)` accepts: dot-separated keys, array indexes
 * (`items.0.id`), `#` for an array's length and `items.#.id` to collect a field over an array; `\.` escapes a dot.
 */
export function selectJsonPath(value: unknown, path: string): unknown {
  const parts = path.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, '.'));
  let current: unknown = value;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (current === null || current === undefined) return undefined;
    if (part === '#' && Array.isArray(current)) {
      const rest = parts.slice(i + 1).join('.');
      return rest === '' ? current.length : current.map((item) => selectJsonPath(item, rest));
    }
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
