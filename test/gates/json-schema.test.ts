import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import {
  gateFileJsonSchema,
  gateFileSchemaPath,
  gateTypesModule,
  gateTypesModulePath,
  verdictJsonSchema,
} from '../../actions/lib/gates/json-schema.js';
import { parseGateFile } from '../../actions/lib/gates/load.js';
import { gateSchema } from '../../actions/lib/gates/schema.js';

const root = new URL('../..', import.meta.url).pathname;

// The gate file of issue 5, verbatim: the contract.
const contract = `
gates:
  - name: scales-out
    type: hpaScaleOut
    namespace: shop
    hpa: web
    minReplicas: 6
    within: 90s
  - name: no-stuck-pods
    type: pendingPods
    namespace: shop
    selector: {app: web}
    maxPending: 2
    maxPendingDuration: 30s
  - name: p95
    type: latency
    quantile: 0.95
    max: 300ms
    selector: {service: web, track: canary}
  - name: errors
    type: errorRate
    max: 1%
    selector: {service: web}
  - name: load
    type: loadApplied
    minRate: 100
  - name: canary-p95
    type: canaryVsStable
    quantile: 0.95
    maxRatio: 1.1
  - name: custom
    type: promql
    query: sum(rate(http_requests_total{code=~"5.."}[1m]))
    successCondition: result < 5
    failureCondition: result > 20
    noData: inconclusive
metrics:
  requestDuration: http_request_duration_seconds
  requestsTotal: http_requests_total
`;

test('the committed schema is up to date (regenerate: npm run schema)', async () => {
  assert.equal(await readFile(join(root, gateFileSchemaPath), 'utf8'), gateFileJsonSchema());
  assert.equal(await readFile(join(root, gateTypesModulePath), 'utf8'), gateTypesModule());
});

test("the issue's gate file parses, and validates against the published schema", () => {
  const set = parseGateFile(contract, 'contract.yaml');
  assert.deepEqual(
    set.gates.map((g) => g.type),
    ['hpaScaleOut', 'pendingPods', 'latency', 'errorRate', 'loadApplied', 'canaryVsStable', 'promql'],
  );
  const validate = new Ajv2020({ allowUnionTypes: true }).compile(JSON.parse(gateFileJsonSchema()));
  assert.equal(validate(parse(contract)), true, JSON.stringify(validate.errors));
  const typo = parse(contract.replace('within: 90s', 'withn: 90s'));
  assert.equal(validate(typo), false);
  const badDuration = parse(contract.replace('max: 300ms', 'max: 300 ms'));
  assert.equal(validate(badDuration), false);
});

test('the verdict names exactly the gate types the gate files accept', () => {
  const accepted = gateSchema.options.map((o) => o.shape.type.value);
  const verdict = JSON.parse(verdictJsonSchema());
  assert.deepEqual(verdict.properties.gates.items.properties.type.enum, accepted);
});
