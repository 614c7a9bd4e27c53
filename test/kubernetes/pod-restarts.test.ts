import { podRestartsScenario } from '../gates/pod-restarts-scenario.js';

// The real kube-state-metrics exports both families by default (restarts_total STABLE, last_terminated_reason ALPHA).
podRestartsScenario({ controlPlane: 'kubernetes', profile: 'fast', nodes: 1 });
