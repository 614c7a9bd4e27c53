// Regenerates simulator/api/openapi/kubernetes.json.br: the OpenAPI v3 documents (and the v2 definitions) of the
// built-in Kubernetes API groups the local API server serves, taken from the `api/openapi-spec` of the
// k8s.io/kubernetes Go module (Apache-2.0, The Kubernetes Authors), so that `kubectl explain` and kubectl's
// client-side validation see the real schemas.
// Run: node --import tsx scripts/generate-kubernetes-openapi.ts   (needs `go`; downloads the module)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import protobuf from 'protobufjs';
import { stringify as stringifyYaml } from 'yaml';
import { openApiBundlePath, openApiSourceVersion } from '../simulator/api/openapi/bundle.js';
import { ResourceRegistry } from '../simulator/store/resources.js';

const downloaded = JSON.parse(
  execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${openApiSourceVersion}`], {
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  }),
) as { Dir: string };
const specDir = join(downloaded.Dir, 'api', 'openapi-spec');

const v3: Record<string, unknown> = {};
const registry = new ResourceRegistry();
for (const { group, version } of registry.groupVersions()) {
  const path = group ? `apis/${group}/${version}` : `api/${version}`;
  const file = join(specDir, 'v3', `${path.replaceAll('/', '__')}_openapi.json`);
  // Only kube-apiserver's own groups have a document; the others (KEDA, Gateway API...) are CRDs on a real cluster.
  if (!existsSync(file)) continue;
  v3[path] = JSON.parse(await readFile(file, 'utf8'));
}

// v2: only the definitions the served kinds reach (kubectl falls back to /openapi/v2 when v3 lacks a group),
// encoded as gnostic's openapi.v2.Document, the only form client-go reads.
type Schema = Record<string, unknown>;
const swagger = JSON.parse(await readFile(join(specDir, 'swagger.json'), 'utf8')) as {
  definitions: Record<string, Schema>;
  info: unknown;
  swagger: string;
};
const wanted = new Set<string>();
const visit = (name: string) => {
  if (wanted.has(name) || !swagger.definitions[name]) return;
  wanted.add(name);
  JSON.stringify(swagger.definitions[name]).replace(/"#\/definitions\/([^"]+)"/g, (_, ref: string) => {
    visit(ref);
    return '';
  });
};
for (const [name, schema] of Object.entries(swagger.definitions)) {
  const gvks = (schema['x-kubernetes-group-version-kind'] ?? []) as Array<{
    group: string;
    version: string;
    kind: string;
  }>;
  if (gvks.some((g) => registry.byKind(g.group ? `${g.group}/${g.version}` : g.version, g.kind))) visit(name);
}

/** A swagger schema as gnostic's openapi.v2.Schema message (what client-go's OpenAPISchema() decodes). */
function gnosticSchema(json: Schema): Schema {
  const any = (value: unknown) => ({ yaml: stringifyYaml(value) });
  const items = json.items as Schema | undefined;
  const extra = json.additionalProperties as Schema | boolean | undefined;
  return {
    ...(json.$ref ? { _ref: json.$ref } : {}),
    ...(json.format ? { format: json.format } : {}),
    ...(json.title ? { title: json.title } : {}),
    ...(json.description ? { description: json.description } : {}),
    ...(json.default !== undefined ? { default: any(json.default) } : {}),
    ...(json.required ? { required: json.required } : {}),
    ...(json.enum ? { enum: (json.enum as unknown[]).map(any) } : {}),
    ...(extra === undefined
      ? {}
      : {
          additional_properties:
            typeof extra === 'boolean' ? { boolean: extra } : { schema: gnosticSchema(extra) },
        }),
    ...(json.type ? { type: { value: [json.type] } } : {}),
    ...(items ? { items: { schema: [gnosticSchema(items)] } } : {}),
    ...(json.allOf ? { all_of: (json.allOf as Schema[]).map(gnosticSchema) } : {}),
    ...(json.properties
      ? {
          properties: {
            additional_properties: Object.entries(json.properties as Record<string, Schema>).map(
              ([name, value]) => ({
                name,
                value: gnosticSchema(value),
              }),
            ),
          },
        }
      : {}),
    vendor_extension: Object.entries(json)
      .filter(([key]) => key.startsWith('x-'))
      .map(([name, value]) => ({ name, value: any(value) })),
  };
}

const gnosticDir = JSON.parse(
  execFileSync('go', ['mod', 'download', '-json', 'github.com/google/gnostic-models@v0.7.0'], {
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  }),
) as { Dir: string };
const gnostic = await new protobuf.Root().load(join(gnosticDir.Dir, 'openapiv2', 'OpenAPIv2.proto'), {
  keepCase: true,
});
const documentType = gnostic.lookupType('openapi.v2.Document');
const info = swagger.info as { title: string; version: string };
const document = {
  swagger: swagger.swagger,
  info: { title: info.title, version: info.version },
  paths: {},
  definitions: {
    additional_properties: [...wanted].sort().map((name) => ({
      name,
      value: gnosticSchema(swagger.definitions[name] as Schema),
    })),
  },
};
const problem = documentType.verify(document);
if (problem) throw new Error(`openapi.v2.Document: ${problem}`);
const v2 = Buffer.from(documentType.encode(documentType.fromObject(document)).finish()).toString('base64');

const out = join(new URL('..', import.meta.url).pathname, openApiBundlePath);
const text = JSON.stringify({ source: `k8s.io/kubernetes@${openApiSourceVersion} api/openapi-spec`, v2, v3 });
// v2 is kept as the gnostic protobuf client-go asks for (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`).
await writeFile(out, brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
console.log(
  `wrote ${openApiBundlePath}: ${Object.keys(v3).length} v3 documents, ${wanted.size} v2 definitions`,
);
