import { parseDuration } from '../../actions/lib/util/duration.js';
import { parseQuantity } from '../../actions/lib/util/quantity.js';
import { durationBuckets } from './http-stats.js';
import { applyImageModifiers } from './image-catalog.js';

/**
 * How a simulated pod serves requests, read from its annotations (set on the Deployment's pod template).
 * Every annotation is optional; the defaults describe a light, healthy service.
 */
export const workloadAnnotations = {
  cpuPerRequest: 'sim.scalegate.dev/cpu-per-request',
  baseLatency: 'sim.scalegate.dev/base-latency',
  errorRatio: 'sim.scalegate.dev/error-ratio',
  memoryPerRequest: 'sim.scalegate.dev/memory-per-request',
  baseMemory: 'sim.scalegate.dev/base-memory',
  coldStart: 'sim.scalegate.dev/cold-start',
  latencyBuckets: 'sim.scalegate.dev/latency-buckets',
} as const;

export interface WorkloadModel {
  /** CPU time one request needs on one core, in seconds. */
  cpuSecondsPerRequest: number;
  /** Time a request waits besides CPU (downstream calls, I/O), in seconds. */
  baseLatencySeconds: number;
  /** Share of responses answered with 500. */
  errorRatio: number;
  memoryBytesPerRequest: number;
  baseMemoryBytes: number;
  /** After turning Ready, requests cost up to `coldStartFactor` × CPU, decaying linearly to 1× over this time. */
  coldStartSeconds: number;
  /** Upper bounds of the app's `http_request_duration_seconds` buckets, in seconds, ascending. */
  latencyBucketsSeconds: readonly number[];
}

export const coldStartFactor = 3;

export const defaultWorkload: WorkloadModel = {
  cpuSecondsPerRequest: 0.005,
  baseLatencySeconds: 0.01,
  errorRatio: 0,
  memoryBytesPerRequest: 256 * 1024,
  baseMemoryBytes: 32 * 2 ** 20,
  coldStartSeconds: 0,
  latencyBucketsSeconds: durationBuckets,
};

export interface WorkloadParse {
  model: WorkloadModel;
  /** One message per annotation that could not be read (its default is used instead). */
  problems: string[];
}

/**
 * Reads the workload model from pod annotations; a malformed value keeps its default and is reported. The serving
 * container's image, when given, then adjusts it through the image catalog's tag modifiers (`image-catalog.ts`).
 */
export function workloadFromAnnotations(
  annotations: Record<string, string> | undefined,
  image?: string,
): WorkloadParse {
  const model = { ...defaultWorkload };
  const problems: string[] = [];
  const read = <T extends number | readonly number[]>(
    key: string,
    parse: (text: string) => T,
    apply: (value: T) => void,
  ) => {
    const text = annotations?.[key];
    if (text === undefined) return;
    try {
      const value = parse(text);
      if (typeof value === 'number' && !(value >= 0)) throw new RangeError('must not be negative');
      apply(value);
    } catch (error) {
      problems.push(`annotation ${key}: '${text}': ${(error as Error).message}`);
    }
  };
  const seconds = (text: string) => parseDuration(text) / 1000;
  read(workloadAnnotations.cpuPerRequest, seconds, (v) => {
    model.cpuSecondsPerRequest = v;
  });
  read(workloadAnnotations.baseLatency, seconds, (v) => {
    model.baseLatencySeconds = v;
  });
  read(
    workloadAnnotations.errorRatio,
    (text) => {
      const ratio = Number(text);
      if (!Number.isFinite(ratio) || ratio > 1) throw new RangeError('expected a number between 0 and 1');
      return ratio;
    },
    (v) => {
      model.errorRatio = v;
    },
  );
  read(workloadAnnotations.memoryPerRequest, parseQuantity, (v) => {
    model.memoryBytesPerRequest = v;
  });
  read(workloadAnnotations.baseMemory, parseQuantity, (v) => {
    model.baseMemoryBytes = v;
  });
  read(workloadAnnotations.coldStart, seconds, (v) => {
    model.coldStartSeconds = v;
  });
  read(workloadAnnotations.latencyBuckets, bucketBounds, (v) => {
    model.latencyBucketsSeconds = v;
  });
  return { model: applyImageModifiers(model, image), problems };
}

/**
 * A histogram's bucket bounds as durations separated by commas (`50ms,75ms,100ms`), in seconds: positive and strictly
 * ascending, as a Prometheus client requires of its buckets.
 */
function bucketBounds(text: string): number[] {
  const bounds = text.split(',').map((part) => parseDuration(part.trim()) / 1000);
  bounds.forEach((bound, i) => {
    if (!(bound > 0)) throw new RangeError('bucket bounds must be positive');
    if (i > 0 && !(bound > (bounds[i - 1] as number))) throw new RangeError('bucket bounds must ascend');
  });
  return bounds;
}

/** CPU cost multiplier `secondsSinceReady` after the pod turned Ready: ×3 at first, 1× once the cold start is over. */
export function coldStartMultiplier(model: WorkloadModel, secondsSinceReady: number): number {
  if (model.coldStartSeconds <= 0 || secondsSinceReady >= model.coldStartSeconds) return 1;
  const remaining = 1 - Math.max(0, secondsSinceReady) / model.coldStartSeconds;
  return 1 + (coldStartFactor - 1) * remaining;
}
