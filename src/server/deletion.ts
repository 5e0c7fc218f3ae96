// What a DELETE does to an object: remove it now, or mark it (deletionTimestamp)
// and leave it for whoever has to finish: finalizers' owners, the namespace
// controller (spec.finalizers ["kubernetes"]), the garbage collector
// (foregroundDeletion / orphan), or the kubelet for a pod bound to a node
// (graceful termination; the kubelet deletes it again with gracePeriodSeconds=0
// once its containers are gone). A pod whose node is gone is finished by the
// pod garbage collector, or by an admin with `--grace-period=0 --force`.
import { ApiError } from "../api/errors.ts";
import { metaTime, podIsTerminal } from "../api/meta.ts";
import type { DeleteOptions, KubeObject, Namespace, Pod } from "../api/types.ts";
import { isObject } from "../api/validation.ts";

export type DeletePlan = { action: "remove" } | { action: "mark"; obj: KubeObject } | { action: "unchanged" };

export function checkPreconditions(obj: KubeObject, resource: string, opts: DeleteOptions): void {
  const pre = opts.preconditions;
  if (!pre) return;
  const name = obj.metadata.name ?? "";
  if (pre.uid && pre.uid !== obj.metadata.uid) {
    throw ApiError.conflict(resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
  }
  if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw ApiError.conflict(resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${obj.metadata.resourceVersion}`);
  }
}

function podGracePeriod(pod: Pod, opts: DeleteOptions): number {
  if (!pod.spec?.nodeName || podIsTerminal(pod)) return 0;
  return Math.max(0, opts.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
}

export function planDelete(obj: KubeObject, opts: DeleteOptions, now: number): DeletePlan {
  const next = structuredClone(obj);
  const meta = next.metadata;
  const finalizers = new Set(meta.finalizers ?? []);
  if (opts.propagationPolicy === "Foreground") finalizers.add("foregroundDeletion");
  if (opts.propagationPolicy === "Orphan") finalizers.add("orphan");
  if (finalizers.size) meta.finalizers = [...finalizers];

  if (obj.kind === "Namespace") {
    const ns = next as Namespace;
    if ((ns.spec?.finalizers ?? []).length === 0 && finalizers.size === 0) return { action: "remove" };
    if (obj.metadata.deletionTimestamp) return jsonChanged(obj, next) ? { action: "mark", obj: next } : { action: "unchanged" };
    meta.deletionTimestamp = metaTime(now);
    meta.deletionGracePeriodSeconds = 0;
    ns.status = { ...ns.status, phase: "Terminating" };
    return { action: "mark", obj: next };
  }

  let grace = obj.kind === "Pod" ? podGracePeriod(obj as Pod, opts) : 0;
  if (grace === 0 && finalizers.size === 0) return { action: "remove" };

  const existingGrace = obj.metadata.deletionGracePeriodSeconds;
  if (meta.deletionTimestamp && existingGrace !== undefined && existingGrace <= grace) {
    // Already being deleted at least as fast: only new finalizers (propagation) can change.
    return jsonChanged(obj, next) ? { action: "mark", obj: next } : { action: "unchanged" };
  }
  if (meta.deletionTimestamp && existingGrace === undefined) grace = 0;
  meta.deletionTimestamp = metaTime(now + grace * 1000);
  meta.deletionGracePeriodSeconds = grace;
  return { action: "mark", obj: next };
}

function jsonChanged(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}

/** DeleteOptions from the body and/or the query string (query wins, as kubectl sends either). */
export function deleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const opts: DeleteOptions = isObject(body) ? { ...(body as DeleteOptions) } : {};
  const grace = query.get("gracePeriodSeconds");
  if (grace !== null) opts.gracePeriodSeconds = Number(grace);
  const policy = query.get("propagationPolicy");
  if (policy !== null) opts.propagationPolicy = policy as DeleteOptions["propagationPolicy"];
  if (query.getAll("dryRun").length) opts.dryRun = query.getAll("dryRun");
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    throw ApiError.badRequest(`gracePeriodSeconds must be a non-negative integer, got ${String(opts.gracePeriodSeconds)}`);
  }
  if (opts.propagationPolicy !== undefined && !["Orphan", "Background", "Foreground"].includes(opts.propagationPolicy)) {
    throw ApiError.badRequest(`propagationPolicy must be one of Orphan, Background, Foreground; got ${JSON.stringify(opts.propagationPolicy)}`);
  }
  return opts;
}
