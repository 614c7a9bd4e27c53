import { resolve } from 'node:path';
import * as core from '@actions/core';
import { workspace } from '../lib/action/inputs.js';
import {
  parseCanaryWeight,
  parseFormat,
  parseTrack,
  renderEnvironment,
  writeObjectFiles,
} from '../lib/render/index.js';
import { loadEnvironment } from '../lib/settings/index.js';
import { logSafe } from '../lib/util/log-safe.js';

export async function run(): Promise<void> {
  const cwd = workspace();
  const env = await loadEnvironment(core.getInput('env', { required: true }), { cwd });
  const format = parseFormat(core.getInput('format'));
  const canaryWeight = parseCanaryWeight(core.getInput('canary-weight'));
  const image = core.getInput('image');
  const result = await renderEnvironment(env, {
    track: parseTrack(core.getInput('track')),
    cwd,
    ...(canaryWeight !== undefined && { canaryWeight }),
    ...(image !== '' && { image }),
  });
  const out = resolve(cwd, core.getInput('out') || `.scalegate/rendered/${env.name}`);
  await writeObjectFiles(out, result.objects, format);
  core.setOutput('manifests', out);
  core.setOutput('count', String(result.objects.length));
  core.setOutput('digest', result.digest);
  core.info(
    logSafe(`rendered ${result.objects.length} objects of ${env.name} into ${out} (${result.digest})`),
  );
}
