/** Labels and annotations scalegate puts on what it applies; prune and status select by them. */
export const labels = {
  managedBy: 'app.kubernetes.io/managed-by',
  environment: 'scalegate.dev/environment',
  track: 'scalegate.dev/track',
  component: 'scalegate.dev/component',
} as const;

export const managedByValue = 'scalegate';

export const annotations = {
  gitSha: 'scalegate.dev/git-sha',
  runUrl: 'scalegate.dev/run-url',
  image: 'scalegate.dev/image',
  imageDigest: 'scalegate.dev/image-digest',
  verdict: 'scalegate.dev/verdict',
  revision: 'scalegate.dev/revision',
} as const;

/** True for the keys of scalegate's own annotations. */
export const isScalegateAnnotation = (key: string): boolean => key.startsWith('scalegate.dev/');

/** An object's scalegate annotations (image, git sha, run, verdict): what a promotion hands over and records. */
export function scalegateAnnotations(object: { metadata?: { annotations?: Record<string, string> } }) {
  return Object.fromEntries(
    Object.entries(object.metadata?.annotations ?? {}).filter(([key]) => isScalegateAnnotation(key)),
  );
}

/** A label selector string from key/value pairs. */
export function selectorString(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** The selector of everything scalegate applied for one environment and track. */
export function trackSelector(environment: string, track: string): string {
  return selectorString({
    [labels.managedBy]: managedByValue,
    [labels.environment]: environment,
    [labels.track]: track,
  });
}
