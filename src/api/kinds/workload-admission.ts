// Deployment, ReplicaSet, ReplicationController, DaemonSet and
// ControllerRevision defaults and validation.
import { isZeroIntOrPercent, validateIntOrPercent } from "../intstr.ts";
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, ReplicationController, StatusCause } from "../types.ts";
import { forbidden, immutable, invalid, required, validateEnum, validateLabels, validateMeta, validateNonNegative, validatePositive } from "../validation.ts";
import { defaultPodTemplate, validatePodTemplate, validateWorkloadSelector } from "./pod-spec.ts";

const always = ["Always"] as const;

// ---- Deployment -------------------------------------------------------------------

export function defaultDeployment(d: Deployment): void {
  if (!d.spec || typeof d.spec !== "object") return;
  const spec = d.spec;
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ??= "RollingUpdate";
  if (spec.strategy.type === "RollingUpdate") {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxSurge ??= "25%";
    spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(spec.template);
}

export function validateDeployment(d: Deployment, old?: Deployment): StatusCause[] {
  const causes = validateMeta(d.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  const spec = d.spec;
  if (!spec || typeof spec !== "object") return [...causes, required("spec")];
  causes.push(...validateNonNegative(spec.replicas, "spec.replicas"));
  causes.push(...validateWorkloadSelector(spec.selector, "spec.selector"));
  causes.push(...validatePodTemplate(spec.template, "spec.template", { restartPolicies: always, selector: spec.selector }));
  const strategy = spec.strategy;
  causes.push(...validateEnum(strategy?.type, "spec.strategy.type", ["RollingUpdate", "Recreate"]));
  if (strategy?.type === "Recreate" && strategy.rollingUpdate) {
    causes.push(forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
  }
  const ru = strategy?.rollingUpdate;
  if (ru && strategy?.type !== "Recreate") {
    causes.push(...validateIntOrPercent(ru.maxSurge, "spec.strategy.rollingUpdate.maxSurge"));
    causes.push(...validateIntOrPercent(ru.maxUnavailable, "spec.strategy.rollingUpdate.maxUnavailable", 100));
    if (isZeroIntOrPercent(ru.maxSurge) && isZeroIntOrPercent(ru.maxUnavailable)) {
      causes.push(invalid("spec.strategy.rollingUpdate.maxUnavailable", ru.maxUnavailable, "may not be 0 when `maxSurge` is 0"));
    }
  }
  causes.push(...validateNonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  causes.push(...validateNonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  causes.push(...validatePositive(spec.progressDeadlineSeconds, "spec.progressDeadlineSeconds"));
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
    causes.push(invalid("spec.progressDeadlineSeconds", spec.progressDeadlineSeconds, "must be greater than minReadySeconds"));
  }
  if (old) causes.push(...immutable(spec.selector, old.spec?.selector, "spec.selector"));
  return causes;
}

// ---- ReplicaSet ----------------------------------------------------------------------

export function defaultReplicaSet(rs: ReplicaSet): void {
  if (!rs.spec || typeof rs.spec !== "object") return;
  rs.spec.replicas ??= 1;
  defaultPodTemplate(rs.spec.template);
}

export function validateReplicaSet(rs: ReplicaSet, old?: ReplicaSet): StatusCause[] {
  const causes = validateMeta(rs.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  const spec = rs.spec;
  if (!spec || typeof spec !== "object") return [...causes, required("spec")];
  causes.push(...validateNonNegative(spec.replicas, "spec.replicas"));
  causes.push(...validateNonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  causes.push(...validateWorkloadSelector(spec.selector, "spec.selector"));
  causes.push(...validatePodTemplate(spec.template, "spec.template", { restartPolicies: always, selector: spec.selector }));
  if (old) causes.push(...immutable(spec.selector, old.spec?.selector, "spec.selector"));
  return causes;
}

// ---- ReplicationController -----------------------------------------------------------

/** replicas 1; selector (and the RC's own labels) default to the template's labels. */
export function defaultReplicationController(rc: ReplicationController): void {
  if (!rc.spec || typeof rc.spec !== "object") return;
  const spec = rc.spec;
  spec.replicas ??= 1;
  const labels = spec.template?.metadata?.labels;
  if (labels && Object.keys(labels).length) {
    if (!spec.selector || !Object.keys(spec.selector).length) spec.selector = { ...labels };
    if (!rc.metadata.labels || !Object.keys(rc.metadata.labels).length) rc.metadata.labels = { ...labels };
  }
  defaultPodTemplate(spec.template);
}

export function validateReplicationController(rc: ReplicationController, old?: ReplicationController): StatusCause[] {
  const causes = validateMeta(rc.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  const spec = rc.spec;
  if (!spec || typeof spec !== "object") return [...causes, required("spec")];
  causes.push(...validateNonNegative(spec.replicas, "spec.replicas"));
  causes.push(...validateNonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  if (!spec.selector || !Object.keys(spec.selector).length) causes.push(required("spec.selector"));
  else causes.push(...validateLabels(spec.selector, "spec.selector"));
  const selector = spec.selector && Object.keys(spec.selector).length ? { matchLabels: spec.selector } : undefined;
  causes.push(...validatePodTemplate(spec.template, "spec.template", { restartPolicies: always, selector }));
  return causes;
}

// ---- DaemonSet ------------------------------------------------------------------------

export function defaultDaemonSet(ds: DaemonSet): void {
  if (!ds.spec || typeof ds.spec !== "object") return;
  const spec = ds.spec;
  spec.updateStrategy ??= {};
  spec.updateStrategy.type ??= "RollingUpdate";
  if (spec.updateStrategy.type === "RollingUpdate") {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate(spec.template);
}

export function validateDaemonSet(ds: DaemonSet, old?: DaemonSet): StatusCause[] {
  const causes = validateMeta(ds.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  const spec = ds.spec;
  if (!spec || typeof spec !== "object") return [...causes, required("spec")];
  causes.push(...validateWorkloadSelector(spec.selector, "spec.selector"));
  causes.push(...validatePodTemplate(spec.template, "spec.template", { restartPolicies: always, selector: spec.selector }));
  const us = spec.updateStrategy;
  causes.push(...validateEnum(us?.type, "spec.updateStrategy.type", ["RollingUpdate", "OnDelete"]));
  const ru = us?.rollingUpdate;
  if (ru && us?.type === "RollingUpdate") {
    causes.push(...validateIntOrPercent(ru.maxUnavailable, "spec.updateStrategy.rollingUpdate.maxUnavailable", 100));
    causes.push(...validateIntOrPercent(ru.maxSurge, "spec.updateStrategy.rollingUpdate.maxSurge", 100));
    if (isZeroIntOrPercent(ru.maxSurge) && isZeroIntOrPercent(ru.maxUnavailable)) {
      causes.push(invalid("spec.updateStrategy.rollingUpdate.maxUnavailable", ru.maxUnavailable, "may not be 0 when `maxSurge` is 0"));
    }
  }
  causes.push(...validateNonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  causes.push(...validateNonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  if (old) causes.push(...immutable(spec.selector, old.spec?.selector, "spec.selector"));
  return causes;
}

// ---- ControllerRevision ------------------------------------------------------------------

export function validateControllerRevision(cr: ControllerRevision, old?: ControllerRevision): StatusCause[] {
  const causes = validateMeta(cr.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  if (cr.revision === undefined || cr.revision === null) causes.push(required("revision"));
  else causes.push(...validateNonNegative(cr.revision, "revision"));
  if (old) causes.push(...immutable(cr.data, old.data, "data"));
  return causes;
}
