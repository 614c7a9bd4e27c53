/**
 * Deterministic serialization of rendered objects: a fixed object order (what must exist first comes first), a
 * fixed key order inside every object, YAML without anchors, and a sha256 digest of the result.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from './types.js';

const leadingKeys = ['apiVersion', 'kind', 'metadata', 'name', 'namespace', 'spec'];

function compareKeys(a: string, b: string): number {
  const [ra, rb] = [leadingKeys.indexOf(a), leadingKeys.indexOf(b)];
  if (ra !== -1 || rb !== -1)
    return (ra === -1 ? leadingKeys.length : ra) - (rb === -1 ? leadingKeys.length : rb);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A deep copy with every mapping's keys in canonical order (identity fields first, then alphabetical). */
export function canonical<T>(value: T): T {
  if (Array.isArray(value)) return value.map(canonical) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => compareKeys(a, b));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)])) as T;
}

export type OutputFormat = 'yaml' | 'json';

export function toYaml(object: KubeObject): string {
  return stringify(canonical(object), { aliasDuplicateObjects: false, lineWidth: 0 });
}

export function toJson(object: KubeObject): string {
  return `${JSON.stringify(canonical(object), null, 2)}\n`;
}

/** Multi-document YAML, each document introduced by `---`. */
export function toDocuments(objects: KubeObject[]): string {
  return objects.map((o) => `---\n${toYaml(o)}`).join('');
}

/** A kubectl-compatible `List` holding every object. */
export function toJsonList(objects: KubeObject[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects.map(canonical) }, null, 2)}\n`;
}

export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** `03-deployment-web-canary.yaml`: the number keeps apply order when a folder is applied file by file. */
export function objectFileName(object: KubeObject, index: number, format: OutputFormat): string {
  return `${String(index + 1).padStart(2, '0')}-${object.kind.toLowerCase()}-${object.metadata.name}.${format}`;
}

const renderedFilePattern = /^\d{2,}-[a-z0-9]+-[a-z0-9.-]+\.(yaml|json)$/;

/**
 * Writes one file per object into `dir`, first removing files an earlier render left there (by their name
 * pattern), so the folder holds exactly this render. Returns the paths written.
 */
export async function writeObjectFiles(
  dir: string,
  objects: KubeObject[],
  format: OutputFormat,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir)) {
    if (renderedFilePattern.test(entry)) await rm(join(dir, entry));
  }
  const written: string[] = [];
  for (const [index, object] of objects.entries()) {
    const path = join(dir, objectFileName(object, index, format));
    await writeFile(path, format === 'json' ? toJson(object) : toYaml(object));
    written.push(path);
  }
  return written;
}
