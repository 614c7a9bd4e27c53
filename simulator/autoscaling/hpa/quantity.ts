import { formatBytes, isQuantity } from '../../../actions/lib/util/quantity.js';

/**
 * Exact milli-unit arithmetic for the HPA. The controller works on `Quantity.MilliValue()` as int64 (sums,
 * truncating divisions, MaxInt64 saturation), which floats cannot reproduce, so values are bigints here.
 */

export const maxInt64 = 2n ** 63n - 1n;
export const maxInt32 = 2 ** 31 - 1;

/** SI suffixes from 10^-9 to 10^18, three decades apart; binary ones from 2^10 to 2^60. */
const decimalSuffixOrder = ['n', 'u', 'm', '', 'k', 'M', 'G', 'T', 'P', 'E'];
const binarySuffixOrder = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** `Quantity.MilliValue()`: the value in thousandths, rounded away from zero as Kubernetes rounds up. */
export function milliValue(value: string | number): bigint {
  const text = String(value).trim();
  if (!isQuantity(text)) throw new RangeError(`not a Kubernetes quantity: '${text}'`);
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+)|([A-Za-z]+))?$/.exec(text)!;
  const [, sign = '', whole = '', fraction = '', exponent, suffix = ''] = match;
  let numerator = BigInt(`${whole}${fraction}` || '0') * 1000n;
  let denominator = 10n ** BigInt(fraction.length);
  const decimalIndex = decimalSuffixOrder.indexOf(suffix);
  const binaryIndex = binarySuffixOrder.indexOf(suffix);
  const power = exponent !== undefined ? Number(exponent) : decimalIndex >= 0 ? (decimalIndex - 3) * 3 : 0;
  if (power >= 0) numerator *= 10n ** BigInt(power);
  else denominator *= 10n ** BigInt(-power);
  if (binaryIndex >= 0) numerator *= 2n ** BigInt((binaryIndex + 1) * 10);
  const rounded = (numerator + denominator - 1n) / denominator;
  return sign === '-' ? -rounded : rounded;
}

/** `resource.NewMilliQuantity(milli, DecimalSI).String()`: the largest SI suffix that keeps an integer mantissa. */
export function formatMilliDecimal(milli: bigint): string {
  if (milli === 0n) return '0';
  // From E down to no suffix: the first whose divisor leaves an integer mantissa, else millis.
  for (let i = decimalSuffixOrder.length - 1; i >= 3; i--) {
    const divisor = 10n ** BigInt((i - 2) * 3);
    if (milli % divisor === 0n) return `${milli / divisor}${decimalSuffixOrder[i]}`;
  }
  return `${milli}m`;
}

/** `resource.NewMilliQuantity(milli, BinarySI).String()`: binary suffixes for whole bytes, else decimal form. */
export function formatMilliBinary(milli: bigint): string {
  if (milli % 1000n !== 0n || milli < 0n) return formatMilliDecimal(milli);
  return formatBytes(Number(milli / 1000n));
}
