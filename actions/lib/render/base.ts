/**
 * Base manifests: the plain Kubernetes YAML of a service (`manifests/<service>/*.yaml`), as its developers write
 * it. The renderer overlays the environment settings onto it: exactly one Deployment (required), at most one
 * Service and one ServiceMonitor (generated from the settings when absent); any other object is copied as-is
 * into the environment's namespace.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { displayPath, type LoadedEnvironment } from '../settings/index.js';
import { SettingsError, type SourcePosition } from '../util/errors.js';
import { readInputFile } from '../util/input-file.js';
import { documentLocator, documentValue, type FieldPath, yamlSyntaxError } from '../util/yaml-source.js';
import type { KubeObject } from './types.js';

export interface BaseObject {
  object: KubeObject;
  /** Where the object's document starts, for messages. */
  position: SourcePosition;
  /** Where a field of the object is written (its deepest existing ancestor when absent). */
  locate(path: FieldPath): SourcePosition;
}

export interface BaseManifests {
  deployment: BaseObject;
  service?: BaseObject;
  serviceMonitor?: BaseObject;
  /** Everything else, in file order. */
  extras: BaseObject[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkedObject(value: unknown, position: SourcePosition): KubeObject {
  if (!isObject(value)) throw new SettingsError(position, '', 'expected a Kubernetes object (a mapping)');
  for (const field of ['apiVersion', 'kind'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '')
      throw new SettingsError(position, field, 'missing required field (expected a string)');
  }
  const metadata = value.metadata;
  if (!isObject(metadata) || typeof metadata.name !== 'string' || metadata.name === '')
    throw new SettingsError(position, 'metadata.name', 'missing required field (expected a string)');
  return value as KubeObject;
}

async function readBaseFile(file: string, display: string): Promise<BaseObject[]> {
  const text = await readInputFile(file, display, 'manifest file');
  const lines = new LineCounter();
  const objects: BaseObject[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false })) {
    if (doc.errors[0]) throw yamlSyntaxError(doc.errors[0], lines, display);
    const { line, col } = lines.linePos(doc.contents?.range[0] ?? doc.range[0]);
    const value = documentValue(doc, lines, display);
    if (value === null || value === undefined) continue;
    const position = { file: display, line, column: col };
    objects.push({
      object: checkedObject(value, position),
      position,
      locate: documentLocator(doc, lines, display),
    });
  }
  return objects;
}

function single(objects: BaseObject[], kind: string, env: LoadedEnvironment, required: boolean) {
  const found = objects.filter((o) => o.object.kind === kind);
  if (found.length > 1) {
    const second = found[1]!.position;
    throw new SettingsError(
      second,
      '',
      `more than one ${kind} in the base manifests (first at line ${found[0]!.position.line} of ${found[0]!.position.file})`,
    );
  }
  if (required && found.length === 0)
    throw new SettingsError(
      env.locate(['manifests']),
      'manifests',
      `no ${kind} in the base manifests folder ${env.settings.manifests}`,
    );
  return found[0];
}

/** Reads every .yaml/.yml file of the environment's base manifests folder, in name order. */
export async function readBaseManifests(env: LoadedEnvironment, cwd: string): Promise<BaseManifests> {
  const folder = env.paths.manifests;
  const files = (await readdir(folder)).filter((f) => ['.yaml', '.yml'].includes(extname(f))).sort();
  const all: BaseObject[] = [];
  for (const file of files) {
    const path = join(folder, file);
    all.push(...(await readBaseFile(path, displayPath(path, cwd))));
  }
  const deployment = single(all, 'Deployment', env, true)!;
  const service = single(all, 'Service', env, false);
  const serviceMonitor = single(all, 'ServiceMonitor', env, false);
  const claimed = new Set([deployment, service, serviceMonitor]);
  return {
    deployment,
    ...(service && { service }),
    ...(serviceMonitor && { serviceMonitor }),
    extras: all.filter((o) => !claimed.has(o)),
  };
}
