/**
 * The shapes of one HPA decision: the autoscaling/v2 and core/v1 fields the controller reads, the metric samples
 * it fetched, the per-HPA history it keeps in memory, and what it decides. The JSON of `scalegate hpa reconcile`
 * is exactly `ReconcileInput` per line in and `WhatIfOutput` per line out.
 */

export type Quantity = string | number;

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface MetricIdentifier {
  name: string;
  selector?: LabelSelector;
}

export interface MetricTarget {
  type?: string;
  value?: Quantity;
  averageValue?: Quantity;
  averageUtilization?: number;
}

export interface CrossVersionObjectReference {
  apiVersion?: string;
  kind: string;
  name: string;
}

export interface MetricSpec {
  type: string;
  resource?: { name: string; target: MetricTarget };
  containerResource?: { name: string; container: string; target: MetricTarget };
  pods?: { metric: MetricIdentifier; target: MetricTarget };
  object?: { describedObject: CrossVersionObjectReference; metric: MetricIdentifier; target: MetricTarget };
  external?: { metric: MetricIdentifier; target: MetricTarget };
}

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
  tolerance?: Quantity;
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

export interface HpaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface MetricValueStatus {
  value?: string;
  averageValue?: string;
  averageUtilization?: number;
}

/** autoscaling/v2 MetricStatus; `{type: ""}` marks a metric that failed, as the controller leaves it. */
export interface MetricStatus {
  type: string;
  resource?: { name: string; current: MetricValueStatus };
  containerResource?: { name: string; container: string; current: MetricValueStatus };
  pods?: { metric: MetricIdentifier; current: MetricValueStatus };
  object?: {
    describedObject: CrossVersionObjectReference;
    metric: MetricIdentifier;
    current: MetricValueStatus;
  };
  external?: { metric: MetricIdentifier; current: MetricValueStatus };
}

export interface HpaStatus {
  currentReplicas?: number;
  desiredReplicas?: number;
  lastScaleTime?: string;
  currentMetrics?: MetricStatus[];
  conditions?: HpaCondition[];
}

export interface Hpa {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; [key: string]: unknown };
  spec: {
    scaleTargetRef?: CrossVersionObjectReference;
    minReplicas?: number;
    maxReplicas: number;
    metrics?: MetricSpec[];
    behavior?: Behavior;
  };
  status?: HpaStatus;
}

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export interface PodContainer {
  name: string;
  restartPolicy?: string;
  resources?: { requests?: Record<string, Quantity> };
}

export interface Pod {
  metadata: { name: string; deletionTimestamp?: string; [key: string]: unknown };
  spec?: {
    containers?: PodContainer[];
    initContainers?: PodContainer[];
    resources?: { requests?: Record<string, Quantity> };
  };
  status?: { phase?: string; startTime?: string; conditions?: PodCondition[] };
}

export interface MetricSamples {
  /** When the samples were taken (RFC 3339). */
  timestamp: string;
  /** The window each sample covers. */
  windowSeconds: number;
  /** metrics.k8s.io: pod → container → resource → usage. A pod absent here has no sample. */
  resource?: Record<string, Record<string, Record<string, Quantity>>>;
  /** custom.metrics.k8s.io per-pod values: metric → pod → value. */
  pods?: Record<string, Record<string, Quantity>>;
  /** custom.metrics.k8s.io object values: metric → value. */
  object?: Record<string, Quantity>;
  /** external.metrics.k8s.io: metric → one value per returned series. */
  external?: Record<string, Quantity[]>;
  /** Sources whose fetch fails: a metric name, or a resource name such as `cpu`. */
  failing?: string[];
}

export interface Recommendation {
  replicas: number;
  timestamp: string;
}

export interface ScaleEvent {
  replicaChange: number;
  timestamp: string;
  /** Marked when older than the longest policy period at the last store; the next event reuses its slot. */
  outdated?: boolean;
}

export interface History {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export interface ControllerConfig {
  tolerance: number;
  cpuInitializationPeriodSeconds: number;
  delayOfInitialReadinessStatusSeconds: number;
  downscaleStabilizationWindowSeconds: number;
  /** Legacy scale-up cap factor (`scaleUpLimitFactor`, 2 in production; Kubernetes' own tests use 8). */
  scaleUpLimitFactor: number;
}

export const defaultControllerConfig: ControllerConfig = {
  tolerance: 0.1,
  cpuInitializationPeriodSeconds: 300,
  delayOfInitialReadinessStatusSeconds: 30,
  downscaleStabilizationWindowSeconds: 300,
  scaleUpLimitFactor: 2,
};

export interface ReconcileInput {
  hpa: Hpa;
  /**
   * The target's /scale: spec.replicas, status.replicas and, when known, status.selector; `selectingHpas` lists
   * (namespace/name) every HPA whose target selects any of these pods, this one included (more than one is
   * AmbiguousSelector).
   */
  scale: { specReplicas: number; statusReplicas: number; selector?: string; selectingHpas?: string[] };
  pods: Pod[];
  metrics: MetricSamples;
  /** null: the controller sees this HPA for the first time. */
  history: History | null;
  now: string;
  config?: Partial<ControllerConfig>;
}

export interface HpaEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface ReconcileResult {
  /** The status the controller writes (conditions with lastTransitionTime). */
  status: HpaStatus;
  /** Whether a new spec.replicas was (or, in a what-if, would be) written to /scale. */
  scaleUpdated: boolean;
  history: History;
  events: HpaEvent[];
  error?: string;
}

export interface WhatIfOutput {
  desiredReplicas?: number;
  scaleUpdated: boolean;
  conditions: HpaCondition[];
  currentMetrics: MetricStatus[];
  history: History;
  error?: string;
}
