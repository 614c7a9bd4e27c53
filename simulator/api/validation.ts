import { isQuantity, parseQuantity } from '../../actions/lib/util/quantity.js';
import { ApiError, type StatusCause } from '../store/errors.js';
import type { ResourceType } from '../store/resources.js';
import type { KubeObject } from '../store/types.js';

const quantityError =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** A quantity's value, or undefined when it does not parse (the decoder has already rejected those). */
function quantityValue(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  return typeof raw === 'string' && isQuantity(raw) ? parseQuantity(raw) : undefined;
}

/**
 * Validation as kube-apiserver does it (`pkg/apis/<group>/validation`), with its field paths and wording, for the kinds
 * this project deploys. Returns the causes of a 422 Invalid; an empty list means valid.
 */

// biome-ignore lint/suspicious/noExplicitAny: validation walks untyped JSON of many kinds.
type Json = any;

/** Go's rendering of a bad value in a field error (`%q` for strings, `%v` for numbers). */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    if (entries.every(([, v]) => typeof v === 'string'))
      return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

const required = (field: string, detail?: string): StatusCause => ({
  reason: 'FieldValueRequired',
  field,
  message: detail ? `Required value: ${detail}` : 'Required value',
});
const invalidValue = (field: string, value: unknown, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${show(value)}: ${detail}`,
});
const duplicate = (field: string, value: unknown): StatusCause => ({
  reason: 'FieldValueDuplicate',
  field,
  message: `Duplicate value: ${show(value)}`,
});
const notSupported = (field: string, value: unknown, supported: string[]): StatusCause => ({
  reason: 'FieldValueNotSupported',
  field,
  message: `Unsupported value: ${show(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
});

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const subdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMessage =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1035Message =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const labelValueMessage =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

type NameRule = 'subdomain' | 'label' | 'dns1035';

function nameRule(type: ResourceType): NameRule {
  if (type.group === '' && type.kind === 'Namespace') return 'label';
  if (type.group === '' && type.kind === 'Service') return 'dns1035';
  return 'subdomain';
}

function validateName(field: string, name: string, rule: NameRule): StatusCause[] {
  const [pattern, message, max] =
    rule === 'subdomain'
      ? [dns1123Subdomain, subdomainMessage, 253]
      : rule === 'label'
        ? [dns1123Label, labelMessage, 63]
        : [dns1035Label, dns1035Message, 63];
  const causes: StatusCause[] = [];
  if (name.length > max) causes.push(invalidValue(field, name, `must be no more than ${max} characters`));
  if (!pattern.test(name)) causes.push(invalidValue(field, name, message));
  return causes;
}

const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const qualifiedNameMessage =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/** A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
function validateQualifiedName(field: string, key: string): StatusCause[] {
  const parts = key.split('/');
  const name = parts.length === 2 ? (parts[1] as string) : key;
  const prefix = parts.length === 2 ? (parts[0] as string) : undefined;
  const causes: StatusCause[] = [];
  if (parts.length > 2) {
    return [
      invalidValue(
        field,
        key,
        `a qualified name ${qualifiedNameMessage.replace('name part ', '')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ),
    ];
  }
  if (prefix !== undefined && (prefix.length === 0 || !dns1123Subdomain.test(prefix)))
    causes.push(invalidValue(field, key, `prefix part ${subdomainMessage}`));
  if (name.length === 0) causes.push(invalidValue(field, key, 'name part must be non-empty'));
  else if (name.length > 63)
    causes.push(invalidValue(field, key, 'name part must be no more than 63 characters'));
  else if (!qualifiedNamePart.test(name)) causes.push(invalidValue(field, key, qualifiedNameMessage));
  return causes;
}

function validateMetadata(type: ResourceType, meta: Json): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!meta?.name) causes.push(required('metadata.name', 'name or generateName is required'));
  else causes.push(...validateName('metadata.name', meta.name, nameRule(type)));
  for (const [key, value] of Object.entries(meta?.labels ?? {})) {
    if (typeof value !== 'string' || value.length > 63 || !labelValue.test(value))
      causes.push(invalidValue('metadata.labels', value, labelValueMessage));
    causes.push(...validateQualifiedName('metadata.labels', key));
  }
  return causes;
}

function nonNegative(field: string, value: unknown): StatusCause[] {
  return typeof value === 'number' && value < 0
    ? [invalidValue(field, value, 'must be greater than or equal to 0')]
    : [];
}

function validateResources(field: string, resources: Json): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, raw] of Object.entries(resources?.[kind] ?? {})) {
      const value = quantityValue(raw);
      if (value !== undefined && value < 0)
        causes.push(invalidValue(`${field}.${kind}[${name}]`, raw, 'must be greater than or equal to 0'));
    }
  }
  for (const [name, raw] of Object.entries(resources?.requests ?? {})) {
    const limit = resources?.limits?.[name];
    if (limit === undefined) continue;
    const request = quantityValue(raw) ?? 0;
    if (request > (quantityValue(limit) ?? Number.POSITIVE_INFINITY))
      causes.push(
        invalidValue(`${field}.requests`, raw, `must be less than or equal to ${name} limit of ${limit}`),
      );
  }
  return causes;
}

function validateContainers(field: string, containers: Json[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const at = `${field}[${i}]`;
    if (!c?.name) causes.push(required(`${at}.name`));
    else if (seen.has(c.name)) causes.push(duplicate(`${at}.name`, c.name));
    else if (!dns1123Label.test(c.name)) causes.push(invalidValue(`${at}.name`, c.name, labelMessage));
    if (c?.name) seen.add(c.name);
    if (!c?.image) causes.push(required(`${at}.image`));
    causes.push(...validateResources(`${at}.resources`, c?.resources));
    (c?.ports ?? []).forEach((p: Json, j: number) => {
      const port = p?.containerPort;
      if (typeof port !== 'number' || port < 1 || port > 65535)
        causes.push(
          invalidValue(`${at}.ports[${j}].containerPort`, port, 'must be between 1 and 65535, inclusive'),
        );
    });
  });
  return causes;
}

const restartPolicies = ['Always', 'OnFailure', 'Never'];

export function validatePodSpec(field: string, spec: Json, allowedRestart = restartPolicies): StatusCause[] {
  const causes: StatusCause[] = [];
  const containers = spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) causes.push(required(`${field}.containers`));
  else causes.push(...validateContainers(`${field}.containers`, containers));
  if (Array.isArray(spec?.initContainers))
    causes.push(...validateContainers(`${field}.initContainers`, spec.initContainers));
  if (spec?.restartPolicy !== undefined && !allowedRestart.includes(spec.restartPolicy))
    causes.push(notSupported(`${field}.restartPolicy`, spec.restartPolicy, allowedRestart));
  causes.push(...nonNegative(`${field}.terminationGracePeriodSeconds`, spec?.terminationGracePeriodSeconds));
  return causes;
}

function selectorMatches(selector: Json, labels: Record<string, string>): boolean {
  const matchLabels = Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const expressions = (selector?.matchExpressions ?? []).every((r: Json) => {
    const has = Object.hasOwn(labels, r.key);
    if (r.operator === 'In') return has && (r.values ?? []).includes(labels[r.key]);
    if (r.operator === 'NotIn') return !has || !(r.values ?? []).includes(labels[r.key]);
    if (r.operator === 'Exists') return has;
    return !has;
  });
  return matchLabels && expressions;
}

function percentOrInt(value: unknown): { percent: boolean; n: number } | undefined {
  if (typeof value === 'number') return { percent: false, n: value };
  if (typeof value === 'string' && /^\d+%$/.test(value))
    return { percent: true, n: Number(value.slice(0, -1)) };
  return undefined;
}

function validateWorkload(spec: Json, previous: Json, selectorRequired: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  causes.push(...nonNegative('spec.replicas', spec?.replicas));
  const selector = spec?.selector;
  if (!selector) {
    if (selectorRequired) causes.push(required('spec.selector'));
  } else if (
    Object.keys(selector.matchLabels ?? {}).length === 0 &&
    (selector.matchExpressions ?? []).length === 0
  ) {
    causes.push(invalidValue('spec.selector', selector, 'empty selector is invalid for deployment'));
  } else {
    const labels = spec?.template?.metadata?.labels ?? {};
    if (!selectorMatches(selector, labels))
      causes.push(
        invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'),
      );
  }
  if (previous?.selector && selector && JSON.stringify(previous.selector) !== JSON.stringify(selector))
    causes.push(invalidValue('spec.selector', selector, 'field is immutable'));
  if (!spec?.template) causes.push(required('spec.template'));
  else causes.push(...validatePodSpec('spec.template.spec', spec.template.spec, ['Always']));
  causes.push(...nonNegative('spec.minReadySeconds', spec?.minReadySeconds));
  return causes;
}

function validateDeployment(spec: Json, previous: Json): StatusCause[] {
  const causes = validateWorkload(spec, previous, true);
  const strategy = spec?.strategy;
  if (strategy?.type !== undefined && !['RollingUpdate', 'Recreate'].includes(strategy.type))
    causes.push(notSupported('spec.strategy.type', strategy.type, ['Recreate', 'RollingUpdate']));
  const rolling = strategy?.rollingUpdate;
  if (rolling) {
    const surge = percentOrInt(rolling.maxSurge);
    const unavailable = percentOrInt(rolling.maxUnavailable);
    for (const [name, value, parsed] of [
      ['maxSurge', rolling.maxSurge, surge],
      ['maxUnavailable', rolling.maxUnavailable, unavailable],
    ] as const) {
      const at = `spec.strategy.rollingUpdate.${name}`;
      if (value === undefined) continue;
      if (!parsed)
        causes.push(
          invalidValue(
            at,
            value,
            "a valid percent string must be a numeric string followed by an ending '%'",
          ),
        );
      else if (parsed.n < 0) causes.push(invalidValue(at, value, 'must be greater than or equal to 0'));
      else if (name === 'maxUnavailable' && parsed.percent && parsed.n > 100)
        causes.push(invalidValue(at, value, 'must not be greater than 100%'));
    }
    if (surge?.n === 0 && unavailable?.n === 0)
      causes.push(
        invalidValue(
          'spec.strategy.rollingUpdate.maxUnavailable',
          rolling.maxUnavailable,
          'may not be 0 when `maxSurge` is 0',
        ),
      );
  }
  if (
    typeof spec?.progressDeadlineSeconds === 'number' &&
    spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)
  )
    causes.push(
      invalidValue(
        'spec.progressDeadlineSeconds',
        spec.progressDeadlineSeconds,
        'must be greater than minReadySeconds',
      ),
    );
  causes.push(...nonNegative('spec.revisionHistoryLimit', spec?.revisionHistoryLimit));
  return causes;
}

function validateScalingRules(field: string, rules: Json): StatusCause[] {
  if (!rules) return [];
  const causes: StatusCause[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (typeof window === 'number' && window < 0)
    causes.push(
      invalidValue(`${field}.stabilizationWindowSeconds`, window, 'must be greater than or equal to zero'),
    );
  if (typeof window === 'number' && window > 3600)
    causes.push(
      invalidValue(`${field}.stabilizationWindowSeconds`, window, 'must be less than or equal to 3600'),
    );
  if (rules.selectPolicy !== undefined && !['Max', 'Min', 'Disabled'].includes(rules.selectPolicy))
    causes.push(notSupported(`${field}.selectPolicy`, rules.selectPolicy, ['Disabled', 'Max', 'Min']));
  (rules.policies ?? []).forEach((p: Json, i: number) => {
    const at = `${field}.policies[${i}]`;
    if (!['Pods', 'Percent'].includes(p?.type))
      causes.push(notSupported(`${at}.type`, p?.type, ['Percent', 'Pods']));
    if (!(p?.value > 0)) causes.push(invalidValue(`${at}.value`, p?.value, 'must be greater than zero'));
    if (!(p?.periodSeconds > 0))
      causes.push(invalidValue(`${at}.periodSeconds`, p?.periodSeconds, 'must be greater than zero'));
    else if (p.periodSeconds > 1800)
      causes.push(invalidValue(`${at}.periodSeconds`, p.periodSeconds, 'must be less than or equal to 1800'));
  });
  return causes;
}

function validateMetricTarget(field: string, target: Json): StatusCause[] {
  const causes: StatusCause[] = [];
  const types = ['AverageValue', 'Utilization', 'Value'];
  if (!types.includes(target?.type)) causes.push(notSupported(`${field}.type`, target?.type, types));
  if (target?.averageUtilization !== undefined && !(target.averageUtilization > 0))
    causes.push(
      invalidValue(`${field}.averageUtilization`, target.averageUtilization, 'must be greater than 0'),
    );
  return causes;
}

function validateHpa(spec: Json): StatusCause[] {
  const causes: StatusCause[] = [];
  const ref = spec?.scaleTargetRef;
  if (!ref?.kind) causes.push(required('spec.scaleTargetRef.kind'));
  if (!ref?.name) causes.push(required('spec.scaleTargetRef.name'));
  const min = spec?.minReplicas;
  const max = spec?.maxReplicas;
  if (typeof min === 'number' && min < 1)
    causes.push(invalidValue('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (typeof max !== 'number' || max < 1)
    causes.push(invalidValue('spec.maxReplicas', max, 'must be greater than 0'));
  else if (typeof min === 'number' && max < min)
    causes.push(invalidValue('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  (spec?.metrics ?? []).forEach((m: Json, i: number) => {
    const at = `spec.metrics[${i}]`;
    const sources = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
    if (!sources.includes(m?.type)) {
      causes.push(notSupported(`${at}.type`, m?.type, sources));
      return;
    }
    const key = m.type === 'ContainerResource' ? 'containerResource' : (m.type as string).toLowerCase();
    const source = m[key];
    if (!source)
      causes.push(required(`${at}.${key}`, `must populate information for the given metric source`));
    else causes.push(...validateMetricTarget(`${at}.${key}.target`, source.target));
  });
  causes.push(...validateScalingRules('spec.behavior.scaleUp', spec?.behavior?.scaleUp));
  causes.push(...validateScalingRules('spec.behavior.scaleDown', spec?.behavior?.scaleDown));
  return causes;
}

function validateService(spec: Json, previous: Json): StatusCause[] {
  const causes: StatusCause[] = [];
  const types = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
  if (spec?.type !== undefined && !types.includes(spec.type))
    causes.push(notSupported('spec.type', spec.type, types));
  const ports = spec?.ports ?? [];
  if (ports.length === 0 && spec?.clusterIP !== 'None' && spec?.type !== 'ExternalName')
    causes.push(required('spec.ports'));
  ports.forEach((p: Json, i: number) => {
    if (typeof p?.port !== 'number' || p.port < 1 || p.port > 65535)
      causes.push(invalidValue(`spec.ports[${i}].port`, p?.port, 'must be between 1 and 65535, inclusive'));
  });
  if (previous?.clusterIP && spec?.clusterIP && previous.clusterIP !== spec.clusterIP)
    causes.push(invalidValue('spec.clusterIP', spec.clusterIP, 'field is immutable'));
  return causes;
}

const podUpdateMessage =
  'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** A pod's spec without the fields an update may change, to compare old and new. */
function podSpecIdentity(spec: Json): string {
  const strip = (containers: Json[] | undefined) =>
    (containers ?? []).map((c) => ({ ...c, image: undefined }));
  return JSON.stringify({
    ...spec,
    containers: strip(spec?.containers),
    initContainers: strip(spec?.initContainers),
    activeDeadlineSeconds: undefined,
    tolerations: undefined,
    terminationGracePeriodSeconds: undefined,
  });
}

function validatePodUpdate(spec: Json, previous: Json): StatusCause[] {
  if (!previous || podSpecIdentity(spec) === podSpecIdentity(previous)) return [];
  return [{ reason: 'FieldValueForbidden', field: 'spec', message: podUpdateMessage }];
}

/** The causes of a 422 for `object` (`previous` on update, for immutable fields). */
export function validate(type: ResourceType, object: KubeObject, previous?: KubeObject): StatusCause[] {
  const causes = validateMetadata(type, object.metadata);
  const spec = object.spec;
  switch (`${type.group}/${type.kind}`) {
    case '/Pod':
      causes.push(...validatePodSpec('spec', spec), ...validatePodUpdate(spec, previous?.spec));
      break;
    case 'apps/Deployment':
      causes.push(...validateDeployment(spec, previous?.spec));
      break;
    case 'apps/ReplicaSet':
      causes.push(...validateWorkload(spec, previous?.spec, true));
      break;
    case 'autoscaling/HorizontalPodAutoscaler':
      causes.push(...validateHpa(spec));
      break;
    case '/Service':
      causes.push(...validateService(spec, previous?.spec));
      break;
  }
  return causes;
}

function quantitiesIn(type: ResourceType, object: KubeObject): unknown[] {
  const podSpec = type.kind === 'Pod' ? object.spec : object.spec?.template?.spec;
  const containers: Json[] = [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])];
  const maps: Json[] = containers.flatMap((c) => [c?.resources?.requests, c?.resources?.limits]);
  if (type.kind === 'Node') maps.push(object.status?.capacity, object.status?.allocatable);
  if (type.kind === 'ResourceQuota') maps.push(object.spec?.hard);
  return maps.flatMap((m) => (m && typeof m === 'object' ? Object.values(m) : []));
}

/**
 * Rejects what kube-apiserver could not even decode (a malformed quantity) with its 400 BadRequest, before
 * validation runs.
 */
/** The 400 of a body the server cannot decode into the kind's type. */
export function undecodable(type: ResourceType, detail: string): ApiError {
  return new ApiError(
    400,
    'BadRequest',
    `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${detail}`,
  );
}

export function checkDecodable(type: ResourceType, object: KubeObject): void {
  if (quantitiesIn(type, object).some((q) => quantityValue(q) === undefined))
    throw undecodable(type, quantityError);
}
