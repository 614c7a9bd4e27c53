/** The demo's runs: which settings each verifies, with which image, and the outcome the demo expects. */
import { join, resolve } from 'node:path';
import type { VerifyResult } from '../../actions/lib/verify/index.js';

const examples = resolve(import.meta.dirname, '../../examples');

export interface DemoRun {
  name: string;
  title: string;
  /** The settings file the run verifies. */
  env: string;
  /** The Service load goes to (the settings' namespace and name). */
  target: { namespace: string; service: string };
  image: string;
  expected: VerifyResult['outcome'];
}

const sample = {
  env: join(examples, '03-canary-ratio/canary-ratio.yaml'),
  target: { namespace: 'shop', service: 'web' },
};

/** Each run's stable image comes from its settings, or from the run before it on the same settings. */
export const demoRuns: DemoRun[] = [
  { name: 'good', title: 'A good canary', ...sample, image: 'shop/web:1.5.0', expected: 'promoted' },
  {
    name: 'regressed',
    title: 'A regressed canary (twice the CPU per request)',
    ...sample,
    image: 'shop/web:1.6.0-cpu2x',
    expected: 'rolled-back',
  },
  {
    name: 'capacity',
    title: 'A canary that scales out onto full nodes (its new pods stay Pending)',
    env: join(examples, '02-pending-pods/capacity.yaml'),
    target: { namespace: 'capacity', service: 'api' },
    image: 'shop/api:2.1.0',
    expected: 'rolled-back',
  },
];

/** Small nodes: one CPU holds two of the capacity scenario's 400m pods, so its scale-out does not fit. */
export const demoCluster = { nodes: 3, nodeCpu: '1', nodeMemory: '4Gi' };

export interface DemoRunResult extends DemoRun {
  result: VerifyResult;
  asExpected: boolean;
}
