import { createInterface } from 'node:readline';
import { UsageError } from '../../actions/lib/util/errors.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { parseReconcileInput } from '../../simulator/autoscaling/hpa/input.js';
import { reconcileHpa, whatIfOutput } from '../../simulator/autoscaling/hpa/reconcile.js';
import { type CliIO, type Command, parseCommandArgs } from '../command.js';

const usage = `Usage: scalegate hpa reconcile < decisions.ndjson

Replays one decision of the HorizontalPodAutoscaler controller per input line, with the code the local cluster
runs (Kubernetes 1.34 semantics). Reads newline-delimited JSON on stdin, one input object a line:
  {"hpa": <autoscaling/v2 HPA>, "scale": {"specReplicas": 3, "statusReplicas": 3},
   "pods": [<v1 Pod>...], "metrics": {"timestamp": ..., "windowSeconds": 60, "resource": {...},
   "pods": {...}, "object": {...}, "external": {...}, "failing": [...]},
   "history": null | {"recommendations": [...], "scaleUpEvents": [...], "scaleDownEvents": [...]},
   "now": "2026-01-01T00:00:00Z", "config": {"tolerance": 0.1, ...}}
config (all optional, production defaults): tolerance 0.1, cpuInitializationPeriodSeconds 300,
delayOfInitialReadinessStatusSeconds 30, downscaleStabilizationWindowSeconds 300, scaleUpLimitFactor 2.
scale.selector (the target's status.selector) and scale.selectingHpas (every HPA selecting these pods) are
optional: given, they are checked as the controller checks them (InvalidSelector, AmbiguousSelector).
Writes one output object a line, in the same order:
  {"desiredReplicas": 5, "scaleUpdated": true, "conditions": [...], "currentMetrics": [...], "history": {...}}
A decision the controller could not make carries "error" with the controller's message. A line that is not
valid input yields {"error": "line N: ..."} and the command goes on; the exit code is then 1. Blank lines are
skipped.
`;

async function reconcileLines(io: CliIO): Promise<number> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let invalid = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let output: object;
    try {
      const input = parseReconcileInput(JSON.parse(line));
      output = whatIfOutput(reconcileHpa(input));
    } catch (error) {
      invalid++;
      output = {
        error: `line ${lineNumber}: ${error instanceof SyntaxError ? 'invalid JSON: ' : ''}${(error as Error).message}`,
      };
    }
    io.stdout.write(`${JSON.stringify(output)}\n`);
  }
  return invalid > 0 ? ExitCode.failed : ExitCode.ok;
}

export const hpaCommand: Command = {
  name: 'hpa',
  usage,
  async run(argv, io) {
    const { positionals } = parseCommandArgs('hpa', argv, {}, true);
    if (positionals.length !== 1 || positionals[0] !== 'reconcile') {
      throw new UsageError(`scalegate hpa: expected the subcommand 'reconcile' (see scalegate hpa --help)`);
    }
    return reconcileLines(io);
  },
};
