// Defaults and validation of a PodSpec, shared by Pods and every kind with a
// pod template (Deployments, ReplicaSets, DaemonSets, ReplicationControllers,
// Jobs, CronJobs).
import { isValidQuantity, parseQuantity } from "../quantity.ts";
import { labelSelectorFromObject, matches } from "../selectors.ts";
import type {
  Container,
  LabelSelector,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ResourceRequirements,
  StatusCause,
  NodeSelectorTerm,
  PodAffinityTerm,
  Toleration,
} from "../types.ts";
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  duplicate,
  forbidden,
  invalid,
  jsonEqual,
  notSupported,
  portNameErrors,
  qualifiedNameErrors,
  required,
  validateAnnotations,
  validateEnum,
  validateLabels,
  validateLabelSelector,
  validateNonNegative,
  validatePortNumber,
  validatePositive,
} from "../validation.ts";

// ---- defaults ---------------------------------------------------------------------

function defaultProbe(probe: Probe | undefined): void {
  if (!probe) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (probe.httpGet) {
    probe.httpGet.path ??= "/";
    probe.httpGet.scheme ??= "HTTP";
  }
}

/** Kubernetes' rule: ":latest" or no tag pulls Always, anything else IfNotPresent. */
function defaultPullPolicy(image: string | undefined): "Always" | "IfNotPresent" {
  if (!image) return "IfNotPresent";
  if (image.includes("@")) return "IfNotPresent";
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : "";
  return tag === "" || tag === "latest" ? "Always" : "IfNotPresent";
}

function defaultContainer(c: Container): void {
  if (!c || typeof c !== "object") return;
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  for (const p of c.ports ?? []) p.protocol ??= "TCP";
  for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= "v1";
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (c.resources) {
    normalizeQuantities(c.resources.requests);
    normalizeQuantities(c.resources.limits);
  }
  // Limits without requests: the requests are the limits (what the scheduler counts).
  const limits = c.resources?.limits;
  if (c.resources && limits) {
    const requests = (c.resources.requests ??= {});
    for (const [name, value] of Object.entries(limits)) requests[name] ??= value;
  }
}

/** Quantities written as YAML numbers (cpu: 1) are stored as strings, as Kubernetes serializes them. */
export function normalizeQuantities(list: Record<string, string | number> | undefined): void {
  if (!list) return;
  for (const [name, value] of Object.entries(list)) if (typeof value === "number") list[name] = String(value);
}

/** Fill in a PodSpec's defaults in place, as the Kubernetes API server does. */
export function defaultPodSpec(spec: PodSpec | undefined): void {
  if (!spec || typeof spec !== "object") return;
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  if (Array.isArray(spec.containers)) spec.containers.forEach(defaultContainer);
  if (Array.isArray(spec.initContainers)) spec.initContainers.forEach(defaultContainer);
  for (const v of spec.volumes ?? []) {
    if (v.configMap) v.configMap.defaultMode ??= 0o644;
    if (v.secret) v.secret.defaultMode ??= 0o644;
    if (v.hostPath) v.hostPath.type ??= "";
    if (v.emptyDir && typeof v.emptyDir.sizeLimit === "number") v.emptyDir.sizeLimit = String(v.emptyDir.sizeLimit);
  }
}

export function defaultPodTemplate(template: PodTemplateSpec | undefined): void {
  if (!template || typeof template !== "object") return;
  defaultPodSpec(template.spec);
}

// ---- validation -----------------------------------------------------------------

const restartPolicies = ["Always", "OnFailure", "Never"] as const;
const dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"] as const;
const protocols = ["TCP", "UDP", "SCTP"] as const;
const pullPolicies = ["Always", "IfNotPresent", "Never"] as const;
const taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

export interface PodSpecRules {
  /** Restart policies allowed here (templates of Deployments: Always; of Jobs: OnFailure, Never). */
  restartPolicies?: readonly string[];
}

export function validatePodSpec(spec: PodSpec | undefined, path: string, rules: PodSpecRules = {}): StatusCause[] {
  if (!spec || typeof spec !== "object") return [required(path)];
  const causes: StatusCause[] = [];
  const volumeNames = new Set<string>();
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v, i) => {
    const f = `${path}.volumes[${i}]`;
    if (!v?.name) causes.push(required(`${f}.name`));
    else {
      for (const e of dns1123LabelErrors(v.name)) causes.push(invalid(`${f}.name`, v.name, e));
      if (volumeNames.has(v.name)) causes.push(duplicate(`${f}.name`, v.name));
      volumeNames.add(v.name);
    }
    if (v?.hostPath && !v.hostPath.path) causes.push(required(`${f}.hostPath.path`));
    if (v?.configMap && !v.configMap.name) causes.push(required(`${f}.configMap.name`));
    if (v?.secret && !v.secret.secretName) causes.push(required(`${f}.secret.secretName`));
    if (v?.emptyDir?.sizeLimit !== undefined && !isValidQuantity(v.emptyDir.sizeLimit)) {
      causes.push(invalid(`${f}.emptyDir.sizeLimit`, v.emptyDir.sizeLimit, "must be a valid quantity"));
    }
  });
  if (spec.volumes !== undefined && !Array.isArray(spec.volumes)) causes.push(invalid(`${path}.volumes`, spec.volumes, "must be a list"));

  const containerNames = new Set<string>();
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) causes.push(required(`${path}.containers`));
  else spec.containers.forEach((c, i) => causes.push(...validateContainer(c, `${path}.containers[${i}]`, containerNames, volumeNames, false)));
  if (spec.initContainers !== undefined) {
    if (!Array.isArray(spec.initContainers)) causes.push(invalid(`${path}.initContainers`, spec.initContainers, "must be a list"));
    else spec.initContainers.forEach((c, i) => causes.push(...validateContainer(c, `${path}.initContainers[${i}]`, containerNames, volumeNames, true)));
  }

  if (rules.restartPolicies && spec.restartPolicy !== undefined && !rules.restartPolicies.includes(spec.restartPolicy)) {
    causes.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, rules.restartPolicies));
  } else causes.push(...validateEnum(spec.restartPolicy, `${path}.restartPolicy`, restartPolicies));
  causes.push(...validateEnum(spec.dnsPolicy, `${path}.dnsPolicy`, dnsPolicies));
  causes.push(...validateNonNegative(spec.terminationGracePeriodSeconds, `${path}.terminationGracePeriodSeconds`));
  causes.push(...validatePositive(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`));
  if (spec.nodeName) for (const e of dns1123SubdomainErrors(spec.nodeName)) causes.push(invalid(`${path}.nodeName`, spec.nodeName, e));
  causes.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  (spec.tolerations ?? []).forEach((t, i) => causes.push(...validateToleration(t, `${path}.tolerations[${i}]`)));
  causes.push(...validateAffinity(spec, path));
  (spec.topologySpreadConstraints ?? []).forEach((c, i) => {
    const f = `${path}.topologySpreadConstraints[${i}]`;
    if (typeof c.maxSkew !== "number" || c.maxSkew <= 0) causes.push(invalid(`${f}.maxSkew`, c.maxSkew, "must be greater than zero"));
    if (!c.topologyKey) causes.push(required(`${f}.topologyKey`, "can not be empty"));
    causes.push(...validateEnum(c.whenUnsatisfiable, `${f}.whenUnsatisfiable`, ["DoNotSchedule", "ScheduleAnyway"], true));
    causes.push(...validateLabelSelector(c.labelSelector, `${f}.labelSelector`));
  });
  return causes;
}

function validateContainer(c: Container, f: string, names: Set<string>, volumes: Set<string>, init: boolean): StatusCause[] {
  if (!c || typeof c !== "object") return [required(f)];
  const causes: StatusCause[] = [];
  if (!c.name) causes.push(required(`${f}.name`));
  else if (typeof c.name !== "string") causes.push(invalid(`${f}.name`, c.name, "must be a string"));
  else {
    for (const e of dns1123LabelErrors(c.name)) causes.push(invalid(`${f}.name`, c.name, e));
    if (names.has(c.name)) causes.push(duplicate(`${f}.name`, c.name));
    names.add(c.name);
  }
  if (!c.image && !(Array.isArray(c.command) && c.command.length)) causes.push(required(`${f}.image`, "an image or a command is required"));
  if (c.command !== undefined && !isStringList(c.command)) causes.push(invalid(`${f}.command`, c.command, "must be a list of strings"));
  if (c.args !== undefined && !isStringList(c.args)) causes.push(invalid(`${f}.args`, c.args, "must be a list of strings"));
  causes.push(...validateEnum(c.imagePullPolicy, `${f}.imagePullPolicy`, pullPolicies));

  const portNames = new Set<string>();
  (Array.isArray(c.ports) ? c.ports : []).forEach((p, i) => {
    const pf = `${f}.ports[${i}]`;
    causes.push(...validatePortNumber(p?.containerPort, `${pf}.containerPort`));
    if (p?.hostPort !== undefined && p.hostPort !== 0) causes.push(...validatePortNumber(p.hostPort, `${pf}.hostPort`));
    causes.push(...validateEnum(p?.protocol, `${pf}.protocol`, protocols));
    if (p?.name) {
      for (const e of portNameErrors(p.name)) causes.push(invalid(`${pf}.name`, p.name, e));
      if (portNames.has(p.name)) causes.push(duplicate(`${pf}.name`, p.name));
      portNames.add(p.name);
    }
  });

  (Array.isArray(c.env) ? c.env : []).forEach((e, i) => {
    const ef = `${f}.env[${i}]`;
    if (!e?.name) causes.push(required(`${ef}.name`));
    if (e?.valueFrom) {
      if (e.value) causes.push(invalid(`${ef}.valueFrom`, "", "may not be specified when `value` is not empty"));
      const sources = ["fieldRef", "configMapKeyRef", "secretKeyRef", "resourceFieldRef"].filter((k) => (e.valueFrom as Record<string, unknown>)[k]);
      if (sources.length !== 1) causes.push(invalid(`${ef}.valueFrom`, "", "must specify exactly one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
      if (e.valueFrom.fieldRef && !e.valueFrom.fieldRef.fieldPath) causes.push(required(`${ef}.valueFrom.fieldRef.fieldPath`));
      for (const k of ["configMapKeyRef", "secretKeyRef"] as const) {
        const ref = e.valueFrom[k];
        if (ref && !ref.key) causes.push(required(`${ef}.valueFrom.${k}.key`));
        if (ref && !ref.name) causes.push(required(`${ef}.valueFrom.${k}.name`));
      }
    }
  });
  (Array.isArray(c.envFrom) ? c.envFrom : []).forEach((e, i) => {
    if (!!e?.configMapRef === !!e?.secretRef) causes.push(invalid(`${f}.envFrom[${i}]`, "", "must specify exactly one of: `configMapRef` or `secretRef`"));
  });

  const mountPaths = new Set<string>();
  (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).forEach((m, i) => {
    const mf = `${f}.volumeMounts[${i}]`;
    if (!m?.name) causes.push(required(`${mf}.name`));
    else if (!volumes.has(m.name)) causes.push({ reason: "FieldValueNotFound", field: `${mf}.name`, message: `Not found: ${JSON.stringify(m.name)}` });
    if (!m?.mountPath) causes.push(required(`${mf}.mountPath`));
    else {
      if (mountPaths.has(m.mountPath)) causes.push(invalid(`${mf}.mountPath`, m.mountPath, "must be unique"));
      mountPaths.add(m.mountPath);
    }
  });

  causes.push(...validateResources(c.resources, `${f}.resources`));
  for (const [kind, probe] of [["livenessProbe", c.livenessProbe], ["readinessProbe", c.readinessProbe], ["startupProbe", c.startupProbe]] as const) {
    if (!probe) continue;
    if (init) {
      causes.push(forbidden(`${f}.${kind}`, "may not be set for init containers"));
      continue;
    }
    causes.push(...validateProbe(probe, `${f}.${kind}`, kind !== "readinessProbe", portNames));
  }
  return causes;
}

function isStringList(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

function validateProbe(p: Probe, f: string, successMustBeOne: boolean, portNames: Set<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  const handlers = ["exec", "httpGet", "tcpSocket", "grpc"].filter((k) => (p as Record<string, unknown>)[k]);
  if (handlers.length === 0) causes.push(required(f, "must specify a handler type"));
  if (handlers.length > 1) causes.push(forbidden(`${f}.${handlers[1]}`, "may not specify more than 1 handler type"));
  if (p.exec && !(Array.isArray(p.exec.command) && p.exec.command.length)) causes.push(required(`${f}.exec.command`));
  if (p.httpGet) {
    causes.push(...validateProbePort(p.httpGet.port, `${f}.httpGet.port`, portNames));
    causes.push(...validateEnum(p.httpGet.scheme, `${f}.httpGet.scheme`, ["HTTP", "HTTPS"]));
  }
  if (p.tcpSocket) causes.push(...validateProbePort(p.tcpSocket.port, `${f}.tcpSocket.port`, portNames));
  causes.push(...validateNonNegative(p.initialDelaySeconds, `${f}.initialDelaySeconds`));
  causes.push(...validatePositive(p.timeoutSeconds, `${f}.timeoutSeconds`));
  causes.push(...validatePositive(p.periodSeconds, `${f}.periodSeconds`));
  causes.push(...validatePositive(p.successThreshold, `${f}.successThreshold`));
  causes.push(...validatePositive(p.failureThreshold, `${f}.failureThreshold`));
  if (successMustBeOne && p.successThreshold !== undefined && p.successThreshold !== 1) {
    causes.push(invalid(`${f}.successThreshold`, p.successThreshold, "must be 1"));
  }
  return causes;
}

function validateProbePort(port: unknown, f: string, portNames: Set<string>): StatusCause[] {
  if (typeof port === "number") return validatePortNumber(port, f);
  if (typeof port !== "string" || !port) return [required(f)];
  if (/^\d+$/.test(port)) return validatePortNumber(Number(port), f);
  const errs = portNameErrors(port);
  if (errs.length) return errs.map((e) => invalid(f, port, e));
  return portNames.has(port) ? [] : [invalid(f, port, "must be a container port name or a number")];
}

/** Quantities parse, are not negative, and requests do not exceed limits. */
export function validateResources(r: ResourceRequirements | undefined, f: string): StatusCause[] {
  if (!r) return [];
  const causes: StatusCause[] = [];
  const values: Record<"requests" | "limits", Record<string, number>> = { requests: {}, limits: {} };
  for (const part of ["requests", "limits"] as const) {
    const list = r[part];
    if (list === undefined || list === null) continue;
    if (typeof list !== "object" || Array.isArray(list)) {
      causes.push(invalid(`${f}.${part}`, list, "must be a map of resource names to quantities"));
      continue;
    }
    for (const [name, raw] of Object.entries(list)) {
      const rf = `${f}.${part}[${name}]`;
      for (const e of qualifiedNameErrors(name)) causes.push(invalid(rf, name, e));
      if (!isValidQuantity(raw)) {
        causes.push(invalid(rf, raw, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
        continue;
      }
      const v = parseQuantity(raw as string);
      if (v < 0) causes.push(invalid(rf, raw, "must be greater than or equal to 0"));
      values[part][name] = v;
    }
  }
  for (const [name, request] of Object.entries(values.requests)) {
    const limit = values.limits[name];
    if (limit !== undefined && request > limit) {
      causes.push(invalid(`${f}.requests`, r.requests?.[name], `must be less than or equal to ${name} limit of ${r.limits?.[name]}`));
    }
  }
  return causes;
}

function validateToleration(t: Toleration, f: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!t || typeof t !== "object") return [invalid(f, t, "must be an object")];
  if (t.key) for (const e of qualifiedNameErrors(t.key)) causes.push(invalid(`${f}.key`, t.key, e));
  causes.push(...validateEnum(t.operator, `${f}.operator`, ["Exists", "Equal"]));
  if (!t.key && t.operator !== "Exists") causes.push(invalid(`${f}.operator`, t.operator ?? "", "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
  if (t.operator === "Exists" && t.value) causes.push(invalid(`${f}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
  causes.push(...validateEnum(t.effect, `${f}.effect`, taintEffects));
  if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
    causes.push(invalid(`${f}.effect`, t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
  }
  return causes;
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, f: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [list, name] of [[term?.matchExpressions, "matchExpressions"], [term?.matchFields, "matchFields"]] as const) {
    (list ?? []).forEach((r, i) => {
      const rf = `${f}.${name}[${i}]`;
      if (!r?.key) causes.push(required(`${rf}.key`));
      else if (name === "matchFields" && r.key !== "metadata.name") causes.push(notSupported(`${rf}.key`, r.key, ["metadata.name"]));
      else if (name === "matchExpressions") for (const e of qualifiedNameErrors(r.key)) causes.push(invalid(`${rf}.key`, r.key, e));
      const values = r?.values ?? [];
      switch (r?.operator) {
        case "In":
        case "NotIn":
          if (!values.length) causes.push(required(`${rf}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
          break;
        case "Exists":
        case "DoesNotExist":
          if (values.length) causes.push(forbidden(`${rf}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
          break;
        case "Gt":
        case "Lt":
          if (values.length !== 1) causes.push(required(`${rf}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
          else if (!/^-?\d+$/.test(values[0])) causes.push(invalid(`${rf}.values[0]`, values[0], "must be an integer"));
          break;
        default:
          causes.push(notSupported(`${rf}.operator`, r?.operator, ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]));
      }
    });
  }
  return causes;
}

function validatePodAffinityTerm(term: PodAffinityTerm, f: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!term?.topologyKey) causes.push(required(`${f}.topologyKey`, "can not be empty"));
  else for (const e of qualifiedNameErrors(term.topologyKey)) causes.push(invalid(`${f}.topologyKey`, term.topologyKey, e));
  causes.push(...validateLabelSelector(term?.labelSelector, `${f}.labelSelector`));
  causes.push(...validateLabelSelector(term?.namespaceSelector, `${f}.namespaceSelector`));
  return causes;
}

function validateAffinity(spec: PodSpec, path: string): StatusCause[] {
  const a = spec.affinity;
  if (!a) return [];
  const f = `${path}.affinity`;
  const causes: StatusCause[] = [];
  const required_ = a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required_) {
    const rf = `${f}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;
    if (!Array.isArray(required_.nodeSelectorTerms) || !required_.nodeSelectorTerms.length) causes.push(required(rf, "must have at least one node selector term"));
    else required_.nodeSelectorTerms.forEach((t, i) => causes.push(...validateNodeSelectorTerm(t, `${rf}[${i}]`)));
  }
  (a.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((p, i) => {
    const pf = `${f}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    if (typeof p.weight !== "number" || p.weight < 1 || p.weight > 100) causes.push(invalid(`${pf}.weight`, p.weight, "must be in the range 1-100"));
    causes.push(...validateNodeSelectorTerm(p.preference, `${pf}.preference`));
  });
  for (const kind of ["podAffinity", "podAntiAffinity"] as const) {
    const pa = a[kind];
    if (!pa) continue;
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) =>
      causes.push(...validatePodAffinityTerm(t, `${f}.${kind}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)),
    );
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((w, i) => {
      const wf = `${f}.${kind}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      if (typeof w.weight !== "number" || w.weight < 1 || w.weight > 100) causes.push(invalid(`${wf}.weight`, w.weight, "must be in the range 1-100"));
      causes.push(...validatePodAffinityTerm(w.podAffinityTerm, `${wf}.podAffinityTerm`));
    });
  }
  return causes;
}

/**
 * A pod template: labels/annotations, the spec, and (when given) that the
 * owner's selector selects the template's labels.
 */
export function validatePodTemplate(
  template: PodTemplateSpec | undefined,
  path: string,
  opts: PodSpecRules & { selector?: LabelSelector } = {},
): StatusCause[] {
  if (!template || typeof template !== "object") return [required(path)];
  const causes: StatusCause[] = [];
  causes.push(...validateLabels(template.metadata?.labels, `${path}.metadata.labels`));
  causes.push(...validateAnnotations(template.metadata?.annotations, `${path}.metadata.annotations`));
  causes.push(...validatePodSpec(template.spec, `${path}.spec`, opts));
  if (opts.selector && !selectorSelects(opts.selector, template.metadata?.labels)) {
    causes.push(invalid(`${path}.metadata.labels`, template.metadata?.labels ?? {}, "`selector` does not match template `labels`"));
  }
  return causes;
}

function selectorSelects(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  try {
    return matches(labelSelectorFromObject(selector), labels ?? {});
  } catch {
    // A malformed selector is reported by validateLabelSelector.
    return true;
  }
}

/** A workload's selector: present, not empty, well formed. */
export function validateWorkloadSelector(selector: LabelSelector | undefined, field: string): StatusCause[] {
  if (!selector) return [required(field)];
  const causes = validateLabelSelector(selector, field);
  if (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length) {
    causes.push(invalid(field, selector, "empty selector is invalid for this resource"));
  }
  return causes;
}

// ---- updates ----------------------------------------------------------------------

const podUpdateMessage =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/** A pod's spec is immutable except images, activeDeadlineSeconds, added tolerations, and a first nodeName. */
export function validatePodSpecUpdate(spec: PodSpec, old: PodSpec, path: string): StatusCause[] {
  if (!spec || !old) return [];
  const causes: StatusCause[] = [];
  if (old.activeDeadlineSeconds !== undefined) {
    if (spec.activeDeadlineSeconds === undefined) causes.push(invalid(`${path}.activeDeadlineSeconds`, null, "must not update from a positive integer to nil value"));
    else if (spec.activeDeadlineSeconds > old.activeDeadlineSeconds) causes.push(invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, "must be less than or equal to previous value"));
  }
  const oldTolerations = old.tolerations ?? [];
  const newTolerations = spec.tolerations ?? [];
  if (!oldTolerations.every((t) => newTolerations.some((n) => jsonEqual(n, t)))) {
    causes.push(forbidden(`${path}.tolerations`, "existing toleration can not be modified except its tolerationSeconds"));
  }
  // Compare everything else with the mutable fields taken from the old spec.
  const comparable: PodSpec = structuredClone(spec);
  comparable.activeDeadlineSeconds = old.activeDeadlineSeconds;
  comparable.tolerations = old.tolerations;
  if (!old.nodeName) comparable.nodeName = old.nodeName;
  const images = (list: Container[] | undefined, from: Container[] | undefined) =>
    list?.forEach((c, i) => {
      if (from?.[i]) c.image = from[i].image;
    });
  images(comparable.containers, old.containers);
  images(comparable.initContainers, old.initContainers);
  if (!jsonEqual(comparable, old)) causes.push(forbidden(path, podUpdateMessage));
  return causes;
}
