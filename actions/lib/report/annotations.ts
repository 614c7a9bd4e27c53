/**
 * Check-run annotations for the gates that did not pass, placed on the line of the environment (or gate) file where
 * each gate is defined, so the pull request's diff shows the failure next to the limit it broke.
 */

import type { Verdict } from '../gates/verdict.js';
import type { CheckAnnotation } from '../github/check-run.js';
import { parseYamlSource } from '../util/yaml-source.js';
import { formatPairs } from './model.js';

/**
 * `text` is the file's content, `path` its path relative to the repository root (as GitHub wants it). Gates the
 * file does not define (e.g. from a separate gate file) are annotated on the `gates:` key, or line 1.
 */
export function gateAnnotations(verdict: Verdict, text: string, path: string): CheckAnnotation[] {
  const source = parseYamlSource(text, path);
  const gates = (source.value as { gates?: unknown } | null)?.gates;
  const names = Array.isArray(gates) ? gates.map((g) => (g as { name?: unknown } | null)?.name) : [];
  return verdict.gates
    .filter((gate) => gate.status !== 'pass')
    .map((gate) => {
      const index = names.indexOf(gate.name);
      const position = index >= 0 ? source.locate(['gates', index]) : source.locate(['gates'], 'key');
      return {
        path,
        startLine: position.line,
        level: gate.status === 'fail' ? 'failure' : 'warning',
        title: `${gate.name} (${gate.type}): ${gate.status}`,
        message: `${gate.reason}\nobserved: ${formatPairs(gate.observed)}\nthreshold: ${formatPairs(gate.threshold)}`,
      };
    });
}
