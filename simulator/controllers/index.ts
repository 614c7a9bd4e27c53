import { builtinRunner } from '../../actions/lib/load/builtin/engine.js';
import { HpaController } from '../autoscaling/hpa-controller.js';
import { KedaController } from '../autoscaling/keda-controller.js';
import { DataPlaneController } from '../dataplane/controller.js';
import { ClusterAutoscaler } from './cluster-autoscaler.js';
import type { Controller } from './controller.js';
import { CronJobController } from './cronjob.js';
import { DaemonSetController } from './daemonset.js';
import { DeploymentController } from './deployment.js';
import { DisruptionController } from './disruption.js';
import { EndpointsController } from './endpoints.js';
import { GarbageCollector } from './gc.js';
import { JobController } from './job.js';
import { K6TestRunController } from './k6-testrun.js';
import { Kubelet } from './kubelet.js';
import { NamespaceDefaultsController } from './namespace-defaults.js';
import { ReplicaSetController } from './replicaset.js';
import { ResourceQuotaController } from './resource-quota.js';
import { Scheduler } from './scheduler.js';
import { StatefulSetController } from './statefulset.js';

/** The control loops a started cluster runs unless told otherwise. One line per controller. */
export function defaultControllers(): Controller[] {
  return [
    new DataPlaneController(),
    new DeploymentController(),
    new ReplicaSetController(),
    new Scheduler(),
    new Kubelet(),
    new GarbageCollector(),
    new NamespaceDefaultsController(),
    new DisruptionController(),
    new JobController(),
    new CronJobController(),
    new ResourceQuotaController(),
    new StatefulSetController(),
    new DaemonSetController(),
    new EndpointsController(),
    new ClusterAutoscaler(),
    new KedaController(),
    new HpaController(),
    new K6TestRunController(builtinRunner),
  ];
}
