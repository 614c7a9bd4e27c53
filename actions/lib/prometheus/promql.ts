/**
 * Building PromQL from settings values. Every value lands inside a double-quoted string literal with its quotes,
 * backslashes and control characters escaped, and every name is checked against the PromQL grammar, so a value
 * such as `a"} or vector(1) #` stays a label value and can never change the structure of the query.
 */

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The body of a PromQL double-quoted string literal (Go escaping rules) holding exactly `value`. */
export function escapeLabelValue(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return out;
}

/** A regular expression (RE2) matching exactly `value`, for `=~` matchers built from literal alternatives. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function assertMetricName(name: string): string {
  if (!metricNamePattern.test(name)) throw new Error(`'${name}' is not a valid Prometheus metric name`);
  return name;
}

function assertLabelName(name: string): string {
  if (!labelNamePattern.test(name)) throw new Error(`'${name}' is not a valid Prometheus label name`);
  return name;
}

export function isLabelName(name: string): boolean {
  return labelNamePattern.test(name);
}

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** `metric{a="x",b=~"y"}` with every value escaped; throws on a name that is not a PromQL identifier. */
export function selector(metric: string, matchers: LabelMatcher[]): string {
  const body = matchers
    .map((m) => `${assertLabelName(m.name)}${m.op}"${escapeLabelValue(m.value)}"`)
    .join(',');
  return `${assertMetricName(metric)}{${body}}`;
}

/**
 * The label kube-state-metrics gives a Kubernetes pod label in `kube_pod_labels`: `label_` plus the key with every
 * character outside [a-zA-Z0-9_] replaced by `_` (so `app.kubernetes.io/name` becomes `label_app_kubernetes_io_name`).
 */
export function kubeLabelName(key: string): string {
  return `label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** A PromQL duration literal for a whole number of milliseconds: `90s`, `1500ms` (never below 1ms). */
export function promDuration(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}
