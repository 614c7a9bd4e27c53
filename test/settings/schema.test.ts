import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { environmentJsonSchema, environmentSchemaPath } from '../../actions/lib/settings/json-schema.js';

const root = new URL('../..', import.meta.url).pathname;

describe('published JSON Schema', () => {
  it('is up to date with the zod schema (regenerate: npm run schema)', async () => {
    const committed = await readFile(join(root, environmentSchemaPath), 'utf8');
    assert.equal(committed, environmentJsonSchema());
  });

  it('rejects unknown keys and requires the service, like the loader', () => {
    const schema = JSON.parse(environmentJsonSchema());
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ['manifests', 'service']);
    assert.equal(schema.properties.service.additionalProperties, false);
    assert.deepEqual(schema.properties.canary.properties.method.enum, [
      'replica-ratio',
      'gateway-api',
      'nginx-ingress',
      'smi',
    ]);
  });

  it('is referenced by every shipped environment for editor completion', async () => {
    for (const name of ['dev', 'staging', 'prod']) {
      const text = await readFile(join(root, 'environments', `${name}.yaml`), 'utf8');
      assert.match(text, /^# yaml-language-server: \$schema=\.\.\/schema\/environment\.schema\.json\n/);
    }
  });
});
