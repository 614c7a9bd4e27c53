/**
 * Timing profiles of the local cluster. `realistic` uses Kubernetes' defaults; `fast` shortens only the periods
 * so a scale-out and scale-in fit in a minute or two. The algorithms are the same in both.
 */
export interface ClusterProfile {
  name: 'fast' | 'realistic';
  /** --horizontal-pod-autoscaler-sync-period */
  hpaSyncSeconds: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization */
  hpaDownscaleStabilizationSeconds: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period */
  hpaCpuInitializationSeconds: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay */
  hpaInitialReadinessDelaySeconds: number;
  /** metrics-server resolution: the window each usage sample covers. */
  metricsWindowSeconds: number;
  /** cluster-autoscaler --scan-interval */
  clusterAutoscalerScanSeconds: number;
  /** cluster-autoscaler --scale-down-unneeded-time */
  scaleDownUnneededSeconds: number;
  /** cluster-autoscaler --scale-down-delay-after-add */
  scaleDownDelayAfterAddSeconds: number;
  /** Default node provisioning delay of a node group (the cloud provider's part). */
  nodeProvisionSeconds: number;
  /** Kubelet: time to pull an image not yet on the node, and to start a container. */
  imagePullSeconds: number;
  containerStartSeconds: number;
  /** Scheduler retry of unschedulable pods when nothing changed (podMaxBackoff is 10 s upstream). */
  schedulerBackoffSeconds: number;
  /** Deployment controller resync while a rollout is in progress (progress deadline checks). */
  deploymentResyncSeconds: number;
  /** Kubelet: first restart/pull back-off (CrashLoopBackOff, ImagePullBackOff); it doubles up to 30× (10 s → 5 m upstream). */
  containerBackoffSeconds: number;
}

export const profiles: Record<ClusterProfile['name'], ClusterProfile> = {
  realistic: {
    name: 'realistic',
    hpaSyncSeconds: 15,
    hpaDownscaleStabilizationSeconds: 300,
    hpaCpuInitializationSeconds: 300,
    hpaInitialReadinessDelaySeconds: 30,
    metricsWindowSeconds: 15,
    clusterAutoscalerScanSeconds: 10,
    scaleDownUnneededSeconds: 600,
    scaleDownDelayAfterAddSeconds: 600,
    nodeProvisionSeconds: 180,
    imagePullSeconds: 5,
    containerStartSeconds: 1,
    schedulerBackoffSeconds: 10,
    deploymentResyncSeconds: 5,
    containerBackoffSeconds: 10,
  },
  fast: {
    name: 'fast',
    hpaSyncSeconds: 2,
    hpaDownscaleStabilizationSeconds: 30,
    hpaCpuInitializationSeconds: 20,
    hpaInitialReadinessDelaySeconds: 3,
    metricsWindowSeconds: 2,
    clusterAutoscalerScanSeconds: 2,
    scaleDownUnneededSeconds: 30,
    scaleDownDelayAfterAddSeconds: 30,
    nodeProvisionSeconds: 10,
    imagePullSeconds: 0.5,
    containerStartSeconds: 0.2,
    schedulerBackoffSeconds: 1,
    deploymentResyncSeconds: 1,
    containerBackoffSeconds: 1,
  },
};
