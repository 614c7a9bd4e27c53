import { parseImage } from '../controllers/container-runtime.js';
import type { WorkloadModel } from './workload.js';

/**
 * The simulator's image catalog: an image tag may carry workload modifiers, so that a new image behaves differently
 * from the old one without any change to the manifests, as a real new build would. The tag is split on `-`; each
 * part that matches one of these adjusts the model read from the pod annotations (other parts, such as the version
 * `1.5.0`, are ignored):
 *
 * - `cpu<N>x`       CPU per request × N             (`shop/web:1.5.0-cpu2x`)
 * - `latency<D>`    base latency + D                (`shop/web:1.5.0-latency50ms`)
 * - `errors<N>pct`  error ratio + N %, at most 100 % (`shop/web:1.5.0-errors5pct`)
 * - `mem<N>x`       memory per request × N          (`shop/web:1.5.0-mem3x`)
 *
 * Modifiers combine (`shop/web:2.0.0-cpu2x-errors1pct`). They sit next to the kubelet's failing-image convention
 * (tags `pull-error`, `crash`, `crashloop`; see `simulator/controllers/container-runtime.ts`).
 */
type Modifier = { pattern: RegExp; apply: (model: WorkloadModel, match: RegExpExecArray) => void };

const durationUnits: Record<string, number> = { ms: 0.001, s: 1, m: 60 };

const modifiers: Modifier[] = [
  {
    pattern: /^cpu(\d+(?:\.\d+)?)x$/,
    apply: (model, m) => {
      model.cpuSecondsPerRequest *= Number(m[1]);
    },
  },
  {
    pattern: /^latency(\d+(?:\.\d+)?)(ms|s|m)$/,
    apply: (model, m) => {
      model.baseLatencySeconds += Number(m[1]) * (durationUnits[m[2] as string] as number);
    },
  },
  {
    pattern: /^errors(\d+(?:\.\d+)?)pct$/,
    apply: (model, m) => {
      model.errorRatio = Math.min(1, model.errorRatio + Number(m[1]) / 100);
    },
  },
  {
    pattern: /^mem(\d+(?:\.\d+)?)x$/,
    apply: (model, m) => {
      model.memoryBytesPerRequest *= Number(m[1]);
    },
  },
];

/** The modifier parts of an image's tag, in order (e.g. `['cpu2x', 'errors5pct']`). */
export function imageModifiers(image: string): string[] {
  return parseImage(image)
    .tag.split('-')
    .filter((part) => modifiers.some((m) => m.pattern.test(part)));
}

/** The model with the image tag's modifiers applied (a copy; the input is left as is). */
export function applyImageModifiers(model: WorkloadModel, image: string | undefined): WorkloadModel {
  const result = { ...model };
  if (!image) return result;
  for (const part of imageModifiers(image)) {
    for (const modifier of modifiers) {
      const match = modifier.pattern.exec(part);
      if (match) modifier.apply(result, match);
    }
  }
  return result;
}
