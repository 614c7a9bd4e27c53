/**
 * PromQL from the kubernetes-mixin (github.com/kubernetes-monitoring/kubernetes-mixin, Apache-2.0, © the
 * kubernetes-mixin Authors; rules/apps.libsonnet, rules/kubelet.libsonnet, rules/node.libsonnet,
 * alerts/apps_alerts.libsonnet, alerts/resource_alerts.libsonnet, alerts/kubelet.libsonnet at commit aa38e2b), with
 * the selectors kube-prometheus-stack renders them with: `job="kube-state-metrics"`, and `job="kubelet",
 * metrics_path="/metrics/cadvisor"` for cAdvisor. Recording rules are taken whole; for alerts, the series each
 * alert reads (its expression without the threshold), which a healthy real cluster returns.
 * Each query answers as on a real cluster when it returns at least one series.
 */

const ksm = 'job="kube-state-metrics"';
const cadvisor = 'job="kubelet", metrics_path="/metrics/cadvisor"';
const kubelet = 'job="kubelet", metrics_path="/metrics"';

export interface MixinQuery {
  /** The rule or alert it comes from. */
  source: string;
  expr: string;
}

export const mixinQueries: MixinQuery[] = [
  {
    source: 'record node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate',
    expr: `sum by (cluster, namespace, pod, container) (irate(container_cpu_usage_seconds_total{${cadvisor}, image!=""}[5m])) * on (cluster, namespace, pod) group_left(node) topk by (cluster, namespace, pod) (1, max by(cluster, namespace, pod, node) (kube_pod_info{node!=""}))`,
  },
  {
    source: 'record node_namespace_pod_container:container_memory_working_set_bytes',
    expr: `container_memory_working_set_bytes{${cadvisor}, image!=""} * on (cluster, namespace, pod) group_left(node) topk by(cluster, namespace, pod) (1, max by(cluster, namespace, pod, node) (kube_pod_info{node!=""}))`,
  },
  {
    source: 'record cluster:namespace:pod_memory:active:kube_pod_container_resource_requests',
    expr: `kube_pod_container_resource_requests{resource="memory",${ksm}} * on (namespace, pod, cluster) group_left() max by (namespace, pod, cluster) ((kube_pod_status_phase{phase=~"Pending|Running"} == 1))`,
  },
  {
    source: 'record namespace_memory:kube_pod_container_resource_requests:sum',
    expr: `sum by (namespace, cluster) (sum by (namespace, pod, cluster) (max by (namespace, pod, container, cluster) (kube_pod_container_resource_requests{resource="memory",${ksm}}) * on(namespace, pod, cluster) group_left() max by (namespace, pod, cluster) (kube_pod_status_phase{phase=~"Pending|Running"} == 1)))`,
  },
  {
    source: 'record cluster:namespace:pod_cpu:active:kube_pod_container_resource_requests',
    expr: `kube_pod_container_resource_requests{resource="cpu",${ksm}} * on (namespace, pod, cluster) group_left() max by (namespace, pod, cluster) ((kube_pod_status_phase{phase=~"Pending|Running"} == 1))`,
  },
  {
    source: 'record namespace_cpu:kube_pod_container_resource_requests:sum',
    expr: `sum by (namespace, cluster) (sum by (namespace, pod, cluster) (max by (namespace, pod, container, cluster) (kube_pod_container_resource_requests{resource="cpu",${ksm}}) * on(namespace, pod, cluster) group_left() max by (namespace, pod, cluster) (kube_pod_status_phase{phase=~"Pending|Running"} == 1)))`,
  },
  {
    source: 'record cluster:namespace:pod_cpu:active:kube_pod_container_resource_limits',
    expr: `kube_pod_container_resource_limits{resource="cpu",${ksm}} * on (namespace, pod, cluster) group_left() max by (namespace, pod, cluster) ((kube_pod_status_phase{phase=~"Pending|Running"} == 1))`,
  },
  {
    source: 'record namespace_workload_pod:kube_pod_owner:relabel (deployment)',
    expr: `max by (cluster, namespace, workload, pod) (label_replace(label_replace(kube_pod_owner{${ksm}, owner_kind="ReplicaSet"}, "replicaset", "$1", "owner_name", "(.*)") * on(replicaset, namespace, cluster) group_left(owner_name) topk by(cluster, replicaset, namespace) (1, max by (cluster, replicaset, namespace, owner_name) (kube_replicaset_owner{${ksm}, owner_kind="Deployment"})), "workload", "$1", "owner_name", "(.*)"))`,
  },
  {
    source: 'record namespace_workload_pod:kube_pod_owner:relabel (daemonset)',
    expr: `max by (cluster, namespace, workload, pod) (label_replace(kube_pod_owner{${ksm}, owner_kind="DaemonSet"}, "workload", "$1", "owner_name", "(.*)"))`,
  },
  {
    source: 'record namespace_workload_pod:kube_pod_owner:relabel (statefulset)',
    expr: `max by (cluster, namespace, workload, pod) (label_replace(kube_pod_owner{${ksm}, owner_kind="StatefulSet"}, "workload", "$1", "owner_name", "(.*)"))`,
  },
  {
    source: 'record namespace_workload_pod:kube_pod_owner:relabel (job)',
    expr: `group by (cluster, namespace, workload, pod) (label_join(group by (cluster, namespace, job_name, pod, owner_name) (label_join(kube_pod_owner{${ksm}, owner_kind="Job"}, "job_name", "", "owner_name")) * on (cluster, namespace, job_name) group_left() group by (cluster, namespace, job_name) (kube_job_owner{${ksm}, owner_kind=~"Pod|"}), "workload", "", "owner_name"))`,
  },
  {
    source: 'record node_namespace_pod:kube_pod_info:',
    expr: `topk by(cluster, namespace, pod) (1, max by (cluster, node, namespace, pod) (label_replace(kube_pod_info{${ksm},node!=""}, "pod", "$1", "pod", "(.*)")))`,
  },
  {
    source: 'alert KubePodNotReady (series read)',
    expr: `sum by (namespace, pod, cluster) (max by(namespace, pod, cluster) (kube_pod_status_phase{${ksm}, phase=~"Pending|Unknown|Failed"}) * on(namespace, pod, cluster) group_left(owner_kind) topk by(namespace, pod, cluster) (1, max by(namespace, pod, owner_kind, cluster) (kube_pod_owner{owner_kind!="Job"})))`,
  },
  {
    source: 'alert KubePodCrashLooping (series read)',
    expr: `max_over_time(kube_pod_container_status_waiting_reason{${ksm}}[5m]) >= 0`,
  },
  {
    source: 'alert KubeDeploymentGenerationMismatch (series read)',
    expr: `kube_deployment_status_observed_generation{${ksm}} - kube_deployment_metadata_generation{${ksm}}`,
  },
  {
    source: 'alert KubeDeploymentReplicasMismatch (series read)',
    expr: `kube_deployment_spec_replicas{${ksm}} - kube_deployment_status_replicas_available{${ksm}} + changes(kube_deployment_status_replicas_updated{${ksm}}[10m])`,
  },
  {
    source: 'alert KubeDeploymentRolloutStuck (series read)',
    expr: `kube_deployment_status_condition{condition="Progressing", status="false",${ksm}} >= 0`,
  },
  {
    source: 'alert KubeStatefulSetReplicasMismatch (series read)',
    expr: `kube_statefulset_status_replicas_ready{${ksm}} - kube_statefulset_status_replicas{${ksm}} + changes(kube_statefulset_status_replicas_updated{${ksm}}[10m])`,
  },
  {
    source: 'alert KubeStatefulSetGenerationMismatch (series read)',
    expr: `kube_statefulset_status_observed_generation{${ksm}} - kube_statefulset_metadata_generation{${ksm}}`,
  },
  {
    source: 'alert KubeStatefulSetUpdateNotRolledOut (series read)',
    expr: `max by(namespace, statefulset, cluster) (kube_statefulset_status_current_revision{${ksm}} unless kube_statefulset_status_update_revision{${ksm}}) or max by(namespace, statefulset, cluster) (kube_statefulset_replicas{${ksm}} - kube_statefulset_status_replicas_updated{${ksm}})`,
  },
  {
    source: 'alert KubeDaemonSetRolloutStuck (series read)',
    expr: `kube_daemonset_status_current_number_scheduled{${ksm}} - kube_daemonset_status_desired_number_scheduled{${ksm}} + kube_daemonset_status_number_misscheduled{${ksm}} + kube_daemonset_status_updated_number_scheduled{${ksm}} - kube_daemonset_status_number_available{${ksm}} + changes(kube_daemonset_status_updated_number_scheduled{${ksm}}[5m])`,
  },
  {
    source: 'alert KubeDaemonSetNotScheduled (series read)',
    expr: `kube_daemonset_status_desired_number_scheduled{${ksm}} - kube_daemonset_status_current_number_scheduled{${ksm}}`,
  },
  {
    source: 'alert KubeJobNotCompleted (series read)',
    expr: `time() - max by(namespace, job_name, cluster) (kube_job_status_start_time{${ksm}} and kube_job_status_active{${ksm}} >= 0)`,
  },
  {
    source: 'alert KubeJobFailed (series read)',
    expr: `kube_job_failed{${ksm}} >= 0`,
  },
  {
    source: 'alert KubeHpaReplicasMismatch (series read)',
    expr: `kube_horizontalpodautoscaler_status_desired_replicas{${ksm}} - kube_horizontalpodautoscaler_status_current_replicas{${ksm}} + kube_horizontalpodautoscaler_spec_min_replicas{${ksm}} - kube_horizontalpodautoscaler_spec_max_replicas{${ksm}}`,
  },
  {
    source: 'alert KubePdbNotEnoughHealthyPods (series read)',
    expr: `kube_poddisruptionbudget_status_desired_healthy{${ksm}} - kube_poddisruptionbudget_status_current_healthy{${ksm}}`,
  },
  {
    source: 'alert KubeCPUOvercommit (series read, with the namespace_cpu recording rule inlined)',
    expr: `sum(sum by (namespace) (kube_pod_container_resource_requests{resource="cpu",${ksm}} * on(namespace, pod) group_left() max by (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Running"} == 1))) - (sum(kube_node_status_allocatable{${ksm},resource="cpu"}) - max(kube_node_status_allocatable{${ksm},resource="cpu"}))`,
  },
  {
    source: 'alert KubeQuotaAlmostFull (series read)',
    expr: `kube_resourcequota{${ksm}, type="used"} / ignoring(instance, job, type) (kube_resourcequota{${ksm}, type="hard"} > 0)`,
  },
  {
    source: 'alert KubeNodeNotReady (series read)',
    expr: `kube_node_status_condition{${ksm},condition="Ready",status="true"} == 1`,
  },

  {
    source: 'alert KubeletTooManyPods (series read)',
    expr: `count by(cluster, node) ((kube_pod_status_phase{${ksm},phase="Running"} == 1) * on(namespace,pod,cluster) group_left(node) topk by(namespace,pod,cluster) (1, kube_pod_info{${ksm}})) / max by(cluster, node) (kube_node_status_capacity{${ksm},resource="pods"} != 1)`,
  },
  {
    source: 'alert KubeletDown / kubelet_node_name (series read)',
    expr: `kubelet_node_name{${kubelet}}`,
  },
  {
    source: 'dashboard k8s-resources-cluster: namespace phase',
    expr: `sum by (namespace) (kube_namespace_status_phase{${ksm}, phase="Active"})`,
  },
];
