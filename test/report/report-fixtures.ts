/** A verdict and load windows as the gate and load steps write them, for the report tests. */
import type { GateResult } from '../../actions/lib/gates/types.js';
import { buildVerdict, type Verdict } from '../../actions/lib/gates/verdict.js';
import type { LoadWindows } from '../../actions/lib/load/types.js';

const t0 = Date.parse('2026-11-22T06:00:00Z') / 1000;
const window = { start: '2026-11-22T06:00:00.000Z', end: '2026-11-22T06:02:00.000Z' };

function points(values: Array<number | null>): Array<[number, number]> {
  return values.map((v, i) => [t0 + i * 10, v as number]);
}

export const sampleGates: GateResult[] = [
  {
    name: 'scaled-out',
    type: 'hpaScaleOut',
    status: 'pass',
    reason: 'HPA shop/web reached 6 replicas 42s into the window (within 1m30s).',
    observed: { startReplicas: 3, peakReplicas: 8, timeToScaleSeconds: 42 },
    threshold: { withinSeconds: 90, minReplicas: 6, targetReplicas: 6 },
    margin: 48,
    marginUnit: 's',
    queries: [
      'kube_horizontalpodautoscaler_status_current_replicas{namespace="shop",horizontalpodautoscaler="web"}',
    ],
    window,
    series: [{ name: 'current replicas', labels: {}, points: points([3, 3, 4, 6, 8, 8]) }],
    settled: true,
  },
  {
    name: 'no-stuck-pods',
    type: 'pendingPods',
    status: 'pass',
    reason: 'at most 1 pod was Pending at once, for at most 4s.',
    observed: { maxPending: 1, longestPendingSeconds: 4, cause: null },
    threshold: { maxPending: 2, maxPendingSeconds: 30 },
    margin: 1,
    marginUnit: 'pods',
    queries: ['max by (pod) (kube_pod_status_phase{namespace="shop",phase="Pending"})'],
    window,
    series: [{ name: 'pending pods', labels: {}, points: points([0, 1, 1, 0, 0, 0]) }],
    settled: true,
  },
  {
    name: 'p95 <canary> | fast',
    type: 'latency',
    status: 'fail',
    reason: 'p95 was 412.5ms, above 300ms by 112.5ms.',
    observed: { p95Ms: 412.5 },
    threshold: { quantile: 0.95, maxMs: 300 },
    margin: -112.5,
    marginUnit: 'ms',
    queries: [
      'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop",track=~"canary|stable"}[2m])))',
      'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop"}[``4s``])))',
    ],
    window,
    series: [{ name: 'p95', labels: {}, points: points([0.2, 0.25, null, 0.41, 0.42, 0.4]) }],
    settled: true,
  },
  {
    name: 'load',
    type: 'loadApplied',
    status: 'inconclusive',
    reason: 'no http_requests_total series: no request reached the service.',
    observed: { rate: null },
    threshold: { minRate: 50, requiredRate: 50 },
    margin: null,
    queries: [],
    window,
    series: [],
    settled: true,
    error: { kind: 'unreachable', message: 'connection refused' },
  },
];

export function sampleVerdict(gates: GateResult[] = sampleGates): Verdict {
  return buildVerdict({
    results: gates,
    window: { start: new Date(window.start), end: new Date(window.end) },
    stage: 'ramp',
    prometheusUrl: 'http://user:secret@127.0.0.1:9090',
    mode: 'once',
    evaluatedAt: new Date('2026-11-22T06:02:05Z'),
  });
}

export const sampleWindows: LoadWindows = {
  start: window.start,
  end: window.end,
  scenarios: [
    {
      name: 'ramp',
      executor: 'ramping-vus',
      start: window.start,
      end: window.end,
      stages: [
        {
          index: 0,
          target: 20,
          durationMs: 30_000,
          start: '2026-11-22T06:00:00.000Z',
          end: '2026-11-22T06:00:30.000Z',
        },
        {
          index: 1,
          target: 20,
          durationMs: 90_000,
          start: '2026-11-22T06:00:30.000Z',
          end: '2026-11-22T06:02:00.000Z',
        },
      ],
    },
    { name: 'probe', executor: 'constant-vus', start: window.start, end: window.end, stages: [] },
  ],
};
