// Runs the conformance check of the local cluster against what a real cluster answers: the everyday-kubectl matrix
// (real kubectl) and the upstream kubernetes-mixin queries (real Prometheus). Prints the shares and the misses.
// Run: npm run conformance [-- --control-plane kubernetes]  (the real control plane is the reference the expectations
// were checked against; `npm run build:kube` first)
import { parseArgs } from 'node:util';
import { type ControlPlaneKind, controlPlanes } from '../simulator/cluster.js';
import { runConformance } from './conformance/run.js';

const { values } = parseArgs({ options: { 'control-plane': { type: 'string', default: 'builtin' } } });
const controlPlane = values['control-plane'] as ControlPlaneKind;
if (!controlPlanes.includes(controlPlane)) {
  console.error(
    `conformance: --control-plane must be one of ${controlPlanes.join(', ')}, not "${controlPlane}"`,
  );
  process.exit(2);
}
const report = await runConformance({ controlPlane });
const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
for (const r of report.kubectl.filter((c) => !c.conforms))
  console.log(`kubectl ${r.args}\n  exit ${r.code}: ${r.output.split('\n').slice(0, 3).join('\n  ')}`);
for (const q of report.queries.filter((c) => !c.conforms))
  console.log(`query ${q.source}: ${q.error ?? 'no series'}`);
const passed = (list: Array<{ conforms: boolean }>) => list.filter((c) => c.conforms).length;
console.log(`control plane: ${controlPlane}`);
console.log(
  `everyday kubectl: ${passed(report.kubectl)}/${report.kubectl.length} answer as on a real cluster (${percent(report.kubectlShare)})`,
);
console.log(
  `kubernetes-mixin queries: ${passed(report.queries)}/${report.queries.length} return series (${percent(report.queryShare)})`,
);
