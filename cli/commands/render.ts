import { resolve } from 'node:path';
import {
  parseCanaryWeight,
  parseFormat,
  parseTrack,
  renderEnvironment,
  toJsonList,
  writeObjectFiles,
} from '../../actions/lib/render/index.js';
import { loadEnvironment } from '../../actions/lib/settings/index.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { type Command, parseCommandArgs, requireOption } from '../command.js';

const usage = `Usage: scalegate render --env <name|file> [--image <ref>] [--track stable|canary|all]
                        [--canary-weight <0..100>] [--out <dir>|-] [-o yaml|json]

Renders the Kubernetes objects of an environment: its base manifests (the settings' manifests folder) with the
settings of environments/<name>.yaml (or the settings file given as a path) overlaid.

  --env <name|file>      environment name (environments/<name>.yaml) or path to a settings file
  --image <ref>          image to render instead of service.image (a tag or a digest is required)
  --track <track>        stable: shared and stable objects; canary: the canary's objects and traffic split;
                         all (default): both
  --canary-weight <n>    percent of traffic the traffic-split objects send to the canary (default 0)
  --out <dir>|-          folder to write one file per object into (earlier rendered files there are replaced),
                         or - for stdout (default)
  -o, --output <format>  yaml (default: multi-document) or json (a v1 List on stdout, one object per file)

Exit codes: 0 rendered; 2 bad usage or invalid settings (one line: file:line:column: field: problem).
`;

export const renderCommand: Command = {
  name: 'render',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs('render', argv, {
      env: { type: 'string' },
      image: { type: 'string' },
      track: { type: 'string' },
      'canary-weight': { type: 'string' },
      out: { type: 'string' },
      output: { type: 'string', short: 'o' },
    });
    const ref = requireOption('render', 'env', values.env);
    const track = parseTrack(values.track);
    const format = parseFormat(values.output);
    const canaryWeight = parseCanaryWeight(values['canary-weight']);
    const env = await loadEnvironment(ref, { cwd: io.cwd });
    const result = await renderEnvironment(env, {
      track,
      cwd: io.cwd,
      ...(values.image !== undefined && { image: values.image }),
      ...(canaryWeight !== undefined && { canaryWeight }),
    });
    const out = values.out ?? '-';
    if (out === '-') {
      io.stdout.write(format === 'json' ? toJsonList(result.objects) : result.documents);
    } else {
      const dir = resolve(io.cwd, out);
      await writeObjectFiles(dir, result.objects, format);
      io.stderr.write(
        `rendered ${result.objects.length} objects of ${env.name} into ${out} (${result.digest})\n`,
      );
    }
    return ExitCode.ok;
  },
};
