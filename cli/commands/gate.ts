import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runGates } from '../../actions/lib/gates/run.js';
import type { GateResult } from '../../actions/lib/gates/types.js';
import { exitCodeFor } from '../../actions/lib/gates/verdict.js';
import { resolveWindow } from '../../actions/lib/gates/windows.js';
import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { connectionOptions, parseHeaderLines } from '../../actions/lib/prometheus/connection.js';
import { resolveGateSource } from '../../actions/lib/settings/gate-source.js';
import { durationOption } from '../../actions/lib/util/duration.js';
import { UsageError } from '../../actions/lib/util/errors.js';
import { checkOutputPath, readInputFile } from '../../actions/lib/util/input-file.js';
import { type Command, parseCommandArgs } from '../command.js';

const usage = `Usage: scalegate gate --prometheus <url> --gates <file> [--env <name|file>]
                      (--start <time> --end <time> | --windows <file> [--stage <stage>]) [--out verdict.json]
                      [--step <duration>] [--target-rate <req/s>]
                      [--continuous [--interval <d>] [--failure-limit <n>] [--consecutive-error-limit <n>]
                      [--lookback <d>]]
                      [--bearer-token-env <VAR>] [--basic-auth-env <USER_VAR>:<PASS_VAR>] [--header 'Name: value']...
                      [--ca <file>] [--insecure-skip-verify] [--timeout <d>] [--retries <n>]

Evaluates promotion gates (HPA scale-out, pending pods, latency, error rate, load applied, canary vs stable,
custom PromQL) against Prometheus over a time window, and writes the verdict.

  --prometheus <url>       Prometheus (or Thanos/Mimir/Grafana Cloud) base URL; default: the environment's
  --gates <file>           gate file; default: the environment's gates list
  --env <name|file>        environment: default namespace, service name, Prometheus URL and credentials
  --start, --end <time>    the window, RFC 3339 or unix seconds
  --windows <file>         the load step's stage windows JSON instead of --start/--end ...
  --stage <stage>          ... and which window: all (default), <scenario>, <scenario>:<index> or <index>
  --out <file>             write the verdict JSON (schema/verdict.schema.json) there
  --step <duration>        range-query step, the scrape interval (default 15s; 1s for the local cluster)
  --target-rate <req/s>    the load's target rate, for loadApplied minFraction
  --continuous             evaluate every --interval (default 10s) until --end, stop at the first failure
  --failure-limit <n>      failed evaluations tolerated per gate in continuous mode (default 0)
  --consecutive-error-limit <n>  Prometheus errors in a row tolerated per gate (default 4)
  --lookback <duration>    continuous mode: span of rate-based gates (default 4 steps)
  --bearer-token-env <VAR> read a bearer token from this environment variable
  --basic-auth-env <U>:<P> read basic-auth user and password from these environment variables
  --header 'Name: value'   extra header (repeatable), e.g. 'X-Scope-OrgID: tenant-1'
  --ca <file>              CA bundle (PEM); --insecure-skip-verify skips TLS verification
  --timeout <duration>     per-query timeout (default 10s); --retries <n> on 5xx/timeouts (default 3)

Exit codes: 0 every gate passed; 1 a gate failed; 3 inconclusive (no data, Prometheus unreachable) and none
failed; 2 bad usage or an invalid gate file (one line: file:line:column: field: problem).
`;

function countOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(`scalegate gate: --${name}: expected a whole number (got '${value}')`);
  return Number(value);
}

function envValue(env: NodeJS.ProcessEnv, name: string, flag: string): string {
  const value = env[name];
  if (!value) throw new UsageError(`scalegate gate: --${flag}: environment variable ${name} is not set`);
  return value;
}

const icons: Record<GateResult['status'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  inconclusive: 'INCONCLUSIVE',
};

export const gateCommand: Command = {
  name: 'gate',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs('gate', argv, {
      prometheus: { type: 'string' },
      gates: { type: 'string' },
      env: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      windows: { type: 'string' },
      stage: { type: 'string' },
      out: { type: 'string' },
      step: { type: 'string' },
      'target-rate': { type: 'string' },
      continuous: { type: 'boolean' },
      interval: { type: 'string' },
      'failure-limit': { type: 'string' },
      'consecutive-error-limit': { type: 'string' },
      lookback: { type: 'string' },
      'bearer-token-env': { type: 'string' },
      'basic-auth-env': { type: 'string' },
      header: { type: 'string', multiple: true },
      ca: { type: 'string' },
      'insecure-skip-verify': { type: 'boolean' },
      timeout: { type: 'string' },
      retries: { type: 'string' },
    });
    const windowsJson =
      values.windows === undefined
        ? undefined
        : await readInputFile(resolve(io.cwd, values.windows), values.windows, 'windows file');
    // Where the verdict goes is checked first: a verdict evaluated and then lost is worse than none.
    if (values.out !== undefined) await checkOutputPath(resolve(io.cwd, values.out), 'scalegate gate: --out');
    const window = resolveWindow({
      start: values.start,
      end: values.end,
      windowsJson,
      ...(values.windows === undefined ? {} : { windowsSource: `windows file ${values.windows}` }),
      stage: values.stage,
    });
    const targetRate = values['target-rate'] === undefined ? undefined : Number(values['target-rate']);
    if (targetRate !== undefined && !(targetRate > 0))
      throw new UsageError(
        `scalegate gate: --target-rate: expected a positive number (got '${values['target-rate']}')`,
      );
    let basic: { username: string; password: string } | undefined;
    if (values['basic-auth-env'] !== undefined) {
      const [user, pass] = values['basic-auth-env'].split(':');
      if (!user || !pass)
        throw new UsageError('scalegate gate: --basic-auth-env: expected USER_VAR:PASS_VAR');
      basic = {
        username: envValue(io.env, user, 'basic-auth-env'),
        password: envValue(io.env, pass, 'basic-auth-env'),
      };
    }

    const source = await resolveGateSource({
      gates: values.gates,
      env: values.env,
      cwd: io.cwd,
    });
    const client = new PrometheusClient(
      connectionOptions(
        {
          url: values.prometheus,
          bearerToken:
            values['bearer-token-env'] && envValue(io.env, values['bearer-token-env'], 'bearer-token-env'),
          basic,
          headers: parseHeaderLines(values.header ?? []),
          ca: values.ca === undefined ? undefined : resolve(io.cwd, values.ca),
          insecureSkipVerify: values['insecure-skip-verify'],
          timeoutMs:
            values.timeout === undefined
              ? undefined
              : durationOption('scalegate gate: --timeout', values.timeout, 0),
          retries: countOption('retries', values.retries),
        },
        source.prometheus,
        io.env,
      ),
    );
    try {
      const verdict = await runGates({
        set: source.set,
        defaults: source.defaults,
        client,
        window,
        stepSeconds: durationOption('scalegate gate: --step', values.step, 15_000) / 1000,
        targetRate,
        continuous: values.continuous
          ? {
              intervalMs: durationOption('scalegate gate: --interval', values.interval, 10_000),
              failureLimit: countOption('failure-limit', values['failure-limit']),
              consecutiveErrorLimit: countOption(
                'consecutive-error-limit',
                values['consecutive-error-limit'],
              ),
              lookbackMs:
                values.lookback === undefined
                  ? undefined
                  : durationOption('scalegate gate: --lookback', values.lookback, 0),
            }
          : undefined,
        onEvaluation: (results, n) => {
          const failing = results.filter((r) => r.status !== 'pass').map((r) => `${r.name}=${r.status}`);
          io.stderr.write(`evaluation ${n}: ${failing.length === 0 ? 'all pass' : failing.join(' ')}\n`);
        },
      });
      for (const gate of verdict.gates)
        io.stdout.write(`${icons[gate.status]} ${gate.name} (${gate.type}): ${gate.reason}\n`);
      io.stdout.write(`${verdict.summary}\n`);
      if (values.out !== undefined)
        await writeFile(resolve(io.cwd, values.out), `${JSON.stringify(verdict, null, 2)}\n`);
      return exitCodeFor(verdict.status);
    } finally {
      await client.close();
    }
  },
};
