/** `k6/metrics`: Counter, Gauge, Rate, Trend, declared in the init context, added to in VU code. */
import type { MetricContains, MetricType } from '../../metrics.js';
import type { VuBase } from './state.js';

export function createMetricsModule(vu: VuBase) {
  const make = (type: MetricType) =>
    class {
      readonly name: string;
      constructor(name: string, isTime = false) {
        if (vu.phase !== 'init') throw new Error('metrics must be declared in the init context');
        if (!/^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/.test(String(name)))
          throw new Error(`invalid metric name '${name}': 2 to 129 letters, digits and underscores`);
        this.name = String(name);
        const contains: MetricContains = isTime ? 'time' : 'default';
        const known = vu.metricDefinitions.find((d) => d.name === this.name);
        if (known && (known.type !== type || known.contains !== contains))
          throw new Error(`metric '${this.name}' already registered with a different type`);
        if (!known) vu.metricDefinitions.push({ name: this.name, type, contains });
      }
      add(value: unknown, tags?: Record<string, unknown>): boolean {
        vu.requireVuContext('adding to metrics');
        const number = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
        if (value === null || value === undefined || Number.isNaN(number)) {
          console.warn(`${this.name}: ignoring the invalid value ${String(value)}`);
          return false;
        }
        const extra = Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [k, String(v)]));
        vu.emit(this.name, number, { ...vu.tags(), ...extra });
        return true;
      }
    };
  return { Counter: make('counter'), Gauge: make('gauge'), Rate: make('rate'), Trend: make('trend') };
}
