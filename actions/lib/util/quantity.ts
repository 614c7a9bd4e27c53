/**
 * Kubernetes resource quantities ("500m", "1Gi", "2", "1.5", "1e3"): parse to a plain number of base units
 * (cores for CPU, bytes for memory) and format back to a canonical string.
 */

const binarySuffixes: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Powers of ten; applied through the number's exponent so that "100n" is exactly 1e-7, not 1.0000000000000001e-7. */
const decimalExponents: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

/** A whole Kubernetes quantity (also published in the settings JSON Schema). */
export const quantityPattern =
  /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** True when `text` is a syntactically valid Kubernetes quantity. */
export function isQuantity(text: string): boolean {
  return quantityPattern.test(text.trim());
}

/**
 * Parses a quantity into base units: `parseQuantity('500m') === 0.5`, `parseQuantity('1Gi') === 1073741824`.
 * Numbers pass through unchanged (YAML often yields `2` rather than `"2"`). Throws RangeError on bad syntax.
 */
export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a Kubernetes quantity: ${value}`);
    return value;
  }
  const match = quantityPattern.exec(value.trim());
  if (!match) throw new RangeError(`not a Kubernetes quantity: '${value}'`);
  const [, digits, exponent, suffix = ''] = match;
  if (exponent) return Number(`${digits}${exponent}`);
  const binary = binarySuffixes[suffix];
  return binary === undefined ? Number(`${digits}e${decimalExponents[suffix]}`) : Number(digits) * binary;
}

/** Formats CPU cores the way Kubernetes prints them: whole cores as "2", fractions as millicores "250m". */
export function formatCpu(cores: number): string {
  const millis = Math.round(cores * 1000);
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Formats bytes with the largest binary suffix that divides them exactly ("512Mi", "1Gi"), else plain bytes. */
export function formatBytes(bytes: number): string {
  const whole = Math.round(bytes);
  for (const suffix of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
    const unit = binarySuffixes[suffix]!;
    if (whole !== 0 && whole % unit === 0) return `${whole / unit}${suffix}`;
  }
  return String(whole);
}
