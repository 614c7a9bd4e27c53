/**
 * Finds, reads and validates an environment settings file. Every problem is reported as ONE line,
 * `file:line:column: field.path: expected ... (got ...)`, through SettingsError (exit code 2): the first problem in
 * file order, so that fixing errors top to bottom works.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { type GateSet, parseGateList } from '../gates/load.js';
import { didYouMean } from '../util/did-you-mean.js';
import { ScalegateError, SettingsError, type SourcePosition } from '../util/errors.js';
import { readInputFile } from '../util/input-file.js';
import { problemsFromIssues, type SettingsProblem } from '../util/schema-problems.js';
import { type FieldPath, formatFieldPath, parseYamlSource, type YamlSource } from '../util/yaml-source.js';
import { unreachableGateProblems } from './gate-limits.js';
import { type EnvironmentSettings, environmentSchema } from './schema.js';
import { semanticProblems } from './semantics.js';

export interface LoadedEnvironment {
  /** Environment name: the settings file name without its extension. */
  name: string;
  /** Absolute path of the settings file. */
  file: string;
  settings: EnvironmentSettings;
  /** The `gates:` list, parsed once here (durations in ms, ratios as fractions, conditions as expressions). */
  gates: GateSet;
  /** Absolute paths of the files the settings refer to (relative paths resolve against the settings file). */
  paths: { manifests: string; loadScript?: string };
  /** Where the value at a field path is written, e.g. `locate(['gates', 2, 'max'])`. */
  locate(path: ReadonlyArray<string | number>): SourcePosition;
}

export interface LoadOptions {
  /** Folder holding `environments/` and against which relative paths resolve (default process.cwd()). */
  cwd?: string;
}

const settingsExtensions = ['.yaml', '.yml'];

async function exists(path: string, kind: 'file' | 'directory'): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return kind === 'file' ? info?.isFile() === true : info?.isDirectory() === true;
}

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || settingsExtensions.includes(extname(ref));
}

async function availableEnvironments(folder: string): Promise<string[]> {
  const entries = await readdir(folder).catch(() => []);
  return entries
    .filter((entry) => settingsExtensions.includes(extname(entry)))
    .map((entry) => basename(entry, extname(entry)))
    .sort();
}

/** Resolves `--env` (an environment name or a path) to an absolute settings file path. */
export async function resolveEnvironmentFile(ref: string, cwd: string): Promise<string> {
  if (looksLikePath(ref)) {
    const file = resolve(cwd, ref);
    if (!(await exists(file, 'file'))) throw new ScalegateError(`settings file not found: ${ref}`, 2);
    return file;
  }
  const folder = join(cwd, 'environments');
  for (const extension of settingsExtensions) {
    const file = join(folder, `${ref}${extension}`);
    if (await exists(file, 'file')) return file;
  }
  const names = await availableEnvironments(folder);
  const available = names.length > 0 ? `available: ${names.join(', ')}` : `no settings files in ${folder}`;
  throw new ScalegateError(`unknown environment '${ref}'${didYouMean(ref, names)} (${available})`, 2);
}

function fail(source: YamlSource, problems: SettingsProblem[]): never {
  const located = problems.map((p) => ({ ...p, position: source.locate(p.path, p.target) }));
  located.sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column);
  const first = located[0]!;
  throw new SettingsError(first.position, formatFieldPath(first.path), first.detail);
}

async function fileProblems(settings: EnvironmentSettings, paths: LoadedEnvironment['paths']) {
  const problems: SettingsProblem[] = [];
  if (!(await exists(paths.manifests, 'directory')))
    problems.push({
      path: ['manifests'],
      detail: `base manifests folder not found: ${settings.manifests} (relative to this file)`,
    });
  if (settings.load && paths.loadScript) {
    if (!['.js', '.mjs', '.ts'].includes(extname(paths.loadScript)))
      problems.push({
        path: ['load', 'script'],
        detail: `expected a .js or .ts k6 script (got '${settings.load.script}')`,
      });
    else if (!(await exists(paths.loadScript, 'file')))
      problems.push({
        path: ['load', 'script'],
        detail: `k6 script not found: ${settings.load.script} (relative to this file)`,
      });
  }
  return problems;
}

/** Reads and validates settings from YAML text; `file` is used in messages and to resolve relative paths. */
export async function parseEnvironment(
  text: string,
  file: string,
  displayFile = file,
): Promise<LoadedEnvironment> {
  const source = parseYamlSource(text, displayFile);
  const parsed = environmentSchema.safeParse(source.value ?? {});
  if (!parsed.success) fail(source, problemsFromIssues(environmentSchema, source.value, parsed.error.issues));
  const settings = parsed.data;
  const semantic = semanticProblems(settings);
  if (semantic.length > 0) fail(source, semantic);
  // The gates module owns the gate schema; parsing here means a bad gate fails at load, not at evaluation.
  const gates = parseGateList(
    (source.value as { gates?: unknown } | null)?.gates,
    displayFile,
    source.locate,
  );
  const unreachable = unreachableGateProblems(settings, gates.gates);
  if (unreachable.length > 0) fail(source, unreachable);
  const dir = dirname(file);
  const paths = {
    manifests: resolve(dir, settings.manifests),
    ...(settings.load && { loadScript: resolve(dir, settings.load.script) }),
  };
  const missing = await fileProblems(settings, paths);
  if (missing.length > 0) fail(source, missing);
  return {
    name: basename(file, extname(file)),
    file,
    settings,
    gates,
    paths,
    locate: (path: FieldPath) => source.locate(path),
  };
}

/** How a file is named in messages: relative to cwd when inside it. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/**
 * Loads `environments/<ref>.yaml` (when `ref` is a name) or the settings file at path `ref`.
 * Throws ScalegateError/SettingsError (exit code 2) with a one-line message on any problem.
 */
export async function loadEnvironment(ref: string, options: LoadOptions = {}): Promise<LoadedEnvironment> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = await resolveEnvironmentFile(ref, cwd);
  const display = displayPath(file, cwd);
  return parseEnvironment(await readInputFile(file, display, 'settings file'), file, display);
}
