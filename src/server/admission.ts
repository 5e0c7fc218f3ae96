// Admission: what the server does to an object between the request body and
// the store — kind checks, server-owned metadata, status isolation, generation,
// defaults and validation. Pure functions of (request, stored object, clock).
import { ApiError } from "../api/errors.ts";
import { metaTime } from "../api/meta.ts";
import { apiVersionOf, qualifiedResource, type ResourceType } from "../api/resource-type.ts";
import type { KubeObject, Namespace, ObjectMeta } from "../api/types.ts";
import { isObject, jsonEqual } from "../api/validation.ts";

/** Fill in apiVersion/kind when absent; reject a body of another kind (400, like Kubernetes). */
export function checkKind(rt: ResourceType, body: Record<string, unknown>): KubeObject {
  const apiVersion = apiVersionOf(rt);
  if (body.apiVersion === undefined || body.apiVersion === "") body.apiVersion = apiVersion;
  if (body.kind === undefined || body.kind === "") body.kind = rt.kind;
  if (body.apiVersion !== apiVersion || body.kind !== rt.kind) {
    throw ApiError.badRequest(`the API version in the data (${String(body.apiVersion)}) and kind (${String(body.kind)}) do not match the expected ${apiVersion} ${rt.kind} for ${qualifiedResource(rt)}`);
  }
  if (body.metadata === undefined || body.metadata === null) body.metadata = {};
  if (!isObject(body.metadata)) throw ApiError.badRequest("metadata must be an object");
  return body as KubeObject;
}

/** Path namespace vs body namespace: fill in, or 400 on a mismatch. Cluster-scoped kinds carry none (cleared). */
export function reconcileNamespace(rt: ResourceType, obj: KubeObject, pathNamespace: string | undefined): void {
  const meta = obj.metadata;
  if (!rt.namespaced) {
    // As in Kubernetes: a cluster-scoped object's namespace is cleared, not an error.
    delete meta.namespace;
    return;
  }
  if (pathNamespace === undefined) return;
  if (meta.namespace && meta.namespace !== pathNamespace) {
    throw ApiError.badRequest(`the namespace of the provided object (${meta.namespace}) does not match the namespace sent on the request (${pathNamespace})`);
  }
  meta.namespace = pathNamespace;
}

export function checkName(obj: KubeObject, pathName: string): void {
  if (obj.metadata.name && obj.metadata.name !== pathName) {
    throw ApiError.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${pathName})`);
  }
  obj.metadata.name = pathName;
}

const nameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

/** Kubernetes' generateName suffix: five characters that never spell words. */
export function randomSuffix(n = 5): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return Array.from(bytes, (b) => nameAlphabet[b % nameAlphabet.length]).join("");
}

export function validateOrThrow(rt: ResourceType, obj: KubeObject, old?: KubeObject): void {
  const causes = rt.validate?.(obj, old) ?? [];
  if (causes.length) throw ApiError.invalid(rt.kind, obj.metadata.name ?? obj.metadata.generateName ?? "", causes);
}

function hasSpec(obj: KubeObject | undefined): boolean {
  return obj !== undefined && "spec" in obj;
}

export interface CreateContext {
  uid: string;
  now: Date;
}

/** A new object ready for the store: server fields stamped, status reset where the status subresource owns it. */
export function admitCreate(rt: ResourceType, obj: KubeObject, ctx: CreateContext): KubeObject {
  const meta: ObjectMeta = obj.metadata;
  if (!meta.name && typeof meta.generateName === "string" && meta.generateName) meta.name = meta.generateName + randomSuffix();
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  meta.uid = ctx.uid;
  meta.creationTimestamp = metaTime(ctx.now);
  meta.generation = 1;
  // Nodes register with their status (capacity, addresses), as in Kubernetes; other kinds start with a blank one.
  if (rt.statusSubresource && rt.kind !== "Node") delete obj.status;
  if (rt.kind === "Namespace") {
    const ns = obj as Namespace;
    ns.spec = { ...ns.spec, finalizers: ns.spec?.finalizers ?? ["kubernetes"] };
    ns.status = { phase: "Active" };
  }
  rt.defaults?.(obj);
  validateOrThrow(rt, obj);
  return obj;
}

export type UpdateMode = "main" | "status" | "finalize";

/**
 * The object an update writes: the server-owned metadata of `old`, and either
 * everything but status ("main"), only status ("status"), or only
 * spec.finalizers of a Namespace ("finalize"). Generation moves when spec does.
 */
export function admitUpdate(rt: ResourceType, body: KubeObject, old: KubeObject, mode: UpdateMode): KubeObject {
  const uid = body.metadata?.uid;
  if (uid && uid !== old.metadata.uid) {
    throw ApiError.conflict(qualifiedResource(rt), old.metadata.name ?? "", `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata.uid}`);
  }
  let next: KubeObject;
  if (mode === "status") {
    next = { ...structuredClone(old), status: body.status };
  } else if (mode === "finalize") {
    const spec = isObject(old.spec) ? old.spec : {};
    const finalizers = isObject(body.spec) ? body.spec.finalizers : undefined;
    next = { ...structuredClone(old), spec: { ...spec, finalizers } };
  } else {
    next = body;
    if (rt.statusSubresource) {
      if (old.status === undefined) delete next.status;
      else next.status = structuredClone(old.status);
    }
  }
  const meta = next.metadata;
  meta.uid = old.metadata.uid;
  meta.creationTimestamp = old.metadata.creationTimestamp;
  meta.deletionTimestamp = old.metadata.deletionTimestamp;
  meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
  if (meta.deletionTimestamp === undefined) delete meta.deletionTimestamp;
  if (meta.deletionGracePeriodSeconds === undefined) delete meta.deletionGracePeriodSeconds;
  delete meta.generateName;
  if (old.metadata.generateName) meta.generateName = old.metadata.generateName;
  const generation = old.metadata.generation ?? 1;
  meta.generation = (hasSpec(next) || hasSpec(old)) && !jsonEqual(next.spec, old.spec) ? generation + 1 : generation;
  if (old.metadata.deletionTimestamp) {
    const added = (meta.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
    if (added.length) {
      throw ApiError.invalid(rt.kind, old.metadata.name ?? "", [{ field: "metadata.finalizers", reason: "FieldValueForbidden", message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }]);
    }
  }
  meta.name = old.metadata.name;
  if (old.metadata.namespace) meta.namespace = old.metadata.namespace;
  rt.defaults?.(next);
  validateOrThrow(rt, next, old);
  return next;
}

/** An object marked for deletion with no finalizers left is removed for good. */
export function readyToRemove(obj: KubeObject): boolean {
  if (!obj.metadata.deletionTimestamp) return false;
  if ((obj.metadata.finalizers ?? []).length > 0) return false;
  if (obj.kind === "Namespace") return ((obj as Namespace).spec?.finalizers ?? []).length === 0;
  // A pod in graceful termination stays until the kubelet (or pod GC) deletes it with a 0-second grace period.
  if (obj.kind === "Pod") return obj.metadata.deletionGracePeriodSeconds === 0;
  return true;
}
