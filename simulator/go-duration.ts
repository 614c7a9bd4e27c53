/** Go's time.Duration.String() for a number of seconds: `500ms`, `1.5s`, `1m30s`, `1h0m0s`, `0s`. */
export function goDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  let ns = Math.round(Math.abs(seconds) * 1e9);
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${Number((ns / 1e3).toFixed(3))}µs`;
  if (ns < 1e9) return `${sign}${Number((ns / 1e6).toFixed(6))}ms`;
  const hours = Math.floor(ns / 3.6e12);
  ns -= hours * 3.6e12;
  const minutes = Math.floor(ns / 6e10);
  ns -= minutes * 6e10;
  const rest = `${Number((ns / 1e9).toFixed(9))}s`;
  if (hours) return `${sign}${hours}h${minutes}m${rest}`;
  return minutes ? `${sign}${minutes}m${rest}` : `${sign}${rest}`;
}
