/**
 * Reading gates: from a standalone gate file, or from the `gates:` list of an environment settings file. Every
 * problem becomes a one-line `file:line:column: field: expected ...` SettingsError at the offending key or value.
 */
import { SettingsError, type SourcePosition } from '../util/errors.js';
import { readInputFile } from '../util/input-file.js';
import { problemsFromIssues } from '../util/schema-problems.js';
import { type FieldPath, formatFieldPath, parseYamlSource } from '../util/yaml-source.js';
import {
  defaultGateMetrics,
  type Gate,
  type GateMetrics,
  gateFileSchema,
  gateSchema,
  semanticProblems,
} from './schema.js';

export type Locate = (path: FieldPath, target?: 'value' | 'key') => SourcePosition;

export interface GateSet {
  /** Where the gates were read from, for messages. */
  file: string;
  gates: Gate[];
  metrics: GateMetrics;
}

/** Unknown keys first: a misspelt key also shows up as a missing one, and the typo is the real problem. */
function firstProblem(problems: ReturnType<typeof problemsFromIssues>) {
  return problems.find((p) => p.target === 'key') ?? problems[0]!;
}

function fail(locate: Locate, path: FieldPath, detail: string, target?: 'value' | 'key'): never {
  throw new SettingsError(locate(path, target), formatFieldPath(path), detail);
}

function checkGates(gates: Gate[], locate: Locate, base: FieldPath): void {
  const seen = new Map<string, number>();
  gates.forEach((gate, index) => {
    const problem = semanticProblems(gate)[0];
    if (problem) fail(locate, [...base, index, ...problem.path], problem.detail);
    const first = seen.get(gate.name);
    if (first !== undefined) {
      const firstLine = locate([...base, first, 'name']).line;
      fail(
        locate,
        [...base, index, 'name'],
        `duplicate gate name '${gate.name}' (first defined on line ${firstLine})`,
      );
    }
    seen.set(gate.name, index);
  });
}

/** Parses the text of a gate file (`gates:` and optional `metrics:`). */
export function parseGateFile(text: string, file: string): GateSet {
  const source = parseYamlSource(text, file);
  const parsed = gateFileSchema.safeParse(source.value ?? {});
  if (!parsed.success) {
    const problem = firstProblem(problemsFromIssues(gateFileSchema, source.value, parsed.error.issues));
    fail(source.locate, problem.path, problem.detail, problem.target);
  }
  checkGates(parsed.data.gates, source.locate, ['gates']);
  return { file, gates: parsed.data.gates, metrics: parsed.data.metrics };
}

/** Reads the gate file at `path`; messages name it `display` (e.g. relative to the working directory). */
export async function loadGateFile(path: string, display = path): Promise<GateSet> {
  return parseGateFile(await readInputFile(path, display, 'gate file'), display);
}

/**
 * Validates an already-read `gates:` list (e.g. from environment settings), reporting positions through `locate`
 * with paths starting at `base` (`['gates']` in an environment file).
 */
export function parseGateList(
  raw: unknown,
  file: string,
  locate: Locate,
  base: FieldPath = ['gates'],
): GateSet {
  const listSchema = gateSchema.array();
  const parsed = listSchema.safeParse(raw ?? []);
  if (!parsed.success) {
    const problem = firstProblem(problemsFromIssues(listSchema, raw, parsed.error.issues));
    fail(locate, [...base, ...problem.path], problem.detail, problem.target);
  }
  checkGates(parsed.data, locate, base);
  return { file, gates: parsed.data, metrics: defaultGateMetrics };
}
