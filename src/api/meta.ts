// Small readers over object metadata and status shared by the API model,
// controllers and the CLI. Pure functions of their inputs.
import type { Condition, KubeObject, OwnerReference, Pod } from "./types.ts";

/** kubectl's human duration: "5s", "3m20s", "3m", "2h5m", "2d4h", "400d", "3y20d". */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return withRest(minutes, "m", seconds % 60, "s");
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(hours, "h", minutes % 60, "m");
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return withRest(days, "d", hours % 24, "h");
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return withRest(years, "y", days % 365, "d");
  return `${years}y`;
}

function withRest(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}

/** A metav1.Time as Kubernetes serializes it: RFC 3339 in whole seconds. */
export function metaTime(at: number | Date): string {
  return new Date(at).toISOString().replace(/\.\d+Z$/, "Z");
}

/** Age of a timestamp as kubectl prints it; "<unknown>" when absent or unparsable. */
export function formatAge(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return "<unknown>";
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return "<unknown>";
  return formatDuration(now - t);
}

export function getCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** A condition's lastTransitionTime: kept while the status stays, `now` when it changes (as Kubernetes does). */
export function transitionTime(prev: Condition | undefined, status: string, now: string): string {
  return prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
}

/**
 * Set (or replace) a condition of `type`, stamping lastTransitionTime (see
 * transitionTime) unless given. Returns the new array (the input is not modified).
 */
export function setCondition(conditions: Condition[] | undefined, next: Condition, now = new Date()): Condition[] {
  const list = conditions ? [...conditions] : [];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  const stamped: Condition = { ...next };
  if (!stamped.lastTransitionTime) {
    stamped.lastTransitionTime = transitionTime(prev, next.status, now.toISOString());
  }
  if (i >= 0) list[i] = stamped;
  else list.push(stamped);
  return list;
}

export function isConditionTrue(conditions: Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === "True";
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerOf(obj);
  return ref !== undefined && ref.uid === owner.metadata.uid;
}

/** An owner reference naming `owner` as the controller of the objects it creates. */
export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? "",
    uid: owner.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function podIsReady(pod: Pod): boolean {
  return isConditionTrue(pod.status?.conditions, "Ready");
}

/** Ready and has stayed ready for minReadySeconds (as of `now`, ms). */
export function podIsAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = getCondition(pod.status?.conditions, "Ready");
  if (ready?.status !== "True") return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

export function podIsTerminal(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

/** "namespace/name", or "name" for cluster-scoped objects: the work-queue key shape. */
export function namespacedName(obj: KubeObject): string {
  const { namespace, name = "" } = obj.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** Inverse of namespacedName. */
export function splitNamespacedName(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function isBeingDeleted(obj: KubeObject): boolean {
  return obj.metadata.deletionTimestamp !== undefined && obj.metadata.deletionTimestamp !== null;
}
