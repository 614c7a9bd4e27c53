import { ScalegateError, UsageError } from '../../actions/lib/util/errors.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { isQuantity, parseQuantity } from '../../actions/lib/util/quantity.js';
import { type ClusterOptions, startCluster } from '../../simulator/cluster.js';
import { type CliIO, type Command, parseCommandArgs, parseControlPlane } from '../command.js';

const usage = `Usage: scalegate sim up [--control-plane builtin|kubernetes] [--port 0] [--profile fast|realistic]
                        [--nodes N] [--node-cpu 2] [--node-memory 8Gi]
                        [--node-group name:min:max:provisionSeconds]... [--kubeconfig PATH]

Starts the local cluster: a Kubernetes API server on 127.0.0.1 (real kubectl and client libraries work against
it), the core controllers, the HPA and cluster-autoscaler, the traffic gateway and the metrics endpoint.
Prints one JSON line {"apiServer","kubeconfig","metrics","gateway"} and serves until SIGINT or SIGTERM.

  --control-plane builtin (default: the embedded API server and controllers) or kubernetes (the real etcd,
                  kube-apiserver, kube-controller-manager, kube-scheduler, kube-state-metrics and metrics-server
                  built by \`npm run build:kube\`; only nodes and pods are simulated; --port does not apply)

  --port          API server port (default 0: a free port)
  --profile       fast (default: short periods, e.g. HPA sync 2 s) or realistic (Kubernetes' defaults)
  --nodes         nodes outside any node group (default 3)
  --node-cpu      CPU of every node (default 2)
  --node-memory   memory of every node (default 8Gi)
  --node-group    a node group the cluster-autoscaler resizes, e.g. pool:1:5:10 (repeatable)
  --kubeconfig    where to write the kubeconfig (default: a temporary file, removed on exit)
`;

function integer(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`scalegate sim up: --${flag} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

function quantity(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && !(isQuantity(value) && parseQuantity(value) > 0))
    throw new UsageError(
      `scalegate sim up: --${flag} must be a positive Kubernetes quantity (e.g. 2, 500m, 8Gi), got '${value}'`,
    );
  return value;
}

/** `name:min:max:provisionSeconds` → a node group. */
export function parseNodeGroup(text: string): {
  name: string;
  min: number;
  max: number;
  provisionSeconds: number;
} {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?):(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(text);
  if (!m)
    throw new UsageError(
      `scalegate sim up: --node-group must be name:min:max:provisionSeconds (e.g. pool:1:5:10), got '${text}'`,
    );
  const group = {
    name: m[1] as string,
    min: Number(m[3]),
    max: Number(m[4]),
    provisionSeconds: Number(m[5]),
  };
  if (group.max < group.min || group.max === 0)
    throw new UsageError(
      `scalegate sim up: --node-group ${group.name}: max must be ≥ min and > 0, got ${text}`,
    );
  return group;
}

function optionsFrom(argv: string[]): ClusterOptions {
  const { values, positionals } = parseCommandArgs(
    'sim',
    argv,
    {
      port: { type: 'string' },
      profile: { type: 'string' },
      nodes: { type: 'string' },
      'node-cpu': { type: 'string' },
      'node-memory': { type: 'string' },
      'node-group': { type: 'string', multiple: true },
      kubeconfig: { type: 'string' },
      'control-plane': { type: 'string' },
    },
    true,
  );
  if (positionals.length !== 1 || positionals[0] !== 'up')
    throw new UsageError(`scalegate sim: expected the subcommand 'up' (see scalegate sim --help)`);
  const profile = values.profile ?? 'fast';
  if (profile !== 'fast' && profile !== 'realistic')
    throw new UsageError(`scalegate sim up: --profile must be fast or realistic, got '${profile}'`);
  const controlPlane = parseControlPlane('sim up', values['control-plane']);
  const groups = (values['node-group'] ?? []).map(parseNodeGroup);
  const names = groups.map((g) => g.name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new UsageError(`scalegate sim up: --node-group ${repeated} is given twice`);
  const nodeCpu = quantity('node-cpu', values['node-cpu']);
  const nodeMemory = quantity('node-memory', values['node-memory']);
  return {
    controlPlane,
    port: integer('port', values.port, 0, 0),
    profile,
    nodes: integer('nodes', values.nodes, 3, 0),
    ...(nodeCpu ? { nodeCpu } : {}),
    ...(nodeMemory ? { nodeMemory } : {}),
    nodeGroups: groups,
    ...(values.kubeconfig ? { kubeconfigPath: values.kubeconfig } : {}),
  };
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

async function up(argv: string[], io: CliIO): Promise<number> {
  const options = optionsFrom(argv);
  const signal = untilSignal();
  const cluster = await startCluster(options).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE')
      throw new ScalegateError(`scalegate sim up: port ${options.port} is already in use`, ExitCode.failed);
    throw error;
  });
  const { apiServer, kubeconfig, metrics, gateway, kubeStateMetrics } = cluster;
  io.stdout.write(`${JSON.stringify({ apiServer, kubeconfig, metrics, gateway, kubeStateMetrics })}\n`);
  const received = await signal;
  io.stderr.write(`scalegate sim: ${received} received, stopping the local cluster\n`);
  await cluster.stop();
  return ExitCode.ok;
}

export const simCommand: Command = {
  name: 'sim',
  usage,
  run: up,
};
