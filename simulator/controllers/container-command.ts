/**
 * How long a simulated container's command runs. Pods that restart `Always` serve until stopped; in a
 * run-to-completion pod (Jobs, `kubectl run --restart=Never`), `sleep N` runs N seconds (`sleep infinity` never
 * ends) and any other command (`echo`, `date`, a batch step) finishes as soon as it has started, exiting 0.
 */
export function commandRunSeconds(
  container: { command?: string[]; args?: string[] },
  restartPolicy: string | undefined,
): number | undefined {
  if ((restartPolicy ?? 'Always') === 'Always') return undefined;
  const words = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
  const sleep = /(?:^|[\s;&|])sleep\s+(\S+)/.exec(words)?.[1];
  if (sleep === undefined) return 0;
  if (sleep === 'infinity' || sleep === 'inf') return undefined;
  const seconds = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(sleep);
  if (!seconds) return 0;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[seconds[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(seconds[1]) * unit;
}
