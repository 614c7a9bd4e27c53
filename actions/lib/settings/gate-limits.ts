/**
 * Gates the environment's own settings make impossible to pass, caught at validation rather than after a rollout:
 * an hpaScaleOut gate on this service's autoscaler asking for more replicas than its maxReplicas (or a factor of
 * its minReplicas above it).
 */
import type { Gate } from '../gates/schema.js';
import type { SettingsProblem } from '../util/schema-problems.js';
import type { EnvironmentSettings } from './schema.js';

/** The HPA names the environment's autoscaler has, per track (KEDA's operator prefixes its own HPA). */
function autoscalerNames(settings: EnvironmentSettings): string[] {
  const { name } = settings.service;
  const tracks = [name, `${name}-canary`];
  return settings.autoscaling?.keda ? tracks.map((track) => `keda-hpa-${track}`) : tracks;
}

export function unreachableGateProblems(settings: EnvironmentSettings, gates: Gate[]): SettingsProblem[] {
  const bounds = settings.autoscaling?.hpa ?? settings.autoscaling?.keda;
  if (!bounds) return [];
  const names = autoscalerNames(settings);
  const problems: SettingsProblem[] = [];
  gates.forEach((gate, index) => {
    if (gate.type !== 'hpaScaleOut') return;
    const ours = gate.hpa
      ? names.includes(gate.hpa)
      : (gate.service ?? settings.service.name) === settings.service.name;
    if (!ours) return;
    const { minReplicas, maxReplicas } = bounds;
    if (gate.minReplicas !== undefined && gate.minReplicas > maxReplicas)
      problems.push({
        path: ['gates', index, 'minReplicas'],
        detail: `expected at most the autoscaler's maxReplicas ${maxReplicas}: the gate can never pass (got ${gate.minReplicas})`,
      });
    if (gate.factor !== undefined && Math.ceil(minReplicas * gate.factor) > maxReplicas)
      problems.push({
        path: ['gates', index, 'factor'],
        detail: `expected at most ${maxReplicas / minReplicas} (maxReplicas ${maxReplicas} / minReplicas ${minReplicas}): the gate can never pass (got ${gate.factor})`,
      });
  });
  return problems;
}
