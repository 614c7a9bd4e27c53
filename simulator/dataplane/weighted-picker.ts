/**
 * Smooth weighted round-robin (nginx's algorithm): over any run of Σweights picks, each choice is taken exactly
 * in proportion to its weight, interleaved rather than in bursts. State is kept per key (a route rule, a service).
 */
export class WeightedPicker {
  private readonly current = new Map<string, number[]>();

  /** Returns the index of the chosen weight, or undefined when every weight is 0. */
  pick(key: string, weights: number[]): number | undefined {
    const total = weights.reduce((a, b) => a + Math.max(0, b), 0);
    if (total <= 0) return undefined;
    let state = this.current.get(key);
    if (!state || state.length !== weights.length) {
      state = weights.map(() => 0);
      this.current.set(key, state);
    }
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      state[i] = (state[i] as number) + Math.max(0, weights[i] as number);
      if ((state[i] as number) > (state[best] as number)) best = i;
    }
    state[best] = (state[best] as number) - total;
    return best;
  }
}
