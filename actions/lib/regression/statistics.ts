/** Small, exact statistics for comparing a run with its baseline. Pure functions over finite numbers. */

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Percentile with linear interpolation between closest ranks (the same definition as numpy's default). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (rank - low);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 through erf; absolute error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Inverse standard normal CDF (Acklam's rational approximation; relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0 || p >= 1) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const tail = (q: number) =>
    (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

export interface MannWhitneyResult {
  /** U statistic of the first sample (the number of pairs in which it is the larger, ties counting half). */
  u: number;
  z: number;
  /** Two-sided p-value from the normal approximation with tie and continuity corrections. */
  pValue: number;
  /** Hodges–Lehmann estimate of the shift `x − y`, with its confidence interval. */
  shift: number;
  interval: [number, number];
  confidence: number;
}

/** Assigns mid-ranks to the pooled sample and returns Σ(t³ − t) over tie groups for the variance correction. */
function rankPooled(x: readonly number[], y: readonly number[]): { rankSumX: number; tieTerm: number } {
  const pooled = [...x.map((v) => ({ v, fromX: true })), ...y.map((v) => ({ v, fromX: false }))].sort(
    (a, b) => a.v - b.v,
  );
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < pooled.length; ) {
    let j = i;
    while (j + 1 < pooled.length && (pooled[j + 1] as { v: number }).v === (pooled[i] as { v: number }).v)
      j++;
    const midRank = (i + j + 2) / 2;
    const size = j - i + 1;
    tieTerm += size ** 3 - size;
    for (let k = i; k <= j; k++) if ((pooled[k] as { fromX: boolean }).fromX) rankSumX += midRank;
    i = j + 1;
  }
  return { rankSumX, tieTerm };
}

/**
 * Mann–Whitney U test of x against y, with the Hodges–Lehmann shift and its distribution-free confidence interval
 * (Moses), which is what Kayenta's MannWhitneyClassifier judges on.
 */
export function mannWhitney(
  x: readonly number[],
  y: readonly number[],
  confidence = 0.95,
): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitney needs two non-empty samples');
  const { rankSumX, tieTerm } = rankPooled(x, y);
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const meanU = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const diff = u - meanU;
  const z = variance > 0 ? (diff - Math.sign(diff) * 0.5) / Math.sqrt(variance) : 0;
  // z is 0 when the samples do not differ at all; the CDF approximation would give 1 − 1e-9 there.
  const pValue = variance > 0 && z !== 0 ? Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) : 1;

  const differences: number[] = [];
  for (const a of x) for (const b of y) differences.push(a - b);
  differences.sort((a, b) => a - b);
  const zc = normalQuantile(1 - (1 - confidence) / 2);
  const k = Math.max(0, Math.floor(meanU - zc * Math.sqrt((n1 * n2 * (n + 1)) / 12)));
  const lower = differences[Math.min(k, differences.length - 1)] as number;
  const upper = differences[Math.max(differences.length - 1 - k, 0)] as number;
  return { u, z, pValue, shift: median(differences), interval: [lower, upper], confidence };
}
