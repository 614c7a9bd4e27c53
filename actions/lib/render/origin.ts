/**
 * Maps a field of a rendered object back to the settings field it was copied from, so that a schema violation
 * in a passthrough fragment (a probe, a topology spread constraint, a LimitRange item) is reported
 * at its line in the settings file rather than in the rendered output.
 */
import type { FieldPath } from '../util/yaml-source.js';
import type { KubeObject } from './types.js';

type Path = ReadonlyArray<string | number>;

const probeSettings: Record<string, string> = {
  readinessProbe: 'readiness',
  livenessProbe: 'liveness',
  startupProbe: 'startup',
};

function startsWith(path: Path, prefix: Path): boolean {
  return prefix.every((part, i) => (part === '*' ? typeof path[i] === 'number' : path[i] === part));
}

/** The settings field a rendered field came from, or undefined when it came from the base manifests. */
export function settingsOrigin(object: KubeObject, path: Path): FieldPath | undefined {
  if (object.kind === 'Deployment') {
    const podSpec = ['spec', 'template', 'spec'];
    if (startsWith(path, [...podSpec, 'containers', '*']) && typeof path[5] === 'string') {
      const probe = probeSettings[path[5]];
      if (probe) return ['service', 'probes', probe, ...path.slice(6)];
    }
    if (startsWith(path, [...podSpec, 'topologySpreadConstraints', '*']))
      return ['capacity', 'topologySpreadConstraints', ...path.slice(4)];
  }
  if (object.kind === 'LimitRange' && startsWith(path, ['spec', 'limits', '*']))
    return ['capacity', 'limitRange', ...path.slice(1)];
  return undefined;
}
