import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEnvironment, parseEnvironment } from '../../actions/lib/settings/index.js';

const root = new URL('../..', import.meta.url).pathname;

describe('loadEnvironment', () => {
  it('loads every shipped environment by name, typed and with resolved paths', async () => {
    for (const name of ['dev', 'staging', 'prod']) {
      const env = await loadEnvironment(name, { cwd: root });
      assert.equal(env.name, name);
      assert.equal(env.file, `${root}environments/${name}.yaml`);
      assert.equal(env.settings.service.name, 'web');
      assert.equal(env.settings.service.namespace, 'shop');
      assert.equal(env.paths.manifests, `${root}manifests/web`);
      assert.equal(env.paths.loadScript, `${root}environments/load/web.js`);
      assert.ok(env.settings.canary && env.settings.canary.steps.length >= 2);
      assert.ok(env.settings.service.podAnnotations?.['sim.scalegate.dev/cpu-per-request']);
    }
  });

  it('loads a settings file by path and names the environment after the file', async () => {
    const env = await loadEnvironment('test/fixtures/settings/good/keda.yaml', { cwd: root });
    assert.equal(env.name, 'keda');
    assert.equal(env.settings.autoscaling?.keda?.maxReplicas, 8);
  });

  it('shows each sample environment its own traffic-split method', async () => {
    const methods = await Promise.all(
      ['dev', 'staging', 'prod'].map(
        async (name) => (await loadEnvironment(name, { cwd: root })).settings.canary?.method,
      ),
    );
    assert.deepEqual(methods, ['replica-ratio', 'gateway-api', 'nginx-ingress']);
  });

  it('locates gate entries and their fields for the gates module', async () => {
    const env = await loadEnvironment('staging', { cwd: root });
    const gates = env.settings.gates ?? [];
    const p95 = gates.findIndex((g) => g.name === 'p95-latency');
    assert.ok(p95 > 0);
    const entry = env.locate(['gates', p95]);
    const max = env.locate(['gates', p95, 'max']);
    assert.equal(entry.file, 'environments/staging.yaml');
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(env.file, 'utf8')).split('\n');
    assert.equal(lines[entry.line - 1]!.slice(entry.column - 1), 'name: p95-latency');
    assert.equal(lines[max.line - 1]!.slice(max.column - 1), '250ms');
    // A path that does not exist maps to its deepest existing ancestor.
    assert.deepEqual(env.locate(['gates', p95, 'nope']), entry);
  });

  it('keeps gate fields it does not know (the gates module validates them)', async () => {
    const env = await loadEnvironment('prod', { cwd: root });
    const gate = env.settings.gates?.find((g) => g.name === 'canary-like-stable');
    assert.equal(gate?.maxRatio, 1.2);
  });

  it('reports the first problem in file order when there are several', async () => {
    const text =
      'manifests: /tmp\nservice:\n  name: Web\n  namespace: shop\n  image: x:1\n  ports: []\n  resources: { requests: {} }\nextra: 1\n';
    await assert.rejects(parseEnvironment(text, '/tmp/two.yaml', 'two.yaml'), {
      message:
        "two.yaml:3:9: service.name: expected a Service name: a lowercase letter, then letters, digits and -, e.g. web (got 'Web')",
    });
  });
});
