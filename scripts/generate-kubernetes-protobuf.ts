// Regenerates simulator/api/protobuf/kubernetes.json, the protobuf descriptor of the Kubernetes kinds the local
// API server decodes, from the `generated.proto` files of the k8s.io/api and k8s.io/apimachinery Go modules
// (Apache-2.0, The Kubernetes Authors). The field numbers are facts of the Kubernetes API.
// Run: node --import tsx scripts/generate-kubernetes-protobuf.ts   (needs `go`; downloads the two modules)
import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import {
  kubernetesProtoVersion,
  protoDescriptorPath,
  protoGroups,
} from '../simulator/api/protobuf/groups.js';

const modules = ['k8s.io/api', 'k8s.io/apimachinery'];
const downloaded = execFileSync(
  'go',
  ['mod', 'download', '-json', ...modules.map((m) => `${m}@${kubernetesProtoVersion}`)],
  { encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } },
);
const dirs = new Map<string, string>();
for (const block of downloaded.split(/\n}\n?/).filter((b) => b.trim())) {
  const info = JSON.parse(`${block}}`) as { Path: string; Dir: string };
  dirs.set(info.Path, info.Dir);
}

/** Where an import path such as `k8s.io/api/core/v1/generated.proto` lies in the module cache. */
function inModuleCache(target: string): string {
  for (const [module, dir] of dirs)
    if (target.startsWith(`${module}/`)) return join(dir, target.slice(module.length + 1));
  return target;
}
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => inModuleCache(target);
const packages = [
  ...Object.values(protoGroups).flatMap((versions) => Object.values(versions)),
  'k8s.io.apimachinery.pkg.apis.meta.v1',
  'k8s.io.apimachinery.pkg.runtime',
];
const goDir = (pkg: string) => pkg.replaceAll('.', '/').replace(/^k8s\/io\//, 'k8s.io/');
const files = packages.map((pkg) => `${goDir(pkg)}/generated.proto`);
await root.load(files, { keepCase: true });

/** `<package>.<struct>.<proto field>` of the struct fields in a package's types*.go whose line `matches`. */
async function goFields(pkg: string, matches: (line: string) => string | undefined): Promise<string[]> {
  const dir = inModuleCache(goDir(pkg));
  const fields: string[] = [];
  for (const file of (await readdir(dir)).filter((f) => /^types.*\.go$/.test(f))) {
    let struct = '';
    for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      const opened = /^type (\w+) struct \{/.exec(line);
      if (opened) struct = opened[1] ?? '';
      const name = struct ? matches(line) : undefined;
      if (name) fields.push(`${pkg}.${struct}.${name}`);
    }
  }
  return fields;
}

/**
 * The fields whose zero value JSON omits: Go writes every non-pointer field to protobuf, but `omitempty` leaves the
 * zero ones out of JSON, so a decoded `paused: false` must vanish while a pointer's `replicas: 0` stays.
 */
function omitZeroField(line: string): string | undefined {
  const field = /^\s+\w+\s+(\S+)\s+`json:"([^"]*)" protobuf:"[^"]*name=(\w+)/.exec(line);
  return field?.[2]?.includes(',omitempty') && !field[1]?.startsWith('*') ? field[3] : undefined;
}

/**
 * The embedded structs JSON inlines (`json:",inline"`, e.g. IngressRule's IngressRuleValue): protobuf nests them under
 * a field, JSON lifts their fields into the parent.
 */
function inlineField(line: string): string | undefined {
  return /^\s+[\w.]+\s+`json:",inline"[^`]*protobuf:"[^"]*name=(\w+)/.exec(line)?.[1];
}

const collect = async (matches: (line: string) => string | undefined) =>
  (await Promise.all(packages.map((pkg) => goFields(pkg, matches)))).flat().sort();
const omitZero = await collect(omitZeroField);
const inline = await collect(inlineField);
const path = join(new URL('..', import.meta.url).pathname, protoDescriptorPath);
await writeFile(path, `${JSON.stringify({ descriptor: root.toJSON(), omitZero, inline })}\n`);
console.log(
  `wrote ${protoDescriptorPath} from ${files.length} generated.proto files of Kubernetes ${kubernetesProtoVersion}`,
);
