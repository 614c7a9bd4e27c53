/** "did you mean" suggestions for misspelt names (keys, environment names, gate types). */

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name closest to `input` when it is close enough to be a typo (case-insensitive), else undefined. */
export function closestMatch(input: string, known: Iterable<string>): string | undefined {
  const lower = input.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  const tolerance = Math.max(1, Math.floor(Math.max(input.length, best.name.length) / 3));
  return best.distance <= tolerance ? best.name : undefined;
}

/** ` (did you mean 'x'?)` or an empty string. */
export function didYouMean(input: string, known: Iterable<string>): string {
  const match = closestMatch(input, known);
  return match === undefined ? '' : ` (did you mean '${match}'?)`;
}
