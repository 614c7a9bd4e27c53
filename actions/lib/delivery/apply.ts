/**
 * apply delivery (the default): scalegate server-side applies each track's objects itself, pruning what the track no
 * longer renders, and a promotion or its rollback patches the stable Deployment's pod template in place.
 */
import type { V1Deployment, V1PodTemplateSpec } from '@kubernetes/client-node';
import { applyObjects } from '../kube/apply.js';
import { annotations, isScalegateAnnotation, labels, scalegateAnnotations } from '../kube/labels.js';
import { deploymentRef } from '../kube/object.js';
import { waitForRollout } from '../kube/rollout-status.js';
import { ScalegateError } from '../util/errors.js';
import { type Delivery, trackDeployment } from './delivery.js';
import { mergePatchBetween } from './merge-patch.js';

/**
 * The stable's new pod template: the canary's, with the labels the stable's selector and track need. Everything else
 * (containers, annotations with image and git sha) comes from the canary.
 */
export function promotedTemplate(canary: V1Deployment, stable: V1Deployment): V1PodTemplateSpec {
  const template = structuredClone(canary.spec!.template);
  const stableLabels = stable.spec?.template?.metadata?.labels ?? {};
  const keep = new Set([...Object.keys(stable.spec?.selector?.matchLabels ?? {}), labels.track, 'track']);
  const merged = { ...template.metadata?.labels };
  for (const key of keep) if (stableLabels[key] !== undefined) merged[key] = stableLabels[key];
  template.metadata = { ...template.metadata, labels: merged };
  return template;
}

function sameAnnotations(
  current: Record<string, string> | undefined,
  recorded: Record<string, string>,
): boolean {
  const ours = Object.entries(current ?? {}).filter(([k]) => isScalegateAnnotation(k));
  return ours.length === Object.keys(recorded).length && ours.every(([k, v]) => recorded[k] === v);
}

export const applyDelivery: Delivery = {
  deliver(scope, track, objects) {
    const { namespace, environment } = scope.target;
    return applyObjects(scope.client, objects, { namespace, environment, track }, { log: scope.log });
  },
  async awaitTrack(scope, track) {
    await waitForRollout(scope.client, {
      namespace: scope.target.namespace,
      name: trackDeployment(scope, track),
      timeoutMs: scope.rolloutTimeoutMs,
      signal: scope.signal,
      onMessage: scope.log,
    });
  },
  async promoteStable(scope, { stable, canary }) {
    // A re-run after the canary was removed finds the stable already promoted: nothing to hand over.
    if (!canary) return;
    const template = mergePatchBetween(stable.spec?.template, promotedTemplate(canary, stable));
    const verdict =
      canary.metadata?.annotations?.[annotations.verdict] ?? 'promoted without recorded verdict';
    await scope.client.mergePatch(deploymentRef(scope.target.namespace, scope.target.service), {
      metadata: { annotations: { ...scalegateAnnotations(canary), [annotations.verdict]: verdict } },
      ...(template === undefined ? {} : { spec: { template } }),
    });
  },
  async restoreStable(scope, previous) {
    const { client, target } = scope;
    const stable = await client.read<V1Deployment>(deploymentRef(target.namespace, target.service));
    if (!stable)
      throw new ScalegateError(
        `cannot roll back: deployment ${target.namespace}/${target.service} is gone`,
        1,
      );
    const template = mergePatchBetween(stable.spec?.template, previous.template);
    if (template === undefined && sameAnnotations(stable.metadata?.annotations, previous.annotations)) return;
    const restored: Record<string, string | null> = { ...previous.annotations };
    for (const key of Object.keys(stable.metadata?.annotations ?? {}))
      if (isScalegateAnnotation(key) && !(key in previous.annotations)) restored[key] = null;
    await client.mergePatch(deploymentRef(target.namespace, target.service), {
      metadata: { annotations: restored },
      ...(template === undefined ? {} : { spec: { template } }),
    });
  },
  // The lifecycle deletes the canary's workload itself: nothing else delivers it.
  async retireCanary() {},
};
