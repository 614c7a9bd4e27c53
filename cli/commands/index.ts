import type { Command } from '../command.js';

/** A subcommand as `scalegate --help` lists it; its module is imported only when it runs, so start-up stays quick. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** Every CLI subcommand, in the order `scalegate --help` lists them. */
export const commands: CommandEntry[] = [
  {
    name: 'render',
    summary: 'Render the Kubernetes objects of an environment (base manifests + settings)',
    load: async () => (await import('./render.js')).renderCommand,
  },
  {
    name: 'validate',
    summary: 'Check environment settings and the objects they render, without a cluster',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  {
    name: 'deploy',
    summary: 'Apply a track (stable or canary) to the cluster; a canary then walks its steps',
    load: async () => (await import('./deploy.js')).deployCommand,
  },
  {
    name: 'promote',
    summary: 'Promote the canary: stable takes its pod template, then the canary goes away',
    load: async () => (await import('./promote.js')).promoteCommand,
  },
  {
    name: 'rollback',
    summary: 'Roll the canary back: traffic to stable, canary removed',
    load: async () => (await import('./rollback.js')).rollbackCommand,
  },
  {
    name: 'status',
    summary: 'Show tracks, images, replicas, canary weight, HPA state and pending pods of an environment',
    load: async () => (await import('./status.js')).statusCommand,
  },
  {
    name: 'load',
    summary: 'Run a k6 load script (k6 binary, k6-operator or the builtin engine) with k6 exit codes',
    load: async () => (await import('./load.js')).loadCommand,
  },
  {
    name: 'gate',
    summary: 'Evaluate promotion gates against Prometheus over a window and write the verdict',
    load: async () => (await import('./gate.js')).gateCommand,
  },
  {
    name: 'report',
    summary: 'Render a verdict as a Markdown or self-contained HTML report with charts',
    load: async () => (await import('./report.js')).reportCommand,
  },
  {
    name: 'regression',
    summary: 'Record a scaling-regression run and compare it with the baseline of earlier runs',
    load: async () => (await import('./regression.js')).regressionCommand,
  },
  {
    name: 'verify',
    summary:
      'The pull-request verification in one command: deploy stable and canary, load and gates, promote or roll back',
    load: async () => (await import('./verify.js')).verifyCommand,
  },
  {
    name: 'demo',
    summary:
      'The main job on one machine: local cluster + Prometheus, a good canary promoted, a regressed one rolled back',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  {
    name: 'sim',
    summary: 'Local cluster: a Kubernetes API server, controllers and data plane on 127.0.0.1 (sim up)',
    load: async () => (await import('./sim.js')).simCommand,
  },
  {
    name: 'hpa',
    summary: 'HPA what-if: replay HorizontalPodAutoscaler decisions (hpa reconcile < ndjson)',
    load: async () => (await import('./hpa.js')).hpaCommand,
  },
];
