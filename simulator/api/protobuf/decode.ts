import protobuf from 'protobufjs';
import { goDuration } from '../../go-duration.js';
import { ApiError, badRequest } from '../../store/errors.js';
import { protoGroups } from './groups.js';
import generated from './kubernetes.json' with { type: 'json' };

/**
 * Decodes `application/vnd.kubernetes.protobuf` request bodies (what kubectl's generators send: `create`,
 * `autoscale`, `expose`, `run`, drain's evictions) into the JSON form the rest of the API server handles: the
 * `k8s\0` magic, a runtime.Unknown envelope naming apiVersion and kind, and the object's message inside.
 */

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

const root = protobuf.Root.fromJSON(generated.descriptor as protobuf.INamespace);
/** `<message>.<field>` of the non-pointer `omitempty` fields: their zero value is absent in JSON. */
const omitZero = new Set(generated.omitZero);
/** `<message>.<field>` of the embedded structs JSON inlines into their parent (IngressRule's ingressRuleValue). */
const inline = new Set(generated.inline);
const magic = Buffer.from('k8s\0', 'latin1');
const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const envelopeType = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');

/** What a real server answers for a kind it cannot read as protobuf (custom resources: JSON and YAML only). */
export function unsupportedMediaType(): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
  );
}

function messageTypeOf(apiVersion: string, kind: string): protobuf.Type | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  // DeleteOptions travels under every group's version (drain's deletes) but is one message of meta/v1.
  const pkg = kind === 'DeleteOptions' ? meta : protoGroups[group ?? '']?.[version ?? ''];
  if (!pkg) return undefined;
  const found = root.lookup(`${pkg}.${kind}`);
  return found instanceof protobuf.Type ? found : undefined;
}

type Decoded = Record<string, unknown>;

/** A field the body carried (protobufjs keeps defaults on the prototype). */
function own(message: Decoded, name: string): unknown {
  return Object.hasOwn(message, name) ? message[name] : undefined;
}

function scalar(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object' && value !== null && 'low' in value) return Number(value.toString());
  return value;
}

function timestamp(message: Decoded, fractionDigits: number): string | undefined {
  const raw = own(message, 'seconds');
  if (raw === undefined) return undefined;
  const seconds = Number(scalar(raw));
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (fractionDigits === 0) return `${iso}Z`;
  const nanos = Number(own(message, 'nanos') ?? 0);
  return `${iso}.${String(nanos).padStart(9, '0').slice(0, fractionDigits)}Z`;
}

function rawJson(raw: unknown): unknown {
  return raw instanceof Uint8Array && raw.length > 0
    ? JSON.parse(Buffer.from(raw).toString('utf8'))
    : undefined;
}

/** The JSON of the apimachinery types whose JSON form is not their message's shape. */
const special: Record<string, (message: Decoded) => unknown> = {
  [`${meta}.Time`]: (m) => timestamp(m, 0),
  [`${meta}.MicroTime`]: (m) => timestamp(m, 6),
  [`${meta}.Duration`]: (m) => goDuration(Number(scalar(own(m, 'duration') ?? 0)) / 1e9),
  [`${meta}.FieldsV1`]: (m) => rawJson(own(m, 'Raw')),
  'k8s.io.apimachinery.pkg.runtime.RawExtension': (m) => rawJson(own(m, 'raw')),
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': (m) =>
    Number(scalar(own(m, 'type') ?? 0)) === 1 ? (own(m, 'strVal') ?? '') : (own(m, 'intVal') ?? 0),
  'k8s.io.apimachinery.pkg.api.resource.Quantity': (m) => own(m, 'string') ?? '0',
};

function fieldValue(field: protobuf.Field, value: unknown): unknown {
  const type = field.resolvedType;
  if (!(type instanceof protobuf.Type)) return scalar(value);
  return toJson(type, value as Decoded);
}

/** Empty is absent: Go writes every non-pointer field to protobuf, JSON omits the empty ones (`omitempty`). */
function isEmpty(value: unknown, omitZeroValue: boolean): boolean {
  if (value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return omitZeroValue && (value === 0 || value === false);
}

function toJson(type: protobuf.Type, message: Decoded): unknown {
  const convert = special[type.fullName.slice(1)];
  if (convert) return convert(message);
  const out: Decoded = {};
  for (const field of type.fieldsArray) {
    const value = own(message, field.name);
    if (value === undefined) continue;
    let json: unknown;
    if (field.map) {
      const entries = Object.entries(value as Decoded).map(([k, v]) => [k, fieldValue(field, v)] as const);
      json = entries.length ? Object.fromEntries(entries) : undefined;
    } else if (field.repeated) json = (value as unknown[]).map((v) => fieldValue(field, v));
    else json = fieldValue(field, value);
    const name = `${type.fullName.slice(1)}.${field.name}`;
    if (inline.has(name) && json && typeof json === 'object') Object.assign(out, json);
    else if (!isEmpty(json, omitZero.has(name))) out[field.name] = json;
  }
  return out;
}

/** The object a protobuf body carries, with its apiVersion and kind; 415 for kinds a real server reads as JSON only. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < magic.length || !body.subarray(0, magic.length).equals(magic)) {
    throw badRequest('provided object is not a protobuf message: the k8s\\0 prefix is missing');
  }
  let envelope: { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array };
  try {
    envelope = envelopeType.decode(body.subarray(magic.length)) as typeof envelope;
  } catch (error) {
    throw badRequest(`unable to decode the protobuf envelope: ${(error as Error).message}`);
  }
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  const type = messageTypeOf(apiVersion, kind);
  if (!type) throw unsupportedMediaType();
  let object: Decoded;
  try {
    object = type.decode(envelope.raw ?? new Uint8Array()) as unknown as Decoded;
  } catch (error) {
    throw badRequest(`unable to decode ${apiVersion} ${kind} from protobuf: ${(error as Error).message}`);
  }
  return { kind, apiVersion, ...(toJson(type, object) as Decoded) };
}
