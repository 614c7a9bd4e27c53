import { podRestartsScenario } from './pod-restarts-scenario.js';

podRestartsScenario({ profile: 'fast', nodes: 1 });
