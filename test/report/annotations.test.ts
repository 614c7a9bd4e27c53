import assert from 'node:assert/strict';
import { it } from 'node:test';
import { gateAnnotations } from '../../actions/lib/report/annotations.js';
import { sampleVerdict } from './report-fixtures.js';

const environmentFile = `# staging
service:
  name: web
gates:
  - name: scaled-out
    type: hpaScaleOut
    minReplicas: 6
  - name: "p95 <canary> | fast"
    type: latency
    max: 300ms
`;

it('annotates failing gates on their line (failure) and inconclusive ones (warning); passing gates not at all', () => {
  const annotations = gateAnnotations(sampleVerdict(), environmentFile, 'environments/staging.yaml');
  assert.deepEqual(
    annotations.map((a) => [a.path, a.startLine, a.level, a.title]),
    [
      ['environments/staging.yaml', 8, 'failure', 'p95 <canary> | fast (latency): fail'],
      // Not defined in this file (it came from a gate file): on the `gates:` key.
      ['environments/staging.yaml', 4, 'warning', 'load (loadApplied): inconclusive'],
    ],
  );
  assert.equal(
    annotations[0]!.message,
    'p95 was 412.5ms, above 300ms by 112.5ms.\nobserved: p95Ms=412.5\nthreshold: quantile=0.95, maxMs=300',
  );
});
